// Where a model's answers carry logprobs, and how long such an answer may run when the request sets
// no output limit: what a server that builds plain answers whole must know before the call to
// bound their size (the proxy's plain_answer_too_large). Pure, and it loads no route.
import { DEFAULT_MAX_TOKENS } from "../completions/plan.ts";
import { applyCompletionCaps } from "../model-caps.ts";
import type { ModelSettingValues } from "../model-settings.ts";
import type { RouteName } from "./index.ts";
import { DEFAULT_OPENAI_COMPLETION_MAX_TOKENS } from "./wire-formats/from-chat.ts";
import { wireFormatOf } from "./wire-formats/index.ts";

/** The APIs that return logprobs: chat, and legacy Completions. */
export type LogprobApi = "chat" | "completions";

export interface LogprobAnswers {
  /**
   * The output limit a request that sets none is sent with; undefined when none is sent, and the
   * model answers up to its context (Bedrock's OpenAI chat format, as vLLM does).
   */
  unsetLimit: number | undefined;
}

/** A legacy Completions request's output limit when it sets none, on every route: OpenAI's 16, within the model's cap. */
export function unsetCompletionLimit(cap: number | undefined): number {
  // The library's own steps, run: the caps set the limit within a cap; without one the plan sends its default.
  const caps = cap === undefined ? {} : { max_output_tokens: cap };
  const unset: { prompt: string; max_tokens?: number | null } = { prompt: "" };
  return applyCompletionCaps(unset, caps, DEFAULT_MAX_TOKENS).max_tokens ?? DEFAULT_MAX_TOKENS;
}

/**
 * What answers with logprobs a model gives, or undefined when it gives none: Converse and
 * Bedrock's completion format refuse logprobs, or drop them under drop_params. The openai route
 * passes them on in both of its formats; a template route returns them in the wire format that
 * carries them.
 */
export function logprobAnswers(
  api: LogprobApi,
  route: RouteName,
  settings: Pick<ModelSettingValues, "wire_format" | "max_output_tokens">,
): LogprobAnswers | undefined {
  if (route === "converse") return undefined;
  const cap = settings.max_output_tokens;
  if (route !== "openai" && !wireFormatOf(settings.wire_format).carries.has("logprobs")) return undefined;
  if (api === "completions") return { unsetLimit: unsetCompletionLimit(cap) };
  // The model's cap is sent as the limit (model-caps.ts); else OpenAICompletion's default, while
  // the openai route sends none.
  return { unsetLimit: cap ?? (route === "openai" ? undefined : DEFAULT_OPENAI_COMPLETION_MAX_TOKENS) };
}
