// Bedrock's refusal of a body format, or of a limit under the body's own name, explained: apart
// from the formats themselves, since every model call needs it and most never send a
// prompt-carrying format (index.ts re-exports it).
import { BedrockEdgeError } from "../../errors.ts";

/** Which of Bedrock's three InvokeModel formats a body is, by the fields Bedrock tells them apart by. */
export function bodyFormat(
  body: Record<string, unknown>,
): "BedrockCompletion" | "OpenAICompletion" | "OpenAIChatCompletion" {
  if (body.messages !== undefined) return "OpenAIChatCompletion";
  return "max_tokens" in body ? "OpenAICompletion" : "BedrockCompletion";
}

/**
 * Whether one sentence of `message` has both words "messages" and "required", either way round.
 * Sentence by sentence: one expression (`messages[^.]*required|…`) ran `[^.]*` to the sentence's
 * end again from every "messages" in it, quadratic in a long message.
 */
function namesMissingMessages(message: string): boolean {
  return message.split(".").some((sentence) => /\bmessages\b/.test(sentence) && /\brequired\b/.test(sentence));
}

/**
 * Bedrock's 400 for a body format the model does not speak, with what to do about it. Models
 * imported before 2025-11-11 speak only BedrockCompletion (an OpenAI-format one only the chat
 * format): their refusal of an OpenAICompletion body names a field of it ("extraneous key
 * [max_tokens]", or the chat format's missing `messages`), which means nothing to a caller who
 * never wrote that body. A BedrockCompletion body's refused `max_gen_len` is told in the
 * caller's terms too (explainTokenLimit). Any other error is returned as it is.
 */
export function explainFormatRefusal(
  error: unknown,
  body: Record<string, unknown>,
  limitParam = "max_tokens",
): unknown {
  if (!(error instanceof BedrockEdgeError) || error.status !== 400 || error.bedrockError !== "ValidationException") {
    return error;
  }
  if (body.max_gen_len !== undefined) return explainTokenLimit(error, limitParam);
  // vLLM's context-length message speaks of "the messages" for prompts too: not a format refusal.
  if (bodyFormat(body) !== "OpenAICompletion" || error.code === "context_length_exceeded") return error;
  const hint = /extraneous key \[max_tokens\]/.test(error.message)
    ? 'This model does not take Bedrock\'s OpenAICompletion format (wire_format "openai_completion"), as models ' +
      'imported before 2025-11-11 do not: set its wire_format to "bedrock_completion" (the default).'
    : namesMissingMessages(error.message)
      ? "This model takes only the chat format (messages), as OpenAI-format models imported before 2025-11-11 do: " +
        "the legacy Completions API needs Bedrock's OpenAICompletion wire format, which it does not speak. Use chat completions."
      : undefined;
  if (!hint) return error;
  return new BedrockEdgeError({
    status: error.status,
    type: error.type,
    code: "unsupported_wire_format",
    param: error.param,
    message: `${hint} Bedrock said: ${error.message}`,
    bedrockError: error.bedrockError,
    cause: error,
  });
}

// Bedrock's schema check of a BedrockCompletion body: "#: max_gen_len: 10000 is not less or equal to 8192".
const MAX_GEN_LEN_OVER = /#(?::\s*|\/)max_gen_len:\s*(\d+) is not less or equal to (\d+)/;

/**
 * Bedrock's refusal of the body's `max_gen_len`, a name the caller never wrote: said in the
 * caller's terms, with the request's parameter named (`max_tokens` or `max_completion_tokens`;
 * the Responses API calls it `max_output_tokens`). Any other error is returned as it is.
 */
function explainTokenLimit(error: BedrockEdgeError, param: string): BedrockEdgeError {
  const over = MAX_GEN_LEN_OVER.exec(error.message);
  if (!over) return error;
  return new BedrockEdgeError({
    status: error.status,
    type: error.type,
    code: error.code,
    param,
    message: `The answer's token limit, ${over[1]}, is more than this model allows: ${over[2]} at most. Bedrock said: ${error.message}`,
    bedrockError: error.bedrockError,
    cause: error,
  });
}
