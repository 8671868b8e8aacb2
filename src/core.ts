// bedrock-edge/core: the pieces createBedrock() joins, for those who build their own pipeline
// (the proxy in worker/ is built on them). A request goes through them in this order; see
// ARCHITECTURE.md for the whole way and docs/LIBRARY-REFERENCE.md for an example.

// 1. The request: validated as createBedrock() validates it (a 400 naming the field).
export { checkStreamFlags, parseChatRequest } from "./openai/schema.ts";
// The legacy Completions request (a raw prompt), likewise.
export { checkCompletionStreamFlags, parseCompletionRequest } from "./completions/request.ts";
// The embeddings and image generation, edit and variation requests, likewise (an edit's or a
// variation's image is read by edit() and createVariation() themselves, not here).
export { parseEmbeddingRequest } from "./embeddings/request.ts";
export { parseImageEditRequest, parseImageRequest, parseImageVariationRequest } from "./images/request.ts";
// The largest counts those requests take (a 400 past them): what a server that estimates a
// request's cost before it is validated counts no further.
export {
  MAX_ANSWERS,
  MAX_BODY_BYTES_CEILING,
  MAX_IMAGES,
  MAX_OUTPUT_TOKENS,
  MAX_PROMPTS,
  MAX_TEXT_BYTES,
} from "./request-bounds.ts";
// And those a model takes past them, refused after the request is read: legacy Completions' calls
// on a format of one call per prompt and answer (prompts x n), and images an imported model's
// openai route sends.
export { MAX_CALLS } from "./completions/plan.ts";
export { MAX_IMPORTED_IMAGES } from "./routes/openai.ts";
// And an image model's: the images one request may ask of it, and the pixels its answer may hold.
export { MAX_ANSWER_PIXELS, mostImagesOf } from "./images/families.ts";
// Bodies read by a server before parsing: a size cap while reading, a nesting cap before JSON.parse.
export { readLimitedText } from "./read-text.ts";
export { MAX_JSON_DEPTH, MAX_JSON_MEMBERS, REQUEST_JSON_LIMITS, scanJsonText } from "./openai/depth.ts";
export type { JsonTextLimits, JsonTextScan } from "./openai/depth.ts";
// Where each endpoint's requests hold media (the scan's count of it: a larger max_body_bytes is room for media only).
export { CHAT_MEDIA, EDIT_MEDIA, type MediaPlaces, NO_MEDIA, RESPONSES_MEDIA } from "./openai/media-strings.ts";
// Where a body JSON.parse refused stops being JSON, in the same words on every runtime.
export { findJsonSyntaxError } from "./openai/json-syntax.ts";
export type { JsonSyntaxError, JsonTextPosition } from "./openai/json-syntax.ts";

// 2. The model: a model string or a models table -> route, Bedrock model id, region, settings.
export { deploymentsOf, parseModels, parseModelString, regionlessModelId } from "./model.ts";
export type { ModelDeployment, ModelDeployments, ParsedModel, TableRegion } from "./model.ts";
export type { GuardrailConfig, ModelSettingName, ModelSettingValues } from "./model-settings.ts";
export { bedrockBaseUrl, isValidRegion, normaliseEndpoint, parseArn } from "./aws/endpoint.ts";
export { isAwsHost } from "./aws/aws-hosts.ts";
export type { ParsedArn } from "./aws/endpoint.ts";

