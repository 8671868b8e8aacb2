// The prompt renderers: one built-in per template name, and custom Jinja templates.

import type { PromptRenderer, TemplateName } from "../types.ts";
import { renderDeepSeekR1Prompt } from "./deepseek-r1.ts";
import { renderLlama3Prompt } from "./llama3.ts";
import { renderQwen2Prompt, renderQwen3Prompt } from "./qwen.ts";

export { renderDeepSeekR1Prompt } from "./deepseek-r1.ts";
export { renderLlama3Prompt } from "./llama3.ts";
export { renderQwen2Prompt, renderQwen3Prompt } from "./qwen.ts";
export { compileChatTemplate } from "./jinja.ts";

export const builtInRenderers: Record<TemplateName, PromptRenderer> = {
  deepseek_r1: renderDeepSeekR1Prompt,
  llama3: renderLlama3Prompt,
  qwen3: renderQwen3Prompt,
  qwen2: renderQwen2Prompt,
};
