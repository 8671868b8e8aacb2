// With LOG_PROMPTS, a request's messages go into its log line and its span, but never the bytes of
// its images (or audio, or files): a 200 KB photo is 267 KB of base64, past the 256 KB Workers
// Logs keeps of one invocation, and the line's status, key and tokens would be lost with it. A
// base64 data URL is logged as its media type and size, `data:image/jpeg;base64,[200000 bytes
// omitted]`, and input_audio's base64 as `[N bytes omitted]`; the span reads the same (genai-prompt.ts).
// The messages are the request as the client sent it, refused or not: every reading is defensive.

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const DATA_URL = /^data:([^;,]*)[^,]*;base64,/i;
const OMITTED = /^\[(\d+) bytes omitted\]$/;
// What base64 decoding skips (whitespace) or writes no byte for (padding).
const NOT_BYTES = /[\t\n\f\r =]/g;
// Longer is no media type: the line keeps what is sure to be short.
const MAX_MEDIA_TYPE = 100;

/** How many bytes base64 stands for, or an omitted payload's marker says it stood for. */
export function base64Size(payload: string): number {
  const omitted = OMITTED.exec(payload);
  if (omitted) return Number(omitted[1]);
  return Math.floor((payload.replace(NOT_BYTES, "").length * 3) / 4);
}

/** A base64 data URL's media type (as written, possibly empty) and payload; undefined for any other text. */
export function dataUrlParts(url: string): { mediaType: string; payload: string } | undefined {
  const head = DATA_URL.exec(url);
  return head ? { mediaType: head[1]!.slice(0, MAX_MEDIA_TYPE), payload: url.slice(head[0].length) } : undefined;
}

/**
 * Chat's messages, or the Responses API's input items, as the log line holds them: each content
 * (and function_call_output's output) part's base64 data URLs, wherever the part keeps them
 * (`image_url.url`, input_image's `image_url`, `file.file_data`…), and input_audio's data, replaced
 * by their size. Text is never touched; anything else is left as it came. Nothing is mutated.
 */
export function withoutMediaBytes(messages: unknown): unknown {
  if (!Array.isArray(messages)) return messages;
  return messages.map((message) => {
    if (!isObject(message)) return message;
    const out = { ...message };
    for (const key of ["content", "output"]) {
      const parts = out[key];
      if (Array.isArray(parts)) out[key] = parts.map(partWithoutBytes);
    }
    return out;
  });
}

function partWithoutBytes(part: unknown): unknown {
  if (!isObject(part)) return part;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(part)) {
    if (!isObject(value)) {
      out[key] = key === "text" || key === "refusal" ? value : urlWithoutBytes(value);
      continue;
    }
    const inner: JsonObject = {};
    for (const [name, field] of Object.entries(value)) {
      const audio = key === "input_audio" && name === "data" && typeof field === "string";
      inner[name] = audio ? `[${base64Size(field)} bytes omitted]` : urlWithoutBytes(field);
    }
    out[key] = inner;
  }
  return out;
}

function urlWithoutBytes(value: unknown): unknown {
  const parts = typeof value === "string" ? dataUrlParts(value) : undefined;
  return parts ? `data:${parts.mediaType};base64,[${base64Size(parts.payload)} bytes omitted]` : value;
}
