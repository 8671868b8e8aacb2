// With LOG_PROMPTS, a request's messages go into its log line and its span, but never the bytes of
// its images (or audio, or files): a 200 KB photo is 267 KB of base64, past the 256 KB Workers
// Logs keeps of one invocation, and the line's status, key and tokens would be lost with it. Every
// data: URL, base64 or not, percent-encoded or not, is logged as its media type and size,
// `data:image/jpeg;base64,[200000 bytes omitted]`, and input_audio's base64 as `[N bytes omitted]`;
// the span reads the same (genai-prompt.ts). The messages are the request as the client sent it,
// refused or not, so bytes may come in any shape (an Anthropic-style `{type: "image", source:
// {data}}` part): any other string of a content part longer than MAX_PART_STRING, at any depth,
// is logged as its length. A part's text is the prompt, and is never touched.

import { percentDecoded } from "../src/core.ts";
import { isObject, type JsonObject } from "./json-object.ts";

// The header is what stands before the first comma (WHATWG's data: URL processor); a `;base64`
// at its end (spaces allowed around `base64`) says the body is base64.
const DATA_URL = /^data:([^,]*),/i;
const BASE64_HEADER = /;[\t\n\f\r ]*base64[\t\n\f\r ]*$/i;
const OMITTED = /^\[(\d+) bytes omitted\]$/;
// Longer is no media type: the line keeps what is sure to be short.
const MAX_MEDIA_TYPE = 100;
/** A content part's strings longer than this (its text aside) are logged as their length. */
export const MAX_PART_STRING = 1024;

/** How many bytes base64 stands for, or an omitted payload's marker says it stood for. */
export function base64Size(payload: string): number {
  const omitted = OMITTED.exec(payload);
  if (omitted) return Number(omitted[1]);
  // Once each `%XX` is its byte, base64 decoding reads all but whitespace, and `=` writes none.
  return Math.floor((percentDecoded(payload).replace(NOT_READ, "").length * 3) / 4);
}

// What base64 decoding skips (whitespace) or writes no byte for (padding).
const NOT_READ = /[\t\n\f\r =]/g;

/** A data URL's media type (as written, possibly empty), whether its body is base64, and its bytes; undefined for any other text. */
export function dataUrlMedia(url: string): { mediaType: string; base64: boolean; size: number } | undefined {
  const head = DATA_URL.exec(url);
  if (!head) return undefined;
  const header = head[1]!;
  const base64 = BASE64_HEADER.test(header);
  const semicolon = header.indexOf(";");
  const mediaType = (semicolon < 0 ? header : header.slice(0, semicolon)).trim().slice(0, MAX_MEDIA_TYPE);
  const body = url.slice(head[0].length);
  return { mediaType, base64, size: base64 ? base64Size(body) : bodySize(body) };
}

/** A body's bytes as the data: URL processor reads them: its UTF-8, each `%XX` one byte. */
function bodySize(body: string): number {
  const omitted = OMITTED.exec(body);
  if (omitted) return Number(omitted[1]);
  // Decoding makes each escape's three characters one: the escapes are half of what it took away.
  return new TextEncoder().encode(body).length - (body.length - percentDecoded(body).length);
}

/**
 * Chat's messages, or the Responses API's input items, as the log line holds them: each content
 * (and function_call_output's output) part's data URLs, wherever the part keeps them
 * (`image_url.url`, input_image's `image_url`, `file.file_data`…), and input_audio's data, replaced
 * by their size, and its other long strings by their length; a data URL anywhere else in a message
 * by its size too. Text is never touched. Nothing is mutated.
 */
export function withoutMediaBytes(messages: unknown): unknown {
  if (isObject(messages)) return messageWithoutBytes(messages);
  if (!Array.isArray(messages)) return messages;
  return messages.map((message) => (isObject(message) ? messageWithoutBytes(message) : message));
}

function messageWithoutBytes(message: JsonObject): JsonObject {
  return mapFields(message, (key, value) => {
    if ((key === "content" || key === "output") && Array.isArray(value)) return value.map(partWithoutBytes);
    return key === "content" && typeof value === "string" ? value : withoutBytes(value, false);
  });
}

function partWithoutBytes(part: unknown): unknown {
  if (!isObject(part)) return withoutBytes(part, true);
  return mapFields(part, (key, value) => {
    if ((key === "text" || key === "refusal") && typeof value === "string") return value;
    if (key === "input_audio" && isObject(value) && typeof value.data === "string") {
      const { data } = value;
      return mapFields(value, (name, field) =>
        name === "data" ? `[${base64Size(data)} bytes omitted]` : withoutBytes(field, true),
      );
    }
    return withoutBytes(value, true);
  });
}

/**
 * `value` with every data URL in it as its media type and size, and (`capped`) every other string
 * longer than MAX_PART_STRING as its length. The body was refused past MAX_JSON_DEPTH levels
 * before a line holds it (body.ts), so the recursion is shallow.
 */
function withoutBytes(value: unknown, capped: boolean): unknown {
  if (typeof value === "string") {
    const media = dataUrlMedia(value);
    if (media) return `data:${media.mediaType}${media.base64 ? ";base64" : ""},[${media.size} bytes omitted]`;
    return capped && value.length > MAX_PART_STRING ? `[${value.length} characters omitted]` : value;
  }
  if (Array.isArray(value)) return value.map((item) => withoutBytes(item, capped));
  return isObject(value) ? mapFields(value, (_key, field) => withoutBytes(field, capped)) : value;
}

/** A new object of the same keys (a `__proto__` key from JSON kept as a key), each value mapped. */
function mapFields(object: JsonObject, map: (key: string, value: unknown) => unknown): JsonObject {
  return Object.fromEntries(Object.entries(object).map(([key, value]) => [key, map(key, value)]));
}
