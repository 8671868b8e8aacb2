// The one error type of bedrock-edge and the errors this library makes itself. Bedrock's own
// error answers are mapped in bedrock-errors.ts, which loads with the first of them.
import type { Usage } from "./openai/types.ts";

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export interface BedrockEdgeErrorInit {
  status: number;
  message: string;
  type?: string | undefined;
  code?: string | null | undefined;
  param?: string | null | undefined;
  /** The Bedrock exception name, e.g. `ThrottlingException`, when Bedrock said so. */
  bedrockError?: string | undefined;
  /** From `retry-after` / `retry-after-ms`, when the upstream asked for a pause. */
  retryAfterMs?: number | undefined;
  /** Bedrock itself answered with this error (see BedrockEdgeError.fromBedrock). */
  fromBedrock?: boolean | undefined;
  cause?: unknown;
}

/**
 * A call sent to Bedrock, and not refused by its error answer, whose counts were never read
 * (BedrockEdgeError.unmeteredCalls).
 */
export interface UnmeteredCall {
  /**
   * The index of the prompt it answered in the request's list (0 for a single prompt); an
   * embeddings call's, of its first text in the request's input.
   */
  prompt: number;
  /** The chunks of its answer read before it was stopped (0 for a call that never answered). */
  chunks: number;
  /** A plain call's answer, when Bedrock gave it without counts: what an estimate of its output reads. */
  text?: string;
  /** An embeddings call: the texts it sent, its whole input (an embedding has no output), for an estimate. */
  texts?: string[];
  /**
   * An image call (its prompt the request's): the images it drew, which Bedrock bills per image; 0
   * for one sent that never answered.
   */
  images?: number;
}

// What marks a BedrockEdgeError made by any copy of this package (a dependency's own, a bundled
// one): `instanceof` knows only this copy's class. Symbol.for is shared by every copy in a realm.
const BRAND: unique symbol = Symbol.for("bedrock-edge.error");

/**
 * How a call fails: a request refused before anything is sent, Bedrock's error answer or a
 * stream's exception frame, a timeout, a lost connection, or the caller's own credentials or
 * fetch failing. An abort is not one (the signal's reason, or abort()'s AbortError), but for an
 * embeddings request some of whose calls had gone out: a 499. `toJSON()` is OpenAI's error body.
 */
export class BedrockEdgeError extends Error {
  override readonly name = "BedrockEdgeError";
  /** The HTTP status: Bedrock's own for most of its exceptions; 400 for a refused request, 504 for a timeout… */
  readonly status: number;
  /** OpenAI's error type (`invalid_request_error`, `rate_limit_error`…); by default the status's. */
  readonly type: string;
  /** A code for the failure (`model_not_found`, `rate_limit_exceeded`…), or null. */
  readonly code: string | null;
  /** The request's field at fault (`messages`, `tools[0].function.name`…), or null. */
  readonly param: string | null;
  /** The Bedrock exception name, e.g. `ThrottlingException`, when Bedrock said so. */
  readonly bedrockError: string | undefined;
  /** The pause Bedrock's `retry-after` or `retry-after-ms` header asked for, in ms, when it sent one. */
  readonly retryAfterMs: number | undefined;
  /**
   * True when Bedrock itself answered with this error: an error status or a stream exception
   * frame. With network failures, these are the only errors worth retrying; the ones this
   * library raised (a timeout, a malformed answer, missing credentials) would only fail again.
   */
  readonly fromBedrock: boolean;
  /**
   * True when Bedrock sent this error as an exception frame of a stream that had begun, not as its
   * HTTP answer: the model had read the prompt, and may have generated, before it (billed work,
   * unlike an error answer that refused the call). Undefined on every other error; set where the
   * stream is read, so no code here.
   */
  declare inStream?: boolean;
  /**
   * What the upstream calls that did answer used, when a request of several calls failed as a
   * whole after some of them (legacy Completions over several prompts or choices, embeddings over
   * several calls): Bedrock billed those. A request that failed on every deployment of its model
   * adds up every attempt's. Undefined on every other error. Set where the calls are made, so no code here.
   */
  declare usage?: Usage;
  /**
   * Calls of such a request that Bedrock answered, and so billed, whose counts were never read: a
   * stream that had opened when another call of its request failed, stopped before its last frame,
   * or a plain call whose answer came without counts; and calls sent that never answered (past
   * timeoutMs, or stopped when another call failed), which the model may have read. What is known
   * of each, for an estimate; undefined when there were none.
   */
  declare unmeteredCalls?: UnmeteredCall[];
  /**
   * True when the call's connection to Bedrock was never made (refused, a name not found, a TLS
   * handshake that failed): no request reached Bedrock, which billed nothing. Undefined on every
   * other error, a connection lost once made included (its request may have been read). Set where
   * a failed fetch is told (bedrock-errors.ts unreachable), so no code here.
   */
  declare unsent?: boolean;

  constructor(init: BedrockEdgeErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.type = init.type ?? typeForStatus(init.status);
    this.code = init.code ?? null;
    this.param = init.param ?? null;
    this.bedrockError = init.bedrockError;
    this.retryAfterMs = init.retryAfterMs;
    this.fromBedrock = init.fromBedrock ?? false;
  }

  /** True on every BedrockEdgeError, whichever copy of bedrock-edge made it: isBedrockEdgeError reads it. */
  get [BRAND](): true {
    return true;
  }

