// Python's `str.strip(chars)`, `lstrip(chars)` and `rstrip(chars)` for custom chat templates.
// @huggingface/jinja ignores their argument and strips JavaScript's whitespace, where Python
// strips the characters given: Qwen's official templates strip only '\n' (QwQ-32B every earlier
// answer, Qwen3 its reasoning and answer), and lost an answer's indent or the spaces around its
// reasoning. The engine's string methods are its own, not exported, and shared by every user of
// the package in the process; so the calls are rewritten in each compiled tree to call a function
// handed over with the render's context, under a name no template can write or set.

import { findAll, isNode } from "./content-format.ts";
import { pythonStripChars } from "./python.ts";

/** The variable the rewritten calls read: a `-` and a `:` keep it out of any template's reach. */
export const STRIP_CALL = "bedrock-edge:str-strip";

const METHODS = new Set(["strip", "lstrip", "rstrip"]);

/**
 * Rewrites each `value.strip(…)`, `value.lstrip(…)` and `value.rstrip(…)` call (`value['strip'](…)`
 * too) under `program` (the tree Template#parsed holds) into `STRIP_CALL(value, 'strip', …)`, in place.
 */
export function rewriteStripCalls(program: unknown): void {
  for (const call of findAll(program, "CallExpression")) {
    const callee = call.callee;
    if (!isNode(callee) || callee.type !== "MemberExpression") continue;
    const property = callee.property;
    const named = isNode(property) && property.type === (callee.computed ? "StringLiteral" : "Identifier");
    if (!named || !METHODS.has(property.value as string)) continue;
    call.callee = { type: "Identifier", value: STRIP_CALL };
    call.args = [callee.object, { type: "StringLiteral", value: property.value }, ...(call.args as unknown[])];
  }
}

/**
 * What STRIP_CALL stands for. The engine hands it its arguments' plain values: a string, null
 * for `none`, a Map for keyword arguments. Refused as Python refuses them.
 */
export function stripCall(text: unknown, method: "strip" | "lstrip" | "rstrip", ...args: unknown[]): string {
  if (typeof text !== "string") throw new Error(`a value that is not a string has no attribute '${method}'`);
  if (args.length > 1) throw new Error(`${method} expected at most 1 argument, got ${args.length}`);
  const chars = args[0] ?? null;
  if (chars !== null && typeof chars !== "string") throw new Error(`${method} arg must be None or str`);
  return pythonStripChars(text, chars, method);
}
