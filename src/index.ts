// bedrock-edge: OpenAI Chat Completions for Amazon Bedrock imported models, on web standards.
export { createBedrock } from "./client.ts";
export type {
  Bedrock,
  BedrockOptions,
  ChatCompletions,
  ChatCompletionStream,
  NonStreamingRequest,
  RequestOptions,
  StreamingRequest,
} from "./client.ts";
export { BedrockEdgeError, isBedrockEdgeError, redactSecrets } from "./errors.ts";
export type { OpenAIErrorBody } from "./errors.ts";
export type { AwsCredentials, CredentialsOption } from "./aws/credentials.ts";
export type { RetryEvent } from "./aws/send-with-retries.ts";
export type { TransportOptions } from "./aws/transport-options.ts";
export type { ModelConfig, ModelEntry, ParsedModel } from "./model.ts";
export { parseModels, parseModelString } from "./model.ts";
export type * from "./openai/types.ts";
export type { RouteName } from "./routes/index.ts";
export type { TemplateName } from "./routes/prompts/index.ts";

// Low-level pieces, for those who build their own pipeline.
export { readableFrom } from "./aws/byte-reader.ts";
export type { ByteReader } from "./aws/byte-reader.ts";
export { invokeJson, invokeStream } from "./aws/invoke.ts";
export type { StreamAnswer } from "./aws/invoke.ts";
export { createTransport } from "./aws/transport-options.ts";
export { createMessageSplitter, decodeEventStream } from "./eventstream/decode.ts";
export type { EventStreamMessage, MessageSplitter } from "./eventstream/decode.ts";
export { bedrockEvents, readBedrockEvent } from "./eventstream/events.ts";
export { parseChatRequest } from "./openai/schema.ts";
export { encodeSse, sseComment, sseData, SSE_DONE, toErrorBody } from "./openai/sse.ts";
export { routes } from "./routes/index.ts";
