// Golden prompts of the Llama 3 family's chat templates. Each expected string is what
// transformers' apply_chat_template(add_generation_prompt=True) renders with the official template
// (Python's Jinja2) for the same conversation, tool-call arguments parsed to objects as vLLM passes
// them: Meta-Llama-3-8B-Instruct (llama3), Llama-3.1-8B-Instruct and Llama-3.3-70B-Instruct (the same
// template: llama3_1), Llama-3.2-3B-Instruct (llama3_2).
import { afterEach, describe, expect, it, vi } from "vitest";
import { errorOf } from "../../../test/helpers/errors.ts";
import { user, weather, weatherCall } from "../../../test/helpers/prompts.ts";
import type { ChatMessage, FunctionTool } from "../../openai/types.ts";
import type { PromptInput } from "../types.ts";
import { renderLlama31Prompt, renderLlama32Prompt, renderLlama3Prompt } from "./llama3.ts";

const render = (messages: ChatMessage[], tools?: FunctionTool[]) => renderLlama3Prompt({ messages, tools, kwargs: {} });

describe("llama3: system message", () => {
  it("renders a lone user message after <|begin_of_text|>", () => {
    expect(render([user("Hello")])).toBe(
      "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n" +
        "\n" +
        "Hello<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n" +
        "\n",
    );
  });

  it("renders a developer message under the system header", () => {
    expect(render([{ role: "developer", content: "Rules." }, user("Hi")])).toBe(
      "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n" +
        "\n" +
        "Rules.<|eot_id|><|start_header_id|>user<|end_header_id|>\n" +
        "\n" +
        "Hi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n" +
        "\n",
    );
  });
});

describe("llama3: multi-turn", () => {
  it("trims every message", () => {
    const prompt = render([
      { role: "system", content: "  Be brief.\n" },
      user("2+2?"),
      { role: "assistant", content: " 4 " },
      user("\n\nTimes 3?\n"),
    ]);
    expect(prompt).toBe(
      "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n" +
        "\n" +
        "Be brief.<|eot_id|><|start_header_id|>user<|end_header_id|>\n" +
        "\n" +
        "2+2?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n" +
        "\n" +
        "4<|eot_id|><|start_header_id|>user<|end_header_id|>\n" +
        "\n" +
        "Times 3?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n" +
        "\n",
    );
  });

  it("has no <|begin_of_text|> without messages, as the template only prefixes the first one", () => {
    expect(render([])).toBe("<|start_header_id|>assistant<|end_header_id|>\n\n");
  });
});

describe("llama3: unicode", () => {
  it("trims what Python's str.strip() trims: U+0085 and U+3000 go, U+FEFF stays", () => {
    expect(render([user("\u0085\u3000Ça va ? 日本語 👋🏽\u2028\ufeff")])).toBe(
      "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n" +
        "\n" +
        "Ça va ? 日本語 👋🏽\u2028\ufeff<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n" +
        "\n",
    );
  });
});

describe("llama3: errors", () => {
  it("refuses tools, naming the templates that have a tool format", () => {
    const tools: FunctionTool[] = [{ type: "function", function: { name: "f" } }];
    expect(errorOf(() => render([user("Hi")], tools))).toMatchObject({
      status: 400,
      param: "tools",
      message: expect.stringMatching(
        /^tools cannot be rendered: the llama3 chat template \(Llama 3\.0\) has no tool format\. .*"llama3_1" or "llama3_2"/,
      ),
    });
  });

  it("accepts an empty tools list", () => {
    expect(render([user("Hi")], [])).toContain("Hi<|eot_id|>");
  });

  it("refuses tool calls and tool results in the history", () => {
    const call = { id: "1", type: "function" as const, function: { name: "f", arguments: "{}" } };
    expect(errorOf(() => render([user("Hi"), { role: "assistant", content: null, tool_calls: [call] }]))).toMatchObject(
      {
        status: 400,
        param: "messages[1].tool_calls",
      },
    );
    expect(errorOf(() => render([user("Hi"), { role: "tool", tool_call_id: "1", content: "x" }]))).toMatchObject({
      status: 400,
      param: "messages[1].role",
    });
  });

  it("refuses image parts", () => {
    const messages: ChatMessage[] = [{ role: "user", content: [{ type: "image_url", image_url: { url: "data:," } }] }];
    expect(errorOf(() => render(messages))).toMatchObject({
      status: 400,
      param: "messages[0].content",
      message:
        "messages[0].content has an image, but the llama3 chat template is text-only: " +
        "send text parts only, or use a vision model.",
    });
  });
});

