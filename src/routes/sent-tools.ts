// The tools as the caller sent them, for a request whose tools the token neutraliser rewrote.
// Neutralised text is for the prompt; a schema that constrains decoding must be the caller's own,
// or guided decoding holds the arguments to values the caller's schema does not admit (unicode51 U-03).
import { isJsonObject } from "../json.ts";
import type { ChatCompletionRequest, FunctionTool } from "../openai/types.ts";

const sentTools = new WeakMap<ChatCompletionRequest, readonly FunctionTool[]>();

/** Remembers `tools` as sent for `neutralised`, the request the routes will see. */
export function rememberSentTools(neutralised: ChatCompletionRequest, tools: readonly FunctionTool[]): void {
  sentTools.set(neutralised, tools);
}

/** The request's tools as the caller sent them: its own when the neutraliser left them as they were. */
export function toolsAsSent(request: ChatCompletionRequest): readonly FunctionTool[] | undefined {
  return sentTools.get(request) ?? request.tools;
}

/**
 * What the neutraliser made of each string in `name`'s parameter schema it changed (an enum or
 * const value, a property name), mapped back to the string as sent; empty when it changed none.
 */
export function brokenLiterals(request: ChatCompletionRequest, name: string): Map<string, string> {
  const pairs = new Map<string, string>();
  const sent = sentTools.get(request)?.find((tool) => tool.function.name === name);
  const shown = request.tools?.find((tool) => tool.function.name === name);
  if (sent && shown) pairLiterals(sent.function.parameters, shown.function.parameters, pairs);
  return pairs;
}

/** brokenLiterals for each function of `request`, each worked out once: a reading's lookup. */
export function literalsOf(request: ChatCompletionRequest): (name: string) => ReadonlyMap<string, string> {
  const known = new Map<string, ReadonlyMap<string, string>>();
  return (name) => {
    const pairs = known.get(name) ?? brokenLiterals(request, name);
    known.set(name, pairs);
    return pairs;
  };
}

/**
 * The splitter's `callArguments` (answer-splitter.ts): a call read from the model's text gets the
 * caller's strings back, by its function's `literals` (literalsOf).
 */
export function callArgumentsAsSent(
  literals: (name: string) => ReadonlyMap<string, string>,
): (name: string, args: string) => string {
  return (name, args) => argumentsAsSent(args, literals(name));
}

// The neutraliser keeps a schema's shape and its members' order, and an unchanged part as it was.
function pairLiterals(sent: unknown, shown: unknown, pairs: Map<string, string>): void {
  if (sent === shown) return;
  if (typeof sent === "string" && typeof shown === "string") {
    pairs.set(shown, sent);
  } else if (Array.isArray(sent) && Array.isArray(shown)) {
    for (const [index, item] of sent.entries()) pairLiterals(item, shown[index], pairs);
  } else if (isJsonObject(sent) && isJsonObject(shown)) {
    const shownEntries = Object.entries(shown);
    for (const [index, [key, item]] of Object.entries(sent).entries()) {
      const [shownKey, shownItem] = shownEntries[index] ?? [key, item];
      if (shownKey !== key) pairs.set(shownKey, key);
      pairLiterals(item, shownItem, pairs);
    }
  }
}

/**
 * A call's arguments with each string the model copied from the neutralised schema (a value or a
 * name exactly as it was broken there) as the caller wrote it. On the openai route the model
 * server renders the prompt and holds a forced call to the same `tools`, so a broken enum value
 * is the only one it may write, and the caller's own schema would refuse it (unicode51 U-03).
 * Arguments that are not JSON, or hold no such string, stay as they came; only such strings are
 * written again, each in its place, the rest kept as the model wrote it (a number past 2^53,
 * `1.10`, its spacing), which parsing and writing the whole again would change (codereview51b R1).
 */
export function argumentsAsSent(args: string, pairs: ReadonlyMap<string, string>): string {
  if (pairs.size === 0 || !isJson(args)) return args;
  let out = "";
  let copied = 0;
  let at = args.indexOf('"');
  while (at >= 0) {
    // Valid JSON: every string token ends at the first quote no backslash escapes.
    let end = at + 1;
    while (args.charCodeAt(end) !== 34) end += args.charCodeAt(end) === 92 ? 2 : 1;
    const sent = pairs.get(JSON.parse(args.slice(at, end + 1)) as string);
    if (sent !== undefined) {
      out += args.slice(copied, at) + JSON.stringify(sent);
      copied = end + 1;
    }
    at = args.indexOf('"', end + 1);
  }
  return copied === 0 ? args : out + args.slice(copied);
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
