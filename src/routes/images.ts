// Images reach Bedrock as base64 bytes, from data URLs only, checked here for every route: what
// does not decode is a 400 naming the part's URL before anything is sent, and what decodes goes
// as one canonical base64 (whitespace removed, padded), whatever the model server's decoder.
import { invalidRequest } from "../errors.ts";
import type { ChatCompletionRequest, ContentPart, UserMessage } from "../openai/types.ts";

// RFC 2397 lets parameters (`;name=cat.png`) stand before `;base64`; none says anything about an
// image's bytes, and vLLM's parser takes the first `;` to end the type, so they are not sent.
const DATA_URL_HEAD = /^data:(image\/[a-z0-9.+-]+)(?:;[a-z0-9!#$&^_.+-]+=[^;,]*)*;base64,/i;
// ASCII whitespace, which forgiving-base64 (WHATWG) removes: `openssl base64` wraps its lines.
const WHITESPACE = /[\t\n\f\r ]/g;
const BASE64 = /^[A-Za-z0-9+/]*$/;

export interface ImageData {
  /** The MIME type, lower-cased: `image/png`. */
  mediaType: string;
  /** The bytes, base64 without whitespace and padded with `=`. */
  base64: string;
}

/**
 * A part's image: its type and its bytes, read as forgiving-base64 reads them. Only data URLs:
 * Bedrock does not fetch image URLs, and passing one through would ask a model server to fetch
 * an address a client chose. `where` names the part (`messages[0].content[1]`); the 400 for an
 * image that is no such URL, or whose base64 does not decode, names its URL.
 */
export function imageOf(url: string, where: string): ImageData {
  const param = `${where}.image_url.url`;
  const parts = dataUrlParts(url);
  if (!parts) {
    throw invalidRequest(
      `${where} has an image that is not a base64 data URL (data:image/png;base64,…): Bedrock does not fetch image URLs.`,
      param,
    );
  }
  const base64 = dataUrlBase64(parts.body);
  if (typeof base64 !== "string") {
    throw invalidRequest(`${where} has an image whose base64 does not decode: ${base64.problem}.`, param);
  }
  return { mediaType: parts.mediaType, base64 };
}

/** An image's base64 data URL as its MIME type (lower-cased) and its body, or undefined for any other URL. */
export function dataUrlParts(url: string): { mediaType: string; body: string } | undefined {
  const head = DATA_URL_HEAD.exec(url);
  return head ? { mediaType: head[1]!.toLowerCase(), body: url.slice(head[0].length) } : undefined;
}

/**
 * A data URL's base64 body as one canonical base64 (percent escapes read, whitespace removed,
 * padded), read as imageOf reads an image's: for the other files a request sends (documents).
 */
export function dataUrlBase64(body: string): string | { problem: string } {
  return canonicalBase64(percentDecoded(body));
}

/**
 * Every image's bytes, in order, as imageOf checks them, and the request with each image's URL as
 * it is sent on: `data:<type>;base64,<those bytes>`, which a model server's strict decoder takes
 * (vLLM's refuses line breaks and missing padding). The same request when it has no image.
 */
export function checkedImages(request: ChatCompletionRequest): { request: ChatCompletionRequest; images: string[] } {
  const images: string[] = [];
  const messages = request.messages.map((message, index) => {
    if (message.role !== "user" || typeof message.content === "string") return message;
    const content = message.content.map((part, position): ContentPart => {
      if (part.type !== "image_url") return part;
      const image = imageOf(part.image_url.url, `messages[${index}].content[${position}]`);
      images.push(image.base64);
      return { ...part, image_url: { ...part.image_url, url: `data:${image.mediaType};base64,${image.base64}` } };
    });
    return { ...message, content } satisfies UserMessage;
  });
  return { request: images.length ? { ...request, messages } : request, images };
}

/**
 * A data URL's body as WHATWG's data: URL processor reads it before decoding base64: each `%XX` the
 * byte it stands for (`%3D` is `=`), once; a `%` without two hex digits stays as it is (and then
 * is no base64). Bytes as the characters of the same codes, as its isomorphic decode reads them.
 * The text between escapes is copied whole and each escape decoded on its own, in one pass: a
 * replace callback cost about 1 µs an escape (a client may escape every byte: 3.6 MB of `%41`
 * took 1 s), and copying every character one by one made a large image with one escape 9 times
 * slower (codereview24).
 */
export function percentDecoded(body: string): string {
  let at = body.indexOf("%");
  if (at < 0) return body;
  const pieces: string[] = [];
  // Bytes of escapes that follow one another, made one string (every byte may be escaped).
  const bytes: number[] = [];
  const flush = () => {
    if (bytes.length) pieces.push(String.fromCharCode(...bytes));
    bytes.length = 0;
  };
  let from = 0;
  for (; at >= 0; at = body.indexOf("%", at + 1)) {
    const byte = escapeAt(body, at);
    if (byte < 0) continue;
    if (at > from) {
      flush();
      pieces.push(body.slice(from, at));
    }
    // String.fromCharCode takes its codes as arguments: far from any engine's limit.
    if (bytes.push(byte) === 8192) flush();
    from = at + 3;
    at += 2;
  }
  flush();
  pieces.push(body.slice(from));
  return pieces.join("");
}

/** The byte a `%` at `at` stands for when two hex digits follow it, or -1. */
function escapeAt(text: string, at: number): number {
  const high = hexDigit(text.charCodeAt(at + 1));
  const low = high < 0 ? -1 : hexDigit(text.charCodeAt(at + 2));
  return low < 0 ? -1 : high * 16 + low;
}

/** A hex digit's value, or -1 (for anything else, NaN past the text's end included). */
function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const lower = c | 32;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

/**
 * WHATWG's forgiving-base64, as browsers decode a data URL: whitespace removed, up to two `=` at
 * the end of a multiple of four taken off, and then only the alphabet, never 4n + 1 characters.
 * Written back padded, the one spelling every strict decoder takes.
 */
function canonicalBase64(text: string): string | { problem: string } {
  let data = text.replace(WHITESPACE, "");
  if (data.length % 4 === 0) data = data.replace(/==?$/, "");
  if (data === "") return { problem: "it is empty" };
  if (!BASE64.test(data)) {
    return {
      problem: data.includes("=")
        ? "its = padding is misplaced"
        : "it has characters other than A-Z, a-z, 0-9, + and /",
    };
  }
  if (data.length % 4 === 1) return { problem: "it has 4n + 1 characters" };
  return data + "=".repeat((4 - (data.length % 4)) % 4);
}
