import { describe, expect, it } from "vitest";
import type { BedrockStreamEvent } from "../../eventstream/events.ts";
import type { JsonObject } from "../../json.ts";
import type { ChatCompletionRequest } from "../../openai/types.ts";
import type { StreamPart } from "../types.ts";
import { parseConverseAnswer } from "./answer.ts";
import { converseStops, isBlank, matchedStop } from "./stops.ts";
import { createConverseStreamMapper } from "./stream.ts";

const request = (stop: ChatCompletionRequest["stop"]): ChatCompletionRequest => ({
  model: "m",
  messages: [{ role: "user", content: "Hi" }],
  stop,
});

describe("which stops go to Bedrock and which the route applies", () => {
  it.each([
    "anthropic.claude-3-5-haiku-20241022-v1:0",
    "us.anthropic.claude-sonnet-4-20250514-v1:0",
    "anthropic.claude-v2:1",
    "arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.anthropic.claude-opus-4-1-20250805-v1:0",
  ])("%s: those of only whitespace are applied, the others sent", (modelId) => {
    expect(converseStops(request(["\n", "END", "\n\n", " x "]), modelId)).toEqual({
      sent: ["END", " x "],
      applied: ["\n", "\n\n"],
    });
    expect(converseStops(request("\n"), modelId)).toEqual({ sent: [], applied: ["\n"] });
  });

  it.each([
    "amazon.nova-pro-v1:0",
    "meta.llama3-1-70b-instruct-v1:0",
    "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6",
    "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/a1b2c3d4e5f6",
    "arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment/a1b2c3d4e5f6",
  ])("%s: all are sent", (modelId) => {
    expect(converseStops(request(["\n", "END"]), modelId)).toEqual({ sent: ["\n", "END"], applied: [] });
  });

  it("whitespace is what JavaScript's \\s or Python's str.isspace() counts", () => {
    for (const blank of ["\n", " ", "\t\r\n", "\u00a0", "\u2028", "\ufeff", "\u001c\u001f", "\u0085 "]) {
      expect(isBlank(blank)).toBe(true);
    }
    for (const text of ["", "a", "\n.", "\u200b", "\u0000"]) expect(isBlank(text)).toBe(false);
  });
});

describe("the sent stop Bedrock matched", () => {
  it("is read only when Bedrock says a stop sequence ended the answer", () => {
    const fields = { delta: { stop_sequence: "END" } };
    expect(matchedStop("stop_sequence", fields)).toBe("END");
    for (const reason of ["end_turn", "max_tokens", "tool_use"])
      expect(matchedStop(reason, fields), reason).toBeUndefined();
  });
});

const ev = (type: string, json: JsonObject): BedrockStreamEvent => ({ type, json });
const USAGE = { inputTokens: 20, outputTokens: 9, totalTokens: 29 };

/** A tool call with `input: false` has no input: its stream sends no delta between start and stop. */
type Block = { text: string } | { reasoning: string } | { tool: string; input?: false };

/** A Converse answer of these blocks, plain. */
function answer(blocks: readonly Block[], stopReason: string): JsonObject {
  const content = blocks.map((block) => {
    if ("text" in block) return { text: block.text };
    if ("reasoning" in block) return { reasoningContent: { reasoningText: { text: block.reasoning } } };
    const input = block.input === false ? {} : { city: "Paris" };
    return { toolUse: { toolUseId: `id_${block.tool}`, name: block.tool, input } };
  });
  return { output: { message: { role: "assistant", content } }, stopReason, usage: USAGE };
}

