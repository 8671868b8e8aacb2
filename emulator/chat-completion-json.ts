// OpenAIChatCompletion answers, shaped as vLLM's chat server writes them (what Bedrock runs for
// imported models): every field of its ChatCompletionResponse, nulls and empty lists included
// (`reasoning_content: null`, `tool_calls: []`, `stop_reason`, `token_ids`, `prompt_logprobs`,
// `kv_transfer_params`, `service_tier`, `system_fingerprint`…), and its stream chunks, which
// carry only the fields set (`exclude_unset`). Bedrock adds its invocation metrics to the very
// last chunk.
//
// vLLM's own quirk, kept: a forced tool call (tool_choice required or named) finishes with
// "stop" in a plain answer but "tool_calls" in a stream.

import type { Answer, Piece } from "./answers.ts";
import { promptLogprobs, topLogprobsOf, utf8Bytes } from "./logprobs.ts";
import {
  type Counts,
  type Identity,
  invocationMetrics,
  type JsonObject,
  type Latency,
  textOf,
  usageJson,
} from "./model-json.ts";

export interface ChatChoice {
  index: number;
  answer: Answer;
  /** The id of the choice's tool call, when it makes one. */
  toolCallId: string;
}

export interface ChatShape {
  usage: boolean;
  logprobs: boolean;
  topLogprobs: number;
  promptLogprobs?: number;
  /** The conversation as text, for prompt logprobs. */
  promptText: string;
}

export function chatCompletionBody(
  identity: Identity,
  shape: ChatShape,
  choices: readonly ChatChoice[],
  counts: Counts,
): JsonObject {
  return {
    id: identity.id,
    object: "chat.completion",
    created: identity.created,
    model: identity.model,
    choices: choices.map((choice) => {
      const { answer } = choice;
      const args = textOf(answer, "tool");
      // A call cut off before its first argument piece (max_tokens spent on reasoning) was never
      // made: the stream of the same answer has none either.
      const call = args ? answer.toolCall : undefined;
      const content = textOf(answer, "content");
      return {
        index: choice.index,
        message: {
          role: "assistant",
          // vLLM: an automatic call leaves no text (null), a forced one an empty string.
          content: call ? (call.forced ? content : content || null) : content,
          refusal: null,
          annotations: null,
          audio: null,
          function_call: null,
          tool_calls: call
            ? [
                {
                  id: choice.toolCallId,
                  type: "function",
                  function: { name: call.name, arguments: args },
                },
              ]
            : [],
          reasoning_content: textOf(answer, "reasoning") || null,
        },
        logprobs: shape.logprobs
          ? { content: answer.pieces.map((piece, at) => logprobContent(piece, at, shape)) }
          : null,
        finish_reason: call?.forced && answer.finishReason === "tool_calls" ? "stop" : answer.finishReason,
        stop_reason: answer.stopReason,
        token_ids: null,
      };
    }),
    service_tier: null,
    system_fingerprint: null,
    ...(shape.usage ? { usage: usageJson(counts) } : {}),
    prompt_logprobs:
      shape.promptLogprobs === undefined
        ? null
        : promptLogprobs(shape.promptText, counts.promptTokens, shape.promptLogprobs),
    prompt_token_ids: null,
    kv_transfer_params: null,
  };
}

/**
 * A role chunk per choice, then one chunk per piece with the choices taking turns; a choice that
 * ends on its own sends a last chunk with its finish reason, one cut at its limit carries the
 * reason on its last piece.
 */
export function* chatCompletionChunks(
  identity: Identity,
  shape: ChatShape,
  choices: readonly ChatChoice[],
  counts: Counts,
  latency: Latency,
): Generator<JsonObject> {
  const chunk = (choice: JsonObject, extra: JsonObject = {}): JsonObject => ({
    id: identity.id,
    object: "chat.completion.chunk",
    created: identity.created,
    model: identity.model,
    choices: [choice],
    ...extra,
  });
  for (const { index } of choices) {
    yield chunk(
      { index, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null },
      { prompt_token_ids: null },
    );
  }
  const steps = choices.map(({ answer }) => answer.pieces.length + (answer.finishReason === "length" ? 0 : 1));
  const total = steps.reduce((sum, count) => sum + count, 0);
  const firstToolPieces = choices.map(({ answer }) => answer.pieces.findIndex((piece) => piece.channel === "tool"));
  let sent = 0;
  for (let step = 0; sent < total; step++) {
    for (const [position, choice] of choices.entries()) {
      if (step >= (steps[position] ?? 0)) continue;
      const { answer } = choice;
      const piece = answer.pieces[step];
      const last = step === (steps[position] ?? 0) - 1;
      sent++;
      const delta = piece ? pieceDelta(piece, choice, step === firstToolPieces[position]) : finalDelta(answer);
      const logprobs = piece && shape.logprobs ? { content: [logprobContent(piece, step, shape)] } : null;
      const ending = last
        ? { finish_reason: answer.finishReason, stop_reason: answer.stopReason }
        : { finish_reason: null };
      yield chunk(
        { index: choice.index, delta, logprobs, ...ending, token_ids: null },
        sent === total && shape.usage ? invocationMetrics(counts, latency) : {},
      );
    }
  }
}

function pieceDelta(piece: Piece, choice: ChatChoice, firstToolPiece: boolean): JsonObject {
  if (piece.channel === "reasoning") return { reasoning_content: piece.text };
  if (piece.channel === "content") return { content: piece.text };
  const name = choice.answer.toolCall?.name ?? "";
  const call = firstToolPiece
    ? { id: choice.toolCallId, type: "function", index: 0, function: { name, arguments: piece.text } }
    : { index: 0, function: { arguments: piece.text } };
  return { tool_calls: [call] };
}

/** The end-of-sequence token decodes to no text: an empty content delta (none after a tool call). */
function finalDelta(answer: Answer): JsonObject {
  return answer.toolCall ? {} : { content: "" };
}

function logprobContent(piece: Piece, position: number, shape: ChatShape): JsonObject {
  const [chosen] = topLogprobsOf(piece.text, position, 1);
  return {
    token: piece.text,
    logprob: chosen?.logprob ?? 0,
    bytes: utf8Bytes(piece.text),
    top_logprobs: topLogprobsOf(piece.text, position, shape.topLogprobs).map((entry) => ({
      token: entry.token,
      logprob: entry.logprob,
      bytes: utf8Bytes(entry.token),
    })),
  };
}
