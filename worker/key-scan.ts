// The keys of an API_KEYS that is not valid JSON (a trailing comma, a `#` comment, JSON5's quotes),
// found by scanning its text. Every call is then a 500 and no key is accepted, but the text still
// holds the tenants' keys: each is redacted everywhere, and its holder is told that the
// configuration is wrong rather than that the key is. The scan errs toward redaction: every string
// that is a "key" member's value, or an item of its list however deeply nested (an object item's
// values too), an unquoted one that may be a key, and the text of a string whose closing quote is
// missing (the holder's real key). A member's name (a string followed by `:`) is never a key,
// unless it has a key's shape (a `:` typed for a `,`): "models" redacted would be cut out of every
// message.
//
// A loop over the characters rather than a regular expression per shape: a list holds strings,
// comments, nested brackets, objects and unquoted items in any order, and a loop that knows each
// reads every character once, however broken the text (a regular expression that tells them all
// apart is not one a reader can check, nor one that stays linear as it grows).
import { KEY_PREFIX, keyLike } from "./quote-value.ts";

// Where a "key" member's value begins: its name double-quoted as JSON writes it, or single-quoted
// or unquoted as JSON5 and JavaScript do (one reason a text is no JSON), or shell-escaped
// (`\"key\":`, a JSON text pasted from a quoted command line), then its colon.
const KEY_NAME = /(?:\\"key\\"|"key"|'key'|\bkey)\s*:\s*/g;

// A string's text between its quotes, in either quote: it runs over escapes, a line continuation
// (`\` then a line break, as JSON5 allows) included, and never over a bare line break, which no
// JSON or JSON5 string holds.
const IN_DOUBLE = String.raw`(?:[^"\\\r\n]|\\(?:\r\n|[\s\S]))*`;
const IN_SINGLE = String.raw`(?:[^'\\\r\n]|\\(?:\r\n|[\s\S]))*`;

// A string (to its closing quote, or its line's end when that is missing), a line comment (`//`,
// or `#` where an item may begin: after a space, a comma, a bracket, a colon or a string), or a
// block comment (to the text's end when it is not closed). A `#` that does not begin its line ends
// at the first `]` or `}` on it too (hashCommentEnd): a secret is one line, and a `#3` note in one
// tenant's list must not hide the rest of the text, other tenants' "key" members with it. A string
// may be single-quoted too, and continue on the next line: a URL's `//` or a glob's `/*` in one is
// no comment either, nor in an unquoted item (`https://x`, `team/*`, `team#3`: right after a
// letter or digit, or a URL's scheme), as scanList reads it.
const STRING_OR_COMMENT = new RegExp(
  String.raw`"${IN_DOUBLE}"?|'${IN_SINGLE}'?|(?<!\w:?)\/\/[^\r\n]*|(?<![^\r\n])[^\S\r\n]*#[^\r\n]*|(?<![^\s,[\]{}:"'])#[^\r\n\]}]*|(?<!\w)\/\*[\s\S]*?(?:\*\/|$)`,
  "g",
);

// The digits of a JSON5 (ES5) string's \xHH and \uHHHH escapes.
const HEX = /^[\dA-Fa-f]+$/;
const ESCAPED = new Map([
  ["b", "\b"],
  ["f", "\f"],
  ["n", "\n"],
  ["r", "\r"],
  ["t", "\t"],
  ["v", "\v"],
  ["0", "\0"],
]);
const LINE_BREAK = /^[\r\n\u2028\u2029]$/;
// The end of a string not closed on its line: a list's comma, a bracket, spaces, which no key ends with.
const UNCLOSED_TAIL = /[\s,\]}]/;
// What a string whose own closing quote is missing ends at, on its line: no key holds these.
const UNCLOSED_END = /[\s,\]}"']/;
// A string's text that ends so has a quote of its own missing: no key ends with a comma or a space.
const ENDS_UNCLOSED = /[\s,]$/;
// What ends an unquoted item (`sk-…`, `7`, `Bob's`, `https://x`): a quote or a colon in one does not.
const ITEM_END = /[\s,[\]{}]/;
// What ends an unquoted "key" value alone: a quote too, as no key holds one.
const VALUE_END = /[\s,[\]{}"']/;
// JSON5's unquoted member name: an identifier (no URL's `https:`, which `//` follows, is one alone).
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const WORD_CHARACTER = /\w/;
// The quotes a word processor types for `"` and `'`, around an unquoted item: no key holds them.
const SMART_OPENING = /^[\u201c\u2018]$/;
const SMART_CLOSING = /^[\u201d\u2019]$/;
// What follows a string's own closing quote, never a next string's opening one.
const CLOSING_FOLLOWS = /[\s,\]}]/;