/** The same answer as ConverseStream events, each text block's text split at the given points. */
function events(blocks: readonly Block[], stopReason: string, splits: readonly number[]): BedrockStreamEvent[] {
  const list: BedrockStreamEvent[] = [ev("messageStart", { role: "assistant" })];
  blocks.forEach((block, index) => {
    const at = { contentBlockIndex: index };
    if ("text" in block) {
      const points = [0, ...splits.filter((point) => point < block.text.length), block.text.length];
      for (let i = 1; i < points.length; i++) {
        list.push(ev("contentBlockDelta", { ...at, delta: { text: block.text.slice(points[i - 1], points[i]) } }));
      }
    } else if ("reasoning" in block) {
      list.push(ev("contentBlockDelta", { ...at, delta: { reasoningContent: { text: block.reasoning } } }));
    } else {
      list.push(
        ev("contentBlockStart", { ...at, start: { toolUse: { toolUseId: `id_${block.tool}`, name: block.tool } } }),
      );
      if (block.input !== false) {
        list.push(ev("contentBlockDelta", { ...at, delta: { toolUse: { input: '{"city":"Paris"}' } } }));
      }
    }
    list.push(ev("contentBlockStop", at));
  });
  list.push(ev("messageStop", { stopReason }), ev("metadata", { usage: USAGE }));
  return list;
}

/** A stream's parts added up as a client adds them, and whether its mapper stopped reading. */
function streamed(list: readonly BedrockStreamEvent[], stops: readonly string[]) {
  const mapper = createConverseStreamMapper(stops);
  const parts: StreamPart[] = [];
  let read = 0;
  for (const event of list) {
    if (mapper.done?.()) break;
    read++;
    parts.push(...mapper.push(event));
  }
  parts.push(...mapper.end());
  const calls = parts.flatMap((part) => part.delta.tool_calls ?? []).filter((call) => call.id);
  return {
    content: parts.map((part) => part.delta.content ?? "").join(""),
    reasoning: parts.map((part) => part.delta.reasoning_content ?? "").join(""),
    calls: calls.map((call) => call.function?.name),
    finishes: parts.flatMap((part) => (part.finish_reason ? [part.finish_reason] : [])),
    read,
  };
}

function plain(blocks: readonly Block[], stopReason: string, stops: readonly string[]) {
  const [choice] = parseConverseAnswer(answer(blocks, stopReason), undefined, stops).choices;
  const { message, finish_reason } = choice!;
  return {
    content: message.content ?? "",
    reasoning: message.reasoning_content ?? "",
    calls: (message.tool_calls ?? []).map((call) => call.function.name),
    finishes: [finish_reason],
  };
}

