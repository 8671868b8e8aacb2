import { BedrockEdgeError, invalidRequest } from "../src/errors.ts";
import { jsonTextTooDeep, MAX_JSON_DEPTH } from "../src/openai/depth.ts";
import { readLimitedText } from "../src/read-text.ts";

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
  const text = await readLimitedText(request.body, limit);
  if (text === undefined) throw tooLarge(limit);
  return text;
}

/** JSON.parse with a 400 for bad JSON and for absurd nesting (checked before parsing). */
export function parseJsonBody(text: string): unknown {
  if (jsonTextTooDeep(text)) {
    throw invalidRequest(`The JSON body is nested more than ${MAX_JSON_DEPTH} levels deep.`, null, "invalid_json");
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
