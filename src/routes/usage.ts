import { badUpstream } from "../errors.ts";
import type { FinishReason, Usage } from "../openai/types.ts";

/**
 * The most tokens one count from Bedrock may say: no model reads or writes 2^31 tokens in a call.
 * A count past it (1e308 is a whole number to JavaScript) is no count, as a negative one is: the
 * estimate stands in, and no total becomes Infinity (`null` in JSON), no key's settle fails on it,
 * and a usage table's sums stay within SQLite's integers (numbers43 #1).
 */
export const MAX_TOKEN_COUNT = 2 ** 31 - 1;

export function tokenCount(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= MAX_TOKEN_COUNT
    ? value
    : undefined;
}

export function makeUsage(prompt: number, completion: number): Usage {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** Usage from an object's two count fields; undefined unless both are token counts. */
function usageFrom(value: unknown, promptKey: string, completionKey: string): Usage | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const counts = value as Record<string, unknown>;
  const prompt = tokenCount(counts[promptKey]);
  const completion = tokenCount(counts[completionKey]);
  return prompt === undefined || completion === undefined ? undefined : makeUsage(prompt, completion);
}

/** An OpenAI-style `usage` object in a model's answer, when it is one. */
export const usageFromBody = (value: unknown) => usageFrom(value, "prompt_tokens", "completion_tokens");

/** Bedrock completion format: `prompt_token_count` / `generation_token_count`. */
export const usageFromCounts = (body: unknown) => usageFrom(body, "prompt_token_count", "generation_token_count");

/** The `amazon-bedrock-invocationMetrics` object Bedrock adds to a stream's last chunk. */
export const usageFromInvocationMetrics = (value: unknown) => usageFrom(value, "inputTokenCount", "outputTokenCount");

/** vLLM's ends of a generation it gave up on (a request aborted, an engine error): the answer is cut short. */
const GAVE_UP: unknown[] = ["abort", "error"];

/**
 * The model's stop reason in OpenAI's words; `length` stays `length`. None for a generation the
 * model server gave up on: a stream that ends so never finished (incomplete_stream).
 */
export function finishReason(stopReason: unknown): FinishReason | undefined {
  if (typeof stopReason !== "string" || !stopReason || GAVE_UP.includes(stopReason)) return undefined;
  switch (stopReason) {
    case "length":
    case "max_tokens":
    case "max_length":
      return "length";
    case "tool_calls":
    case "tool_use":
      return "tool_calls";
    case "content_filter":
    case "content_filtered":
      return "content_filter";
    default:
      return "stop";
  }
}

/**
 * A plain answer's finish: its stop reason's, or `stop` where it names none (a whole body, which
 * Bedrock sends once the model is done); a 502 for a generation the model server gave up on,
 * as a stream that ends so is, carrying the answer's `usage`: Bedrock billed it all the same.
 */
export function plainFinish(stopReason: unknown, route?: string, usage?: Usage): FinishReason {
  const finish = finishReason(stopReason);
  if (finish) return finish;
  if (GAVE_UP.includes(stopReason)) {
    const error = badUpstream(
      `Bedrock's answer ended before the model finished (stop reason "${stopReason}"; route ${route}).`,
    );
    if (usage) error.usage = usage;
    throw error;
  }
  return "stop";
}