/**
 * A key's shape: KEY_PREFIX's sk- and as long as keys are. A short name that begins so (`sk-lab`,
 * `SK-ops`) is a team's, and no setting's name (`models`, `rate_limit`) has it.
 */
export function keyShaped(name: string): boolean {
  return name.length >= 24 && KEY_PREFIX.test(name);
}

/** The text with its comments blanked; strings are passed over whole, so a URL's `//` is no comment. */
export function withoutComments(raw: string): string {
  return raw.replace(STRING_OR_COMMENT, (match) => (match.startsWith('"') || match.startsWith("'") ? match : " "));
}

/**
 * The keys of the text's "key" members, decoded: a string's, a list's each. The strings of a
 * comment are taken too (a key commented out is still a secret): the text without its comments
 * (withoutComments) tells those apart.
 */
export function keyMembers(raw: string): string[] {
  const found: string[] = [];
  const names = new RegExp(KEY_NAME);
  const inStringOrComment = stringOrCommentAround(raw);
  for (let match = names.exec(raw); match !== null; match = names.exec(raw)) {
    const at = match.index + match[0].length;
    const quote = raw[at];
    if (quote === '"' || quote === "'") {
      const string = readString(raw, at, raw.length);
      take(found, string);
      names.lastIndex = string.end;
    } else if (quote === "[") {
      // On from where the list ends, so no character of it is read again.
      names.lastIndex = scanList(raw, at + 1, found);
    } else if (quote === "#") {
      // On from the comment's end, so a comment of `key:#` repeated is read once.
      names.lastIndex = commentStrings(raw, at, hashCommentEnd(raw, at), found);
    } else if (at < raw.length && !ITEM_END.test(quote ?? "")) {
      // Unquoted (`"key": sk-…`, quotes forgotten), read as a list's unquoted item is, to a quote
      // too: one after a key alone (`"key": sk-…"`) is its own, the opening one forgotten.
      // A `key:` in a note or a comment is prose (`old key: https://…`): its next word is a key only
      // when it has a key's shape, which no URL or model id has.
      // One shell-escaped or in smart quotes runs to a bracket or a comma, its quotes then cut.
      const end = itemEnd(raw, at, quote === "\\" || SMART_OPENING.test(quote ?? "") ? ITEM_END : VALUE_END);
      const value = unwrapped(raw.slice(at, end));
      if (keyShaped(value) || (keyLike(value) && !inStringOrComment(match.index))) found.push(value);
      names.lastIndex = end;
    }
  }
  return found;
}

/**
 * Whether an index is inside a string or a comment of the text (past its first character), as
 * STRING_OR_COMMENT reads them. Asked of indices that only grow: one pass over the text in all.
 */
function stringOrCommentAround(raw: string): (index: number) => boolean {
  const spans = new RegExp(STRING_OR_COMMENT);
  let span = spans.exec(raw);
  return (index) => {
    while (span !== null && span.index + span[0].length <= index) span = spans.exec(raw);
    return span !== null && span.index < index;
  };
}

/** A string from its opening quote: its text as written, where it ends, and whether it was closed. */
interface StringRead {
  literal: string;
  end: number;
  closed: boolean;
  /**
   * Where a list's scan goes on: `end`, but for a string ended before a quote (its own closing
   * one missing) the cut its key ends at, so a `]` it skipped still ends the list (`["sk-…], models:`
   * on one line); or past that quote when only a bracket, a comma or a space follows it, as it is
   * then the string's own closing quote after a space or a comma typed in (`["sk-… "], models:`).
   */
  next: number;
}

/**
 * The string whose quote is at `start`, read to its closing quote, else to its line's end or
 * `limit` (a comment's end): escapes and line continuations are passed over, never a bare line break.
 * A quote followed by a word (`"sk-…,"models"`), or after a comma or a space (`"sk-…, "sk-…"`), is
 * the next string's opening one, on a one-line text (a secret's value): this string's own is
 * missing. It then ends at its first comma, space or bracket, and the quote is read again.
 */
