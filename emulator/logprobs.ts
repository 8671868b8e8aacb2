// Deterministic token ids and log probabilities for the pieces of an answer (one piece, one
// token), and the less likely alternatives a model would list beside each. Pure functions.

import { hashNumber } from "./hash.ts";

/** Qwen2.5's vocabulary size; ids fall in [100, VOCABULARY). */
const VOCABULARY = 151_936;
const ALTERNATIVES = [
  " the",
  " a",
  ",",
  ".",
  " and",
  " to",
  " of",
  "\n",
  " is",
  " in",
  " it",
  " that",
  " for",
  " on",
  " with",
  " as",
  " I",
  " you",
  " was",
  " be",
  " we",
  " this",
];

export interface TokenLogprob {
  token: string;
  logprob: number;
}

export function tokenIdOf(token: string): number {
  return 100 + (hashNumber(token) % (VOCABULARY - 100));
}

/** The chosen token's logprob at `position`: between -2 and 0. */
export function logprobOf(token: string, position: number): number {
  return -round((hashNumber(`${position}:${token}`) % 2000) / 1000);
}

/** `count` other tokens, each less likely than the chosen one, none equal to it. */
function alternativesOf(token: string, position: number, count: number): TokenLogprob[] {
  const chosen = logprobOf(token, position);
  const start = hashNumber(`${token}:${position}`) % ALTERNATIVES.length;
  const out: TokenLogprob[] = [];
  for (let step = 0; out.length < count && step < ALTERNATIVES.length; step++) {
    const candidate = ALTERNATIVES[(start + step) % ALTERNATIVES.length] ?? "";
    if (candidate !== token) out.push({ token: candidate, logprob: round(chosen - 1 - out.length * 0.5) });
  }
  return out;
}

/** The chosen token first, then alternatives: `count` entries in all. */
export function topLogprobsOf(token: string, position: number, count: number): TokenLogprob[] {
  if (count <= 0) return [];
  return [{ token, logprob: logprobOf(token, position) }, ...alternativesOf(token, position, count - 1)];
}

export function utf8Bytes(text: string): number[] {
  return Array.from(new TextEncoder().encode(text));
}

/**
 * The prompt cut into `count` "tokens" of nearly equal length (the emulator has no tokenizer;
 * `count` is its prompt token count), for prompt logprobs and echoed prompts.
 */
export function promptTokens(prompt: string, count: number): string[] {
  const size = Math.max(1, Math.ceil(prompt.length / count));
  const tokens: string[] = [];
  let start = 0;
  while (start < prompt.length) {
    let end = Math.min(prompt.length, start + size);
    // Never cut a surrogate pair.
    if (end < prompt.length && /[\uDC00-\uDFFF]/.test(prompt.charAt(end))) end++;
    tokens.push(prompt.slice(start, end));
    start = end;
  }
  return tokens;
}

/** vLLM's `prompt_logprobs`: null for the first token, then `{id: {logprob, rank, decoded_token}}`. */
export function promptLogprobs(
  prompt: string,
  count: number,
  alternatives: number,
): (Record<string, unknown> | null)[] {
  return promptTokens(prompt, count).map((token, position) => {
    if (position === 0) return null;
    const entry: Record<string, unknown> = {
      [String(tokenIdOf(token))]: { logprob: logprobOf(token, position), rank: 1, decoded_token: token },
    };
    for (const [rank, other] of alternativesOf(token, position, alternatives - 1).entries()) {
      entry[String(tokenIdOf(other.token))] = { logprob: other.logprob, rank: rank + 2, decoded_token: other.token };
    }
    return entry;
  });
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
