// InvokeModel bodies of imported models, in the three formats Bedrock tells apart by their
// fields (AWS: "Invoke your imported model"):
//
//   messages                               -> OpenAIChatCompletion (the Chat Completions body)
//   prompt + max_tokens                    -> OpenAICompletion     (the Completions body)
//   prompt (+ max_gen_len, or no limit)    -> BedrockCompletion    (Bedrock's own)
//
// A model imported before 2025-11-11 (the `legacy` option) speaks BedrockCompletion only (an
// openai-format one only the chat body it always spoke). Checked as Bedrock checks them: a bad
// parameter is a 400 ValidationException naming it. Pure functions; a string is the complaint.

import type { ModelSpec } from "./model-id.ts";
import {
  checkBoolean,
  checkInteger,
  checkNumber,
  checkStop,
  checkString,
  firstProblem,
  isRecord,
  malformed,
  stopStrings,
  typeName,
} from "./request-checks.ts";
import { type Constraint, responseFormatConstraint, structuredOutputsConstraint } from "./structured-output.ts";
import type { OfferedTool } from "./tool-markup.ts";

export interface BedrockCompletionRequest {
  kind: "bedrock-completion";
  prompt: string;
  maxTokens?: number;
  stop: string[];
  constraint?: Constraint;
  /** `return_logprobs`: top-1 logprob per output token, keyed by token id. */
  returnLogprobs: boolean;
}

export interface OpenAICompletionRequest {
  kind: "openai-completion";
  /** One or more prompts: n choices each, in order. */
  prompts: string[];
  model?: string;
  maxTokens: number;
  n: number;
  stop: string[];
  constraint?: Constraint;
  /** Alternatives per token; `undefined`: no logprobs. */
  logprobs?: number;
  echo: boolean;
  promptLogprobs?: number;
}

export interface ChatMessage {
  role: string;
  text: string;
}

export type ToolChoice = { kind: "none" | "auto" | "required" } | { kind: "named"; name: string };

export interface ChatRequest {
  kind: "chat";
  model: string;
  messages: ChatMessage[];
  tools: OfferedTool[];
  toolChoice: ToolChoice;
  maxTokens?: number;
  n: number;
  stop: string[];
  constraint?: Constraint;
  logprobs: boolean;
  topLogprobs: number;
  promptLogprobs?: number;
}

export type InvokeRequest = BedrockCompletionRequest | OpenAICompletionRequest | ChatRequest;

export const MAX_GEN_LEN = 8192;
/** Bedrock's limit for imported models: images per OpenAIChatCompletion request. */
export const MAX_IMAGES = 3;
const MAX_N = 128;
const MAX_LOGPROBS = 20;
/** vLLM's default when a Completions body leaves max_tokens null. */
const DEFAULT_COMPLETION_TOKENS = 16;

// BedrockCompletion's schema: anything else is an "extraneous key".
const BEDROCK_COMPLETION_KEYS = new Set([
  "prompt",
  "max_gen_len",
  "temperature",
  "top_p",
  "top_k",
  "stop",
  "seed",
  "images",
  "response_format",
  "return_logprobs",
]);
const CHAT_ROLES = new Set(["system", "developer", "user", "assistant", "tool"]);
const STREAM_IN_BODY =
  "stream and stream_options do not belong in a Bedrock body: streaming is chosen by calling InvokeModelWithResponseStream.";
const DATA_URL = /^data:image\/[a-z0-9.+-]+;base64,[A-Za-z0-9+/]*={0,2}$/i;

