// Forced tool calls on template routes: the prompt ends with the family's call opening (the exact
// strings the emulator continues), and the answer is read as the call it continues.
import { describe, expect, it } from "vitest";
import * as emulator from "../../emulator/prefills.ts";
import { errorOf } from "../../test/helpers/errors.ts";
import { BedrockEdgeError } from "../errors.ts";
import type { ChatCompletionRequest, FunctionTool, ToolChoice } from "../openai/types.ts";
import { completionRoute } from "./completion-route.ts";
import {
  callPrefill,
  constrainedCall,
  forcedCall,
  forcedCallReader,
  promptPrefill,
  unfinishedCallError,
} from "./forced-call.ts";
import { routes } from "./all.ts";
import { deepseekForcedCalls } from "./prompts/deepseek-r1.ts";
import { llamaForcedCalls, renderLlama31Prompt } from "./prompts/llama3.ts";
import { qwen2ForcedCalls, qwen3ForcedCalls } from "./prompts/qwen.ts";
import { CHUNK_EVENT } from "../eventstream/events.ts";
import type { StreamPart } from "./types.ts";

const ARN = "arn:aws:bedrock:us-east-1:123456789012:imported-model/abc123def456";
const weather: FunctionTool = {
  type: "function",
  function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
};
const time: FunctionTool = { type: "function", function: { name: "get_time" } };
const request = (tool_choice: ToolChoice, extra: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest => ({
  model: "m",
  messages: [{ role: "user", content: "Weather in Paris?" }],
  tools: [weather, time],
  tool_choice,
  ...extra,
});
const named: ToolChoice = { type: "function", function: { name: "get_weather" } };

const refusal = (run: () => unknown) => errorOf(run, BedrockEdgeError);

describe("forcedCall", () => {
  it("reads required and a named function; auto, none and no choice force nothing", () => {
    expect(forcedCall(request("required"))).toEqual({});
    expect(forcedCall(request(named))).toEqual({ name: "get_weather" });
    for (const choice of ["auto", "none", undefined] as const)
      expect(forcedCall(request(choice as ToolChoice))).toBeUndefined();
  });

  it("refuses, naming tool_choice, a named function that is not in tools and a forced call without tools", () => {
    const missing = refusal(() => forcedCall(request({ type: "function", function: { name: "get_tide" } })));
    expect(missing).toMatchObject({ status: 400, param: "tool_choice" });
    expect(missing.message).toBe(
      'tool_choice names the function "get_tide", which is not in tools (tools offers "get_weather", "get_time").',
    );
    expect(refusal(() => forcedCall(request(named, { tools: undefined }))).message).toContain("tools is empty");
    expect(refusal(() => forcedCall(request("required", { tools: [] }))).message).toBe(
      'tool_choice "required" needs at least one function in tools.',
    );
  });
});

describe("promptPrefill", () => {
  it("does not repeat the part of the lead the prompt already ends with", () => {
    const r1 = promptPrefill("<｜User｜>Hi<｜Assistant｜><think>\n", deepseekForcedCalls, {});
    expect(r1).toBe("\n</think>\n\n<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>");
    const r1AfterOutputs = promptPrefill("…<｜tool▁outputs▁end｜>", deepseekForcedCalls, {});
    expect(r1AfterOutputs).toBe(callPrefill(deepseekForcedCalls, {}));
    const noThinking = promptPrefill("<|im_start|>assistant\n<think>\n\n</think>\n\n", qwen3ForcedCalls, {});
    expect(noThinking).toBe('<tool_call>\n{"name": "');
  });

  it("without a call (an answer held to a format) gives the lead alone, likewise not repeated", () => {
    expect(promptPrefill("<｜User｜>Hi<｜Assistant｜><think>\n", deepseekForcedCalls)).toBe("\n</think>\n\n");
    expect(callPrefill(deepseekForcedCalls)).toBe("<think>\n\n</think>\n\n");
    expect(promptPrefill("<|im_start|>assistant\n", qwen3ForcedCalls)).toBe("<think>\n\n</think>\n\n");
    expect(promptPrefill("<|im_start|>assistant\n<think>\n\n</think>\n\n", qwen3ForcedCalls)).toBe("");
    expect(promptPrefill("<|im_start|>assistant\n", qwen2ForcedCalls)).toBe("");
  });
});

describe("constrainedCall: the seam for structured outputs", () => {
  it("gives the prefill up to the arguments and their schema, when the function is known", () => {
    expect(constrainedCall(qwen2ForcedCalls, { name: "get_weather" }, [weather, time])).toEqual({
      prefill: '<tool_call>\n{"name": "get_weather", "arguments": ',
      schema: weather.function.parameters,
    });
    expect(constrainedCall(llamaForcedCalls, {}, [time])).toEqual({
      prefill: '{"name": "get_time", "parameters": ',
      schema: { type: "object", properties: {} },
    });
    expect(constrainedCall(deepseekForcedCalls, { name: "get_time" }, [weather, time])?.prefill).toBe(
      "<think>\n\n</think>\n\n<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_time\n```json\n",
    );
    expect(constrainedCall(qwen3ForcedCalls, {}, [weather, time])).toBeUndefined();
  });
});

describe("forcedCallReader: a forced call's text the family's tool syntax could not read", () => {
  const weatherForecast: FunctionTool = { type: "function", function: { name: "get_weather_forecast" } };
  const offered = [weather, time, weatherForecast];
  const qwen = forcedCallReader(qwen2ForcedCalls, {}, offered);
  const open = '<tool_call>\n{"name": "';

  it("whole arguments with the call's closing missing, or only begun, are the call (as written)", () => {
    const call = { kind: "calls", calls: [{ name: "get_weather", arguments: '{"city": "Paris"}' }] };
    expect(qwen(`${open}get_weather", "arguments": {"city": "Paris"}`)).toEqual(call);
    expect(qwen(`${open}get_weather", "arguments": {"city": "Paris"}}\n</tool_`)).toEqual(call);
    const r1 = forcedCallReader(deepseekForcedCalls, {}, offered);
    const r1Open = "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>";
    expect(r1(`${r1Open}get_weather\n\`\`\`json\n{"city": "Paris"}\n\`\``)).toEqual(call);
    // Held to the schema, a model stops right after the arguments: that is the whole call.
    const llamaNamed = forcedCallReader(llamaForcedCalls, { name: "get_weather" }, offered);
    expect(llamaNamed('{"name": "get_weather", "parameters": {"city": "Paris"}')).toEqual(call);
    // The closing's first character alone, a '}' after the arguments', is begun too (mutation51).
    const qwenNamed = forcedCallReader(qwen2ForcedCalls, { name: "get_weather" }, offered);
    expect(qwenNamed(`${qwen2ForcedCalls.opening("get_weather")}{"city": "Paris"}}`)).toEqual(call);
  });

  it("a call that ends where it was still well formed is cut: its arguments so far, its function if known", () => {
    expect(qwen(`${open}get_weather", "arguments": {"city": "Pa`)).toEqual({
      kind: "cut",
      name: "get_weather",
      arguments: '{"city": "Pa',
    });
    expect(qwen(`${open}get_weather", "argu`)).toEqual({ kind: "cut", name: "get_weather", arguments: "" });
    expect(qwen(`${open}get_ti`)).toEqual({ kind: "cut", name: "get_time", arguments: "" });
    // get_weather or get_weather_forecast: the name does not tell yet.
    expect(qwen(`${open}get_weather`)).toEqual({ kind: "cut", arguments: "" });
    expect(qwen(`${open}get_weather"`)).toEqual({ kind: "cut", name: "get_weather", arguments: "" });
  });

  it("markup the model wrote that cannot be a call is broken; text that opens no call is the model's own", () => {
    expect(qwen(`${open}get_weather", "arguments": {"city": Paris}}\n`)).toEqual({
      kind: "broken",
      name: "get_weather",
    });
    expect(qwen(`${open}get_weather", "arguments": Paris`)).toEqual({ kind: "broken", name: "get_weather" });
    const words = { kind: "words", words: "Sorry, I cannot.", calls: [] };
    expect(qwen(`${open}Sorry, I cannot.`)).toEqual(words);
    expect(qwen(`${open}get_tide", "arguments": {}}`)).toEqual({ kind: "unoffered", name: "get_tide", field: "tools" });
    // After a named call's opening, only an arguments object is a call: anything else is text.
    const named = forcedCallReader(qwen2ForcedCalls, { name: "get_weather" }, offered);
    const namedOpen = '<tool_call>\n{"name": "get_weather", "arguments": ';
    expect(named(`${namedOpen}Sorry, I cannot.`)).toEqual(words);
    expect(named(`${namedOpen}{"city": Paris}`)).toEqual({ kind: "broken", name: "get_weather" });
  });

  it("words that name no function, closed as the name's JSON string, are the model's text without that JSON", () => {
    const words = (text: string) => ({ kind: "words", words: text, calls: [] });
    expect(qwen(`${open}Sorry, I cannot."}\n`)).toEqual(words("Sorry, I cannot."));
    expect(qwen(`${open}Sorry, I cannot.", "arguments": {}}\n`)).toEqual(words("Sorry, I cannot."));
    expect(qwen(`${open}It is \\"sunny\\"\\n."}`)).toEqual(words('It is "sunny"\n.'));
    // A raw newline breaks the JSON string, not the words.
    expect(qwen(`${open}No.\nSorry."}`)).toEqual(words("No.\nSorry."));
    const llama = forcedCallReader(llamaForcedCalls, {}, offered);
    expect(llama('{"name": "Sorry, I cannot."}')).toEqual(words("Sorry, I cannot."));
    // The string ends at the quote after which the call's object closes where the text ends, its
    // arguments right or not (codereview21 #4, #5): quotes inside the words are the model's.
    expect(qwen(`${open}I can't book "Le Bernardin".", "arguments": {}}`)).toEqual(
      words('I can\'t book "Le Bernardin".'),
    );
    expect(qwen(`${open}Sorry, no.", "arguments": {"city": Paris}}\n`)).toEqual(words("Sorry, no."));
    // A quote with no call after it is the model's own (codereview21 #7: `55"` is an inch mark).
    expect(qwen(`${open}Sorry, I cannot."`)).toEqual(words('Sorry, I cannot."'));
    expect(qwen(`${open}Sorry." I cannot.`)).toEqual(words('Sorry." I cannot.'));
    // A function's name is a call, offered or not; a blank one calls no function offered (#1, #6).
    expect(qwen(`${open}get_tide"}`)).toEqual({ kind: "unoffered", name: "get_tide", field: "tools" });
    expect(qwen(`${open}get_weather "}`)).toEqual({ kind: "broken", name: "get_weather" });
    expect(qwen(`${open}"}`)).toEqual({ kind: "unoffered", name: "", field: "tools" });
    expect(qwen(`${open}  ", "arguments": {}}`)).toEqual({ kind: "unoffered", name: "", field: "tools" });
    // R1's name is no JSON string: its words end where its markup begins (#3).
    const r1 = forcedCallReader(deepseekForcedCalls, {}, offered);
    const r1Open = "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>";
    expect(r1(`${r1Open}Sorry, no."}`)).toEqual(words('Sorry, no."}'));
    expect(r1(`${r1Open}Sorry, I can't.\n<｜tool▁call▁end｜>`)).toEqual(words("Sorry, I can't."));
    expect(r1(`${r1Open}Sorry.\nReally sorry.\n\`\`\`json\n{}\n\`\`\`<｜tool▁call▁end｜>`)).toEqual(
      words("Sorry.\nReally sorry."),
    );
    expect(r1(`${r1Open}\`\`\`json\n{}\n\`\`\`<｜tool▁call▁end｜>`)).toEqual({
      kind: "unoffered",
      name: "",
      field: "tools",
    });
  });

  it("the name's tail is found from the end, past any number of quotes in the words; another call ends the words (codereview22)", () => {
    const words = (text: string, more?: string) => ({
      kind: "words",
      words: text,
      calls: [],
      ...(more ? { more } : {}),
    });
    // More quotes a member could follow than the 32 tried: the call's is the last.
    const list = `${Array.from({ length: 40 }, (_, i) => `"${i}"`).join(", ")} are numbers.`;
    expect(qwen(`${open}${list}"}`)).toEqual(words(list));
    expect(qwen(`${open}${list}", "arguments": {"a": "b", "c": "d"}}`)).toEqual(words(list));
    // The text of a call opened after the words, for the splitter to read as calls.
    const call = '<tool_call>\n{"name": "get_weather", "arguments": {}}\n';
    expect(qwen(`${open}Sorry, no."}\n${call}`)).toEqual(words("Sorry, no.", call));
    const r1 = forcedCallReader(deepseekForcedCalls, {}, offered);
    const r1Open = "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>";
    const r1Call = "<｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n```json\n{}\n```";
    expect(r1(`${r1Open}Sorry, no.<｜tool▁call▁end｜>${r1Call}`)).toEqual(words("Sorry, no.", r1Call));
    // Named: a last brace that closes the call's object is not the words'.
    const named = forcedCallReader(llamaForcedCalls, { name: "get_weather" }, offered);
    const opening = llamaForcedCalls.opening("get_weather");
    expect(named(`${opening}Sorry, no.}`)).toEqual(words("Sorry, no."));
    expect(named(`${opening}Use {"a": 1}`)).toEqual(words('Use {"a": 1}'));
  });
});

/** The exact prefills the emulator continues (emulator branch, "Forced tool calls and prefill"). */
const families = [
  {
    route: "qwen3",
    required: '<|im_start|>assistant\n<think>\n\n</think>\n\n<tool_call>\n{"name": "',
    named: '<|im_start|>assistant\n<think>\n\n</think>\n\n<tool_call>\n{"name": "get_weather", "arguments": ',
    continuation: {
      required: 'get_weather", "arguments": {"city": "Paris"}}\n</tool_call>',
      named: '{"city": "Paris"}}\n</tool_call>',
    },
    end: "<|im_end|>",
  },
  {
    route: "qwen2",
    required: '<|im_start|>assistant\n<tool_call>\n{"name": "',
    named: '<|im_start|>assistant\n<tool_call>\n{"name": "get_weather", "arguments": ',
    continuation: {
      required: 'get_weather", "arguments": {"city": "Paris"}}\n</tool_call>',
      named: '{"city": "Paris"}}\n</tool_call>',
    },
    end: "<|im_end|>",
  },
  {
    route: "llama",
    required: '<|start_header_id|>assistant<|end_header_id|>\n\n{"name": "',
    named: '<|start_header_id|>assistant<|end_header_id|>\n\n{"name": "get_weather", "parameters": ',
    continuation: { required: 'get_weather", "parameters": {"city": "Paris"}}', named: '{"city": "Paris"}}' },
    end: "<|eot_id|>",
  },
  {
    route: "deepseek_r1",
    required: "<｜Assistant｜><think>\n\n</think>\n\n<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>",
    named:
      "<｜Assistant｜><think>\n\n</think>\n\n<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n```json\n",
    continuation: {
      required: 'get_weather\n```json\n{"city": "Paris"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>',
      named: '{"city": "Paris"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>',
    },
    end: "<｜end▁of▁sentence｜>",
  },
] as const;

/** Where each family's call opening starts in its required prefill. */
const callOpening = {
  qwen3: "<tool_call>",
  qwen2: "<tool_call>",
  llama: '{"name": "',
  deepseek_r1: "<｜tool▁calls▁begin｜>",
} as const;

/** A model's JSON as InvokeModelWithResponseStream delivers it: one `chunk` event. */
const chunk = (json: Record<string, unknown>) => ({ type: CHUNK_EVENT, json });

/** Events of a stream cut into pieces of `size` characters, the last one with the stop reason. */
function events(text: string, size: number) {
  const pieces = text.match(new RegExp(`[\\s\\S]{1,${size}}`, "gu")) ?? [];
  return pieces.map((generation, i) => ({ generation, stop_reason: i === pieces.length - 1 ? "stop" : null }));
}

function streamed(route: keyof typeof routes, body: ChatCompletionRequest, text: string, size: number) {
  const mapper = routes[route].createStreamMapper(body);
  const parts: StreamPart[] = [...events(text, size).flatMap((event) => mapper.push(chunk(event))), ...mapper.end()];
  return {
    content: parts.map((part) => part.delta.content ?? "").join(""),
    calls: parts
      .flatMap((part) => part.delta.tool_calls ?? [])
      .map((call) => `${call.function?.name}(${call.function?.arguments})`),
    finish: parts.at(-1)?.finish_reason,
  };
}

describe.each(families)("$route: forced calls", (family) => {
  const route = routes[family.route];
  const answer = (text: string) =>
    family.route === "qwen2" ? { text, stop_reason: "stop" } : { generation: text, stop_reason: "stop" };

  it.each([
    ["required", "required" as ToolChoice],
    ["named", named],
  ] as const)("%s: the rendered prompt goes on with the family's call opening", (kind, choice) => {
    const prompt = String(route.buildBody(request(choice), ARN, {}).prompt);
    expect(prompt.endsWith(family[kind])).toBe(true);
    expect(prompt.startsWith(String(route.buildBody(request("auto"), ARN, {}).prompt))).toBe(true);
  });

  it.each([
    ["required", "required" as ToolChoice],
    ["named", named],
  ] as const)("%s: the continuation is read as the call, plain and streamed at any cut", (kind, choice) => {
    const text = family.continuation[kind] + family.end;
    const plain = route.parseAnswer(answer(text), request(choice)).choices[0]!;
    expect(plain.finish_reason).toBe("tool_calls");
    expect(plain.message.content).toBeNull();
    const [call] = plain.message.tool_calls ?? [];
    expect(call).toEqual({
      id: expect.stringMatching(/^call_/),
      type: "function",
      function: { name: "get_weather", arguments: expect.any(String) },
    });
    expect(JSON.parse(call!.function.arguments)).toEqual({ city: "Paris" });
    if (family.route === "qwen2") return; // qwen2 streams `text`, checked once below
    for (const size of [1, 2, 3, 7]) {
      expect(streamed(family.route, request(choice), text, size)).toEqual({
        content: "",
        calls: [`get_weather(${call!.function.arguments})`],
        finish: "tool_calls",
      });
    }
  });

  it("a model that answers text anyway gives that text and stop, never a made-up call", () => {
    const text = "Sorry, I will not call a tool.";
    for (const choice of ["required", named] as ToolChoice[]) {
      const plain = route.parseAnswer(answer(text + family.end), request(choice)).choices[0]!;
      expect(plain).toMatchObject({ finish_reason: "stop", message: { content: text } });
      expect(plain.message.tool_calls).toBeUndefined();
    }
  });
});

/** How each family's forced call reads when the answer ends inside it (continuations after the required prefill). */
const cuts = {
  qwen3: {
    cut: 'get_weather", "arguments": {"city": "Pa',
    broken: 'get_weather", "arguments": {"city": Paris}}\n</tool_call>',
  },
  qwen2: {
    cut: 'get_weather", "arguments": {"city": "Pa',
    broken: 'get_weather", "arguments": {"city": Paris}}\n</tool_call>',
  },
  llama: { cut: 'get_weather", "parameters": {"city": "Pa', broken: 'get_weather", "parameters": {"city": Paris}}' },
  deepseek_r1: {
    cut: 'get_weather\n```json\n{"city": "Pa',
    broken: 'get_weather\n```json\n{"city": Paris}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>',
  },
} as const;

describe.each(families)("$route: a forced call the model did not finish", (family) => {
  const route = routes[family.route];
  const { cut, broken } = cuts[family.route];
  const answer = (text: string, stop_reason: string) =>
    family.route === "qwen2" ? { text, stop_reason } : { generation: text, stop_reason };
  const mapperOf = (body: ChatCompletionRequest) => route.createStreamMapper(body);
  const stream = (body: ChatCompletionRequest, text: string, stop_reason: string, size: number) => {
    const mapper = mapperOf(body);
    const pieces = text.match(new RegExp(`[\\s\\S]{1,${size}}`, "gu")) ?? [];
    const field = family.route === "qwen2" ? "text" : "generation";
    const parts = pieces.flatMap((piece, i) =>
      mapper.push(chunk({ [field]: piece, stop_reason: i === pieces.length - 1 ? stop_reason : null })),
    );
    return [...parts, ...mapper.end()];
  };

  it("cut by the token limit: the call with its arguments so far and length, plain and streamed at any cut", () => {
    const plain = route.parseAnswer(answer(cut, "length"), request("required")).choices[0]!;
    expect(plain.finish_reason).toBe("length");
    expect(plain.message.content).toBeNull();
    expect(plain.message.tool_calls).toEqual([
      {
        id: expect.stringMatching(/^call_/),
        type: "function",
        function: { name: "get_weather", arguments: '{"city": "Pa' },
      },
    ]);
    for (const size of [1, 2, 5, 100]) {
      const parts = stream(request("required"), cut, "length", size);
      expect(parts.map((part) => part.delta.content ?? "").join("")).toBe("");
      expect(parts.flatMap((part) => part.delta.tool_calls ?? []).map((call) => call.function)).toEqual([
        plain.message.tool_calls![0]!.function,
      ]);
      expect(parts.at(-1)?.finish_reason).toBe("length");
    }
  });

  it("cut by the token limit when the call went wrong before: its markup whole, opening and all, never headless", () => {
    const plain = route.parseAnswer(answer(broken, "length"), request("required")).choices[0]!;
    const markup = family.required.slice(family.required.lastIndexOf(callOpening[family.route])) + broken;
    expect(plain).toMatchObject({ finish_reason: "length", message: { content: markup } });
    expect(plain.message.tool_calls).toBeUndefined();
    const parts = stream(request("required"), broken, "length", 3);
    expect(parts.map((part) => part.delta.content ?? "").join("")).toBe(markup);
  });

  it("stopped inside the call with stop sequences in the request: a 400 naming stop, plain and streamed", () => {
    for (const choice of ["required", named] as ToolChoice[]) {
      const body = request(choice, { stop: ["Par"] });
      const text = choice === "required" ? cut : cut.slice(cut.indexOf("{"));
      const expected = { status: 400, param: "stop", code: "tool_call_cut" };
      expect(refusal(() => route.parseAnswer(answer(text, "stop"), body))).toMatchObject(expected);
      expect(refusal(() => stream(body, text, "stop", 4))).toMatchObject(expected);
    }
  });

  it("held to the schema (openai_completion): the arguments alone are the call; cut by a stop string, a 400", () => {
    const settings = { wire_format: "openai_completion" } as const;
    const completion = (text: string) => ({ choices: [{ index: 0, text, finish_reason: "stop" }] });
    const body = route.buildBody(request(named), ARN, settings);
    expect(body.structured_outputs).toEqual({ json: weather.function.parameters });
    const plain = route.parseAnswer(completion('{"city": "Paris"}'), request(named), settings).choices[0]!;
    expect(plain.finish_reason).toBe("tool_calls");
    expect(plain.message.tool_calls?.map((call) => call.function)).toEqual([
      { name: "get_weather", arguments: '{"city": "Paris"}' },
    ]);
    const cutShort = () => route.parseAnswer(completion('{"city": "'), request(named, { stop: ["Par"] }), settings);
    expect(refusal(cutShort)).toMatchObject({ status: 400, param: "stop", code: "tool_call_cut" });
  });

  it("stopped inside the call without stop sequences, or a broken call: a 500, the model's invalid output", () => {
    for (const [text, message] of [
      [cut, 'The model ended its answer inside the forced call to "get_weather", before its arguments were complete'],
      [broken, 'The model wrote the forced call to "get_weather" in a form that cannot be read as a call'],
    ] as const) {
      const error = refusal(() => route.parseAnswer(answer(text, "stop"), request("required")));
      expect(error).toMatchObject({ status: 500, type: "server_error", code: "invalid_tool_call" });
      expect(error.message).toContain(message);
      expect(refusal(() => stream(request("required"), text, "stop", 3))).toMatchObject({ status: 500 });
    }
  });

  it("a broken call is the model's 500 even with stop sequences in the request: no stop cut it", () => {
    // mutation51: with stop in the request, a broken call was taken for one a stop string had cut.
    const body = request("required", { stop: ["STOP"] });
    const expected = { status: 500, type: "server_error", code: "invalid_tool_call" };
    expect(refusal(() => route.parseAnswer(answer(broken, "stop"), body))).toMatchObject(expected);
    expect(refusal(() => stream(body, broken, "stop", 3))).toMatchObject(expected);
  });
});

/** Continuations after each family's prefill: an unoffered function (required), and a second call (named). */
const strays = {
  qwen3: {
    unknown: 'get_current_weather", "arguments": {"city": "Paris"}}\n</tool_call>',
    second: '{"city": "Paris"}}\n</tool_call>\n<tool_call>\n{"name": "get_time", "arguments": {}}\n</tool_call>',
  },
  qwen2: {
    unknown: 'get_current_weather", "arguments": {"city": "Paris"}}\n</tool_call>',
    second: '{"city": "Paris"}}\n</tool_call>\n<tool_call>\n{"name": "get_time", "arguments": {}}\n</tool_call>',
  },
  llama: {
    unknown: 'get_current_weather", "parameters": {"city": "Paris"}}',
    second: '{"city": "Paris"}}; {"name": "get_time", "parameters": {}}',
  },
  deepseek_r1: {
    unknown: 'get_current_weather\n```json\n{"city": "Paris"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>',
    second:
      '{"city": "Paris"}\n```<｜tool▁call▁end｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_time\n```json\n{}\n```' +
      "<｜tool▁call▁end｜><｜tool▁calls▁end｜>",
  },
} as const;

/** How each family's JSON closes words written where a required call's name goes (R1's name is no JSON string). */
const closedWords = {
  qwen3: ['"}\n</tool_call>', '"}', '", "arguments": {}}\n</tool_call>'],
  qwen2: ['"}\n</tool_call>', '"}', '", "arguments": {}}\n</tool_call>'],
  llama: ['"}', '", "parameters": {}}'],
  deepseek_r1: [],
} as const;

describe.each(families)("$route: a forced call names an offered function, the named one alone", (family) => {
  const route = routes[family.route];
  const { unknown, second } = strays[family.route];
  const answer = (text: string) =>
    family.route === "qwen2" ? { text, stop_reason: "stop" } : { generation: text, stop_reason: "stop" };
  const stream = (body: ChatCompletionRequest, text: string, size: number) => {
    const mapper = route.createStreamMapper(body);
    const field = family.route === "qwen2" ? "text" : "generation";
    const pieces = text.match(new RegExp(`[\\s\\S]{1,${size}}`, "gu")) ?? [];
    const parts = pieces.flatMap((piece, i) =>
      mapper.push(chunk({ [field]: piece, stop_reason: i === pieces.length - 1 ? "stop" : null })),
    );
    return [...parts, ...mapper.end()];
  };

  it("required: a call to a function not in tools is a 500 invalid_tool_call, plain and streamed", () => {
    const expected = {
      status: 500,
      code: "invalid_tool_call",
      message: 'The model called "get_current_weather", which is not in tools: there is no call to return.',
    };
    expect(refusal(() => route.parseAnswer(answer(unknown + family.end), request("required")))).toMatchObject(expected);
    for (const size of [1, 3, 100]) {
      expect(refusal(() => stream(request("required"), unknown + family.end, size))).toMatchObject(expected);
    }
  });

  it("required: words that could name no function are the model's text and stop, closed as JSON or not, plain and streamed", () => {
    const words = "Sorry, I cannot help with that.";
    for (const closing of ["", ...closedWords[family.route]]) {
      const text = words + closing + family.end;
      const plain = route.parseAnswer(answer(text), request("required")).choices[0]!;
      expect(plain, closing).toMatchObject({ finish_reason: "stop", message: { content: words } });
      expect(plain.message.tool_calls).toBeUndefined();
      for (const size of [1, 3, 100]) {
        const parts = stream(request("required"), text, size);
        expect(parts.map((part) => part.delta.content ?? "").join(""), closing).toBe(words);
        expect(parts.flatMap((part) => part.delta.tool_calls ?? [])).toEqual([]);
        expect(parts.at(-1)?.finish_reason).toBe("stop");
      }
    }
  });

  it("named: the named call alone, as OpenAI answers, the model's further calls left out, plain and streamed", () => {
    const plain = route.parseAnswer(answer(second + family.end), request(named)).choices[0]!;
    expect(plain.finish_reason).toBe("tool_calls");
    expect(plain.message.tool_calls?.map((call) => call.function)).toEqual([
      { name: "get_weather", arguments: '{"city": "Paris"}' },
    ]);
    for (const size of [1, 3, 100]) {
      const parts = stream(request(named), second + family.end, size);
      expect(parts.flatMap((part) => part.delta.tool_calls ?? []).map((call) => call.function)).toEqual([
        { name: "get_weather", arguments: '{"city": "Paris"}' },
      ]);
      expect(parts.map((part) => part.delta.content ?? "").join("")).toBe("");
    }
  });
});

describe("unfinishedCallError: the 500's message, which the request's log line carries whatever LOG_PROMPTS says", () => {
  const unfinished = { kind: "unfinished_call", arguments: "", cut: false, markup: "" } as const;
  const words = "I cannot book it: Alice's card 4111 1111 1111 1111 expired";

  it("quotes a name only when it could name a function, never the model's free text", () => {
    expect(unfinishedCallError({ ...unfinished, name: words, unoffered: "tools" }, false).message).toBe(
      "The model called a function, which is not in tools: there is no call to return.",
    );
    expect(unfinishedCallError({ ...unfinished, name: words }, false).message).toBe(
      "The model wrote the forced tool call in a form that cannot be read as a call: there is no call to return.",
    );
    expect(unfinishedCallError({ ...unfinished, name: words, cut: true }, true).message).not.toContain("4111");
    expect(unfinishedCallError({ ...unfinished, name: "get_tide", unoffered: "tools" }, false).message).toBe(
      'The model called "get_tide", which is not in tools: there is no call to return.',
    );
  });
});

describe("forced calls elsewhere", () => {
  it("qwen2 streams a forced call from its `text` events", () => {
    const mapper = routes.qwen2.createStreamMapper(request(named));
    const parts = [
      ...mapper.push(chunk({ text: '{"city": "Pa' })),
      ...mapper.push(chunk({ text: 'ris"}}\n</tool_call>', stop_reason: "stop" })),
      ...mapper.end(),
    ];
    expect(parts.flatMap((part) => part.delta.tool_calls ?? []).map((call) => call.function?.arguments)).toEqual([
      '{"city": "Paris"}',
    ]);
  });

  it("qwen3 does not repeat the empty think block when thinking is already off", () => {
    const prompt = String(
      routes.qwen3.buildBody(request("required", { chat_template_kwargs: { enable_thinking: false } }), ARN, {}).prompt,
    );
    expect(prompt.endsWith('<|im_start|>assistant\n<think>\n\n</think>\n\n<tool_call>\n{"name": "')).toBe(true);
    expect(prompt.split("<think>")).toHaveLength(2);
  });

  it("a model's own template gets the route family's opening", () => {
    const body = routes.llama.buildBody(request(named), ARN, { render: () => "custom prompt|" });
    expect(body.prompt).toBe('custom prompt|{"name": "get_weather", "parameters": ');
  });

  it("refuses tool_choice on a route whose family has no forced-call format", () => {
    const bare = completionRoute({ name: "llama", render: renderLlama31Prompt, thinks: false, endMarkers: [] });
    expect(refusal(() => bare.buildBody(request("required"), ARN, {}))).toMatchObject({
      status: 400,
      param: "tool_choice",
      message: 'tool_choice can only be "auto" or "none" on route llama.',
    });
  });
});

describe("the openings are the emulator's prefills", () => {
  // The emulator (an independent oracle: it imports nothing from src/) continues these strings.
  it("byte for byte, for each family, required and named", () => {
    const name = "get_weather";
    expect([qwen2ForcedCalls.opening(undefined), qwen2ForcedCalls.opening(name)]).toEqual([
      emulator.QWEN_REQUIRED_PREFILL,
      emulator.qwenNamedPrefill(name),
    ]);
    expect(qwen3ForcedCalls.lead).toBe(emulator.QWEN_EMPTY_THINK);
    expect([llamaForcedCalls.opening(undefined), llamaForcedCalls.opening(name)]).toEqual([
      emulator.LLAMA_REQUIRED_PREFILL,
      emulator.llamaNamedPrefill(name),
    ]);
    expect([deepseekForcedCalls.opening(undefined), deepseekForcedCalls.opening(name)]).toEqual([
      emulator.DEEPSEEK_REQUIRED_PREFILL,
      emulator.deepseekNamedPrefill(name),
    ]);
    expect(`<｜Assistant｜>${deepseekForcedCalls.lead}`).toBe(emulator.DEEPSEEK_ASSISTANT);
  });

  it("an R1 prompt held to a format ends where the emulator reads a closed think block", () => {
    const held = routes.deepseek_r1.buildBody(request("auto", { response_format: { type: "json_object" } }), ARN, {});
    expect(String(held.prompt).endsWith(emulator.DEEPSEEK_ASSISTANT)).toBe(true);
    const qwen3 = routes.qwen3.buildBody(request("auto", { response_format: { type: "json_object" } }), ARN, {});
    expect(String(qwen3.prompt).endsWith(emulator.QWEN_ASSISTANT + emulator.QWEN_EMPTY_THINK)).toBe(true);
  });
});
