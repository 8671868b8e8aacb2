// Every parameter the official `openai` package types as nullable, sent as null: what code like
// `temperature: opts.temperature ?? null` sends, and what OpenAI's API reads as "not set". Each
// list is checked against the package's own request types, so a nullable parameter a new
// version adds is a type error here until it is listed.
import type { ChatCompletionCreateParamsBase } from "openai/resources/chat/completions";
import type { CompletionCreateParamsBase } from "openai/resources/completions";
import type { ResponseCreateParamsBase } from "openai/resources/responses/responses";

/** The keys of T whose values may be null. */
type NullableKeys<T> = { [K in keyof T]-?: null extends T[K] ? K : never }[keyof T];

type AllNull<T, Except extends keyof T = never> = Record<Exclude<NullableKeys<T>, Except>, null>;

/** Chat Completions; `stream` is the caller's to set (null is a plain answer). */
export const NULL_CHAT_PARAMS = {
  audio: null,
  frequency_penalty: null,
  logit_bias: null,
  logprobs: null,
  max_completion_tokens: null,
  max_tokens: null,
  metadata: null,
  modalities: null,
  moderation: null,
  n: null,
  prediction: null,
  presence_penalty: null,
  prompt_cache_key: null,
  prompt_cache_retention: null,
  reasoning_effort: null,
  safety_identifier: null,
  seed: null,
  service_tier: null,
  stop: null,
  store: null,
  stream_options: null,
  temperature: null,
  top_logprobs: null,
  top_p: null,
  verbosity: null,
} as const satisfies AllNull<ChatCompletionCreateParamsBase, "stream">;

/** Legacy Completions; a null `prompt` would be OpenAI's end-of-text token, which no model here has. */
export const NULL_COMPLETION_PARAMS = {
  best_of: null,
  echo: null,
  frequency_penalty: null,
  logit_bias: null,
  logprobs: null,
  max_tokens: null,
  n: null,
  presence_penalty: null,
  seed: null,
  stop: null,
  stream_options: null,
  suffix: null,
  temperature: null,
  top_p: null,
} as const satisfies AllNull<CompletionCreateParamsBase, "prompt" | "stream">;

/** The Responses API. */
export const NULL_RESPONSE_PARAMS = {
  background: null,
  context_management: null,
  conversation: null,
  include: null,
  instructions: null,
  max_output_tokens: null,
  metadata: null,
  moderation: null,
  parallel_tool_calls: null,
  previous_response_id: null,
  prompt: null,
  prompt_cache_key: null,
  prompt_cache_retention: null,
  reasoning: null,
  safety_identifier: null,
  service_tier: null,
  store: null,
  stream_options: null,
  temperature: null,
  top_logprobs: null,
  top_p: null,
  truncation: null,
} as const satisfies AllNull<ResponseCreateParamsBase, "stream">;
