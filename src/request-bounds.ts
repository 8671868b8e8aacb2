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

/**
 * Special tokens one chat request's text may have broken, over all its texts (a zero-width space
 * after each one's first character: token-neutraliser.ts); more is a 400. A pasted tokenizer file
 * names tens to a couple of thousand (Llama 3's tokenizer_config.json 256 reserved ones, DeepSeek's
 * some 800 placeholders): several such files fit. What lies past it is text made of tokens:
 * 4 MiB of `<think>` needed 600,000 breaks, 120 to 320 ms of Node's CPU to make them, and workerd's
 * CPU for the request rose from 100 ms to 300 and its memory by 101 MiB against 31 for plain text
 * (amplify48 #1). Refused, that body costs 80 ms and 20 MiB; at the bound, breaking a 4 MiB text
 * takes 20 to 40 ms. What the bound does not remove: a text holding even one break is held at two
 * bytes a character from there on (V8 stores U+200B so), in each copy (the request, the prompt,
 * the JSON body): 4 MiB of text with one token needs 64 MiB of Node's heap, as with 10,000,
 * against 40 for plain text.
 */
export const MAX_TOKEN_BREAKS = 10_000;
