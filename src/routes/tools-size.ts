// How large a request's tools grow once a chat template writes them. The Llama 3.1 and 3.2
// templates write each tool as `json.dumps(tool, indent=4)`: every array item and object member
// on a line of its own, behind four spaces a level. A schema nested 56 levels deep then turns two
// bytes of body (`0,`) into about 245 of prompt: a 380 KB body became a 46 MB prompt, 2.9 s of CPU
// and 338 MB of memory, past a Worker's 128 MB (review inputcost34 #1). So the size is counted
// before any template writes it, without writing it. Pure.
import { invalidRequest } from "../errors.ts";
import { BACKSLASH, QUOTE } from "../openai/json-chars.ts";
import type { FunctionTool } from "../openai/types.ts";

/**
 * The most characters the tools may take written as JSON indented four spaces a level: as many as
 * the default body limit has bytes, about a million tokens, beyond the context of every model
 * imported today; a legitimate tool list is a few hundred thousand at most, however indented.
 */
export const MAX_WRITTEN_TOOLS_LENGTH = 4 * 1024 * 1024;

/** The indent counted: the widest the official templates write (Llama's `tojson(indent=4)`). */
const INDENT = 4;

/** Refuses tools that would be written longer than MAX_WRITTEN_TOOLS_LENGTH (a 400 naming `tools`). */
export function checkWrittenToolsSize(tools: readonly FunctionTool[] | undefined): void {
  if (!tools?.length) return;
  let size = 0;
  for (const tool of tools) {
    size += indentedJsonLength(tool, 0, MAX_WRITTEN_TOOLS_LENGTH - size);
    if (size > MAX_WRITTEN_TOOLS_LENGTH) {
      throw invalidRequest(
        `tools written as JSON indented by level (as Llama's template writes them) would take more than ${MAX_WRITTEN_TOOLS_LENGTH} ` +
          "characters of prompt: nest their schemas less deeply, or send fewer or smaller tools.",
        "tools",
        "tools_too_large",
      );
    }
  }
}

/**
 * At least the length of `value` written as JSON indented INDENT spaces a level from `depth`
 * (Python's `json.dumps(value, indent=4)`, characters unescaped but `"`, `\` and controls): a
 * control character is counted at its widest escape (6), a float four characters wider, the rest
 * exactly. Counting stops once it passes `budget`, over it by at most a line and a closing bracket
 * a level: what is over is over by any amount.
 */
export function indentedJsonLength(value: unknown, depth: number, budget: number): number {
  if (typeof value === "string") return stringLength(value);
  // Integers are written as JavaScript writes them; a float's exponent may take more (1e-07).
  if (typeof value === "number") return String(value).length + (Number.isInteger(value) ? 0 : 4);
  if (typeof value === "bigint") return String(value).length;
  if (value === null || typeof value !== "object") return 5;
  const items = Array.isArray(value) ? value : Object.entries(value);
  if (items.length === 0) return 2;
  // Each item on its own line behind (depth + 1) indents, all but the last then `,`; the
  // closing bracket on a line of its own behind depth indents.
  const line = 1 + (depth + 1) * INDENT + 1;
  let size = 2 + 1 + depth * INDENT - 1;
  for (const item of items) {
    if (Array.isArray(value)) size += line + indentedJsonLength(item, depth + 1, budget - size);
    else {
      const [key, member] = item as [string, unknown];
      size += line + stringLength(key) + 2 + indentedJsonLength(member, depth + 1, budget - size);
    }
    if (size > budget) return size;
  }
  return size;
}

/** A string's length as a JSON string: its quotes, `"` and `\` escaped in two characters, controls in six at most. */
function stringLength(text: string): number {
  let size = 2 + text.length;
  for (let at = 0; at < text.length; at++) {
    const code = text.charCodeAt(at);
    if (code < 0x20) size += 5;
    else if (code === QUOTE || code === BACKSLASH) size += 1;
  }
  return size;
}
