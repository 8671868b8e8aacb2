// How tool calls look in the text of each model family, and how to read them back. Model output
// is untrusted: everything here reads with indexOf and single scans (a regex backtracking over a
// long run of spaces would cost quadratic time), and JSON nested deeper than requests may be is
// not a call (sent back in the conversation, it would be refused). Arguments go on as the model
// wrote them (json-text.ts), the digits of its numbers and all.
import { isJsonObject } from "../json.ts";
import { jsonTextTooDeep } from "../openai/depth.ts";
import type { LeadingToolSyntax, MarkedToolSyntax, ParsedToolCall } from "./answer-splitter.ts";
import { containerEnd, memberText } from "./json-text.ts";
import {
  FENCE,
  PYTHON_TAG,
  TOOL_CALL_BEGIN,
  TOOL_CALL_CLOSE,
  TOOL_CALL_END,
  TOOL_CALL_OPEN,
  TOOL_CALLS_BEGIN,
  TOOL_CALLS_END,
  TOOL_SEP,
} from "./prompts/special-tokens.ts";

/** JSON text parsed, unless it is invalid or nested deeper than MAX_JSON_DEPTH. */
function parseJson(text: string): { value: unknown } | undefined {
  if (jsonTextTooDeep(text)) return undefined;
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

/** JSON text that is valid as arguments: some models write them as a string holding the JSON. */
function argumentsJson(text: string): string | undefined {
  return parseJson(text) ? text : undefined;
}

/**
 * The arguments of a call parsed from `callText`, under its member `key`: an object as the model
 * wrote it, never parsed and written again (that would round the numbers a double cannot hold),
 * or the JSON text of a string. Anything else is not a call.
 */
function callArguments(callText: string, call: Record<string, unknown>, key: string): string | undefined {
  const value = call[key];
  if (typeof value === "string") return argumentsJson(value);
  return isJsonObject(value) ? memberText(callText, key) : undefined;
}

/** Qwen (Hermes style): `<tool_call>\n{"name": …, "arguments": {…}}\n</tool_call>`, one call per block. */
export const qwenToolSyntax: MarkedToolSyntax = {
  kind: "marked",
  open: TOOL_CALL_OPEN,
  close: TOOL_CALL_CLOSE,
  parse(block) {
    const text = block.trim();
    const call = parseJson(text)?.value;
    if (!isJsonObject(call)) return undefined;
    const key = call.arguments != null ? "arguments" : call.parameters != null ? "parameters" : undefined;
    const args = key === undefined ? "{}" : callArguments(text, call, key);
    return typeof call.name === "string" && call.name && args !== undefined
      ? [{ name: call.name, arguments: args }]
      : undefined;
  },
};

/** One DeepSeek call: `function<｜tool▁sep｜>name\n```json\n{…}\n````. */
function parseDeepseekCall(body: string): ParsedToolCall | undefined {
  const sep = body.indexOf(TOOL_SEP);
  if (sep < 0) return undefined;
  const kind = body.slice(0, sep).trim();
  if (kind !== "" && kind !== "function") return undefined;
  const after = body.slice(sep + TOOL_SEP.length);
  const newline = after.indexOf("\n");
  if (newline < 0) return undefined;
  const name = after.slice(0, newline).trim();
  let fenced = after.slice(newline + 1).trim();
  if (!name || !fenced.startsWith(FENCE) || !fenced.endsWith(FENCE) || fenced.length < 2 * FENCE.length)
    return undefined;
  fenced = fenced.slice(FENCE.length, -FENCE.length);
  if (fenced.startsWith("json")) fenced = fenced.slice(4);
  const args = argumentsJson(fenced.trim());
  return args === undefined ? undefined : { name, arguments: args };
}

/** DeepSeek R1: `<｜tool▁calls▁begin｜>` then one `<｜tool▁call▁begin｜>…<｜tool▁call▁end｜>` per call. */
export const deepseekToolSyntax: MarkedToolSyntax = {
  kind: "marked",
  open: TOOL_CALLS_BEGIN,
  close: TOOL_CALLS_END,
  parse(block) {
    const calls: ParsedToolCall[] = [];
    let rest = block;
    for (;;) {
      const begin = rest.indexOf(TOOL_CALL_BEGIN);
      if (begin < 0) break;
      const end = rest.indexOf(TOOL_CALL_END, begin);
      const body = rest.slice(begin + TOOL_CALL_BEGIN.length, end < 0 ? undefined : end);
      // Calls do not nest: a call token inside a call's body is not a call (forced-call.ts reads
      // words before it).
      const call = body.includes(TOOL_CALL_BEGIN) ? undefined : parseDeepseekCall(body);
      if (!call) return undefined;
      calls.push(call);
      if (end < 0) break;
      rest = rest.slice(end + TOOL_CALL_END.length);
    }
    return calls.length ? calls : undefined;
  },
};

/**
 * Llama 3.1+ JSON tool calling (vLLM's `llama3_json`): the whole content is one call
 * `{"name": …, "parameters": {…}}` (or `"arguments"`), or several separated by `;`, optionally after
 * `<|python_tag|>`. Anything else, a JSON answer that is not calls included, is text. Also the
 * openai route's `tool_parser: "llama3_json"`.
 */
export const llamaJsonToolSyntax: LeadingToolSyntax = {
  kind: "leading",
  starts: ["{", PYTHON_TAG],
  parse(content) {
    let text = content.trim();
    if (text.startsWith(PYTHON_TAG)) text = text.slice(PYTHON_TAG.length).trimStart();
    const calls: ParsedToolCall[] = [];
    let at = 0;
    while (at < text.length) {
      // An array where a call should start is no call: llamaCall refuses it.
      const end = containerEnd(text, at);
      const call = end < 0 ? undefined : llamaCall(text.slice(at, end));
      if (!call) return undefined;
      calls.push(call);
      at = skipSpace(text, end);
      if (at < text.length) {
        if (text.charCodeAt(at) !== 59 /* ; */) return undefined;
        at = skipSpace(text, at + 1);
      }
    }
    return calls.length ? calls : undefined;
  },
};

/** A call object: a name, and its arguments under "arguments" or "parameters" (what makes JSON a call). */
function llamaCall(text: string): ParsedToolCall | undefined {
  const value = parseJson(text)?.value;
  if (!isJsonObject(value) || typeof value.name !== "string" || !value.name) return undefined;
  const args = callArguments(text, value, value.arguments !== undefined ? "arguments" : "parameters");
  return args === undefined ? undefined : { name: value.name, arguments: args };
}

function skipSpace(text: string, from: number): number {
  let at = from;
  while (at < text.length && /\s/.test(text.charAt(at))) at++;
  return at;
}
