// What a request may cost in tokens, told before it runs: tokens_per_day reserves this much for
// each request in flight (middleware/limits.ts), so that requests running at once cannot spend
// more than the day has left. The request is read as the client sent it, before the library has
// checked it: a value that is not a count of tokens is no limit, and a request with such a value
// is refused later (a 400) having used nothing. Nor is a count past what the library takes (n
// 1000, max_tokens 2,000,000: its MAX_* bounds), which multiplies nothing here: such a request is
// refused before it reserves (countPastBounds).
// A count past what the request's model takes (its max_output_tokens, its max_n, Converse's one
// answer, a per-call format's one answer or calls, its route's images, an image model's images and
// their pixels: ModelBounds), which the library refuses once the request is built, is asked of the
// library before the request reserves (pastModelBounds); one it serves all the same (drop_params
// drops it) counts as that most.
import {
  documentFormatOf,
  isTextDocument,
  MAX_ANSWERS,
  MAX_IMAGES,
  MAX_OUTPUT_TOKENS,
  MAX_PROMPTS,
  reasoningOutputLimit,
  unsetCompletionLimit,
} from "../src/core.ts";
import type { UnmeteredCall } from "../src/index.ts";
import { imageHead, imageHeaderSize } from "./image-header.ts";
import { base64Size, dataUrlMedia } from "./prompt-media.ts";

/** The model APIs, each with its own name for the output limit. */
export type ModelApi = "chat" | "completions" | "responses" | "embeddings" | "images";

/**
 * What a request that sets no output limit reserves, when its model sets no max_output_tokens
 * either (the model's own default is not known here, and a higher guess only admits fewer such
 * requests at once). For a key with tokens_per_day, it is also the limit such a request is sent
 * with (middleware/limits.ts), so that it cannot use more than it reserved.
 */
export const DEFAULT_OUTPUT_ESTIMATE = 4096;

/**
 * A chat template's own text, which the request's text leaves out: a prompt's opening (Llama
 * 3.1's states its knowledge date in a system turn of its own, about 30 tokens), and each turn's
 * header and end-of-turn tokens. Left out, a burst of short requests each reserved a fraction of
 * what it used. Legacy Completions send their prompt as it is.
 */
const MARKUP_TOKENS = 64;
const MARKUP_TOKENS_PER_TURN = 8;

/**
 * An image's prompt tokens, whatever its size: Bedrock's Claude documentation puts an image at
 * about width x height / 750 tokens, about 1,600 for the largest it takes unscaled (1,092 x 1,092,
 * 1.15 megapixels), and scales larger ones down to that. Its bytes or its URL are no measure.
 */
export const IMAGE_TOKENS = 1600;
/** The parts that carry an image: chat's content parts and the Responses API's input items. */
const IMAGE_PART_TYPES: ReadonlySet<unknown> = new Set(["image_url", "input_image"]);

/**
 * An image drawn, as output tokens, per 1024x1024 image: OpenAI's own counts for gpt-image-1
 * (1,056 at medium quality, 4,160 at high), as it bills an image in tokens and Bedrock bills one
 * per image, not per token. OpenAI's counts grow with the pixels (1536x1024 is 1.5 times 1024x1024
 * at each quality), so another size counts its pixels' share. Bedrock's premium (hd, high) counts
 * as high, its standard (standard, low, medium, auto) as medium: Bedrock has no cheaper quality than
 * standard, and counting it as OpenAI's low (272) would let a key draw four times as many. Stability's
 * models draw at one quality, counted as asked (medium unless drop_params let "high" through): the
 * count is the request's alone, as its reservation is made before its model's family is known.
 */