function readString(raw: string, start: number, limit: number): StringRead {
  const quote = raw[start];
  let at = start + 1;
  while (at < limit) {
    const character = raw[at];
    if (character === quote) {
      const literal = raw.slice(start + 1, at);
      if (!WORD_CHARACTER.test(raw[at + 1] ?? "") && !ENDS_UNCLOSED.test(literal)) {
        return { literal, end: at + 1, closed: true, next: at + 1 };
      }
      const leading = literal.length - literal.trimStart().length;
      const key = beforeUnclosedEnd(literal);
      const next = CLOSING_FOLLOWS.test(raw[at + 1] ?? " ") ? at + 1 : start + 1 + leading + key.length;
      // A `\` before the quote that ended it (`"sk-…\"},`) escaped the key's own closing quote.
      return { literal: key.endsWith("\\") ? key.slice(0, -1) : key, end: at, closed: false, next };
    }
    if (character === "\n" || character === "\r") break;
    at += character === "\\" ? (raw.startsWith("\r\n", at + 1) ? 3 : 2) : 1;
  }
  const end = Math.min(at, limit);
  return { literal: raw.slice(start + 1, end), end, closed: false, next: end };
}

/**
 * A string's key, decoded as JSON5 does (a superset of JSON's escapes): one not closed on its line
 * without the list's comma or bracket its line goes on to, since its holder sends the key without them.
 */
function take(found: string[], { literal, closed }: StringRead): void {
  const key = json5String(closed ? literal : withoutTail(literal)).trim();
  if (key !== "") found.push(key);
}

/**
 * Reads a "key" list from just after its `[`, taking its keys into `found`; returns where the list
 * ends. That is its closing bracket, or, when it is missing, where the entry's next member (a name
 * then `:`) or the entry's end (a `}` of the list's own level) begins, so neither the next member's
 * name nor its values are taken. Nested lists and object items are entered, their strings taken
 * and their field names not (a key-shaped one is a key: a `:` typed for a `,`). A comment (`//`,
 * `/* *\/`, or `#` where an item begins, on its own line or after an item) ends nothing and its
 * strings are taken: its words are not, a model's id or a URL in a note being no key.
 */
function scanList(raw: string, start: number, found: string[]): number {
  // The brackets open, innermost last: a name then `:` in an object is its field's, elsewhere the next member's.
  const open = ["["];
  let at = start;
  while (at < raw.length && open.length > 0) {
    const character = raw[at] ?? "";
    if (/\s/.test(character)) {
      at += 1;
      continue;
    }
    if (character === '"' || character === "'") {
      const string = readString(raw, at, raw.length);
      // A key-shaped name is a key whose `,` was typed `:`: no member is so named, and the list goes on.
      const key = !(string.closed && colonAfter(raw, string.end)) || keyShaped(string.literal);
      if (!key && open.at(-1) !== "{") return at;
      if (key) take(found, string);
      at = string.next;
    } else if (character === "[" || character === "{") {
      open.push(character);
      at += 1;
    } else if (character === "]") {
      open.pop();
      at += 1;
    } else if (character === "}") {
      if (open.length === 1) return at;
      open.pop();
      at += 1;
    } else if (character === "," || character === ":") {
      at += 1;
    } else if (raw.startsWith("//", at)) {
      at = commentStrings(raw, at, lineEnd(raw, at), found);
    } else if (character === "#") {
      at = commentStrings(raw, at, hashCommentEnd(raw, at), found);
    } else if (raw.startsWith("/*", at)) {
      const close = raw.indexOf("*/", at + 2);
      at = commentStrings(raw, at, close < 0 ? raw.length : close, found) + (close < 0 ? 0 : 2);
    } else {
      const end = itemEnd(raw, at);
      const item = unwrapped(raw.slice(at, end));
      const name = item.endsWith(":") ? item.slice(0, -1) : colonAfter(raw, end) ? item : undefined;
      // JSON5's unquoted member name: the next member when the list's bracket is missing.
      if (name !== undefined && IDENTIFIER.test(name) && open.at(-1) !== "{") return at;
      if (name === undefined ? keyLike(item) : keyShaped(name)) found.push(name ?? item);
      at = end;
    }
  }
  return at;
}

/**
 * Takes the strings of a comment (from `start` to `end`), each a key unless it is a member's name:
 * a key commented out of a list is still a secret. A quote inside a word (`Bob's`) opens none.
 * Returns `end`: the comment is passed over whole, a `]` in it ending nothing.
 */
