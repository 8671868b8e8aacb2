// The two completion formats of imported models: Bedrock's own (BedrockCompletion: `prompt`,
// `max_gen_len`…, a strict schema) and OpenAI's Completions body (OpenAICompletion: `prompt`,
// `max_tokens`…, extra keys ignored as vLLM ignores them). Pure; a string is the complaint.

import {
  checkBoolean,
  checkInteger,
  checkNumber,
  checkStop,
  checkString,
  firstProblem,
  isRecord,
  MAX_GEN_LEN,
  MAX_LOGPROBS,
  MAX_N,
  malformed,
  STREAM_IN_BODY,
  stopStrings,
  typeName,
} from "./request-checks.ts";
import { type Constraint, constraintOf, responseFormatConstraint } from "./structured-output.ts";

export interface BedrockCompletionRequest {
  kind: "bedrock-completion";
  prompt: string;
  maxTokens?: number;
  stop: string[];
  constraint?: Constraint;
  /** `return_logprobs`: top-1 logprob per output token, keyed by token id. */
  returnLogprobs: boolean;
}

export interface OpenAICompletionRequest {
  kind: "openai-completion";
  /** One or more prompts: n choices each, in order. */
  prompts: string[];
  model?: string;
  maxTokens: number;
  n: number;
  stop: string[];
  constraint?: Constraint;
  /** Alternatives per token; `undefined`: no logprobs. */
  logprobs?: number;
  echo: boolean;
  promptLogprobs?: number;
}

/** Prompts per Completions body (vLLM caps them too; this is the emulator's own number). */
const MAX_PROMPTS = 128;
/** vLLM's default when a Completions body leaves max_tokens null. */
const DEFAULT_COMPLETION_TOKENS = 16;

// BedrockCompletion's schema: anything else is an "extraneous key".
const BEDROCK_COMPLETION_KEYS = new Set([
  "prompt",
  "max_gen_len",
  "temperature",
  "top_p",
  "top_k",
  "stop",
  "seed",
  "images",
  "response_format",
  "return_logprobs",
]);
export function parseBedrockCompletion(body: Record<string, unknown>): BedrockCompletionRequest | string {
  const { prompt, max_gen_len, temperature, top_p, top_k, stop, seed, images, response_format, return_logprobs } = body;
  // Every violation at once, joined the way Bedrock's schema validation joins them.
  const violations: string[] = [];
  if (prompt === undefined) violations.push("required key [prompt] not found");
  else if (typeof prompt !== "string") violations.push(`prompt: expected type: String, found: ${typeName(prompt)}`);
  else if (prompt.length === 0) violations.push("prompt: expected minLength: 1, actual: 0");
  const extraneous = Object.keys(body).filter((key) => !BEDROCK_COMPLETION_KEYS.has(key));
  for (const key of extraneous.slice(0, 10)) violations.push(`extraneous key [${key.slice(0, 100)}] is not permitted`);
  if (violations.length > 0 || typeof prompt !== "string") return malformed(violations.join("#: "));
  const problem = firstProblem(
    checkInteger("max_gen_len", max_gen_len, 1, MAX_GEN_LEN),
    checkNumber("temperature", temperature, 0, 2),
    checkNumber("top_p", top_p, 0, 1),
    checkInteger("top_k", top_k, -1, 1_000_000),
    checkInteger("seed", seed, 0, Number.MAX_SAFE_INTEGER),
    checkStop(stop),
    checkImages(images),
    checkBoolean("return_logprobs", return_logprobs),
  );
  if (problem) return problem;
  const constraint = responseFormatConstraint(response_format);
  if (typeof constraint === "string") return constraint;
  const request: BedrockCompletionRequest = {
    kind: "bedrock-completion",
    prompt,
    stop: stopStrings(stop),
    returnLogprobs: return_logprobs === true,
  };
  if (typeof max_gen_len === "number") request.maxTokens = max_gen_len;
  if (constraint) request.constraint = constraint;
  return request;
}

export function parseOpenAICompletion(
  body: Record<string, unknown>,
  stream: boolean,
): OpenAICompletionRequest | string {
  if ("stream" in body || "stream_options" in body) return STREAM_IN_BODY;
  const { prompt, model, max_tokens, n, stop, logprobs, echo, prompt_logprobs, suffix } = body;
  const given: unknown[] | undefined =
    typeof prompt === "string" ? [prompt] : Array.isArray(prompt) ? prompt : undefined;
  const prompts = given?.filter((item): item is string => typeof item === "string" && item !== "");
  if (!given || !prompts || prompts.length === 0 || prompts.length !== given.length) {
    return given?.some((item) => typeof item === "number" || Array.isArray(item))
      ? malformed("prompt: token-id prompts are not supported; send the prompt text")
      : "Either prompt or prompt_embeds must be provided and non-empty.";
  }
  if (given.length > MAX_PROMPTS) {
    return `prompt list length ${given.length} exceeds the maximum allowed count of ${MAX_PROMPTS}.`;
  }
  if (suffix !== undefined && suffix !== null) return "suffix is not currently supported";
  const problem = firstProblem(
    checkString("model", model),
    max_tokens === null ? undefined : checkInteger("max_tokens", max_tokens, 1, MAX_GEN_LEN),
    checkInteger("n", n, 1, MAX_N),
    checkNumber("temperature", body.temperature, 0, 2),
    checkNumber("top_p", body.top_p, 0, 1),
    checkInteger("top_k", body.top_k, -1, 1_000_000),
    checkNumber("min_p", body.min_p, 0, 1),
    checkInteger("seed", body.seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
    checkNumber("presence_penalty", body.presence_penalty, -2, 2),
    checkNumber("frequency_penalty", body.frequency_penalty, -2, 2),
    checkNumber("repetition_penalty", body.repetition_penalty, 0, 2),
    checkInteger("best_of", body.best_of, 1, MAX_N),
    checkInteger("logprobs", logprobs, 0, MAX_LOGPROBS),
    checkInteger("prompt_logprobs", prompt_logprobs, -1, MAX_LOGPROBS),
    checkBoolean("echo", echo),
    checkStop(stop),
    body.logit_bias === undefined || isRecord(body.logit_bias)
      ? undefined
      : malformed(`logit_bias: expected type: JSONObject, found: ${typeName(body.logit_bias)}`),
  );
  if (problem) return problem;
  if (stream && typeof prompt_logprobs === "number" && prompt_logprobs !== 0) {
    return "`prompt_logprobs` are not available when `stream=True`.";
  }
  const constraint = constraintOf(body);
  if (typeof constraint === "string") return constraint;
  const request: OpenAICompletionRequest = {
    kind: "openai-completion",
    prompts,
    maxTokens: typeof max_tokens === "number" ? max_tokens : DEFAULT_COMPLETION_TOKENS,
    n: typeof n === "number" ? n : 1,
    stop: stopStrings(stop),
    echo: echo === true,
  };
  if (typeof model === "string") request.model = model;
  if (typeof logprobs === "number") request.logprobs = logprobs;
  if (typeof prompt_logprobs === "number") request.promptLogprobs = Math.max(prompt_logprobs, 1);
  if (constraint) request.constraint = constraint;
  return request;
}

function checkImages(images: unknown): string | undefined {
  if (images === undefined) return undefined;
  if (Array.isArray(images) && images.every((item) => typeof item === "string")) return undefined;
  return malformed("images: expected an array of base64 strings");
}
