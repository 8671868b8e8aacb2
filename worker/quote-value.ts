// How a configuration problem shows a binding's value. Problems reach /health, every 500 a key
// that may read them gets, and the log; and a value in the wrong binding may be a secret (two
// dashboard fields swapped put the AWS secret access key in AWS_REGION). So a value is quoted
// only when it is short enough to be what its setting wants and has no key's shape; otherwise
// only its length is told.
import { redactSecrets } from "../src/core.ts";

/** How OpenAI's keys and this proxy's examples begin. */
export const KEY_PREFIX = /^sk-/i;

/** Keys are long, or sk-…: a name, or a word of a value, like that may be a key. */
export function keyLike(word: string): boolean {
  return word.length >= 24 || KEY_PREFIX.test(word);
}

/** What keys, tokens and secret access keys are made of never includes these (base64 and base64url do not). */
const NOT_KEY_CHARACTERS = /[^A-Za-z0-9+/=_-]+/;

/** As long as a setting of one word may be: an AWS region, a whole number, true or false. */
const WORD_LENGTH = 20;
/** As long as a name (a header's, a model's) is. */
export const NAME_LENGTH = 64;
/** As long as an origin or a base URL is: longer ones are not quoted. */
export const URL_LENGTH = 100;

/**
 * Whether text may hold a secret: an AWS key id, a Bedrock API key, a signature (the library's
 * redaction shapes), or a word keys are made of that is as long as a key or begins as one.
 */
export function mayBeSecret(text: string, separators = NOT_KEY_CHARACTERS): boolean {
  return redactSecrets(text) !== text || text.split(separators).some(keyLike);
}

function redacted(text: string): string {
  return `[redacted: ${text.length} characters]`;
}

/** What a value is, in words, for a binding of the wrong type (never the value: it may be a key). */
export function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "boolean") return "true or false";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/**
 * A binding's value as a problem may show it: a short string quoted (`"mars-1"`), a number or
 * boolean as it is, anything else by its kind; a longer value, or one shaped like a key, as
 * `[redacted: 40 characters]`.
 */
export function quoteValue(value: unknown, maxLength = WORD_LENGTH): string {
  if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") return kindOf(value);
  const text = String(value);
  if (text.length > maxLength || mayBeSecret(text)) return redacted(text);
  return typeof value === "string" ? JSON.stringify(text) : text;
}

// A host's labels and a path's segments: a key has none of these separators but "/" (an AWS
// secret access key holds some), so only a value that reads as an http(s) URL is cut on them.
const URL_SEPARATORS = /[^A-Za-z0-9+=_]+/;
// A UUID, which some keys are, keeps its shape across the labels it would be cut into.
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/**
 * An origin or a URL setting's value, as quoteValue shows a value, but one that reads as an
 * http(s) URL is judged by its host's labels and path's segments: a VPC endpoint's id or a long
 * preview host is no key, and the operator must see which entry is wrong.
 */
export function quoteUrl(value: string): string {
  const url = value.length <= URL_LENGTH && /^https?:\/\/[^/@]+/i.test(value) && !UUID.test(value);
  if (!url) return quoteValue(value, URL_LENGTH);
  return mayBeSecret(value, URL_SEPARATORS) ? redacted(value) : JSON.stringify(value);
}
