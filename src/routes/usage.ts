import type { FinishReason, Usage } from "../openai/types.ts";

export function tokenCount(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : undefined;
}

export function makeUsage(prompt: number, completion: number): Usage {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** An OpenAI-style `usage` object in a model's answer, when it is one. */
export function usageFromBody(value: unknown): Usage | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const usage = value as Record<string, unknown>;
  const prompt = tokenCount(usage.prompt_tokens);
  const completion = tokenCount(usage.completion_tokens);
  return prompt === undefined || completion === undefined ? undefined : makeUsage(prompt, completion);
}

/** Bedrock completion format: `prompt_token_count` / `generation_token_count`. */
export function usageFromCounts(body: Record<string, unknown>): Usage | undefined {
  const prompt = tokenCount(body.prompt_token_count);
  const completion = tokenCount(body.generation_token_count);
  return prompt === undefined || completion === undefined ? undefined : makeUsage(prompt, completion);
}

/** The `amazon-bedrock-invocationMetrics` object Bedrock adds to a stream's last chunk. */
export function usageFromInvocationMetrics(value: unknown): Usage | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const metrics = value as Record<string, unknown>;
  const prompt = tokenCount(metrics.inputTokenCount);
  const completion = tokenCount(metrics.outputTokenCount);
  return prompt === undefined || completion === undefined ? undefined : makeUsage(prompt, completion);
}

/** The model's stop reason in OpenAI's words; `length` stays `length`. */
export function finishReason(stopReason: unknown): FinishReason | undefined {
  if (typeof stopReason !== "string" || !stopReason) return undefined;
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
