// Converse and ConverseStream request bodies, checked as Bedrock checks them: AWS's constraint
// wording ("1 validation error detected: Value … at 'messages.1.member.role' failed to satisfy
// constraint: …") for shapes, Bedrock's own sentences for the conversation rules (it starts
// with a user message, roles alternate, every toolResult answers a toolUse of the turn before).
// Pure functions; a string result is the complaint.

import type { ChatMessage, ToolChoice } from "./chat-request.ts";
import { parseJsonText } from "./json-body.ts";
import { thinkingProblem } from "./converse-thinking.ts";
import { checkDocument, type DocumentCount, documentCount, documentsProblem } from "./converse-documents.ts";
import { constraint, isRecord } from "./request-checks.ts";
import type { Constraint } from "./structured-output.ts";
import type { OfferedTool } from "./tool-markup.ts";

export interface ConverseRequest {
  /** The turns as text; a user turn of tool results has role "tool". */
  messages: ChatMessage[];
  system: string;
  tools: OfferedTool[];
  toolChoice: ToolChoice;
  maxTokens?: number;
  stop: string[];
  constraint?: Constraint;
  /** `guardrailConfig.trace` is enabled: the answer carries a guardrail trace. */
  guardrailTrace: boolean;
  /** `additionalModelResponseFieldPaths`. */
  responseFieldPaths: string[];
  /** `performanceConfig`, echoed in the answer as Bedrock does. */
  performanceConfig?: Record<string, unknown>;
  /** `serviceTier`, echoed in the answer (and ConverseStream's metadata) as the tier that served. */
  serviceTier?: Record<string, unknown>;
}

const CONVERSE_MESSAGES = {
  firstUser:
    "A conversation must start with a user message. Try again with a conversation that starts with a user message.",
  alternate:
    "A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.",
  toolConfig: "The toolConfig field must be defined when using toolUse and toolResult content blocks.",
} as const;

const IMAGE_FORMATS = ["png", "jpeg", "gif", "webp"];
const BLOCK_KINDS = [
  "text",
  "image",
  "document",
  "video",
  "toolUse",
  "toolResult",
  "reasoningContent",
  "cachePoint",
  "guardContent",
  "citationsContent",
];
/** Bedrock's service tiers, in the API reference's order. */
const SERVICE_TIERS: readonly string[] = ["priority", "default", "flex", "reserved"];
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const MAX_IMAGES_PER_MESSAGE = 20;

/** `stream`: the call is ConverseStream (some limits differ). */
export function parseConverseRequest(body: unknown, stream = false): ConverseRequest | string {
  if (!isRecord(body)) return "Malformed input request: the body must be a JSON object.";
  const { messages, system, inferenceConfig, toolConfig, guardrailConfig } = body;
  if (!Array.isArray(messages)) return constraint("messages", messages, "Member must not be null");
  const tools = parseToolConfig(toolConfig);
  if (typeof tools === "string") return tools;
  const parsedMessages = parseMessages(messages, toolConfig !== undefined);
  if (typeof parsedMessages === "string") return parsedMessages;
  const systemText = parseSystem(system);
  if (typeof systemText !== "object") return systemText;
  const inference = parseInferenceConfig(inferenceConfig);
  if (typeof inference === "string") return inference;
  const guardrail = parseGuardrailConfig(guardrailConfig);
  if (typeof guardrail === "string") return guardrail;
  const paths = parseResponseFieldPaths(body.additionalModelResponseFieldPaths);
  if (typeof paths === "string") return paths;
  const rest = parseOtherFields(body);
  if (rest) return rest;
  const textFormat = parseOutputConfig(body.outputConfig);
  if (typeof textFormat === "string") return textFormat;
  const thinking = thinkingProblem(body, stream);
  if (thinking) return thinking;
  const request: ConverseRequest = {
    messages: parsedMessages,
    system: systemText.text,
    tools: tools.tools,
    toolChoice: tools.toolChoice,
    stop: inference.stop,
    guardrailTrace: guardrail,
    responseFieldPaths: paths,
  };
  if (inference.maxTokens !== undefined) request.maxTokens = inference.maxTokens;
  if (textFormat) request.constraint = textFormat;
  if (isRecord(body.performanceConfig)) request.performanceConfig = body.performanceConfig;
  if (isRecord(body.serviceTier)) request.serviceTier = body.serviceTier;
  return request;
}

