import type { BedrockStreamEvent } from "../eventstream/events.ts";
import type {
  ChatCompletionRequest,
  ChatMessage,
  ChunkDelta,
  CompletionMessage,
  FinishReason,
  FunctionTool,
  Usage,
} from "../openai/types.ts";

export type RouteName = "deepseek_r1" | "llama" | "qwen3" | "qwen2" | "openai";

/** Built-in prompt templates a model may be pinned to (imported models are often fine-tunes). */
export type TemplateName = "deepseek_r1" | "llama3" | "qwen3" | "qwen2";

/** What a chat template is given: the variables Hugging Face passes to `apply_chat_template`. */
export interface PromptInput {
  messages: ChatMessage[];
  tools?: FunctionTool[];
  /** `chat_template_kwargs` of the request, e.g. `{ enable_thinking: false }`. */
  kwargs: Record<string, unknown>;
}

/** Renders a prompt; built-ins are plain functions, a custom `chat_template` is compiled to one. */
export type PromptRenderer = (input: PromptInput) => string;

/** Per-model settings, resolved by the client before a route is called (routes stay sync and pure). */
export interface ModelSettings {
  /** Overrides the route's own prompt renderer (a named built-in or a compiled Jinja template). */
  render?: PromptRenderer;
  /** Drop parameters the route cannot honour instead of failing with 400. */
  dropParams?: boolean;
}

export interface RouteChoice {
  index: number;
  message: CompletionMessage;
  finish_reason: FinishReason;
}

export interface RouteAnswer {
  choices: RouteChoice[];
  /** Only when the model's body carried counts; never invented. */
  usage?: Usage;
}

export interface StreamPart {
  /** The choice this delta belongs to (0 unless the model answers with several). */
  index?: number;
  delta: ChunkDelta;
  finish_reason?: FinishReason;
  usage?: Usage;
}

/** Turns the stream's events into OpenAI chunk deltas. */
export interface StreamMapper {
  push(event: BedrockStreamEvent): StreamPart[];
  /** The stream ended: flush anything held back (e.g. a possible partial `</think>`). */
  end(): StreamPart[];
}

export interface Route {
  name: RouteName;
  /** OpenAI request -> InvokeModel body. Throws a 400 BedrockEdgeError naming a bad parameter. */
  buildBody(request: ChatCompletionRequest, modelId: string, settings: ModelSettings): Record<string, unknown>;
  /** InvokeModel JSON answer -> choices (one, for completion-format routes). */
  parseAnswer(body: Record<string, unknown>, request: ChatCompletionRequest): RouteAnswer;
  createStreamMapper(request: ChatCompletionRequest): StreamMapper;
}
