// Tools that round-trip: the tools a templated prompt offers, tool calls in each family's
// markup whose arguments validate against the offered schema, forced calls continued from the
// library's prefills, and the chat format's tool_choice.

import { describe, expect, it } from "vitest";
import { REASONING_TEXT } from "./answers.ts";
import { emulatorModelId, type ModelFormat, type ModelIdOption } from "./model-id.ts";
import {
  DEEPSEEK_ASSISTANT,
  DEEPSEEK_REQUIRED_PREFILL,
  deepseekNamedPrefill,
  LLAMA_ASSISTANT,
  LLAMA_REQUIRED_PREFILL,
  llamaNamedPrefill,
  prefillAt,
  QWEN_ASSISTANT,
  QWEN_EMPTY_THINK,
  QWEN_REQUIRED_PREFILL,
  qwenNamedPrefill,
} from "./prefills.ts";
import { cpuMsOf } from "../test/helpers/cpu-time.ts";
import { errorAnswer, events, type Json, json, send, validates } from "./test-helpers.ts";
import { chunksOf } from "./testing.ts";
import { toolsInPrompt } from "./tool-markup.ts";

const WEATHER = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };
const BOOKING = {
  type: "object",
  properties: {
    hotel: { type: "string", minLength: 3 },
    nights: { type: "integer", minimum: 1, maximum: 14 },
    check_in: { type: "string", format: "date" },
    guests: {
      type: "array",
      items: { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
      minItems: 2,
    },
    room: { enum: ["single", "double", "suite"] },
  },
  required: ["hotel", "nights", "check_in", "guests", "room"],
  additionalProperties: false,
};
const tool = (name: string, parameters: unknown) => ({
  type: "function",
  function: { name, description: `The ${name} tool`, parameters },
});
const TOOLS = [tool("get_weather", WEATHER), tool("book_hotel", BOOKING)];

/** Python's json.dumps layout, as the templates write tools. */
function dumps(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(dumps).join(", ")}]`;
  return `{${Object.entries(value)
    .map(([key, item]) => `${JSON.stringify(key)}: ${dumps(item)}`)
    .join(", ")}}`;
}

function qwenPrompt(tools: unknown[], user = "Weather in Paris?"): string {
  return (
    "<|im_start|>system\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n" +
    "You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n" +
    tools.map(dumps).join("\n") +
    '\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call><|im_end|>\n' +
    `<|im_start|>user\n${user}<|im_end|>\n${QWEN_ASSISTANT}`
  );
}

function llamaPrompt(tools: unknown[]): string {
  return (
    "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nEnvironment: ipython\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|>" +
    "<|start_header_id|>user<|end_header_id|>\n\nGiven the following functions, please respond with a JSON for a function call with its proper arguments that best answers the given prompt.\n\n" +
    'Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}.Do not use variables.\n\n' +
    tools.map((item) => `${JSON.stringify(item, null, 4)}\n\n`).join("") +
    `Book me a hotel.<|eot_id|>${LLAMA_ASSISTANT}`
  );
}

function r1Prompt(system: string): string {
  return `<｜begin▁of▁sentence｜>${system}<｜User｜>Book me a hotel.<｜Assistant｜><think>\n`;
}

async function completion(
  format: ModelFormat,
  prompt: string,
  options: ModelIdOption[] = [],
  extra: Json = {},
): Promise<string> {
  const answer = await json(await send(emulatorModelId(format, options), { prompt, ...extra }));
  return String(answer[format === "qwen2" ? "text" : "generation"]);
}

async function streamedCompletion(format: ModelFormat, prompt: string, options: ModelIdOption[] = []): Promise<string> {
  const chunks = chunksOf(
    await events(await send(emulatorModelId(format, options), { prompt }, "invoke-with-response-stream")),
  );
  return chunks.map((chunk) => chunk[format === "qwen2" ? "text" : "generation"]).join("");
}

describe("toolsInPrompt", () => {
  it("reads Qwen's <tools> block, past the instructions that mention <tools></tools>", () => {
    expect(toolsInPrompt(qwenPrompt(TOOLS))).toEqual([
      { name: "get_weather", parameters: WEATHER },
      { name: "book_hotel", parameters: BOOKING },
    ]);
  });

  it("reads Llama 3.1's JSON tool block", () => {
    expect(toolsInPrompt(llamaPrompt(TOOLS)).map((found) => found.name)).toEqual(["get_weather", "book_hotel"]);
  });

  it("reads JSON tool definitions in an R1 system prompt", () => {
    const prompt = r1Prompt(`You can call these tools:\n${JSON.stringify(TOOLS[1])}\nAnswer briefly.`);
    expect(toolsInPrompt(prompt)).toEqual([{ name: "book_hotel", parameters: BOOKING }]);
  });

  it("finds nothing in a prompt without tools, and stays linear on unbalanced braces", async () => {
    expect(toolsInPrompt("<|im_start|>user\n{{{{ no tools }<|im_end|>")).toEqual([]);
    const cpuMs = await cpuMsOf(() => expect(toolsInPrompt(`<tools>\n${"{".repeat(2_000_000)}`)).toEqual([]));
    expect(cpuMs).toBeLessThan(2000);
  });
});

describe("the tool option on completion prompts", () => {
  it.each([
    ["qwen2", '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>'],
    [
      "qwen3",
      `<think>\n${REASONING_TEXT}\n</think>\n\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>`,
    ],
  ] as const)("answers %s in Qwen's markup", async (format, expected) => {
    expect(await completion(format, qwenPrompt(TOOLS), ["tool"])).toBe(expected);
    expect(await streamedCompletion(format, qwenPrompt(TOOLS), ["tool"])).toBe(expected);
  });

  it("answers llama in Llama 3.1's JSON, arguments valid for the offered schema", async () => {
    const text = await completion("llama", llamaPrompt([tool("book_hotel", BOOKING)]), ["tool"]);
    const call = JSON.parse(text) as { name: string; parameters: unknown };
    expect(call.name).toBe("book_hotel");
    expect(Object.keys(call)).toEqual(["name", "parameters"]);
    expect(validates(BOOKING, call.parameters)).toBe(true);
  });

  it("answers r1 in DeepSeek's markers after its reasoning", async () => {
    const text = await completion("r1", r1Prompt(`Tools: ${JSON.stringify(TOOLS[1])}`), ["tool"]);
    const match =
      /^(.*)\n<\/think>\n\n<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>book_hotel\n```json\n(.*)\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>$/s.exec(
        text,
      );
    expect(match?.[1]).toBe(REASONING_TEXT);
    expect(validates(BOOKING, JSON.parse(match?.[2] ?? ""))).toBe(true);
  });

  it("answers arguments that validate against every offered schema", async () => {
    const text = await completion("qwen3", qwenPrompt([tool("book_hotel", BOOKING)]) + QWEN_EMPTY_THINK, ["tool"]);
    const call = JSON.parse(/<tool_call>\n(.*)\n<\/tool_call>/s.exec(text)?.[1] ?? "") as { arguments: unknown };
    expect(validates(BOOKING, call.arguments)).toBe(true);
  });

  it("answers an object for a schema that leaves the arguments open (parameters: {})", async () => {
    const text = await completion("qwen3", qwenPrompt([tool("anything", {})]) + QWEN_EMPTY_THINK, ["tool"]);
    const call = JSON.parse(/<tool_call>\n(.*)\n<\/tool_call>/s.exec(text)?.[1] ?? "") as { arguments: unknown };
    expect(call.arguments).toEqual({});
  });

  it("answers in words once the prompt holds the tool's result", async () => {
    const prompt = `${qwenPrompt(TOOLS).slice(0, -QWEN_ASSISTANT.length)}<|im_start|>user\n<tool_response>\nsunny\n</tool_response><|im_end|>\n${QWEN_ASSISTANT}`;
    expect(await completion("qwen2", prompt, ["tool"])).toMatch(/^Thanks, the tool answered/);
  });
});

