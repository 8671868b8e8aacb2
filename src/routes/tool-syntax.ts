// How tool calls look in the text of each model family, and how to read them back.
import type { ParsedToolCall, ToolSyntax } from "./answer-splitter.ts";
import {
  TOOL_CALL_BEGIN,
  TOOL_CALL_CLOSE,
  TOOL_CALL_END,
  TOOL_CALL_OPEN,
  TOOL_CALLS_BEGIN,
  TOOL_CALLS_END,
  TOOL_SEP,
} from "./prompts/special-tokens.ts";

function argumentsJson(value: unknown): string | undefined {
  if (typeof value === "string") {
    try {
      JSON.parse(value);
      return value;
    } catch {
      return undefined;
    }
  }
  return value !== null && typeof value === "object" && !Array.isArray(value) ? JSON.stringify(value) : undefined;
}

/** Qwen (Hermes style): `<tool_call>\n{"name": …, "arguments": {…}}\n</tool_call>`, one call per block. */
export const qwenToolSyntax: ToolSyntax = {
  open: TOOL_CALL_OPEN,
  close: TOOL_CALL_CLOSE,
  parse(block) {
    let value: unknown;
    try {
      value = JSON.parse(block.trim());
    } catch {
      return undefined;
    }
    if (value === null || typeof value !== "object") return undefined;
    const call = value as { name?: unknown; arguments?: unknown; parameters?: unknown };
    const args = argumentsJson(call.arguments ?? call.parameters ?? {});
    return typeof call.name === "string" && call.name && args !== undefined
      ? [{ name: call.name, arguments: args }]
      : undefined;
  },
};

const FENCE = "```";

/**
 * One DeepSeek call: `function<｜tool▁sep｜>name\n```json\n{…}\n````. Read with indexOf and
 * trim, not a regex: model output is untrusted, and backtracking over a long run of spaces
 * would cost quadratic time.
 */
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
export const deepseekToolSyntax: ToolSyntax = {
  open: TOOL_CALLS_BEGIN,
  close: TOOL_CALLS_END,
  parse(block) {
    const calls: ParsedToolCall[] = [];
    let rest = block;
    for (;;) {
      const begin = rest.indexOf(TOOL_CALL_BEGIN);
      if (begin < 0) break;
      const end = rest.indexOf(TOOL_CALL_END, begin);
      const call = parseDeepseekCall(rest.slice(begin + TOOL_CALL_BEGIN.length, end < 0 ? undefined : end));
      if (!call) return undefined;
      calls.push(call);
      if (end < 0) break;
      rest = rest.slice(end + TOOL_CALL_END.length);
    }
    return calls.length ? calls : undefined;
  },
};