  /** The OpenAI error body: `{"error":{"message","type","param","code"}}`. */
  toJSON(): OpenAIErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/** A BedrockEdgeError of this copy of bedrock-edge or of any other (by its brand, not instanceof). */
export function isBedrockEdgeError(value: unknown): value is BedrockEdgeError {
  return (value as { [BRAND]?: unknown } | null | undefined)?.[BRAND] === true;
}

/** OpenAI's error `type` for a status, as its API uses them. */
export function typeForStatus(status: number): string {
  if (status === 400 || status === 404 || status === 409 || status === 413 || status === 422) {
    return status === 404 ? "not_found_error" : "invalid_request_error";
  }
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 408 || status === 504) return "timeout_error";
  if (status === 429) return "rate_limit_error";
  return status >= 500 ? "server_error" : "api_error";
}

/** A request we refuse before sending anything: 400 naming the parameter. */
export function invalidRequest(
  message: string,
  param: string | null = null,
  code: string | null = null,
): BedrockEdgeError {
  return new BedrockEdgeError({ status: 400, message, param, code });
}

/** Bedrock answered something this library cannot use, or the connection failed (502). */
export function badUpstream(message: string, code = "bad_upstream_response", cause?: unknown): BedrockEdgeError {
  return new BedrockEdgeError({ status: 502, type: "server_error", code, message, cause });
}

/** One of this library's own time limits passed (504). */
export function upstreamTimeout(message: string): BedrockEdgeError {
  return new BedrockEdgeError({ status: 504, code: "upstream_timeout", message });
}

/** An error's name, for a `cause` that must not carry its message (it may quote a secret). */
export function nameOf(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/** The deployment, not the caller, is at fault: credentials, a model's settings (500). */
export function configurationError(message: string, code: string, cause?: unknown): BedrockEdgeError {
  return new BedrockEdgeError({ status: 500, type: "server_error", code, message, cause });
}

/**
 * A model name not served (404). `notServed` ends the message, saying where the served names are:
 * by default the library client's `models` option; the proxy says its own `GET /v1/models`, which
 * the library has not (its words stay out of the library's bundle).
 */
export function modelNotFound(
  name: string,
  notServed = "is not in this client's models option, and onlyListedModels is set",
): BedrockEdgeError {
  return new BedrockEdgeError({
    status: 404,
    code: "model_not_found",
    param: "model",
    message: `The model ${shownText(name, 200, "name")} ${notServed}.`,
  });
}

/**
 * A time span as an error message says it: whole seconds, or milliseconds under a second (a
 * budget of 500 ms is not "0 s").
 */
export function spanText(ms: number): string {
  const whole = Math.round(ms);
  return whole < 1000 ? `${whole} ms` : `${Math.round(ms / 1000)} s`;
}

/** The same error naming another field: a caller's own name for what a lower layer called `param`. */
export function renamedParam(error: BedrockEdgeError, param: string | null, message: string): BedrockEdgeError {
  return new BedrockEdgeError({
    status: error.status,
    type: error.type,
    code: error.code,
    param,
    message,
    bedrockError: error.bedrockError,
    retryAfterMs: error.retryAfterMs,
    cause: error.cause,
  });
}

// The client's, a configuration's or an upstream's text cut for an error message, here in one
// place for every message of the library that quotes such text.

/**
 * Text cut to at most `max` characters between words, never inside one (a run of non-whitespace),
 * with `…` when cut; undefined when its first word alone is longer. A key pasted where text is
 * quoted is then shown whole or not at all: the Worker's redaction, which finds known secrets and
 * their shapes whole, finds every one shown (a cut through one would leave a head it cannot know).
 */
export function wordsWithin(text: string, max: number): string | undefined {
  if (text.length <= max) return text;
  // The cut falls after the max-th character as shownText counts them (code points), so that a
  // text told "of N characters" is one N plain letters would not have been.
  // Where cutName's cut ends, in UTF-16 units: U+FFFD, for a lone half, is one unit as the half is.
  const cut = cutName(text, max).length;
  if (cut >= text.length) return text;
  // From the cut backwards to the first whitespace: at most 2 × max steps, whatever the text.
  for (let end = cut; end > 0; end--) {
    if (/\s/.test(text.charAt(end))) {
      const head = text.slice(0, end).trimEnd();
      return head ? `${head}…` : undefined;
    }
  }
  return undefined;
}

/**
 * Text for a message: whole words of it up to `max` characters (quoted, unless `quote` is false),
 * or, when its first word alone is longer, only its length (`a string of 67 characters`), counted
 * in characters as a reader counts them (code points: an emoji is one).
 */
export function shownText(text: string, max: number, what = "a string", quote = true): string {
  const shown = wordsWithin(text, max);
  if (shown === undefined) return `${what} of ${characterCount(text)} characters`;
  return quote ? JSON.stringify(shown) : shown;
}

/**
 * A client's name (a field's, a variable's) for an error's `param`: its first `max` characters
 * (code points, as shownText counts them), and a lone surrogate it sent as U+FFFD. A cut in UTF-16
 * units fell between an emoji's halves, and a lone half in the JSON (`"\ud83d"`) is refused by
 * strict readers (serde_json, Python's encode). The name is the client's own, so no secret of the
 * server's can be cut through; `param` is not logged. A loop rather than toWellFormed (ES2024),
 * which browsers before 2023 lack: there the 400 would have been a TypeError. At most `max`
 * steps, whatever the name's length.
 */
export function cutName(name: string, max: number): string {
  let cut = "";
  // A string's iterator yields its code points: a pair as one, a surrogate without its other alone.
  for (const point of name) {
    if (max-- < 1) break;
    cut += /^[\ud800-\udfff]$/.test(point) ? "\ufffd" : point;
  }
  return cut;
}

/** A text's length as a reader counts it: code points, an emoji one. */
export function characterCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}
