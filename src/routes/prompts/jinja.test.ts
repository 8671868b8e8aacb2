// Custom chat templates (a model's own tokenizer_config.json `chat_template`), compiled once with
// @huggingface/jinja. The template below is written for these tests, not taken from a model.
import { Template } from "@huggingface/jinja";
import { describe, expect, it, vi } from "vitest";
import { errorOf } from "../../../test/helpers/errors.ts";
import { BedrockEdgeError } from "../../errors.ts";
import type { ChatMessage, FunctionTool } from "../../openai/types.ts";
import type { PromptInput } from "../types.ts";
import { chatTemplateLiterals, chatTemplateVariables, compileChatTemplate } from "./jinja.ts";

const TEMPLATE = [
  "{{ bos_token }}",
  "{% for message in messages %}",
  "<{{ message.role }}>",
  "{% if message.content is string %}{{ message.content }}",
  "{% elif message.content is none %}(no text)",
  "{% else %}{% for part in message.content %}{% if part.type == 'text' %}{{ part.text }}{% else %}[image]{% endif %}{% endfor %}",
  "{% endif %}",
  "{% if message.tool_calls %}{% for call in message.tool_calls %} call {{ call.function.name }}({{ call.function.arguments.city }}){% endfor %}{% endif %}",
  "{{ eos_token }}\n",
  "{% endfor %}",
  "{% if tools is not none %}tools: {{ tools | map(attribute='function') | map(attribute='name') | join(', ') }}\n{% endif %}",
  "{% if add_generation_prompt %}<assistant>{{ style }}{% endif %}",
].join("");

const TOKENS = { bos_token: "<s>", eos_token: "</s>" };
const user = (content: ChatMessage["content"] & string): ChatMessage => ({ role: "user", content });
const input = (messages: ChatMessage[], extra: Partial<PromptInput> = {}): PromptInput => ({
  messages,
  kwargs: {},
  ...extra,
});