const IMAGE_OUTPUT_TOKENS = { standard: 1056, premium: 4160 } as const;
const IMAGE_TOKENS_PIXELS = 1024 * 1024;
/**
 * The most pixels an image of any model the image route speaks has (Nova Canvas draws fewer than
 * 4,194,304; Titan and Stability's text-to-image models about a megapixel; an edit as large as its
 * image, which the library takes up to this): a size past it is refused by the library, and
 * a PNG header that says more is no image Bedrock drew. Counted no higher, so that a nonsense size
 * reserves no nonsense count.
 */
const MOST_IMAGE_PIXELS = 4_194_304;

/**
 * The output tokens of one image an image request draws (IMAGE_OUTPUT_TOKENS), by its quality as
 * asked and `pixels`: the image's own once drawn (pngPixels), else the most it may have. That is its
 * size's, but at least 1024x1024: Stability's text-to-image models read only the size's ratio and
 * draw about a megapixel whatever it says ("1x1" is 1024x1024), and the reservation is made before the model's
 * family is known; "auto", no size, or one that is no WIDTHxHEIGHT (which the library refuses) is
 * 1024x1024, every family's default.
 */
export function imageOutputTokens(body: Record<string, unknown>, pixels = mostImagePixels(body)): number {
  const premium = body.quality === "hd" || body.quality === "high";
  const counted = Math.min(pixels, MOST_IMAGE_PIXELS);
  return Math.ceil((IMAGE_OUTPUT_TOKENS[premium ? "premium" : "standard"] * counted) / IMAGE_TOKENS_PIXELS);
}

function mostImagePixels(body: Record<string, unknown>): number {
  const size = typeof body.size === "string" ? /^([1-9]\d{0,4})x([1-9]\d{0,4})$/.exec(body.size) : null;
  return Math.max(size ? Number(size[1]) * Number(size[2]) : 0, IMAGE_TOKENS_PIXELS);
}

/**
 * The largest image (MOST_IMAGE_PIXELS) as a size, for an edit whose image's size is not read, or
 * has a side past 4,096 (Nova Canvas's longest; Titan's is shorter): no model draws it, and a size
 * string is no place for a side of any length.
 */
const MOST_IMAGE_SIZE = "2048x2048";
const LONGEST_IMAGE_SIDE = 4096;

/** A request as its images are counted, and as they are checked against its model. */
export interface CountedImageRequest<T> {
  /** As its images are counted before they are drawn (imageOutputTokens): reserved and settled. */
  counted: T;
  /**
   * As its images are checked against its model's bounds (pastModelBounds): at a size it asks or
   * its image's header gives, never the largest assumed for an image whose size is not read. That
   * is the proxy's guess, no count the client asked past its model: the library's call reads the
   * image, and refuses at send what its real size puts past the bounds.
   */
  checked: T;
}

/**
 * A request as its images are counted and checked (CountedImageRequest): an edit whose `size` is
 * "auto" or none is drawn at its image's own size (the library's editSize), so it counts the size
 * its image's header gives (image-header.ts), else the largest image's. Another size on an edit is
 * refused unless it is the image's own, and any other request draws at the size it asks: counted
 * and checked as they are.
 */
export async function countedImageRequest<T extends Record<string, unknown>>(
  body: T,
  path: string,
): Promise<CountedImageRequest<T>> {
  if (imageEndpointOf(path) !== "edits" || (body.size != null && body.size !== "auto"))
    return { counted: body, checked: body };
  const head = await imageHead(body.image);
  const size = head && imageHeaderSize(head);
  if (!size || size.width > LONGEST_IMAGE_SIDE || size.height > LONGEST_IMAGE_SIDE) {
    return { counted: { ...body, size: MOST_IMAGE_SIZE }, checked: body };
  }
  const read = { ...body, size: `${size.width}x${size.height}` };
  return { counted: read, checked: read };
}

/**
 * A drawn image's pixels, from its PNG header (the width and height of its IHDR chunk, bytes 16 to
 * 23, in its first 32 base64 characters); undefined for anything else.
 */
