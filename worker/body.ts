import { BedrockEdgeError, invalidRequest } from "../src/errors.ts";

function tooLarge(limit: number): BedrockEdgeError {
  return new BedrockEdgeError({
    status: 413,
    code: "request_too_large",
    message: `The request body is larger than this proxy accepts (${limit} bytes; see MAX_BODY_BYTES).`,
  });
}

/** Reads a body as text, refusing (413) past `limit` bytes without reading the rest. */
export async function readBody(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  if (!request.body) return "";
  const reader = request.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

// Deeper than any real request; deep enough to blow a recursive renderer's stack.
const MAX_DEPTH = 64;

/** JSON.parse with a 400 for bad JSON and for absurd nesting (checked before parsing). */
export function parseJsonBody(text: string): unknown {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > MAX_DEPTH) throw invalidRequest(`The JSON body is nested more than ${MAX_DEPTH} levels deep.`, null, "invalid_json");
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw invalidRequest(
      `The request body is not valid JSON${error instanceof SyntaxError ? ` (${error.message.slice(0, 200)})` : ""}.`,
      null,
      "invalid_json",
    );
  }
}
