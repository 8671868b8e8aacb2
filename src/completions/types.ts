// OpenAI's legacy Completions API (`client.completions.create`), as bedrock-edge speaks it: a raw
// prompt, no chat template. Shapes follow the `openai` package so its code moves over unchanged;
// test/openai-types.test.ts checks they stay assignable both ways.
import type { Usage } from "../openai/types.ts";
import type { StructuredOutputs } from "../openai/structured-outputs.ts";

/** The Completions request, as the `openai` package types it, plus Bedrock's extensions. */
export interface CompletionCreateParams {
  /**
   * `bedrock/<route>/[<region>/]<model-id>` on a route that takes a raw prompt (`deepseek_r1`,
   * `llama`, `qwen3`, `qwen2` or `openai`; not `converse`), or a name in the client's `models` table
   * (only a name, with `onlyListedModels`).
   */
  model: string;
  /** Text, or several texts (one choice each). Token-id prompts are refused: Bedrock takes text. */
  prompt: string | string[] | number[] | number[][] | null;
  max_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  /** Not in OpenAI's API; Bedrock's formats accept it. */
  top_k?: number | null;
  n?: number | null;
  stop?: string | string[] | null;
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean; include_obfuscation?: boolean } | null;
  seed?: number | null;
  presence_penalty?: number | null;
  frequency_penalty?: number | null;
  logit_bias?: Record<string, number> | null;
  /** How many alternatives to list beside each token's log probability (0-5 at OpenAI, 0-20 here). */
  logprobs?: number | null;
  echo?: boolean | null;
  best_of?: number | null;
  /** Not supported: refused with a 400 that says so. */
  suffix?: string | null;
  user?: string;
  /** Bedrock's extensions for imported models (OpenAICompletion; BedrockCompletion takes response_format only). */
  response_format?: { type: "text" } | { type: "json_object" } | { type: "json_schema"; json_schema: object } | null;
  structured_outputs?: StructuredOutputs | null;
  /** Drop parameters the model's format cannot honour instead of a 400 (LiteLLM's convention; never sent). */
  drop_params?: boolean;
}

export type StreamingCompletionParams = CompletionCreateParams & { stream: true };
export type NonStreamingCompletionParams = CompletionCreateParams & { stream?: false | null };

/** A request as validation leaves it: text prompts, checked values. */
export interface CompletionRequest extends Omit<CompletionCreateParams, "prompt" | "stop"> {
  prompt: string | string[];
  stop?: string | string[] | null;
}

/**
 * OpenAI's Completions logprobs, typed as the `openai` package types them. With `echo`, the
 * prompt's tokens come first with null in `token_logprobs` and `top_logprobs`, as OpenAI's own
 * API sends them: the package's type does not say so, and this one keeps the package's shape.
 */
export interface CompletionChoiceLogprobs {
  text_offset?: number[];
  token_logprobs?: number[];
  tokens?: string[];
  top_logprobs?: Array<Record<string, number>>;
}

export type CompletionFinishReason = "stop" | "length" | "content_filter";

export interface CompletionChoice {
  index: number;
  text: string;
  finish_reason: CompletionFinishReason;
  logprobs: CompletionChoiceLogprobs | null;
}

export interface Completion {
  id: string;
  object: "text_completion";
  created: number;
  model: string;
  choices: CompletionChoice[];
  usage?: Usage;
  /** Never set (declared as the openai package declares it, for code that reads it). */
  system_fingerprint?: string;
}

/**
 * A stream chunk: a Completion whose choices carry each choice's new text. `finish_reason` is
 * null until a choice's last chunk, as OpenAI's API sends it (the `openai` package types chunks
 * as Completion, without the nulls). With `stream_options.include_usage`, a last chunk has no
 * choices and the usage, and every chunk before it `usage: null`.
 */
export interface CompletionChunk extends Omit<Completion, "choices" | "usage"> {
  choices: Array<Omit<CompletionChoice, "finish_reason"> & { finish_reason: CompletionFinishReason | null }>;
  usage?: Usage | null;
}

/** A streamed completion: iterate it for chunks; abort() (or leaving the loop) cancels the upstream calls. */
export interface CompletionStream extends AsyncIterable<CompletionChunk> {
  abort(): void;
}