describe("forced tool calls: the prefill continued", () => {
  const qwen = qwenPrompt(TOOLS);
  const llama = llamaPrompt(TOOLS);
  const r1 = r1Prompt(`Tools:\n${JSON.stringify(TOOLS[0])}\n${JSON.stringify(TOOLS[1])}`).slice(
    0,
    -"<｜Assistant｜><think>\n".length,
  );

  it.each([
    ["qwen2", qwen + QWEN_REQUIRED_PREFILL, 'get_weather", "arguments": {"city": "Paris"}}\n</tool_call>'],
    [
      "qwen3",
      qwen + QWEN_EMPTY_THINK + QWEN_REQUIRED_PREFILL,
      'get_weather", "arguments": {"city": "Paris"}}\n</tool_call>',
    ],
    ["qwen3", qwen + qwenNamedPrefill("get_weather"), '{"city": "Paris"}}\n</tool_call>'],
    ["llama", llama + LLAMA_REQUIRED_PREFILL, 'get_weather", "parameters": {"city": "Paris"}}'],
    ["llama", llama + llamaNamedPrefill("get_weather"), '{"city": "Paris"}}'],
    [
      "r1",
      r1 + DEEPSEEK_ASSISTANT + DEEPSEEK_REQUIRED_PREFILL,
      'get_weather\n```json\n{"city": "Paris"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>',
    ],
    [
      "r1",
      r1 + DEEPSEEK_ASSISTANT + deepseekNamedPrefill("get_weather"),
      '{"city": "Paris"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>',
    ],
  ] as const)("%s continues %j", async (format, prompt, expected) => {
    // Whatever the tool option: the model continues what it was given.
    expect(await completion(format, prompt)).toBe(expected);
    expect(await streamedCompletion(format, prompt)).toBe(expected);
    expect(prefillAt(prompt)).toBeDefined();
  });

  it.each([
    ["qwen3", qwen + qwenNamedPrefill("book_hotel"), /^(.*)}\n<\/tool_call>$/s],
    ["llama", llama + llamaNamedPrefill("book_hotel"), /^(.*)}$/s],
    [
      "r1",
      r1 + DEEPSEEK_ASSISTANT + deepseekNamedPrefill("book_hotel"),
      /^(.*)\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>$/s,
    ],
  ] as const)("%s writes arguments valid for the named tool's schema", async (format, prompt, pattern) => {
    const args = pattern.exec(await completion(format, prompt))?.[1] ?? "";
    expect(validates(BOOKING, JSON.parse(args))).toBe(true);
  });

  it("picks the first offered tool for a required call, and closes with the end-of-turn token under eos", async () => {
    const onlyBooking = qwenPrompt([tool("book_hotel", BOOKING)]) + QWEN_REQUIRED_PREFILL;
    expect(await completion("qwen2", onlyBooking)).toMatch(/^book_hotel", "arguments": \{.*\}}\n<\/tool_call>$/s);
    expect(await completion("qwen2", qwen + QWEN_REQUIRED_PREFILL, ["eos"])).toMatch(/<\/tool_call><\|im_end\|>$/);
    expect(await completion("llama", llama + LLAMA_REQUIRED_PREFILL, ["eos"])).toMatch(/}<\|eot_id\|>$/);
  });

  it("answers R1's get_weather and unknown tools without a schema", async () => {
    const bare = "<｜begin▁of▁sentence｜><｜User｜>Hi";
    expect(await completion("r1", bare + DEEPSEEK_ASSISTANT + DEEPSEEK_REQUIRED_PREFILL)).toBe(
      'get_weather\n```json\n{"city": "Paris"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>',
    );
    expect(await completion("r1", bare + DEEPSEEK_ASSISTANT + deepseekNamedPrefill("lookup"))).toBe(
      "{}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>",
    );
  });

  it("answers only the schema instance under structured_outputs.json (guided decoding)", async () => {
    const body = {
      prompt: qwen + qwenNamedPrefill("book_hotel"),
      max_tokens: 500,
      structured_outputs: { json: BOOKING },
    };
    const answer = await json(await send(emulatorModelId("qwen3"), body));
    const text = String((answer.choices as Json[])[0]?.text);
    expect(validates(BOOKING, JSON.parse(text))).toBe(true);
  });

  it("does not take a prefill that does not open the assistant turn", () => {
    expect(prefillAt(`<|im_start|>user\n${QWEN_REQUIRED_PREFILL}`)).toBeUndefined();
    expect(prefillAt(`user says ${LLAMA_REQUIRED_PREFILL}`)).toBeUndefined();
    expect(prefillAt(`${QWEN_ASSISTANT}<tool_call>\n{"name": "a\\"b", "arguments": `)).toEqual({
      family: "qwen",
      tool: 'a"b',
    });
  });
});