function parseMessages(messages: unknown[], hasToolConfig: boolean): ChatMessage[] | string {
  const parsed: ChatMessage[] = [];
  const documents = documentCount();
  const toolResultTurns = new Set<number>();
  let previousToolUses = new Set<string>();
  for (const [index, message] of messages.entries()) {
    const path = `messages.${index + 1}.member`;
    if (!isRecord(message)) return constraint(path, message, "Member must not be null");
    const { role, content } = message;
    if (role !== "user" && role !== "assistant") {
      return constraint(`${path}.role`, role, "Member must satisfy enum value set: [user, assistant]");
    }
    if (index === 0 && role !== "user") return CONVERSE_MESSAGES.firstUser;
    if (index > 0 && parsed[index - 1]?.role === role) return CONVERSE_MESSAGES.alternate;
    if (!Array.isArray(content)) return constraint(`${path}.content`, content, "Member must not be null");
    if (content.length === 0) {
      return `The content field in the Message object at messages.${index} is empty. Add a ContentBlock object to the content field and try again.`;
    }
    const blocks = parseBlocks(content, index, role, hasToolConfig, documents);
    if (typeof blocks === "string") return blocks;
    const documentProblem = documentsProblem(documents, index, blocks.hasTextBlock);
    if (documentProblem) return documentProblem;
    for (const id of blocks.toolResults) {
      if (!previousToolUses.has(id)) {
        return `The toolResult block with toolUseId '${id.slice(0, 64)}' at messages.${index} does not answer any toolUse block of the previous assistant message (messages.${index - 1}).`;
      }
    }
    previousToolUses = blocks.toolUses;
    parsed.push({ role, text: blocks.text });
    if (blocks.toolResults.length > 0) toolResultTurns.add(index);
  }
  return parsed.map((message, index) => (toolResultTurns.has(index) ? { ...message, role: "tool" } : message));
}

interface Blocks {
  text: string;
  /** Whether a text block is among them (a document needs one beside it). */
  hasTextBlock: boolean;
  toolUses: Set<string>;
  toolResults: string[];
}

function parseBlocks(
  content: unknown[],
  messageIndex: number,
  role: string,
  hasToolConfig: boolean,
  documents: DocumentCount,
): Blocks | string {
  const blocks: Blocks = { text: "", hasTextBlock: false, toolUses: new Set(), toolResults: [] };
  let images = 0;
  for (const [index, block] of content.entries()) {
    const path = `messages.${messageIndex + 1}.member.content.${index + 1}.member`;
    const kinds = isRecord(block) ? Object.keys(block).filter((key) => block[key] !== undefined) : [];
    const kind = kinds[0];
    if (!isRecord(block) || kinds.length !== 1 || kind === undefined || !BLOCK_KINDS.includes(kind)) {
      return `${path}: a ContentBlock must set exactly one of ${BLOCK_KINDS.join(", ")}.`;
    }
    const value = block[kind];
    switch (kind) {
      case "text":
        if (typeof value !== "string") return constraint(`${path}.text`, value, "Member must not be null");
        blocks.text += value;
        blocks.hasTextBlock = true;
        break;
      case "document": {
        if (role !== "user") return `${path}.document: only a user message can hold a document block.`;
        const problem = checkDocument(value, `${path}.document`, documents);
        if (problem) return problem;
        break;
      }
      case "image": {
        const problem = checkImage(value, `${path}.image`);
        if (problem) return problem;
        if (++images > MAX_IMAGES_PER_MESSAGE) {
          return `Too many images in messages.${messageIndex}: at most ${MAX_IMAGES_PER_MESSAGE} are allowed.`;
        }
        break;
      }
      case "toolUse": {
        if (!hasToolConfig) return CONVERSE_MESSAGES.toolConfig;
        if (role !== "assistant") return `${path}.toolUse: only an assistant message can hold a toolUse block.`;
        if (!isRecord(value) || typeof value.toolUseId !== "string" || typeof value.name !== "string") {
          return constraint(
            `${path}.toolUse.toolUseId`,
            isRecord(value) ? value.toolUseId : value,
            "Member must not be null",
          );
        }
        if (!isRecord(value.input)) return constraint(`${path}.toolUse.input`, value.input, "Member must not be null");
        blocks.toolUses.add(value.toolUseId);
        break;
      }
      case "toolResult": {
        if (!hasToolConfig) return CONVERSE_MESSAGES.toolConfig;
        if (role !== "user") return `${path}.toolResult: only a user message can hold a toolResult block.`;
        if (!isRecord(value) || typeof value.toolUseId !== "string") {
          return constraint(
            `${path}.toolResult.toolUseId`,
            isRecord(value) ? value.toolUseId : value,
            "Member must not be null",
          );
        }
        if (!Array.isArray(value.content)) {
          return constraint(`${path}.toolResult.content`, value.content, "Member must not be null");
        }
        blocks.toolResults.push(value.toolUseId);
        for (const part of value.content) {
          if (isRecord(part) && typeof part.text === "string") blocks.text += part.text;
          else if (isRecord(part) && part.json !== undefined) blocks.text += JSON.stringify(part.json);
        }
        break;
      }
      case "reasoningContent": {
        if (role !== "assistant") return `${path}.reasoningContent: only an assistant message can hold reasoning.`;
        const reasoning = isRecord(value) ? value.reasoningText : undefined;
        if (!isRecord(value) || (reasoning === undefined && typeof value.redactedContent !== "string")) {
          return constraint(
            `${path}.reasoningContent`,
            value,
            "Member must have exactly one of reasoningText, redactedContent",
          );
        }
        if (reasoning !== undefined && (!isRecord(reasoning) || typeof reasoning.text !== "string")) {
          return constraint(`${path}.reasoningContent.reasoningText.text`, undefined, "Member must not be null");
        }
        break;
      }
      default:
        // video, cachePoint, guardContent, citationsContent: accepted, not read.
        if (!isRecord(value)) return constraint(`${path}.${kind}`, value, "Member must not be null");
    }
  }
  return blocks;
}

