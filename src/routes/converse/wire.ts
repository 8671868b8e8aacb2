// The parts of Bedrock's Converse request that this route writes (AWS API reference:
// Converse, Message, ContentBlock, ToolConfiguration). Answers are read defensively from
// unknown JSON instead (answer.ts, stream.ts), so they have no types here.
import type { JsonObject } from "../../json.ts";
import type { BedrockServiceTier } from "../setting-names.ts";

export type ImageFormat = "png" | "jpeg" | "gif" | "webp";

/** DocumentBlock's formats. */
export type DocumentFormat = "pdf" | "csv" | "doc" | "docx" | "xls" | "xlsx" | "html" | "txt" | "md";

/** A document (API reference: DocumentBlock): its name is one Bedrock's rule takes, its bytes base64. */
export type DocumentBlock = { format: DocumentFormat; name: string; source: { bytes: string } };

export type ToolResultContent = { text: string };

/** Caches the prompt up to where it stands (API reference: CachePointBlock); ttl only "1h", five minutes being the default. */
export type CachePointBlock = { cachePoint: { type: "default"; ttl?: "1h" } };

export type SystemBlock = { text: string } | CachePointBlock;

export type ContentBlock =
  | { text: string }
  | { image: { format: ImageFormat; source: { bytes: string } } }
  | { document: DocumentBlock }
  | { toolUse: { toolUseId: string; name: string; input: JsonObject } }
  | { toolResult: { toolUseId: string; content: ToolResultContent[] } }
  | { reasoningContent: { reasoningText: { text: string; signature: string } } | { redactedContent: string } }
  | CachePointBlock;

export interface Message {
  role: "user" | "assistant";
  content: ContentBlock[];
}

export type ToolChoice = { auto: JsonObject } | { any: JsonObject } | { tool: { name: string } };

export interface ToolConfig {
  tools: Array<
    { toolSpec: { name: string; description?: string; inputSchema: { json: JsonObject } } } | CachePointBlock
  >;
  toolChoice?: ToolChoice;
}

export interface InferenceConfig {
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stopSequences?: string[];
}

// A type, not an interface: a route's body is a Record<string, unknown>, which only a type
// alias's object type is assignable to.
export type ConverseBody = {
  messages: Message[];
  system?: SystemBlock[];
  inferenceConfig?: InferenceConfig;
  toolConfig?: ToolConfig;
  additionalModelRequestFields?: JsonObject;
  additionalModelResponseFieldPaths?: string[];
  guardrailConfig?: JsonObject;
  outputConfig?: JsonObject;
  serviceTier?: { type: BedrockServiceTier };
  performanceConfig?: { latency: "standard" | "optimized" };
};
