// What Hugging Face's Python chat-template rendering does to strings and JSON, done in
// TypeScript: the built-in renderers must give byte for byte what `apply_chat_template` gives.

/** Characters Python's `str.isspace()` accepts: what `str.strip()` and Jinja's `trim` remove. */
const PYTHON_WHITESPACE = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003,
  0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

/** `text.strip('\n')`'s set, for the built-in templates. */
const NEWLINE = new Set([0x0a]);

/**
 * Python's `str.strip()` (Jinja's `trim`). Unlike `String.prototype.trim` it removes U+001C–U+001F
 * and U+0085, and keeps U+FEFF.
 */
export function pythonStrip(text: string): string {
  return stripSet(text, PYTHON_WHITESPACE, "strip");
}

/** Python's `text.lstrip('\n')`. */
export function lstripNewlines(text: string): string {
  return stripSet(text, NEWLINE, "lstrip");
}

/** Python's `text.rstrip('\n')`. */
export function rstripNewlines(text: string): string {
  return stripSet(text, NEWLINE, "rstrip");
}

/** Python's `text.strip('\n')`. */
export function stripNewlines(text: string): string {
  return stripSet(text, NEWLINE, "strip");
}

/**
 * Python's `text.strip(chars)`, `lstrip(chars)` or `rstrip(chars)` (`side`): `chars` is a set of
 * characters, taken by code point; none means whitespace, as `str.isspace()` has it.
 */
export function pythonStripChars(text: string, chars: string | null, side: "strip" | "lstrip" | "rstrip"): string {
  return stripSet(text, chars === null ? PYTHON_WHITESPACE : charSet(chars), side);
}

/** What `stripSet` asks of its characters: a Set, or a short list searched through. */
interface CodePoints {
  has(code: number): boolean;
}

// A short `chars` (the official templates pass '\n') is searched through, and a long one's Set is
// kept for the next call: a template may strip in a loop with request content as `chars`, and
// building its Set on every call cost 200 times Python's time (60,000 characters, 200 calls:
// 4.3 s; codereview49c #3).
const SHORT_CHARS = 16;
let lastChars = "";
let lastSet: ReadonlySet<number> = new Set();

function charSet(chars: string): CodePoints {
  if (chars.length <= SHORT_CHARS) {
    const codes = Array.from(chars, (char) => char.codePointAt(0)!);
    return { has: (code) => codes.includes(code) };
  }
  if (chars !== lastChars) {
    lastSet = new Set(Array.from(chars, (char) => char.codePointAt(0)!));
    lastChars = chars;
  }
  return lastSet;
}

function stripSet(text: string, set: CodePoints, side: "strip" | "lstrip" | "rstrip"): string {
  let start = 0;
  let end = text.length;
  if (side !== "rstrip") {
    while (start < end) {
      const code = text.codePointAt(start)!;
      if (!set.has(code)) break;
      start += code > 0xffff ? 2 : 1;
    }
  }
  if (side !== "lstrip") {
    while (end > start) {
      // The last code point: a surrogate pair read from its first half.
      const pair = end - start > 1 && text.codePointAt(end - 2)! > 0xffff;
      if (!set.has(text.codePointAt(pair ? end - 2 : end - 1)!)) break;
      end -= pair ? 2 : 1;
    }
  }
  return text.slice(start, end);
}

/** Python's `text.split(separator)[0]`: the text before the first separator. */
export function beforeFirst(text: string, separator: string): string {
  const at = text.indexOf(separator);
  return at < 0 ? text : text.slice(0, at);
}

/** Python's `text.split(separator)[-1]`: the text after the last separator. */
export function afterLast(text: string, separator: string): string {
  const at = text.lastIndexOf(separator);
  return at < 0 ? text : text.slice(at + separator.length);
}

/**
 * `json.dumps(value, ensure_ascii=False)` as Hugging Face's `tojson` filter calls it: `", "` and
 * `": "` separators, keys in their given order, non-ASCII characters written as they are.
 * Numbers follow Python too: integral values print as integers (JSON `1.0` reaches JavaScript as
 * `1`, so Python's `1.0` cannot be told apart), other values as Python's float `repr`.
 * With `indent` (`tojson(indent=4)`), every member goes on its own line and the item separator
 * loses its space, as Python's `json.dumps(..., indent=4)` writes it; empty containers stay `{}`/`[]`.
 */
export function pythonJsonDumps(value: unknown, indent?: number): string {
  return dumps(value, indent === undefined ? undefined : " ".repeat(indent), "");
}

function dumps(value: unknown, indent: string | undefined, outer: string): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return pythonNumber(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") return pythonJsonString(value);
  const inner = indent === undefined ? outer : outer + indent;
  if (Array.isArray(value))
    return container(
      "[",
      "]",
      value.map((item: unknown) => dumps(item, indent, inner)),
      indent,
      outer,
    );
  if (typeof value === "object") {
    const entries: string[] = [];
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined || typeof item === "function" || typeof item === "symbol") continue;
      entries.push(`${pythonJsonString(key)}: ${dumps(item, indent, inner)}`);
    }
    return container("{", "}", entries, indent, outer);
  }
  return "null";
}

function container(open: string, close: string, items: string[], indent: string | undefined, outer: string): string {
  if (items.length === 0) return open + close;
  if (indent === undefined) return `${open}${items.join(", ")}${close}`;
  const inner = outer + indent;
  return `${open}\n${inner}${items.join(`,\n${inner}`)}\n${outer}${close}`;
}

