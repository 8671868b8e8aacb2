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