function checkImage(value: unknown, path: string): string | undefined {
  if (!isRecord(value)) return constraint(path, value, "Member must not be null");
  if (typeof value.format !== "string" || !IMAGE_FORMATS.includes(value.format)) {
    return constraint(
      `${path}.format`,
      value.format,
      `Member must satisfy enum value set: [${IMAGE_FORMATS.join(", ")}]`,
    );
  }
  const source = value.source;
  if (!isRecord(source)) return constraint(`${path}.source`, source, "Member must not be null");
  if (source.s3Location !== undefined) return `${path}.source: the emulator accepts image bytes only, not s3Location.`;
  if (typeof source.bytes !== "string" || source.bytes.length === 0 || !BASE64.test(source.bytes)) {
    return `${path}.source.bytes: expected the image as base64 (in JSON, a blob is a base64 string).`;
  }
  return undefined;
}

function parseSystem(system: unknown): { text: string } | string {
  if (system === undefined) return { text: "" };
  if (!Array.isArray(system)) return constraint("system", system, "Member must be a list of SystemContentBlock");
  let text = "";
  for (const [index, block] of system.entries()) {
    if (!isRecord(block)) return constraint(`system.${index + 1}.member`, block, "Member must not be null");
    if (typeof block.text === "string") text += block.text;
    else if (block.guardContent === undefined && block.cachePoint === undefined) {
      return constraint(
        `system.${index + 1}.member`,
        block,
        "Member must have exactly one of text, guardContent, cachePoint",
      );
    }
  }
  return { text };
}

function parseInferenceConfig(config: unknown): { maxTokens?: number; stop: string[] } | string {
  if (config === undefined) return { stop: [] };
  if (!isRecord(config)) return constraint("inferenceConfig", config, "Member must be a structure");
  const { maxTokens, temperature, topP, stopSequences } = config;
  if (maxTokens !== undefined && (typeof maxTokens !== "number" || !Number.isInteger(maxTokens) || maxTokens < 1)) {
    return constraint("inferenceConfig.maxTokens", maxTokens, "Member must have value greater than or equal to 1");
  }
  for (const [name, value] of [
    ["temperature", temperature],
    ["topP", topP],
  ] as const) {
    if (value !== undefined && (typeof value !== "number" || value < 0)) {
      return constraint(`inferenceConfig.${name}`, value, "Member must have value greater than or equal to 0");
    }
    if (typeof value === "number" && value > 1) {
      return constraint(`inferenceConfig.${name}`, value, "Member must have value less than or equal to 1");
    }
  }
  const stop: string[] = [];
  if (stopSequences !== undefined) {
    if (!Array.isArray(stopSequences))
      return constraint("inferenceConfig.stopSequences", stopSequences, "Member must be a list");
    for (const [index, sequence] of stopSequences.entries()) {
      if (typeof sequence !== "string" || sequence.length === 0) {
        return constraint(
          `inferenceConfig.stopSequences.${index + 1}.member`,
          sequence,
          "Member must have length greater than or equal to 1",
        );
      }
      stop.push(sequence);
    }
  }
  return typeof maxTokens === "number" ? { maxTokens, stop } : { stop };
}