export function pngPixels(base64: string): number | undefined {
  let head: string;
  try {
    head = atob(base64.slice(0, 32));
  } catch {
    return undefined;
  }
  if (head.length < 24 || !head.startsWith("\x89PNG") || head.slice(12, 16) !== "IHDR") return undefined;
  const at = (offset: number) =>
    ((head.charCodeAt(offset) << 24) |
      (head.charCodeAt(offset + 1) << 16) |
      (head.charCodeAt(offset + 2) << 8) |
      head.charCodeAt(offset + 3)) >>>
    0;
  return at(16) * at(20);
}

/**
 * A document's bytes per prompt token. A text document (csv, html, txt, md, as the converse route
 * reads its format: documentFormatOf) is its text, 4 bytes a token as any text here. Any other
 * (pdf, doc, docx, xls, xlsx) is 16 bytes a token: a rough figure, as such a file's bytes are
 * compressed text, fonts and images in any mix. Counted as base64 text, as before files were
 * read, a 4.5 MB PDF was 1.5 million tokens, more than any model reads.
 */
const TEXT_DOCUMENT_BYTES_PER_TOKEN = 4;
const DOCUMENT_BYTES_PER_TOKEN = 16;
/**
 * A PDF's tokens a page at least: Anthropic puts a page at 1,500 to 3,000. A report generator's
 * text PDF is about 1 KB a page, so its bytes alone said a twelfth of its text's tokens (review
 * docs38 #3); its pages are counted where its page objects are written plainly.
 */
const PDF_PAGE_TOKENS = 1500;
/** The most characters of a filename counted: a Converse document's name keeps 200. */
const MAX_COUNTED_FILENAME = 200;
/** The parts that carry a file: chat's `file` part (its data in `file.file_data`) and Responses' `input_file`. */
const FILE_PART_TYPES: ReadonlySet<unknown> = new Set(["file", "input_file"]);

/**
 * A converse model entry: the ids that describe its model (its deployments' model ids, or the
 * foundation_model an entry of opaque ids names), and the reasoning_budget that turns thinking on.
 */
export interface ConverseModel {
  modelIds: readonly string[];
  reasoningBudget?: number;
}

/**
 * What a request's model takes past the request schema's bounds, which the library refuses once
 * the request is built (a request asking more is asked of the library first: pastModelBounds), or
 * drops under drop_params: such a request is counted as asking this much.
 */
export interface ModelBounds {
  /**
   * The most answers one request generates (chat's n; legacy Completions' prompts x answers each;
   * an image request's images).
   */
  answers?: number;
  /** The most images one request sends. */
  images?: number;
  /** The most pixels an image request's answer holds, all its images together. */
  pixels?: number;
}

// The last path apiOfPath read and its API: a request asks for its own path's three to five times
// (the body's read, its admission, the key's limits), each time up to five regular expressions.
let lastPath: string | undefined;
let lastApi: ModelApi = "completions";

/** The API a model endpoint's path serves (`/v1/chat/completions`, `/completions`, `/v1/responses`…). */
export function apiOfPath(path: string): ModelApi {
  if (path !== lastPath) {
    lastApi = apiOfPathRead(path);
    lastPath = path;
  }
  return lastApi;
}

