// The subset of OpenAI's Responses API that bedrock-edge speaks: stateless, function tools only.
// Shapes follow the `openai` package (test/openai-types.test.ts checks both directions) and the
// official OpenAPI schemas (test/conformance/ validates every answer and stream event).
import type { ServiceTierParam } from "../openai/types.ts";

/** `status` of an output item. */
export type ItemStatus = "in_progress" | "completed" | "incomplete";

// Requests. What create() accepts is wide, so typed `openai` code compiles unchanged; what this
// server cannot honour (built-in tools, stored state, files by id…) is refused at run time with a 400
// naming it. Validation (request.ts) narrows it to `ResponsesRequest` below.

export interface InputTextPart {
  type: "input_text";
  text: string;
}

export interface InputImagePart {
  type: "input_image";
  /** A base64 data URL: Bedrock does not fetch URLs. */
  image_url?: string | null;
  file_id?: string | null;
  detail?: "low" | "high" | "auto" | "original";
}

export interface InputFilePart {
  type: "input_file";
  file_data?: string;
  file_id?: string | null;
  file_url?: string;
  filename?: string;
}

export interface OutputTextPart {
  type: "output_text";
  text: string;
  annotations?: unknown[];
  logprobs?: unknown[];
}

export interface OutputRefusalPart {
  type: "refusal";
  refusal: string;
}

export type InputContentPart = InputTextPart | InputImagePart | InputFilePart;

export interface InputMessageItem {
  type?: "message";
  role: "user" | "system" | "developer" | "assistant";
  content: string | Array<InputContentPart | OutputTextPart | OutputRefusalPart>;
  id?: string;
  status?: ItemStatus;
  phase?: "commentary" | "final_answer" | null;
}

export interface FunctionCallItem {
  type: "function_call";
  call_id: string;
  name: string;
  /** JSON text, as the model wrote it. */
  arguments: string;
  id?: string;
  status?: ItemStatus;
}

export interface FunctionCallOutputItem {
  type: "function_call_output";
  call_id: string;
  output: string | InputContentPart[];
  id?: string | null;
  status?: ItemStatus | null;
}

export interface SummaryText {
  type: "summary_text";
  text: string;
}

export interface ReasoningText {
  type: "reasoning_text";
  text: string;
}

export interface ReasoningItemParam {
  type: "reasoning";
  id?: string;
  summary: SummaryText[];
  content?: ReasoningText[];
  encrypted_content?: string | null;
  status?: ItemStatus;
}

/** Item types this server has no use for (built-in tool calls, item references…): refused by name. */
export interface OtherInputItem {
  /** OpenAI's item references may leave it out. */
  type?: string | null;
}

/** A reference to an item stored on the server: only references to reasoning can be dropped here. */
export interface ItemReferenceParam {
  type: "item_reference";
  id: string;
}

export type InputItemParam =
  | InputMessageItem
  | FunctionCallItem
  | FunctionCallOutputItem
  | ReasoningItemParam
  | ItemReferenceParam;

/** An item of `input`, as the openai package names it (a previous answer's output items are ones). */
export type ResponseInputItem = InputItemParam | OtherInputItem;

export interface FunctionToolParam {
  type: "function";
  name: string;
  description?: string | null;
  parameters?: Record<string, unknown> | null;
  strict?: boolean | null;
}

/** Built-in tools (web_search, file_search, code_interpreter, mcp…): refused by name. */
export interface OtherToolParam {
  type: string;
}

export type ResponseToolChoice = "none" | "auto" | "required" | { type: "function"; name: string };

export type TextFormat =
  | { type: "text" }
  | { type: "json_object" }
  | {
      type: "json_schema";
      name: string;
      schema: Record<string, unknown>;
      description?: string;
      strict?: boolean | null;
    };

/** OpenAI's reasoning efforts (the chat request's `reasoning_effort` takes the same). */
type Effort = "none" | "minimal" | "low" | "medium" | "high" | "xhigh" | "max";

export interface ReasoningParam {
  effort?: Effort | null;
  /** Asking for a summary puts the model's reasoning in `summary` instead of `content`. */
  summary?: "auto" | "concise" | "detailed" | null;
  generate_summary?: "auto" | "concise" | "detailed" | null;
}

