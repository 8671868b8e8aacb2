// Multipart bodies: POST /v1/images/edits and /v1/images/variations, as OpenAI's clients send them (multipart/form-data, its
// image and mask as files). Read as a JSON body is (worker/body.ts: within the largest limit,
// paced, drained past it), then parsed by the runtime's own multipart parser, bounded in parts and
// files, and made the request object the library validates: the numbers and booleans a form can
// only send as text made numbers and booleans again, `image[]` (the openai package's name for an
// array of images) `image`. The model read from it holds the body to that model's limit.
import { cutName, invalidRequest, MAX_TEXT_BYTES } from "../src/core.ts";
import type { BodyHold } from "./body-budget.ts";
import { type BodyLimits, checkBodySize, readBodyBytes, tooMuchText, unsupportedBody, utf8Text } from "./body.ts";
import { isFilePart } from "./form-file-part.ts";
import { quotedWhole } from "./http.ts";
import { multipartBoundary } from "./multipart-boundary.ts";

/** The most parts a form may have: OpenAI's edit request has 16 fields, and this proxy's 2 more. */
const MAX_FORM_PARTS = 32;
/** The most files: an edit takes one image and one mask. */
const MAX_FORM_FILES = 2;
/** The fields a form sends as text that the request takes as numbers, and as booleans. */
const NUMBER_FIELDS = new Set(["n", "seed", "output_compression", "partial_images"]);
const BOOLEAN_FIELDS = new Set(["stream", "drop_params"]);

/**
 * A multipart/form-data body as a request object; the 400, 408, 413, 415 or 503 (`hold`
 * refused it: worker/body.ts) that refuses it.
 */
export async function readFormBody(
  request: Request,
  limits: BodyLimits,
  hold?: BodyHold,
): Promise<Record<string, unknown>> {
  const type = request.headers.get("content-type") ?? "";
  if (!isMultipartForm(type)) {
    throw unsupportedBody(
      "unsupported_content_type",
      "This endpoint takes a multipart/form-data body (its images as files), as OpenAI's clients send images.edit and createVariation: not a JSON body, nor one without its boundary.",
    );
  }
  const boundary = multipartBoundary(type);
  const bytes = await readBodyBytes(request, limits, hold);
  // The parts counted in the bytes first, as their delimiters (one more than the parts: the body's
  // close): the runtime's parser builds every part before fieldsOf can count them (0.8 s of CPU
  // for 75,000 empty parts in 4 MiB). The boundary is read as that parser reads it, and a header
  // it could read otherwise refused (multipart-boundary.ts); fieldsOf's count stays all the same.
  const found = delimiters(bytes, boundary, MAX_FORM_PARTS + 1);
  if (found.length > MAX_FORM_PARTS + 1) throw tooManyParts();
  // The last delimiter closes the body (`--` after it): workerd's parser refuses one it does not
  // close, but only after a regex search over all that follows it (2 s of CPU for 8 MiB;
  // codereview49 #2), and undici's refuses it too.
  const close = found[found.length - 1]! + 2 + boundary.length;
  if (bytes[close] !== 0x2d || bytes[close + 1] !== 0x2d) throw unclosed();
  // Its fields other than files (the prompt) are text, held to MAX_TEXT_BYTES as a JSON body's
  // text is, before the runtime's parser copies them: an 8.3 MB prompt raised workerd by 61 MiB
  // before the model refused its length (codereview48b #4).
  const text = textFieldBytes(bytes, found, boundary.length);
  if (text > MAX_TEXT_BYTES) throw tooMuchText(text);
  let form: FormData;
  try {
    form = await new Response(bytes, { headers: { "content-type": type } }).formData();
  } catch {
    throw unreadable();
  }
  const value = fieldsOf(form);
  checkBodySize(bytes.byteLength, limits, value.model);
  return value;
}

/** A multipart/form-data Content-Type with its boundary. */
export function isMultipartForm(type: string): boolean {
  return /^multipart\/form-data\s*;(?:.*;)?\s*boundary=/i.test(type);
}

/** The form's fields as a request object; a 400 for too many parts or files, or a field sent twice. */
function fieldsOf(form: FormData): Record<string, unknown> {
  const fields = new Map<string, unknown>();
  let parts = 0;
  let files = 0;
  for (const [name, entry] of form) {
    parts += 1;
    if (parts > MAX_FORM_PARTS) throw tooManyParts();
    if (typeof entry !== "string") {
      files += 1;
      if (files > MAX_FORM_FILES) {
        throw invalidRequest(
          `The multipart body has more than ${MAX_FORM_FILES} files: an edit takes one image and one mask.`,
          null,
          "invalid_multipart",
        );
      }
    }
    // Whole, never cut: the library quotes a field it does not take whole or by its length
    // (closed-request.ts), and a cut name of a key pasted there would be a head the log's
    // redaction, which finds secrets whole, cannot know. The 400's param, which is not logged,
    // names it cut (cutName).
    const field = name === "image[]" ? "image" : name;
    const held = fields.get(field);
    if (name === "image[]" && (held === undefined || Array.isArray(held))) {
      fields.set(field, [...((held as unknown[] | undefined) ?? []), entry]);
      continue;
    }
    if (held !== undefined)
      throw invalidRequest(`${quotedWhole(field, "name")} is sent twice: send each field once.`, cutName(field, 64));
    fields.set(field, typeof entry === "string" ? typed(field, entry) : entry);
  }
  // fromEntries makes each name an own property, `__proto__` too.
  return Object.fromEntries(fields);
}

