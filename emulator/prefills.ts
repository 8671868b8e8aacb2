// Forced tool calls on template routes: the library prefills the assistant turn with the
// family's tool-call opening (`tool_choice: "required"`: up to the function name; a named
// function: up to its arguments), and the emulator, like a model, continues it with the rest
// of a valid call and the family's closing markup.
//
// The library's own prefill definitions must match these strings byte for byte; an
// integration test elsewhere holds the two together.

import type { Json } from "./json-schema-instance.ts";
import { pythonJson } from "./python-json.ts";
import {
  DEEPSEEK_CALL_BEGIN,
  DEEPSEEK_CALL_END,
  DEEPSEEK_CALLS_BEGIN,
  DEEPSEEK_CALLS_END,
  DEEPSEEK_SEP,
  type Family,
} from "./tool-markup.ts";

/** Where each family's assistant turn begins. */
export const QWEN_ASSISTANT = "<|im_start|>assistant\n";
/** Qwen3 with thinking switched off: an empty think block opens the turn. */
export const QWEN_EMPTY_THINK = "<think>\n\n</think>\n\n";
export const LLAMA_ASSISTANT = "<|start_header_id|>assistant<|end_header_id|>\n\n";
/** R1's template opens `<think>\n`; for a forced call the library closes it at once. */
export const DEEPSEEK_ASSISTANT = "<｜Assistant｜><think>\n\n</think>\n\n";

export const QWEN_REQUIRED_PREFILL = '<tool_call>\n{"name": "';
export const LLAMA_REQUIRED_PREFILL = '{"name": "';
export const DEEPSEEK_REQUIRED_PREFILL = `${DEEPSEEK_CALLS_BEGIN}${DEEPSEEK_CALL_BEGIN}function${DEEPSEEK_SEP}`;

export function qwenNamedPrefill(name: string): string {
  return `<tool_call>\n{"name": ${JSON.stringify(name)}, "arguments": `;
}

export function llamaNamedPrefill(name: string): string {
  return `{"name": ${JSON.stringify(name)}, "parameters": `;
}

export function deepseekNamedPrefill(name: string): string {
  return `${DEEPSEEK_REQUIRED_PREFILL}${name}\n\`\`\`json\n`;
}

/** A prompt that ends inside a forced tool call: `tool` is set when the prefill named it. */
export interface Prefill {
  family: Family;
  tool?: string;
}

const QWEN_NAMED = /<tool_call>\n\{"name": ("(?:[^"\\]|\\.)*"), "arguments": $/;
const LLAMA_NAMED = /\{"name": ("(?:[^"\\]|\\.)*"), "parameters": $/;
const JSON_FENCE = "\n```json\n";

/** The forced tool call a prompt ends in, if any. */
export function prefillAt(prompt: string): Prefill | undefined {
  return qwenPrefill(prompt) ?? llamaPrefill(prompt) ?? deepseekPrefill(prompt);
}

function qwenPrefill(prompt: string): Prefill | undefined {
  const opensTurn = (before: string) =>
    before.endsWith(QWEN_ASSISTANT) || before.endsWith(QWEN_ASSISTANT + QWEN_EMPTY_THINK);
  if (prompt.endsWith(QWEN_REQUIRED_PREFILL) && opensTurn(prompt.slice(0, -QWEN_REQUIRED_PREFILL.length))) {
    return { family: "qwen" };
  }
  return named(prompt, "<tool_call>", QWEN_NAMED, opensTurn, "qwen");
}

function llamaPrefill(prompt: string): Prefill | undefined {
  const opensTurn = (before: string) => before.endsWith(LLAMA_ASSISTANT);
  if (prompt.endsWith(LLAMA_REQUIRED_PREFILL) && opensTurn(prompt.slice(0, -LLAMA_REQUIRED_PREFILL.length))) {
    return { family: "llama" };
  }
  return named(prompt, '{"name": ', LLAMA_NAMED, opensTurn, "llama");
}

/** The named form: the tail from the last `opening` matches `pattern`, and a turn opens before it. */
function named(
  prompt: string,
  opening: string,
  pattern: RegExp,
  opensTurn: (before: string) => boolean,
  family: Family,
): Prefill | undefined {
  const at = prompt.lastIndexOf(opening);
  if (at < 0) return undefined;
  const match = pattern.exec(prompt.slice(at));
  if (!match?.[1] || !opensTurn(prompt.slice(0, at))) return undefined;
  try {
    return { family, tool: String(JSON.parse(match[1])) };
  } catch {
    return undefined;
  }
}

function deepseekPrefill(prompt: string): Prefill | undefined {
  const at = prompt.lastIndexOf(DEEPSEEK_ASSISTANT + DEEPSEEK_REQUIRED_PREFILL);
  if (at < 0) return undefined;
  const tail = prompt.slice(at + DEEPSEEK_ASSISTANT.length + DEEPSEEK_REQUIRED_PREFILL.length);
  if (tail === "") return { family: "deepseek" };
  if (!tail.endsWith(JSON_FENCE)) return undefined;
  const name = tail.slice(0, -JSON_FENCE.length);
  return name !== "" && !/[\n`]/.test(name) ? { family: "deepseek", tool: name } : undefined;
}

/** The rest of the call after the prefill: the name when it was not given, the arguments, the closing markup. */
export function prefillContinuation(prefill: Prefill, name: string, args: Json): string {
  const json = pythonJson(args);
  const quotedName = JSON.stringify(name).slice(1, -1);
  switch (prefill.family) {
    case "qwen":
      return `${prefill.tool === undefined ? `${quotedName}", "arguments": ` : ""}${json}}\n</tool_call>`;
    case "llama":
      return `${prefill.tool === undefined ? `${quotedName}", "parameters": ` : ""}${json}}`;
    case "deepseek":
      return `${prefill.tool === undefined ? `${name}${JSON_FENCE}` : ""}${json}\n\`\`\`${DEEPSEEK_CALL_END}${DEEPSEEK_CALLS_END}`;
  }
}
