// A request's prompt as OpenTelemetry's GenAI conventions record it on a span (with LOG_PROMPTS
// only): `gen_ai.input.messages`, messages of typed parts (text, tool calls and their results,
// images by URI or inline without their bytes, reasoning), and `gen_ai.system_instructions` for instructions given
// beside the conversation (the Responses API's). Schemas: semantic-conventions v1.41.0,
// docs/gen-ai/gen-ai-input-messages.json and gen-ai-system-instructions.json.
//
// The prompt is what the log line holds: the request as the client sent it, refused or not, so
// every reading here is defensive. What does not read as a message is left out (the line keeps
// it whole); a part of a type the conventions do not name goes as it came (their GenericPart).
import { MAX_JSON_DEPTH, scanJsonText } from "../src/core.ts";
import { isObject, type JsonObject } from "./json-object.ts";
import type { LogLine } from "./log.ts";
import { base64Size, dataUrlMedia } from "./prompt-media.ts";
import { apiOfPath } from "./token-estimate.ts";

/** A message part: `type` says which (text, tool_call, tool_call_response, uri, blob, file, reasoning…). */
export type GenAiPart = { type: string } & Record<string, unknown>;

export interface GenAiMessage {
  role: string;
  parts: GenAiPart[];
  name?: string;
}

export interface GenAiPrompt {
  /** gen_ai.input.messages, in the order they were sent. */
  input?: GenAiMessage[];
  /** gen_ai.system_instructions. */
  system?: GenAiPart[];
}

const text = (content: string): GenAiPart => ({ type: "text", content });

/** The prompt the line holds (LOG_PROMPTS), as the conventions record it; empty without one. */
export function genAiPrompt(line: LogLine): GenAiPrompt {
  const api = apiOfPath(line.path);
  // A legacy Completions prompt, an embeddings input or an image prompt: each text a user message.
  if (api === "completions" || api === "embeddings" || api === "images") {
    return line.prompt === undefined ? {} : { input: completionPrompts(line.prompt) };
  }
  if (line.messages === undefined) return {};
  if (api === "chat") return Array.isArray(line.messages) ? { input: chatMessages(line.messages) } : {};
  if (!isObject(line.messages)) return {};
  const { instructions, input } = line.messages;
  const prompt: GenAiPrompt = { input: responsesInput(input) };
  if (typeof instructions === "string") prompt.system = [text(instructions)];
  return prompt;
}

/** Legacy Completions: each prompt a user message (a text, or token ids as they were sent). */
function completionPrompts(prompt: unknown): GenAiMessage[] {
  const prompts = Array.isArray(prompt) && prompt.some((item) => typeof item !== "number") ? prompt : [prompt];
  return prompts.flatMap((item): GenAiMessage[] => {
    if (typeof item === "string") return [{ role: "user", parts: [text(item)] }];
    if (Array.isArray(item)) return [{ role: "user", parts: [{ type: "token_ids", content: item }] }];
    return [];
  });
}

function chatMessages(messages: unknown[]): GenAiMessage[] {
  return messages.filter(isObject).map((message) => {
    const role = typeof message.role === "string" ? message.role : "user";
    const parts: GenAiPart[] = [];
    if (typeof message.reasoning_content === "string") {
      parts.push({ type: "reasoning", content: message.reasoning_content });
    }
    if (role === "tool") {
      parts.push({ type: "tool_call_response", id: stringOrNull(message.tool_call_id), response: toolResult(message) });
    } else {
      parts.push(...contentParts(message.content));
    }
    for (const call of Array.isArray(message.tool_calls) ? message.tool_calls.filter(isObject) : []) {
      const fn = isObject(call.function) ? call.function : {};
      parts.push(toolCall(call.id, fn.name, fn.arguments));
    }
    const out: GenAiMessage = { role, parts };
    if (typeof message.name === "string") out.name = message.name;
    return out;
  });
}

/** A tool message's content: its text, the texts of its parts joined, or what it is. */
function toolResult(message: JsonObject): unknown {
  const { content } = message;
  if (!Array.isArray(content)) return content ?? null;
  const texts = content.map((part) => (isObject(part) && typeof part.text === "string" ? part.text : undefined));
  return texts.every((item) => item !== undefined) ? texts.join("") : content;
}