function parseToolConfig(config: unknown): { tools: OfferedTool[]; toolChoice: ToolChoice } | string {
  if (config === undefined) return { tools: [], toolChoice: { kind: "none" } };
  if (!isRecord(config) || !Array.isArray(config.tools) || config.tools.length === 0) {
    return constraint(
      "toolConfig.tools",
      isRecord(config) ? config.tools : config,
      "Member must have length greater than or equal to 1",
    );
  }
  const tools: OfferedTool[] = [];
  for (const [index, tool] of config.tools.entries()) {
    const path = `toolConfig.tools.${index + 1}.member`;
    if (isRecord(tool) && (tool.cachePoint !== undefined || tool.systemTool !== undefined)) continue;
    const spec = isRecord(tool) ? tool.toolSpec : undefined;
    if (!isRecord(spec)) return constraint(`${path}.toolSpec`, spec, "Member must not be null");
    if (typeof spec.name !== "string" || !TOOL_NAME.test(spec.name)) {
      return constraint(
        `${path}.toolSpec.name`,
        spec.name,
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+",
      );
    }
    const schema = isRecord(spec.inputSchema) ? spec.inputSchema.json : undefined;
    if (!isRecord(schema)) return constraint(`${path}.toolSpec.inputSchema.json`, schema, "Member must not be null");
    // API reference, ToolInputSchema: "The top level schema type must be object." (Bedrock's words for it.)
    if (schema.type !== "object") {
      return `The value at toolConfig.tools.${index}.toolSpec.inputSchema.json.type must be one of the following: object.`;
    }
    tools.push({ name: spec.name, parameters: schema });
  }
  const choice = config.toolChoice;
  if (choice === undefined || (isRecord(choice) && isRecord(choice.auto)))
    return { tools, toolChoice: { kind: "auto" } };
  if (isRecord(choice) && isRecord(choice.any)) return { tools, toolChoice: { kind: "required" } };
  const named = isRecord(choice) && isRecord(choice.tool) ? choice.tool.name : undefined;
  if (typeof named !== "string") {
    return constraint("toolConfig.toolChoice", choice, "Member must have exactly one of auto, any, tool");
  }
  if (!tools.some((tool) => tool.name === named)) {
    return `The tool named in toolChoice ('${named.slice(0, 64)}') is not one of toolConfig.tools.`;
  }
  return { tools, toolChoice: { kind: "named", name: named } };
}

/**
 * AWS's patterns for GuardrailIdentifier and GuardrailVersion (botocore's service-2.json for
 * bedrock-runtime), as Bedrock quotes them in its refusal, and anchored regexes of the same.
 */