// 3. The route: OpenAI request -> InvokeModel body, and the model's answer or stream -> OpenAI shapes.
export { routes } from "./routes/all.ts";
export type {
  ModelSettings,
  PromptInput,
  PromptRenderer,
  RawPromptFormat,
  Route,
  RouteAnswer,
  RouteChoice,
  StreamMapper,
  StreamPart,
} from "./routes/types.ts";
export type { TemplateVariables } from "./routes/template-variables.ts";
export type { JsonObject } from "./json.ts";
// The two body formats that carry a prompt (BedrockCompletion, OpenAICompletion), by name, and
// the one a template route's wire_format setting names (BedrockCompletion when it names none).
export { wireFormatOf, wireFormats } from "./routes/wire-formats/index.ts";
export type {
  TextAnswer,
  TextPiece,
  TextRequest,
  TextStreamReader,
  WireFormat,
  WireFormatName,
} from "./routes/wire-formats/index.ts";
export type { CompletionLogprobs } from "./routes/wire-formats/logprobs.ts";
export { builtInRenderers, compileChatTemplate } from "./routes/prompts/index.ts";
export type { SpecialTokens } from "./routes/prompts/jinja.ts";
// The output limit the converse route sends a request that sets none once Claude's thinking is on
// (its budget and the answer's room): what a server reserves for such a request before the call.
export { reasoningOutputLimit } from "./routes/converse/thinking-tokens.ts";
export type { ReasoningLimitInput } from "./routes/converse/thinking-tokens.ts";
// Where answers carry logprobs and how long they may run unbounded, and legacy Completions'
// limit when a request sets none: what a server that builds plain answers whole bounds them by.
export { logprobAnswers, unsetCompletionLimit } from "./routes/logprob-answers.ts";
export type { LogprobAnswers, LogprobApi } from "./routes/logprob-answers.ts";
// The Converse document format of a file part, by its MIME type and filename, as the converse
// route sends it: what a server that estimates a document's tokens reads it as.
export { documentFormatOf, isTextDocument } from "./routes/converse/document-format.ts";
export type { DocumentFormat } from "./routes/converse/wire.ts";
// A data URL's body as the routes read an image's bytes from it (each `%XX` one byte): what a
// server that logs a request's media by size counts them by.
export { percentDecoded } from "./routes/images.ts";

// Several deployments of one model: the order a request tries them, and where cool-downs are kept.
export { memoryCooldownStore } from "./routing/cooldowns.ts";
export type { CooldownStore } from "./routing/cooldowns.ts";
export type { DeploymentEvent } from "./routing/router.ts";
export type { FailoverUsageEvent } from "./routing/attempt-usage.ts";

// 4. The transport: sign, send, retry and time out Bedrock's operations; it knows nothing of routes.
export { checkMilliseconds, createTransport } from "./aws/transport-options.ts";
export type { Transport } from "./aws/transport-options.ts";
export type { RetryPolicy } from "./aws/retry.ts";
export type { SigningKeyCache } from "./aws/sign.ts";
export { invokeJson, invokeStream } from "./aws/invoke.ts";
export type { InvokeRequest, JsonAnswer, StreamAnswer, StreamRequest } from "./aws/invoke.ts";
export type { BedrockOperation } from "./aws/operations.ts";
export { readableFrom } from "./aws/byte-reader.ts";
export type { ByteRead, ByteReader } from "./aws/byte-reader.ts";

// 5. The event stream: bytes -> event-stream messages -> the model's JSON objects (or its error).
export { createMessageSplitter, decodeEventStream } from "./eventstream/decode.ts";
export type { DecodeOptions, EventStreamMessage, HeaderValue, MessageSplitter } from "./eventstream/decode.ts";
export { bedrockEvents, CHUNK_EVENT, readBedrockEvent } from "./eventstream/events.ts";
export type { BedrockStreamEvent } from "./eventstream/events.ts";

// 6. Out to a client: OpenAI's server-sent events, and errors in OpenAI's shape.
export { encodeSse, SSE_DONE, sseComment, sseData, toErrorBody } from "./openai/sse.ts";
export type { SseOptions } from "./openai/sse.ts";
export { HEX_DIGEST, isRedirect, redactSecrets } from "./bedrock-errors.ts";
// shownText: a client's or a configuration's text in a message, cut between words or told by its
// length; cutName: a client's name in an error's param, cut in code points.
export { cutName, invalidRequest, modelNotFound, shownText } from "./errors.ts";
export { unbilledRefusal } from "./routing/attempt-usage.ts";
// Ids as the client makes them (chatcmpl-…, call_…), for a server's own (req_…).
export { randomId } from "./ids.ts";

// 7. The Responses API as a mapping over chat: its request validated and turned into a chat
// request; a chat.completion or chunk stream turned into a Response or the Responses events (and
// a stream a server began before the model failed to answer, into the events a failure ends with).
export { checkResponsesStreamFlag, parseResponsesRequest } from "./responses/request.ts";
export { inResponsesTerms, toChatRequest } from "./responses/to-chat.ts";
export type { ChatMapping, MessageSource } from "./responses/to-chat.ts";
export { failedResponseEvents, responseEvents, responseFromCompletion } from "./responses/from-chat.ts";
export { responseMeta } from "./responses/output.ts";
// A Response as a server sends it: without `output_text`, which the SDK computes on the client.
export { responseBody } from "./responses/output.ts";
export { encodeResponseSse, responseSseEvent } from "./responses/sse.ts";
export type { ResponseSseOptions } from "./responses/sse.ts";