function apiOfPathRead(path: string): ModelApi {
  // A trailing slash is the same endpoint to the router: it must be the same API here.
  if (/(^|\/)responses\/*$/.test(path)) return "responses";
  if (/(^|\/)embeddings\/*$/.test(path)) return "embeddings";
  // An edit or a variation counts as a generation does: its prompt (a variation has none) and its images.
  if (imageEndpointOf(path)) return "images";
  return /(^|\/)chat\/completions\/*$/.test(path) ? "chat" : "completions";
}

/** Which of the Images API's endpoints a path serves, if any (an edit's images are drawn at its image's size). */
export function imageEndpointOf(path: string): "generations" | "edits" | "variations" | undefined {
  const found = /(?:^|\/)images\/(generations|edits|variations)\/*$/.exec(path);
  return found?.[1] as "generations" | "edits" | "variations" | undefined;
}

/** The output limit a request asked for, unchecked. Chat's newer name wins over the older, as in create(). */
export function askedOutputLimit(body: Record<string, unknown>, api: ModelApi): unknown {
  if (api === "responses") return body.max_output_tokens;
  if (api === "completions") return body.max_tokens;
  if (api === "embeddings" || api === "images") return undefined;
  return body.max_completion_tokens ?? body.max_tokens;
}

/**
 * A request that sets no output limit, on a model whose own limit is not known here (no
 * max_output_tokens, no thinking that sets one): it may write as long an answer as the model
 * will. A value that is set but is no count of tokens is not unset: the library refuses it.
 */
export function outputLimitUnset(
  body: Record<string, unknown>,
  api: ModelApi,
  modelCap: number | undefined,
  converse?: ConverseModel,
): boolean {
  if (api === "completions" || api === "embeddings" || api === "images" || modelCap !== undefined) return false;
  const unset =
    api === "responses"
      ? body.max_output_tokens == null
      : body.max_completion_tokens == null && body.max_tokens == null;
  return unset && thinkingLimit(body, api, converse) === undefined;
}

/**
 * The prompt's tokens, estimated: its text's ASCII characters / 4 (a common estimate for English
 * and code), a token for every other character (Chinese, Japanese and Korean run near one a
 * character, where / 4 counted a quarter), and IMAGE_TOKENS an image, up to `mostImages` (the
 * most its route sends). Tools count as the JSON a template writes of them, their names and
 * punctuation included.
 */
export function promptEstimate(body: Record<string, unknown>, mostImages = Number.POSITIVE_INFINITY): number {
  const parts = promptParts(body.tools === undefined ? body : { ...body, tools: JSON.stringify(body.tools) });
  return textEstimate(parts) + Math.min(parts.images, mostImages) * IMAGE_TOKENS + parts.documentTokens;
}

/**
 * The most tokens a request is expected to use: its prompt's estimate with its template's markup,
 * plus its output limit for each answer it asks for. The output limit is the request's own, else
 * its model's max_output_tokens (which the library then sets as the limit), else the limit the
 * converse route sends when Claude's thinking is on (its budget and the answer's room), else
 * DEFAULT_OUTPUT_ESTIMATE; legacy Completions default to 16 within the cap, as the library does.
 * A limit above the model's max_output_tokens counts as the cap, and answers and images past
 * `bounds` as the bound: the library refuses more.
 */
export function tokenEstimate(
  body: Record<string, unknown>,
  api: ModelApi,
  modelCap: number | undefined,
  converse?: ConverseModel,
  bounds: ModelBounds = {},
): number {
  // An embedding has no output: its estimate is its input's. An image request's output is its n images.
  if (api === "embeddings") return inputEstimate(body, api);
  if (api === "images")
    return inputEstimate(body, api) + (tokenCount(body.n, MAX_IMAGES) ?? 1) * imageOutputTokens(body);
  const asked = tokenCount(askedOutputLimit(body, api), MAX_OUTPUT_TOKENS);
  const fallback =
    api === "completions"
      ? unsetCompletionLimit(modelCap)
      : (modelCap ?? thinkingLimit(body, api, converse) ?? DEFAULT_OUTPUT_ESTIMATE);
  const output = asked === undefined ? fallback : Math.min(asked, modelCap ?? asked);
  const answers = answersOf(body, api, converse, bounds);
  return inputEstimate(body, api, bounds) + markupEstimate(body, api) + output * answers;
}

/**
 * The input a request is billed for: its prompt's estimate, and for legacy Completions once per
 * answer of each prompt, as bedrock_completion sends each prompt in a call of its own per answer
 * (wire formats that send it once are over-counted a little: the estimate does not know the format).
 */
export function inputEstimate(body: Record<string, unknown>, api: ModelApi, bounds: ModelBounds = {}): number {
  // Only the texts an embeddings request embeds: its other fields are no input.
  if (api === "embeddings") return promptEstimate({ input: body.input });
  // An image request's prompt alone (its images are its output: imageOutputTokens).
  if (api === "images") return promptEstimate({ prompt: body.prompt });
  return promptEstimate(body, bounds.images) * (api === "completions" ? answersPerPrompt(body, bounds) : 1);
}

/**
 * The tokens of a call Bedrock answered whose counts were never read (BedrockEdgeError's
 * unmeteredCalls), estimated as a stream or a plain answer without counts is: its prompt's
 * estimate (the prompt of the request's list it answered), and a token per chunk read of its
 * answer, or a plain answer's text estimated as an answer's output is. Chunks alone, unlike a
 * relayed stream's (streamedOutputEstimate): these calls are legacy Completions on imported
 * models, which stream about a token per chunk (never the converse route), and the library
 * keeps none of a stream's text. An embeddings call is its texts alone: it has no output. An image
 * call is the images it drew (imageOutputTokens each), its request's prompt counted once beside.
 */
export function unmeteredCallEstimate(body: Record<string, unknown>, call: UnmeteredCall): number {
  // An embeddings call: its texts, estimated as inputEstimate reads an embeddings request's input.
  if (call.texts !== undefined) return promptEstimate({ input: call.texts });
  // An image call: the images it drew, as an image request's output counts them (its request's one
  // prompt is counted once, beside its calls: tokensUsed). One sent that never answered (0 images
  // told: Stability's, a call per image) may have drawn its image, which Bedrock bills: one.
  if (call.images !== undefined) return Math.max(call.images, 1) * imageOutputTokens(body);
  const prompt = Array.isArray(body.prompt) ? body.prompt[call.prompt] : body.prompt;
  return promptEstimate({ prompt }) + call.chunks + (call.text === undefined ? 0 : outputEstimate({ text: call.text }));
}

/**
 * The calls of a request of several that had a try out (Uncounted.out): an embeddings request's
 * texts of those calls; an image request's prompt once and an image for each (a call per image:
 * Stability's; its leaving does not tell what they drew); a legacy batch's calls each estimated as
 * a call sent and never answered is (unmeteredCallEstimate). None out, none.
 */
export function callsOutEstimate(
  body: Record<string, unknown>,
  api: ModelApi,
  out: readonly Pick<UnmeteredCall, "prompt" | "texts">[],
): number {
  if (out.length === 0) return 0;
  if (api === "embeddings") return inputEstimate({ input: inputOf(body.input, out) }, api);
  // The prompt counted once, as the request's answer counts it, and the image each call may draw.
  if (api === "images") return inputEstimate(body, api) + out.length * imageOutputTokens(body);
  return out.reduce((tokens, { prompt }) => tokens + unmeteredCallEstimate(body, { prompt, chunks: 0 }), 0);
}

/** An embeddings request's texts of the calls `out` (a call's texts from its first's index `prompt` on), in order. */
function inputOf(input: unknown, out: readonly Pick<UnmeteredCall, "prompt" | "texts">[]): unknown[] {
  const texts = Array.isArray(input) ? input : [input];
  const sent = (at: number) =>
    out.some(({ prompt, texts: its = [] }) => at >= prompt && at < prompt + Math.max(1, its.length));
  return texts.filter((_, at) => sent(at));
}

/** Where an answer's generated text sits: chat's content, reasoning, refusal and tool-call arguments, the others' text. */
const OUTPUT_TEXT_KEYS: ReadonlySet<string> = new Set(["content", "reasoning_content", "refusal", "arguments", "text"]);

/**
 * The tokens of an answer's output, estimated as a prompt's are (promptEstimate): the strings under
 * OUTPUT_TEXT_KEYS anywhere in `output` (an answer's choices, or its output items), none of its ids,
 * roles or types. For a plain answer that came without Bedrock's counts.
 */
export function outputEstimate(output: unknown): number {
  const count = emptyTextCount();
  addOutputText(output, count);
  return textEstimate(count);
}

/** Characters of generated text, counted as they come (countText) and estimated as an answer's are (textEstimate). */
export interface TextCount {
  ascii: number;
  other: number;
}

export function emptyTextCount(): TextCount {
  return { ascii: 0, other: 0 };
}

/** The tokens of the text counted: its ASCII characters / 4, a token for every other character. */
function textEstimate({ ascii, other }: TextCount): number {
  return Math.ceil(ascii / 4) + other;
}

/**
 * A stream's output when it ended without Bedrock's counts: a model streams at least a token per
 * chunk, and several in a chunk of several words (Claude's deltas on Converse), which the
 * estimate of the text it relayed counts.
 */
export function streamedOutputEstimate(chunks: number, text: TextCount): number {
  return Math.max(chunks, textEstimate(text));
}

function addOutputText(value: unknown, sum: TextCount): void {
  if (Array.isArray(value)) {
    for (const item of value) addOutputText(item, sum);
  } else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      if (typeof item === "string") {
        if (OUTPUT_TEXT_KEYS.has(key)) countText(item, sum);
      } else addOutputText(item, sum);
    }
  }
}

/** The output limit thinking sets on a converse model, the largest of its deployments'. */
function thinkingLimit(body: Record<string, unknown>, api: ModelApi, converse?: ConverseModel): number | undefined {
  if (!converse) return undefined;
  const reasoning = body.reasoning;
  const reasoningEffort =
    api === "responses"
      ? reasoning !== null && typeof reasoning === "object" && !Array.isArray(reasoning)
        ? (reasoning as Record<string, unknown>).effort
        : undefined
      : body.reasoning_effort;
  const limits = converse.modelIds.map((modelId) =>
    reasoningOutputLimit({
      modelId,
      reasoningEffort,
      reasoningBudget: converse.reasoningBudget,
      stream: body.stream === true,
    }),
  );
  const set = limits.filter((limit) => limit !== undefined);
  return set.length ? Math.max(...set) : undefined;
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
 * How many answers a request generates: chat's `n` choices (one on a converse model: Converse
 * returns one, and the library refuses n, or drops it under drop_params); for legacy Completions,
 * each prompt of a list answered max(n, best_of) times (best_of generates that many to keep n).
 * No more than the model's bound (ModelBounds.answers). The Responses API has one.
 */
function answersOf(
  body: Record<string, unknown>,
  api: ModelApi,
  converse: ConverseModel | undefined,
  { answers: most = Number.POSITIVE_INFINITY }: ModelBounds,
): number {
  if (api === "responses" || (api === "chat" && converse)) return 1;
  if (api === "chat") return Math.min(tokenCount(body.n, MAX_ANSWERS) ?? 1, most);
  const prompts = tokenCount(Array.isArray(body.prompt) ? body.prompt.length : 1, MAX_PROMPTS) ?? 1;
  return Math.min(prompts * answersPerPrompt(body), most);
}

/**
 * A legacy Completions prompt's answers: max(n, best_of) (best_of generates that many to keep n),
 * no more than the whole request's (ModelBounds.answers).
 */
function answersPerPrompt(
  body: Record<string, unknown>,
  { answers: most = Number.POSITIVE_INFINITY }: ModelBounds = {},
): number {
  return Math.min(Math.max(tokenCount(body.n, MAX_ANSWERS) ?? 1, tokenCount(body.best_of, MAX_ANSWERS) ?? 1), most);
}

/** A whole number from 1 to `most` (the library's bound), or undefined: the library refuses any other. */
function tokenCount(value: unknown, most: number): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= most ? value : undefined;
}

