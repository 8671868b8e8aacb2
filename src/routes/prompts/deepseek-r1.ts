// The DeepSeek-R1-Distill chat template (tokenizer_config.json of the R1-Distill models, the
// revision whose generation prompt opens `<think>`), rendered with add_generation_prompt=True.
// `｜` is U+FF5C and `▁` is U+2581: these are single special tokens of the model's vocabulary.

import type { FunctionTool } from "../../openai/types.ts";
import type { ForcedCallFormat } from "../forced-call.ts";
import type { PromptInput } from "../types.ts";
import { textOnly, toTemplateMessages } from "./messages.ts";
import { afterLast, pythonJsonDumps } from "./python.ts";
import {
  ASSISTANT,
  EOS,
  FENCE,
  R1_BOS as BOS,
  TOOL_CALL_BEGIN,
  TOOL_CALL_END,
  TOOL_CALLS_BEGIN,
  TOOL_CALLS_END,
  TOOL_OUTPUT_BEGIN,
  TOOL_OUTPUT_END,
  TOOL_OUTPUTS_BEGIN,
  TOOL_OUTPUTS_END,
  TOOL_SEP,
  USER,
} from "./special-tokens.ts";
import { EMPTY_THINK, THINK_CLOSE, THINK_OPEN } from "./think-tags.ts";

/**
 * The prompt DeepSeek-R1-Distill models were trained on. Faithful to the official template,
 * quirks included:
 * - only the last system message is kept, right after BOS;
 * - earlier answers keep only what follows their last `</think>`;
 * - tool calls render only for an assistant message whose content is null, and the template's
 *   call counters run across the whole conversation: the first call ever opens
 *   `<｜Assistant｜><｜tool▁calls▁begin｜>`, every later call closes with
 *   `<｜tool▁calls▁end｜><｜end▁of▁sentence｜>`;
 * - an answer right after tool outputs follows `<｜tool▁outputs▁end｜>` without `<｜Assistant｜>`;
 * - a conversation ending in tool outputs ends with `<｜tool▁outputs▁end｜>` (no generation prompt).
 * The template renders no tools: offered tools are described after the system prompt (see
 * toolsSection), the one text this renderer adds.
 */
export function renderDeepSeekR1Prompt(input: PromptInput): string {
  const messages = toTemplateMessages(input.messages, textOnly("deepseek_r1"));

  let systemPrompt = "";
  for (const message of messages) {
    if (message.role === "system") systemPrompt = message.content ?? "";
  }
  if (input.tools !== undefined && input.tools.length > 0) {
    systemPrompt = systemPrompt ? `${systemPrompt}\n\n${toolsSection(input.tools)}` : toolsSection(input.tools);
  }

  let prompt = BOS + systemPrompt;
  let calledBefore = false;
  let afterToolOutput = false;
  let firstToolOutput = true;
  for (const message of messages) {
    if (message.role === "user") {
      afterToolOutput = false;
      prompt += USER + (message.content ?? "");
    } else if (message.role === "assistant" && message.content === null) {
      afterToolOutput = false;
      for (const call of message.toolCalls) {
        const body = `${call.type}${TOOL_SEP}${call.name}\n\`\`\`json\n${call.argumentsText}\n\`\`\`${TOOL_CALL_END}`;
        if (!calledBefore) {
          prompt += ASSISTANT + TOOL_CALLS_BEGIN + TOOL_CALL_BEGIN + body;
          calledBefore = true;
        } else {
          prompt += `\n${TOOL_CALL_BEGIN}${body}${TOOL_CALLS_END}${EOS}`;
        }
      }
    } else if (message.role === "assistant" && message.content !== null) {
      if (afterToolOutput) {
        prompt += TOOL_OUTPUTS_END + message.content + EOS;
        afterToolOutput = false;
      } else {
        prompt += ASSISTANT + afterLast(message.content, THINK_CLOSE) + EOS;
      }
    } else if (message.role === "tool") {
      afterToolOutput = true;
      const output = TOOL_OUTPUT_BEGIN + (message.content ?? "") + TOOL_OUTPUT_END;
      prompt += firstToolOutput ? TOOL_OUTPUTS_BEGIN + output : `\n${output}`;
      firstToolOutput = false;
    }
  }
  return afterToolOutput ? prompt + TOOL_OUTPUTS_END : `${prompt}${ASSISTANT}${THINK_OPEN}\n`;
}

/**
 * The R1-Distill template has no tools block, yet its models write (and its history renders)
 * DeepSeek's call markup. Without the schemas a model cannot call well, so they are given in the
 * system prompt, each as one `json.dumps` line like Qwen's tools block, followed by the call format
 * the template renders in history. Kept short: it is the only text bedrock-edge adds to a template.
 */
function toolsSection(tools: readonly FunctionTool[]): string {
  return (
    "# Tools\n\nYou may call the functions below, given as JSON schemas within <tools></tools> tags:\n<tools>" +
    tools.map((tool) => `\n${pythonJsonDumps(tool)}`).join("") +
    "\n</tools>\n\nTo call a function, answer with its name and a JSON object of arguments in this format:\n" +
    `${TOOL_CALLS_BEGIN}${TOOL_CALL_BEGIN}function${TOOL_SEP}<function-name>\n${FENCE}json\n<arguments-json-object>\n${FENCE}` +
    `${TOOL_CALL_END}${TOOL_CALLS_END}`
  );
}

/**
 * A forced call closes the (empty) think block the prompt opened, then opens the call markup up to
 * the function's name, or up to its arguments' JSON fence for a named function.
 */
export const deepseekForcedCalls: ForcedCallFormat = {
  lead: EMPTY_THINK,
  opening: (name) =>
    `${TOOL_CALLS_BEGIN}${TOOL_CALL_BEGIN}function${TOOL_SEP}${name === undefined ? "" : `${name}\n${FENCE}json\n`}`,
  closing: `\n${FENCE}${TOOL_CALL_END}${TOOL_CALLS_END}`,
  // Words written where the name goes end where the call's markup begins: its arguments' fence
  // line, its end token, or another call.
  nameEnds: [TOOL_SEP, TOOL_CALL_END],
  argumentsFence: FENCE,
  nextCall: TOOL_CALL_BEGIN,
};
