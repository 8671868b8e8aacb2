// A request body read as JSON: UTF-8 checked, and nesting bounded before anything recursive
// (JSON.parse, schema walks) sees it, so no body can exhaust the stack.

/** Deeper than any real request nests. */
const MAX_JSON_DEPTH = 128;

export type JsonBody = { ok: true; json: unknown; text: string } | { ok: false; complaint: string };

export function parseJsonBody(bytes: Uint8Array): JsonBody {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, complaint: "Malformed input request, please reformat your input and try again." };
  }
  return parseJsonText(text);
}

/** JSON text with the same nesting bound: bodies, and JSON held in a string (a schema). */
export function parseJsonText(text: string): JsonBody {
  if (nestingExceeds(text, MAX_JSON_DEPTH)) {
    return {
      ok: false,
      complaint: `Malformed input request: the JSON nests deeper than ${MAX_JSON_DEPTH} levels, please reformat your input and try again.`,
    };
  }
  try {
    return { ok: true, json: JSON.parse(text), text };
  } catch {
    return { ok: false, complaint: "Malformed input request, please reformat your input and try again." };
  }
}

/** One linear pass: brackets outside strings. */
function nestingExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 0x5c) index++;
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x5b || code === 0x7b) {
      if (++depth > limit) return true;
    } else if (code === 0x5d || code === 0x7d) depth--;
  }
  return false;
}
