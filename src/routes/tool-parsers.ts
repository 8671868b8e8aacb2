// The openai route's `tool_parser` model setting: Bedrock parses tool calls server-side only for
// some imports (GPT-OSS); for the others, the model's calls arrive as text in `content`, in its
// family's markup, and bedrock-edge reads them as the template routes do.
import type { ToolSyntax } from "./answer-splitter.ts";
import type { ToolParserName } from "./tool-parser-names.ts";
import { deepseekToolSyntax, llamaJsonToolSyntax, qwenToolSyntax } from "./tool-syntax.ts";

export const TOOL_PARSERS = {
  /** `<tool_call>{"name", "arguments"}</tool_call>` blocks (Qwen, Hermes). */
  qwen: qwenToolSyntax,
  /** DeepSeek R1's tool-call markers. */
  deepseek_r1: deepseekToolSyntax,
  /** Llama 3.1-3.3's JSON calls, `{"name", "parameters"}` leading the answer. */
  llama3_json: llamaJsonToolSyntax,
} as const satisfies Record<ToolParserName, ToolSyntax>;
