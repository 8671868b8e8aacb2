// What every answer shape shares: JSON objects, deterministic latencies, and the invocation
// metrics Bedrock adds to the last chunk of an InvokeModelWithResponseStream answer.

import type { Answer } from "./answers.ts";

export type JsonObject = { [key: string]: unknown };

export interface Latency {
  firstByteMs: number;
  totalMs: number;
}

/** Deterministic latencies: what the stream would take with `delayMs` between frames. */
export function latencyOf(pieces: number, delayMs: number): Latency {
  const firstByteMs = 12;
  return { firstByteMs, totalMs: firstByteMs + pieces * (1 + delayMs) };
}

/** Token counts of all answers together (n choices, several prompts). */
export interface Counts {
  promptTokens: number;
  outputTokens: number;
}

export function countsOf(answers: readonly Answer[], promptTokens: number): Counts {
  return { promptTokens, outputTokens: answers.reduce((sum, answer) => sum + answer.outputTokens, 0) };
}

/** `amazon-bedrock-invocationMetrics`, on the last chunk of every invoke stream. */
export function invocationMetrics(counts: Counts, latency: Latency): JsonObject {
  return {
    "amazon-bedrock-invocationMetrics": {
      inputTokenCount: counts.promptTokens,
      outputTokenCount: counts.outputTokens,
      invocationLatency: latency.totalMs,
      firstByteLatency: latency.firstByteMs,
    },
  };
}

/** The id, creation time and model name every OpenAI-shaped answer and chunk repeats. */
export interface Identity {
  id: string;
  created: number;
  model: string;
}

/** vLLM's usage object. */
export function usageJson(counts: Counts): JsonObject {
  return {
    prompt_tokens: counts.promptTokens,
    total_tokens: counts.promptTokens + counts.outputTokens,
    completion_tokens: counts.outputTokens,
    prompt_tokens_details: null,
  };
}

export function textOf(answer: Answer, channel: Answer["pieces"][number]["channel"]): string {
  let text = "";
  for (const piece of answer.pieces) if (piece.channel === channel) text += piece.text;
  return text;
}
