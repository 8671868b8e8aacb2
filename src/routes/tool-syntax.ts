// How tool calls look in the text of each model family, and how to read them back.
import type { ParsedToolCall, ToolSyntax } from "./answer-splitter.ts";

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
  open: "<tool_call>",
  close: "</tool_call>",
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
    return typeof call.name === "string" && call.name && args !== undefined ? [{ name: call.name, arguments: args }] : undefined;
  },
};

const DS_CALL_BEGIN = "<｜tool▁call▁begin｜>";
const DS_CALL_END = "<｜tool▁call▁end｜>";
const DS_SEP = "<｜tool▁sep｜>";
// `function<｜tool▁sep｜>name\n```json\n{…}\n```` inside one call.
const DS_CALL = /^\s*(?:function)?\s*<｜tool▁sep｜>\s*([^\n]+?)\s*\n\s*```(?:json)?\s*\n?([\s\S]*?)\n?\s*```\s*$/;

/** DeepSeek R1: `<｜tool▁calls▁begin｜>` then one `<｜tool▁call▁begin｜>…<｜tool▁call▁end｜>` per call. */
export const deepseekToolSyntax: ToolSyntax = {
  open: "<｜tool▁calls▁begin｜>",
  close: "<｜tool▁calls▁end｜>",
  parse(block) {
    const calls: ParsedToolCall[] = [];
    let rest = block;
    for (;;) {
      const begin = rest.indexOf(DS_CALL_BEGIN);
      if (begin < 0) break;
      const end = rest.indexOf(DS_CALL_END, begin);
      const body = rest.slice(begin + DS_CALL_BEGIN.length, end < 0 ? undefined : end);
      if (!body.includes(DS_SEP)) return undefined;
      const match = DS_CALL.exec(body);
      const args = match ? argumentsJson(match[2]!.trim()) : undefined;
      if (!match || args === undefined) return undefined;
      calls.push({ name: match[1]!, arguments: args });
      if (end < 0) break;
      rest = rest.slice(end + DS_CALL_END.length);
    }
    return calls.length ? calls : undefined;
  },
};
