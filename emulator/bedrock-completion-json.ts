// BedrockCompletion answers: `{generation, prompt_token_count, generation_token_count,
// stop_reason}` (qwen2 imports put the text in `text`), and with `return_logprobs` the top-1
// logprob of every output token keyed by its id: `[{"<token id>": logprob}, …]`.

import type { Answer, Piece } from "./answers.ts";
import { logprobOf, tokenIdOf } from "./logprobs.ts";
import type { ModelFormat } from "./model-id.ts";
import { invocationMetrics, type JsonObject, type Latency, textOf } from "./model-json.ts";

export interface BedrockCompletionShape {
  format: ModelFormat;
  usage: boolean;
  returnLogprobs: boolean;
}

function textField(format: ModelFormat): "generation" | "text" {
  return format === "qwen2" ? "text" : "generation";
}

function stopReason(answer: Answer): string {
  return answer.finishReason === "length" ? "length" : "stop";
}

function logprobEntry(piece: Piece, position: number): JsonObject {
  return { [String(tokenIdOf(piece.text))]: logprobOf(piece.text, position) };
}

export function bedrockCompletionBody(shape: BedrockCompletionShape, answer: Answer): JsonObject {
  return {
    [textField(shape.format)]: textOf(answer, "content"),
    ...(shape.usage ? { prompt_token_count: answer.promptTokens, generation_token_count: answer.outputTokens } : {}),
    stop_reason: stopReason(answer),
    ...(shape.returnLogprobs ? { logprobs: answer.pieces.map(logprobEntry) } : {}),
  };
}

/** One chunk per piece; the last one carries `stop_reason` and the invocation metrics. */
export function* bedrockCompletionChunks(
  shape: BedrockCompletionShape,
  answer: Answer,
  latency: Latency,
): Generator<JsonObject> {
  const pieces = answer.pieces.length > 0 ? answer.pieces : [{ channel: "content", text: "" } satisfies Piece];
  for (const [index, piece] of pieces.entries()) {
    const last = index === pieces.length - 1;
    yield {
      [textField(shape.format)]: piece.text,
      ...(shape.usage
        ? {
            prompt_token_count: index === 0 ? answer.promptTokens : null,
            generation_token_count: Math.min(index + 1, answer.outputTokens),
          }
        : {}),
      stop_reason: last ? stopReason(answer) : null,
      ...(shape.returnLogprobs && index < answer.pieces.length ? { logprobs: [logprobEntry(piece, index)] } : {}),
      ...(last && shape.usage ? invocationMetrics(answer, latency) : {}),
    };
  }
}
