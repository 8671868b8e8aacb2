// The boundary of a multipart Content-Type, read as the runtime's own multipart parser reads it
// (a MIME type's parameters: split at `;` outside quoted strings, `\` escaping in a quoted value,
// names in any case, the first of a name kept). The proxy counts a body's parts with it before the
// runtime builds any, so the two must not read a header apart (redos43 #1: `boundary="a\"b"`, or
// `x="; boundary=z"; boundary=b`, let a regex count no parts where the runtime found 60,000).
// What a reader might still take two ways is refused: a boundary holding `"` or `\` (which RFC
// 2046 does not allow in one; quoted, with an escape of any character), or a character outside
// printable ASCII (its bytes depend on how a runtime encodes the header), and a header naming
// `boundary=` twice, anywhere.
import { invalidRequest } from "../src/core.ts";

/** The boundary a multipart/form-data Content-Type names; a 400 for none, or one that could be read two ways. */
export function multipartBoundary(type: string): string {
  if ((type.match(/boundary=/gi) ?? []).length > 1) {
    throw unreadBoundary("names boundary= more than once");
  }
  const boundary = mimeParameters(type).get("boundary");
  if (boundary === undefined) throw unreadBoundary("has no boundary parameter");
  if (!/^[\x20-\x7e]+$/.test(boundary) || /["\\]/.test(boundary)) {
    throw unreadBoundary("has a boundary holding a quote, a backslash or a character outside printable ASCII");
  }
  return boundary;
}

function unreadBoundary(why: string) {
  return invalidRequest(
    `The multipart body's Content-Type ${why}: send one boundary of letters, digits and '()+_,-./:=? (multipart/form-data, RFC 2046).`,
    null,
    "invalid_multipart",
  );
}

/**
 * A MIME type's parameters as the WHATWG MIME Sniffing standard parses them (the parser Response.formData
 * reads the Content-Type with): a plain scan, no regex, over a header a few KiB at most.
 */
function mimeParameters(type: string): Map<string, string> {
  const parameters = new Map<string, string>();
  let at = type.indexOf(";");
  while (at !== -1 && at < type.length) {
    at += 1;
    while (at < type.length && isWhitespace(type.charCodeAt(at))) at += 1;
    const nameEnd = nextOf(type, at, ";=");
    const name = type.slice(at, nameEnd).toLowerCase();
    at = nameEnd;
    if (at >= type.length) break;
    if (type[at] === ";") continue;
    at += 1;
    let value: string;
    if (type[at] === '"') {
      [value, at] = quotedString(type, at);
      at = nextOf(type, at, ";");
    } else {
      const valueEnd = nextOf(type, at, ";");
      value = type.slice(at, valueEnd).replace(/[\t\n\r ]+$/, "");
      at = valueEnd;
      if (value === "") continue;
    }
    if (name !== "" && /^[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(name) && !parameters.has(name)) parameters.set(name, value);
  }
  return parameters;
}

/**
 * A quoted string's text from its opening quote, its escapes kept as sent (so that a boundary with
 * any is refused: a reader that undid none would take another); the position past it.
 */
function quotedString(text: string, open: number): [string, number] {
  let at = open + 1;
  while (at < text.length) {
    at = nextOf(text, at, '"\\');
    if (text[at] === '"') return [text.slice(open + 1, at), at + 1];
    at += 2;
  }
  return [text.slice(open + 1), text.length];
}

/** The first position from `at` holding one of `stops`, else the text's length. */
function nextOf(text: string, at: number, stops: string): number {
  let index = at;
  while (index < text.length && !stops.includes(text[index] as string)) index += 1;
  return index;
}

function isWhitespace(char: number): boolean {
  return char === 0x20 || char === 0x09 || char === 0x0a || char === 0x0d;
}
