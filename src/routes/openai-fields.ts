// What the openai route sends Bedrock: the fields its OpenAIChatCompletion format takes, and
// nothing else. Every field of a request used to go upstream as sent, so a client's
// `chat_template` or vLLM's `skip_special_tokens` reached the model server (vLLM treats a
// client's chat template as a vulnerability). Now the route takes the same parameter policy as
// every other (parameters.ts): what no route can do is refused, what cannot change the answer is
// accepted and not sent, and a field goes upstream only when the request schema knows it (the
// one list of them: Chat Completions' fields and Bedrock's documented extensions for imported
// models, `top_k`, `structured_outputs`, `prompt_logprobs`, `chat_template_kwargs`). Any other
// is refused by name, or left out under drop_params.
import type { ChatCompletionRequest } from "../openai/types.ts";
import { cannotChangeAnswer, dropsParameters, refuseOrDrop, serverParameterProblems } from "./parameters.ts";
import { checkTemplateKwargs } from "./template-variables.ts";
import type { ModelSettings } from "./types.ts";

/** bedrock-edge's own: `model` becomes the ARN, streaming is the operation called. */
const NOT_SENT: ReadonlySet<string> = new Set(["model", "stream", "stream_options", "drop_params"]);

/**
 * The template variables any request may set on an openai-route model: the thinking switches of
 * the families Bedrock serves in OpenAI's format (Qwen3's enable_thinking, DeepSeek V3.1's
 * thinking). A model's client_template_kwargs adds its own.
 */
const OPENAI_ROUTE_VARIABLES: readonly string[] = ["enable_thinking", "thinking"];

/**
 * The openai route's body: the known fields it sends, when set (null is not set),
 * chat_template_kwargs limited to the variables a request may set, and the model's ARN; a 400
 * naming the first field no route can honour or this one does not know, unless the request or
 * the model drops them (drop_params).
 */
export function openaiBody(
  request: ChatCompletionRequest,
  modelId: string,
  settings: ModelSettings,
): Record<string, unknown> {
  const drop = dropsParameters(request, settings);
  const dropped = refuseOrDrop(serverParameterProblems(request, new Set()), "openai", drop);
  const body: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(request)) {
    // OpenAI's nullable parameters (`temperature: null`…) mean "not set", as on every other route:
    // a null is left out, not sent for Bedrock's schema validation to refuse.
    if (value == null || NOT_SENT.has(field) || dropped.has(field) || cannotChangeAnswer(field)) continue;
    body[field] = value;
  }
  const variables = {
    settable: [...OPENAI_ROUTE_VARIABLES, ...(settings.client_template_kwargs ?? [])],
    template: "this model's own chat template",
    declared: true,
  };
  const kwargs = checkTemplateKwargs(request.chat_template_kwargs, variables, drop);
  if (kwargs && Object.keys(kwargs).length) body.chat_template_kwargs = kwargs;
  else delete body.chat_template_kwargs;
  return { ...body, model: modelId };
}