const render31 = (messages: ChatMessage[], tools?: FunctionTool[], kwargs: PromptInput["kwargs"] = {}) =>
  renderLlama31Prompt({ messages, tools, kwargs });
const render32 = (messages: ChatMessage[], tools?: FunctionTool[], kwargs: PromptInput["kwargs"] = {}) =>
  renderLlama32Prompt({ messages, tools, kwargs });

/** The weather tool as `tojson(indent=4)` writes it. */
const WEATHER_JSON =
  "{\n" +
  '    "type": "function",\n' +
  '    "function": {\n' +
  '        "name": "get_weather",\n' +
  '        "description": "Current weather — «city» in °C",\n' +
  '        "parameters": {\n' +
  '            "type": "object",\n' +
  '            "properties": {\n' +
  '                "city": {\n' +
  '                    "type": "string"\n' +
  "                },\n" +
  '                "days": {\n' +
  '                    "type": "integer",\n' +
  '                    "minimum": 1\n' +
  "                }\n" +
  "            },\n" +
  '            "required": [\n' +
  '                "city"\n' +
  "            ]\n" +
  "        }\n" +
  "    }\n" +
  "}";

const bare: FunctionTool = { type: "function", function: { name: "get_weather" } };
const BARE_JSON = '{\n    "type": "function",\n    "function": {\n        "name": "get_weather"\n    }\n}';

const TOOLS_IN_USER =
  "Given the following functions, please respond with a JSON for a function call with its proper arguments that best answers the given prompt.\n" +
  "\n" +
  'Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}.Do not use variables.\n' +
  "\n";

/** The system turn and the start of the first user turn when the one tool is `bare` and no system message is given. */
const BARE_TOOL_OPENING =
  "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n" +
  "\n" +
  "Environment: ipython\n" +
  "Cutting Knowledge Date: December 2023\n" +
  "Today Date: 26 Jul 2024\n" +
  "\n" +
  "<|eot_id|><|start_header_id|>user<|end_header_id|>\n" +
  "\n" +
  TOOLS_IN_USER +
  BARE_JSON +
  "\n" +
  "\n";

describe("llama3_1: system turn", () => {
  it("always opens with the knowledge and today's dates, July 2024 unless date_string says otherwise", () => {
    expect(render31([user("Hello")])).toBe(
      "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n" +
        "\n" +
        "Cutting Knowledge Date: December 2023\n" +
        "Today Date: 26 Jul 2024\n" +
        "\n" +
        "<|eot_id|><|start_header_id|>user<|end_header_id|>\n" +
        "\n" +
        "Hello<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n" +
        "\n",
    );
    expect(render31([user("Hello")], undefined, { date_string: "05 Mar 2025" })).toContain("Today Date: 05 Mar 2025\n");
  });

  it("moves a first system or developer message into it, trimmed, and trims every message", () => {
    expect(
      render31([
        { role: "developer", content: "  Be brief.\n" },
        user("2+2?"),
        { role: "assistant", content: " 4 " },
        user("\n\nTimes 3?\n"),
      ]),
    ).toBe(
      "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n" +
        "\n" +
        "Cutting Knowledge Date: December 2023\n" +
        "Today Date: 26 Jul 2024\n" +
        "\n" +
        "Be brief.<|eot_id|><|start_header_id|>user<|end_header_id|>\n" +
        "\n" +
        "2+2?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n" +
        "\n" +
        "4<|eot_id|><|start_header_id|>user<|end_header_id|>\n" +
        "\n" +
        "Times 3?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n" +
        "\n",
    );
  });

  it("renders a later system message as a turn of its own", () => {
    expect(render31([user("Hi"), { role: "system", content: "New rules." }])).toBe(
      "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n" +
        "\n" +
        "Cutting Knowledge Date: December 2023\n" +
        "Today Date: 26 Jul 2024\n" +
        "\n" +
        "<|eot_id|><|start_header_id|>user<|end_header_id|>\n" +
        "\n" +
        "Hi<|eot_id|><|start_header_id|>system<|end_header_id|>\n" +
        "\n" +
        "New rules.<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n" +
        "\n",
    );
  });
});

