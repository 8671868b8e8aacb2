// A legacy Completions request -> the upstream calls that answer it. The prompt goes as it is
// (no template). A format that takes a list of prompts and `n` (OpenAICompletion) gets one call;
// one that answers one prompt once per call (BedrockCompletion) gets one per prompt and per `n`,
// and the prompt is echoed here. What the format cannot carry is refused by name, or dropped
// under drop_params. Pure.
import { invalidRequest, shownText } from "../errors.ts";
import { BACKSLASH, QUOTE } from "../openai/json-chars.ts";
import { uncarriedRefusal, type TextField, type TextRequest, type WireFormat } from "../routes/wire-formats/index.ts";
import type { CallPlace } from "./answer.ts";
import { checkResponseFormatType } from "../routes/parameters.ts";
import { addSampling } from "../routes/wire-formats/sampling.ts";
import { COMPLETION_REQUEST_FIELDS } from "./request.ts";
import type { CompletionRequest } from "./types.ts";

/** OpenAI's default for this API: a request without max_tokens gets 16 tokens, on every format. */
export const DEFAULT_MAX_TOKENS = 16;

/** Upstream calls per request when each call answers one prompt once (prompts × n). */
export const MAX_CALLS = 128;

/**
 * The most prompt bytes one request may send when each call carries its prompt whole: 4 times the
 * proxy's default body limit (4 MiB). Without it, one 4 MiB prompt with n 128 uploaded 512 MB
 * (and took 2.9 s of the proxy's CPU to sign and send).
 */
export const MAX_FANNED_OUT_PROMPT_BYTES = 16 * 1024 * 1024;

/**
 * Upstream calls open at once: a Cloudflare Worker holds 6 connections open per invocation, and
 * a 7th waits for one to close (or cancels the least recently used). Plain answers run through a
 * pool this wide; a stream must have every call open before its first chunk, so a streamed
 * request may take no more calls than this.
 */
export const MAX_OPEN_CALLS = 6;

export interface PlannedCall {
  text: TextRequest;
  place: CallPlace;
}

export interface PlanOptions {
  /** The route, for messages. */
  route: string;
  /** The model's drop_params; the request's own wins. */
  dropParams?: boolean;
  /** The model name the server is asked for (the openai route names the ARN). */
  model?: string;
  /** A response_format type outside OpenAI's three goes on to the model server (RawPromptFormat's). */
  passesAnyResponseFormat?: boolean;
}

function prompts(request: CompletionRequest): string[] {
  return typeof request.prompt === "string" ? [request.prompt] : request.prompt;
}

/** The request in TextRequest's words, values that ask for nothing (n 1, penalties 0…) left out. */
function textRequest(request: CompletionRequest, model: string | undefined): TextRequest {
  const text: TextRequest = { prompt: request.prompt, max_tokens: request.max_tokens ?? DEFAULT_MAX_TOKENS };
  if (model !== undefined) text.model = model;
  addSampling(request, text);
  if (request.logprobs != null) text.logprobs = request.logprobs;
  if (request.echo) text.echo = true;
  if (request.best_of != null && request.best_of !== 1) text.best_of = request.best_of;
  const format = request.response_format;
  if (format && format.type !== "text") text.response_format = format;
  if (request.structured_outputs) text.structured_outputs = request.structured_outputs as Record<string, unknown>;
  return text;
}

/** Refuses (or, under drop_params, removes) what neither the API nor the format can honour. */
function checkFields(request: CompletionRequest, text: TextRequest, format: WireFormat, options: PlanOptions): void {
  const drop = request.drop_params ?? options.dropParams ?? false;
  if (!options.passesAnyResponseFormat) checkResponseFormatType(request.response_format, options.route);
  const unknown = Object.keys(request).find(
    (key) => !COMPLETION_REQUEST_FIELDS.has(key) && (request as unknown as Record<string, unknown>)[key] !== undefined,
  );
  if (unknown && !drop) {
    throw invalidRequest(
      `${shownText(unknown, 100, "a name", false)} is not a Completions parameter. Remove it, or set drop_params: true to ignore such parameters.`,
      unknown,
      "unsupported_parameter",
    );
  }
  // The request's own best_of: a best_of of 1 is left out of the text request, yet below n too.
  if (request.best_of != null && request.best_of < (request.n ?? 1)) {
    throw invalidRequest("best_of must be at least n: the n answers are the best of best_of.", "best_of");
  }
  if (request.stream && text.best_of !== undefined && text.best_of !== (text.n ?? 1)) {
    throw invalidRequest(
      "best_of cannot be streamed: the best answers are only known at the end. Remove it.",
      "best_of",
    );
  }
  // One call per prompt and per answer makes the list and n; the echo is written here.
  const fannedOut: ReadonlySet<TextField> = new Set(format.onePerCall ? ["n", "echo"] : []);
  for (const [field, value] of Object.entries(text) as Array<[TextField, unknown]>) {
    if (value === undefined || format.carries.has(field)) continue;
    if (!fannedOut.has(field) && !drop) throw uncarriedRefusal(field, format, options.route);
    delete text[field];
  }
}

