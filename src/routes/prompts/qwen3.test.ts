// Golden prompts of the Qwen3 chat template. Each expected string is what transformers'
// apply_chat_template(add_generation_prompt=True) renders for the same conversation (tool-call
// arguments given to it as parsed objects, as Hugging Face expects).
import { describe, expect, it } from "vitest";
import { WEATHER_TOOLS_BLOCK, user, weather, weatherCall } from "../../../test/helpers/prompts.ts";
import type { ChatMessage, FunctionTool } from "../../openai/types.ts";
import { renderQwen3Prompt } from "./qwen.ts";

const render = (messages: ChatMessage[], extra: { tools?: FunctionTool[]; kwargs?: Record<string, unknown> } = {}) =>
  renderQwen3Prompt({ messages, tools: extra.tools, kwargs: extra.kwargs ?? {} });

const call = weatherCall;

/** A call of get_weather for Paris and its result: the middle of the tool loops below. */
const toolTurns =
  "<tool_call>\n" +
  '{"name": "get_weather", "arguments": {"city": "Paris"}}\n' +
  "</tool_call><|im_end|>\n" +
  "<|im_start|>user\n" +
  "<tool_response>\n" +
  "18°C\n" +
  "</tool_response><|im_end|>\n";

describe("qwen3: system message", () => {
  it("has no system turn when the request has none", () => {
    expect(render([user("Hello")])).toBe("<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n");
  });

  it("renders a developer message as the system turn", () => {
    expect(render([{ role: "developer", content: "Be brief." }, user("Hi")])).toBe(
      "<|im_start|>system\n" +
        "Be brief.<|im_end|>\n" +
        "<|im_start|>user\n" +
        "Hi<|im_end|>\n" +
        "<|im_start|>assistant\n",
    );
  });

  it("renders a later system message as a turn of its own", () => {
    const prompt = render([
      { role: "system", content: "First." },
      user("a"),
      { role: "system", content: "Second." },
      user("b"),
    ]);
    expect(prompt).toBe(
      "<|im_start|>system\n" +
        "First.<|im_end|>\n" +
        "<|im_start|>user\n" +
        "a<|im_end|>\n" +
        "<|im_start|>system\n" +
        "Second.<|im_end|>\n" +
        "<|im_start|>user\n" +
        "b<|im_end|>\n" +
        "<|im_start|>assistant\n",
    );
  });
});

describe("qwen3: multi-turn", () => {
  it("drops the reasoning of earlier answers, from <think> or reasoning_content", () => {
    const prompt = render([
      user("2+2?"),
      { role: "assistant", content: "<think>\nAdd them.\n</think>\n\n4" },
      user("Times 3?"),
      { role: "assistant", content: "12", reasoning_content: "4 times 3." },
      user("Thanks"),
    ]);
    expect(prompt).toBe(
      "<|im_start|>user\n" +
        "2+2?<|im_end|>\n" +
        "<|im_start|>assistant\n" +
        "4<|im_end|>\n" +
        "<|im_start|>user\n" +
        "Times 3?<|im_end|>\n" +
        "<|im_start|>assistant\n" +
        "12<|im_end|>\n" +
        "<|im_start|>user\n" +
        "Thanks<|im_end|>\n" +
        "<|im_start|>assistant\n",
    );
  });

  it("gives a final assistant message an empty think block", () => {
    expect(render([user("Hi"), { role: "assistant", content: "Hello" }])).toBe(
      "<|im_start|>user\n" +
        "Hi<|im_end|>\n" +
        "<|im_start|>assistant\n" +
        "<think>\n" +
        "\n" +
        "</think>\n" +
        "\n" +
        "Hello<|im_end|>\n" +
        "<|im_start|>assistant\n",
    );
  });
});

describe("qwen3: unicode", () => {
  it("passes text through unchanged", () => {
    expect(render([{ role: "system", content: "Réponds en français 🇫🇷" }, user("Ça va ? 日本語 👋🏽")])).toBe(
      "<|im_start|>system\n" +
        "Réponds en français 🇫🇷<|im_end|>\n" +
        "<|im_start|>user\n" +
        "Ça va ? 日本語 👋🏽<|im_end|>\n" +
        "<|im_start|>assistant\n",
    );
  });
});

