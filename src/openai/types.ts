// The subset of the OpenAI Chat Completions API that bedrock-edge speaks.
// Shapes follow the `openai` package so its client code moves over unchanged;
// test/openai-types.test.ts checks they stay assignable.
import type { StructuredOutputs } from "./structured-outputs.ts";

export type Role = "system" | "developer" | "user" | "assistant" | "tool";

/**
 * Anthropic's prompt-cache mark, as clients written for Claude put it on a part, a message or a
 * tool: the converse route sends Bedrock a cachePoint after what it marks, where the model caches
 * prompts (docs/LIBRARY-REFERENCE.md, "Prompt caching"); the other routes ignore it.
 */
export interface CacheControl {
  type: "ephemeral";
  /** How long the cache is kept: "5m" (the default) or "1h" (Claude 4.5 and later; lowered elsewhere). */
  ttl?: "5m" | "1h" | null;
}

export interface TextPart {
  type: "text";
  text: string;
  cache_control?: CacheControl | null;
}

/** An image part as routes get it: an "original" detail is dropped in validation (image-detail.ts). */
export interface ImagePart {
  type: "image_url";
  image_url: { url: string; detail?: "auto" | "low" | "high" };
  cache_control?: CacheControl | null;
}

/**
 * A document as routes get it: its bytes as a base64 data URL (`data:application/pdf;base64,…`)
 * and its name. The converse route sends it as a Converse document; the other routes refuse it.
 */
export interface FilePart {
  type: "file";
  file: { file_data: string; filename?: string };
  cache_control?: CacheControl | null;
}

export type ContentPart = TextPart | ImagePart | FilePart;

/**
 * A function call. Only functions: create() refuses custom tools, a custom tool_choice and custom
 * calls in the history (400s naming them), and routes read every call a model makes as a function
 * call, so no answer holds a `"custom"` one (openai's types allow one: `switch (call.type)` needs
 * no `"custom"` case here).
 */
export interface ToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export interface SystemMessage {
  role: "system" | "developer";
  content: string | TextPart[];
  name?: string;
  cache_control?: CacheControl | null;
}

export interface UserMessage {
  role: "user";
  content: string | ContentPart[];
  name?: string;
  cache_control?: CacheControl | null;
}

export interface AssistantMessage {
  role: "assistant";
  content?: string | TextPart[] | null;
  /** Earlier reasoning, as this library returns it; templates drop it from history. */
  reasoning_content?: string | null;
  tool_calls?: ToolCall[];
  name?: string;
  cache_control?: CacheControl | null;
}

export interface ToolMessage {
  role: "tool";
  content: string | TextPart[];
  tool_call_id: string;
  cache_control?: CacheControl | null;
}

export type ChatMessage = SystemMessage | UserMessage | AssistantMessage | ToolMessage;

export interface FunctionTool {
  type: "function";
  function: {
    name: string;
    description?: string;
    parameters?: Record<string, unknown>;
    strict?: boolean | null;
  };
  cache_control?: CacheControl | null;
}

export type ToolChoice = "none" | "auto" | "required" | { type: "function"; function: { name: string } };

/** The sampling and output parameters both request types share. */
interface GenerationParams {
  stream?: boolean | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  /** Not in OpenAI's API; Bedrock's completion-format models accept it. */
  top_k?: number | null;
  stop?: string | string[] | null;
  n?: number | null;
  seed?: number | null;
  presence_penalty?: number | null;
  frequency_penalty?: number | null;
  logit_bias?: Record<string, number> | null;
  logprobs?: boolean | null;
  top_logprobs?: number | null;
  parallel_tool_calls?: boolean;
  user?: string;
  /** Hugging Face style template switches, e.g. `{ enable_thinking: false }` for Qwen3. */
  chat_template_kwargs?: Record<string, unknown>;
  /**
   * Bedrock's constrained decoding for imported models (vLLM's): exactly one of json, regex,
   * choice, grammar. The openai route and wire_format "openai_completion" carry it.
   */
  structured_outputs?: StructuredOutputs | null;
  /** Bedrock's prompt logprobs for imported models: the openai route returns them as `prompt_logprobs`. */
  prompt_logprobs?: number | null;
  /**
   * LiteLLM's convention: ignore the parameters the route cannot honour instead of refusing them.
   * Read by bedrock-edge, never sent to Bedrock.
   */
  drop_params?: boolean;
}