function toolCall(id: unknown, name: unknown, args: unknown): GenAiPart {
  return {
    type: "tool_call",
    id: stringOrNull(id),
    name: typeof name === "string" ? name : "",
    // JSON text, as the model wrote it: its value, as the conventions' examples record it.
    arguments: typeof args === "string" ? parsedOr(args) : (args ?? null),
  };
}

/** A chat or Responses message's content as parts: a string is one text part. */
function contentParts(content: unknown): GenAiPart[] {
  if (typeof content === "string") return [text(content)];
  if (!Array.isArray(content)) return [];
  return content.filter(isObject).flatMap((part): GenAiPart[] => {
    const { type } = part;
    if (typeof type !== "string") return [];
    // Chat's text, Responses' input_text and an earlier answer's output_text.
    if ((type === "text" || type === "input_text" || type === "output_text") && typeof part.text === "string") {
      return [text(part.text)];
    }
    if (type === "image_url" && isObject(part.image_url) && typeof part.image_url.url === "string") {
      return [media(part.image_url.url, "image")];
    }
    if (type === "input_image" && typeof part.image_url === "string") return [media(part.image_url, "image")];
    if (type === "input_image" && typeof part.file_id === "string") {
      return [{ type: "file", modality: "image", file_id: part.file_id }];
    }
    // A document: chat's file part keeps it in `file`, Responses' input_file on the part.
    const file = type === "file" && isObject(part.file) ? part.file : type === "input_file" ? part : undefined;
    if (file && typeof file.file_data === "string") return [media(file.file_data, "document")];
    if (file && typeof file.file_id === "string")
      return [{ type: "file", modality: "document", file_id: file.file_id }];
    if (type === "input_audio" && isObject(part.input_audio) && typeof part.input_audio.data === "string") {
      const { data, format } = part.input_audio;
      return [blob("audio", typeof format === "string" ? `audio/${format}` : null, base64Size(data))];
    }
    return [{ ...part, type }];
  });
}

/** A data: URL inline (a blob part), any other address by reference (a uri part). */
function media(url: string, modality: string): GenAiPart {
  const inline = dataUrlMedia(url);
  if (inline) return blob(modality, inline.mediaType || null, inline.size);
  return { type: "uri", modality, uri: url };
}

/**
 * Media sent inline, without its bytes (the line holds none either: prompt-media.ts): `content`
 * cut to nothing, as the conventions let instrumentation truncate a part's content keeping the
 * JSON's shape, and `size`, the bytes it had.
 */
function blob(modality: string, mimeType: string | null, size: number): GenAiPart {
  return { type: "blob", modality, mime_type: mimeType, content: "", size };
}

/** The Responses API's input: a text is one user message; items are messages, calls, their outputs, reasoning. */
function responsesInput(input: unknown): GenAiMessage[] {
  if (typeof input === "string") return [{ role: "user", parts: [text(input)] }];
  if (!Array.isArray(input)) return [];
  return input.filter(isObject).flatMap((item): GenAiMessage[] => {
    switch (item.type ?? "message") {
      case "message":
        return typeof item.role === "string" ? [{ role: item.role, parts: contentParts(item.content) }] : [];
      case "function_call":
        return [{ role: "assistant", parts: [toolCall(item.call_id, item.name, item.arguments)] }];
      case "function_call_output":
        return [
          {
            role: "tool",
            parts: [{ type: "tool_call_response", id: stringOrNull(item.call_id), response: item.output ?? null }],
          },
        ];
      case "reasoning": {
        const texts = [item.summary, item.content].flatMap((list) =>
          Array.isArray(list) ? list.filter(isObject).map((entry) => entry.text) : [],
        );
        const parts = texts
          .filter((entry) => typeof entry === "string")
          .map((content) => ({ type: "reasoning", content }));
        return [{ role: "assistant", parts }];
      }
      default:
        return [];
    }
  });
}

function stringOrNull(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

// Arguments are the caller's text: parsed into the span only when small and shallow, as real
// arguments are (deeper ones overflow JSON.stringify's stack on Node and Bun, and any key could
// keep its requests out of traces so); other text goes as it is, which the conventions allow.
const ARGUMENT_LIMITS = { maxDepth: MAX_JSON_DEPTH, maxContainers: 4096, maxElements: 16_384, maxMembers: 4096 };

function parsedOr(json: string): unknown {
  if (!scanJsonText(json, ARGUMENT_LIMITS).ok) return json;
  try {
    return JSON.parse(json);
  } catch {
    return json;
  }
}
