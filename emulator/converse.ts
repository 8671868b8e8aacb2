// Converse and ConverseStream: the conversation checked as Bedrock checks it, the same answer
// the chat format gives (same text, same pieces, so invoke and Converse streams compare), then
// the stop reason and usage the model id's options ask for, plain or as typed events.

import { type Answer, chatAnswer, type Piece } from "./answers.ts";
import type { Call } from "./call.ts";
import {
  type ConverseBlock,
  converseBody,
  converseEvents,
  type ConverseResult,
  type ConverseStopReason,
} from "./converse-json.ts";
import type { ConverseTarget } from "./converse-model-id.ts";
import { type ConverseRequest, parseConverseRequest } from "./converse-requests.ts";
import {
  cachePointProblem,
  foundationId,
  imageProblem,
  stopSequenceProblem,
  toolUseProblem,
} from "./converse-model-features.ts";
import { documentChatProblem } from "./converse-documents.ts";
import { thinksOnRequest } from "./converse-thinking.ts";
import { isRecord } from "./request-checks.ts";
import { awsError } from "./errors.ts";
import { eventFrame } from "./frames.ts";
import { stableHash } from "./hash.ts";
import type { Json } from "./json-schema-instance.ts";
import { faultForCall } from "./model-id.ts";
import { type JsonObject, latencyOf } from "./model-json.ts";
import { splitPieces } from "./pieces.ts";
import { carriesContextLength, eventStreamResponse, fail, faultError, jsonResponse, waitFor } from "./responses.ts";
import { FAMILY } from "./tool-markup.ts";

/** The default blocked message of a Bedrock guardrail. */
export const GUARDRAIL_MESSAGE = "Sorry, the model cannot answer this question.";

export async function converse(
  call: Call,
  target: ConverseTarget,
  json: unknown,
  bodyText: string,
  stream: boolean,
): Promise<Response> {
  const request = parseConverseRequest(json, stream);
  if (typeof request === "string") return fail(call, awsError("ValidationException", request));
  const toolProblem = isRecord(json) ? toolUseProblem(target, json, stream) : undefined;
  if (toolProblem) return fail(call, awsError("ValidationException", toolProblem));
  const imageRefusal = isRecord(json) ? imageProblem(target, json) : undefined;
  if (imageRefusal) return fail(call, awsError("ValidationException", imageRefusal));
  const documentRefusal = isRecord(json) ? documentChatProblem(target, json) : undefined;
  if (documentRefusal) return fail(call, awsError("ValidationException", documentRefusal));
  const cacheRefusal = isRecord(json) ? cachePointProblem(target, json) : undefined;
  if (cacheRefusal) return fail(call, awsError("ValidationException", cacheRefusal));
  const stopRefusal = stopSequenceProblem(target, request.stop);
  if (stopRefusal) return fail(call, awsError("ValidationException", stopRefusal));
  // AWS: Converse does not support Qwen2.5, Qwen2-VL, Qwen2.5-VL and GPT-OSS imports.
  if (target.format === "qwen2" || target.format === "openai") {
    return fail(
      call,
      awsError(
        "ValidationException",
        "This action doesn't support the model that you provided. Try again with a supported text or chat model.",
      ),
    );
  }
  const fault = faultForCall(target.callFaults, call.recorder.nextCall(target.modelId));
  if (fault) return fail(call, faultError(fault, target));
  await waitFor(target);
  // Claude answers its reasoning whenever thinking is on, `think` option or not.
  const fields = isRecord(json) ? json.additionalModelRequestFields : undefined;
  const spec = { ...target, think: target.think || thinksOnRequest(foundationId(target), fields) };
  const answer = chatAnswer(spec, {
    ...request,
    messages: request.system ? [{ role: "system", text: request.system }, ...request.messages] : request.messages,
    name: target.name,
    family: target.format ? FAMILY[target.format] : "qwen",
    parsesTools: true,
  });
  if (target.ctx && !carriesContextLength(target, stream)) {
    return fail(call, awsError("ValidationException", "Input is too long for requested model."));
  }
  const hash = stableHash(bodyText);
  const delayMs = stream ? (target.slowMs ?? call.config.chunkDelayMs) : 0;
  const result = converseResult(target, request, answer, hash, delayMs);
  if (!stream) return jsonResponse(call, converseBody(result));
  return eventStreamResponse(call, target, frames(result));
}

function* frames(result: ConverseResult): Generator<Uint8Array> {
  let index = 0;
  for (const event of converseEvents(result)) yield eventFrame(event.type, event.payload, index++);
}

