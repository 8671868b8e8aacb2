// What is known of chat templates without loading any: the names of the built-in ones, for the
// `template` model setting (index.ts, which the compiler holds to this list), and the variables
// no request may set, which the client_template_kwargs setting may not declare either
// (../template-variables.ts).
export const TEMPLATE_NAMES = ["deepseek_r1", "llama3", "qwen3", "qwen2", "llama3_1", "llama3_2"] as const;

/** Built-in prompt templates a model may be pinned to. */
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

/**
 * What apply_chat_template itself gives a template (its inputs, the tokenizer's special tokens,
 * its helper functions): set by the server, never by a request, and never declarable.
 */
export const RESERVED_TEMPLATE_VARIABLES: readonly string[] = [
  "messages",
  "tools",
  "documents",
  "add_generation_prompt",
  "continue_final_message",
  "chat_template",
  "tokenize",
  "bos_token",
  "eos_token",
  "unk_token",
  "pad_token",
  "sep_token",
  "cls_token",
  "mask_token",
  "additional_special_tokens",
  "raise_exception",
  "strftime_now",
];
