// Request bodies, made cheap to refuse: read up to the largest limit any model allows, scanned as
// text (nesting, arrays and objects, elements, members of one object, and the model's name)
// before JSON.parse builds anything, and held to the named model's own limit. A refused body
// costs its bytes, no more.
import {
  invalidRequest,
  type JsonTextScan,
  MAX_JSON_DEPTH,
  MAX_TEXT_BYTES,
  type MediaPlaces,
  NO_MEDIA,
  REQUEST_JSON_LIMITS,
  scanJsonText,
} from "../src/core.ts";
import { BedrockEdgeError } from "../src/index.ts";
import { type BodyHold, serverBusy } from "./body-budget.ts";
import { whereJsonBreaks } from "./json-syntax.ts";

/**
 * How much of a body over the limit is still read (and dropped) so that the connection stays
 * usable: a Worker that answers before reading a request body to its end leaves the connection
 * broken (wrangler dev then fails the next request on it with "Your worker restarted
 * mid-request"; workerd resets it, and the client may see the reset instead of the 413).
 * Past this, the connection is given up.
 */
export const MAX_DRAINED_BYTES = 32 * 1024 * 1024;

/**
 * How a drained body must keep coming, or be given up: at least DRAIN_FLOOR_BYTES in every
 * DRAIN_WINDOW_MS (16 KiB/s, 128 kbit/s), and for MAX_DRAIN_MS at most in all. The drain is for a
 * client that writes its whole body before it reads the answer (Python's http.client, hence
 * urllib): it is still uploading when the answer is ready, at whatever rate its link allows, and
 * stopped mid-upload it gets a reset connection, not the answer. So the drain lasts as long as the
 * upload does, not a fixed time. A body that stalls without ending (a chunked one never closed, a
 * Content-Length never reached) or trickles would otherwise hold the answer, and the request, for
 * as long as its client liked: a trickle is given up at the end of its first window, a stall at
 * most two windows after its last byte. MAX_DRAIN_MS carries MAX_DRAINED_BYTES at 9 Mbit/s, and
 * bounds a client that sends just above the floor.
 */
export const DRAIN_WINDOW_MS = 2000;
export const DRAIN_FLOOR_BYTES = 32 * 1024;
export const MAX_DRAIN_MS = 30_000;

/**
 * How a request body that is read must come, or be given up with a 408: a client that sends its
 * headers, then trickles its body or stalls without ending it (a chunked body never closed, a
 * Content-Length never reached) would otherwise hold the request, and on Node, Deno and Bun
 * (createApp's servers) its connection, for as long as it liked. An honest upload on a slow link
 * must not be cut: the default 4 MiB takes 34 s at 1 Mbit/s, the largest a model may allow
 * (8 MiB, MAX_BODY_BYTES_CEILING) 67 s.
 *
 * A body declared at most WHOLE_BODY_BYTES is read by the runtime in one piece (see readBodyOf),
 * where its progress cannot be watched: it must arrive within the time the floor below gives its
 * length, and WHOLE_BODY_READ_MS at least (wholeReadMs: 30 s for up to 48 KiB, 160 s for 256 KiB),
 * so that a slow link cuts a small body no sooner than a large one. Any other body is read piece
 * by piece and must keep coming: at least READ_FLOOR_BYTES in every READ_WINDOW_MS (13 kbit/s; a
 * window long enough for a mobile link's pauses), and all of it within MAX_BODY_READ_MS, which
 * bounds a client that sends just above the floor. A stall is given up at most two windows after
 * its last byte. Once a body is known to be over its limit, it is no longer read but drained,
 * under the drain's own bounds (DRAIN_WINDOW_MS), and its answer is the 413 whatever the time.
 * MAX_BODY_READ_MS and MAX_DRAIN_MS add up to 270 s: within the 300 s Node's HTTP server gives a
 * request (requestTimeout, as @hono/node-server keeps it), whose own bare 408 would otherwise
 * come first and be retried by the openai SDKs, the whole body uploaded again.
 */
export const WHOLE_BODY_BYTES = 256 * 1024;
export const WHOLE_BODY_READ_MS = 30_000;
export const READ_WINDOW_MS = 10_000;
export const READ_FLOOR_BYTES = 16 * 1024;
export const MAX_BODY_READ_MS = 240_000;