/** OpenAI's `reasoning_effort` values. */
export type ReasoningEffort = "none" | "minimal" | "low" | "medium" | "high" | "xhigh" | "max";

/**
 * A response_format as validation leaves it (response-format.ts): one of OpenAI's three types, a
 * json_schema one with its definition, or another type for the route to take or refuse
 * (routes/parameters.ts); other keys kept. Spelled as the schema's output (intersections) for the
 * pin in schema.test.ts.
 */
export type ResponseFormat =
  | ({ type: "text" } & { [key: string]: unknown })
  | ({ type: "json_object" } & { [key: string]: unknown })
  | ({
      type: "json_schema";
      json_schema: { name: string; schema?: { [key: string]: unknown } | boolean } & { [key: string]: unknown };
    } & { [key: string]: unknown })
  | ({ type: string } & { [key: string]: unknown });

/**
 * A request as validation leaves it: only what this library understands, checked. It is the
 * output type of the schema in schema.ts; schema.test.ts pins the two together.
 */
export interface ChatCompletionRequest extends GenerationParams {
  model: string;
  messages: ChatMessage[];
  stream_options?: { include_usage?: boolean } | null;
  response_format?: ResponseFormat | null;
  tools?: FunctionTool[];
  tool_choice?: ToolChoice;
  /** Switches thinking where the model has a switch (qwen3); ignored by models without one. */
  reasoning_effort?: ReasoningEffort | null;
  /** Only false: this server keeps nothing. */
  store?: boolean | null;
}

// What create() accepts: every shape OpenAI's `ChatCompletionCreateParams` allows, so typed
// `openai` code compiles unchanged. What a route cannot honour (audio, files, custom tools…)
// is refused at run time with a 400 naming it; validation turns these into the strict types
// above.

/** An image part as create() takes it: openai 7's "original" detail too, sent as no detail. */
export interface ImagePartParam {
  type: "image_url";
  image_url: { url: string; detail?: "auto" | "low" | "high" | "original" };
  cache_control?: CacheControl | null;
}

export interface InputAudioPart {
  type: "input_audio";
  input_audio: { data: string; format: "wav" | "mp3" };
}

/** A file part as create() takes it: a file_id is refused (this server has no Files API). */
export interface FilePartParam {
  type: "file";
  file: { file_data?: string; file_id?: string; filename?: string };
  cache_control?: CacheControl | null;
}

export interface RefusalPart {
  type: "refusal";
  refusal: string;
}

export interface CustomToolCall {
  id: string;
  type: "custom";
  custom: { name: string; input: string };
}

export interface UserMessageParam {
  role: "user";
  content: string | Array<TextPart | ImagePartParam | InputAudioPart | FilePartParam>;
  name?: string;
  cache_control?: CacheControl | null;
}

export interface AssistantMessageParam {
  role: "assistant";
  content?: string | Array<TextPart | RefusalPart> | null;
  reasoning_content?: string | null;
  /** Signed reasoning from an earlier answer, sent back as it came (the converse route). */
  thinking_blocks?: ThinkingBlock[];
  refusal?: string | null;
  tool_calls?: Array<ToolCall | CustomToolCall>;
  function_call?: { name: string; arguments: string } | null;
  audio?: { id: string } | null;
  name?: string;
  cache_control?: CacheControl | null;
}

/** OpenAI's deprecated function-calling role: refused, with a pointer to `tool`. */
export interface FunctionMessageParam {
  role: "function";
  content: string | null;
  name: string;
}

export type ChatMessageParam =
  | SystemMessage
  | UserMessageParam
  | AssistantMessageParam
  | ToolMessage
  | FunctionMessageParam;

export interface CustomToolParam {
  type: "custom";
  custom: { name: string; description?: string; format?: object };
}

