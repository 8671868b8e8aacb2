// A Chat Completions request, its prompt rendered, in the words of a prompt-carrying format
// (TextRequest): what the template routes send. Values that ask for nothing (n 1, penalties 0…)
// are left out, so that only real asks meet the format's check of what it carries.
import { invalidRequest } from "../../errors.ts";
import type { ChatCompletionRequest } from "../../openai/types.ts";
import { addSampling } from "./sampling.ts";
import type { TextRequest, WireFormat } from "./types.ts";

/**
 * OpenAICompletion's body must name a limit (`max_tokens` is how Bedrock recognises it): this one
 * when the request sets none. The prompt is not counted: a model whose context cannot hold both
 * answers context_length_exceeded, and the caller sets max_tokens.
 */
export const DEFAULT_OPENAI_COMPLETION_MAX_TOKENS = 4096;

export function textRequestFromChat(
  request: ChatCompletionRequest,
  prompt: string,
  images: string[],
  format: WireFormat,
): TextRequest {
  const text: TextRequest = { prompt };
  const limit = request.max_completion_tokens ?? request.max_tokens;
  if (limit != null) text.max_tokens = limit;
  else if (format.name === "openai_completion") text.max_tokens = DEFAULT_OPENAI_COMPLETION_MAX_TOKENS;
  addSampling(request, text);
  if (request.top_logprobs && request.logprobs !== true) {
    throw invalidRequest("top_logprobs needs logprobs: true.", "top_logprobs");
  }
  // Chat's top_logprobs is how many alternatives the completion format lists beside each token.
  if (request.logprobs === true) text.logprobs = request.top_logprobs ?? 0;
  const responseFormat = request.response_format;
  if (responseFormat && responseFormat.type !== "text") text.response_format = responseFormat;
  if (request.structured_outputs) text.structured_outputs = { ...request.structured_outputs };
  if (images.length) text.images = images;
  return text;
}