describe("stops applied to the answer's text, plain and streamed alike", () => {
  const cases: Array<{ name: string; blocks: Block[]; reason: string; stops: string[]; expected: object }> = [
    {
      name: "the text ends before the first stop; reasoning is not cut",
      blocks: [{ reasoning: "Think\nhard" }, { text: "Sunny.\nAnything else?" }],
      reason: "end_turn",
      stops: ["\n"],
      expected: { content: "Sunny.", reasoning: "Think\nhard", calls: [], finishes: ["stop"] },
    },
    {
      // endings52: the call given back ends the answer with tool_calls, as on every route (and
      // as vLLM says of calls before a stop), not "stop".
      name: "a call before the stop is kept, one after it is not (generation ends there)",
      blocks: [{ tool: "before" }, { text: "Checking.\n\nNow" }, { tool: "after" }],
      reason: "tool_use",
      stops: ["\n\n"],
      expected: { content: "Checking.", reasoning: "", calls: ["before"], finishes: ["tool_calls"] },
    },
    {
      name: "a stop across two text blocks",
      blocks: [{ text: "One\n" }, { text: "\nTwo" }],
      reason: "end_turn",
      stops: ["\n\n"],
      expected: { content: "One", reasoning: "", calls: [], finishes: ["stop"] },
    },
    {
      name: "no stop spans a reasoning block: the text on either side was never written together",
      blocks: [{ text: "Sure.\n" }, { reasoning: "Plan." }, { text: "\nHere is the plan." }],
      reason: "end_turn",
      stops: ["\n\n"],
      expected: { content: "Sure.\n\nHere is the plan.", reasoning: "Plan.", calls: [], finishes: ["stop"] },
    },
    {
      name: "no stop spans a tool call: the calls are kept, the finish Bedrock's",
      blocks: [
        { text: "Checking the weather.\n" },
        { tool: "weather" },
        { text: "\nThen the news." },
        { tool: "news" },
      ],
      reason: "tool_use",
      stops: ["\n\n"],
      expected: {
        content: "Checking the weather.\n\nThen the news.",
        reasoning: "",
        calls: ["weather", "news"],
        finishes: ["tool_calls"],
      },
    },
    {
      // mutation51: the stream gave out the held text at a call's first input, not at its start.
      name: "no stop spans a tool call without input either",
      blocks: [{ text: "Checking the time.\n" }, { tool: "now", input: false }, { text: "\nDone." }],
      reason: "tool_use",
      stops: ["\n\n"],
      expected: { content: "Checking the time.\n\nDone.", reasoning: "", calls: ["now"], finishes: ["tool_calls"] },
    },
    {
      name: "a text the stop never completes in is whole, its finish Bedrock's",
      blocks: [{ text: "One\n \nTwo\n" }, { tool: "f" }],
      reason: "tool_use",
      stops: ["\n\n"],
      expected: { content: "One\n \nTwo\n", reasoning: "", calls: ["f"], finishes: ["tool_calls"] },
    },
    {
      name: "a stop before the token limit is a stop",
      blocks: [{ text: "Cut\nshort by the lim" }],
      reason: "max_tokens",
      stops: ["\n"],
      expected: { content: "Cut", reasoning: "", calls: [], finishes: ["stop"] },
    },
  ];

  it.each(cases)("$name", ({ blocks, reason, stops, expected }) => {
    expect(plain(blocks, reason, stops)).toEqual(expected);
    const longest = Math.max(...blocks.map((block) => ("text" in block ? block.text.length : 0)));
    for (let first = 0; first <= longest; first++) {
      for (let second = first; second <= longest; second++) {
        const { read: _read, ...got } = streamed(events(blocks, reason, [first, second]), stops);
        expect(got).toEqual(expected);
      }
    }
  });

  it("once a stop completes the stream ends: nothing after it is read", () => {
    const blocks: Block[] = [{ text: "Hi.\nMore" }, { tool: "f" }];
    const list = events(blocks, "tool_use", [2, 4]);
    const result = streamed(list, ["\n"]);
    // messageStart, "Hi", ".\nMo": then done.
    expect(result).toMatchObject({ content: "Hi.", finishes: ["stop"], read: 3 });
    expect(result.read).toBeLessThan(list.length);
  });

  it("a stopped stream's end is no error, and Bedrock's counts read after the stop still count", () => {
    const mapper = createConverseStreamMapper(["\n"]);
    expect(mapper.push(ev("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "a\nb" } }))).toEqual([
      { delta: { content: "a" } },
      { delta: {}, finish_reason: "stop" },
    ]);
    expect(mapper.done?.()).toBe(true);
    expect(mapper.push(ev("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "more" } }))).toEqual([]);
    expect(mapper.push(ev("messageStop", { stopReason: "end_turn" }))).toEqual([]);
    expect(mapper.push(ev("metadata", { usage: USAGE }))).toEqual([
      { delta: {}, usage: { prompt_tokens: 20, completion_tokens: 9, total_tokens: 29 } },
    ]);
    expect(mapper.end()).toEqual([]);
  });

  it("a tail held back for a stop that never completes comes before the finish", () => {
    const mapper = createConverseStreamMapper(["\n\n"]);
    expect(mapper.push(ev("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "Done\n" } }))).toEqual([
      { delta: { content: "Done" } },
    ]);
    // The finish waits for the metadata event behind messageStop (stream.ts), or the stream's end.
    expect(mapper.push(ev("messageStop", { stopReason: "end_turn" }))).toEqual([{ delta: { content: "\n" } }]);
    expect(mapper.done?.()).toBe(false);
    expect(mapper.end()).toEqual([{ delta: {}, finish_reason: "stop" }]);
  });
});