describe("the prefill strings the library must write", () => {
  it("are these, byte for byte", () => {
    expect({
      QWEN_ASSISTANT,
      QWEN_EMPTY_THINK,
      QWEN_REQUIRED_PREFILL,
      qwenNamed: qwenNamedPrefill("get_weather"),
      LLAMA_ASSISTANT,
      LLAMA_REQUIRED_PREFILL,
      llamaNamed: llamaNamedPrefill("get_weather"),
      DEEPSEEK_ASSISTANT,
      DEEPSEEK_REQUIRED_PREFILL,
      deepseekNamed: deepseekNamedPrefill("get_weather"),
    }).toEqual({
      QWEN_ASSISTANT: "<|im_start|>assistant\n",
      QWEN_EMPTY_THINK: "<think>\n\n</think>\n\n",
      QWEN_REQUIRED_PREFILL: '<tool_call>\n{"name": "',
      qwenNamed: '<tool_call>\n{"name": "get_weather", "arguments": ',
      LLAMA_ASSISTANT: "<|start_header_id|>assistant<|end_header_id|>\n\n",
      LLAMA_REQUIRED_PREFILL: '{"name": "',
      llamaNamed: '{"name": "get_weather", "parameters": ',
      DEEPSEEK_ASSISTANT: "<｜Assistant｜><think>\n\n</think>\n\n",
      DEEPSEEK_REQUIRED_PREFILL: "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>",
      deepseekNamed: "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n```json\n",
    });
  });
});

