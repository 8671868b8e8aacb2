// ConverseStream events -> chunk deltas. The events (`:event-type` and its JSON payload):
//   messageStart {role} · contentBlockStart {contentBlockIndex, start: {toolUse: {toolUseId, name}}}
//   contentBlockDelta {contentBlockIndex, delta: {text} | {toolUse: {input}}
//                      | {reasoningContent: {text} | {signature} | {redactedContent}}}
//   contentBlockStop · messageStop {stopReason} · metadata {usage, metrics, serviceTier?}
// A tool call's first delta carries its id and name, later ones its argument fragments, each
// under the call's own `index` (its rank among the answer's tool calls). Stop sequences applied
// here (stops.ts) end the text as the plain answer's (answer.ts): a tail that could still become
// one is held back, and once one completes the answer ends with finish_reason "stop", the
// mapper `done`: the rest of Bedrock's stream is not read. The finish from messageStop is held
// for the metadata event right behind it, which says which service tier served: the finishing
// chunk then carries it, as OpenAI's chunks do. A stream that ends between the two still
// finishes (end()), and one that fails there (silent past idleTimeoutMs, an exception, a corrupt
// frame, a lost connection) gives its finish, with no tier, before the error (flush()). The answer
// has ended at messageStop (finished()): an answer with no text has only its held finish to show,
// and a failure after it is the stream's error, never create()'s (which would retry it).
import { isJsonObject, type JsonObject } from "../../json.ts";
import type { ChunkToolCall, FinishReason, ServiceTier, Usage } from "../../openai/types.ts";
import type { StreamMapper, StreamPart } from "../types.ts";
import { incompleteStream } from "../completion-route.ts";
import { finishWithCalls } from "../answer-parts.ts";
import { createStopCutter } from "../stop-cutter.ts";
import { callId, converseFinishReason, converseUsage } from "./answer.ts";
import { answeredServiceTier } from "./service-tier.ts";
import { matchedStop } from "./stops.ts";

