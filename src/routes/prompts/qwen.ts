// The Qwen3 and Qwen2.5-Instruct chat templates, rendered with add_generation_prompt=True.
// Both are ChatML (`<|im_start|>{role}\n{text}<|im_end|>\n`) with the same tools block, tool-call
// lines and grouped tool responses; Qwen3 adds its thinking rules, Qwen2.5 a default system prompt.

import type { FunctionTool } from "../../openai/types.ts";
import type { ForcedCallFormat } from "../forced-call.ts";
import type { PromptInput } from "../types.ts";
import type { TemplateMessage, TemplateToolCall } from "./messages.ts";
import { textOnly, toTemplateMessages } from "./messages.ts";
import { afterLast, beforeFirst, lstripNewlines, pythonJsonDumps, rstripNewlines, stripNewlines } from "./python.ts";
import {
  IM_END,
  IM_START,
  IMAGE_PAD,
  TOOL_CALL_CLOSE,
  TOOL_CALL_OPEN,
  TOOL_RESPONSE_CLOSE,
  TOOL_RESPONSE_OPEN,
  VISION_END,
  VISION_START,
} from "./special-tokens.ts";
import { EMPTY_THINK, THINK_CLOSE, THINK_OPEN } from "./think-tags.ts";

const QWEN2_DEFAULT_SYSTEM = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.";
/** An image part as Qwen's vision templates (Qwen2-VL … Qwen3-VL) write it; the qwen3 route writes the same. */
const QWEN_IMAGE = `${VISION_START}${IMAGE_PAD}${VISION_END}`;

/** The chat_template_kwargs renderQwen3Prompt reads. */
export const QWEN3_VARIABLES: readonly string[] = ["enable_thinking"];

/** A ChatML turn, closed. */
function chatmlTurn(role: string, text: string): string {
  return `${IM_START}${role}\n${text}${IM_END}\n`;
}

/** The `# Tools` block both templates put in the system turn, each tool as `json.dumps` writes it. */
function toolsBlock(tools: readonly FunctionTool[]): string {
  return (
    "# Tools\n\nYou may call one or more functions to assist with the user query.\n\n" +
    "You are provided with function signatures within <tools></tools> XML tags:\n<tools>" +
    tools.map((tool) => `\n${pythonJsonDumps(tool)}`).join("") +
    "\n</tools>\n\nFor each function call, return a json object with function name and arguments " +
    `within ${TOOL_CALL_OPEN}${TOOL_CALL_CLOSE} XML tags:\n${TOOL_CALL_OPEN}\n` +
    `{"name": <function-name>, "arguments": <args-json-object>}\n${TOOL_CALL_CLOSE}` +
    `${IM_END}\n`
  );
}

function toolCallBlock(name: string, argumentsJson: string): string {
  return `${TOOL_CALL_OPEN}\n{"name": "${name}", "arguments": ${argumentsJson}}\n${TOOL_CALL_CLOSE}`;
}

/** Tool results: consecutive `tool` messages share one `user` turn of `<tool_response>` blocks. */
function toolResponse(messages: readonly TemplateMessage[], index: number, content: string): string {
  const opens = index === 0 || messages[index - 1]?.role !== "tool";
  const closes = index === messages.length - 1 || messages[index + 1]?.role !== "tool";
  return `${opens ? `${IM_START}user` : ""}\n${TOOL_RESPONSE_OPEN}\n${content}\n${TOOL_RESPONSE_CLOSE}${closes ? `${IM_END}\n` : ""}`;
}

function hasTools(tools: readonly FunctionTool[] | undefined): tools is readonly FunctionTool[] {
  return tools !== undefined && tools.length > 0;
}

/**
 * Qwen3 (the hybrid-thinking template of Qwen3-0.6B … 235B-A22B). Earlier assistant turns drop
 * their reasoning; turns after the last real user query (a multi-step tool loop) keep it.
 * `kwargs.enable_thinking === false` appends an empty think block. Image parts become Qwen's
 * vision placeholder.
 */
export function renderQwen3Prompt(input: PromptInput): string {
  const messages = toTemplateMessages(input.messages, { placeholder: QWEN_IMAGE });
  const first = messages[0];
  const systemFirst = first?.role === "system";

  let prompt = "";
  if (hasTools(input.tools)) {
    prompt += `${IM_START}system\n${systemFirst ? `${first.content ?? ""}\n\n` : ""}${toolsBlock(input.tools)}`;
  } else if (systemFirst) {
    prompt += chatmlTurn("system", first.content ?? "");
  }

  const lastQuery = lastQueryIndex(messages);
  messages.forEach((message, index) => {
    const content = message.content ?? "";
    if (message.role === "user" || (message.role === "system" && index > 0)) {
      prompt += chatmlTurn(message.role, content);
    } else if (message.role === "assistant") {
      prompt += qwen3Assistant(message, content, index > lastQuery, index === messages.length - 1);
    } else if (message.role === "tool") {
      prompt += toolResponse(messages, index, content);
    }
  });

  prompt += `${IM_START}assistant\n`;
  if (input.kwargs.enable_thinking === false) prompt += EMPTY_THINK;
  return prompt;
}

