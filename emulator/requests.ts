// Request bodies the emulator accepts, checked as Bedrock checks them: a bad parameter is a 400
// ValidationException naming it. Pure functions; a string result is the complaint.

import type { ModelFormat } from "./model-id.ts";

/** The body of the completion formats (r1, llama, qwen3, qwen2). */
export interface CompletionRequest {
  prompt: string;
  max_gen_len?: number;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  stop?: string[];
}

export interface ChatMessage {
  role: string;
  text: string;
}

/** The parts of an OpenAI Chat Completions body the emulator looks at. */
export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  toolNames: string[];
  maxTokens?: number;
}

export type ParsedRequest = { kind: "completion"; body: CompletionRequest } | { kind: "chat"; body: ChatRequest };

// response_format: BedrockCompletion takes structured outputs (json_object, json_schema).
const COMPLETION_KEYS = new Set([
  "prompt",
  "max_gen_len",
  "temperature",
  "top_p",
  "top_k",
  "stop",
  "seed",
  "images",
  "response_format",
]);
const CHAT_ROLES = new Set(["system", "developer", "user", "assistant", "tool"]);
export const MAX_GEN_LEN = 8192;

export function parseRequest(format: ModelFormat, body: unknown): ParsedRequest | string {
  if (!isRecord(body))
    return "Malformed input request: the body must be a JSON object, please reformat your input and try again.";
  if (format === "openai") {
    const chat = parseChatRequest(body);
    return typeof chat === "string" ? chat : { kind: "chat", body: chat };
  }
  const completion = parseCompletionRequest(body);
  return typeof completion === "string" ? completion : { kind: "completion", body: completion };
}

export function parseCompletionRequest(body: Record<string, unknown>): CompletionRequest | string {
  for (const key of Object.keys(body)) {
    if (!COMPLETION_KEYS.has(key)) return malformed(`extraneous key [${key}] is not permitted`);
  }
  const { prompt, max_gen_len, temperature, top_p, top_k, stop, seed, images, response_format } = body;
  if (typeof prompt !== "string" || prompt.length === 0)
    return malformed("required key [prompt] not found or not a non-empty string");
  const request: CompletionRequest = { prompt };
  const problem =
    checkInteger("max_gen_len", max_gen_len, 1, MAX_GEN_LEN) ??
    checkNumber("temperature", temperature, 0, 2) ??
    checkNumber("top_p", top_p, 0, 1) ??
    checkInteger("top_k", top_k, -1, 1_000_000) ??
    checkInteger("seed", seed, 0, Number.MAX_SAFE_INTEGER) ??
    checkStop(stop) ??
    checkImages(images) ??
    checkResponseFormat(response_format);
  if (problem) return problem;
  if (typeof max_gen_len === "number") request.max_gen_len = max_gen_len;
  if (typeof temperature === "number") request.temperature = temperature;
  if (typeof top_p === "number") request.top_p = top_p;
  if (typeof top_k === "number") request.top_k = top_k;
  if (typeof stop === "string") request.stop = [stop];
  else if (Array.isArray(stop)) request.stop = stop.filter((item): item is string => typeof item === "string");
  return request;
}

export function parseChatRequest(body: Record<string, unknown>): ChatRequest | string {
  if ("stream" in body || "stream_options" in body) {
    return "stream and stream_options do not belong in a Bedrock body: streaming is chosen by calling InvokeModelWithResponseStream.";
  }
  const { model, messages, tools, max_tokens, max_completion_tokens, temperature, top_p } = body;
  if (typeof model !== "string" || model.length === 0) return "model: required string not found.";
  if (!Array.isArray(messages) || messages.length === 0) return "messages: required non-empty array not found.";
  const parsedMessages: ChatMessage[] = [];
  for (const [index, message] of messages.entries()) {
    if (!isRecord(message) || typeof message.role !== "string" || !CHAT_ROLES.has(message.role)) {
      return `messages[${index}].role: must be one of system, developer, user, assistant, tool.`;
    }
    parsedMessages.push({ role: message.role, text: messageText(message.content) });
  }
  const problem =
    checkInteger("max_tokens", max_tokens, 1, MAX_GEN_LEN) ??
    checkInteger("max_completion_tokens", max_completion_tokens, 1, MAX_GEN_LEN) ??
    checkNumber("temperature", temperature, 0, 2) ??
    checkNumber("top_p", top_p, 0, 1);
  if (problem) return problem;
  if (tools !== undefined && !Array.isArray(tools)) return "tools: must be an array.";
  const request: ChatRequest = { model, messages: parsedMessages, toolNames: toolNames(tools ?? []) };
  const maxTokens = typeof max_completion_tokens === "number" ? max_completion_tokens : max_tokens;
  if (typeof maxTokens === "number") request.maxTokens = maxTokens;
  return request;
}

/** The text of a message's `content`: a string, or the `text` parts of an array, joined. */
function messageText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part) => (isRecord(part) && part.type === "text" && typeof part.text === "string" ? part.text : ""))
    .join("");
}

function toolNames(tools: unknown[]): string[] {
  const names: string[] = [];
  for (const tool of tools) {
    const fn = isRecord(tool) ? tool.function : undefined;
    if (isRecord(fn) && typeof fn.name === "string") names.push(fn.name);
  }
  return names;
}

function malformed(detail: string): string {
  return `Malformed input request: #: ${detail}, please reformat your input and try again.`;
}

function checkNumber(name: string, value: unknown, minimum: number, maximum: number): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value))
    return malformed(`${name}: expected type: Number, found: ${typeName(value)}`);
  if (value < minimum) return malformed(`${name}: ${value} is not greater or equal to ${minimum}`);
  if (value > maximum) return malformed(`${name}: ${value} is not less or equal to ${maximum}`);
  return undefined;
}

function checkInteger(name: string, value: unknown, minimum: number, maximum: number): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value))
    return malformed(`${name}: expected type: Integer, found: ${typeName(value)}`);
  return checkNumber(name, value, minimum, maximum);
}

function checkStop(stop: unknown): string | undefined {
  if (stop === undefined || typeof stop === "string") return undefined;
  if (Array.isArray(stop) && stop.length <= 16 && stop.every((item) => typeof item === "string")) return undefined;
  return malformed("stop: expected a string or an array of at most 16 strings");
}

function checkResponseFormat(format: unknown): string | undefined {
  if (format === undefined) return undefined;
  if (isRecord(format) && (format.type === "json_object" || format.type === "json_schema")) return undefined;
  return malformed("response_format: expected {type: json_object | json_schema}");
}

function checkImages(images: unknown): string | undefined {
  if (images === undefined) return undefined;
  if (Array.isArray(images) && images.every((item) => typeof item === "string")) return undefined;
  return malformed("images: expected an array of base64 strings");
}

function typeName(value: unknown): string {
  if (value === null) return "Null";
  if (Array.isArray(value)) return "JSONArray";
  if (typeof value === "object") return "JSONObject";
  if (typeof value === "string") return "String";
  if (typeof value === "boolean") return "Boolean";
  return typeof value;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