export interface ResponseCreateParams {
  /** Optional in OpenAI's types (a stored prompt may name it); required here. */
  model?: string;
  input?: string | ResponseInputItem[];
  instructions?: string | null;
  tools?: Array<FunctionToolParam | OtherToolParam>;
  tool_choice?: ResponseToolChoice | { type: string };
  max_output_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  text?: { format?: TextFormat; verbosity?: "low" | "medium" | "high" | null };
  reasoning?: ReasoningParam | null;
  parallel_tool_calls?: boolean | null;
  metadata?: Record<string, string> | null;
  user?: string;
  stream?: boolean | null;
  stream_options?: { include_obfuscation?: boolean } | null;
  // Accepted when they ask for nothing this stateless server cannot do; refused by name otherwise.
  store?: boolean | null;
  background?: boolean | null;
  previous_response_id?: string | null;
  conversation?: unknown;
  include?: string[] | null;
  truncation?: "auto" | "disabled" | null;
  max_tool_calls?: number | null;
  top_logprobs?: number | null;
  /**
   * As chat's (ServiceTierParam), the Response's `service_tier` naming the tier that served. openai
   * 7's "ultrafast", OpenAI's own tier for one of its models, is in the type so that its typed
   * params compile, and a 400 like any value that is no Bedrock tier.
   */
  service_tier?: ServiceTierParam | "ultrafast" | null;
  prompt_cache_key?: string | null;
  prompt_cache_retention?: string | null;
  safety_identifier?: string | null;
  prompt?: unknown;
  context_management?: unknown;
  moderation?: unknown;
  prompt_cache_options?: unknown;
  // Not in OpenAI's Responses API: Bedrock's extensions and LiteLLM's switch, taken as chat takes them.
  /** Top-k sampling, on the routes whose models take it. */
  top_k?: number | null;
  /** Hugging Face style template switches, e.g. `{ enable_thinking: false }` for Qwen3. */
  chat_template_kwargs?: Record<string, unknown>;
  /** Ignore the parameters the route cannot honour instead of refusing them (LiteLLM's convention). */
  drop_params?: boolean;
}

export type StreamingResponseParams = ResponseCreateParams & { stream: true };
export type NonStreamingResponseParams = ResponseCreateParams & { stream?: false | null };

/** A request as validation leaves it: items and tools of the kinds this server handles. */
export interface ResponsesRequest extends Omit<ResponseCreateParams, "model" | "input" | "tools" | "tool_choice"> {
  model: string;
  input: string | InputItemParam[];
  tools?: FunctionToolParam[];
  tool_choice?: ResponseToolChoice;
}

// Answers.

export interface ResponseOutputText {
  type: "output_text";
  text: string;
  /** This server never cites sources. */
  annotations: [];
  /**
   * The spec requires the field; the Responses API here returns no log probabilities (Chat
   * Completions does, where a route has them).
   */
  logprobs: [];
}

export interface ResponseOutputMessage {
  type: "message";
  id: string;
  role: "assistant";
  status: ItemStatus;
  content: ResponseOutputText[];
}

export interface ResponseFunctionCall {
  type: "function_call";
  id: string;
  call_id: string;
  name: string;
  arguments: string;
  status: ItemStatus;
}

export interface ResponseReasoningItem {
  type: "reasoning";
  id: string;
  /** The model's reasoning, when the request asked for a summary (`reasoning.summary`). */
  summary: SummaryText[];
  /** The model's reasoning as it wrote it, otherwise. */
  content?: ReasoningText[];
  /** Signed or redacted reasoning to hand back with the next turn (responses/encrypted-reasoning.ts). */
  encrypted_content?: string;
  status: ItemStatus;
}

export type ResponseOutputItem = ResponseOutputMessage | ResponseFunctionCall | ResponseReasoningItem;

export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number; cache_write_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

/** The codes the spec allows in `Response.error`. */
export type ResponseErrorCode = "server_error" | "rate_limit_exceeded";

export type ResponseStatus = "in_progress" | "completed" | "incomplete" | "failed";

export interface ResponseFunctionTool {
  type: "function";
  name: string;
  description?: string | null;
  parameters: Record<string, unknown> | null;
  strict: boolean | null;
}

export interface Response {
  id: string;
  object: "response";
  /** OpenAI's domain access programs (openai 7); null is the standard program, the only one here. */
  access_programs: null;
  created_at: number;
  status: ResponseStatus;
  completed_at?: number | null;
  error: { code: ResponseErrorCode; message: string } | null;
  incomplete_details: { reason: "max_output_tokens" | "content_filter" } | null;
  instructions: string | null;
  max_output_tokens: number | null;
  model: string;
  output: ResponseOutputItem[];
  parallel_tool_calls: boolean;
  previous_response_id: null;
  metadata: Record<string, string>;
  reasoning: { effort: Effort | null; summary: "auto" | "concise" | "detailed" | null };
  store: false;
  background: false;
  temperature: number | null;
  top_p: number | null;
  text: { format: TextFormat; verbosity?: "low" | "medium" | "high" | null };
  tool_choice: ResponseToolChoice;
  tools: ResponseFunctionTool[];
  truncation: "disabled";
  usage?: ResponseUsage;
  /** The tier that served the answer, when Bedrock said which (the converse route); never invented. */
  service_tier?: "auto" | "default" | "flex" | "scale" | "priority" | null;
  user?: string;
  /**
   * The text of the message items' `output_text` parts, joined: the openai SDK's convenience,
   * which it computes on the client from `output` (OpenAI's JSON has no such field). Every
   * Response the library hands out carries it, as the SDK's do; on the wire it is left out
   * (responseBody(), responseSseEvent()).
   */
  output_text: string;
}

