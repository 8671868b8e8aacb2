// An upstream where one prompt of a fanned-out legacy Completions request fails, after every
// other call has answered: the failure of a request whose other calls Bedrock already billed.
import { type AwsError, awsError, errorResponse } from "../../emulator/errors.ts";
import type { Emulator } from "../../emulator/handler.ts";

export interface PromptFault {
  /** What Bedrock answers the failing call (default: a 400, the input too long for the model). */
  error?: AwsError;
  /** Only calls to a model id that holds this fail (a deployment's); the others are answered. */
  model?: string;
  /** Every answer arrives in one piece, as a short stream read to its last frame at once does. */
  whole?: boolean;
}

/**
 * The emulator's fetch, except that a call whose prompt holds `marker` is refused (`fault.error`),
 * once `others` calls have been answered (since the last refusal) and read.
 */
export function failingPromptFetch(
  emulator: Emulator,
  marker: string,
  others: number,
  fault: PromptFault = {},
): typeof fetch {
  let answered = 0;
  return async (input, init) => {
    const request = new Request(input, init);
    const body = await request.clone().text();
    const failing = body.includes(marker) && (!fault.model || decodeURIComponent(request.url).includes(fault.model));
    if (!failing) {
      const response = await emulator.fetch(request);
      answered++;
      return fault.whole ? new Response(await response.arrayBuffer(), response) : response;
    }
    while (answered < others) await new Promise((resolve) => setTimeout(resolve, 5));
    answered = 0;
    // Time for the answered calls' bodies (already in memory) to be read by the caller.
    await new Promise((resolve) => setTimeout(resolve, 50));
    return errorResponse(
      fault.error ?? awsError("ValidationException", "Input is too long for requested model."),
      "req-failing",
    );
  };
}
