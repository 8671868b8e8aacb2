// Converse answers and ConverseStream events, as the Bedrock Runtime API reference and the AWS
// SDK's deserialiser define them:
//
//   Converse        {output: {message: {role, content: [reasoningContent | text | toolUse]}},
//                    stopReason, usage, metrics, additionalModelResponseFields?, trace?, performanceConfig?,
//                    serviceTier?}
//   ConverseStream  messageStart, then per content block [contentBlockStart (toolUse only)],
//                   contentBlockDelta…, contentBlockStop, then messageStop and metadata.

import type { Json } from "./json-schema-instance.ts";
import type { JsonObject } from "./model-json.ts";
import { isRecord } from "./request-checks.ts";

export type ConverseStopReason =
  | "end_turn"
  | "stop_sequence"
  | "max_tokens"
  | "tool_use"
  | "guardrail_intervened"
  | "content_filtered";

export type ConverseBlock =
  | { kind: "reasoning"; pieces: string[]; signature: string }
  | { kind: "text"; pieces: string[] }
  /** `pieces` are the input's JSON text in fragments, as ConverseStream sends it. */
  | { kind: "toolUse"; toolUseId: string; name: string; pieces: string[]; input: Json };

export interface ConverseResult {
  blocks: ConverseBlock[];
  stopReason: ConverseStopReason;
  usage: JsonObject;
  latencyMs: number;
  additionalModelResponseFields?: JsonObject;
  trace?: JsonObject;
  performanceConfig?: JsonObject;
  /** The tier that served the call: in the answer, and in ConverseStream's metadata event. */
  serviceTier?: JsonObject;
}

function contentBlock(block: ConverseBlock): JsonObject {
  switch (block.kind) {
    case "reasoning":
      return { reasoningContent: { reasoningText: { text: block.pieces.join(""), signature: block.signature } } };
    case "text":
      return { text: block.pieces.join("") };
    case "toolUse":
      return { toolUse: { toolUseId: block.toolUseId, name: block.name, input: block.input } };
  }
}

export function converseBody(result: ConverseResult): JsonObject {
  return {
    output: { message: { role: "assistant", content: result.blocks.map(contentBlock) } },
    stopReason: result.stopReason,
    usage: result.usage,
    metrics: { latencyMs: result.latencyMs },
    ...(result.additionalModelResponseFields
      ? { additionalModelResponseFields: result.additionalModelResponseFields }
      : {}),
    ...(result.trace ? { trace: result.trace } : {}),
    ...(result.performanceConfig ? { performanceConfig: result.performanceConfig } : {}),
    ...(result.serviceTier ? { serviceTier: result.serviceTier } : {}),
  };
}

export interface ConverseEvent {
  type: "messageStart" | "contentBlockStart" | "contentBlockDelta" | "contentBlockStop" | "messageStop" | "metadata";
  payload: JsonObject;
}

export function* converseEvents(result: ConverseResult): Generator<ConverseEvent> {
  yield { type: "messageStart", payload: { role: "assistant" } };
  for (const [contentBlockIndex, block] of result.blocks.entries()) {
    const delta = (value: JsonObject): ConverseEvent => ({
      type: "contentBlockDelta",
      payload: { contentBlockIndex, delta: value },
    });
    if (block.kind === "toolUse") {
      yield {
        type: "contentBlockStart",
        payload: { contentBlockIndex, start: { toolUse: { toolUseId: block.toolUseId, name: block.name } } },
      };
      // A call without arguments streams no input at all, as ConverseStream sends it (clients
      // such as vercel/ai and spring-ai handle that case; the plain answer says `input: {}`).
      if (!isEmptyInput(block.input)) for (const piece of block.pieces) yield delta({ toolUse: { input: piece } });
    } else if (block.kind === "reasoning") {
      for (const piece of block.pieces) yield delta({ reasoningContent: { text: piece } });
      yield delta({ reasoningContent: { signature: block.signature } });
    } else {
      for (const piece of block.pieces) yield delta({ text: piece });
    }
    yield { type: "contentBlockStop", payload: { contentBlockIndex } };
  }
  yield {
    type: "messageStop",
    payload: {
      stopReason: result.stopReason,
      ...(result.additionalModelResponseFields
        ? { additionalModelResponseFields: result.additionalModelResponseFields }
        : {}),
    },
  };
  yield {
    type: "metadata",
    payload: {
      usage: result.usage,
      metrics: { latencyMs: result.latencyMs },
      ...(result.trace ? { trace: result.trace } : {}),
      ...(result.performanceConfig ? { performanceConfig: result.performanceConfig } : {}),
      ...(result.serviceTier ? { serviceTier: result.serviceTier } : {}),
    },
  };
}

function isEmptyInput(input: Json): boolean {
  return isRecord(input) && Object.keys(input).length === 0;
}