export function planCompletionCalls(
  request: CompletionRequest,
  format: WireFormat,
  options: PlanOptions,
): PlannedCall[] {
  const text = textRequest(request, options.model);
  const n = text.n ?? 1;
  const echo = text.echo === true;
  checkFields(request, text, format, options);
  const list = prompts(request);
  if (echo && !request.stream) checkEchoedBytes(list, n);
  if (!format.onePerCall) return [{ text, place: { offset: 0 } }];
  if (list.length * n > MAX_CALLS) {
    throw invalidRequest(
      `${list.length} prompts × n ${n} would take ${list.length * n} calls: Bedrock's completion format ` +
        `(wire_format "${format.name}") answers one prompt once per call, and a request may take at most ${MAX_CALLS}. ` +
        'Send fewer, or set the model\'s wire_format to "openai_completion", which takes them in one call.',
      typeof request.prompt === "string" ? "n" : "prompt",
    );
  }
  checkFannedOutBytes(list, n, format, typeof request.prompt === "string" ? "n" : "prompt");
  if (request.stream && list.length * n > MAX_OPEN_CALLS) {
    throw invalidRequest(
      `${list.length} prompts × n ${n} would open ${list.length * n} streams at once: Bedrock's completion format ` +
        `(wire_format "${format.name}") answers one prompt once per call, and a streamed request may open at most ` +
        `${MAX_OPEN_CALLS} (a Cloudflare Worker holds ${MAX_OPEN_CALLS} connections open at a time). Send fewer prompts ` +
        `or a smaller n, leave stream out (up to ${MAX_CALLS} calls, ${MAX_OPEN_CALLS} at a time), or set the model's ` +
        'wire_format to "openai_completion", which takes them in one call.',
      typeof request.prompt === "string" ? "n" : "prompt",
    );
  }
  const calls: PlannedCall[] = [];
  list.forEach((prompt, at) => {
    for (let copy = 0; copy < n; copy++) {
      calls.push({ text: { ...text, prompt }, place: { offset: at * n + copy, ...(echo ? { echo: prompt } : {}) } });
    }
  });
  return calls;
}

/**
 * The most bytes of echoed prompt a plain answer may hold: `echo` writes each prompt before each
 * of its `n` answers, and a plain answer is built whole (a 400 KB prompt with n 128 came back as
 * 52 MB: 2.9 s of CPU and 150 MiB, past a Worker's 128 MB; review amplify35 #1). A stream holds
 * one chunk at a time.
 */
export const MAX_ECHOED_BYTES = 8 * 1024 * 1024;

/** Refuses a plain request whose answer would echo more than MAX_ECHOED_BYTES of prompt (a 400 naming echo). */
function checkEchoedBytes(list: readonly string[], n: number): void {
  const bytes = bytesOver(list, n, MAX_ECHOED_BYTES);
  if (bytes === undefined) return;
  throw invalidRequest(
    `echo would write ${bytes} bytes of prompt into one answer (${list.length} prompt(s), each before its n ${n} ` +
      `answers), and a plain answer may hold at most ${MAX_ECHOED_BYTES}: stream it (stream: true), or send fewer ` +
      "or shorter prompts or a smaller n.",
    "echo",
    "plain_answer_too_large",
  );
}

/**
 * The bytes every prompt of `list` takes, each `n` times, in the JSON that carries it (a call's
 * body, an answer's echo), when they are more than `bound`; undefined when not. A UTF-16 unit
 * takes at most 6 (a control character escaped as `\u0001`: 699,000 of them passed a count of
 * UTF-8 bytes and came back as 50 MB; codereview36 #2), so a list far below the bound is not
 * counted character by character.
 */
function bytesOver(list: readonly string[], n: number, bound: number): number | undefined {
  let units = 0;
  for (const prompt of list) units += prompt.length;
  if (units * 6 * n <= bound) return undefined;
  let bytes = 0;
  for (const prompt of list) bytes += jsonStringBytes(prompt) * n;
  return bytes > bound ? bytes : undefined;
}

// Its parameter is not named `code`: test/helpers/error-codes.ts reads such a parameter as an error code's.
function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit < 0xe000;
}

/** The UTF-8 bytes of `text` inside a JSON string, its escapes counted at their widest (6). */
function jsonStringBytes(text: string): number {
  let bytes = 0;
  for (let at = 0; at < text.length; at++) {
    const code = text.charCodeAt(at);
    if (code < 0x20) bytes += 6;
    else if (code === QUOTE || code === BACKSLASH) bytes += 2;
    else if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code < 0xd800 || code >= 0xe000) bytes += 3;
    // A surrogate pair is a 4-byte character; a lone surrogate is written escaped (`\ud800`).
    else if (code < 0xdc00 && isLowSurrogate(text.charCodeAt(at + 1))) {
      bytes += 4;
      at++;
    } else bytes += 6;
  }
  return bytes;
}

/**
 * Refuses a request whose calls would carry more than MAX_FANNED_OUT_PROMPT_BYTES of prompt in all
 * (one call is bounded by the body it came in).
 */
function checkFannedOutBytes(list: readonly string[], n: number, format: WireFormat, param: string): void {
  if (list.length * n < 2) return;
  const bytes = bytesOver(list, n, MAX_FANNED_OUT_PROMPT_BYTES);
  if (bytes === undefined) return;
  throw invalidRequest(
    `${list.length} prompt(s) × n ${n} would send ${bytes} bytes of prompt: Bedrock's completion format ` +
      `(wire_format "${format.name}") takes one prompt per call, whole, and a request may send at most ` +
      `${MAX_FANNED_OUT_PROMPT_BYTES}. Send fewer or shorter prompts or a smaller n, or set the model's wire_format ` +
      'to "openai_completion", which sends them once, in one call.',
    param,
  );
}
