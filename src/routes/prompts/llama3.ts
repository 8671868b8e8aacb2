// The Llama 3 instruct chat template (Meta-Llama-3-8B-Instruct / -70B-Instruct, the 3.0 one),
// rendered with add_generation_prompt=True. It has no tool format: tool use needs a model whose
// own template has one, given as a chat_template override.

import { invalidRequest } from "../../errors.ts";
import type { PromptInput } from "../types.ts";
import { toTemplateMessages } from "./messages.ts";
import { pythonStrip } from "./python.ts";

const BOS = "<|begin_of_text|>";
const START_HEADER = "<|start_header_id|>";
const END_HEADER = "<|end_header_id|>";
// Exported: the answer parser stops at the same tokens (routes/llama.ts).
export const EOT = "<|eot_id|>";
/** Llama 3's end-of-text token: not written by the template, but a model may print it to stop. */
export const END_OF_TEXT = "<|end_of_text|>";

/**
 * The special tokens this template writes or its answers end with: request text may spell none
 * of them (special-tokens.ts). Llama 3's other special tokens (`<|reserved_special_token_0|>` …)
 * are `<|…|>`-shaped, which the neutraliser breaks too.
 */
export const LLAMA3_SPECIAL_TOKENS: readonly string[] = [BOS, START_HEADER, END_HEADER, EOT, END_OF_TEXT];
function noTools(param: string) {
  return invalidRequest(
    `${param} cannot be rendered: the llama3 chat template has no tool format; ` +
      "use a chat_template override for a model that has one.",
    param,
  );
}

/** `<|begin_of_text|>` + one header block per message, text trimmed as Jinja's `trim` does. */
export function renderLlama3Prompt(input: PromptInput): string {
  if (input.tools !== undefined && input.tools.length > 0) throw noTools("tools");
  input.messages.forEach((message, index) => {
    if (message.role === "tool") throw noTools(`messages[${index}].role`);
    if (message.role === "assistant" && (message.tool_calls?.length ?? 0) > 0) {
      throw noTools(`messages[${index}].tool_calls`);
    }
  });

  const messages = toTemplateMessages(input.messages, { refuseAs: "llama3" });
  let prompt = messages.length > 0 ? BOS : "";
  for (const message of messages) {
    prompt += `${START_HEADER}${message.role}${END_HEADER}\n\n${pythonStrip(message.content ?? "")}${EOT}`;
  }
  return `${prompt}${START_HEADER}assistant${END_HEADER}\n\n`;
}
