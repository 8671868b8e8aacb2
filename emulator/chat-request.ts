// The OpenAIChatCompletion body of imported models: the Chat Completions request, with
// Bedrock's image limits and vLLM's tool_choice rules. Pure; a string is the complaint.

import {
  checkBoolean,
  checkInteger,
  checkNumber,
  checkStop,
  firstProblem,
  isRecord,
  MAX_GEN_LEN,
  MAX_LOGPROBS,
  MAX_N,
  STREAM_IN_BODY,
  stopStrings,
} from "./request-checks.ts";
import { type Constraint, constraintOf } from "./structured-output.ts";
import type { OfferedTool } from "./tool-markup.ts";

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

/** Bedrock's limit for imported models: images per OpenAIChatCompletion request. */
const MAX_IMAGES = 3;
const CHAT_ROLES = new Set(["system", "developer", "user", "assistant", "tool"]);
const DATA_URL = /^data:image\/[a-z0-9.+-]+;base64,[A-Za-z0-9+/]*={0,2}$/i;

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
