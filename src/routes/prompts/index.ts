// The built-in chat templates, by the name a model's `template` setting gives (imported models are
// often fine-tunes of another family), and the compiler for custom Jinja templates.
// A new built-in template is one line here and its name in setting-names.ts (the compiler
// insists on both): the setting's check follows.

import type { PromptRenderer } from "../types.ts";
import type { TemplateName } from "../setting-names.ts";
import { renderDeepSeekR1Prompt } from "./deepseek-r1.ts";
import { LLAMA31_VARIABLES, renderLlama31Prompt, renderLlama32Prompt, renderLlama3Prompt } from "./llama3.ts";
import { QWEN3_VARIABLES, renderQwen2Prompt, renderQwen3Prompt } from "./qwen.ts";

export { compileChatTemplate } from "./jinja.ts";

/**
 * The built-in templates' renderers, by name. Typed with exported types only, so a project that
 * emits declarations can infer from it (the functions themselves are not exported).
 */
export const builtInRenderers: { readonly [Name in TemplateName]: PromptRenderer } = {
  deepseek_r1: renderDeepSeekR1Prompt,
  llama3: renderLlama3Prompt,
  qwen3: renderQwen3Prompt,
  qwen2: renderQwen2Prompt,
  llama3_1: renderLlama31Prompt,
  llama3_2: renderLlama32Prompt,
};

export type { TemplateName } from "../setting-names.ts";

/** The chat_template_kwargs each built-in template reads: all a request may set for it. */
export const TEMPLATE_VARIABLES: Readonly<Record<TemplateName, readonly string[]>> = {
  deepseek_r1: [],
  llama3: [],
  qwen3: QWEN3_VARIABLES,
  qwen2: [],
  llama3_1: LLAMA31_VARIABLES,
  llama3_2: LLAMA31_VARIABLES,
};
