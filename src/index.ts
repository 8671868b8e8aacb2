// bedrock-edge: OpenAI Chat Completions for Amazon Bedrock imported models, on web standards.
// The client, its errors and its types. The pipeline's pieces (validation, routes, transport,
// event streams, SSE) are in `bedrock-edge/core` (core.ts).
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
export type { Completions } from "./completions/client.ts";
export type * from "./completions/types.ts";
export type { Embeddings } from "./embeddings/client.ts";
export type * from "./embeddings/types.ts";
export type { Images } from "./images/client.ts";
export type * from "./images/types.ts";
export { BedrockEdgeError, isBedrockEdgeError } from "./errors.ts";
export type { BedrockEdgeErrorInit, OpenAIErrorBody, UnmeteredCall } from "./errors.ts";
export type { AwsCredentials, CredentialsOption } from "./aws/credentials.ts";
export type { RetryEvent } from "./aws/send-with-retries.ts";
export type { CallSentEvent } from "./completions/sent-calls.ts";
export type { SigningCrypto } from "./aws/sign.ts";
export type { TransportOptions } from "./aws/transport-options.ts";
export type { ModelConfig, ModelEntry, ModelTableEntry, RoutedModelEntry, SingleModelEntry } from "./model.ts";
export type { GuardrailConfig } from "./model-settings.ts";
export type { DeploymentConfig, RoutedModelConfig, RoutingStrategy } from "./deployments.ts";
export type { CooldownStore } from "./routing/cooldowns.ts";
export type { DeploymentEvent, FailoverEvent } from "./routing/router.ts";
export type { FailoverUsageEvent } from "./routing/attempt-usage.ts";
export type * from "./openai/types.ts";
export type { StructuredOutputs } from "./openai/structured-outputs.ts";
export type { RouteName } from "./routes/index.ts";
export type { BedrockServiceTier, TemplateName } from "./routes/setting-names.ts";
export type { Responses, ResponsesRequestOptions } from "./responses/client.ts";
export type { ResponseEventStream, ResponseEventsOptions } from "./responses/from-chat.ts";
export type { ResponseMeta } from "./responses/output.ts";
export type * from "./responses/types.ts";
