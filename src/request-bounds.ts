// The largest counts a request may ask, each a 400 past it, in one place: the request schemas
// check them, a model's settings are held to them, and a server that estimates what a request may
// cost before the library has checked it (the proxy's tokens_per_day reservation) reads them, so
// that a count the library refuses is no cost there.

/**
 * Output tokens one answer may ask: max_tokens, max_completion_tokens, and the Responses API's
 * max_output_tokens (sent as chat's max_tokens, and refused with it).
 */
export const MAX_OUTPUT_TOKENS = 1_000_000;

/** Answers one chat or legacy Completions request may ask: `n`, and legacy `best_of`. */
export const MAX_ANSWERS = 128;

/** Prompts of one legacy Completions request: Bedrock's vLLM takes a list, and each costs a generation. */
export const MAX_PROMPTS = 128;

/** Images one image generation or edit may ask (`n`): OpenAI's bound; a model's own is checked with its family. */
export const MAX_IMAGES = 10;
