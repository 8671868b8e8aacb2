// tools and tool_choice -> Converse's toolConfig.
import { invalidRequest, shownText } from "../../errors.ts";
import { objectSchemaOf } from "../../openai/function-parameters.ts";
import type { ChatCompletionRequest } from "../../openai/types.ts";
import type { CachePoints } from "./cache-points.ts";
import type { ToolConfig } from "./wire.ts";

// Converse's ToolSpecification.name (AWS API reference): stricter than OpenAI's.
const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Why tool_choice cannot be honoured, when it is droppable: Converse has no "none", and Bedrock
 * refuses toolUse/toolResult blocks in a conversation unless tools are offered.
 */
export function toolChoiceProblem(request: ChatCompletionRequest, hasToolBlocks: boolean): string | undefined {
  if (request.tool_choice !== "none" || !hasToolBlocks || !request.tools?.length) return undefined;
  return 'cannot be "none" when the conversation holds tool calls: Converse has no "none", and Bedrock requires the tools to be offered then';
}

/**
 * The toolConfig, or undefined when no tools are offered. `dropChoice` means tool_choice was
 * dropped under drop_params ("none" in a tool loop, or a named choice the model does not take):
 * the tools are then offered with Bedrock's default (auto).
 */
export function toToolConfig(
  request: ChatCompletionRequest,
  hasToolBlocks: boolean,
  dropChoice: boolean,
  cache?: CachePoints,
): ToolConfig | undefined {
  const tools = request.tools ?? [];
  const choice = dropChoice ? undefined : request.tool_choice;
  if (!tools.length) {
    if (choice === "required" || typeof choice === "object") {
      throw invalidRequest("tool_choice asks for a tool call, but the request offers no tools.", "tool_choice");
    }
    if (hasToolBlocks) {
      throw invalidRequest(
        "The conversation holds tool calls or results, but the request offers no tools: Bedrock's Converse refuses tool blocks without a toolConfig. Send the tools with the request.",
        "tools",
      );
    }
    return undefined;
  }
  if (choice === "none") return undefined;

  const config: ToolConfig = { tools: [] };
  tools.forEach((tool, index) => {
    const { name, description, parameters } = tool.function;
    if (!TOOL_NAME.test(name)) {
      throw invalidRequest(
        `Converse takes tool names of 1-64 letters, digits, _ and - only (got ${shownText(name, 80)}).`,
        `tools[${index}].function.name`,
      );
    }
    // Converse's ToolInputSchema: "The top level schema type must be object".
    const json = objectSchemaOf(parameters);
    // Bedrock refuses an empty description; `strict` is not forwarded (few models take it).
    config.tools.push({
      toolSpec: description ? { name, description, inputSchema: { json } } : { name, inputSchema: { json } },
    });
    // A tool marked with cache_control caches the tools up to it, where the model caches tools.
    const point = cache?.inTools ? cache.read(tool) : undefined;
    if (point) config.tools.push(point);
  });
  if (choice === "required") config.toolChoice = { any: {} };
  else if (typeof choice === "object") {
    const name = choice.function.name;
    if (!tools.some((tool) => tool.function.name === name)) {
      throw invalidRequest(
        `tool_choice names ${shownText(name, 80, "a name")}, which is not among the tools.`,
        "tool_choice",
      );
    }
    config.toolChoice = { tool: { name } };
  }
  // "auto" is Converse's default: sent explicitly, it is refused by models without tool choice.
  return config;
}
