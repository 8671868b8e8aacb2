// Python's `str.strip(chars)`, `lstrip(chars)` and `rstrip(chars)`, and Jinja2's `trim` filter
// (`trim(value, chars=None)`, which is `str.strip(chars)`), for custom chat templates.
// @huggingface/jinja ignores the methods' argument and strips JavaScript's whitespace, where
// Python strips the characters given: Qwen's official templates strip only '\n' (QwQ-32B every
// earlier answer, Qwen3 its reasoning and answer), and lost an answer's indent or the spaces
// around its reasoning. Its `trim` strips JavaScript's whitespace too (U+FEFF, not U+0085) and
// refuses any argument (`| trim('\n')`). The engine's string methods and filters are its own, not
// exported, and shared by every user of the package in the process; so the calls and filters are
// rewritten in each compiled tree to call a function handed over with the render's context,
// under a name no template can write or set.

import { findAll, isNode, type Node } from "./content-format.ts";
import { pythonStripChars } from "./python.ts";

/** The variable the rewritten calls read: a `-` and a `:` keep it out of any template's reach. */
export const STRIP_CALL = "bedrock-edge:str-strip";

type Method = "strip" | "lstrip" | "rstrip" | "trim";

const METHODS = new Set(["strip", "lstrip", "rstrip"]);

/**
 * Rewrites each `value.strip(…)`, `value.lstrip(…)` and `value.rstrip(…)` call (`value['strip'](…)`
 * too) under `program` (the tree Template#parsed holds) into `STRIP_CALL(value, 'strip', …)`, and
 * each `value | trim` or `value | trim(…)` filter into `STRIP_CALL(value, 'trim', …)`, in place.
 * A `{% filter trim %}` block is left to the engine (it has no expression to call with).
 */
export function rewriteStripCalls(program: unknown): void {
  for (const call of findAll(program, "CallExpression")) {
    const callee = call.callee;
    if (!isNode(callee) || callee.type !== "MemberExpression") continue;
    const property = callee.property;
    const named = isNode(property) && property.type === (callee.computed ? "StringLiteral" : "Identifier");
    if (!named || !METHODS.has(property.value as string)) continue;
    Object.assign(call, stripCallNode(callee.object, property.value as Method, call.args as unknown[]));
  }
  for (const expression of findAll(program, "FilterExpression")) {
    const filter = expression.filter;
    const call = isNode(filter) && filter.type === "CallExpression" ? filter : undefined;
    const name = call ? call.callee : filter;
    if (!isNode(name) || name.type !== "Identifier" || name.value !== "trim") continue;
    // The node itself becomes the call: its parent holds it, and the engine reads a node by its type.
    const operand = expression.operand;
    delete expression.operand;
    delete expression.filter;
    Object.assign(expression, stripCallNode(operand, "trim", charsByPosition((call?.args as unknown[]) ?? [])));
  }
}

/**
 * `trim(chars=…)` as `trim(…)`: the engine hands keyword arguments over as a Map, which a
 * mapping given by position is too, so the one keyword Jinja2's trim takes is made positional
 * here, where the two are told apart; any other keyword still reaches the call as a Map, refused.
 */
function charsByPosition(args: unknown[]): unknown[] {
  const [only] = args;
  const named = args.length === 1 && isNode(only) && only.type === "KeywordArgumentExpression";
  return named && isNode(only.key) && only.key.value === "chars" ? [only.value] : args;
}

/**
 * Each positional argument goes in a list of one, and a `*list` as the list: the engine hands a
 * called function its arguments' plain values, where none and an undefined name are both
 * undefined, and a list's items as its own values, which keep their type (codereview49c #7).
 * Keyword arguments stay as they are: they reach the call as a Map, refused.
 */
function stripCallNode(value: unknown, method: Method, args: unknown[]): Node {
  const wrapped = args.map((arg): unknown => {
    if (!isNode(arg) || arg.type === "KeywordArgumentExpression" || arg.type === "KeywordSpreadExpression") return arg;
    return arg.type === "SpreadExpression" ? arg.argument : { type: "ArrayLiteral", value: [arg] };
  });
  return {
    type: "CallExpression",
    callee: { type: "Identifier", value: STRIP_CALL },
    args: [value, { type: "StringLiteral", value: method }, ...wrapped],
  };
}

/** A value as the engine holds it: what a list's plain value is made of. */
interface EngineValue {
  type: string;
  value: unknown;
}

/**
 * What STRIP_CALL stands for. The engine hands it its arguments' plain values: a string, or
 * undefined for none and for an undefined variable alike, for the value stripped; the
 * positional arguments as lists of the engine's values (stripCallNode), then a Map of any
 * keyword arguments. Refused as Python refuses them, but for trim given a value that is not a
 * string, which Python writes as text first (`5`, `None`) and the engine refused before: refused still.
 */
export function stripCall(text: unknown, method: Method, ...groups: unknown[]): string {
  if (typeof text !== "string") {
    throw new Error(
      method === "trim"
        ? "the trim filter was given a value that is not a string"
        : `a value that is not a string has no attribute '${method}'`,
    );
  }
  const args: EngineValue[] = [];
  let keywords = false;
  for (const group of groups) {
    if (group instanceof Map) keywords = true;
    else if (Array.isArray(group)) args.push(...(group as EngineValue[]));
    else throw new Error("only a list can be unpacked into arguments");
  }
  const [first] = args;
  // None is none; an undefined name is not: Jinja2 hands str.strip its Undefined, which it refuses.
  const chars = first === undefined || first.type === "NullValue" ? null : first.value;
  const valid = first === undefined || first.type === "NullValue" || first.type === "StringValue";
  if (method === "trim" && (keywords || args.length > 1 || !valid)) {
    throw new Error("the trim filter takes one argument, chars: a string or none");
  }
  if (keywords) throw new Error(`${method} takes no keyword arguments`);
  if (args.length > 1) throw new Error(`${method} expected at most 1 argument, got ${args.length}`);
  if (!valid) throw new Error(`${method} arg must be None or str`);
  return pythonStripChars(text, chars as string | null, method === "trim" ? "strip" : method);
}
