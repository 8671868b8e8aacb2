// What the check of a models table needs to know of the settings that name something (a built-in
// template, a wire format, a service tier), without loading the routes that use them: one module,
// so that a page loads them as one piece. The routes hold their lists to these (prompts/index.ts,
// wire-formats/index.ts and converse/service-tier.ts), and template-variables.ts the variables no
// request may set, which the client_template_kwargs setting may not declare either.
import type { WireFormatName } from "./wire-formats/types.ts";

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

const WIRE_FORMATS = { bedrock_completion: true, openai_completion: true } satisfies Record<WireFormatName, true>;

/** The `wire_format` setting's values. */
export const WIRE_FORMAT_NAMES = Object.keys(WIRE_FORMATS) as WireFormatName[];

/** A Bedrock service tier: priority costs more than default, flex less; reserved is capacity bought ahead. */
export type BedrockServiceTier = "priority" | "default" | "flex" | "reserved";

const SERVICE_TIERS = { priority: true, default: true, flex: true, reserved: true } satisfies Record<
  BedrockServiceTier,
  true
>;

export const BEDROCK_SERVICE_TIERS = Object.keys(SERVICE_TIERS) as BedrockServiceTier[];

/** The tiers a request may ask for when its model's entry does not say (service_tiers): none costs more than default. */
export const DEFAULT_SERVICE_TIERS: readonly BedrockServiceTier[] = ["default", "flex"];