describe("llama3_1: tools", () => {
  it('puts "Environment: ipython" in the system turn and the tools in the first user message', () => {
    const prompt = render31([{ role: "system", content: "You are terse." }, user(" Weather in Paris? ")], [weather], {
      date_string: "05 Mar 2025",
    });
    expect(prompt).toBe(
      "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n" +
        "\n" +
        "Environment: ipython\n" +
        "Cutting Knowledge Date: December 2023\n" +
        "Today Date: 05 Mar 2025\n" +
        "\n" +
        "You are terse.<|eot_id|><|start_header_id|>user<|end_header_id|>\n" +
        "\n" +
        TOOLS_IN_USER +
        WEATHER_JSON +
        "\n" +
        "\n" +
        "Weather in Paris?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n" +
        "\n",
    );
  });

  it("puts the tools in the system turn when tools_in_user_message is false", () => {
    const noargs: FunctionTool = { type: "function", function: { name: "noargs" } };
    expect(render31([user("Weather in Paris?")], [weather, noargs], { tools_in_user_message: false })).toBe(
      "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n" +
        "\n" +
        "Environment: ipython\n" +
        "Cutting Knowledge Date: December 2023\n" +
        "Today Date: 26 Jul 2024\n" +
        "\n" +
        "You have access to the following functions. To call a function, please respond with JSON for a function call." +
        'Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}.Do not use variables.\n' +
        "\n" +
        WEATHER_JSON +
        "\n" +
        "\n" +
        '{\n    "type": "function",\n    "function": {\n        "name": "noargs"\n    }\n}' +
        "\n" +
        "\n" +
        "<|eot_id|><|start_header_id|>user<|end_header_id|>\n" +
        "\n" +
        "Weather in Paris?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n" +
        "\n",
    );
  });

  it("renders a call as {name, parameters} and its result as an ipython turn holding a JSON string", () => {
    const prompt = render31(
      [
        user("Paris?"),
        {
          role: "assistant",
          content: null,
          tool_calls: [weatherCall("1", '{"city":"Paris","scale":2.0,"opts":{"l":[1,null]}}')],
        },
        { role: "tool", tool_call_id: "1", content: '{"temp": "18°C"}' },
        { role: "assistant", content: "It is 18°C." },
        user("Thanks"),
      ],
      [bare],
    );
    expect(prompt).toBe(
      BARE_TOOL_OPENING +
        "Paris?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n" +
        "\n" +
        '{"name": "get_weather", "parameters": {"city": "Paris", "scale": 2.0, "opts": {"l": [1, null]}}}<|eot_id|><|start_header_id|>ipython<|end_header_id|>\n' +
        "\n" +
        '"{\\"temp\\": \\"18°C\\"}"<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n' +
        "\n" +
        "It is 18°C.<|eot_id|><|start_header_id|>user<|end_header_id|>\n" +
        "\n" +
        "Thanks<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n" +
        "\n",
    );
  });

  it("takes whatever message follows the system one as the user's (None for a call), as the template does", () => {
    const prompt = render31(
      [
        { role: "assistant", content: null, tool_calls: [weatherCall("1", "not json")] },
        {
          role: "tool",
          tool_call_id: "1",
          content: [
            { type: "text", text: "18" },
            { type: "text", text: "°C" },
          ],
        },
      ],
      [bare],
    );
    expect(prompt).toBe(
      BARE_TOOL_OPENING +
        "None<|eot_id|><|start_header_id|>ipython<|end_header_id|>\n" +
        "\n" +
        '"18\\n°C"<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n' +
        "\n",
    );
  });

  it("renders history calls without tools on offer, dropping their text and quoting non-object arguments", () => {
    const prompt = render31([
      user("Hi"),
      {
        role: "assistant",
        content: "ignored",
        tool_calls: [{ id: "1", type: "function", function: { name: "f", arguments: "[1, 2]" } }],
      },
      { role: "tool", tool_call_id: "1", content: "ok" },
    ]);
    expect(prompt).toBe(
      "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n" +
        "\n" +
        "Cutting Knowledge Date: December 2023\n" +
        "Today Date: 26 Jul 2024\n" +
        "\n" +
        "<|eot_id|><|start_header_id|>user<|end_header_id|>\n" +
        "\n" +
        "Hi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n" +
        "\n" +
        '{"name": "f", "parameters": "[1, 2]"}<|eot_id|><|start_header_id|>ipython<|end_header_id|>\n' +
        "\n" +
        '"ok"<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n' +
        "\n",
    );
  });

  it("writes parameters with NaN or Infinity as the object Python's json.loads reads", () => {
    // Python's json.dumps writes such floats so, and json.loads reads them back (templates49 #1).
    const messages: ChatMessage[] = [
      user("Ratio?"),
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "1", type: "function", function: { name: "divide", arguments: '{"x": NaN, "y": Infinity}' } },
        ],
      },
    ];
    expect(render31(messages)).toContain('{"name": "divide", "parameters": {"x": NaN, "y": Infinity}}<|eot_id|>');
  });
});

