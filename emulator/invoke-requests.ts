// InvokeModel bodies of imported models, in the three formats Bedrock tells apart by their
// fields (AWS: "Invoke your imported model"):
//
//   messages                               -> OpenAIChatCompletion (the Chat Completions body)
//   prompt + max_tokens                    -> OpenAICompletion     (the Completions body)
//   prompt (+ max_gen_len, or no limit)    -> BedrockCompletion    (Bedrock's own)
//
// A model imported before 2025-11-11 (the `legacy` option) speaks BedrockCompletion only (an
// openai-format one only the chat body it always spoke). Checked as Bedrock checks them: a bad
// parameter is a 400 ValidationException naming it. Pure functions; a string is the complaint.

import {
  type BedrockCompletionRequest,
  type OpenAICompletionRequest,
  parseBedrockCompletion,
  parseOpenAICompletion,
} from "./completion-requests.ts";
import { type ChatRequest, parseChatRequest } from "./chat-request.ts";
import type { ModelSpec } from "./model-id.ts";
import { isRecord, malformed } from "./request-checks.ts";

export type InvokeRequest = BedrockCompletionRequest | OpenAICompletionRequest | ChatRequest;

/** Picks the format by the body's fields and parses it; `stream`: InvokeModelWithResponseStream. */
export function parseInvokeRequest(spec: ModelSpec, body: unknown, stream: boolean): InvokeRequest | string {
  if (!isRecord(body))
    return "Malformed input request: the body must be a JSON object, please reformat your input and try again.";
  if (spec.legacy) return spec.format === "openai" ? parseChatRequest(body) : parseBedrockCompletion(body);
  const has = (key: string) => body[key] !== undefined;
  if (has("messages") && has("prompt")) {
    return malformed("a body has either [prompt] (a completion format) or [messages] (the chat format), not both");
  }
  if (has("messages")) return parseChatRequest(body);
  if (has("prompt") && "max_tokens" in body) {
    if (has("max_gen_len")) {
      return malformed("[max_tokens] (OpenAICompletion) and [max_gen_len] (BedrockCompletion) cannot be combined");
    }
    return parseOpenAICompletion(body, stream);
  }
  return parseBedrockCompletion(body);
}
