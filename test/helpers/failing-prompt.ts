// An upstream where one prompt of a fanned-out legacy Completions request fails, after every
// other call has answered: the failure of a request whose other calls Bedrock already billed.
import { awsError, errorResponse } from "../../emulator/errors.ts";
import type { Emulator } from "../../emulator/handler.ts";

/**
 * The emulator's fetch, except that a call whose prompt holds `marker` is refused as too long
 * for the model (Bedrock's 400), once `others` calls have been answered and read.
 */
export function failingPromptFetch(emulator: Emulator, marker: string, others: number): typeof fetch {
  let answered = 0;
  return async (input, init) => {
    const request = new Request(input, init);
    const body = await request.clone().text();
    if (!body.includes(marker)) {
      const response = await emulator.fetch(request);
      answered++;
      return response;
    }
    while (answered < others) await new Promise((resolve) => setTimeout(resolve, 5));
    // Time for the answered calls' bodies (already in memory) to be read by the caller.
    await new Promise((resolve) => setTimeout(resolve, 50));
    return errorResponse(awsError("ValidationException", "Input is too long for requested model."), "req-failing");
  };
}
