// Legacy Completions answers from the text a wire format read: one `text_completion` (or one
// chunk per piece) whatever number of upstream calls made it. Each call's choices are moved to
// their place among all the request's (prompts in order, `n` each), and `echo` is honoured here
// when the format cannot do it itself. Pure functions.
import type { FinishReason, Usage } from "../openai/types.ts";
import type { CompletionLogprobs } from "../routes/wire-formats/logprobs.ts";
import type { TextAnswer, TextPiece } from "../routes/wire-formats/types.ts";
import { makeUsage } from "../routes/usage.ts";
import type { Completion, CompletionChoiceLogprobs, CompletionChunk, CompletionFinishReason } from "./types.ts";

export interface CompletionMeta {
  id: string;
  created: number;
  model: string;
}

/** One upstream call of a request: where its choices go, and the prompt to echo before them. */
export interface CallPlace {
  /** Added to the call's own choice indexes. */
  offset: number;
  /** Written before each of the call's choices (`echo` the format could not carry). */
  echo?: string;
}

/** Completions knows no tool calls: a model's "tool_calls" stop is a plain stop here. */
function legacyFinish(reason: FinishReason): CompletionFinishReason {
  return reason === "tool_calls" ? "stop" : reason;
}

/**
 * The `openai` package types token logprobs as numbers; an echoed prompt's tokens have null
 * there, as OpenAI's own API sends them (types.ts says so where the type is declared).
 */
function logprobsOut(logprobs: CompletionLogprobs | undefined): CompletionChoiceLogprobs | null {
  return logprobs ? (logprobs as CompletionChoiceLogprobs) : null;
}

/** The sum of every call's usage; none unless every call reported one (a count is never invented). */
export function totalUsage(usages: ReadonlyArray<Usage | undefined>): Usage | undefined {
  let prompt = 0;
  let completion = 0;
  for (const usage of usages) {
    if (!usage) return undefined;
    prompt += usage.prompt_tokens;
    completion += usage.completion_tokens;
  }
  return makeUsage(prompt, completion);
}

export function completionFrom(
  meta: CompletionMeta,
  calls: ReadonlyArray<{ place: CallPlace; answer: TextAnswer }>,
): Completion {
  const choices = calls.flatMap(({ place, answer }) =>
    answer.pieces.map((piece) => ({
      index: place.offset + piece.index,
      text: (place.echo ?? "") + piece.text,
      finish_reason: legacyFinish(piece.finish ?? "stop"),
      logprobs: logprobsOut(piece.logprobs),
    })),
  );
  choices.sort((a, b) => a.index - b.index);
  const completion: Completion = { ...meta, object: "text_completion", choices };
  const usage = totalUsage(calls.map(({ answer }) => answer.usage));
  if (usage) completion.usage = usage;
  return completion;
}

/**
 * One call's pieces -> stream chunks; the echo goes before each choice's first text. With usage
 * asked for, each says `usage: null` until the last chunk, the usage chunk, as OpenAI's do.
 */
export function createChunkMaker(
  meta: CompletionMeta,
  place: CallPlace,
  askedUsage: boolean,
): (piece: TextPiece) => CompletionChunk {
  const echoed = new Set<number>();
  return (piece) => {
    let text = piece.text;
    if (place.echo !== undefined && !echoed.has(piece.index)) {
      echoed.add(piece.index);
      text = place.echo + text;
    }
    const chunk: CompletionChunk = {
      id: meta.id,
      object: "text_completion",
      created: meta.created,
      model: meta.model,
      choices: [
        {
          index: place.offset + piece.index,
          text,
          finish_reason: piece.finish ? legacyFinish(piece.finish) : null,
          logprobs: logprobsOut(piece.logprobs),
        },
      ],
    };
    if (askedUsage) chunk.usage = null;
    return chunk;
  };
}

/** The last chunk of a stream that asked for usage: no choices, the usage of every call. */
export function usageChunk(meta: CompletionMeta, usage: Usage): CompletionChunk {
  return { id: meta.id, object: "text_completion", created: meta.created, model: meta.model, choices: [], usage };
}