export interface BodyLimits {
  /** The largest limit of any model: how far a body is read before the model is known. */
  largest: number;
  /** The limit for the model a body names (its max_body_bytes, or MAX_BODY_BYTES). */
  forModel(model: string | undefined): number;
}

/**
 * Reads, scans, sizes and parses a JSON object body; throws the 400, 408 (it did not come as
 * MAX_BODY_READ_MS says), 413 or 503 (`hold` refused it) that refuses it. `media`: where the
 * endpoint's requests hold media (src/openai/media-strings.ts), none by default; the rest is text.
 */
export async function readJsonBody(
  request: Request,
  limits: BodyLimits,
  media: MediaPlaces = NO_MEDIA,
  hold?: BodyHold,
): Promise<Record<string, unknown>> {
  checkReadable(request.headers);
  const data = await readBody(request, limits.largest, hold);
  const text = utf8Text(data);
  const bytes = data.byteLength;
  const scan = scanJsonText(text, REQUEST_JSON_LIMITS, media);
  if (!scan.ok) throw tooComplex(scan);
  checkSize(bytes, limits.forModel(scan.model));
  // A model's larger limit is room for media: the rest, the request's text, is held to
  // MAX_TEXT_BYTES whatever the limit (a UTF-8 byte of text, a character of base64).
  if (bytes - scan.mediaChars > MAX_TEXT_BYTES) throw tooMuchText(bytes - scan.mediaChars);
  const value = parseJson(text);
  // The scan reads the model as JSON.parse does; checked again in case they ever disagree.
  if (value.model !== scan.model) {
    checkSize(bytes, limits.forModel(typeof value.model === "string" ? value.model : undefined));
  }
  return value;
}

/**
 * A body's bytes, read as a JSON body is (up to the largest limit, paced, drained past it), for a
 * body that is not JSON (multipart: worker/form-body.ts). Its size is checked against its model's
 * limit by checkBodySize once the model is read from it.
 */
export async function readBodyBytes(
  request: Request,
  limits: BodyLimits,
  hold?: BodyHold,
): Promise<Uint8Array<ArrayBuffer>> {
  checkEncoding(request.headers);
  return readBody(request, limits.largest, hold);
}

/** The 413 of a body past its model's limit (the model read from the body). */
export function checkBodySize(bytes: number, limits: BodyLimits, model: unknown): void {
  checkSize(bytes, limits.forModel(typeof model === "string" ? model : undefined));
}

/**
 * Refuses a body the proxy would misread (RFC 9110 §15.5.16, 415): its bytes are taken as UTF-8
 * JSON text, so a compressed body would be called broken JSON, and one in another charset would
 * reach the model altered. No charset is UTF-8 (RFC 8259 §8.1), as `text/plain;charset=UTF-8`
 * (a browser's fetch of a string) is; `utf8` is how the Encoding Standard also spells it.
 */
function checkReadable(headers: Headers): void {
  checkEncoding(headers);
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(headers.get("content-type") ?? "")?.[1];
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
    throw unsupportedBody(
      "unsupported_charset",
      "The request body's Content-Type names a charset other than UTF-8: send the JSON body in UTF-8 (charset=utf-8, or no charset).",
    );
  }
}

/**
 * A compressed body is refused: its bytes would be misread. As a Content-Encoding, or as a
 * transfer coding before chunked (`Transfer-Encoding: gzip, chunked`): Node's and Deno's servers
 * undo the chunking only and hand over the gzip bytes. The same 415, not RFC 9112 §6.1's 501 for a
 * transfer coding a server does not understand: the openai SDKs retry any 5xx, and the fault is
 * the request's, which a 4xx says.
 */
