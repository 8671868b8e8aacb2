import { describe, expect, it } from "vitest";
import { BedrockEdgeError } from "../../errors.ts";
import type { JsonObject } from "../../json.ts";
import type { StreamPart } from "../types.ts";
import type { BedrockStreamEvent } from "../../eventstream/events.ts";
import { createConverseStreamMapper } from "./stream.ts";

const ev = (type: string, json: JsonObject): BedrockStreamEvent => ({ type, json });
const text = (index: number, value: string) =>
  ev("contentBlockDelta", { contentBlockIndex: index, delta: { text: value } });
const think = (index: number, value: string) =>
  ev("contentBlockDelta", { contentBlockIndex: index, delta: { reasoningContent: { text: value } } });
const toolStart = (index: number, id: string, name: string) =>
  ev("contentBlockStart", { contentBlockIndex: index, start: { toolUse: { toolUseId: id, name } } });
const toolInput = (index: number, input: string) =>
  ev("contentBlockDelta", { contentBlockIndex: index, delta: { toolUse: { input } } });
const stop = (index: number) => ev("contentBlockStop", { contentBlockIndex: index });
const messageStop = (stopReason: string) => ev("messageStop", { stopReason });
const metadata = ev("metadata", {
  usage: { inputTokens: 20, outputTokens: 9, totalTokens: 29 },
  metrics: { latencyMs: 300 },
});

function run(events: BedrockStreamEvent[]): StreamPart[] {
  const mapper = createConverseStreamMapper();
  return [...events.flatMap((event) => mapper.push(event)), ...mapper.end()];
}