export type ToolChoiceParam =
  | ToolChoice
  | { type: "allowed_tools"; allowed_tools: { mode: "auto" | "required"; tools: Array<Record<string, unknown>> } }
  | { type: "custom"; custom: { name: string } };

export type ResponseFormatParam =
  | { type: "text" }
  | { type: "json_object" }
  | {
      type: "json_schema";
      json_schema: { name: string; description?: string; schema?: { [key: string]: unknown }; strict?: boolean | null };
    };

export interface ChatCompletionCreateParams extends GenerationParams {
  /**
   * `bedrock/<route>/[<region>/]<model-id>` (the `bedrock/` prefix optional; route `deepseek_r1`,
   * `llama`, `qwen3`, `qwen2`, `openai` or `converse`), or a name in the client's `models` table
   * (only a name, with `onlyListedModels`).
   */
  model: string;
  messages: ChatMessageParam[];
  stream_options?: { include_usage?: boolean; include_obfuscation?: boolean } | null;
  response_format?: ResponseFormatParam | null;
  tools?: Array<FunctionTool | CustomToolParam>;
  tool_choice?: ToolChoiceParam;
  // OpenAI's other parameters: the openai route passes them through, the others refuse them by name.
  audio?: unknown;
  function_call?: unknown;
  functions?: unknown;
  metadata?: unknown;
  modalities?: unknown;
  moderation?: unknown;
  prediction?: unknown;
  prompt_cache_key?: unknown;
  prompt_cache_options?: unknown;
  prompt_cache_retention?: unknown;
  /** Checked on every route (a value outside ReasoningEffort is a 400), so typed as the check takes it. */
  reasoning_effort?: ReasoningEffort | null;
  safety_identifier?: unknown;
  /** Checked on every route (a value that is no tier is a 400), so typed as the check takes it: see ServiceTierParam. */
  service_tier?: ServiceTierParam | null;
  /** Checked on every route: `true` is refused (nothing is stored), `false` accepted and ignored. */
  store?: boolean | null;
  verbosity?: unknown;
  web_search_options?: unknown;
}

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter";

/**
 * Reasoning as Claude signs it (LiteLLM's `thinking_blocks` shape). Claude needs it back, as it
 * came, in the assistant turn whose tool calls a request answers; `reasoning_content` is for
 * reading, and cannot be verified.
 */
export type ThinkingBlock =
  | { type: "thinking"; thinking: string; signature: string }
  | { type: "redacted_thinking"; data: string };

// Optional fields of openai's result types that no route ever sets are declared too, marked
// "never set": code written against openai's types reads them and compiles, and gets undefined.

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** Prompt caching, when the model reports it (the converse route). */
  prompt_tokens_details?: {
    /** Prompt tokens read from the cache, as OpenAI counts them. */
    cached_tokens: number;
    /** Prompt tokens written to the cache (OpenRouter's name; OpenAI has no such field). */
    cache_write_tokens?: number;
    /** Never set. */
    audio_tokens?: number;
    /** Never set (openai 7). */
    image_tokens?: number;
    /** Never set (openai 7). */
    text_tokens?: number;
  };
  /** Never set: no route reads a breakdown of the completion tokens (reasoning is counted in them). */
  completion_tokens_details?: {
    accepted_prediction_tokens?: number;
    audio_tokens?: number;
    reasoning_tokens?: number;
    rejected_prediction_tokens?: number;
    /** openai 7. */
    text_tokens?: number;
  };
}

export interface CompletionMessage {
  role: "assistant";
  content: string | null;
  refusal: null;
  /** The model's reasoning (DeepSeek R1, Qwen3 thinking), as DeepSeek's own API names it. */
  reasoning_content?: string;
  /** Signed or redacted reasoning to send back with this turn (Claude through the converse route). */
  thinking_blocks?: ThinkingBlock[];
  tool_calls?: ToolCall[];
  /** Never set: calls are tool_calls. */
  function_call?: { name: string; arguments: string } | null;
  /** Never set. */
  annotations?: Array<{
    type: "url_citation";
    url_citation: { end_index: number; start_index: number; title: string; url: string };
  }>;
  /** Never set. */
  audio?: { id: string; data: string; expires_at: number; transcript: string } | null;
}

