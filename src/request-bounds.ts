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
 * some 800 placeholders), a pasted fine-tuning data set four or more a row: a ChatML excerpt of
 * 2,501 rows, 377 KB, was refused at 10,000 (codereview48 #2), and 25,000 such rows, 3.7 MB, fit
 * this bound. What lies past it is text made of tokens: 4 MiB of `<think>` needed 600,000
 * breaks, 120 to 320 ms of Node's CPU to make them, and workerd's CPU for the request rose from
 * 100 ms to 300 and its memory by 101 MiB against 31 for plain text (amplify48 #1). Refused at
 * this bound, that body costs workerd 80 to 160 ms and 30 to 34 MiB (at 10,000: 80 to 90 and
 * 24); at the bound, breaking a 4 MiB text takes Node 26 to 40 ms (15 to 20 for 10,000 tokens),
 * and workerd serves it in 180 ms and 73 MiB, as it served 10,000 in 150 to 230 and 62 to 66. What
 * the bound does not remove: a text holding even one break is held at two bytes a character from
 * there on (V8 stores U+200B so), in each copy (the request, the prompt, the JSON body): 4 MiB of
 * text with one token needs 64 MiB of Node's heap, as at the bound, against 40 for plain text.
 */
export const MAX_TOKEN_BREAKS = 100_000;

/**
 * The most a request body may be, whatever a model's max_body_bytes or the proxy's MAX_BODY_BYTES
 * say (a larger setting is a configuration problem): the room a larger limit gives is for media,
 * an image's, a file's or an audio clip's base64, beside at most MAX_TEXT_BYTES of text. Chosen by
 * what the largest body costs a fresh workerd (its resident memory's rise, the isolate has 128 MB):
 * 4 MiB of text holding one special token (the neutraliser's break makes the rest two bytes a
 * character) beside an image filling the body, on the echo model that writes the text back. At
 * 12 MiB it rose 149 to 158 MiB, and even 1 MiB of such text beside an 11 MB image 124, a 12 MB
 * image alone 104: no text allowance below 4 MiB left a margin there. At 8 MiB it rises 107 to
 * 116 MiB (plain text 79 to 84, an 8 MB image alone 63 to 69), 12 under the isolate's, and 8 MiB still
 * holds one document of Bedrock's largest, 4.5 MB, as its 6 MB of base64 (codereview48b #2,
 * test/workerd/limits.test.ts). In Node, 4 MiB of such text beside an 8 MiB image (12 MiB) needed 128 MiB
 * of old space, 112 on a route that does not echo (bounds48); beside a 4 MiB image (8 MiB), 80 (amp48bfix).
 */
export const MAX_BODY_BYTES_CEILING = 8 * 1024 * 1024;

/**
 * The most text a request body may hold, whatever its limit: everything but its media data (the
 * strings where the request's shapes put images, files and audio as base64: src/openai/
 * media-strings.ts). Text costs 7 to 8 times its size to serve (templates, the special-token
 * neutraliser, the JSON sent on): 4 MiB of plain text needs 40 MiB of heap, 8 MiB 56, and 4 MiB of
 * special tokens 64 (bounds48, amplify48). 4 MiB is about a million tokens, more than any Bedrock
 * model's context, so a larger limit admits media, never more text.
 */
export const MAX_TEXT_BYTES = 4 * 1024 * 1024;