describe("compileChatTemplate: the context a template sees", () => {
  it("passes messages, special tokens and add_generation_prompt", async () => {
    const render = await compileChatTemplate(TEMPLATE, TOKENS);
    expect(render(input([{ role: "system", content: "Rules." }, user("Hi")]))).toBe(
      "<s><system>Rules.</s>\n<user>Hi</s>\n<assistant>",
    );
  });

  it("gives developer messages the system role and keeps content lists as parts", async () => {
    const render = await compileChatTemplate(TEMPLATE, TOKENS);
    const prompt = render(
      input([
        { role: "developer", content: "Rules." },
        {
          role: "user",
          content: [
            { type: "text", text: "Look: " },
            { type: "image_url", image_url: { url: "data:," } },
          ],
        },
      ]),
    );
    expect(prompt).toBe("<s><system>Rules.</s>\n<user>Look: [image]</s>\n<assistant>");
  });

  it("parses tool-call arguments to an object and passes tools", async () => {
    const render = await compileChatTemplate(TEMPLATE, TOKENS);
    const tools: FunctionTool[] = [{ type: "function", function: { name: "get_weather" } }];
    const prompt = render(
      input(
        [
          user("Weather?"),
          {
            role: "assistant",
            tool_calls: [
              { id: "1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
            ],
          },
        ],
        { tools },
      ),
    );
    expect(prompt).toBe(
      "<s><user>Weather?</s>\n<assistant>(no text) call get_weather(Paris)</s>\ntools: get_weather\n<assistant>",
    );
  });

  it("passes the chat_template_kwargs entries it is given", async () => {
    const render = await compileChatTemplate(TEMPLATE, TOKENS);
    expect(render(input([user("Hi")], { kwargs: { style: "(brief)" } }))).toBe("<s><user>Hi</s>\n<assistant>(brief)");
  });

  it("renders without special tokens when none are given", async () => {
    const render = await compileChatTemplate(TEMPLATE);
    expect(render(input([user("Hi")]))).toBe("<user>Hi\n<assistant>");
  });
});

describe("compileChatTemplate: content parts", () => {
  // Reads content as a string, as most text models' templates do (Llama 3.1's `| trim`).
  const TEXT_TEMPLATE = "{% for m in messages %}[{{ m.role }}]{{ m.content | trim }}\n{% endfor %}";
  const parts = (...texts: string[]) => texts.map((text) => ({ type: "text" as const, text }));

  it("joins text parts with a newline, in every role, for a template that reads content as a string", async () => {
    const render = await compileChatTemplate(TEXT_TEMPLATE);
    const prompt = render(
      input([
        { role: "developer", content: parts("Be brief.", "Use metric.") },
        { role: "user", content: parts("Hello", "World") },
        {
          role: "assistant",
          content: parts("Calling.", "Now."),
          tool_calls: [{ id: "1", type: "function", function: { name: "f", arguments: "{}" } }],
        },
        { role: "tool", tool_call_id: "1", content: parts("18", "°C") },
      ]),
    );
    expect(prompt).toBe(
      "[system]Be brief.\nUse metric.\n[user]Hello\nWorld\n[assistant]Calling.\nNow.\n[tool]18\n°C\n",
    );
  });

  it("keeps strings and a missing assistant content as they are", async () => {
    const render = await compileChatTemplate(
      "{% for m in messages %}{{ m.content is none }}:{{ m.content }};{% endfor %}",
    );
    const prompt = render(
      input([
        user("Hi"),
        { role: "assistant", tool_calls: [{ id: "1", type: "function", function: { name: "f", arguments: "{}" } }] },
      ]),
    );
    expect(prompt).toBe("false:Hi;true:;");
  });

  it("gives a text-reading template a missing or null assistant content as empty text, as vLLM does (templates32 #1)", async () => {
    // QwQ-32B's template splits every assistant content, a tool-call turn's too.
    const render = await compileChatTemplate(
      "{% for m in messages %}{{ m.content.split('</think>')[-1] }}|{{ m.content is string }};{% endfor %}",
    );
    const call = { id: "1", type: "function" as const, function: { name: "f", arguments: "{}" } };
    const prompt = render(
      input([
        user("Hi"),
        { role: "assistant", tool_calls: [call] },
        { role: "assistant", content: null, tool_calls: [call] },
      ]),
    );
    expect(prompt).toBe("Hi|true;|true;|true;");
  });

  it("refuses an image with a 400 naming the message, for a template that reads content as a string", async () => {
    const render = await compileChatTemplate(TEXT_TEMPLATE);
    const messages: ChatMessage[] = [
      user("First"),
      {
        role: "user",
        content: [
          { type: "text", text: "Look:" },
          { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
        ],
      },
    ];
    expect(await errorOf(() => render(input(messages)))).toMatchObject({
      status: 400,
      param: "messages[1].content",
      message:
        "messages[1].content has an image, but this model's chat_template (it reads content as text, never looping " +
        "over a message's parts) is text-only: send text parts only, or use a vision model.",
    });
  });

  it("hands the parts themselves to a template that loops over them, a string as one text part", async () => {
    const render = await compileChatTemplate(TEMPLATE);
    const prompt = render(input([user("Hi"), { role: "user", content: parts("Hello", "World") }]));
    // The template writes its parts one after the other, as it chose to.
    expect(prompt).toBe("<user>Hi\n<user>HelloWorld\n<assistant>");
  });

  it("a template that takes only parts gets content as vLLM hands it over: always a list, none as [], an image as {type: 'image'} (the third review)", async () => {
    // Llama 3.2 Vision's official template loops over every message's content and asks for type 'image'.
    const render = await compileChatTemplate(
      "{% for m in messages %}{{ m.role }}:{% for c in m.content %}{% if c.type == 'image' %}<|image|>{% elif c.type == 'text' %}{{ c.text }}{% endif %}{% endfor %}|{% endfor %}",
    );
    const prompt = render(
      input([
        user("What is 2+2?"),
        { role: "assistant", tool_calls: [{ id: "1", type: "function", function: { name: "f", arguments: "{}" } }] },
        { role: "tool", tool_call_id: "1", content: "4" },
        {
          role: "user",
          content: [
            { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
            { type: "text", text: "Describe this." },
          ],
        },
      ]),
    );
    expect(prompt).toBe("user:What is 2+2?|assistant:|tool:4|user:<|image|>Describe this.|");
  });

  it("content as it was sent first, so that a template writing some roles' content as text gets text, never a list's JSON (the fourth review)", async () => {
    // Pixtral's published template: `'[INST]' + system` as text, the user's parts looped over.
    const render = await compileChatTemplate(
      "{% for m in messages %}{% if m.role == 'system' %}[SYS]{{ '' + m.content }}{% else %}{{ m.role }}:" +
        "{% if m.content is string %}{{ m.content }}{% else %}{% for c in m.content %}{{ c.text }}{% endfor %}{% endif %}{% endif %}|{% endfor %}",
    );
    const messages: ChatMessage[] = [
      { role: "system", content: "Answer in French." },
      { role: "user", content: parts("What is", " 2+2?") },
      user("And 3+3?"),
    ];
    expect(render(input(messages))).toBe("[SYS]Answer in French.|user:What is 2+2?|user:And 3+3?|");
    // Lists made of text content, where the template writes them as text: a 400, as Python's Jinja
    // refuses it, never the parts' JSON; the client's own text quoting such JSON goes as it came.
    const joins = await compileChatTemplate(
      "{% for m in messages %}{{ '<' + m.content + '>' }}{% for c in m.content %}{% endfor %}{% endfor %}",
    );
    expect(await errorOf(() => joins(input([user("Hi")])))).toMatchObject({
      status: 400,
      message: expect.stringContaining("joins a message's content parts to text"),
    });
    const quoting = user('Why does {"type": "text", "text": "x"} fail?');
    expect(joins(input([quoting]))).toContain("Why does");
    // Parts the client sent, written as text: a 400 too (Mistral Small's and Pixtral's templates join
    // an assistant's or a system message's content with +, and the Responses API sends parts).
    expect(await errorOf(() => joins(input([{ role: "user", content: parts("Hi") }])))).toMatchObject({ status: 400 });
    // After a role and ': ', it is parts written as text too (the eighth code review).
    const roles = await compileChatTemplate(
      "{% for m in messages %}{{ m.role + ': ' + m.content }}{% for c in m.content %}{% endfor %}{% endfor %}",
    );
    expect(await errorOf(() => roles(input([{ role: "user", content: parts("Be brief.") }])))).toMatchObject({
      status: 400,
    });
    // A tool's description quoting such a part is the request's own text, as it came.
    const described = await compileChatTemplate(
      "{% for t in tools %}{{ t.function.description }}{% endfor %}{% for m in messages %}{% for c in m.content %}{{ c.text }}{% endfor %}{% endfor %}",
    );
    const quotingTool = {
      type: "function" as const,
      function: { name: "f", description: 'Takes {"type": "text", "text": "…"} parts.' },
    };
    expect(described(input([{ role: "user", content: parts("Hi") }], { tools: [quotingTool] }))).toBe(
      'Takes {"type": "text", "text": "…"} parts.Hi',
    );
    // Where JSON puts a value, it is a tojson's: tool-call arguments holding such a part.
    const args = await compileChatTemplate(
      "{% for m in messages %}{% for c in m.tool_calls or [] %}{{ c.function.arguments | tojson }}{% endfor %}{% endfor %}",
    );
    const call = {
      id: "1",
      type: "function" as const,
      function: { name: "f", arguments: '{"part":{"type":"text","text":"x"}}' },
    };
    expect(args(input([user("Hi"), { role: "assistant", content: null, tool_calls: [call] }]))).toBe(
      '{"part": {"type": "text", "text": "x"}}',
    );
    // A refusal of the template's own still reaches the client when content as sent only failed its loop.
    const strict = await compileChatTemplate(
      "{% for m in messages %}{% for c in m.content %}{% endfor %}{% endfor %}{{ raise_exception('Conversation roles must alternate') }}",
    );
    expect(await errorOf(() => strict(input([user("Hi")])))).toMatchObject({
      message: "The model's chat_template refused to render this request: Conversation roles must alternate",
    });
    // A list the template writes with tojson is its JSON in brackets, as Python's Jinja writes it too.
    const dumps = await compileChatTemplate(
      "{% for m in messages %}{% for c in m.content %}{% endfor %}{{ m.content | tojson }}{% endfor %}",
    );
    expect(dumps(input([user("sunny")]))).toBe('[{"type": "text", "text": "sunny"}]');
    // Such text the client wrote itself is no sign of it.
    expect(render(input([user('{"type": "text"} as I wrote it')]))).toBe('user:{"type": "text"} as I wrote it|');
  });
});

describe("compileChatTemplate: errors", () => {
  it("reports a syntax error as a 400 on chat_template", async () => {
    const error = await errorOf(() => compileChatTemplate("{% if %}oops{% endif %}"));
    expect(error).toMatchObject({
      status: 400,
      param: "chat_template",
      message: expect.stringMatching(/^chat_template is not a valid Jinja template: /),
    });
  });

  it("reports raise_exception and other render failures as a 400 on the messages it refused", async () => {
    const render = await compileChatTemplate("{{ raise_exception('Roles must alternate user/assistant') }}");
    expect(await errorOf(() => render(input([user("Hi")])))).toMatchObject({
      status: 400,
      param: "messages",
      message: "The model's chat_template refused to render this request: Roles must alternate user/assistant",
    });
  });

  it("names the message a render fails at when it can be told, without quoting it (templates32 #1)", async () => {
    const render = await compileChatTemplate(
      "{% for m in messages %}{% if m.role == 'tool' %}{{ m.content.nope() }}{% endif %}{{ m.content }}{% endfor %}",
    );
    const messages: ChatMessage[] = [
      user("secret words"),
      { role: "assistant", content: "Sure." },
      user("more"),
      { role: "tool", tool_call_id: "1", content: "result text" },
      user("last"),
    ];
    const error = await errorOf(() => render(input(messages)), BedrockEdgeError);
    expect(error).toMatchObject({ status: 400, param: "messages" });
    expect(error.message).toMatch(/^The model's chat_template refused to render this request: /);
    expect(error.message).toMatch(
      /\(the messages up to messages\[3\] are refused so already, those before it are not\)$/,
    );
    expect(error.message).not.toMatch(/secret|result text|Sure/);
  });

  it("tells the first run of messages that fails as such, never as the cause (codereview33 #3)", async () => {
    // Refused for how the conversation ends: a run ending at the first assistant turn fails the
    // same way, though the whole request is refused for its last message.
    const render = await compileChatTemplate(
      "{% if messages[-1].role == 'assistant' %}{{ raise_exception('ends with an assistant turn') }}{% endif %}" +
        "{% for m in messages %}{{ m.content }}{% endfor %}",
    );
    const messages: ChatMessage[] = [
      user("a"),
      { role: "assistant", content: "b" },
      user("c"),
      { role: "assistant", content: "d" },
    ];
    const error = await errorOf(() => render(input(messages)), BedrockEdgeError);
    expect(error).toMatchObject({ status: 400, param: "messages" });
    expect(error.message).toBe(
      "The model's chat_template refused to render this request: ends with an assistant turn (the messages up to messages[1] are refused so already, those before it are not)",
    );
  });

  it("does not search for the failing message when the renders' whole context is large, tools included (review perreq43 #2)", async () => {
    // Role alternation checked as Mistral's, Gemma's and Llama 2's templates do, and the tools written.
    const render = await compileChatTemplate(
      "{% for m in messages %}{% if (m.role == 'user') != (loop.index0 % 2 == 0) %}" +
        "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}" +
        "{{ m.content }}{% endfor %}{% if tools %}{{ tools | tojson }}{% endif %}",
    );
    const alternating: ChatMessage[] = Array.from({ length: 1_001 }, (_, i) =>
      i % 2 === 0 ? user(`q${i}`) : { role: "assistant", content: `a${i}` },
    );
    const messages = [...alternating, user("again")];
    const properties = Object.fromEntries(
      Array.from({ length: 50 }, (_, p) => [`p${p}`, { type: "string", description: "a property, described." }]),
    );
    const tools: FunctionTool[] = Array.from({ length: 32 }, (_, i) => ({
      type: "function",
      function: { name: `t${i}`, parameters: { type: "object", properties } },
    }));
    const renders = vi.spyOn(Template.prototype, "render");
    try {
      // About 130 KB of tools, in each of the 12 renders the search would take: answered with the first render's error.
      const withTools = await errorOf(() => render(input(messages, { tools })), BedrockEdgeError);
      expect(withTools).toMatchObject({ status: 400, param: "messages" });
      expect(withTools.message).toBe(
        "The model's chat_template refused to render this request: Conversation roles must alternate user/assistant/user/assistant/...",
      );
      expect(renders).toHaveBeenCalledTimes(1);
      // The same messages without the tools are small enough to search: the failing message is named.
      renders.mockClear();
      const without = await errorOf(() => render(input(messages)), BedrockEdgeError);
      expect(without.message).toMatch(/\(the messages up to messages\[1001\] are refused so already/);
      expect(renders.mock.calls.length).toBeGreaterThan(1);
    } finally {
      renders.mockRestore();
    }
  });

  it("refuses to write a mapping into text, as Python's Jinja does", async () => {
    const render = await compileChatTemplate(
      "{% for m in messages %}{% for c in m.tool_calls %}{{ 'args: ' + c.function.arguments }}{% endfor %}{% endfor %}",
    );
    const messages: ChatMessage[] = [
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "1", type: "function", function: { name: "f", arguments: '{"a":1}' } }],
      },
    ];
    expect(await errorOf(() => render(input(messages)))).toMatchObject({ status: 400, param: "chat_template" });
  });
});

/** Qwen2-VL's shape: parts looped over, an image written as its placeholder, tool calls never written. */
const VL_LIKE =
  "{% for m in messages %}<{{ m.role }}>{% if m.content is string %}{{ m.content }}" +
  "{% else %}{% for p in m.content %}{% if p.type == 'text' %}{{ p.text }}{% else %}<image>{% endif %}{% endfor %}" +
  "{% endif %}\n{% endfor %}";

/** 25 tool calls with `argumentsOf` each, their results, then 9 one-image user turns. */
function callsThenImages(argumentsOf: (i: number) => string): ChatMessage[] {
  const image = { type: "image_url" as const, image_url: { url: "data:image/png;base64,AAAA" } };
  return [
    {
      role: "assistant",
      content: null,
      tool_calls: Array.from({ length: 25 }, (_, i) => ({
        id: `c${i}`,
        type: "function" as const,
        function: { name: "f", arguments: argumentsOf(i) },
      })),
    },
    ...Array.from({ length: 25 }, (_, i): ChatMessage => ({ role: "tool", tool_call_id: `c${i}`, content: "ok" })),
    ...Array.from(
      { length: 9 },
      (_, i): ChatMessage => ({ role: "user", content: [{ type: "text", text: `look ${i}` }, image] }),
    ),
  ];
}

describe("compileChatTemplate: str.strip, lstrip and rstrip as Python's (templates49 #2)", () => {
  // @huggingface/jinja ignores their argument and strips whitespace; Qwen's official templates
  // strip only '\n'. Each expected text is what Python's Jinja2 3.1.6 renders.
  const rendered = async (source: string) => (await compileChatTemplate(source))(input([user("Hi")]));

  it("takes the argument as a set of characters, not as a prefix or suffix", async () => {
    expect(await rendered("{{ 'xy</answer>'.strip('</answer>') }}|{{ 'answer xy</answer>'.strip('</answer>') }}")).toBe(
      "xy| xy",
    );
    expect(await rendered("{{ 'abcxcba'.strip('abc') }}|{{ '😀a😀b😀'.strip('😀') }}")).toBe("x|a😀b");
    expect(await rendered("{{ '\\n x\\n'['lstrip']('\\n') }}|{{ 'x--'['rstrip']('-') }}")).toBe(" x\n|x");
  });

  it("strips only newlines with '\\n', on the side the method names", async () => {
    const text = "'\\n\\n  x  \\n\\n'";
    expect(await rendered(`{{ ${text}.lstrip('\\n') }}|{{ ${text}.rstrip('\\n') }}|{{ ${text}.strip('\\n') }}`)).toBe(
      "  x  \n\n|\n\n  x  |  x  ",
    );
  });

  it("strips Python's whitespace with no argument or none, and nothing with ''", async () => {
    expect(
      await rendered(
        "{{ ' \\t x \\t '.strip() }}|{{ ' \\t x \\t '.strip(none) }}|{{ ' x '.strip('') }}|{{ ' x '.lstrip() }}|{{ ' x '.rstrip() }}",
      ),
    ).toBe("x|x| x |x | x");
    // Python's str.isspace(): U+0085 is whitespace, U+FEFF is not (JavaScript's trim says the opposite).
    expect(await rendered("{{ '\u0085x\ufeff'.strip() }}")).toBe("x\ufeff");
  });

  it("refuses what Python refuses: no string to strip, an argument that is no string, two arguments", async () => {
    for (const source of ["{{ nothing.strip('a') }}", "{{ 'ab'.strip(1) }}", "{{ 'ab'.strip('a', 'b') }}"]) {
      expect(await errorOf(() => rendered(source))).toMatchObject({ status: 400, param: "messages" });
    }
  });

  it("refuses an undefined argument, which is not none (codereview49c #7)", async () => {
    // The engine hands a function none and an undefined name alike: the rewrite must tell them apart.
    expect(
      await rendered(
        "{% set n = none %}{{ ' a '.strip(n) }}|{{ 'xax'.strip(*['x']) }}|{{ 'xax' | trim(*['x']) }}|{{ 'xax'.rstrip(*[]) }}",
      ),
    ).toBe("a|a|a|xax");
    // Jinja2 hands str.strip its Undefined: "TypeError: strip arg must be None or str".
    for (const source of ["{{ 'a '.strip(nothing) }}", "{{ 'a '.lstrip(nothing) }}", "{{ 'a '.rstrip({}.chars) }}"]) {
      expect(await errorOf(() => rendered(source))).toMatchObject({
        status: 400,
        param: "messages",
        message: expect.stringContaining("arg must be None or str"),
      });
    }
  });

  it("refuses a macro kept under the name strip in a mapping or namespace (a documented difference)", async () => {
    // Python calls the macro ('<a>'); the rewrite takes every strip call for the string method.
    for (const keep of ["{% set d = {'strip': m} %}", "{% set d = namespace(strip=m) %}"]) {
      const source = `{% macro m(s) %}<{{ s }}>{% endmacro %}${keep}{{ d.strip('a') }}`;
      expect(await errorOf(() => rendered(source))).toMatchObject({
        status: 400,
        param: "messages",
        message: expect.stringContaining("a value that is not a string has no attribute 'strip'"),
      });
    }
  });

  it("leaves a strip that is no call on a string alone: a mapping's own member", async () => {
    expect(await rendered("{% set m = {'strip': 'kept'} %}{{ m.strip }}|{{ m['strip'] }}")).toBe("kept|kept");
  });
});

describe("compileChatTemplate: the trim filter as Jinja2's (trimfix49)", () => {
  // Jinja2's `trim(value, chars=None)` is `str.strip(chars)`; @huggingface/jinja's strips
  // JavaScript's whitespace and refuses any argument ("Unknown StringValue filter: trim").
  // Each expected text is what Python's Jinja2 3.1.6 renders.
  const rendered = async (source: string) => (await compileChatTemplate(source))(input([user("Hi")]));

  it("strips the characters given, as an argument or as chars=", async () => {
    const text = "'\\n\\n  x  \\n\\n'";
    expect(
      await rendered(`{{ ${text} | trim('\\n') }}|{{ ${text} | trim(chars='\\n') }}|{{ '\\n \\n' | trim('\\n') }}`),
    ).toBe("  x  |  x  | ");
    expect(
      await rendered(
        "{{ 'xy</answer>' | trim('</answer>') }}|{{ 'abcxcba' | trim('abc') }}|{{ '😀a😀b😀' | trim('😀') }}",
      ),
    ).toBe("xy|x|a😀b");
  });

  it("strips Python's whitespace with no argument or none, and nothing with ''", async () => {
    const text = "' \\t x \\t '";
    expect(
      await rendered(
        `{{ ${text} | trim }}|{{ ${text} | trim() }}|{{ ${text} | trim(none) }}|{{ ${text} | trim(chars=none) }}|{{ ' x ' | trim('') }}`,
      ),
    ).toBe("x|x|x|x| x ");
    // Python's str.isspace(): U+0085 and U+001C–U+001F are whitespace, U+FEFF is not (JavaScript's trim says the opposite).
    expect(await rendered("{{ '\u0085\u001cx\ufeff' | trim }}|{{ '\u001fy\u001e' | trim }}")).toBe("x\ufeff|y");
  });

  it("trims wherever a filter is written: chained, inside a call, in a macro", async () => {
    expect(
      await rendered(
        "{{ ('\\n x \\n' | trim('\\n')).strip() }}|{{ '\\n x \\n'.strip(' ') | trim('\\n') | length }}|" +
          "{% macro m(t) %}{{ t | trim('\\n') }}{% endmacro %}{{ m('\\n y \\n') }}",
      ),
    ).toBe("x|3| y ");
  });

  it("refuses what Python refuses: two arguments, another keyword, chars twice, an argument that is no string (a mapping too)", async () => {
    for (const source of [
      "{{ 'ab' | trim('a', 'b') }}",
      "{{ 'ab' | trim(x='a') }}",
      "{{ 'ab' | trim('a', chars='b') }}",
      "{{ 'ab' | trim(1) }}",
      "{{ 'ab' | trim({'chars': 'a'}) }}",
      // Undefined is not none: Jinja2's str.strip refuses it (codereview49c #7).
      "{{ 'ab' | trim(nothing) }}",
      "{{ 'ab' | trim(chars=nothing) }}",
    ]) {
      expect(await errorOf(() => rendered(source))).toMatchObject({
        status: 400,
        param: "messages",
        message: expect.stringContaining("the trim filter takes one argument, chars: a string or none"),
      });
    }
  });

  it("refuses a value that is not a string, as the engine did (Python writes it as text first: 5, None)", async () => {
    for (const source of ["{{ 5 | trim }}", "{{ none | trim('\\n') }}", "{{ nothing | trim }}", "{{ [1] | trim }}"]) {
      expect(await errorOf(() => rendered(source))).toMatchObject({ status: 400, param: "messages" });
    }
  });
});

describe("compileChatTemplate: compiled once, rendered many times", () => {
  const COUNTER =
    "{% set ns = namespace(n=0) %}{% for m in messages %}{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.n }}:{{ greeting }}";

  it("keeps no state between renders", async () => {
    const render = await compileChatTemplate(COUNTER);
    expect(render(input([user("a"), user("b")], { kwargs: { greeting: "hello" } }))).toBe("2:hello");
    expect(render(input([user("c")]))).toBe("1:");
    expect(render(input([user("a"), user("b")], { kwargs: { greeting: "hello" } }))).toBe("2:hello");
  });

  it("renders the same as a freshly compiled template", async () => {
    const cached = await compileChatTemplate(TEMPLATE, TOKENS);
    cached(input([user("warm-up")], { kwargs: { style: "x" } }));
    const fresh = await compileChatTemplate(TEMPLATE, TOKENS);
    const conversation = input([{ role: "system", content: "S" }, user("Hi")]);
    expect(cached(conversation)).toBe(fresh(conversation));
  });

  it("parses each tool call's arguments once however often the request is rendered: nine images checked (review perreq43 #3)", async () => {
    // The prompt stays short and the arguments small, so every image check runs. 11 renders: the
    // null assistant content fails the first, then as lists, without all images, without each of 8.
    const render = await compileChatTemplate(VL_LIKE);
    const argumentsOf = (i: number) => JSON.stringify({ city: `c${i}`, days: [0, 1] });
    const messages = callsThenImages(argumentsOf);
    const texts = new Set(Array.from({ length: 25 }, (_, i) => argumentsOf(i)));
    const renders = vi.spyOn(Template.prototype, "render");
    const parse = vi.spyOn(JSON, "parse");
    try {
      expect(render(input(messages))).toContain("<user>look 8<image>");
      expect(renders.mock.calls.length).toBe(11);
      const parsed = parse.mock.calls.map(([text]) => text).filter((text) => texts.has(text));
      expect(parsed).toHaveLength(25);
      expect(new Set(parsed).size).toBe(25);
    } finally {
      parse.mockRestore();
      renders.mockRestore();
    }
  });

  it("checks fewer messages' images when the tool-call arguments each render converts are large (review perreq43 #3)", async () => {
    const render = await compileChatTemplate(VL_LIKE);
    // 25 calls of about 12,000 characters each: 300,000 converted on every render, unwritten.
    const dense = (i: number) =>
      JSON.stringify({ city: `c${i}`, days: Array.from({ length: 1_500 }, () => [0, 0, 0]) });
    const renders = vi.spyOn(Template.prototype, "render");
    try {
      expect(render(input(callsThenImages(dense)))).toContain("<user>look 8<image>");
      // The first, as lists, without all images, then 3 messages' (1,000,000 / 300,000 and the prompt), not 8.
      expect(renders.mock.calls.length).toBe(6);
    } finally {
      renders.mockRestore();
    }
  });

  it("does not let kwargs replace messages, add_generation_prompt or the special tokens", async () => {
    const render = await compileChatTemplate(
      "{{ messages | length }} {{ add_generation_prompt }} {{ bos_token }}{{ eos_token }}",
      TOKENS,
    );
    const kwargs = { messages: [], add_generation_prompt: false, bos_token: "<|im_start|>", eos_token: "" };
    expect(render(input([user("Hi")], { kwargs }))).toBe("1 true <s></s>");
  });
});

describe("chatTemplateLiterals", () => {
  it("gives a template's string literals and raw text, not its comments, names or expressions", async () => {
    const source =
      "{{ bos_token }}{# <|secret|> #}{% for m in messages %}{{ '<|im_start|>' + m.role + '\\n' }}{% endfor %}" +
      '[INST] raw{{ "<｜User｜>" }}';
    expect(await chatTemplateLiterals(source)).toEqual(["<|im_start|>", "\n", "[INST] raw", "<｜User｜>"]);
  });

  it("gives nothing for a template that does not parse (compiling it reports the error)", async () => {
    expect(await chatTemplateLiterals("{{ 'unterminated }}")).toEqual([]);
  });
});

describe("chatTemplateVariables", () => {
  it("gives the names a template reads as variables, not an attribute's", async () => {
    const source =
      "{%- if enable_thinking is defined and enable_thinking is false %}x{% endif %}" +
      "{{ message.reasoning_mode }}{{ m['thinking'] }}{# enable_reasoning #}{{ 'no_think' }}";
    const names = await chatTemplateVariables(source);
    expect(names).toContain("enable_thinking");
    expect(names).toContain("message");
    for (const absent of ["reasoning_mode", "thinking", "enable_reasoning", "no_think"]) {
      expect(names).not.toContain(absent);
    }
  });

  it("gives nothing for a template that does not parse (compiling it reports the error)", async () => {
    expect(await chatTemplateVariables("{{ 'unterminated }}")).toEqual([]);
  });
});
