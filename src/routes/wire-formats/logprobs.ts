// Log probabilities as the servers behind Bedrock write them, read into OpenAI's shapes. Model
// output is untrusted: every entry is checked and rebuilt, nothing is passed on as it came.
import { isJsonObject } from "../../json.ts";
import type { PromptLogprobs, TokenLogprob, TopLogprob } from "../../openai/types.ts";

/** OpenAI's Completions logprobs, as vLLM writes them (echoed prompt tokens have null logprobs). */
export interface CompletionLogprobs {
  text_offset: number[];
  token_logprobs: Array<number | null>;
  tokens: string[];
  top_logprobs: Array<Record<string, number> | null>;
}

const encoder = new TextEncoder();

function utf8(token: string): number[] {
  return Array.from(encoder.encode(token));
}

function isNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function numberOrNull(value: unknown): number | null {
  return isNumber(value) ? value : null;
}

function bytesOf(value: unknown, token: string): number[] {
  return Array.isArray(value) && value.every((byte) => Number.isInteger(byte) && byte >= 0 && byte <= 255)
    ? (value as number[])
    : utf8(token);
}

/** A completion `top_logprobs` entry ({token: logprob}) as a clean record. */
function alternatives(value: unknown): Record<string, number> | null {
  if (!isJsonObject(value)) return null;
  // A null prototype: a model may well print "__proto__" as a token.
  const out: Record<string, number> = Object.create(null);
  for (const [token, logprob] of Object.entries(value)) if (isNumber(logprob)) out[token] = logprob;
  return out;
}

/**
 * vLLM's Completions `logprobs` ({text_offset, token_logprobs, tokens, top_logprobs}), checked;
 * undefined when absent or not that shape. Arrays stay aligned on `tokens`.
 */
export function readCompletionLogprobs(value: unknown): CompletionLogprobs | undefined {
  if (!isJsonObject(value) || !Array.isArray(value.tokens)) return undefined;
  const offsets = Array.isArray(value.text_offset) ? value.text_offset : [];
  const logprobs = Array.isArray(value.token_logprobs) ? value.token_logprobs : [];
  const tops = Array.isArray(value.top_logprobs) ? value.top_logprobs : [];
  const out: CompletionLogprobs = { text_offset: [], token_logprobs: [], tokens: [], top_logprobs: [] };
  value.tokens.forEach((token: unknown, at) => {
    out.tokens.push(typeof token === "string" ? token : "");
    out.text_offset.push(numberOrNull(offsets[at]) ?? 0);
    out.token_logprobs.push(numberOrNull(logprobs[at]));
    out.top_logprobs.push(alternatives(tops[at]));
  });
  return out;
}

/**
 * Completion logprobs -> Chat Completions' `content[]`: each token with its UTF-8 bytes and the
 * `top` likeliest tokens at its place (vLLM lists the chosen token beside the alternatives asked
 * for, so the list is sorted and cut to what Chat Completions' `top_logprobs` asked). Tokens
 * without a logprob (an echoed prompt) are not the answer's and are left out.
 */
export function chatLogprobsFromCompletion(logprobs: CompletionLogprobs, top: number): TokenLogprob[] {
  const out: TokenLogprob[] = [];
  logprobs.tokens.forEach((token, at) => {
    const logprob = logprobs.token_logprobs[at];
    if (logprob === null || logprob === undefined) return;
    const ranked = Object.entries(logprobs.top_logprobs[at] ?? {})
      .sort(([, a], [, b]) => b - a)
      .slice(0, top)
      .map(([text, value]): TopLogprob => ({ token: text, logprob: value, bytes: utf8(text) }));
    out.push({ token, logprob, bytes: utf8(token), top_logprobs: ranked });
  });
  return out;
}

function topLogprob(value: unknown): TopLogprob | undefined {
  if (!isJsonObject(value) || typeof value.token !== "string" || !isNumber(value.logprob)) return undefined;
  return { token: value.token, logprob: value.logprob, bytes: bytesOf(value.bytes, value.token) };
}

/** Chat logprobs (`{content: [{token, logprob, bytes, top_logprobs}]}`) rebuilt from a vLLM answer or chunk. */
export function readChatLogprobs(value: unknown): TokenLogprob[] | undefined {
  if (!isJsonObject(value) || !Array.isArray(value.content)) return undefined;
  const out: TokenLogprob[] = [];
  for (const entry of value.content) {
    const token = topLogprob(entry);
    if (!token || !isJsonObject(entry)) continue;
    const tops = Array.isArray(entry.top_logprobs) ? entry.top_logprobs : [];
    out.push({ ...token, top_logprobs: tops.map(topLogprob).filter((item) => item !== undefined) });
  }
  return out;
}

/** vLLM's `prompt_logprobs`, checked: per prompt token null, or token id -> {logprob, rank, decoded_token}. */
export function readPromptLogprobs(value: unknown): PromptLogprobs | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.map((position: unknown) => {
    if (!isJsonObject(position)) return null;
    const entry: NonNullable<PromptLogprobs[number]> = Object.create(null);
    for (const [id, item] of Object.entries(position)) {
      if (!isJsonObject(item) || !isNumber(item.logprob)) continue;
      entry[id] = {
        logprob: item.logprob,
        ...(isNumber(item.rank) ? { rank: item.rank } : {}),
        ...(typeof item.decoded_token === "string" ? { decoded_token: item.decoded_token } : {}),
      };
    }
    return entry;
  });
}
