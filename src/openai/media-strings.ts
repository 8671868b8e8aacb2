// Which strings of a request body are media data (an image's, a file's or an audio clip's base64),
// told by the body's scan (depth.ts) from the text alone, before anything is parsed: a model's
// larger max_body_bytes is room for these, and the rest of the body, its text, is held to
// MAX_TEXT_BYTES (worker/body.ts). Text costs 7 to 8 times its size to serve (templates, the
// neutraliser, the JSON sent on); base64 handed to Bedrock as it is costs far less. So a string
// counts as media only where OpenAI's request shapes put media, and only when it is a data URL or
// bare base64: anything else there is counted as text. Pure.
import { QUOTE } from "./json-chars.ts";

/** The keys that say where media is: 0 for any other. */
export const OTHER_KEY = 0;
const IMAGE_URL = 1;
const URL = 2;
const FILE_DATA = 3;
const DATA = 4;
const INPUT_AUDIO = 5;

const KEYS: ReadonlyArray<readonly [string, number]> = [
  ['"url"', URL],
  ['"data"', DATA],
  ['"image_url"', IMAGE_URL],
  ['"file_data"', FILE_DATA],
  ['"input_audio"', INPUT_AUDIO],
];

/** The key spanning `start`..`end` (quotes included), as one of the keys above; written plainly only. */
export function keyAt(text: string, start: number, end: number): number {
  const length = end - start;
  if (length < 5 || length > 13) return OTHER_KEY;
  for (const [key, id] of KEYS) {
    if (key.length === length && text.startsWith(key, start)) return id;
  }
  return OTHER_KEY;
}

/**
 * Whether a string value under `key`, in an object that is itself the value of `parentKey`, is
 * where media goes: chat's `image_url.url`, `file.file_data` and `input_audio.data`; the
 * Responses API's `image_url` and `file_data` strings (an image edit's JSON `image_url` too).
 */
export function isMediaPlace(key: number | undefined, parentKey: number | undefined): boolean {
  if (key === IMAGE_URL || key === FILE_DATA) return true;
  if (key === URL) return parentKey === IMAGE_URL;
  return key === DATA && parentKey === INPUT_AUDIO;
}

/** The most characters a data URL's head (`data:image/png;base64`) may take before its comma. */
const MAX_DATA_URL_HEAD = 256;

/**
 * Where a media string's base64 begins, for the string whose opening quote is at `quote`: after a
 * data URL's comma (a head of no quote or backslash), or right after the quote; -1 when the string
 * is a URL of another scheme (an https image: text).
 */
export function base64Start(text: string, quote: number): number {
  if (!text.startsWith("data:", quote + 1)) return quote;
  const end = Math.min(text.length, quote + 1 + MAX_DATA_URL_HEAD);
  for (let at = quote + 1; at < end; at++) {
    const c = text.charCodeAt(at);
    if (c === 44) return at;
    if (c === QUOTE || c === 92) return -1;
  }
  return -1;
}

/** A character of base64 (either alphabet, and its padding). */
export function isBase64Unit(c: number): boolean {
  return (
    (c >= 65 && c <= 90) ||
    (c >= 97 && c <= 122) ||
    (c >= 48 && c <= 57) ||
    c === 43 ||
    c === 47 ||
    c === 61 ||
    c === 45 ||
    c === 95
  );
}

/** What may follow a backslash in base64 as JSON writes it: an escaped slash, a line break. */
export function isBase64Escape(c: number): boolean {
  return c === 47 || c === 110 || c === 114;
}
