// How many tools one request may offer, in one place: chat's `tools` and the Responses API's are
// held to it. OpenAI refuses more than 128 with a 400; here every offered tool is also rendered
// into the prompt on the template routes (4,000 cost 130 to 230 ms of CPU a request).

/** Tools per request: OpenAI's cap. */
export const MAX_TOOLS = 128;