function checkEncoding(headers: Headers): void {
  const coding = headers.get("content-encoding");
  if (coding !== null && !coding.split(",").every((part) => /^\s*(?:identity\s*)?$/i.test(part))) {
    throw unsupportedBody(
      "unsupported_content_encoding",
      "The request body has a Content-Encoding (it is compressed): this proxy reads request bodies as they are. Send the body uncompressed, without Content-Encoding.",
    );
  }
  const transfer = headers.get("transfer-encoding");
  if (transfer !== null && !transfer.split(",").every((part) => /^\s*(?:(?:chunked|identity)\s*)?$/i.test(part))) {
    throw unsupportedBody(
      "unsupported_content_encoding",
      "The request body has a Transfer-Encoding other than chunked (it is compressed): this proxy reads request bodies as they are. Send the body uncompressed, with no Transfer-Encoding but chunked.",
    );
  }
}

export function unsupportedBody(code: string, message: string): BedrockEdgeError {
  return new BedrockEdgeError({ status: 415, type: "invalid_request_error", code, message });
}

function checkSize(bytes: number, limit: number): void {
  if (bytes > limit) throw overLimit(limit);
}

function overLimit(limit: number): BedrockEdgeError {
  return tooLarge(
    `The request body is larger than this proxy accepts (${limit} bytes; see MAX_BODY_BYTES, or max_body_bytes in the model's MODELS entry).`,
  );
}

/** The 413 of a body holding more than MAX_TEXT_BYTES of text (a JSON body's, a multipart one's fields). */
export function tooMuchText(bytes: number): BedrockEdgeError {
  return tooLarge(
    `The request body holds ${bytes} bytes of text, more than this proxy accepts (${MAX_TEXT_BYTES}; everything but images', files' and audio's base64 data is text): a model's max_body_bytes makes room for media, not for text.`,
  );
}

function tooLarge(message: string): BedrockEdgeError {
  return new BedrockEdgeError({ status: 413, code: "request_too_large", message });
}

function tooComplex(scan: JsonTextScan & { ok: false }): BedrockEdgeError {
  if (scan.exceeded === "depth") {
    return invalidRequest(`The JSON body is nested more than ${MAX_JSON_DEPTH} levels deep.`, null, "invalid_json");
  }
  // Where, never what: a key of that object could be anything the client wrote.
  if (scan.exceeded === "members") {
    const { line, column, offset } = scan.at;
    return invalidRequest(
      `The JSON body holds an object of more than ${REQUEST_JSON_LIMITS.maxMembers} members, more than any real request: the one that opens at line ${line}, column ${column} (offset ${offset}).`,
      null,
      "invalid_json",
    );
  }
  return tooLarge(
    scan.exceeded === "containers"
      ? `The JSON body holds more than ${REQUEST_JSON_LIMITS.maxContainers} arrays and objects, more than any real request.`
      : `The JSON body holds more than ${REQUEST_JSON_LIMITS.maxElements} values, more than any real request.`,
  );
}

function parseJson(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidRequest(notJson(text), null, "invalid_json");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw invalidRequest("The request body must be a JSON object.", null, "invalid_json");
  }
  return value as Record<string, unknown>;
}

/** Says where the body broke and never what it holds (worker/json-syntax.ts). */
function notJson(text: string): string {
  if (/^[ \t\n\r]*$/.test(text)) {
    return "The request body is not valid JSON: it is empty. Send the request as a JSON object.";
  }
  const where = whereJsonBreaks(text);
  return where ? `The request body is not valid JSON: ${where}.` : "The request body is not valid JSON.";
}

// Decodes whole bodies (no stream option: it keeps no state between calls). Fatal: a lenient one
// turns each byte that is not UTF-8 into U+FFFD, and the model would answer text the client never
// sent, with a 200 (unicode51 U-02). A leading BOM is still dropped, as RFC 8259 §8.1 allows.
const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * `bytes` as text, or the 400 that refuses a body that is not UTF-8 (RFC 8259 §8.1; a form's
 * fields are read as UTF-8 too), naming where, never what: `offset` is where `bytes` start in the body.
 */
export function utf8Text(bytes: Uint8Array, offset = 0): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw invalidRequest(
      `The request body is not valid UTF-8 at byte offset ${offset + invalidUtf8At(bytes)}: send its text in UTF-8.`,
      null,
      "invalid_utf8",
    );
  }
}

