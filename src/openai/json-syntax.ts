// Where JSON text stops being JSON, found by our own reading of the grammar (RFC 8259, as
// JSON.parse takes it) rather than from JSON.parse's message: each engine words that message its
// own way (V8 in workerd, Node and Deno; JavaScriptCore in Bun), not always with a position, and
// V8 quotes the text around the error, while a message for a client or a log must say where a body
// broke without quoting any of it. Run only on text JSON.parse has already refused: a good body
// never pays for it.

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
} from "./json-chars.ts";

/** A place in JSON text: `offset` in UTF-16 units, `line` and `column` from 1. */
export interface JsonTextPosition {
  offset: number;
  line: number;
  column: number;
}

/** The first place JSON text cannot go on. */
export interface JsonSyntaxError extends JsonTextPosition {
  /** The text ended where the JSON needed more (`offset` is its length). */
  ended: boolean;
}

/** What may come next, outside strings, numbers and literals. */
type Expect =
  | "value"
  /** After `[`: a value or `]`. */
  | "value-or-close"
  /** After `{`: a key or `}`. */
  | "key-or-close"
  /** After a `,` in an object. */
  | "key"
  | "colon"
  /** After a value inside an array or object. */
  | "comma-or-close"
  /** After the top-level value: nothing but whitespace. */
  | "end";

const MINUS = 45;
const PLUS = 43;
const DOT = 46;
const ZERO = 48;
const U = 117;

function isDigit(c: number): boolean {
  return c >= ZERO && c <= ZERO + 9;
}

function isHex(c: number): boolean {
  // 0-9, A-F, a-f
  return isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

// What a JSON string may hold after a backslash, besides u and its four hex digits.
const ESCAPES = new Set(Array.from('"\\/bfnrt', (char) => char.charCodeAt(0)));

/**
 * Each token reader starts at its token's first character and returns the index after the token
 * when it is whole; else `~at` (that is, -(at + 1)), `at` being the first character that cannot
 * belong to it (the text's length when the text ran out).
 */
function readString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i + 1;
    if (c < 0x20) return ~i;
    if (c !== BACKSLASH) continue;
    const escaped = text.charCodeAt(++i);
    if (i >= text.length) return ~i;
    if (escaped === U) {
      for (let digit = 0; digit < 4; digit++) {
        if (++i >= text.length || !isHex(text.charCodeAt(i))) return ~i;
      }
    } else if (!ESCAPES.has(escaped)) {
      return ~i;
    }
  }
  return ~text.length;
}

function readDigits(text: string, start: number): number {
  let i = start;
  while (i < text.length && isDigit(text.charCodeAt(i))) i++;
  return i;
}

function readNumber(text: string, start: number): number {
  let i = text.charCodeAt(start) === MINUS ? start + 1 : start;
  // One zero, or a digit 1-9 and more digits.
  if (i >= text.length || !isDigit(text.charCodeAt(i))) return ~i;
  i = text.charCodeAt(i) === ZERO ? i + 1 : readDigits(text, i);
  if (text.charCodeAt(i) === DOT) {
    const fraction = readDigits(text, i + 1);
    if (fraction === i + 1) return ~fraction;
    i = fraction;
  }
  const exponentMark = text[i];
  if (exponentMark === "e" || exponentMark === "E") {
    i++;
    const sign = text.charCodeAt(i);
    if (sign === PLUS || sign === MINUS) i++;
    const exponent = readDigits(text, i);
    if (exponent === i) return ~exponent;
    i = exponent;
  }
  return i;
}

const LITERALS = ["true", "false", "null"] as const;

function readLiteral(text: string, start: number, literal: string): number {
  for (let k = 0; k < literal.length; k++) {
    // Past the end charCodeAt is NaN: the text ran out at its length.
    if (text.charCodeAt(start + k) !== literal.charCodeAt(k)) return ~(start + k);
  }
  return start + literal.length;
}

/** Reads the value starting at `start` when it is a string, number or literal: as the readers above. */
function readScalar(text: string, start: number): number | undefined {
  const c = text.charCodeAt(start);
  if (c === QUOTE) return readString(text, start);
  if (c === MINUS || isDigit(c)) return readNumber(text, start);
  const literal = LITERALS.find((word) => word.charCodeAt(0) === c);
  return literal === undefined ? undefined : readLiteral(text, start, literal);
}

/**
 * Where `text` first fails to be JSON; undefined when it is JSON. One pass and no recursion (the
 * open containers are a stack of their opening characters), however deep the text nests.
 */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const open: number[] = [];
  let expect: Expect = "value";
  let i = 0;
  const fail = (at: number) => located(text, at);
  const afterValue = (): Expect => (open.length ? "comma-or-close" : "end");

  for (;;) {
    while (i < text.length && isSpace(text.charCodeAt(i))) i++;
    if (i >= text.length) return expect === "end" ? undefined : fail(i);
    const c = text.charCodeAt(i);
    switch (expect) {
      case "end":
        return fail(i);
      case "colon":
        if (c !== COLON) return fail(i);
        expect = "value";
        i++;
        continue;
      case "comma-or-close": {
        const container = open[open.length - 1];
        if (c === COMMA) {
          expect = container === OPEN_BRACE ? "key" : "value";
          i++;
          continue;
        }
        if ((container === OPEN_BRACE && c !== CLOSE_BRACE) || (container === OPEN_BRACKET && c !== CLOSE_BRACKET)) {
          return fail(i);
        }
        open.pop();
        expect = afterValue();
        i++;
        continue;
      }
      case "key-or-close":
      case "key": {
        if (expect === "key-or-close" && c === CLOSE_BRACE) {
          open.pop();
          expect = afterValue();
          i++;
          continue;
        }
        if (c !== QUOTE) return fail(i);
        const end = readString(text, i);
        if (end < 0) return fail(~end);
        expect = "colon";
        i = end;
        continue;
      }
      case "value-or-close":
      case "value": {
        if (expect === "value-or-close" && c === CLOSE_BRACKET) {
          open.pop();
          expect = afterValue();
          i++;
          continue;
        }
        if (c === OPEN_BRACE || c === OPEN_BRACKET) {
          open.push(c);
          expect = c === OPEN_BRACE ? "key-or-close" : "value-or-close";
          i++;
          continue;
        }
        const end = readScalar(text, i);
        if (end === undefined) return fail(i);
        if (end < 0) return fail(~end);
        expect = afterValue();
        i = end;
        continue;
      }
    }
  }
}

function located(text: string, offset: number): JsonSyntaxError {
  return { ...positionIn(text, offset), ended: offset >= text.length };
}

/** Where `offset` is in `text`, as a person finds it: one pass over the lines before it. */
export function positionIn(text: string, offset: number): JsonTextPosition {
  let line = 1;
  let lineStart = 0;
  for (let at = text.indexOf("\n"); at !== -1 && at < offset; at = text.indexOf("\n", at + 1)) {
    line++;
    lineStart = at + 1;
  }
  return { offset, line, column: offset - lineStart + 1 };
}
