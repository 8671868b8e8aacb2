// The openai route's `tool_parser` model setting: Bedrock parses tool calls server-side only for
// some imports (GPT-OSS); for the others, the model's calls arrive as text in `content`, in its
// family's markup, and bedrock-edge reads them as the template routes do.
import type { ToolSyntax } from "./answer-splitter.ts";
import type { ToolParserName } from "./tool-parser-names.ts";
import { deepseekToolSyntax, qwenToolSyntax } from "./tool-syntax.ts";

export const TOOL_PARSERS = {
  /** `<tool_call>{"name", "arguments"}</tool_call>` blocks (Qwen, Hermes). */
  qwen: qwenToolSyntax,
  /** DeepSeek R1's tool-call markers. */
  deepseek_r1: deepseekToolSyntax,
} as const satisfies Record<ToolParserName, ToolSyntax>;