/** Events in, deltas out; a stream cut before messageStop is an error at end(), not a short answer. */
export function createConverseStreamMapper(stops: readonly string[] = []): StreamMapper {
  // contentBlockIndex -> the call's index among tool calls.
  const calls = new Map<number, number>();
  // contentBlockIndex -> the reasoning text so far, which a signature closes.
  const reasoning = new Map<number, string>();
  // The tool blocks that sent any input: ConverseStream sends none for a call without arguments.
  const argued = new Set<number>();
  let finish: FinishReason | undefined;
  // messageStop's parts, until metadata (or the stream's end).
  let held: StreamPart[] = [];
  // What the metadata event said once it came (some models send it before messageStop).
  let said: { tier: ServiceTier | undefined } | undefined;
  const cutter = stops.length ? createStopCutter(stops) : undefined;
  // A stop completed: the answer is whole (done), and the stream reader reads no more events.
  let stopped = false;

  function textDelta(text: string): StreamPart[] {
    if (!cutter) return text ? [{ delta: { content: text } }] : [];
    const kept = cutter.push(text);
    const parts: StreamPart[] = kept.text ? [{ delta: { content: kept.text } }] : [];
    if (kept.stopped) {
      stopped = true;
      finish = finishWithCalls("stop", calls.size);
      parts.push({ delta: {}, finish_reason: finish });
    }
    return parts;
  }

  /**
   * Reasoning or a tool call ends the text before it: no stop spans them (the model never wrote
   * the text on either side together), and the tail held back is given out first.
   */
  function textEnds(parts: StreamPart[]): StreamPart[] {
    const rest = cutter?.flush();
    return rest ? [{ delta: { content: rest } }, ...parts] : parts;
  }

  /** The call for a content block; its first delta (id, type, name) when it is new. */
  function callFor(block: number, start: JsonObject | undefined): { index: number; first?: ChunkToolCall } {
    const known = calls.get(block);
    if (known !== undefined) return { index: known };
    const index = calls.size;
    calls.set(block, index);
    const name = typeof start?.name === "string" ? start.name : "";
    const first: ChunkToolCall = {
      index,
      id: callId(start?.toolUseId),
      type: "function",
      function: { name, arguments: "" },
    };
    return { index, first };
  }

  function blockDelta(json: JsonObject): StreamPart[] {
    const delta = isJsonObject(json.delta) ? json.delta : undefined;
    if (!delta) return [];
    if (typeof delta.text === "string") return textDelta(delta.text);
    if (isJsonObject(delta.reasoningContent)) return textEnds(reasoningDelta(blockIndex(json), delta.reasoningContent));
    if (isJsonObject(delta.toolUse)) return textEnds(toolDelta(json, delta.toolUse));
    return [];
  }

  function toolDelta(json: JsonObject, toolUse: JsonObject): StreamPart[] {
    const input = toolUse.input;
    // Some models send a tool call's input with no contentBlockStart before it.
    const block = blockIndex(json);
    const { index, first } = callFor(block, undefined);
    const fragment = typeof input === "string" ? input : "";
    if (fragment) argued.add(block);
    if (first?.function) {
      first.function.arguments = fragment;
      return [{ delta: { tool_calls: [first] } }];
    }
    return fragment ? [{ delta: { tool_calls: [{ index, function: { arguments: fragment } }] } }] : [];
  }

  /**
   * Reasoning text reads as reasoning_content; a signature (the block's last delta) or redacted
   * reasoning gives the whole block as a thinking block, to send back with this turn.
   */
  function reasoningDelta(block: number, source: JsonObject): StreamPart[] {
    const { text, signature, redactedContent } = source;
    if (typeof text === "string") {
      if (!text) return [];
      reasoning.set(block, (reasoning.get(block) ?? "") + text);
      return [{ delta: { reasoning_content: text } }];
    }
    if (typeof signature === "string" && signature) {
      const thinking = reasoning.get(block) ?? "";
      return [{ delta: { thinking_blocks: [{ type: "thinking", thinking, signature }] } }];
    }
    if (typeof redactedContent === "string" && redactedContent) {
      return [{ delta: { thinking_blocks: [{ type: "redacted_thinking", data: redactedContent }] } }];
    }
    return [];
  }

  /** The held finish, with the tier that served when Bedrock said. */
  function release(): StreamPart[] {
    const parts = held;
    held = [];
    const tier = said?.tier;
    return tier ? parts.map((part) => ({ ...part, service_tier: tier })) : parts;
  }

  return {
    push({ type, json }) {
      if (stopped) return type === "metadata" ? metadataParts(json) : [];
      switch (type) {
        case "contentBlockStart": {
          const start = isJsonObject(json.start) && isJsonObject(json.start.toolUse) ? json.start.toolUse : undefined;
          if (!start) return [];
          const { first } = callFor(blockIndex(json), start);
          return textEnds(first ? [{ delta: { tool_calls: [first] } }] : []);
        }
        case "contentBlockDelta":
          return blockDelta(json);
        case "contentBlockStop": {
          // A call that closes without input has no arguments: "{}", as the plain answer says,
          // never "" (which no JSON parser takes).
          const block = blockIndex(json);
          const index = calls.get(block);
          if (index === undefined || argued.has(block)) return [];
          return [{ delta: { tool_calls: [{ index, function: { arguments: "{}" } }] } }];
        }
        case "messageStop": {
          // The text held back for a stop that can no longer complete, or that completes inside
          // the stop Bedrock applied (and cut off).
          const upstream = matchedStop(json.stopReason, json.additionalModelResponseFields);
          const rest = upstream === undefined ? cutter?.flush() : cutter?.close(upstream);
          // The calls given out end the answer with tool_calls, as the plain answer's do (answer.ts).
          finish = finishWithCalls(converseFinishReason(json.stopReason), calls.size);
          const end: StreamPart = { delta: {}, finish_reason: finish };
          held = [end];
          const tail: StreamPart[] = rest ? [{ delta: { content: rest } }] : [];
          return said ? [...tail, ...release()] : tail;
        }
        case "metadata":
          said = { tier: answeredServiceTier(json.serviceTier) };
          return [...release(), ...metadataParts(json)];
        default:
          return [];
      }
    },
    end() {
      if (finish === undefined) throw incompleteStream("converse");
      return release();
    },
    // The stream failed: the text held back for a stop that can no longer complete is the
    // answer's (unicode51 U-01), before the finish held for its tier.
    flush() {
      const rest = finish === undefined ? cutter?.flush() : undefined;
      return rest ? [{ delta: { content: rest } }, ...release()] : release();
    },
    finished: () => finish !== undefined,
    done: () => stopped,
  };
}

function metadataParts(json: JsonObject): StreamPart[] {
  const usage: Usage | undefined = converseUsage(json.usage);
  return usage ? [{ delta: {}, usage }] : [];
}

function blockIndex(json: JsonObject): number {
  const index = json.contentBlockIndex;
  return typeof index === "number" && Number.isInteger(index) && index >= 0 ? index : 0;
}