/** Where the first ill-formed sequence starts (Unicode's table 3-7, which the fatal decoder follows). */
function invalidUtf8At(bytes: Uint8Array): number {
  let at = 0;
  while (at < bytes.length) {
    const lead = bytes[at]!;
    if (lead < 0x80) {
      at += 1;
      continue;
    }
    const sequence = sequenceOf(lead);
    if (!sequence) return at;
    const [count, low, high] = sequence;
    for (let next = 1; next <= count; next++) {
      const byte = bytes[at + next];
      if (byte === undefined || byte < (next === 1 ? low : 0x80) || byte > (next === 1 ? high : 0xbf)) return at;
    }
    at += count + 1;
  }
  return at;
}

/**
 * The continuation bytes a lead byte takes, and the range of the first: narrower after E0, ED, F0
 * and F4, which would otherwise spell overlong forms, surrogates or code points past U+10FFFF.
 */
function sequenceOf(lead: number): [count: number, low: number, high: number] | undefined {
  if (lead >= 0xc2 && lead <= 0xdf) return [1, 0x80, 0xbf];
  if (lead >= 0xe0 && lead <= 0xef) return [2, lead === 0xe0 ? 0xa0 : 0x80, lead === 0xed ? 0x9f : 0xbf];
  if (lead >= 0xf0 && lead <= 0xf4) return [3, lead === 0xf0 ? 0x90 : 0x80, lead === 0xf4 ? 0x8f : 0xbf];
  return undefined;
}

const BODY_CUT = "request_body_incomplete";

// Requests whose body the proxy stopped reading before its end (bodyGivenUp).
const givenUp = new WeakSet<Request>();

/**
 * Whether the proxy gave up `request`'s body before its end: it stalled or trickled (the 408, or a
 * drain given up), or passed MAX_DRAINED_BYTES. Its connection is of no further use, and its
 * answer says so (`Connection: close`): Node closes it anyway, Bun only when told, and a client
 * that goes on trickling would otherwise keep it as long as it liked.
 */
export function bodyGivenUp(request: Request): boolean {
  return givenUp.has(request);
}

/**
 * A body whose reading failed: its client stopped sending it (a cancelled upload, a dropped
 * connection). Deno says so only here, not on request.signal; the line is then the client's 499.
 */
export function isBodyCut(error: unknown): boolean {
  return error instanceof BedrockEdgeError && error.code === BODY_CUT;
}

/**
 * The body's bytes; a 413 past `limit`, after the rest is drained (up to
 * MAX_DRAINED_BYTES) rather than left unread; a 408 when it does not come as MAX_BODY_READ_MS
 * says. A read that fails is the client's: a 400 that isBodyCut knows, never a 500 quoting the
 * runtime.
 */
/**
 * `hold`: the body's share of the isolate's account (worker/body-budget.ts), its bytes counted as
 * they arrive, never what it only declares (a Content-Length sent slowly would hold the account
 * with bytes it never sent: codereview51 U-01); refused, a 503; given back before a refused body
 * is drained, since a drain holds none of it (codereview51 U-03).
 */
async function readBody(request: Request, limit: number, hold?: BodyHold): Promise<Uint8Array<ArrayBuffer>> {
  try {
    return await readBodyOf(request, limit, hold);
  } catch (error) {
    if (error instanceof BedrockEdgeError) throw error;
    throw new BedrockEdgeError({
      status: 400,
      code: BODY_CUT,
      message: "The request body could not be read to its end: the client stopped sending it.",
    });
  }
}

function bodyTimeout(why: string): BedrockEdgeError {
  return new BedrockEdgeError({
    status: 408,
    type: "invalid_request_error",
    code: "request_body_timeout",
    message: `The request body ${why}: send the whole body at once, without pausing.`,
  });
}

