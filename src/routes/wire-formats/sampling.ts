// The sampling asks Chat Completions and legacy Completions share, in TextRequest's words: one
// place, so that both APIs leave out the same values that ask for nothing (n 1, penalties 0…).
import type { ChatCompletionRequest } from "../../openai/types.ts";
import type { TextRequest } from "./types.ts";

/** The sampling fields, spelt alike in both OpenAI APIs. */
type SamplingRequest = Pick<
  ChatCompletionRequest,
  "temperature" | "top_p" | "top_k" | "stop" | "n" | "seed" | "presence_penalty" | "frequency_penalty" | "logit_bias"
>;

/** Sets on `text` the sampling `request` asks for, in the order the bodies have always had. */
export function addSampling(request: SamplingRequest, text: TextRequest): void {
  if (request.temperature != null) text.temperature = request.temperature;
  if (request.top_p != null) text.top_p = request.top_p;
  if (request.top_k != null) text.top_k = request.top_k;
  if (request.stop != null) text.stop = typeof request.stop === "string" ? [request.stop] : request.stop;
  if (request.n != null && request.n !== 1) text.n = request.n;
  if (request.seed != null) text.seed = request.seed;
  if (request.presence_penalty) text.presence_penalty = request.presence_penalty;
  if (request.frequency_penalty) text.frequency_penalty = request.frequency_penalty;
  if (request.logit_bias && Object.keys(request.logit_bias).length) text.logit_bias = request.logit_bias;
}
