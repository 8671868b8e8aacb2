// Which custom templates get content parts as parts: those that loop over a message's content.
// The templates here are written for these tests (the official ones: test/custom-chat-templates.test.ts).
import { Template } from "@huggingface/jinja";
import { describe, expect, it } from "vitest";
import { detectContentFormat, testsContentForNone } from "./content-format.ts";

const formatOf = (source: string) => detectContentFormat(new Template(source).parsed);

describe("detectContentFormat: templates that loop over a message's content parts", () => {
  it.each([
    ["message.content", "{% for m in messages %}{% for p in m.content %}{{ p.text }}{% endfor %}{% endfor %}"],
    ["message['content']", "{% for m in messages %}{% for p in m['content'] %}{{ p['text'] }}{% endfor %}{% endfor %}"],
    [
      "through a filter",
      "{% for m in messages %}{% for p in m['content'] | selectattr('type', 'equalto', 'image') %}<img>{% endfor %}{% endfor %}",
    ],
    ["through a slice", "{% for m in messages %}{% for p in m.content[1:] %}{{ p.text }}{% endfor %}{% endfor %}"],
    [
      "a loop's if",
      "{% for m in messages %}{% for p in m.content if p.type == 'text' %}{{ p.text }}{% endfor %}{% endfor %}",
    ],
    [
      "messages sliced, filtered or filtered by the loop",
      "{% for m in messages[1:] %}{% for p in m.content %}{% endfor %}{% endfor %}" +
        "{% for m in messages | rejectattr('role', 'equalto', 'system') %}{% endfor %}" +
        "{% for m in messages if m.role != 'system' %}{% endfor %}",
    ],
    [
      "messages set to other variables, transitively",
      "{% set loop_messages = messages[1:] %}{% set rest = loop_messages %}" +
        "{% for message in rest %}{% for part in message.content %}{{ part.text }}{% endfor %}{% endfor %}",
    ],
    [
      "the content loop inside a branch for strings",
      "{% for m in messages %}{% if m.content is string %}{{ m.content }}{% else %}" +
        "{% for p in m.content %}{{ p.text }}{% endfor %}{% endif %}{% endfor %}",
    ],
    [
      // Scopes are ignored, as vLLM ignores them: the macro's `message` is taken for the loop's.
      "in a macro called with each message",
      "{% macro render(message) %}{% for p in message.content %}{{ p.text }}{% endfor %}{% endmacro %}" +
        "{% for message in messages %}{{ render(message) }}{% endfor %}",
    ],
    [
      // Qwen3.5's shape, which vLLM reads as parts too (the third review).
      "in a macro given the content itself",
      "{%- macro render_content(content) %}{%- for item in content %}{%- if item.type == 'text' %}{{ item.text }}" +
        "{%- endif %}{%- endfor %}{%- endmacro %}" +
        "{%- for message in messages %}{{ render_content(message.content) }}{%- endfor %}",
    ],
  ])("%s: openai", (_, source) => {
    expect(formatOf(source)).toBe("openai");
  });
});

describe("detectContentFormat: templates that read content as a string", () => {
  it.each([
    ["printed", "{% for m in messages %}{{ m.content }}{% endfor %}"],
    ["trimmed", "{% for m in messages %}{{ m['content'] | trim }}{% endfor %}"],
    ["tested", "{% for m in messages %}{% if m.content is string %}{{ m.content }}{% endif %}{% endfor %}"],
    ["no messages loop at all", "{{ messages[0].content }}"],
    [
      "a loop over another list's content",
      "{% for m in messages %}{{ m.content }}{% endfor %}{% for d in documents %}{% for p in d.content %}{% endfor %}{% endfor %}",
    ],
    [
      "a loop over another field of a message",
      "{% for m in messages %}{% for call in m.tool_calls %}{{ call.function.name }}{% endfor %}{% endfor %}",
    ],
    [
      // As vLLM: the content's own aliases are not followed.
      "content set to a variable first",
      "{% for m in messages %}{% set c = m.content %}{% for p in c %}{{ p }}{% endfor %}{% endfor %}",
    ],
    [
      "a namespace attribute set from messages",
      "{% set ns = namespace(m=none) %}{% set ns.m = messages %}{% for m in ns.m %}{% for p in m.content %}{% endfor %}{% endfor %}",
    ],
  ])("%s: string", (_, source) => {
    expect(formatOf(source)).toBe("string");
  });
});

describe("testsContentForNone: templates that need a missing content as null (templates32 #1)", () => {
  const testsNone = (source: string) => testsContentForNone(new Template(source).parsed);

  it.each([
    // DeepSeek-R1-Distill's, telling a tool-call turn from a text one.
    ["message['content'] is none", "{% for m in messages %}{% if m['content'] is none %}call{% endif %}{% endfor %}"],
    ["is not none", "{% for m in messages %}{% if m.content is not none %}{{ m.content }}{% endif %}{% endfor %}"],
    [
      "a variable named content",
      "{% for m in messages %}{% set content = m.content %}{% if content is none %}{% endif %}{% endfor %}",
    ],
  ])("%s: null", (_, source) => {
    expect(testsNone(source)).toBe(true);
  });

  it.each([
    // QwQ-32B's, which splits it.
    ["a string method", "{% for m in messages %}{{ m.content.split('</think>')[-1] }}{% endfor %}"],
    ["is string", "{% for m in messages %}{% if m.content is string %}{{ m.content }}{% endif %}{% endfor %}"],
    [
      "another field tested for none",
      "{% for m in messages %}{% if m.tool_calls is none %}{{ m.content }}{% endif %}{% endfor %}",
    ],
  ])("%s: empty text", (_, source) => {
    expect(testsNone(source)).toBe(false);
  });
});