/** Picks the format by the body's fields and parses it; `stream`: InvokeModelWithResponseStream. */
export function parseInvokeRequest(spec: ModelSpec, body: unknown, stream: boolean): InvokeRequest | string {
  if (!isRecord(body))
    return "Malformed input request: the body must be a JSON object, please reformat your input and try again.";
  if (spec.legacy) return spec.format === "openai" ? parseChatRequest(body) : parseBedrockCompletion(body);
  const has = (key: string) => body[key] !== undefined;
  if (has("messages") && has("prompt")) {
    return malformed("a body has either [prompt] (a completion format) or [messages] (the chat format), not both");
  }
  if (has("messages")) return parseChatRequest(body);
  if (has("prompt") && "max_tokens" in body) {
    if (has("max_gen_len")) {
      return malformed("[max_tokens] (OpenAICompletion) and [max_gen_len] (BedrockCompletion) cannot be combined");
    }
    return parseOpenAICompletion(body, stream);
  }
  return parseBedrockCompletion(body);
}

export function parseBedrockCompletion(body: Record<string, unknown>): BedrockCompletionRequest | string {
  const { prompt, max_gen_len, temperature, top_p, top_k, stop, seed, images, response_format, return_logprobs } = body;
  // Every violation at once, joined the way Bedrock's schema validation joins them.
  const violations: string[] = [];
  if (prompt === undefined) violations.push("required key [prompt] not found");
  else if (typeof prompt !== "string") violations.push(`prompt: expected type: String, found: ${typeName(prompt)}`);
  else if (prompt.length === 0) violations.push("prompt: expected minLength: 1, actual: 0");
  const extraneous = Object.keys(body).filter((key) => !BEDROCK_COMPLETION_KEYS.has(key));
  for (const key of extraneous.slice(0, 10)) violations.push(`extraneous key [${key.slice(0, 100)}] is not permitted`);
  if (violations.length > 0 || typeof prompt !== "string") return malformed(violations.join("#: "));
  const problem = firstProblem(
    checkInteger("max_gen_len", max_gen_len, 1, MAX_GEN_LEN),
    checkNumber("temperature", temperature, 0, 2),
    checkNumber("top_p", top_p, 0, 1),
    checkInteger("top_k", top_k, -1, 1_000_000),
    checkInteger("seed", seed, 0, Number.MAX_SAFE_INTEGER),
    checkStop(stop),
    checkImages(images),
    checkBoolean("return_logprobs", return_logprobs),
  );
  if (problem) return problem;
  const constraint = responseFormatConstraint(response_format);
  if (typeof constraint === "string") return constraint;
  const request: BedrockCompletionRequest = {
    kind: "bedrock-completion",
    prompt,
    stop: stopStrings(stop),
    returnLogprobs: return_logprobs === true,
  };
  if (typeof max_gen_len === "number") request.maxTokens = max_gen_len;
  if (constraint) request.constraint = constraint;
  return request;
}