function unreadable() {
  return invalidRequest(
    "The multipart body could not be read: its parts do not follow its boundary (multipart/form-data, RFC 7578).",
    null,
    "invalid_multipart",
  );
}

function unclosed() {
  return invalidRequest(
    "The multipart body could not be read: its last boundary does not close it (`--` after it, RFC 2046).",
    null,
    "invalid_multipart",
  );
}

function unendedHeaders() {
  return invalidRequest(
    `The multipart body could not be read: a part's headers do not end in a blank line within ${MAX_PART_HEADER_BYTES / 1024} KiB and before the next boundary (multipart/form-data, RFC 7578).`,
    null,
    "invalid_multipart",
  );
}

function tooManyParts() {
  return invalidRequest(
    `The multipart body has more than ${MAX_FORM_PARTS} parts, more than any edit request.`,
    null,
    "invalid_multipart",
  );
}

/**
 * Where the delimiters of a multipart body start (their `--`), up to one past `most`: each part
 * opens with one, and the last closes the body (RFC 2046: CRLF, "--" and the boundary, which no
 * part's content holds). Found as workerd's parser finds them: after a line feed, its CR optional
 * (a body delimited by `\n--b` alone is 60,000 parts to it as to this count). The first opens the
 * body, after any CRs and LFs (undici's parser skips those, workerd's any text); a body with other
 * text first is refused, as undici refuses it. A plain loop over the bytes, a few nanoseconds a
 * byte whatever they are: an indexOf for each line feed took ten times as long on a body of them.
 */
function delimiters(bytes: Uint8Array, boundary: string, most: number): number[] {
  const delimiter = new TextEncoder().encode(`\n--${boundary}`);
  let start = 0;
  while (bytes[start] === 0x0d || bytes[start] === 0x0a) start++;
  if (!startsAt(bytes, delimiter.subarray(1), start)) throw unreadable();
  const found = [start];
  const last = bytes.length - delimiter.length;
  for (let at = start; at <= last && found.length <= most; at++) {
    if (bytes[at] === 0x0a && bytes[at + 1] === 0x2d && startsAt(bytes, delimiter, at)) found.push(at + 1);
  }
  return found;
}

/** The most a part's headers are looked through for the blank line that ends them. */
const MAX_PART_HEADER_BYTES = 16 * 1024;

/**
 * The bytes of the parts that are no files (isFilePart: the runtime's parser makes the others
 * strings), from the delimiters `delimiters` found. A part's headers end where workerd's parser
 * ends them, at the first blank line (`\r?\n\r?\n`, CRs optional), its content text from there;
 * they are read on to undici's end (CRLF CRLF) where that is later, so a Content-Disposition
 * either could read is seen. A part whose headers do not end before the next delimiter, or within
 * MAX_PART_HEADER_BYTES, is refused: workerd reads a part's headers on past the next delimiter to
 * the first blank line, so what this count takes for the next part's content (a file's) could be
 * the string of this one (codereview49 #1). undici refuses such a part, and no client sends one.
 * A field that is not UTF-8 is refused as a JSON body is (utf8Text).
 */
function textFieldBytes(bytes: Uint8Array, found: readonly number[], boundaryLength: number): number {
  let text = 0;
  for (let k = 0; k + 1 < found.length; k++) {
    let from = found[k]! + 2 + boundaryLength;
    // The line end after the boundary, as the parser steps over it.
    if (bytes[from] === 0x0a) from += 1;
    else if (bytes[from] === 0x0d && bytes[from + 1] === 0x0a) from += 2;
    // The next delimiter's line feed, and the CR before it if any, end this part's content.
    const next = found[k + 1]!;
    const end = next - (bytes[next - 2] === 0x0d ? 2 : 1);
    let content = -1;
    let headersEnd = -1;
    for (let at = from; at + 2 <= Math.min(end, from + MAX_PART_HEADER_BYTES); at++) {
      if (bytes[at] !== 0x0a) continue;
      const afterBlank =
        bytes[at + 1] === 0x0a ? at + 2 : bytes[at + 1] === 0x0d && bytes[at + 2] === 0x0a ? at + 3 : -1;
      if (afterBlank < 0) continue;
      if (content < 0) content = afterBlank;
      headersEnd = afterBlank;
      if (bytes[at - 1] === 0x0d && afterBlank === at + 3) break;
    }
    if (content < 0) throw unendedHeaders();
    const headers = String.fromCharCode(...bytes.subarray(from, headersEnd));
    if (!isFilePart(headers)) {
      text += Math.max(0, end - content);
      // The runtime's parser decodes a field leniently (U+FFFD for each bad byte), as a JSON body is
      // not. A part naming a filename in another form than isFilePart's is still a file to the
      // runtime (counted as text above, to be safe), and its bytes are no text (codereview51b F1).
      if (!/\bfilename\*?\s*=/i.test(headers)) utf8Text(bytes.subarray(content, Math.max(content, end)), content);
    }
  }
  return text;
}

function startsAt(bytes: Uint8Array, prefix: Uint8Array, at: number): boolean {
  if (at + prefix.length > bytes.length) return false;
  for (let index = 0; index < prefix.length; index++) if (bytes[at + index] !== prefix[index]) return false;
  return true;
}

/** A text field as the request types it: a number or a boolean when it reads as one, else as sent. */
function typed(field: string, text: string): unknown {
  if (NUMBER_FIELDS.has(field) && /^-?\d{1,16}(?:\.\d{1,16})?$/.test(text)) return Number(text);
  if (BOOLEAN_FIELDS.has(field) && (text === "true" || text === "false")) return text === "true";
  return text;
}