describe("ConverseStream events -> chunk deltas", () => {
  it("text deltas, then the finish from messageStop, then usage from metadata", () => {
    expect(
      run([
        ev("messageStart", { role: "assistant" }),
        text(0, "Hel"),
        text(0, "lo"),
        stop(0),
        messageStop("end_turn"),
        metadata,
      ]),
    ).toEqual([
      { delta: { content: "Hel" } },
      { delta: { content: "lo" } },
      { delta: {}, finish_reason: "stop" },
      { delta: {}, usage: { prompt_tokens: 20, completion_tokens: 9, total_tokens: 29 } },
    ]);
  });

  it("reasoning deltas are reasoning_content; a signature closes the block as a thinking block", () => {
    const parts = run([
      think(0, "Hmm, "),
      think(0, "yes."),
      ev("contentBlockDelta", { contentBlockIndex: 0, delta: { reasoningContent: { signature: "EqQB" } } }),
      stop(0),
      ev("contentBlockDelta", { contentBlockIndex: 1, delta: { reasoningContent: { redactedContent: "c2Vj" } } }),
      stop(1),
      text(2, "Yes"),
      messageStop("end_turn"),
    ]);
    expect(parts).toEqual([
      { delta: { reasoning_content: "Hmm, " } },
      { delta: { reasoning_content: "yes." } },
      { delta: { thinking_blocks: [{ type: "thinking", thinking: "Hmm, yes.", signature: "EqQB" }] } },
      { delta: { thinking_blocks: [{ type: "redacted_thinking", data: "c2Vj" }] } },
      { delta: { content: "Yes" } },
      { delta: {}, finish_reason: "stop" },
    ]);
  });

  it("tool calls: a first delta with id and name, then argument fragments, each under its own index", () => {
    const parts = run([
      text(0, "Let me check."),
      stop(0),
      toolStart(1, "tooluse_A", "get_weather"),
      toolInput(1, '{"city":'),
      toolInput(1, '"Paris"}'),
      stop(1),
      toolStart(2, "tooluse_B", "get_weather"),
      toolInput(2, '{"city":"Rome"}'),
      stop(2),
      messageStop("tool_use"),
    ]);
    expect(parts).toEqual([
      { delta: { content: "Let me check." } },
      {
        delta: {
          tool_calls: [
            { index: 0, id: "tooluse_A", type: "function", function: { name: "get_weather", arguments: "" } },
          ],
        },
      },
      { delta: { tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] } },
      { delta: { tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] } },
      {
        delta: {
          tool_calls: [
            { index: 1, id: "tooluse_B", type: "function", function: { name: "get_weather", arguments: "" } },
          ],
        },
      },
      { delta: { tool_calls: [{ index: 1, function: { arguments: '{"city":"Rome"}' } }] } },
      { delta: {}, finish_reason: "tool_calls" },
    ]);
  });

  it("a tool input with no contentBlockStart still starts a call with an id", () => {
    const parts = run([toolInput(0, "{}"), messageStop("tool_use")]);
    expect(parts[0]).toEqual({
      delta: {
        tool_calls: [
          { index: 0, id: expect.stringMatching(/^call_/), type: "function", function: { name: "", arguments: "{}" } },
        ],
      },
    });
  });

  it.each([
    ["max_tokens", "length"],
    ["stop_sequence", "stop"],
    ["guardrail_intervened", "content_filter"],
    ["content_filtered", "content_filter"],
  ])("messageStop %s finishes with %s", (reason, finish) => {
    expect(run([text(0, "x"), messageStop(reason)]).at(-1)).toEqual({ delta: {}, finish_reason: finish });
  });

  it("usage may come before messageStop too", () => {
    const parts = run([text(0, "x"), metadata, messageStop("end_turn")]);
    expect(parts.map((part) => Object.keys(part))).toEqual([["delta"], ["delta", "usage"], ["delta", "finish_reason"]]);
  });

  it("a tool call whose only input delta is empty has the arguments {}, which a client can parse", () => {
    const parts = run([toolStart(0, "t1", "now"), toolInput(0, ""), stop(0), messageStop("tool_use")]);
    const args = parts.flatMap((part) => part.delta.tool_calls ?? []).map((call) => call.function?.arguments ?? "");
    expect(args.join("")).toBe("{}");
  });

  it("empty deltas and unknown events yield nothing", () => {
    expect(
      run([
        text(0, ""),
        think(0, ""),
        ev("somethingNew", { x: 1 }),
        toolStart(0, "t", "f"),
        toolInput(0, ""),
        messageStop("tool_use"),
      ]),
    ).toHaveLength(2);
  });

  it("the tier metadata says served is on the finishing part, held for it (OpenAI's chunks carry service_tier)", () => {
    const mapper = createConverseStreamMapper();
    expect(mapper.push(text(0, "Hi"))).toEqual([{ delta: { content: "Hi" } }]);
    expect(mapper.push(messageStop("end_turn"))).toEqual([]);
    expect(mapper.push(ev("metadata", { ...metadata.json, serviceTier: { type: "reserved" } }))).toEqual([
      { delta: {}, finish_reason: "stop", service_tier: "scale" },
      { delta: {}, usage: { prompt_tokens: 20, completion_tokens: 9, total_tokens: 29 } },
    ]);
    expect(mapper.end()).toEqual([]);
  });

  it("the tier of a metadata event that came before messageStop is on the finish too", () => {
    const tiered = ev("metadata", { ...metadata.json, serviceTier: { type: "flex" } });
    expect(run([text(0, "x"), tiered, messageStop("end_turn")]).at(-1)).toEqual({
      delta: {},
      finish_reason: "stop",
      service_tier: "flex",
    });
  });

  it("without a tier in metadata, or without metadata, the finish goes out as it was", () => {
    expect(run([text(0, "Hi"), messageStop("end_turn"), metadata])).toEqual([
      { delta: { content: "Hi" } },
      { delta: {}, finish_reason: "stop" },
      { delta: {}, usage: { prompt_tokens: 20, completion_tokens: 9, total_tokens: 29 } },
    ]);
    const mapper = createConverseStreamMapper();
    mapper.push(messageStop("max_tokens"));
    expect(mapper.end()).toEqual([{ delta: {}, finish_reason: "length" }]);
  });

  it("a stream that fails while the finish waits for metadata gets it from flush(), naming no tier, once", () => {
    const mapper = createConverseStreamMapper();
    expect(mapper.flush?.()).toEqual([]);
    mapper.push(toolStart(0, "tooluse_1", "get_weather"));
    expect(mapper.push(messageStop("tool_use"))).toEqual([]);
    expect(mapper.flush?.()).toEqual([{ delta: {}, finish_reason: "tool_calls" }]);
    expect(mapper.flush?.()).toEqual([]);
    // Once metadata let it out, nothing is left to flush.
    const told = createConverseStreamMapper();
    told.push(messageStop("end_turn"));
    told.push(ev("metadata", { ...metadata.json, serviceTier: { type: "flex" } }));
    expect(told.flush?.()).toEqual([]);
  });

  it("finished() from messageStop on: the answer has ended, its finish held or not", () => {
    const mapper = createConverseStreamMapper();
    mapper.push(text(0, ""));
    expect(mapper.finished?.()).toBe(false);
    mapper.push(messageStop("end_turn"));
    expect(mapper.finished?.()).toBe(true);
    mapper.push(ev("metadata", { ...metadata.json, serviceTier: { type: "flex" } }));
    expect(mapper.finished?.()).toBe(true);
  });

  it("a stream that ends before messageStop is an error, not a short answer", () => {
    const mapper = createConverseStreamMapper();
    mapper.push(text(0, "Half an ans"));
    let caught: unknown;
    try {
      mapper.end();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(BedrockEdgeError);
    expect(caught).toMatchObject({ status: 502, code: "incomplete_stream" });
  });
});