/**
 * Integral values below this are written as integers even beyond 2^53: JavaScript itself writes
 * them in plain digits, and such a literal in a schema is an integer bound (int64's and uint64's
 * are near 1e19), where one from here up is most likely a float's (3.4e38, 1.8e308).
 */
const PLAIN_INTEGER_LIMIT = 1e21;

/**
 * A JavaScript number as Python would have parsed it from JSON: an integral value was an int
 * (beyond 2^53 its literal's last digits were lost at `JSON.parse`, but it stays an integer, as
 * Python writes it, never `9.223372036854776e+18`); the rest were floats, printed exactly as
 * Python prints them.
 */
function pythonNumber(value: number): string {
  if (Number.isSafeInteger(value)) return String(value);
  if (Number.isInteger(value) && Math.abs(value) < PLAIN_INTEGER_LIMIT) return BigInt(value).toString();
  return pythonFloat(value);
}

/** A Python float as `json.dumps` writes it: its `repr`, or `NaN` / `Infinity` / `-Infinity`. */
function pythonFloat(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "Infinity";
  if (value === -Infinity) return "-Infinity";
  return pythonFloatRepr(value);
}

/** Python's `repr(float)`: shortest round-trip digits, exponent form below 1e-4 and from 1e16 up. */
function pythonFloatRepr(value: number): string {
  const [mantissa = "0", exponentText = "0"] = value.toExponential().split("e");
  const exponent = Number(exponentText);
  const digits = mantissa.replace("-", "").replace(".", "");
  const sign = value < 0 || Object.is(value, -0) ? "-" : "";
  if (exponent < -4 || exponent >= 16) {
    const head = digits.length > 1 ? `${digits.slice(0, 1)}.${digits.slice(1)}` : digits;
    const power = String(Math.abs(exponent)).padStart(2, "0");
    return `${sign}${head}e${exponent < 0 ? "-" : "+"}${power}`;
  }
  if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, "0");
  const fraction = digits.slice(exponent + 1);
  return `${sign}${whole}.${fraction === "" ? "0" : fraction}`;
}

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
};

/** A JSON string as Python writes it with `ensure_ascii=False`: only `"`, `\` and C0 controls escaped. */
function pythonJsonString(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: C0 controls are exactly what json.dumps escapes.
  const escaped = text.replace(/["\\\u0000-\u001f]/g, (char) => {
    return SHORT_ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
  return `"${escaped}"`;
}

/**
 * `JSON.parse` of the text as Python's `json.loads` reads it, for its validity and its shape only:
 * json.loads also takes the values `NaN`, `Infinity` and `-Infinity` (what its `json.dumps` writes
 * for such floats, so a Python client's tool-call arguments may hold them), read here as null.
 * Their names are replaced in strings too, in one native pass, but never after a backslash: `\N`
 * and `\I` are invalid escapes, which `\null` would make valid (codereview49c #1). So a string
 * stays a string, valid or not as before, and only the values of strings that name them differ
 * from json.loads'. Throws where json.loads raises.
 */
export function parsePythonJsonShape(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    if (!/NaN|Infinity/.test(text)) throw error;
    return JSON.parse(text.replace(/(?<!\\)(?:-?Infinity|NaN)/g, "null"));
  }
}

/**
 * `json.dumps(json.loads(text), ensure_ascii=False)` straight from JSON text, for text that
 * `json.loads` accepts. Unlike a round trip through JavaScript values it keeps what Python keeps:
 * `2.0` and `1e21` stay floats (`2.0`, `1e+21`), big integers keep every digit, and a repeated key
 * keeps its first place with its last value.
 */
export function pythonJsonFromText(text: string): string {
  const scalar = /true|false|null|NaN|-?Infinity|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  let at = 0;
  const skipWhitespace = (): void => {
    while (at < text.length && " \t\n\r".includes(text.charAt(at))) at++;
  };
  const readString = (): string => {
    const start = at;
    at++;
    while (text.charAt(at) !== '"') at += text.charAt(at) === "\\" ? 2 : 1;
    at++;
    return JSON.parse(text.slice(start, at)) as string;
  };
  const readValue = (): string => {
    skipWhitespace();
    const char = text.charAt(at);
    if (char === "{") {
      at++;
      const members = new Map<string, string>();
      skipWhitespace();
      while (text.charAt(at) !== "}") {
        skipWhitespace();
        const key = readString();
        skipWhitespace();
        at++; // ':'
        members.set(key, readValue());
        skipWhitespace();
        if (text.charAt(at) === ",") at++;
      }
      at++;
      return `{${Array.from(members, ([key, value]) => `${pythonJsonString(key)}: ${value}`).join(", ")}}`;
    }
    if (char === "[") {
      at++;
      const items: string[] = [];
      skipWhitespace();
      while (text.charAt(at) !== "]") {
        items.push(readValue());
        skipWhitespace();
        if (text.charAt(at) === ",") at++;
      }
      at++;
      return `[${items.join(", ")}]`;
    }
    if (char === '"') return pythonJsonString(readString());
    scalar.lastIndex = at;
    const literal = scalar.exec(text)?.[0] ?? "";
    at += literal.length;
    // The names (true, false, null, NaN, Infinity, -Infinity) are written as they are read.
    if (!/\d/.test(literal)) return literal;
    if (/[.eE]/.test(literal)) return pythonFloat(Number(literal));
    return literal === "-0" ? "0" : literal;
  };
  parsePythonJsonShape(text); // only what json.loads reads goes on: the reader above trusts its syntax
  return readValue();
}

/** Python's `bool(value)` for a JSON value: what Jinja's `if` makes of a template variable. */
export function pythonTruthy(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (Array.isArray(value) || typeof value === "string") return value.length > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return Boolean(value);
}
