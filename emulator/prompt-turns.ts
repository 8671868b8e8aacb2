// The turns of a templated prompt, as each family's chat template writes them: the completion
// formats get one string, and a few answers depend on what the user said last.

import type { Family } from "./tool-markup.ts";

const USER_TURN: Record<Family, { start: string; end: string }> = {
  llama: { start: "<|start_header_id|>user<|end_header_id|>\n\n", end: "<|eot_id|>" },
  qwen: { start: "<|im_start|>user\n", end: "<|im_end|>" },
  deepseek: { start: "<｜User｜>", end: "<｜Assistant｜>" },
};

/**
 * The text of the prompt's last user turn; the whole prompt when it has no turns (a raw prompt
 * is what the user said). A turn the prompt does not close runs to the prompt's end.
 */
export function lastUserTurn(family: Family, prompt: string): string {
  const { start, end } = USER_TURN[family];
  const at = prompt.lastIndexOf(start);
  if (at < 0) return prompt;
  const from = at + start.length;
  const to = prompt.indexOf(end, from);
  return prompt.slice(from, to < 0 ? undefined : to);
}
