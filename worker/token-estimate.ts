// What a request may cost in tokens, told before it runs: tokens_per_day reserves this much for
// each request in flight (middleware/limits.ts), so that requests running at once cannot spend
// more than the day has left. The request is read as the client sent it, before the library has
// checked it: a value that is not a count of tokens is no limit, and a request with such a value
// is refused later (a 400) having used nothing.

/** The model APIs, each with its own name for the output limit. */
export type ModelApi = "chat" | "completions" | "responses";

/**
 * What a request that sets no output limit is expected to use, when its model sets no
 * max_output_tokens either: the model's own default is not known here, and a higher guess only
 * admits fewer such requests at once.
 */
export const DEFAULT_OUTPUT_ESTIMATE = 4096;

/** OpenAI's default for legacy Completions, which the library keeps (src/completions/plan.ts). */
const COMPLETIONS_DEFAULT_MAX_TOKENS = 16;

/**
 * A chat template's own text, which the request's text leaves out: a prompt's opening (Llama
 * 3.1's states its knowledge date in a system turn of its own, about 30 tokens), and each turn's
 * header and end-of-turn tokens. Left out, a burst of short requests each reserved a fraction of
 * what it used. Legacy Completions send their prompt as it is.
 */
const MARKUP_TOKENS = 64;
const MARKUP_TOKENS_PER_TURN = 8;

/** The API a model endpoint's path serves (`/v1/chat/completions`, `/completions`, `/v1/responses`…). */
export function apiOfPath(path: string): ModelApi {
  if (/(^|\/)responses$/.test(path)) return "responses";
  return /(^|\/)chat\/completions$/.test(path) ? "chat" : "completions";
}

/** The output limit a request asked for, unchecked. Chat's newer name wins over the older, as in create(). */
export function askedOutputLimit(body: Record<string, unknown>, api: ModelApi): unknown {
  if (api === "responses") return body.max_output_tokens;
  if (api === "completions") return body.max_tokens;
  return body.max_completion_tokens ?? body.max_tokens;
}

/** The prompt's tokens, estimated: its text's characters / 4 (a common estimate; images aside). */
export function promptEstimate(body: Record<string, unknown>): number {
  return Math.ceil(textCharacters(body) / 4);
}

/**
 * The most tokens a request is expected to use: its prompt's estimate with its template's markup,
 * plus its output limit for each answer it asks for. The output limit is the request's own, else
 * its model's max_output_tokens (which the library then sets as the limit), else
 * DEFAULT_OUTPUT_ESTIMATE; legacy Completions default to 16 within the cap, as the library does.
 */
export function tokenEstimate(body: Record<string, unknown>, api: ModelApi, modelCap: number | undefined): number {
  const asked = tokenCount(askedOutputLimit(body, api));
  const fallback =
    api === "completions"
      ? Math.min(COMPLETIONS_DEFAULT_MAX_TOKENS, modelCap ?? COMPLETIONS_DEFAULT_MAX_TOKENS)
      : (modelCap ?? DEFAULT_OUTPUT_ESTIMATE);
  return promptEstimate(body) + markupEstimate(body, api) + (asked ?? fallback) * answersOf(body, api);
}

/** The template markup around a chat or Responses request's turns (MARKUP_TOKENS). */
function markupEstimate(body: Record<string, unknown>, api: ModelApi): number {
  return api === "completions" ? 0 : MARKUP_TOKENS + MARKUP_TOKENS_PER_TURN * turnsOf(body, api);
}

/** Chat's messages; the Responses API's input items (a string is one), and its instructions. */
function turnsOf(body: Record<string, unknown>, api: ModelApi): number {
  if (api === "chat") return Array.isArray(body.messages) ? body.messages.length : 0;
  return (Array.isArray(body.input) ? body.input.length : 1) + (body.instructions ? 1 : 0);
}

/**
 * How many answers a request generates: chat's `n` choices; for legacy Completions, each prompt
 * of a list answered max(n, best_of) times (best_of generates that many to keep n). The
 * Responses API has one.
 */
function answersOf(body: Record<string, unknown>, api: ModelApi): number {
  if (api === "responses") return 1;
  const n = tokenCount(body.n) ?? 1;
  if (api === "chat") return n;
  const prompts = Array.isArray(body.prompt) ? Math.max(1, body.prompt.length) : 1;
  return prompts * Math.max(n, tokenCount(body.best_of) ?? 1);
}

/** A whole number from 1 up, or undefined. */
function tokenCount(value: unknown): number | undefined {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 1 ? value : undefined;
}

/** The characters of every string in a request but images (a data: URL is an image's bytes, not text). */
function textCharacters(value: unknown): number {
  if (typeof value === "string") return value.startsWith("data:") ? 0 : value.length;
  if (value === null || typeof value !== "object") return 0;
  let sum = 0;
  for (const item of Array.isArray(value) ? value : Object.values(value)) sum += textCharacters(item);
  return sum;
}