describe("llama3_1: where the template would refuse", () => {
  // The official template raises "This model only supports single tool-calls at once!" here; the
  // calls are joined with "; ", as Llama 3.2/3.3 write parallel calls and the answer parser reads them.
  it("joins several calls of one assistant message with '; '", () => {
    const prompt = render31([
      user("Paris and Oslo?"),
      {
        role: "assistant",
        content: null,
        tool_calls: [weatherCall("1", '{"city":"Paris"}'), weatherCall("2", '{"city":"Oslo"}')],
      },
    ]);
    expect(prompt).toContain(
      "<|start_header_id|>assistant<|end_header_id|>\n\n" +
        '{"name": "get_weather", "parameters": {"city": "Paris"}}; {"name": "get_weather", "parameters": {"city": "Oslo"}}<|eot_id|>',
    );
  });

  it("takes an empty tool_calls list as no call", () => {
    expect(render31([user("Hi"), { role: "assistant", content: "Hello", tool_calls: [] }])).toContain(
      "<|start_header_id|>assistant<|end_header_id|>\n\nHello<|eot_id|>",
    );
  });

  it("refuses tools when no message follows the system one, saying how to fix it", () => {
    expect(errorOf(() => render31([{ role: "system", content: "Rules." }], [bare]))).toMatchObject({
      status: 400,
      param: "messages",
      message: expect.stringContaining("tools_in_user_message to false"),
    });
    expect(
      render31([{ role: "system", content: "Rules." }], [bare], { tools_in_user_message: false }).endsWith(
        "Rules.<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
      ),
    ).toBe(true);
  });

  it("refuses tools the request does not list (custom_tools, builtin_tools) and a date that is not a string", () => {
    for (const key of ["custom_tools", "builtin_tools"]) {
      expect(errorOf(() => render31([user("Hi")], undefined, { [key]: ["brave_search"] }))).toMatchObject({
        status: 400,
        param: `chat_template_kwargs.${key}`,
      });
    }
    expect(errorOf(() => render31([user("Hi")], undefined, { date_string: 2025 }))).toMatchObject({
      status: 400,
      param: "chat_template_kwargs.date_string",
    });
  });

  it("refuses image parts", () => {
    const messages: ChatMessage[] = [{ role: "user", content: [{ type: "image_url", image_url: { url: "data:," } }] }];
    expect(errorOf(() => render31(messages))).toMatchObject({
      status: 400,
      param: "messages[0].content",
      message: expect.stringMatching(
        /^messages\[0\]\.content has an image, but the llama3_1 chat template is text-only/,
      ),
    });
  });
});

describe("llama3_2", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("dates the prompt today (UTC), as the template's strftime_now does, unless date_string says otherwise", () => {
    vi.useFakeTimers({ now: new Date("2025-03-05T23:59:59Z"), toFake: ["Date"] });
    expect(render32([user("Hi")])).toBe(
      "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n" +
        "\n" +
        "Cutting Knowledge Date: December 2023\n" +
        "Today Date: 05 Mar 2025\n" +
        "\n" +
        "<|eot_id|><|start_header_id|>user<|end_header_id|>\n" +
        "\n" +
        "Hi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n" +
        "\n",
    );
    expect(render32([user("Hi")], undefined, { date_string: "26 Jul 2024" })).toContain("Today Date: 26 Jul 2024\n");
  });

  it("renders tools as 3.1 does", () => {
    const messages: ChatMessage[] = [{ role: "system", content: "You are terse." }, user(" Weather in Paris? ")];
    const kwargs = { date_string: "05 Mar 2025" };
    expect(render32(messages, [weather], kwargs)).toBe(render31(messages, [weather], kwargs));
  });

  it("ignores builtin_tools, which its template does not know, and refuses custom_tools", () => {
    expect(render32([user("Hi")], undefined, { date_string: "26 Jul 2024", builtin_tools: ["brave_search"] })).toBe(
      render31([user("Hi")]),
    );
    expect(errorOf(() => render32([user("Hi")], undefined, { custom_tools: [] }))).toMatchObject({
      param: "chat_template_kwargs.custom_tools",
    });
  });
});