/** Index of the last user message that is a real query, not tool output pasted as a user turn. */
function lastQueryIndex(messages: readonly TemplateMessage[]): number {
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index];
    if (message?.role !== "user") continue;
    const content = message.content ?? "";
    if (!(content.startsWith(TOOL_RESPONSE_OPEN) && content.endsWith(TOOL_RESPONSE_CLOSE))) return index;
  }
  return messages.length - 1;
}

/**
 * An assistant turn of Qwen3. Reasoning is shown only after the last query, and there only for the
 * final message (even when empty) or a turn that has some.
 */
function qwen3Assistant(message: TemplateMessage, rawContent: string, afterQuery: boolean, isLast: boolean): string {
  let content = rawContent;
  let reasoning = "";
  if (message.reasoning !== undefined) {
    reasoning = message.reasoning;
  } else if (content.includes(THINK_CLOSE)) {
    reasoning = lstripNewlines(afterLast(rstripNewlines(beforeFirst(content, THINK_CLOSE)), THINK_OPEN));
    content = lstripNewlines(afterLast(content, THINK_CLOSE));
  }

  let turn = `${IM_START}assistant\n`;
  const keepsReasoning = afterQuery && (isLast || reasoning !== "");
  turn += keepsReasoning
    ? `${THINK_OPEN}\n${stripNewlines(reasoning)}\n${THINK_CLOSE}\n\n${lstripNewlines(content)}`
    : content;

  message.toolCalls.forEach((call, index) => {
    if (index > 0 || content !== "") turn += "\n";
    turn += toolCallBlock(call.name, call.argumentsJson ?? call.argumentsText);
  });
  return `${turn}${IM_END}\n`;
}

/**
 * Qwen2.5-Instruct. Without a system message it uses Qwen's default one. Tool-call arguments are
 * always passed through `tojson`, so arguments that are not a JSON object render as a JSON string.
 */
export function renderQwen2Prompt(input: PromptInput): string {
  const messages = toTemplateMessages(input.messages, textOnly("qwen2"));
  const first = messages[0];
  const system = first?.role === "system" ? (first.content ?? "") : QWEN2_DEFAULT_SYSTEM;

  let prompt = hasTools(input.tools)
    ? `${IM_START}system\n${system}\n\n${toolsBlock(input.tools)}`
    : chatmlTurn("system", system);

  messages.forEach((message, index) => {
    const content = message.content ?? "";
    const plainAssistant = message.role === "assistant" && message.toolCalls.length === 0;
    if (message.role === "user" || (message.role === "system" && index > 0) || plainAssistant) {
      prompt += chatmlTurn(message.role, content);
    } else if (message.role === "assistant") {
      prompt += `${IM_START}assistant${content !== "" ? `\n${content}` : ""}`;
      prompt += message.toolCalls.map((call) => `\n${toolCallBlock(call.name, qwen2Arguments(call))}`).join("");
      prompt += `${IM_END}\n`;
    } else if (message.role === "tool") {
      prompt += toolResponse(messages, index, content);
    }
  });
  return `${prompt}${IM_START}assistant\n`;
}

function qwen2Arguments(call: TemplateToolCall): string {
  return call.argumentsJson ?? pythonJsonDumps(call.argumentsText);
}

/** A forced call opens the way the tools block teaches: up to the name, or up to the arguments. */
function qwenOpening(name: string | undefined): string {
  return name === undefined ? `${TOOL_CALL_OPEN}\n{"name": "` : `${TOOL_CALL_OPEN}\n{"name": "${name}", "arguments": `;
}

export const qwen2ForcedCalls: ForcedCallFormat = {
  lead: "",
  opening: qwenOpening,
  closing: `}\n${TOOL_CALL_CLOSE}`,
  nameEnds: [],
  nextCall: TOOL_CALL_OPEN,
};

/** Qwen3 first closes an empty think block (as `enable_thinking: false` does), so it calls at once. */
export const qwen3ForcedCalls: ForcedCallFormat = { ...qwen2ForcedCalls, lead: EMPTY_THINK };