export function parseOpenAICompletion(
  body: Record<string, unknown>,
  stream: boolean,
): OpenAICompletionRequest | string {
  if ("stream" in body || "stream_options" in body) return STREAM_IN_BODY;
  const { prompt, model, max_tokens, n, stop, logprobs, echo, prompt_logprobs, suffix } = body;
  const prompts = typeof prompt === "string" ? [prompt] : Array.isArray(prompt) ? prompt : undefined;
  if (!prompts || prompts.length === 0 || !prompts.every((item) => typeof item === "string" && item !== "")) {
    return prompts?.some((item) => typeof item === "number" || Array.isArray(item))
      ? malformed("prompt: token-id prompts are not supported; send the prompt text")
      : "Either prompt or prompt_embeds must be provided and non-empty.";
  }
  if (suffix !== undefined && suffix !== null) return "suffix is not currently supported";
  const problem = firstProblem(
    checkString("model", model),
    max_tokens === null ? undefined : checkInteger("max_tokens", max_tokens, 1, MAX_GEN_LEN),
    checkInteger("n", n, 1, MAX_N),
    checkNumber("temperature", body.temperature, 0, 2),
    checkNumber("top_p", body.top_p, 0, 1),
    checkInteger("top_k", body.top_k, -1, 1_000_000),
    checkNumber("min_p", body.min_p, 0, 1),
    checkInteger("seed", body.seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
    checkNumber("presence_penalty", body.presence_penalty, -2, 2),
    checkNumber("frequency_penalty", body.frequency_penalty, -2, 2),
    checkNumber("repetition_penalty", body.repetition_penalty, 0, 2),
    checkInteger("best_of", body.best_of, 1, MAX_N),
    checkInteger("logprobs", logprobs, 0, MAX_LOGPROBS),
    checkInteger("prompt_logprobs", prompt_logprobs, -1, MAX_LOGPROBS),
    checkBoolean("echo", echo),
    checkStop(stop),
    body.logit_bias === undefined || isRecord(body.logit_bias)
      ? undefined
      : malformed(`logit_bias: expected type: JSONObject, found: ${typeName(body.logit_bias)}`),
  );
  if (problem) return problem;
  if (stream && typeof prompt_logprobs === "number" && prompt_logprobs !== 0) {
    return "`prompt_logprobs` are not available when `stream=True`.";
  }
  const constraint = constraintOf(body);
  if (typeof constraint === "string") return constraint;
  const request: OpenAICompletionRequest = {
    kind: "openai-completion",
    prompts: prompts as string[],
    maxTokens: typeof max_tokens === "number" ? max_tokens : DEFAULT_COMPLETION_TOKENS,
    n: typeof n === "number" ? n : 1,
    stop: stopStrings(stop),
    echo: echo === true,
  };
  if (typeof model === "string") request.model = model;
  if (typeof logprobs === "number") request.logprobs = logprobs;
  if (typeof prompt_logprobs === "number") request.promptLogprobs = Math.max(prompt_logprobs, 1);
  if (constraint) request.constraint = constraint;
  return request;
}

export function parseChatRequest(body: Record<string, unknown>): ChatRequest | string {
  if ("stream" in body || "stream_options" in body) return STREAM_IN_BODY;
  const { model, messages, tools, tool_choice, max_tokens, max_completion_tokens, n, stop } = body;
  const { logprobs, top_logprobs, prompt_logprobs } = body;
  if (!Array.isArray(messages) || messages.length === 0) return "messages: required non-empty array not found.";
  if (typeof model !== "string" || model.length === 0) return "model: required string not found.";
  const parsedMessages: ChatMessage[] = [];
  let images = 0;
  for (const [index, message] of messages.entries()) {
    if (!isRecord(message) || typeof message.role !== "string" || !CHAT_ROLES.has(message.role)) {
      return `messages[${index}].role: must be one of system, developer, user, assistant, tool.`;
    }
    const content = messageContent(message.content, `messages[${index}].content`);
    if (typeof content === "string") return content;
    images += content.images;
    parsedMessages.push({ role: message.role, text: content.text });
  }
  if (images > MAX_IMAGES) {
    return `Too many images: the request has ${images} images and at most ${MAX_IMAGES} are allowed.`;
  }
  const problem = firstProblem(
    checkInteger("max_tokens", max_tokens, 1, MAX_GEN_LEN),
    checkInteger("max_completion_tokens", max_completion_tokens, 1, MAX_GEN_LEN),
    checkInteger("n", n, 1, MAX_N),
    checkNumber("temperature", body.temperature, 0, 2),
    checkNumber("top_p", body.top_p, 0, 1),
    checkInteger("seed", body.seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
    checkNumber("presence_penalty", body.presence_penalty, -2, 2),
    checkNumber("frequency_penalty", body.frequency_penalty, -2, 2),
    checkBoolean("logprobs", logprobs),
    checkInteger("top_logprobs", top_logprobs, 0, MAX_LOGPROBS),
    checkInteger("prompt_logprobs", prompt_logprobs, -1, MAX_LOGPROBS),
    checkStop(stop),
  );
  if (problem) return problem;
  if (typeof top_logprobs === "number" && top_logprobs > 0 && logprobs !== true) {
    return "when using `top_logprobs`, `logprobs` must be set to true.";
  }
  const offered = offeredTools(tools);
  if (typeof offered === "string") return offered;
  const toolChoice = parseToolChoice(tool_choice, offered);
  if (typeof toolChoice === "string") return toolChoice;
  const constraint = constraintOf(body);
  if (typeof constraint === "string") return constraint;
  const request: ChatRequest = {
    kind: "chat",
    model,
    messages: parsedMessages,
    tools: offered,
    toolChoice,
    n: typeof n === "number" ? n : 1,
    stop: stopStrings(stop),
    logprobs: logprobs === true,
    topLogprobs: typeof top_logprobs === "number" ? top_logprobs : 0,
  };
  const maxTokens = typeof max_completion_tokens === "number" ? max_completion_tokens : max_tokens;
  if (typeof maxTokens === "number") request.maxTokens = maxTokens;
  if (typeof prompt_logprobs === "number") request.promptLogprobs = Math.max(prompt_logprobs, 1);
  if (constraint) request.constraint = constraint;
  return request;
}

/** `structured_outputs` wins over `response_format` when both are given, as in vLLM. */
function constraintOf(body: Record<string, unknown>): Constraint | undefined | string {
  const structured = structuredOutputsConstraint(body.structured_outputs);
  if (structured !== undefined) return structured;
  return responseFormatConstraint(body.response_format);
}

/** A message's text (a string, or its `text` parts joined) and how many images it carries. */
function messageContent(content: unknown, where: string): { text: string; images: number } | string {
  if (typeof content === "string") return { text: content, images: 0 };
  if (!Array.isArray(content)) return { text: "", images: 0 };
  let text = "";
  let images = 0;
  for (const [index, part] of content.entries()) {
    if (!isRecord(part)) continue;
    if (part.type === "text" && typeof part.text === "string") text += part.text;
    if (part.type === "image_url") {
      const url = isRecord(part.image_url) ? part.image_url.url : undefined;
      // Bedrock takes images inline only: it never fetches a URL for an imported model.
      if (typeof url !== "string" || !DATA_URL.test(url)) {
        return `${where}[${index}].image_url.url: only base64 data URLs (data:image/<type>;base64,<data>) are supported.`;
      }
      images++;
    }
  }
  return { text, images };
}

function offeredTools(tools: unknown): OfferedTool[] | string {
  if (tools === undefined || tools === null) return [];
  if (!Array.isArray(tools)) return "tools: must be an array.";
  const offered: OfferedTool[] = [];
  for (const [index, tool] of tools.entries()) {
    const fn = isRecord(tool) ? tool.function : undefined;
    if (!isRecord(fn) || typeof fn.name !== "string" || fn.name === "") {
      return `tools[${index}].function.name: required string not found.`;
    }
    offered.push(isRecord(fn.parameters) ? { name: fn.name, parameters: fn.parameters } : { name: fn.name });
  }
  return offered;
}

/** vLLM's rules: tools default `auto`, no tools default `none`; a forced call needs tools. */
function parseToolChoice(choice: unknown, tools: OfferedTool[]): ToolChoice | string {
  if (choice === undefined || choice === null) return { kind: tools.length > 0 ? "auto" : "none" };
  if (choice === "none" || choice === "auto" || choice === "required") {
    if (choice !== "none" && tools.length === 0) return "When using `tool_choice`, `tools` must be set.";
    return { kind: choice };
  }
  const name = isRecord(choice) && isRecord(choice.function) ? choice.function.name : undefined;
  if (typeof name !== "string") {
    return 'tool_choice: must be "none", "auto", "required" or {"type": "function", "function": {"name": …}}.';
  }
  if (!tools.some((tool) => tool.name === name)) return `Tool '${name}' has not been passed in \`tools\`.`;
  return { kind: "named", name };
}

function checkImages(images: unknown): string | undefined {
  if (images === undefined) return undefined;
  if (Array.isArray(images) && images.every((item) => typeof item === "string")) return undefined;
  return malformed("images: expected an array of base64 strings");
}