/** The counts a request's estimate multiplies, by API, and the most of each the library takes. */
const MULTIPLIED_COUNTS: Readonly<Record<ModelApi, ReadonlyArray<readonly [string, number]>>> = {
  chat: [
    ["n", MAX_ANSWERS],
    ["max_tokens", MAX_OUTPUT_TOKENS],
    ["max_completion_tokens", MAX_OUTPUT_TOKENS],
  ],
  completions: [
    ["n", MAX_ANSWERS],
    ["best_of", MAX_ANSWERS],
    ["max_tokens", MAX_OUTPUT_TOKENS],
  ],
  responses: [["max_output_tokens", MAX_OUTPUT_TOKENS]],
  images: [["n", MAX_IMAGES]],
  embeddings: [],
};

/**
 * Whether a count the estimate multiplies (an answer's output limit, answers, prompts, images) is
 * past the most the library takes: the library refuses such a request, whatever else it holds.
 * Left to reserve, it had counted as asked, up to the key's whole day, and held that while it
 * waited for its 400 (precheck43 #4).
 */
export function countPastBounds(body: Record<string, unknown>, api: ModelApi): boolean {
  if (api === "completions" && Array.isArray(body.prompt) && body.prompt.length > MAX_PROMPTS) return true;
  return MULTIPLIED_COUNTS[api].some(([field, most]) => {
    const value = body[field];
    return typeof value === "number" && value > most;
  });
}