describe("tool_choice in the chat format", () => {
  const messages = [{ role: "user", content: "Book a hotel" }];
  const body = { model: "m", messages, tools: TOOLS };
  type Choice = { message: Json; finish_reason: string };
  const first = (answer: Json) => (answer.choices as Choice[])[0] as Choice;
  const calls = (answer: Json) =>
    first(answer).message.tool_calls as { id: string; function: { name: string; arguments: string } }[];

  it.each(["r1", "llama", "qwen3", "qwen2", "openai"] satisfies ModelFormat[])(
    "%s: required and named calls are structured, whatever the tool option",
    async (format) => {
      const modelId = emulatorModelId(format);
      const required = await json(await send(modelId, { ...body, tool_choice: "required" }));
      expect(calls(required)[0]?.function).toEqual({ name: "get_weather", arguments: '{"city": "Paris"}' });
      // vLLM: a forced call's plain answer has empty content and finishes with "stop".
      expect(first(required)).toMatchObject({ finish_reason: "stop", message: { content: "" } });
      const named = await json(
        await send(modelId, { ...body, tool_choice: { type: "function", function: { name: "book_hotel" } } }),
      );
      expect(calls(named)[0]?.function.name).toBe("book_hotel");
      expect(validates(BOOKING, JSON.parse(calls(named)[0]?.function.arguments ?? ""))).toBe(true);
    },
  );

  it("streams a forced call as tool_calls deltas finishing with tool_calls", async () => {
    const chunks = chunksOf(
      await events(
        await send(emulatorModelId("llama"), { ...body, tool_choice: "required" }, "invoke-with-response-stream"),
      ),
    );
    const choices = chunks.flatMap((chunk) => chunk.choices as { delta: Json; finish_reason: string | null }[]);
    const deltas = choices.flatMap((choice) => (choice.delta.tool_calls as Json[] | undefined) ?? []);
    expect(deltas[0]).toEqual({
      id: expect.stringMatching(/^chatcmpl-tool-/),
      type: "function",
      index: 0,
      function: { name: "get_weather", arguments: expect.any(String) },
    });
    expect(deltas.slice(1).every((delta) => Object.keys(delta).join() === "index,function")).toBe(true);
    expect(deltas.map((delta) => (delta.function as { arguments: string }).arguments).join("")).toBe(
      '{"city": "Paris"}',
    );
    expect(choices.at(-1)?.finish_reason).toBe("tool_calls");
  });

  it("makes no call that max_tokens cut off in the reasoning, plain as streamed", async () => {
    const modelId = emulatorModelId("openai", ["think", "tool"]);
    const cut = { ...body, max_tokens: 3 };
    const plain = await json(await send(modelId, cut));
    expect(first(plain)).toMatchObject({ finish_reason: "length", message: { tool_calls: [] } });
    const chunks = chunksOf(await events(await send(modelId, cut, "invoke-with-response-stream")));
    const choices = chunks.flatMap((chunk) => chunk.choices as { delta: Json }[]);
    expect(choices.some((choice) => choice.delta.tool_calls)).toBe(false);
  });

  it("calls no tool with tool_choice none, even with the tool option", async () => {
    const answer = await json(await send(emulatorModelId("openai", ["tool"]), { ...body, tool_choice: "none" }));
    expect(first(answer).message).toMatchObject({ tool_calls: [], content: expect.stringMatching(/^Hello from/) });
  });

  it.each([
    ["qwen3", /^<tool_call>\n\{"name": "get_weather", "arguments": \{"city": "Paris"\}\}\n<\/tool_call>$/],
    ["llama", /^\{"name": "get_weather", "parameters": \{"city": "Paris"\}\}$/],
    ["r1", /^<｜tool▁calls▁begin｜>.*get_weather.*<｜tool▁calls▁end｜>$/s],
  ] as const)(
    "%s with the tool option leaves its own markup in the content (no server-side parsing)",
    async (format, pattern) => {
      const answer = await json(await send(emulatorModelId(format, ["tool"]), body));
      expect(first(answer)).toMatchObject({ finish_reason: "stop", message: { tool_calls: [] } });
      expect(String(first(answer).message.content)).toMatch(pattern);
    },
  );

  it("openai with the tool option answers a structured call (server-side parsing)", async () => {
    const answer = await json(await send(emulatorModelId("openai", ["tool"]), body));
    expect(first(answer)).toMatchObject({ finish_reason: "tool_calls", message: { content: null } });
    expect(calls(answer)[0]?.function).toEqual({ name: "get_weather", arguments: '{"city": "Paris"}' });
  });

  it.each([
    [
      "a named tool that was not offered",
      { ...body, tool_choice: { type: "function", function: { name: "nope" } } },
      "Tool 'nope' has not been passed in `tools`.",
    ],
    [
      "a forced call without tools",
      { model: "m", messages, tool_choice: "required" },
      "When using `tool_choice`, `tools` must be set.",
    ],
    [
      "a tool without a name",
      { model: "m", messages, tools: [{ type: "function", function: {} }] },
      "tools[0].function.name: required string not found.",
    ],
  ])("refuses %s", async (_, request, message) => {
    expect(await errorAnswer(await send(emulatorModelId("openai"), request))).toEqual({
      status: 400,
      type: "ValidationException",
      message,
    });
  });
});
