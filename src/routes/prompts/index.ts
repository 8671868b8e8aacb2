// The built-in chat templates, by the name a model's `template` setting gives (imported models are
// often fine-tunes of another family), and the compiler for custom Jinja templates.
// A new built-in template is one line here: TemplateName and the setting's check follow.

import type { PromptRenderer } from "../types.ts";
import { DEEPSEEK_R1_SPECIAL_TOKENS, renderDeepSeekR1Prompt } from "./deepseek-r1.ts";
import {
  LLAMA3_SPECIAL_TOKENS,
  LLAMA31_VARIABLES,
  renderLlama31Prompt,
  renderLlama32Prompt,
  renderLlama3Prompt,
} from "./llama3.ts";
import { QWEN_SPECIAL_TOKENS, QWEN3_VARIABLES, renderQwen2Prompt, renderQwen3Prompt } from "./qwen.ts";

export { compileChatTemplate } from "./jinja.ts";

export const builtInRenderers = {
  deepseek_r1: renderDeepSeekR1Prompt,
  llama3: renderLlama3Prompt,
  qwen3: renderQwen3Prompt,
  qwen2: renderQwen2Prompt,
  llama3_1: renderLlama31Prompt,
  llama3_2: renderLlama32Prompt,
} as const satisfies Record<string, PromptRenderer>;

/** Built-in prompt templates a model may be pinned to. */
export type TemplateName = keyof typeof builtInRenderers;

export const TEMPLATE_NAMES = Object.keys(builtInRenderers) as TemplateName[];

/** The chat_template_kwargs each built-in template reads: all a request may set for it. */
export const TEMPLATE_VARIABLES: Readonly<Record<TemplateName, readonly string[]>> = {
  deepseek_r1: [],
  llama3: [],
  qwen3: QWEN3_VARIABLES,
  qwen2: [],
  llama3_1: LLAMA31_VARIABLES,
  llama3_2: LLAMA31_VARIABLES,
};

/**
 * Every built-in family's special tokens. Request text may spell none of them whichever the
 * model's template: an imported model is often a fine-tune or a distill whose vocabulary keeps
 * much of another family's, and a token that is plain text to the model costs nothing to break.
 */
export const BUILT_IN_SPECIAL_TOKENS: readonly string[] = [
  ...DEEPSEEK_R1_SPECIAL_TOKENS,
  ...LLAMA3_SPECIAL_TOKENS,
  ...QWEN_SPECIAL_TOKENS,
];