/**
 * Whether the request asks more than its model takes, where the estimate counts it as that most
 * (tokenEstimate's `modelCap`, `converse` and `bounds`): an output limit above the model's
 * max_output_tokens, more answers than its bound (chat's n other than 1 on a converse model), more
 * images than its route sends; an image request's n above its model's most, or its images' pixels
 * (at its size as asked or read: countedImageRequest's `checked`) above its answer's. The library
 * refuses such a request (unless drop_params drops its n) only once it has read it against its
 * model: the proxy asks it first, before the request reserves or takes a stream's place
 * (middleware/limits.ts). The counts compared are the estimate's own, so that what is asked first
 * is what the estimate would otherwise count as more than the model takes; but for the pixels of
 * an edit whose image's size was not read, which the estimate counts at the largest image's: those
 * only the library's call can tell, as it reads the image.
 */
export function pastModelBounds(
  body: Record<string, unknown>,
  api: ModelApi,
  modelCap: number | undefined,
  converse: ConverseModel | undefined,
  bounds: ModelBounds,
): boolean {
  if (api === "embeddings") return false;
  if (api === "images") {
    const images = tokenCount(body.n, MAX_IMAGES) ?? 1;
    const { answers = Number.POSITIVE_INFINITY, pixels = Number.POSITIVE_INFINITY } = bounds;
    return images > answers || images * mostImagePixels(body) > pixels;
  }
  const limits = MULTIPLIED_COUNTS[api].filter(([, most]) => most === MAX_OUTPUT_TOKENS);
  if (modelCap !== undefined && limits.some(([field]) => typeof body[field] === "number" && body[field] > modelCap)) {
    return true;
  }
  if (answersOf(body, api, undefined, {}) > answersOf(body, api, converse, bounds)) return true;
  // Only an imported model's openai route bounds a request's images: no other request is walked.
  return bounds.images !== undefined && imagesOf(body) > bounds.images;
}

