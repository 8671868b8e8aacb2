// The `tool_parser` setting's values, known without loading the parsers: the check of a models
// table needs only the names (tool-parsers.ts, which the compiler holds to this list, has them).

const NAMES = { qwen: true, deepseek_r1: true, llama3_json: true } as const;

/** A family's markup of tool calls written as text, which the openai route can read. */
export type ToolParserName = keyof typeof NAMES;

export const TOOL_PARSER_NAMES = Object.keys(NAMES) as ToolParserName[];