/** A Response as the Responses API's JSON carries it: without the SDK's `output_text`. */
export type ResponseBody = Omit<Response, "output_text">;

// Stream events, in the order they come: response.created, response.in_progress, then per
// output item `output_item.added`, its parts and deltas, `output_item.done`, and last
// response.completed / response.incomplete, or `error` + response.failed.

interface EventBase {
  sequence_number: number;
}

interface ItemEvent extends EventBase {
  item_id: string;
  output_index: number;
}

interface LifecycleEvent<T extends string> extends EventBase {
  type: T;
  response: Response;
}

export type ResponseCreatedEvent = LifecycleEvent<"response.created">;
export type ResponseInProgressEvent = LifecycleEvent<"response.in_progress">;
export type ResponseCompletedEvent = LifecycleEvent<"response.completed">;
export type ResponseIncompleteEvent = LifecycleEvent<"response.incomplete">;
export type ResponseFailedEvent = LifecycleEvent<"response.failed">;

interface OutputItemEvent<T extends string> extends EventBase {
  type: T;
  output_index: number;
  item: ResponseOutputItem;
}

export type OutputItemAddedEvent = OutputItemEvent<"response.output_item.added">;
export type OutputItemDoneEvent = OutputItemEvent<"response.output_item.done">;

interface ContentPartEvent<T extends string> extends ItemEvent {
  type: T;
  content_index: number;
  part: ResponseOutputText | ReasoningText;
}

export type ContentPartAddedEvent = ContentPartEvent<"response.content_part.added">;
export type ContentPartDoneEvent = ContentPartEvent<"response.content_part.done">;

export interface OutputTextDeltaEvent extends ItemEvent {
  type: "response.output_text.delta";
  content_index: number;
  delta: string;
  logprobs: [];
}

export interface OutputTextDoneEvent extends ItemEvent {
  type: "response.output_text.done";
  content_index: number;
  text: string;
  logprobs: [];
}

export interface ReasoningTextDeltaEvent extends ItemEvent {
  type: "response.reasoning_text.delta";
  content_index: number;
  delta: string;
}

export interface ReasoningTextDoneEvent extends ItemEvent {
  type: "response.reasoning_text.done";
  content_index: number;
  text: string;
}

interface SummaryPartEvent<T extends string> extends ItemEvent {
  type: T;
  summary_index: number;
  part: SummaryText;
}

export type SummaryPartAddedEvent = SummaryPartEvent<"response.reasoning_summary_part.added">;
export type SummaryPartDoneEvent = SummaryPartEvent<"response.reasoning_summary_part.done">;

export interface SummaryTextDeltaEvent extends ItemEvent {
  type: "response.reasoning_summary_text.delta";
  summary_index: number;
  delta: string;
}

export interface SummaryTextDoneEvent extends ItemEvent {
  type: "response.reasoning_summary_text.done";
  summary_index: number;
  text: string;
}

export interface FunctionCallArgumentsDeltaEvent extends ItemEvent {
  type: "response.function_call_arguments.delta";
  delta: string;
}

export interface FunctionCallArgumentsDoneEvent extends ItemEvent {
  type: "response.function_call_arguments.done";
  name: string;
  arguments: string;
}

/** A failure after the stream began: what went wrong, as the chat API's error object says it. */
export interface ResponseErrorEvent extends EventBase {
  type: "error";
  code: string | null;
  message: string;
  param: string | null;
}

export type ResponseStreamEvent =
  | ResponseCreatedEvent
  | ResponseInProgressEvent
  | ResponseCompletedEvent
  | ResponseIncompleteEvent
  | ResponseFailedEvent
  | OutputItemAddedEvent
  | OutputItemDoneEvent
  | ContentPartAddedEvent
  | ContentPartDoneEvent
  | OutputTextDeltaEvent
  | OutputTextDoneEvent
  | ReasoningTextDeltaEvent
  | ReasoningTextDoneEvent
  | SummaryPartAddedEvent
  | SummaryPartDoneEvent
  | SummaryTextDeltaEvent
  | SummaryTextDoneEvent
  | FunctionCallArgumentsDeltaEvent
  | FunctionCallArgumentsDoneEvent
  | ResponseErrorEvent;
