// The DeepSeek-R1-Distill chat template (tokenizer_config.json of the R1-Distill models, the
// revision whose generation prompt opens `<think>`), rendered with add_generation_prompt=True.
// `｜` is U+FF5C and `▁` is U+2581: these are single special tokens of the model's vocabulary.

import type { PromptInput } from "../types.ts";
import { afterLast } from "./python.ts";
import { toTemplateMessages } from "./messages.ts";
import { THINK_CLOSE, THINK_OPEN } from "./think-tags.ts";

// Exported: the answer parser reads the same tokens back (routes/tool-syntax.ts, deepseek-r1.ts).
const BOS = "<｜begin▁of▁sentence｜>";
export const EOS = "<｜end▁of▁sentence｜>";
const USER = "<｜User｜>";
const ASSISTANT = "<｜Assistant｜>";
export const TOOL_CALLS_BEGIN = "<｜tool▁calls▁begin｜>";
export const TOOL_CALLS_END = "<｜tool▁calls▁end｜>";
export const TOOL_CALL_BEGIN = "<｜tool▁call▁begin｜>";
export const TOOL_CALL_END = "<｜tool▁call▁end｜>";
export const TOOL_SEP = "<｜tool▁sep｜>";
const TOOL_OUTPUTS_BEGIN = "<｜tool▁outputs▁begin｜>";
const TOOL_OUTPUTS_END = "<｜tool▁outputs▁end｜>";
const TOOL_OUTPUT_BEGIN = "<｜tool▁output▁begin｜>";
const TOOL_OUTPUT_END = "<｜tool▁output▁end｜>";

/** The special tokens this template writes: request text may spell none of them (special-tokens.ts). */
export const DEEPSEEK_R1_SPECIAL_TOKENS: readonly string[] = [
  BOS,
  EOS,
  USER,
  ASSISTANT,
  TOOL_CALLS_BEGIN,
  TOOL_CALLS_END,
  TOOL_CALL_BEGIN,
  TOOL_CALL_END,
  TOOL_SEP,
  TOOL_OUTPUTS_BEGIN,
  TOOL_OUTPUTS_END,
  TOOL_OUTPUT_BEGIN,
  TOOL_OUTPUT_END,
  THINK_OPEN,
  THINK_CLOSE,
];

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
 */
export function renderDeepSeekR1Prompt(input: PromptInput): string {
  const messages = toTemplateMessages(input.messages, { refuseAs: "deepseek_r1" });

  let systemPrompt = "";
  for (const message of messages) {
    if (message.role === "system") systemPrompt = message.content ?? "";
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
