// Which strings of a request body are media data (an image's, a file's or an audio clip's base64),
// told by the body's scan (depth.ts) from the text alone, before anything is parsed: a model's
// larger max_body_bytes is room for these, and the rest of the body, its text, is held to
// MAX_TEXT_BYTES (worker/body.ts). Text costs 7 to 8 times its size to serve (templates, the
// neutraliser, the JSON sent on); base64 handed to Bedrock as it is costs far less. So a string
// counts as media only at the paths where the endpoint's own parsers read media from (a key of the
// same name in a tool's schema, response_format or metadata is text: codereview48b #1), and only
// the base64 after a data URL's head, which the parsers take as they do. Pure.

/** The keys a media place's path is made of: 0 for any other. */
export const OTHER_KEY = 0;
const IMAGE_URL = 1;
const URL = 2;
const FILE_DATA = 3;
const DATA = 4;
const INPUT_AUDIO = 5;
const MESSAGES = 6;
const CONTENT = 7;
const FILE = 8;
const INPUT = 9;
const IMAGES = 10;
const IMAGE = 11;
const MASK = 12;
/** A path's step into an array's item. */
const ITEM = -1;

// A map, not a list to walk: the body's scan asks for every key it reads (a walk took an
// iterator, and one per entry, each time).
const KEYS: ReadonlyMap<string, number> = new Map([
  ['"url"', URL],
  ['"data"', DATA],
  ['"image_url"', IMAGE_URL],
  ['"file_data"', FILE_DATA],
  ['"input_audio"', INPUT_AUDIO],
  ['"messages"', MESSAGES],
  ['"content"', CONTENT],
  ['"file"', FILE],
  ['"input"', INPUT],
  ['"images"', IMAGES],
  ['"image"', IMAGE],
  ['"mask"', MASK],
]);

/** The key spanning `start`..`end` (quotes included), as one of the keys above; written plainly only. */
export function keyAt(text: string, start: number, end: number): number {
  const length = end - start;
  if (length < 5 || length > 13) return OTHER_KEY;
  return KEYS.get(text.slice(start, end)) ?? OTHER_KEY;
}

/**
 * Where one endpoint's requests hold media: paths from the body's top (keys, and ITEM for an
 * array's item), each ending at a string.
 */
export type MediaPlaces = ReadonlyArray<readonly number[]>;

/** No media: every string is text (the endpoints that take none, and JSON text inside a string). */
export const NO_MEDIA: MediaPlaces = [];

/**
 * Chat's content parts (openai/schema.ts, routes/images.ts): `image_url.url`, `file.file_data`,
 * `input_audio.data`, in `messages[i].content[j]`.
 */
export const CHAT_MEDIA: MediaPlaces = [
  [MESSAGES, ITEM, CONTENT, ITEM, IMAGE_URL, URL],
  [MESSAGES, ITEM, CONTENT, ITEM, FILE, FILE_DATA],
  [MESSAGES, ITEM, CONTENT, ITEM, INPUT_AUDIO, DATA],
];

/** The Responses API's input_image and input_file parts (responses/request.ts), in `input[i].content[j]`. */
export const RESPONSES_MEDIA: MediaPlaces = [
  [INPUT, ITEM, CONTENT, ITEM, IMAGE_URL],
  [INPUT, ITEM, CONTENT, ITEM, FILE_DATA],
];

/**
 * A JSON image edit (worker/image-edit-json.ts): `images[i].image_url`, `mask.image_url`, and the
 * library's own `image` (a data URL, or an array of one), which it passes on.
 */
export const EDIT_MEDIA: MediaPlaces = [[IMAGES, ITEM, IMAGE_URL], [MASK, IMAGE_URL], [IMAGE], [IMAGE, ITEM]];

/**
 * Whether a string value at `depth` is at one of `places`: `keys[d]` is the last key read in the
 * object open at depth d, and `arrays[d]` whether the container open there is an array.
 */
export function isMediaPlace(
  places: MediaPlaces,
  depth: number,
  keys: readonly number[],
  arrays: (d: number) => boolean,
): boolean {
  for (const path of places) {
    if (path.length !== depth) continue;
    let d = 1;
    for (; d <= depth; d++) {
      const step = path[d - 1];
      if (arrays(d) ? step !== ITEM : step !== keys[d]) break;
    }
    if (d > depth) return true;
  }
  return false;
}

/**
 * The most characters a data URL's head (`data:image/png;base64`) may take before its comma: the
 * parsers read one from their first 512 (file-part.ts); real heads take 20 to 40.
 */
const MAX_DATA_URL_HEAD = 256;

// As routes/images.ts and file-part.ts read a data URL's head (any case), stopping at the JSON
// string's end or an escape: what follows one is text.
const DATA_URL_HEAD = /^data:[a-z0-9.+-]+\/[a-z0-9.+-]+(?:;[a-z0-9!#$&^_.+-]+=[^;,"\\]*)*;base64,/i;

/**
 * Where a media string's base64 begins (its data URL's comma), for the string whose opening quote
 * is at `quote`; -1 when the string is no base64 data URL as the parsers read one: `data:`, a MIME
 * type, RFC 2397's parameters (`;name=a.png`), `;base64,`. A bare base64 string or a URL of another
 * scheme is text: the parsers refuse both.
 */
export function base64Start(text: string, quote: number): number {
  const head = DATA_URL_HEAD.exec(text.slice(quote + 1, quote + 1 + MAX_DATA_URL_HEAD));
  return head ? quote + head[0].length : -1;
}

/**
 * A character of a data URL's base64 as the parsers decode it (routes/images.ts): the standard
 * alphabet and its padding, a space (forgiving-base64 drops ASCII whitespace), and `%`, which with
 * two hex digits they read as the byte it stands for.
 */
export function isBase64Unit(c: number): boolean {
  return (
    (c >= 48 && c <= 57) ||
    ((c | 32) >= 97 && (c | 32) <= 122) ||
    c === 43 ||
    c === 47 ||
    c === 61 ||
    c === 32 ||
    c === 37
  );
}

/**
 * What may follow a backslash in base64 as JSON writes it: an escaped slash, and the whitespace
 * the parsers drop (`\n`, `\r`, `\t`, `\f`).
 */
export function isBase64Escape(c: number): boolean {
  return c === 47 || c === 110 || c === 114 || c === 116 || c === 102;
}
