// Golden prompts of the Qwen2.5-Instruct chat template. Each expected string is what
// transformers' apply_chat_template(add_generation_prompt=True) renders for the same conversation.
import { describe, expect, it } from "vitest";
import { errorOf } from "../../../test/helpers/errors.ts";
import { WEATHER_TOOLS_BLOCK, user, weather, weatherCall } from "../../../test/helpers/prompts.ts";
import type { ChatMessage, FunctionTool } from "../../openai/types.ts";
import { renderQwen2Prompt } from "./qwen.ts";

const render = (messages: ChatMessage[], extra: { tools?: FunctionTool[]; kwargs?: Record<string, unknown> } = {}) =>
  renderQwen2Prompt({ messages, tools: extra.tools, kwargs: extra.kwargs ?? {} });

const call = weatherCall;

const DEFAULT_SYSTEM = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.";
describe("qwen2: system message", () => {
  it("uses Qwen's default system message when the request has none", () => {
    expect(render([user("Hello")])).toBe(
      "<|im_start|>system\n" +
        "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n" +
        "<|im_start|>user\n" +
        "Hello<|im_end|>\n" +
        "<|im_start|>assistant\n",
    );
  });

  it("renders a later system or developer message as a system turn of its own", () => {
    const prompt = render([
      user("Hi"),
      { role: "assistant", content: "Hello" },
      { role: "developer", content: "Answer in French from now on." },
      user("How are you?"),
    ]);
    expect(prompt).toBe(
      "<|im_start|>system\n" +
        `${DEFAULT_SYSTEM}<|im_end|>\n` +
        "<|im_start|>user\n" +
        "Hi<|im_end|>\n" +
        "<|im_start|>assistant\n" +
        "Hello<|im_end|>\n" +
        "<|im_start|>system\n" +
        "Answer in French from now on.<|im_end|>\n" +
        "<|im_start|>user\n" +
        "How are you?<|im_end|>\n" +
        "<|im_start|>assistant\n",
    );
  });

  it("uses the request's system message instead", () => {
    expect(render([{ role: "developer", content: "Be brief." }, user("Hi")])).toBe(
      "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
    );
  });
});

describe("qwen2: multi-turn", () => {
  it("keeps answers as they are (no thinking rules) and ignores enable_thinking", () => {
    const prompt = render(
      [
        { role: "system", content: "Be brief." },
        user("Hi"),
        { role: "assistant", content: "<think>kept</think>Hello!" },
        user("Bye"),
      ],
      { kwargs: { enable_thinking: false } },
    );
    expect(prompt).toBe(
      "<|im_start|>system\n" +
        "Be brief.<|im_end|>\n" +
        "<|im_start|>user\n" +
        "Hi<|im_end|>\n" +
        "<|im_start|>assistant\n" +
        "<think>kept</think>Hello!<|im_end|>\n" +
        "<|im_start|>user\n" +
        "Bye<|im_end|>\n" +
        "<|im_start|>assistant\n",
    );
  });

  it("joins the text parts of every role's content with a newline, as vLLM does", () => {
    const parts = (...texts: string[]) => texts.map((text) => ({ type: "text" as const, text }));
    const prompt = render([
      { role: "system", content: parts("Be brief.", "Use metric.") },
      { role: "user", content: parts("Hello", "World") },
      { role: "assistant", content: parts("Hi", "there") },
      user("Bye"),
    ]);
    expect(prompt).toBe(
      "<|im_start|>system\n" +
        "Be brief.\nUse metric.<|im_end|>\n" +
        "<|im_start|>user\n" +
        "Hello\nWorld<|im_end|>\n" +
        "<|im_start|>assistant\n" +
        "Hi\nthere<|im_end|>\n" +
        "<|im_start|>user\n" +
        "Bye<|im_end|>\n" +
        "<|im_start|>assistant\n",
    );
  });
});

describe("qwen2: unicode", () => {
  it("passes text through unchanged", () => {
    expect(render([user('日本語 👋🏽 — "quotes"')])).toBe(
      `<|im_start|>system\n${DEFAULT_SYSTEM}<|im_end|>\n` +
        '<|im_start|>user\n日本語 👋🏽 — "quotes"<|im_end|>\n' +
        "<|im_start|>assistant\n",
    );
  });
});

