// What the openai route sends Bedrock: the fields its OpenAIChatCompletion format takes, and
// nothing else. Every field of a request used to go upstream as sent, so a client's
// `chat_template`, vLLM's `skip_special_tokens` or an `n: 128` reached the model server (vLLM
// treats a client's chat template as a vulnerability). The route now sends the allow-list below;
// any other field is refused by name or, with drop_params, left out (parameters.ts says which).
import { invalidRequest } from "../errors.ts";
import { REQUEST_FIELDS } from "../openai/schema.ts";
import type { ChatCompletionRequest } from "../openai/types.ts";
import { checkTemplateKwargs } from "./prompts/template-variables.ts";
import type { ModelSettings } from "./types.ts";

/** OpenAI's Chat Completions parameters the model server honours. */
const CHAT_COMPLETIONS_FIELDS = [
  "messages",
  "max_tokens",
  "max_completion_tokens",
  "temperature",
  "top_p",
  "n",
  "stop",
  "seed",
  "presence_penalty",
  "frequency_penalty",
  "logit_bias",
  "logprobs",
  "top_logprobs",
  "response_format",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "reasoning_effort",
];

/**
 * Bedrock's documented extensions for imported models (AWS: "Advanced API features for imported
 * models"): vLLM's sampling and structured-output fields. chat_template_kwargs goes with only the
 * variables the model lets a request set (template-variables.ts).
 */
const BEDROCK_EXTENSIONS = ["top_k", "structured_outputs", "prompt_logprobs", "chat_template_kwargs"];

const FORWARDED: ReadonlySet<string> = new Set([...CHAT_COMPLETIONS_FIELDS, ...BEDROCK_EXTENSIONS]);

/** Read by bedrock-edge, never sent: `model` becomes the ARN, streaming is the operation called. */
const OWN: ReadonlySet<string> = new Set(["model", "stream", "stream_options", "drop_params"]);

/**
 * The template variables any request may set on an openai-route model: the thinking switches of
 * the families Bedrock serves in OpenAI's format (Qwen3's enable_thinking, DeepSeek V3.1's
 * thinking). A model's client_template_kwargs adds its own.
 */
const OPENAI_ROUTE_VARIABLES: readonly string[] = ["enable_thinking", "thinking"];

/** The request's fields the openai route does not send, in the request's order: each must be checked. */
export function unsentFields(request: ChatCompletionRequest): string[] {
  return Object.keys(request).filter((field) => !FORWARDED.has(field) && !OWN.has(field));
}

/**
 * The openai route's body: the allow-list's fields, chat_template_kwargs limited to the variables
 * a request may set, the model's ARN. A field the library does not know is refused by name (a
 * 400), or left out with drop_params; one it knows and does not send (`user`) cannot change the
 * answer and is left out.
 */
export function openaiBody(request: ChatCompletionRequest, modelId: string, settings: ModelSettings) {
  const drop = settings.drop_params ?? false;
  const unsent = new Set(unsentFields(request));
  const unknown = Object.entries(request).find(
    ([field, value]) => unsent.has(field) && !REQUEST_FIELDS.has(field) && value !== undefined,
  )?.[0];
  if (unknown !== undefined && !drop) {
    throw invalidRequest(
      `${unknown.slice(0, 64)} is neither a Chat Completions parameter nor one of Bedrock's for imported models, ` +
        "which are all the openai route sends (route openai). Remove it, or set drop_params for this model to ignore " +
        "such parameters.",
      unknown.slice(0, 64),
      "unsupported_parameter",
    );
  }
  const variables = {
    settable: [...OPENAI_ROUTE_VARIABLES, ...(settings.client_template_kwargs ?? [])],
    template: "this model's own chat template",
    declared: true,
  };
  const kwargs = checkTemplateKwargs(request.chat_template_kwargs, variables, drop);
  return { ...forwardedFields(request, kwargs), model: modelId };
}

/** The body's fields from the allow-list, with the checked chat_template_kwargs; `model` is the route's. */
export function forwardedFields(
  request: ChatCompletionRequest,
  kwargs: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(request)) {
    if (value !== undefined && FORWARDED.has(field)) body[field] = value;
  }
  if (kwargs === undefined || Object.keys(kwargs).length === 0) delete body.chat_template_kwargs;
  else body.chat_template_kwargs = kwargs;
  return body;
}
