// The JSON a model answers with: one object for InvokeModel, a sequence of chunk objects for
// InvokeModelWithResponseStream. Completion formats speak `{generation, …_token_count,
// stop_reason}`; the openai format speaks `chat.completion` / `chat.completion.chunk`.

import type { Answer, CompletionFormat, Piece } from "./answers.ts";

export type JsonObject = { [key: string]: unknown };

export interface Latency {
  firstByteMs: number;
  totalMs: number;
}

/** Deterministic latencies: what the stream would take with `delayMs` between frames. */
export function latencyOf(answer: Answer, delayMs: number): Latency {
  const firstByteMs = 12;
  return { firstByteMs, totalMs: firstByteMs + answer.pieces.length * (1 + delayMs) };
}

function textField(format: CompletionFormat): "generation" | "text" {
  return format === "qwen2" ? "text" : "generation";
}

export function completionBody(format: CompletionFormat, answer: Answer, usage: boolean): JsonObject {
  return {
    [textField(format)]: answer.pieces.map((piece) => piece.text).join(""),
    ...(usage ? { prompt_token_count: answer.promptTokens, generation_token_count: answer.outputTokens } : {}),
    stop_reason: answer.finishReason === "length" ? "length" : "stop",
  };
}

function invocationMetrics(answer: Answer, latency: Latency): JsonObject {
  return {
    "amazon-bedrock-invocationMetrics": {
      inputTokenCount: answer.promptTokens,
      outputTokenCount: answer.outputTokens,
      invocationLatency: latency.totalMs,
      firstByteLatency: latency.firstByteMs,
    },
  };
}

/** One chunk per piece; the last one carries `stop_reason` and the invocation metrics. */
export function* completionChunks(
  format: CompletionFormat,
  answer: Answer,
  usage: boolean,
  latency: Latency,
): Generator<JsonObject> {
  const pieces = answer.pieces.length > 0 ? answer.pieces : [{ channel: "content", text: "" } satisfies Piece];
  for (const [index, piece] of pieces.entries()) {
    const last = index === pieces.length - 1;
    yield {
      [textField(format)]: piece.text,
      ...(usage
        ? {
            prompt_token_count: index === 0 ? answer.promptTokens : null,
            generation_token_count: Math.min(index + 1, answer.outputTokens),
          }
        : {}),
      stop_reason: last ? (answer.finishReason === "length" ? "length" : "stop") : null,
      ...(last && usage ? invocationMetrics(answer, latency) : {}),
    };
  }
}

export interface ChatIdentity {
  id: string;
  created: number;
  model: string;
}

export const TOOL_CALL_ID = "call_emulator_0";

export function chatCompletionBody(identity: ChatIdentity, answer: Answer, usage: boolean): JsonObject {
  const text = (channel: Piece["channel"]) =>
    answer.pieces
      .filter((piece) => piece.channel === channel)
      .map((piece) => piece.text)
      .join("");
  const reasoning = text("reasoning");
  const message: JsonObject = { role: "assistant", content: answer.toolName === undefined ? text("content") : null };
  if (reasoning) message.reasoning_content = reasoning;
  if (answer.toolName !== undefined) {
    message.tool_calls = [
      { id: TOOL_CALL_ID, type: "function", function: { name: answer.toolName, arguments: text("tool") } },
    ];
  }
  return {
    id: identity.id,
    object: "chat.completion",
    created: identity.created,
    model: identity.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: answer.finishReason }],
    ...(usage
      ? {
          usage: {
            prompt_tokens: answer.promptTokens,
            completion_tokens: answer.outputTokens,
            total_tokens: answer.promptTokens + answer.outputTokens,
          },
        }
      : {}),
  };
}

/** Role delta first, one delta per piece, then a last chunk with `finish_reason`. */
export function* chatChunks(
  identity: ChatIdentity,
  answer: Answer,
  usage: boolean,
  latency: Latency,
): Generator<JsonObject> {
  const chunk = (delta: JsonObject, finishReason: string | null = null): JsonObject => ({
    id: identity.id,
    object: "chat.completion.chunk",
    created: identity.created,
    model: identity.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  });
  yield chunk({ role: "assistant", content: "" });
  let toolStarted = false;
  for (const piece of answer.pieces) {
    if (piece.channel === "reasoning") yield chunk({ reasoning_content: piece.text });
    else if (piece.channel === "content") yield chunk({ content: piece.text });
    else {
      const call: JsonObject = toolStarted
        ? { index: 0, function: { arguments: piece.text } }
        : { index: 0, id: TOOL_CALL_ID, type: "function", function: { name: answer.toolName, arguments: piece.text } };
      toolStarted = true;
      yield chunk({ tool_calls: [call] });
    }
  }
  yield { ...chunk({}, answer.finishReason), ...(usage ? invocationMetrics(answer, latency) : {}) };
}

/** FNV-1a, for ids that depend only on the request. */
export function stableHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}