const GUARDRAIL_PATTERNS: readonly (readonly [string, RegExp, string])[] = [
  [
    "guardrailIdentifier",
    /^(?:[a-z0-9]+|arn:aws(?:-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail\/[a-z0-9]+)$/,
    "(([a-z0-9]+)|(arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail/[a-z0-9]+))",
  ],
  ["guardrailVersion", /^(?:[1-9][0-9]{0,7}|DRAFT)$/, "(([1-9][0-9]{0,7})|(DRAFT))"],
];

function parseGuardrailConfig(config: unknown): boolean | string {
  if (config === undefined) return false;
  if (!isRecord(config)) return constraint("guardrailConfig", config, "Member must be a structure");
  for (const [key, pattern, written] of GUARDRAIL_PATTERNS) {
    const value = config[key];
    if (typeof value !== "string" || value === "") {
      return constraint(`guardrailConfig.${key}`, value, "Member must not be null");
    }
    if (!pattern.test(value)) {
      return constraint(`guardrailConfig.${key}`, value, `Member must satisfy regular expression pattern: ${written}`);
    }
  }
  const trace = config.trace;
  if (trace !== undefined && trace !== "enabled" && trace !== "disabled" && trace !== "enabled_full") {
    return constraint(
      "guardrailConfig.trace",
      trace,
      "Member must satisfy enum value set: [enabled, disabled, enabled_full]",
    );
  }
  return trace === "enabled" || trace === "enabled_full";
}

function parseResponseFieldPaths(paths: unknown): string[] | string {
  if (paths === undefined) return [];
  if (!Array.isArray(paths)) return constraint("additionalModelResponseFieldPaths", paths, "Member must be a list");
  for (const path of paths) {
    if (typeof path !== "string" || !path.startsWith("/") || path.length < 2) {
      return `The additionalModelResponseFieldPaths value ${JSON.stringify(path)?.slice(0, 80) ?? "null"} is not a valid JSON Pointer (RFC 6901).`;
    }
  }
  return paths as string[];
}

/** The fields Converse takes and the emulator only checks. */
function parseOtherFields(body: Record<string, unknown>): string | undefined {
  const { additionalModelRequestFields, promptVariables, requestMetadata, performanceConfig, serviceTier } = body;
  if (additionalModelRequestFields !== undefined && !isRecord(additionalModelRequestFields)) {
    return constraint("additionalModelRequestFields", additionalModelRequestFields, "Member must be a JSON object");
  }
  if (promptVariables !== undefined) {
    if (!isRecord(promptVariables)) return constraint("promptVariables", promptVariables, "Member must be a map");
    for (const [name, value] of Object.entries(promptVariables)) {
      if (!isRecord(value) || typeof value.text !== "string") {
        return constraint(`promptVariables.${name.slice(0, 40)}`, value, "Member must have exactly one of text");
      }
    }
  }
  if (requestMetadata !== undefined) {
    if (!isRecord(requestMetadata)) return constraint("requestMetadata", requestMetadata, "Member must be a map");
    if (Object.keys(requestMetadata).length > 16) {
      return constraint("requestMetadata", requestMetadata, "Member must have length less than or equal to 16");
    }
    for (const [key, value] of Object.entries(requestMetadata)) {
      if (typeof value !== "string") {
        return constraint(`requestMetadata.${key.slice(0, 40)}`, value, "Member must be a string");
      }
    }
  }
  if (performanceConfig !== undefined) {
    const latency = isRecord(performanceConfig) ? performanceConfig.latency : performanceConfig;
    if (latency !== "standard" && latency !== "optimized") {
      return constraint(
        "performanceConfig.latency",
        latency,
        "Member must satisfy enum value set: [standard, optimized]",
      );
    }
  }
  if (serviceTier !== undefined) {
    // The API reference's ServiceTier: a required `type` of four values.
    const type = isRecord(serviceTier) ? serviceTier.type : serviceTier;
    if (type == null) return constraint("serviceTier.type", null, "Member must not be null");
    if (!SERVICE_TIERS.includes(type as string)) {
      return constraint("serviceTier.type", type, `Member must satisfy enum value set: [${SERVICE_TIERS.join(", ")}]`);
    }
  }
  return undefined;
}

/** `outputConfig.textFormat`: a JSON Schema (as a string) the text answer must follow. */
function parseOutputConfig(config: unknown): Constraint | undefined | string {
  if (config === undefined) return undefined;
  const format = isRecord(config) ? config.textFormat : undefined;
  if (format === undefined) return undefined;
  const structure = isRecord(format) && isRecord(format.structure) ? format.structure.jsonSchema : undefined;
  const text = isRecord(structure) ? structure.schema : undefined;
  if (!isRecord(format) || format.type !== "json_schema" || typeof text !== "string") {
    return constraint(
      "outputConfig.textFormat",
      format,
      "Member must be {type: json_schema, structure: {jsonSchema: {schema}}}",
    );
  }
  const schema = parseJsonText(text);
  if (!schema.ok) return `outputConfig.textFormat.structure.jsonSchema.schema: ${schema.complaint}`;
  if (hasOpenObject(schema.json)) return OPEN_OBJECT;
  return { kind: "json-schema", schema: schema.json };
}

// Bedrock's structured output compiles a grammar only for closed objects (as reported by the
// clients that close them for it: langchain-aws, future-agi, Microsoft's agent framework).
const OPEN_OBJECT =
  "output_config.format.schema: For 'object' type, 'additionalProperties' must be explicitly set to false";

/** Whether some object schema in `schema` (at any depth) leaves additionalProperties other than false. */
function hasOpenObject(schema: unknown): boolean {
  const pending: unknown[] = [schema];
  while (pending.length > 0) {
    const next = pending.pop();
    if (!isRecord(next)) continue;
    const type = next.type;
    const isObjectSchema =
      type === "object" || (Array.isArray(type) && type.includes("object")) || isRecord(next.properties);
    if (isObjectSchema && next.additionalProperties !== false) return true;
    for (const [keyword, value] of Object.entries(next)) {
      if (SUBSCHEMA.has(keyword)) pending.push(value);
      else if (SUBSCHEMA_LISTS.has(keyword) && Array.isArray(value)) pending.push(...value);
      else if (SUBSCHEMA_MAPS.has(keyword) && isRecord(value)) pending.push(...Object.values(value));
    }
  }
  return false;
}

const SUBSCHEMA = new Set([
  "items",
  "additionalItems",
  "contains",
  "not",
  "if",
  "then",
  "else",
  "propertyNames",
  "additionalProperties",
]);
const SUBSCHEMA_LISTS = new Set(["allOf", "anyOf", "oneOf", "prefixItems"]);
const SUBSCHEMA_MAPS = new Set(["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"]);