async function readBodyOf(
  request: Request,
  limit: number,
  hold: BodyHold | undefined,
): Promise<Uint8Array<ArrayBuffer>> {
  const declared = declaredLength(request.headers);
  // A small body of a declared length within the limit: the runtime reads it in one piece (in
  // workerd, a read loop here costs more than the rest of a small body's handling, and even asking
  // for the body as a stream costs). A larger one is read piece by piece, as a chunked body is, so
  // that its progress can be watched (see MAX_BODY_READ_MS): a read in one piece cannot be, and
  // would bound an honest upload on a slow link by a fixed time. Every server runtime holds a body to the length it declares (workerd,
  // Node's HTTP parser under @hono/node-server, Deno and Bun): only a Request made in-process
  // could declare less than it holds. Its size is still checked after the read.
  if (declared !== undefined && declared <= Math.min(limit, WHOLE_BODY_BYTES)) {
    const whole = await readWhole(request, declared, limit);
    // Counted once read (a body this small is never refused: body-budget.ts).
    hold?.reserve(whole.byteLength);
    return whole;
  }
  if (!request.body) return new Uint8Array(0);
  if (declared !== undefined && declared > limit) {
    // Known too large before a byte is read: drained under the drain's own bounds, then the 413.
    await drainUnread(request);
    throw overLimit(limit);
  }
  return readPieces(request, request.body.getReader(), limit, hold);
}

/** How long a body declared `bytes` long, read whole, may take: the read's floor for its length. */
function wholeReadMs(bytes: number): number {
  return Math.max(WHOLE_BODY_READ_MS, Math.ceil(bytes / READ_FLOOR_BYTES) * READ_WINDOW_MS);
}