function commentStrings(raw: string, start: number, end: number, found: string[]): number {
  let at = start;
  while (at < end) {
    const character = raw[at];
    if ((character === '"' || character === "'") && !WORD_CHARACTER.test(raw[at - 1] ?? "")) {
      const string = readString(raw, at, end);
      if (!(string.closed && colonAfter(raw, string.end)) || keyShaped(string.literal)) take(found, string);
      at = string.end;
    } else {
      at += 1;
    }
  }
  return end;
}

/** An unquoted item without the shell-escaped (`\"…\"`) or smart quotes around it: its holder sends neither. */
function unwrapped(item: string): string {
  const from = item.startsWith('\\"') ? 2 : SMART_OPENING.test(item[0] ?? "") ? 1 : 0;
  const to = item.endsWith('\\"')
    ? item.length - 2
    : SMART_CLOSING.test(item.at(-1) ?? "")
      ? item.length - 1
      : item.length;
  return item.slice(from, Math.max(from, to));
}

/** The text of a string whose closing quote is missing, up to what no key holds (past leading spaces). */
function beforeUnclosedEnd(literal: string): string {
  const text = literal.trimStart();
  const end = text.search(UNCLOSED_END);
  return end < 0 ? text : text.slice(0, end);
}

/** The text without its trailing commas, brackets and spaces: a loop, as `/[…]+$/` goes back over each run. */
function withoutTail(literal: string): string {
  let end = literal.length;
  while (end > 0 && UNCLOSED_TAIL.test(literal[end - 1] ?? "")) end -= 1;
  return literal.slice(0, end);
}

/** Whether what follows `at`, past spaces, is a colon: what was before it is a member's name. */
function colonAfter(raw: string, at: number): boolean {
  let next = at;
  while (next < raw.length && /\s/.test(raw[next] ?? "")) next += 1;
  return raw[next] === ":";
}

/**
 * Where the `#` comment at `at` ends: its line's end when it begins its line (past spaces), else
 * also its list's or object's `]` or `}` on that line, whichever comes first, as STRING_OR_COMMENT
 * reads it. Never before `at + 1`, and a scan of the comment's own characters only: linear.
 */
function hashCommentEnd(raw: string, at: number): number {
  let start = at;
  while (start > 0 && (raw[start - 1] === " " || raw[start - 1] === "\t")) start -= 1;
  const ownLine = start === 0 || raw[start - 1] === "\n" || raw[start - 1] === "\r";
  let end = at + 1;
  while (
    end < raw.length &&
    raw[end] !== "\n" &&
    raw[end] !== "\r" &&
    (ownLine || (raw[end] !== "]" && raw[end] !== "}"))
  ) {
    end += 1;
  }
  return end;
}

function lineEnd(raw: string, at: number): number {
  let end = at;
  while (end < raw.length && raw[end] !== "\n" && raw[end] !== "\r") end += 1;
  return end;
}

function itemEnd(raw: string, at: number, ends = ITEM_END): number {
  let end = at + 1;
  while (end < raw.length && !ends.test(raw[end] ?? "")) end += 1;
  return end;
}

/**
 * A string's text between its quotes, escapes decoded as JSON5 (ES5) does, a superset of JSON's:
 * \xHH, \uHHHH, a line continuation (\ then a line break: nothing), or one character, itself
 * unless it is one of ESCAPED's. A loop over the escapes rather than a replace with a callback, a
 * call each: a string of half a million escapes took 400 ms so, 10 ms this way.
 */
function json5String(literal: string): string {
  const parts: string[] = [];
  let from = 0;
  for (let at = literal.indexOf("\\"); at >= 0 && at + 1 < literal.length; at = literal.indexOf("\\", from)) {
    parts.push(literal.slice(from, at));
    const escaped = literal[at + 1] ?? "";
    const hex = escaped === "x" ? 2 : escaped === "u" ? 4 : 0;
    const code = literal.slice(at + 2, at + 2 + hex);
    if (hex > 0 && code.length === hex && HEX.test(code)) {
      parts.push(String.fromCharCode(Number.parseInt(code, 16)));
      from = at + 2 + hex;
    } else if (literal.startsWith("\r\n", at + 1)) {
      from = at + 3;
    } else {
      parts.push(LINE_BREAK.test(escaped) ? "" : (ESCAPED.get(escaped) ?? escaped));
      from = at + 2;
    }
  }
  parts.push(literal.slice(from));
  return parts.join("");
}