describe("qwen3: tools", () => {
  it("puts each tool in the system turn as Python's json.dumps writes it (non-ASCII kept)", () => {
    const prompt = render([{ role: "system", content: "Use tools." }, user("Weather in Zürich?")], {
      tools: [weather],
    });
    expect(prompt).toBe(
      "<|im_start|>system\n" +
        "Use tools.\n" +
        "\n" +
        WEATHER_TOOLS_BLOCK +
        "<|im_start|>user\n" +
        "Weather in Zürich?<|im_end|>\n" +
        "<|im_start|>assistant\n",
    );
  });

  it("has no tools block for an empty tools list", () => {
    expect(render([user("Hi")], { tools: [] })).toBe("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
  });
});

describe("qwen3: tool calls and results", () => {
  it("keeps reasoning after the last query and groups tool results in one user turn", () => {
    const prompt = render(
      [
        user("Paris and Oslo?"),
        {
          role: "assistant",
          content: "<think>\nTwo cities.\n</think>\n\n",
          tool_calls: [call("1", '{"city":"Paris","days":2.0}'), call("2", '{"city": "Oslo"}')],
        },
        { role: "tool", tool_call_id: "1", content: "18°C" },
        { role: "tool", tool_call_id: "2", content: "9°C" },
      ],
      { tools: [weather] },
    );
    expect(prompt).toBe(
      "<|im_start|>system\n" +
        WEATHER_TOOLS_BLOCK +
        "<|im_start|>user\n" +
        "Paris and Oslo?<|im_end|>\n" +
        "<|im_start|>assistant\n" +
        "<think>\n" +
        "Two cities.\n" +
        "</think>\n" +
        "\n" +
        "<tool_call>\n" +
        '{"name": "get_weather", "arguments": {"city": "Paris", "days": 2.0}}\n' +
        "</tool_call>\n" +
        "<tool_call>\n" +
        '{"name": "get_weather", "arguments": {"city": "Oslo"}}\n' +
        "</tool_call><|im_end|>\n" +
        "<|im_start|>user\n" +
        "<tool_response>\n" +
        "18°C\n" +
        "</tool_response>\n" +
        "<tool_response>\n" +
        "9°C\n" +
        "</tool_response><|im_end|>\n" +
        "<|im_start|>assistant\n",
    );
  });

  it("drops the reasoning of a finished tool loop once a new query comes", () => {
    const prompt = render(
      [
        user("Paris?"),
        {
          role: "assistant",
          content: "Let me look.",
          reasoning_content: "Need the tool.",
          tool_calls: [call("1", '{"city":"Paris"}')],
        },
        { role: "tool", tool_call_id: "1", content: "18°C" },
        { role: "assistant", content: "<think>Got it.</think>\n\nIt is 18°C." },
        user("And Oslo?"),
      ],
      { tools: [weather] },
    );
    expect(prompt).toBe(
      "<|im_start|>system\n" +
        WEATHER_TOOLS_BLOCK +
        "<|im_start|>user\n" +
        "Paris?<|im_end|>\n" +
        "<|im_start|>assistant\n" +
        "Let me look.\n" +
        "<tool_call>\n" +
        '{"name": "get_weather", "arguments": {"city": "Paris"}}\n' +
        "</tool_call><|im_end|>\n" +
        "<|im_start|>user\n" +
        "<tool_response>\n" +
        "18°C\n" +
        "</tool_response><|im_end|>\n" +
        "<|im_start|>assistant\n" +
        "It is 18°C.<|im_end|>\n" +
        "<|im_start|>user\n" +
        "And Oslo?<|im_end|>\n" +
        "<|im_start|>assistant\n",
    );
  });

  it("writes arguments that are not a JSON object as they are", () => {
    const prompt = render([
      user("Go"),
      { role: "assistant", content: null, tool_calls: [call("1", "{city: Paris"), call("2", '["Paris"]')] },
    ]);
    expect(prompt).toBe(
      "<|im_start|>user\n" +
        "Go<|im_end|>\n" +
        "<|im_start|>assistant\n" +
        "<think>\n" +
        "\n" +
        "</think>\n" +
        "\n" +
        "<tool_call>\n" +
        '{"name": "get_weather", "arguments": {city: Paris}\n' +
        "</tool_call>\n" +
        "<tool_call>\n" +
        '{"name": "get_weather", "arguments": ["Paris"]}\n' +
        "</tool_call><|im_end|>\n" +
        "<|im_start|>assistant\n",
    );
  });

  it("takes a turn's reasoning from reasoning_content when it has one, leaving its content whole", () => {
    const prompt = render([
      user("Paris?"),
      {
        role: "assistant",
        content: null,
        reasoning_content: "I need the weather.",
        tool_calls: [call("1", '{"city":"Paris"}')],
      },
      { role: "tool", tool_call_id: "1", content: "18°C" },
      { role: "assistant", content: "<think>\nOld.\n</think>\n\nParis is 18°C.", reasoning_content: "It is mild." },
    ]);
    expect(prompt).toBe(
      "<|im_start|>user\n" +
        "Paris?<|im_end|>\n" +
        "<|im_start|>assistant\n" +
        "<think>\nI need the weather.\n</think>\n\n" +
        toolTurns +
        "<|im_start|>assistant\n" +
        "<think>\nIt is mild.\n</think>\n\n" +
        "<think>\nOld.\n</think>\n\n" +
        "Paris is 18°C.<|im_end|>\n" +
        "<|im_start|>assistant\n",
    );
  });

  it("writes no empty think block on a turn after the last query that has no reasoning, unless it is the last message", () => {
    const prompt = render([
      user("Paris?"),
      { role: "assistant", content: "Let me look.", tool_calls: [call("1", '{"city":"Paris"}')] },
      { role: "tool", tool_call_id: "1", content: "18°C" },
      { role: "assistant", content: "Paris is 18°C." },
    ]);
    expect(prompt).toBe(
      "<|im_start|>user\n" +
        "Paris?<|im_end|>\n" +
        "<|im_start|>assistant\n" +
        "Let me look.\n" +
        toolTurns +
        "<|im_start|>assistant\n" +
        "<think>\n\n</think>\n\n" +
        "Paris is 18°C.<|im_end|>\n" +
        "<|im_start|>assistant\n",
    );
  });

  it("takes a user turn that is all <tool_response> for tool output, not a query: the reasoning before it stays", () => {
    const prompt = render([
      user("Paris?"),
      {
        role: "assistant",
        content: "<think>\nCall the tool.\n</think>\n\n",
        tool_calls: [call("1", '{"city":"Paris"}')],
      },
      user("<tool_response>\n18°C\n</tool_response>"),
      { role: "assistant", content: "<think>\nMild.\n</think>\n\nParis is 18°C." },
    ]);
    expect(prompt).toBe(
      "<|im_start|>user\n" +
        "Paris?<|im_end|>\n" +
        "<|im_start|>assistant\n" +
        "<think>\nCall the tool.\n</think>\n\n" +
        toolTurns +
        "<|im_start|>assistant\n" +
        "<think>\nMild.\n</think>\n\n" +
        "Paris is 18°C.<|im_end|>\n" +
        "<|im_start|>assistant\n",
    );
  });

  it("takes a user turn that only opens with <tool_response> for a query", () => {
    const prompt = render([
      user("Paris?"),
      { role: "assistant", content: "<think>\nMild.\n</think>\n\nParis is 18°C." },
      user("<tool_response> tags: what are they for?"),
    ]);
    expect(prompt).toBe(
      "<|im_start|>user\n" +
        "Paris?<|im_end|>\n" +
        "<|im_start|>assistant\n" +
        "Paris is 18°C.<|im_end|>\n" +
        "<|im_start|>user\n" +
        "<tool_response> tags: what are they for?<|im_end|>\n" +
        "<|im_start|>assistant\n",
    );
  });

  it("keeps no reasoning in a conversation without a query, as the template falls back to its last message", () => {
    const prompt = render([
      user("<tool_response>\n18°C\n</tool_response>"),
      { role: "assistant", content: "<think>\nMild.\n</think>\n\nIt is 18°C." },
    ]);
    expect(prompt).toBe(
      "<|im_start|>user\n" +
        "<tool_response>\n18°C\n</tool_response><|im_end|>\n" +
        "<|im_start|>assistant\n" +
        "It is 18°C.<|im_end|>\n" +
        "<|im_start|>assistant\n",
    );
  });

  it("writes arguments with NaN or -Infinity as Python's json.dumps writes the object", () => {
    const messages: ChatMessage[] = [
      user("Ratio?"),
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "1", type: "function", function: { name: "divide", arguments: '{"x":NaN,"y":-Infinity}' } }],
      },
    ];
    expect(render(messages)).toContain(
      '<tool_call>\n{"name": "divide", "arguments": {"x": NaN, "y": -Infinity}}\n</tool_call>',
    );
  });

  it("keeps as written arguments json.loads refuses, an invalid escape before those names too (codereview49c #1)", () => {
    for (const arguments_ of ['{"a":"\\NaN"}', '{"a":"\\Infinity","b":1}', '{"a":"\\-Infinity"}']) {
      const messages: ChatMessage[] = [
        user("Ratio?"),
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "1", type: "function", function: { name: "f", arguments: arguments_ } }],
        },
      ];
      expect(render(messages)).toContain(`<tool_call>\n{"name": "f", "arguments": ${arguments_}}\n</tool_call>`);
    }
  });
});

