// What the openai route sends Bedrock: the fields its OpenAIChatCompletion format takes, and
// nothing else. Every field of a request used to go upstream as sent, so a client's
// `chat_template` or vLLM's `skip_special_tokens` reached the model server (vLLM treats a
// client's chat template as a vulnerability). Now the route takes the same parameter policy as
// every other (parameters.ts): what no route can do is refused, what cannot change the answer is
// accepted and not sent, and so is a value that asks for nothing (`n: 1`, `store: false`,
// `modalities: ["text"]`…); a field goes upstream only when the request schema knows it (the
// one list of them: Chat Completions' fields and Bedrock's documented extensions for imported
// models, `top_k`, `structured_outputs`, `prompt_logprobs`, `chat_template_kwargs`). Any other
// is refused by name, or left out under drop_params.
import type { ChatCompletionRequest } from "../openai/types.ts";
import { forcedCall } from "./forced-call.ts";
import {
  asksNothing,
  cannotChangeAnswer,
  dropsParameters,
  importedModelTierProblem,
  refuseOrDrop,
  serverParameterProblems,
} from "./parameters.ts";
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
 * tools and tool_choice when no function is offered: tool_choice "auto" or "none" then asks for
 * nothing, as on every route, and is not sent (the model server refuses any tool_choice but
 * "none" without tools, after the call is billed); one that forces a call is a 400 naming
 * tool_choice before anything is sent (forcedCall), as the other routes refuse it.
 */
const UNSENT_WITHOUT_TOOLS: ReadonlySet<string> = new Set(["tools", "tool_choice"]);

/**
 * The openai route's body: the known fields it sends, when set (null is not set) to a value that
 * asks for something, chat_template_kwargs limited to the variables a request may set, and the
 * model's ARN; a 400 naming the first field no route can honour or this one does not know,
 * unless the request or the model drops them (drop_params).
 */
export function openaiBody(
  request: ChatCompletionRequest,
  modelId: string,
  settings: ModelSettings,
): Record<string, unknown> {
  const drop = dropsParameters(request, settings);
  const problems = serverParameterProblems(request, new Set());
  const tierProblem = importedModelTierProblem(
    (request as ChatCompletionRequest & { service_tier?: unknown }).service_tier,
  );
  if (tierProblem) problems.push(tierProblem);
  const dropped = refuseOrDrop(problems, "openai", drop);
  forcedCall(request);
  const offersTools = (request.tools?.length ?? 0) > 0;
  const body: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(request)) {
    // OpenAI's nullable parameters (`temperature: null`…) mean "not set", as on every other route:
    // a null is left out, not sent for Bedrock's schema validation to refuse.
    if (value == null || NOT_SENT.has(field) || dropped.has(field)) continue;
    if (cannotChangeAnswer(field) || asksNothing(field, value)) continue;
    if (!offersTools && UNSENT_WITHOUT_TOOLS.has(field)) continue;
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
