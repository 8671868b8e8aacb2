// OpenAICompletion answers, shaped as vLLM's Completions server writes them (what Bedrock runs
// for imported models): a `text_completion` with one choice per prompt and per `n`, every field
// vLLM serialises (nulls included), OpenAI's completion logprobs `{text_offset, token_logprobs,
// tokens, top_logprobs}`. Streams are vLLM's chunks, one per token, a choice's last chunk
// carrying its finish_reason; Bedrock adds its invocation metrics to the very last chunk.

import type { Answer } from "./answers.ts";
import { countCodePoints } from "./code-points.ts";
import { logprobOf, promptLogprobs, promptTokens, topLogprobsOf } from "./logprobs.ts";
import {
  type Counts,
  type Identity,
  invocationMetrics,
  type JsonObject,
  type Latency,
  textOf,
  usageJson,
} from "./model-json.ts";

export interface CompletionChoice {
  index: number;
  prompt: string;
  answer: Answer;
}

export interface OpenAICompletionShape {
  usage: boolean;
  /** Alternatives per token (`logprobs`); `undefined`: none. */
  logprobs?: number;
  echo: boolean;
  promptLogprobs?: number;
}

interface Token {
  text: string;
  /** The answer piece's index; echoed prompt tokens have none, and no logprob (as in vLLM). */
  position?: number;
}

export function openaiCompletionBody(
  identity: Identity,
  shape: OpenAICompletionShape,
  choices: readonly CompletionChoice[],
  counts: Counts,
): JsonObject {
  return {
    id: identity.id,
    object: "text_completion",
    created: identity.created,
    model: identity.model,
    choices: choices.map(({ index, prompt, answer }) => ({
      index,
      text: (shape.echo ? prompt : "") + textOf(answer, "content"),
      logprobs:
        shape.logprobs === undefined ? null : completionLogprobs(tokensOf(shape, prompt, answer), shape.logprobs, 0),
      finish_reason: answer.finishReason,
      stop_reason: answer.stopReason,
      token_ids: null,
      prompt_logprobs:
        shape.promptLogprobs === undefined ? null : promptLogprobs(prompt, answer.promptTokens, shape.promptLogprobs),
      prompt_token_ids: null,
    })),
    service_tier: null,
    system_fingerprint: null,
    ...(shape.usage ? { usage: usageJson(counts) } : {}),
    kv_transfer_params: null,
  };
}

/**
 * One chunk per token, the choices taking turns (as vLLM interleaves them); a choice that ends
 * on its own (`stop`) sends a last empty chunk with the finish reason, one cut at its limit
 * (`length`) carries it on its last token.
 */
export function* openaiCompletionChunks(
  identity: Identity,
  shape: OpenAICompletionShape,
  choices: readonly CompletionChoice[],
  counts: Counts,
  latency: Latency,
): Generator<JsonObject> {
  const steps = choices.map(({ answer }) => answer.pieces.length + (answer.finishReason === "length" ? 0 : 1));
  const total = steps.reduce((sum, count) => sum + count, 0);
  const offsets = choices.map(() => 0);
  let sent = 0;
  for (let step = 0; sent < total; step++) {
    for (const [position, choice] of choices.entries()) {
      if (step >= (steps[position] ?? 0)) continue;
      const { answer } = choice;
      const piece = answer.pieces[step];
      const last = step === (steps[position] ?? 0) - 1;
      const echoed = shape.echo && step === 0 ? choice.prompt : "";
      const tokens: Token[] = [
        ...(echoed ? promptTokens(echoed, answer.promptTokens).map((text) => ({ text })) : []),
        ...(piece ? [{ text: piece.text, position: step }] : []),
      ];
      const text = echoed + (piece?.text ?? "");
      const logprobs =
        shape.logprobs === undefined ? null : completionLogprobs(tokens, shape.logprobs, offsets[position] ?? 0);
      offsets[position] = (offsets[position] ?? 0) + countCodePoints(text);
      sent++;
      yield {
        id: identity.id,
        object: "text_completion",
        created: identity.created,
        model: identity.model,
        choices: [
          {
            index: choice.index,
            text,
            logprobs,
            finish_reason: last ? answer.finishReason : null,
            stop_reason: last ? answer.stopReason : null,
            prompt_token_ids: null,
            token_ids: null,
          },
        ],
        usage: null,
        ...(sent === total && shape.usage ? invocationMetrics(counts, latency) : {}),
      };
    }
  }
}

function tokensOf(shape: OpenAICompletionShape, prompt: string, answer: Answer): Token[] {
  const tokens: Token[] = shape.echo ? promptTokens(prompt, answer.promptTokens).map((text) => ({ text })) : [];
  for (const [position, piece] of answer.pieces.entries()) tokens.push({ text: piece.text, position });
  return tokens;
}

/** OpenAI's completion logprobs; `initialOffset`: where a stream chunk's text starts. */
function completionLogprobs(tokens: readonly Token[], alternatives: number, initialOffset: number) {
  const textOffset: number[] = [];
  const tokenLogprobs: (number | null)[] = [];
  const topLogprobs: (Record<string, number> | null)[] = [];
  let offset = initialOffset;
  for (const token of tokens) {
    const { position } = token;
    textOffset.push(offset);
    offset += countCodePoints(token.text);
    if (position === undefined) {
      tokenLogprobs.push(null);
      topLogprobs.push(null);
      continue;
    }
    tokenLogprobs.push(logprobOf(token.text, position));
    // vLLM lists the chosen token and `logprobs` alternatives.
    const top: Record<string, number> = {};
    for (const entry of topLogprobsOf(token.text, position, alternatives + 1)) top[entry.token] = entry.logprob;
    topLogprobs.push(top);
  }
  return {
    text_offset: textOffset,
    token_logprobs: tokenLogprobs,
    tokens: tokens.map((token) => token.text),
    top_logprobs: topLogprobs,
  };
}