describe("qwen3: enable_thinking", () => {
  it("appends an empty think block when enable_thinking is false", () => {
    expect(render([user("Hi")], { kwargs: { enable_thinking: false } })).toBe(
      "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n",
    );
  });

  it("still drops reasoning from history", () => {
    const prompt = render([user("Hi"), { role: "assistant", content: "<think>greet</think>Hello!" }, user("Bye")], {
      kwargs: { enable_thinking: false },
    });
    expect(prompt).toBe(
      "<|im_start|>user\n" +
        "Hi<|im_end|>\n" +
        "<|im_start|>assistant\n" +
        "Hello!<|im_end|>\n" +
        "<|im_start|>user\n" +
        "Bye<|im_end|>\n" +
        "<|im_start|>assistant\n" +
        "<think>\n" +
        "\n" +
        "</think>\n" +
        "\n",
    );
  });

  it("changes nothing for true or for values that are not the boolean false", () => {
    const plain = "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n";
    for (const value of [true, "false", 0, null]) {
      expect(render([user("Hi")], { kwargs: { enable_thinking: value } })).toBe(plain);
    }
  });
});

describe("qwen3: images", () => {
  it("writes each image part as Qwen's vision placeholder", () => {
    const prompt = render([
      {
        role: "user",
        content: [
          { type: "text", text: "Compare " },
          { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
          { type: "text", text: " with " },
          { type: "image_url", image_url: { url: "https://example.com/b.png", detail: "low" } },
        ],
      },
    ]);
    expect(prompt).toBe(
      "<|im_start|>user\n" +
        "Compare <|vision_start|><|image_pad|><|vision_end|> with <|vision_start|><|image_pad|><|vision_end|><|im_end|>\n" +
        "<|im_start|>assistant\n",
    );
  });

  it("joins consecutive text parts with a newline and writes each placeholder where its image stood", () => {
    const prompt = render([
      {
        role: "user",
        content: [
          { type: "text", text: "First line" },
          { type: "text", text: "second line:" },
          { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
          { type: "text", text: "and this." },
        ],
      },
    ]);
    expect(prompt).toBe(
      "<|im_start|>user\n" +
        "First line\nsecond line:<|vision_start|><|image_pad|><|vision_end|>and this.<|im_end|>\n" +
        "<|im_start|>assistant\n",
    );
  });
});