/** The answer as Converse content blocks, ended as the options ask (a guardrail, a filter, a stop sequence). */
function converseResult(
  options: ConverseTarget,
  request: ConverseRequest,
  answer: Answer,
  hash: string,
  delayMs: number,
): ConverseResult {
  let pieces = answer.pieces;
  let stopReason = naturalStopReason(answer);
  let stopSequence = answer.stopReason;
  if (options.guardrail) {
    pieces = splitPieces(GUARDRAIL_MESSAGE).map((text): Piece => ({ channel: "content", text }));
    stopReason = "guardrail_intervened";
  } else if (options.filtered || options.stopseq) {
    pieces = pieces.slice(0, Math.max(1, Math.floor(pieces.length / 2)));
    stopReason = options.filtered ? "content_filtered" : "stop_sequence";
    if (options.stopseq) stopSequence = request.stop[0] ?? null;
  }
  const toolName = answer.toolCall?.name ?? "";
  const result: ConverseResult = {
    blocks: blocksOf(pieces, toolName, hash),
    stopReason,
    usage: usageOf(options, answer.promptTokens, pieces.length),
    latencyMs: latencyOf(pieces.length, delayMs).totalMs,
  };
  // Claude's own answer names its stop in its closing message_delta: `/delta/stop_sequence` finds it
  // there, `/stop_sequence` finds nothing (vercel/ai#11410). Other families: at the top.
  const claude = foundationId(options)?.startsWith("anthropic.");
  const modelFields = claude ? { delta: { stop_sequence: stopSequence } } : { stop_sequence: stopSequence };
  const fields = responseFields(request.responseFieldPaths, modelFields);
  if (fields) result.additionalModelResponseFields = fields;
  if (request.guardrailTrace) {
    result.trace = { guardrail: { actionReason: options.guardrail ? "Guardrail blocked." : "No action." } };
  }
  if (request.performanceConfig) result.performanceConfig = request.performanceConfig;
  if (request.serviceTier) result.serviceTier = request.serviceTier;
  return result;
}

function naturalStopReason(answer: Answer): ConverseStopReason {
  if (answer.finishReason === "tool_calls") return "tool_use";
  if (answer.finishReason === "length") return "max_tokens";
  return answer.stopReason === null ? "end_turn" : "stop_sequence";
}

/** Consecutive pieces of one channel make one block: reasoning, text, or a tool use. */
function blocksOf(pieces: readonly Piece[], toolName: string, hash: string): ConverseBlock[] {
  const blocks: ConverseBlock[] = [];
  let current: { channel: Piece["channel"]; texts: string[] } | undefined;
  const close = () => {
    if (!current) return;
    const { channel, texts } = current;
    if (channel === "reasoning") blocks.push({ kind: "reasoning", pieces: texts, signature: signatureOf(hash) });
    else if (channel === "content") blocks.push({ kind: "text", pieces: texts });
    else {
      blocks.push({
        kind: "toolUse",
        toolUseId: `tooluse_${hash}${blocks.length}`,
        name: toolName,
        pieces: texts,
        input: inputOf(texts),
      });
    }
  };
  for (const piece of pieces) {
    if (current?.channel !== piece.channel) {
      close();
      current = { channel: piece.channel, texts: [] };
    }
    current.texts.push(piece.text);
  }
  close();
  return blocks;
}

/** A tool input cut short by the token limit is no JSON: Converse answers what it can, an empty object. */
function inputOf(texts: readonly string[]): Json {
  try {
    return JSON.parse(texts.join("")) as Json;
  } catch {
    return {};
  }
}

/** Stands in for the model's signature over its reasoning: opaque, base64, deterministic. */
function signatureOf(hash: string): string {
  return btoa(`bedrock-emulator-reasoning-signature-${hash}`);
}

/** Token usage; with `cache`, part of the prompt was read from and part written to the prompt cache. */
function usageOf(options: ConverseTarget, promptTokens: number, outputTokens: number): JsonObject {
  if (!options.cache) {
    return { inputTokens: promptTokens, outputTokens, totalTokens: promptTokens + outputTokens };
  }
  const cacheReadInputTokens = Math.floor(promptTokens / 2);
  const cacheWriteInputTokens = Math.floor(promptTokens / 4);
  return {
    inputTokens: promptTokens - cacheReadInputTokens - cacheWriteInputTokens,
    outputTokens,
    totalTokens: promptTokens + outputTokens,
    cacheReadInputTokens,
    cacheWriteInputTokens,
  };
}

/** The requested JSON pointers into the model's own answer fields; paths that point nowhere are left out. */
function responseFields(paths: readonly string[], modelFields: JsonObject): JsonObject | undefined {
  if (paths.length === 0) return undefined;
  const out: JsonObject = {};
  for (const path of paths) {
    const keys = path
      .slice(1)
      .split("/")
      .map((key) => key.replace(/~1/g, "/").replace(/~0/g, "~"));
    const found = pointed(modelFields, keys);
    // The answer keeps the path's shape: `/delta/stop_sequence` -> {delta: {stop_sequence}}.
    if (found !== undefined) placeAt(out, keys, found);
  }
  return out;
}

function pointed(value: unknown, keys: readonly string[]): unknown {
  const [key, ...rest] = keys;
  if (key === undefined) return value;
  return isRecord(value) && key in value ? pointed(value[key], rest) : undefined;
}

function placeAt(into: JsonObject, keys: readonly string[], value: unknown): void {
  const [key, ...rest] = keys;
  if (key === undefined) return;
  if (rest.length === 0) {
    into[key] = value;
    return;
  }
  const inner = into[key];
  const next: JsonObject = isRecord(inner) ? inner : {};
  into[key] = next;
  placeAt(next, rest, value);
}