/** The image parts promptParts counts, walked as it walks them but reading no text. */
function imagesOf(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + imagesOf(item), 0);
  if (value === null || typeof value !== "object") return 0;
  const part = value as Record<string, unknown>;
  if (IMAGE_PART_TYPES.has(part.type)) return 1;
  if (FILE_PART_TYPES.has(part.type)) return 0;
  return Object.values(part).reduce((sum: number, item) => sum + imagesOf(item), 0);
}

interface PromptParts extends TextCount {
  images: number;
  /** The documents' tokens (documentTokens). */
  documentTokens: number;
}

/**
 * The characters of every string in a request, and its images (IMAGE_PART_TYPES; a
 * part's URL, a data: URL's bytes above all, is not text). A data: URL anywhere else is text as
 * the model reads it.
 */
function promptParts(
  value: unknown,
  sum: PromptParts = { ascii: 0, other: 0, images: 0, documentTokens: 0 },
): PromptParts {
  if (typeof value === "string") countText(value, sum);
  else if (Array.isArray(value)) {
    for (const item of value) promptParts(item, sum);
  } else if (value !== null && typeof value === "object") {
    const part = value as Record<string, unknown>;
    if (IMAGE_PART_TYPES.has(part.type)) sum.images += 1;
    else if (FILE_PART_TYPES.has(part.type)) countFile(fileOf(part), sum);
    else for (const item of Object.values(part)) promptParts(item, sum);
  }
  return sum;
}