/** One of the likeliest tokens at a position. */
export interface TopLogprob {
  token: string;
  logprob: number;
  /** The token's UTF-8 bytes (null when the server gave none). */
  bytes: number[] | null;
}

/** A token of the answer, its log probability and the likeliest tokens at its place. */
export interface TokenLogprob extends TopLogprob {
  top_logprobs: TopLogprob[];
}

/** Chat Completions' `logprobs` of a choice (or of a stream chunk: the tokens it brings). */
export interface ChoiceLogprobs {
  content: TokenLogprob[] | null;
  refusal: TokenLogprob[] | null;
}

/**
 * vLLM's `prompt_logprobs` (a Bedrock extension of the openai route): per prompt token, null for
 * the first, else token id -> its logprob, rank and text.
 */
export type PromptLogprobs = Array<Record<string, { logprob: number; rank?: number; decoded_token?: string }> | null>;

/** OpenAI's service tiers, as an answer names the one that served it. */
// openai 7 adds "fast", which openai 6 would refuse.
export type ServiceTier = "auto" | "default" | "flex" | "scale" | "priority";

/**
 * A request's `service_tier`, openai 6's and 7's values (docs/LIBRARY-REFERENCE.md, "Service tiers"). "auto", null or
 * none is the models-table entry's `service_tier` setting, else Bedrock's default tier (nothing
 * sent). Any other tier ("fast" is openai 7's name for priority, "scale" is Bedrock's reserved) is
 * sent by the converse route as Bedrock's serviceTier only if the entry's `service_tiers` lists it
 * (default `["default", "flex"]`) or it is the entry's `service_tier`; else it is a 400 naming the
 * setting to change. An imported model, on any route, takes only "auto" and "default": another
 * tier is a 400, dropped under drop_params.
 */
export type ServiceTierParam = ServiceTier | "fast";

/**
 * On a chat.completion or a chunk: `system_fingerprint` is never set (nor is OpenAI's `moderation`,
 * the results of its own moderation feature, which is left undeclared); `service_tier` only where
 * Bedrock said which tier served (the converse route), on a stream's chunks from the one that
 * finishes the choice on.
 */
interface UnsetCompletionFields {
  system_fingerprint?: string;
  service_tier?: ServiceTier | null;
}

export interface ChatCompletion extends UnsetCompletionFields {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: CompletionMessage;
    finish_reason: FinishReason;
    /** Only when the request asked for `logprobs`. */
    logprobs: ChoiceLogprobs | null;
  }>;
  usage?: Usage;
  /** Only when the request asked for `prompt_logprobs` (openai route). */
  prompt_logprobs?: PromptLogprobs;
  /** Never set (openai 7). */
  metadata?: Record<string, string> | null;
}

export interface ChunkToolCall {
  index: number;
  id?: string;
  type?: "function";
  function?: { name?: string; arguments?: string };
}

export interface ChunkDelta {
  role?: "assistant";
  content?: string | null;
  reasoning_content?: string;
  /** A reasoning block's signature, once it is known: the whole block, to collect and send back. */
  thinking_blocks?: ThinkingBlock[];
  tool_calls?: ChunkToolCall[];
  /** Never set. */
  refusal?: string | null;
  /** Never set: calls are tool_calls. */
  function_call?: { name?: string; arguments?: string };
  /** Never set (openai 7). */
  audio?: { id?: string; data?: string; expires_at?: number; transcript?: string };
}

export interface ChatCompletionChunk extends UnsetCompletionFields {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: Array<{
    index: number;
    delta: ChunkDelta;
    finish_reason: FinishReason | null;
    logprobs?: ChoiceLogprobs | null;
  }>;
  usage?: Usage | null;
  /** Never set (openai 7: random padding of streamed chunks, which this library does not add). */
  obfuscation?: string;
}
