// Why this server cannot do what some of OpenAI's fields ask, in one wording wherever the field
// stands: a request's own (`functions`, `audio`: routes/parameters.ts) or a message's
// (`messages[1].function_call`, `messages[1].audio`: schema.ts).

/** The deprecated functions API: `functions`, `function_call`, an assistant message's `function_call`. */
export const FUNCTIONS_API = "(the deprecated functions API) is not supported";

/** Audio in or out: `audio`, an assistant message's `audio`. */
export const TEXT_ONLY = "is not available: this server answers with text";
