// The names of the built-in chat templates, for the `template` model setting: known without
// loading the templates themselves (index.ts, which the compiler holds to this list).
export const TEMPLATE_NAMES = ["deepseek_r1", "llama3", "qwen3", "qwen2", "llama3_1", "llama3_2"] as const;

/** Built-in prompt templates a model may be pinned to. */
export type TemplateName = (typeof TEMPLATE_NAMES)[number];
