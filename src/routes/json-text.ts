// JSON text read where it stands, without parsing it into JavaScript values, for the tool-call
// parsers (tool-syntax.ts). A call's arguments go on as the model wrote them: JSON.parse then
// JSON.stringify would change what a double cannot hold (an id beyond 2^53 loses digits, 1e400
// becomes null). The text is the model's, so untrusted: single forward scans, no recursion.
import { MAX_JSON_DEPTH } from "../openai/depth.ts";
import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  isSpace,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
} from "../openai/json-chars.ts";

/**
 * The index just past the object or array that starts at `from` (string-aware bracket matching),
 * or -1 when none starts there, it never closes, or it nests deeper than MAX_JSON_DEPTH. It does
 * not validate what it spans: JSON.parse does.
 */
export function containerEnd(text: string, from: number): number {
  const first = text.charCodeAt(from);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) return -1;
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) i = stringEnd(text, i) - 1;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > MAX_JSON_DEPTH) return -1;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (--depth === 0) return i + 1;
    }
  }
  return -1;
}

/**
 * The text of the member `key` of the JSON object `text`, exactly as written, for text that
 * JSON.parse accepts (the scan trusts its syntax). Keys compare as JSON.parse reads them
 * (`"argu\u006dents"` is `arguments`), and a repeated key gives its last value, the one
 * JSON.parse keeps, so the text always matches the parsed value.
 */
export function memberText(text: string, key: string): string | undefined {
  let at = skipJsonSpace(text, 0);
  if (text.charCodeAt(at) !== OPEN_BRACE) return undefined;
  let found: string | undefined;
  at = skipJsonSpace(text, at + 1);
  while (text.charCodeAt(at) === QUOTE) {
    const keyEnd = stringEnd(text, at);
    const name: unknown = JSON.parse(text.slice(at, keyEnd));
    const colon = skipJsonSpace(text, keyEnd);
    if (text.charCodeAt(colon) !== COLON) return undefined;
    const start = skipJsonSpace(text, colon + 1);
    const end = valueEnd(text, start);
    if (end <= start) return undefined;
    if (name === key) found = text.slice(start, end);
    at = skipJsonSpace(text, end);
    if (text.charCodeAt(at) === COMMA) at = skipJsonSpace(text, at + 1);
  }
  return found;
}

/**
 * The texts of the elements of the JSON array `text`, exactly as written, for text that JSON.parse
 * accepts; undefined when it is not an array, or an element nests deeper than MAX_JSON_DEPTH.
 */
export function elementTexts(text: string): string[] | undefined {
  let at = skipJsonSpace(text, 0);
  if (text.charCodeAt(at) !== OPEN_BRACKET) return undefined;
  const elements: string[] = [];
  at = skipJsonSpace(text, at + 1);
  while (at < text.length && text.charCodeAt(at) !== CLOSE_BRACKET) {
    const end = valueEnd(text, at);
    if (end <= at) return undefined;
    elements.push(text.slice(at, end));
    at = skipJsonSpace(text, end);
    if (text.charCodeAt(at) === COMMA) at = skipJsonSpace(text, at + 1);
  }
  return elements;
}

/** The index just past the string whose opening quote is at `from` (the text's end if unclosed). */
function stringEnd(text: string, from: number): number {
  for (let i = from + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i + 1;
  }
  return text.length;
}

/** The index just past the value that starts at `from`: a string, a container, a number or a literal. */
function valueEnd(text: string, from: number): number {
  const first = text.charCodeAt(from);
  if (first === QUOTE) return stringEnd(text, from);
  if (first === OPEN_BRACE || first === OPEN_BRACKET) return containerEnd(text, from);
  let at = from;
  for (; at < text.length; at++) {
    const c = text.charCodeAt(at);
    if (isSpace(c) || c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET) break;
  }
  return at;
}

function skipJsonSpace(text: string, from: number): number {
  let at = from;
  while (at < text.length && isSpace(text.charCodeAt(at))) at++;
  return at;
}
