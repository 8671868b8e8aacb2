// Where a text stops being JSON, told without what it holds: V8's own message quotes the text
// around the error (all of it when it is short), which would carry a client's words into a 400,
// or a binding's ARNs and keys into the log and GET /health.
import { findJsonSyntaxError } from "../src/core.ts";

/** "it breaks at line 1, column 5 (offset 4)", "it ends too soon, at …", or undefined if JSON.parse's refusal has no place the grammar knows. */
export function whereJsonBreaks(text: string): string | undefined {
  const error = findJsonSyntaxError(text);
  if (!error) return undefined;
  const where = `line ${error.line}, column ${error.column} (offset ${error.offset})`;
  return error.ended ? `it ends too soon, at ${where}` : `it breaks at ${where}`;
}

/**
 * A JSON binding's value: what JSON.parse makes of its text (an object given as one, on Deno, Bun
 * and Node, as it is), or undefined when it is not JSON, with the problem saying where it breaks.
 */
export function bindingJson(binding: string, raw: unknown, problems: string[]): unknown {
  if (typeof raw !== "string") return raw;
  try {
    return JSON.parse(raw);
  } catch {
    problems.push(notJsonProblem(binding, raw));
    return undefined;
  }
}

function notJsonProblem(binding: string, text: string): string {
  const where = whereJsonBreaks(text);
  return where ? `${binding} is not valid JSON: ${where}` : `${binding} is not valid JSON`;
}