/** A small body of a declared length, read whole by the runtime within wholeReadMs. */
async function readWhole(request: Request, declared: number, limit: number): Promise<Uint8Array<ArrayBuffer>> {
  const ms = wholeReadMs(declared);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(resolve, ms, "late");
  });
  try {
    const buffer = await Promise.race([request.arrayBuffer(), late]);
    // Given up. The read cannot be cancelled from here (the body's stream is locked to it): the
    // server's own cleanup of the request ends it.
    if (buffer === "late") {
      givenUp.add(request);
      throw bodyTimeout(`did not arrive within ${ms / 1000} s`);
    }
    if (buffer.byteLength > limit) throw overLimit(limit);
    return new Uint8Array(buffer);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A body read piece by piece while it keeps coming (READ_WINDOW_MS), cancelled and refused (408)
 * when it does not; past `limit`, no longer read but drained, and refused (413). The read's timer
 * is stopped before the drain begins: a body known to be too large gets its 413 whatever time its
 * upload still takes, within the drain's own bounds. A 408 there would be retried by the openai
 * SDKs, the whole body uploaded again.
 */
async function readPieces(
  request: Request,
  reader: ReadableStreamDefaultReader<Uint8Array>,
  limit: number,
  hold: BodyHold | undefined,
): Promise<Uint8Array<ArrayBuffer>> {
  const read = { bytes: 0 };
  const outcome = await whileComing(readPiecesOf(reader, limit, read, hold), read, READ_PACE);
  if (outcome === "given up") {
    givenUp.add(request);
    reader.cancel().catch(() => undefined);
    throw bodyTimeout(
      `came too slowly (less than ${READ_FLOOR_BYTES / 1024} KiB in ${READ_WINDOW_MS / 1000} s, or not all of it within ${MAX_BODY_READ_MS / 1000} s)`,
    );
  }
  if (outcome === "over limit" || outcome === "busy") {
    // Its pieces so far are dropped, and their place in the account with them; the rest is drained.
    hold?.release();
    await drain(request, reader, read.bytes);
    throw outcome === "busy" ? serverBusy() : overLimit(limit);
  }
  return outcome;
}

/**
 * The body's bytes, counting into `read.bytes`; "over limit" as soon as it passes `limit`, "busy"
 * as soon as `hold` refuses what it holds so far (a chunked body's flood is refused early).
 */
async function readPiecesOf(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  limit: number,
  read: { bytes: number },
  hold: BodyHold | undefined,
): Promise<Uint8Array<ArrayBuffer> | "over limit" | "busy"> {
  const pieces: Uint8Array[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    read.bytes += value.byteLength;
    if (read.bytes > limit) return "over limit";
    if (hold && !hold.reserve(read.bytes)) return "busy";
    pieces.push(value);
  }
  const whole = new Uint8Array(read.bytes);
  let at = 0;
  for (const piece of pieces) {
    whole.set(piece, at);
    at += piece.byteLength;
  }
  return whole;
}

/**
 * Content-Length when it is a plain number of bytes. Anything else ("", "-1", "0x10", "1e3",
 * spaces) is no declaration at all: such a body is read piece by piece, held to the limit as it
 * comes.
 */
function declaredLength(headers: Headers): number | undefined {
  const value = headers.get("content-length");
  return value !== null && /^\d{1,15}$/.test(value) ? Number(value) : undefined;
}

/**
 * A body nobody read, read and dropped (up to MAX_DRAINED_BYTES, while it keeps coming: see
 * DRAIN_WINDOW_MS) before the answer goes, so that the connection stays usable: a 413 declared too
 * large, and every answer made without reading the body (a refusal: 401, 404, 405, 415, 500; a
 * GET's 200). A body declared larger than that is not read at all, nor one the client has not
 * sent: with `Expect: 100-continue` it waits to be told (RFC 9110 §10.1.1), and workerd does not
 * tell it, so a read would have it wait out its own timer (curl's 1 s) and upload the whole body,
 * only to be refused; answered at once, it sends nothing.
 */
export async function drainUnread(request: Request): Promise<void> {
  // bodyUsed first: a body read already (every JSON request's) needs its stream neither made nor asked.
  if (request.bodyUsed) return;
  const { body } = request;
  if (!body || body.locked) return;
  if (request.headers.get("expect")?.toLowerCase() === "100-continue") return;
  const declared = declaredLength(request.headers);
  if (declared !== undefined && declared > MAX_DRAINED_BYTES) {
    // Not read at all: its connection goes with the answer (codereview47 #3).
    givenUp.add(request);
    return;
  }
  await drain(request, body.getReader(), 0);
}

/**
 * Reads to the end and drops it, or gives up (cancels) past MAX_DRAINED_BYTES in all, or when the
 * body stops keeping up (DRAIN_WINDOW_MS).
 */
async function drain(
  request: Request,
  reader: ReadableStreamDefaultReader<Uint8Array>,
  alreadyRead: number,
): Promise<void> {
  const read = { bytes: alreadyRead };
  const outcome = await whileComing(readToEnd(reader, read), read, DRAIN_PACE);
  if (outcome === "given up") reader.cancel().catch(() => undefined);
  if (outcome !== "read") givenUp.add(request);
}

/** How a body must keep coming: floorBytes in every windowMs, and maxMs in all. */
interface Pace {
  windowMs: number;
  floorBytes: number;
  maxMs: number;
}

const READ_PACE: Pace = { windowMs: READ_WINDOW_MS, floorBytes: READ_FLOOR_BYTES, maxMs: MAX_BODY_READ_MS };
const DRAIN_PACE: Pace = { windowMs: DRAIN_WINDOW_MS, floorBytes: DRAIN_FLOOR_BYTES, maxMs: MAX_DRAIN_MS };

/**
 * What `work` gives, or "given up" at the end of the first window in which the body it reads
 * brought fewer than `pace.floorBytes` (counted into `read.bytes`), or at `pace.maxMs`. The time is
 * raced rather than left to a cancel: the answer goes when it is up, whatever a runtime does with
 * a read pending on a cancelled body. One timer at a time, cleared on every exit.
 */
async function whileComing<T>(work: Promise<T>, read: { bytes: number }, pace: Pace): Promise<T | "given up"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const givenUp = new Promise<"given up">((resolve) => {
    const startWindow = (windows: number) => {
      const before = read.bytes;
      timer = setTimeout(() => {
        if (read.bytes - before >= pace.floorBytes && windows * pace.windowMs < pace.maxMs) startWindow(windows + 1);
        else resolve("given up");
      }, pace.windowMs);
    };
    startWindow(1);
  });
  try {
    return await Promise.race([work, givenUp]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Reads to the end, counting into `read.bytes`: "read", or "too much" once it cancels past
 * MAX_DRAINED_BYTES.
 */
async function readToEnd(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  read: { bytes: number },
): Promise<"read" | "too much"> {
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return "read";
      read.bytes += value.byteLength;
      if (read.bytes > MAX_DRAINED_BYTES) {
        await reader.cancel();
        return "too much";
      }
    }
  } catch {
    // The client stopped sending: nothing left to keep usable, nor anyone to tell.
    return "read";
  }
}