describe("qwen2: tools", () => {
  it("puts the tools block after the default system message", () => {
    expect(render([user("Weather in Zürich?")], { tools: [weather] })).toBe(
      "<|im_start|>system\n" +
        "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.\n" +
        "\n" +
        WEATHER_TOOLS_BLOCK +
        "<|im_start|>user\n" +
        "Weather in Zürich?<|im_end|>\n" +
        "<|im_start|>assistant\n",
    );
  });

  it("writes a schema's integer bounds beyond 2^53 as integers, not as floats in exponent form", () => {
    // As the request body's JSON.parse gives them to the template.
    const tools = JSON.parse(
      '[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":' +
        '{"id":{"type":"integer","minimum":-9223372036854775808,"maximum":9223372036854775807}}}}}]',
    ) as FunctionTool[];
    expect(render([user("Hi")], { tools })).toContain(
      '"id": {"type": "integer", "minimum": -9223372036854775808, "maximum": 9223372036854775808}',
    );
  });
});

describe("qwen2: tool calls and results", () => {
  it("always writes arguments through tojson, so non-object arguments become a JSON string", () => {
    const prompt = render(
      [
        { role: "system", content: "Use tools." },
        user("Paris and Oslo?"),
        {
          role: "assistant",
          content: null,
          tool_calls: [call("1", '{"city":"Paris","days":2.0}'), call("2", "not json")],
        },
        { role: "tool", tool_call_id: "1", content: "18°C" },
        { role: "tool", tool_call_id: "2", content: "error" },
        { role: "assistant", content: "Paris is 18°C." },
        user("Thanks"),
      ],
      { tools: [weather] },
    );
    expect(prompt).toBe(
      "<|im_start|>system\n" +
        "Use tools.\n" +
        "\n" +
        WEATHER_TOOLS_BLOCK +
        "<|im_start|>user\n" +
        "Paris and Oslo?<|im_end|>\n" +
        "<|im_start|>assistant\n" +
        "<tool_call>\n" +
        '{"name": "get_weather", "arguments": {"city": "Paris", "days": 2.0}}\n' +
        "</tool_call>\n" +
        "<tool_call>\n" +
        '{"name": "get_weather", "arguments": "not json"}\n' +
        "</tool_call><|im_end|>\n" +
        "<|im_start|>user\n" +
        "<tool_response>\n" +
        "18°C\n" +
        "</tool_response>\n" +
        "<tool_response>\n" +
        "error\n" +
        "</tool_response><|im_end|>\n" +
        "<|im_start|>assistant\n" +
        "Paris is 18°C.<|im_end|>\n" +
        "<|im_start|>user\n" +
        "Thanks<|im_end|>\n" +
        "<|im_start|>assistant\n",
    );
  });

  it("writes an assistant's text before its tool calls", () => {
    const prompt = render(
      [user("Paris?"), { role: "assistant", content: "Checking.", tool_calls: [call("1", '{"city":"Paris"}')] }],
      {
        tools: [weather],
      },
    );
    expect(prompt).toBe(
      "<|im_start|>system\n" +
        `${DEFAULT_SYSTEM}\n` +
        "\n" +
        WEATHER_TOOLS_BLOCK +
        "<|im_start|>user\n" +
        "Paris?<|im_end|>\n" +
        "<|im_start|>assistant\n" +
        "Checking.\n" +
        "<tool_call>\n" +
        '{"name": "get_weather", "arguments": {"city": "Paris"}}\n' +
        "</tool_call><|im_end|>\n" +
        "<|im_start|>assistant\n",
    );
  });

  it("writes arguments Python's json.loads reads (NaN, Infinity) as the object they are, not as a JSON string", () => {
    const messages: ChatMessage[] = [
      user("Ratio?"),
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "1", type: "function", function: { name: "divide", arguments: '{"x": NaN, "y":-Infinity}' } },
        ],
      },
    ];
    expect(render(messages)).toContain(
      '<tool_call>\n{"name": "divide", "arguments": {"x": NaN, "y": -Infinity}}\n</tool_call>',
    );
  });
});

describe("qwen2: errors", () => {
  it("refuses image parts with a 400 naming the message", () => {
    const error = errorOf(() =>
      render([
        {
          role: "user",
          content: [
            { type: "text", text: "What is it?" },
            { type: "image_url", image_url: { url: "data:," } },
          ],
        },
      ]),
    );
    expect(error).toMatchObject({
      status: 400,
      param: "messages[0].content",
      message:
        "messages[0].content has an image, but the qwen2 chat template is text-only: " +
        "send text parts only, or use a vision model.",
    });
  });
});
