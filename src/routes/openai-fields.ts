// What the openai route sends Bedrock: the fields its OpenAIChatCompletion format takes, and
// nothing else. Every field of a request used to go upstream as sent, so a client's
// `chat_template` or vLLM's `skip_special_tokens` reached the model server (vLLM treats a
// client's chat template as a vulnerability). Now a field goes only when this library knows it:
// a Chat Completions field of the request schema (the one list of them), or one of Bedrock's
// extensions below. Any other is refused by name, or left out with drop_params.
import { invalidRequest } from "../errors.ts";
import { REQUEST_FIELDS } from "../openai/schema.ts";
import type { ChatCompletionRequest } from "../openai/types.ts";
import { checkTemplateKwargs } from "./prompts/template-variables.ts";
import type { ModelSettings } from "./types.ts";

/**
 * Bedrock's documented extensions for imported models (AWS: "Advanced API features for imported
 * models") and OpenAI's `reasoning_effort` (gpt-oss), which the request schema does not check:
 * sent as given, for the model server to check.
 */
const UNCHECKED_FIELDS: ReadonlySet<string> = new Set(["structured_outputs", "prompt_logprobs", "reasoning_effort"]);

/**
 * Known but never sent: bedrock-edge's own (`model` becomes the ARN, streaming is the operation
 * called) and `user`, which cannot change an answer and names someone.
 */
const NOT_SENT: ReadonlySet<string> = new Set(["model", "stream", "stream_options", "drop_params", "user"]);

/**
 * The template variables any request may set on an openai-route model: the thinking switches of
 * the families Bedrock serves in OpenAI's format (Qwen3's enable_thinking, DeepSeek V3.1's
 * thinking). A model's client_template_kwargs adds its own.
 */
const OPENAI_ROUTE_VARIABLES: readonly string[] = ["enable_thinking", "thinking"];

/**
 * The openai route's body: the known fields it sends, chat_template_kwargs limited to the
 * variables a request may set, and the model's ARN; a 400 naming the first unknown field, unless
 * the model drops them (drop_params).
 */
export function openaiBody(
  request: ChatCompletionRequest,
  modelId: string,
  settings: ModelSettings,
): Record<string, unknown> {
  const drop = settings.drop_params ?? false;
  const body: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(request)) {
    if (value === undefined || NOT_SENT.has(field)) continue;
    if (REQUEST_FIELDS.has(field) || UNCHECKED_FIELDS.has(field)) body[field] = value;
    else if (!drop) {
      throw invalidRequest(
        `${field.slice(0, 64)} is not a parameter the openai route sends (Chat Completions parameters and Bedrock's ` +
          "for imported models). Remove it, or set drop_params for this model to ignore such parameters.",
        field.slice(0, 64),
        "unsupported_parameter",
      );
    }
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
