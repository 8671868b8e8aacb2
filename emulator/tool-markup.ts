// Tool calling as each model family writes it in raw text, and the tools a templated prompt
// offers. Pure functions of strings.
//
//   qwen      <tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>
//   llama     {"name": "get_weather", "parameters": {"city": "Paris"}}          (Llama 3.1 JSON tool calling)
//   deepseek  <｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n```json\n{…}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>

import { instanceOf, type Json } from "./json-schema-instance.ts";
import type { ModelFormat } from "./model-id.ts";
import { pythonJson } from "./python-json.ts";

export type Family = "qwen" | "llama" | "deepseek";

export const FAMILY: Record<ModelFormat, Family> = {
  r1: "deepseek",
  llama: "llama",
  qwen3: "qwen",
  qwen2: "qwen",
  // OpenAI-format imports (Qwen 2.5 VL and the like) are ChatML models.
  openai: "qwen",
};

export const END_OF_TURN: Record<Family, string> = {
  deepseek: "<｜end▁of▁sentence｜>",
  llama: "<|eot_id|>",
  qwen: "<|im_end|>",
};

export const DEEPSEEK_CALLS_BEGIN = "<｜tool▁calls▁begin｜>";
export const DEEPSEEK_CALL_BEGIN = "<｜tool▁call▁begin｜>";
export const DEEPSEEK_SEP = "<｜tool▁sep｜>";
export const DEEPSEEK_CALL_END = "<｜tool▁call▁end｜>";
export const DEEPSEEK_CALLS_END = "<｜tool▁calls▁end｜>";

/** The tool the emulator knows without a schema, and what it has always answered for it. */
export const DEFAULT_TOOL = "get_weather";
const DEFAULT_ARGUMENTS: Json = { city: "Paris" };

/** A tool offered to the model: its name and, when known, its JSON Schema. */
export interface OfferedTool {
  name: string;
  parameters?: unknown;
}

/**
 * What a call to `tool` passes: an instance of its schema, else the known answer, else `{}`.
 * A call's arguments are an object whatever the schema leaves open: `parameters: {}` (any
 * value) still gets one, as a model trained on function calls writes.
 */
export function toolArguments(tool: OfferedTool): Json {
  const { parameters } = tool;
  if (typeof parameters === "object" && parameters !== null && !Array.isArray(parameters)) {
    return instanceOf("type" in parameters ? parameters : { ...parameters, type: "object" });
  }
  return tool.name === DEFAULT_TOOL ? DEFAULT_ARGUMENTS : {};
}

/** A whole tool call in the family's markup. */
export function toolCallMarkup(family: Family, name: string, args: Json): string {
  const json = pythonJson(args);
  switch (family) {
    case "qwen":
      return `<tool_call>\n{"name": ${JSON.stringify(name)}, "arguments": ${json}}\n</tool_call>`;
    case "llama":
      return `{"name": ${JSON.stringify(name)}, "parameters": ${json}}`;
    case "deepseek":
      return `${DEEPSEEK_CALLS_BEGIN}${DEEPSEEK_CALL_BEGIN}function${DEEPSEEK_SEP}${name}\n\`\`\`json\n${json}\n\`\`\`${DEEPSEEK_CALL_END}${DEEPSEEK_CALLS_END}`;
  }
}

const TOOL_RESULT_MARKERS = [
  "<tool_response>",
  "<｜tool▁output▁begin｜>",
  "<|start_header_id|>ipython<|end_header_id|>",
];

/** Whether a prompt carries a tool's result (then the model answers in words). */
export function hasToolResult(prompt: string): boolean {
  return TOOL_RESULT_MARKERS.some((marker) => prompt.includes(marker));
}

// Where each family's template writes the tool definitions, as JSON objects.
const QWEN_TOOLS = { start: "<tools>", end: "</tools>" };
const LLAMA_TOOLS = { start: "Given the following functions", end: "<|eot_id|>" };
const DEEPSEEK_SYSTEM = { start: "<｜begin▁of▁sentence｜>", end: "<｜User｜>" };
const MAX_TOOLS = 128;

/**
 * The tools a templated prompt offers, in order: Qwen's `<tools>` block, Llama 3.1's "Given the
 * following functions" block, or JSON tool definitions in a DeepSeek R1 system prompt. Linear
 * in the prompt's length.
 */
export function toolsInPrompt(prompt: string): OfferedTool[] {
  const tools: OfferedTool[] = [];
  for (const region of [QWEN_TOOLS, LLAMA_TOOLS, DEEPSEEK_SYSTEM]) {
    // Every occurrence: Qwen's instructions mention "<tools></tools>" before the real block.
    for (let start = prompt.indexOf(region.start); start >= 0; ) {
      const from = start + region.start.length;
      const end = prompt.indexOf(region.end, from);
      const to = end < 0 ? prompt.length : end;
      for (const text of topLevelObjects(prompt, from, to)) {
        const tool = toolDefinition(text);
        if (tool) tools.push(tool);
        if (tools.length >= MAX_TOOLS) return tools;
      }
      start = prompt.indexOf(region.start, to);
    }
    if (tools.length > 0) return tools;
  }
  return tools;
}

/** `{"type": "function", "function": {"name", "parameters"}}` or `{"name", "parameters"}`. */
function toolDefinition(text: string): OfferedTool | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const record = isRecord(value) && isRecord(value.function) ? value.function : value;
  if (!isRecord(record) || typeof record.name !== "string" || record.name === "") return undefined;
  const parameters = record.parameters ?? record.input_schema ?? record.inputSchema;
  return isRecord(parameters) ? { name: record.name, parameters } : { name: record.name };
}

/** The `{…}` spans at nesting depth zero between `from` and `to`, braces inside strings ignored. */
function* topLevelObjects(text: string, from: number, to: number): Generator<string> {
  let depth = 0;
  let start = 0;
  let inString = false;
  let escaped = false;
  for (let index = from; index < to; index++) {
    const code = text.charCodeAt(index);
    if (depth === 0) {
      if (code === 0x7b) {
        depth = 1;
        start = index;
      }
    } else if (inString) {
      if (escaped) escaped = false;
      else if (code === 0x5c) escaped = true;
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x7b) depth++;
    else if (code === 0x7d && --depth === 0) yield text.slice(start, index + 1);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