/** A file's document tokens, and its name (the model reads it: a Converse document's name) as text. */
function countFile(file: Record<string, unknown>, sum: PromptParts): void {
  const filename = typeof file.filename === "string" ? file.filename : undefined;
  sum.documentTokens += documentTokens(file.file_data, filename);
  if (filename !== undefined) countText(filename.slice(0, MAX_COUNTED_FILENAME), sum);
}

/** Where a file part keeps its data and name: chat's in `file`, the Responses API's on the part. */
function fileOf(part: Record<string, unknown>): Record<string, unknown> {
  const file = part.type === "file" ? part.file : part;
  return file !== null && typeof file === "object" && !Array.isArray(file) ? (file as Record<string, unknown>) : {};
}

/**
 * A file's tokens, by the format the converse route sends it as and its decoded size
 * (DOCUMENT_BYTES_PER_TOKEN), a PDF at least PDF_PAGE_TOKENS a page; a part without a data URL (a
 * file_id, bare base64: refused later) by its data read as base64 bytes.
 */
function documentTokens(data: unknown, filename: string | undefined): number {
  if (typeof data !== "string") return 0;
  const media = dataUrlMedia(data);
  if (!media) return Math.ceil(base64Size(data) / DOCUMENT_BYTES_PER_TOKEN);
  const format = documentFormatOf(media.mediaType, filename);
  if (format !== undefined && isTextDocument(format)) return Math.ceil(media.size / TEXT_DOCUMENT_BYTES_PER_TOKEN);
  const bySize = Math.ceil(media.size / DOCUMENT_BYTES_PER_TOKEN);
  return format === "pdf" && media.base64 ? Math.max(bySize, pdfPages(data) * PDF_PAGE_TOKENS) : bySize;
}

// A page object's dictionary entry: `/Type /Page`, not the page tree's `/Type /Pages`.
const PAGE_OBJECT = /\/Type\s*\/Page(?![A-Za-z])/g;
/** PDFs larger than Bedrock takes (4.5 MB) are refused before any call: not decoded to count. */
const MAX_COUNTED_PDF_BYTES = 4_500_000;

/**
 * The page objects a base64 PDF writes plainly; 0 where they are inside compressed object
 * streams (PDF 1.5's), or the data does not decode, where the size alone is the estimate.
 */
function pdfPages(dataUrl: string): number {
  const base64 = dataUrl.slice(dataUrl.indexOf(",") + 1);
  if (base64Size(base64) > MAX_COUNTED_PDF_BYTES) return 0;
  let bytes: string;
  try {
    bytes = atob(base64);
  } catch {
    return 0;
  }
  return bytes.match(PAGE_OBJECT)?.length ?? 0;
}

/** Adds a text's characters to `sum`: ASCII apart from the others, a character beyond the BMP once. */
export function countText(text: string, sum: TextCount): void {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) sum.ascii += 1;
    // A character beyond the BMP is two code units: one token for both.
    else if (code < 0xdc00 || code > 0xdfff) sum.other += 1;
  }
}
