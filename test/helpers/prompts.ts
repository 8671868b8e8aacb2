// Shared fixtures of the chat-template golden tests (src/routes/prompts/*.test.ts).
import type { ChatMessage, FunctionTool } from "../../src/openai/types.ts";

export const user = (content: string): ChatMessage => ({ role: "user", content });

/** A tool with non-ASCII text, to check json.dumps-style serialisation. */
export const weather: FunctionTool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Current weather — «city» in °C",
    parameters: {
      type: "object",
      properties: { city: { type: "string" }, days: { type: "integer", minimum: 1 } },
      required: ["city"],
    },
  },
};

export const weatherCall = (id: string, args: string) => ({
  id,
  type: "function" as const,
  function: { name: "get_weather", arguments: args },
});

/** The system turn's tools block both Qwen templates write for [weather], after any system text. */
export const WEATHER_TOOLS_BLOCK =
  "# Tools\n" +
  "\n" +
  "You may call one or more functions to assist with the user query.\n" +
  "\n" +
  "You are provided with function signatures within <tools></tools> XML tags:\n" +
  "<tools>\n" +
  '{"type": "function", "function": {"name": "get_weather", "description": "Current weather — «city» in °C", ' +
  '"parameters": {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1}}, ' +
  '"required": ["city"]}}}\n' +
  "</tools>\n" +
  "\n" +
  "For each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n" +
  "<tool_call>\n" +
  '{"name": <function-name>, "arguments": <args-json-object>}\n' +
  "</tool_call><|im_end|>\n";
