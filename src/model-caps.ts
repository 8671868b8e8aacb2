// Per-model caps (the max_n and max_output_tokens settings): how much one request may ask of a
// model, whatever its route. Above a cap the request is refused, naming its field and the cap,
// rather than quietly cut: a client that asked for 8 choices or 100,000 tokens learns it will not
// get them. A request that sets no output limit gets the cap as its limit, so the model stops
// there too.
import { invalidRequest } from "./errors.ts";

export interface ModelCaps {
  /** The most choices (`n`) one request may ask for. */
  max_n?: number;
  /** The most tokens one answer may have (`max_tokens`, `max_completion_tokens`). */
  max_output_tokens?: number;
}

// OpenAI's own code for a number above its field's maximum.
const ABOVE_MAXIMUM = "integer_above_max_value";

/** What the caps read of a request: chat and legacy completions alike. */
interface CappedFields {
  n?: number | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
}

/** `request` within the model's caps: a 400 above one, the output cap as the limit when none is asked. */
export function applyModelCaps<Request extends CappedFields>(request: Request, caps: ModelCaps): Request {
  const { max_n: maxN, max_output_tokens: maxOutput } = caps;
  if (maxN !== undefined && request.n != null && request.n > maxN) {
    throw invalidRequest(`n is ${request.n}, above this model's max_n of ${maxN}.`, "n", ABOVE_MAXIMUM);
  }
  if (maxOutput === undefined) return request;
  for (const field of ["max_completion_tokens", "max_tokens"] as const) {
    const asked = request[field];
    if (asked != null && asked > maxOutput) {
      throw invalidRequest(
        `${field} is ${asked}, above this model's max_output_tokens of ${maxOutput}.`,
        field,
        ABOVE_MAXIMUM,
      );
    }
  }
  return request.max_completion_tokens == null && request.max_tokens == null
    ? { ...request, max_tokens: maxOutput }
    : request;
}

/** What the caps read of a legacy completions request besides: its prompts and best_of. */
interface CappedCompletionFields extends CappedFields {
  prompt: string | readonly string[];
  best_of?: number | null;
}

/**
 * A legacy completions request within the caps. Each prompt is answered on its own and best_of
 * generates that many answers to keep n, so max_n bounds the generations of the whole request:
 * prompts times the larger of n and best_of.
 */
export function applyCompletionCaps<Request extends CappedCompletionFields>(
  request: Request,
  caps: ModelCaps,
  /** Legacy Completions' own limit for a request that sets none (OpenAI's 16). */
  defaultMaxTokens: number,
): Request {
  // Such a request keeps Completions' default, within the cap: not the cap itself, as on chat,
  // whose default is the model's own.
  const cap = caps.max_output_tokens;
  const limited =
    request.max_tokens == null && cap !== undefined
      ? { ...request, max_tokens: Math.min(defaultMaxTokens, cap) }
      : request;
  const capped = applyModelCaps(limited, caps);
  const maxN = caps.max_n;
  if (maxN === undefined) return capped;
  const prompts = typeof request.prompt === "string" ? 1 : request.prompt.length;
  const n = request.n ?? 1;
  const bestOf = request.best_of ?? 1;
  const generations = prompts * Math.max(n, bestOf);
  if (generations > maxN) {
    const field = bestOf > n ? "best_of" : prompts > 1 ? "prompt" : "n";
    throw invalidRequest(
      `${prompts} prompt(s) with ${Math.max(n, bestOf)} answer(s) each make ${generations} generations, above this ` +
        `model's max_n of ${maxN}.`,
      field,
      ABOVE_MAXIMUM,
    );
  }
  return capped;
}
