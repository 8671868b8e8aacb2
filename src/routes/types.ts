import type { BedrockOperation } from "../aws/operations.ts";
import type { BedrockStreamEvent } from "../eventstream/events.ts";
import type { JsonObject } from "../json.ts";
import type {
  ChatCompletionRequest,
  ChatMessage,
  ChoiceLogprobs,
  ChunkDelta,
  CompletionMessage,
  FinishReason,
  FunctionTool,
  PromptLogprobs,
  ServiceTier,
  Usage,
} from "../openai/types.ts";
import type { ModelSettingName, ModelSettingValues } from "../model-settings.ts";
import type { TemplateVariables } from "./template-variables.ts";
import type { WireFormat } from "./wire-formats/types.ts";

/** What a chat template is given: the variables Hugging Face passes to `apply_chat_template`. */
export interface PromptInput {
  messages: ChatMessage[];
  tools?: FunctionTool[];
  /** `chat_template_kwargs` of the request, e.g. `{ enable_thinking: false }`. */
  kwargs: Record<string, unknown>;
}

/** Renders a prompt; built-ins are plain functions, a custom `chat_template` is compiled to one. */
export type PromptRenderer = (input: PromptInput) => string;

/**
 * A model's settings as its route gets them: the configured values (only settings the route
 * honours get past parseModels), and the prompt renderer the client resolved from `template` or
 * `chat_template` before the call (so routes stay sync and pure).
 */
export interface ModelSettings extends ModelSettingValues {
  /** Overrides the route's own prompt renderer (a named built-in or a compiled Jinja template). */
  render?: PromptRenderer | undefined;
  /** The chat_template_kwargs a request may set for `render`'s template. */
  templateVariables?: TemplateVariables | undefined;
}

export interface RouteChoice {
  index: number;
  message: CompletionMessage;
  finish_reason: FinishReason;
  /** Only when the request asked for logprobs. */
  logprobs?: ChoiceLogprobs;
}

export interface RouteAnswer {
  choices: RouteChoice[];
  /** Only when the model's body carried counts; never invented. */
  usage?: Usage;
  /** Only when the request asked for them (the openai route's `prompt_logprobs`). */
  prompt_logprobs?: PromptLogprobs;
  /** The tier that served the call, when Bedrock said (the converse route); never invented. */
  service_tier?: ServiceTier;
}

export interface StreamPart {
  /** The choice this delta belongs to (0 unless the model answers with several). */
  index?: number;
  delta: ChunkDelta;
  finish_reason?: FinishReason;
  /** The logprobs of the tokens this part's text came from, when the request asked for them. */
  logprobs?: ChoiceLogprobs;
  usage?: Usage;
  /** The tier that served the call, once Bedrock said: this chunk and every one after it carry it. */
  service_tier?: ServiceTier;
}

/** Turns the stream's events into OpenAI chunk deltas. */
export interface StreamMapper {
  push(event: BedrockStreamEvent): StreamPart[];
  /** The stream ended: flush anything held back (e.g. a possible partial `</think>`). */
  end(): StreamPart[];
  /**
   * The stream failed: the parts held back that are already the answer's (converse's finish,
   * held for the metadata event behind it), to go out before the error. Never throws.
   */
  flush?(): StreamPart[];
  /**
   * True once the model's answer has ended: every choice's finish was read, though it may still
   * be held back (flush). A failure after it is the stream's, after the answer, not the call's.
   */
  finished?(): boolean;
  /**
   * True once the answer is whole before Bedrock's stream ends (a stop sequence applied by the
   * route): the rest is not read, the upstream call is ended, and end() is called.
   */
  done?(): boolean;
}

/** How a route sends a raw prompt (the legacy Completions API). */
export interface RawPromptFormat {
  format: WireFormat;
  /** The body's `model`, when the server must be told (vLLM serves an OpenAI-format import under its ARN). */
  model?: string;
  /**
   * The model server reads response_format as sent, so a type outside OpenAI's three goes on to it
   * (the openai route); else such a type is refused by name (parameters.ts).
   */
  passesAnyResponseFormat?: boolean;
}

export interface Route<Name extends string = string> {
  /** The route's part of model strings: `bedrock/<name>/<model-id>`. */
  name: Name;
  /** The Bedrock operation its bodies are for: InvokeModel or Converse (each plain or streamed). */
  operation: BedrockOperation;
  /** The per-model settings this route honours (model-settings.ts); parseModels refuses the others. */
  settings: readonly ModelSettingName[];
  /**
   * `<setting>: <why>` when a models-table entry's settings cannot work with its model id, a
   * check the settings' schemas cannot make alone; parseModels reports it with the entry.
   */
  checkModel?(modelId: string, settings: ModelSettingValues): string | undefined;
  /**
   * True when the route sends an answer's signed thinking_blocks back to this model as they came,
   * for a model whose signature Bedrock checks against the text (Converse's reasoningContent for
   * Claude), so the token neutraliser leaves them as sent; for any other model, or a route
   * without this, they are neutralised as any other text. `settings`: the model's, which may say
   * what model an id serves.
   */
  sendsSignedThinking?(modelId: string, settings?: ModelSettingValues): boolean;
  /**
   * True when the route renders prompts with its built-in templates (a model's chat_template, when
   * it has one, renders instead). They write no token's closing punctuation right after request
   * text, so the token neutraliser leaves a token's opening at a string's end as sent there.
   */
  rendersBuiltInTemplates?: boolean;
  /** OpenAI request -> the operation's body. Throws a 400 BedrockEdgeError naming a bad parameter. */
  buildBody(request: ChatCompletionRequest, modelId: string, settings: ModelSettings): Record<string, unknown>;
  /**
   * The body buildBody made for one model id, for another copy of the model (its deployments share
   * the route and settings): without building it again, as a request that fails over would (a
   * custom template's renders, its images' checks, per copy). Absent where the body depends on
   * the model its id names (Converse reads the model's family from it): each id's body is built.
   */
  retarget?(body: Record<string, unknown>, modelId: string): Record<string, unknown>;
  /**
   * The operation's JSON answer -> choices (one per `n`). `text` is the answer as Bedrock wrote it,
   * for what passes on as written rather than parsed (a Converse tool call's input); `modelId` the
   * id buildBody made the body for; `headerUsage` what Bedrock's count headers said, which an error
   * refusing the answer once read carries when the body has no counts (Bedrock billed it).
   */
  parseAnswer(
    body: Record<string, unknown>,
    request: ChatCompletionRequest,
    settings?: ModelSettings,
    text?: string,
    modelId?: string,
    headerUsage?: Usage,
  ): RouteAnswer;
  /** `modelId`: the id buildBody made the body for. */
  createStreamMapper(request: ChatCompletionRequest, settings?: ModelSettings, modelId?: string): StreamMapper;
  /**
   * Streams a model cannot give for some requests (Converse's tool use on models without
   * streaming tool use): `needed` says so for a streamed request and the body buildBody made for
   * it (a body for the plain operation then), and the plain answer is replayed as the events its
   * stream would have sent, through the same stream mapper.
   */
  streamReplay?: {
    needed(
      request: ChatCompletionRequest,
      modelId: string,
      body: Record<string, unknown>,
      settings: ModelSettings,
    ): boolean;
    events(answer: JsonObject, text?: string): BedrockStreamEvent[];
  };
  /**
   * The format a raw prompt (legacy Completions) is sent in; absent when the route takes
   * conversations only, and then such a request is refused.
   */
  rawPrompt?(modelId: string, settings: ModelSettings): RawPromptFormat;
}
