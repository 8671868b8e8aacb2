// A JSON instance for a JSON Schema: what guided decoding makes a model write when a request
// constrains the answer (response_format json_schema, structured_outputs.json, tool arguments).
// Deterministic and plausible, for the subset of JSON Schema that real tools use: type,
// properties, required, additionalProperties, enum, const, items / prefixItems, minItems /
// maxItems, uniqueItems, anyOf / oneOf / allOf, $ref into $defs / definitions, string formats,
// minLength / maxLength / pattern, numbers within minimum / maximum / multipleOf. Keywords
// outside it (if / then / else, not, patternProperties, dependencies) are ignored.

import { advanceCodePoints, countCodePoints } from "./code-points.ts";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

type Schema = Record<string, unknown>;

/** Deeper than this, objects keep only their required properties and arrays their minimum. */
const FULL_DEPTH = 6;
/** A recursive schema that still requires more below this depth cannot be satisfied finitely. */
const MAX_DEPTH = 32;
const DEFAULT_ARRAY_ITEMS = 1;
/**
 * Values (and allOf parts) one instance may take. The depth limit alone does not bound the work: a
 * schema whose every level requires two of itself (`{"items": {"$ref": "#"}, "minItems": 2}`)
 * reaches it only after 2^32 values. Real schemas' instances are far below this.
 */
const MAX_NODES = 100_000;
/**
 * Characters one instance may write (its strings, minLength's padding included, const and enum
 * values, property names). MAX_NODES counts values, not their size: a 130-byte schema (minLength
 * 1,000,000 on 40 items) made a 40 MB answer in 7 s (redos43 #3). Bedrock caps an answer's output
 * tokens (128,000 at most), well under a million characters, so no model writes a larger one.
 */
const MAX_CHARS = 1_000_000;

/**
 * A schema whose instance would take more than MAX_NODES values, or MAX_CHARS characters: in
 * practice, one that cannot be satisfied, or not by an answer a model could write.
 */
export class UnsatisfiableSchemaError extends Error {
  constructor(size: "values" | "characters" = "values") {
    super(
      size === "values"
        ? `The JSON schema has no instance of fewer than ${MAX_NODES} values: it requires more of itself at every level, or arrays or objects that large.`
        : `The JSON schema has no instance of fewer than ${MAX_CHARS} characters: its minLength, minItems, consts or names ask for more than a model writes in one answer.`,
    );
    this.name = "UnsatisfiableSchemaError";
  }
}

// Plausible values by property name: tool arguments read like something a model would write.
const NAMED_STRINGS: Record<string, string> = {
  city: "Paris",
  location: "Paris",
  place: "Paris",
  country: "France",
  name: "Ada Lovelace",
  first_name: "Ada",
  last_name: "Lovelace",
  email: "ada@example.com",
  query: "weather in Paris",
  q: "weather in Paris",
  language: "en",
  unit: "celsius",
  units: "celsius",
  timezone: "Europe/Paris",
  tz: "Europe/Paris",
  date: "2025-11-17",
  title: "Hello from the Bedrock emulator",
  description: "A deterministic answer from the Bedrock emulator.",
  text: "Hello from the Bedrock emulator.",
  message: "Hello from the Bedrock emulator.",
  answer: "Hello from the Bedrock emulator.",
  url: "https://example.com/",
  id: "emulator-1",
};

const FORMATS: Record<string, string> = {
  "date-time": "2025-11-17T12:00:00Z",
  date: "2025-11-17",
  time: "12:00:00Z",
  duration: "P1D",
  email: "ada@example.com",
  "idn-email": "ada@example.com",
  hostname: "example.com",
  "idn-hostname": "example.com",
  ipv4: "192.0.2.1",
  ipv6: "2001:db8::1",
  uri: "https://example.com/",
  "uri-reference": "https://example.com/",
  iri: "https://example.com/",
  "iri-reference": "https://example.com/",
  url: "https://example.com/",
  uuid: "123e4567-e89b-42d3-a456-426614174000",
  "json-pointer": "/a",
  "relative-json-pointer": "0",
  regex: "^a$",
  "uri-template": "https://example.com/{id}",
  byte: "ZW11bGF0b3I=",
};

interface Context {
  root: unknown;
  /** Shared by the whole instance: values (and allOf parts), and characters, still allowed. */
  budget: { left: number; chars: number };
  depth: number;
  /** The property name this value is for, when there is one. */
  name: string;
  /** Varies scalars so that array items can differ (uniqueItems). */
  variant: number;
}

/** An instance of `schema` (a JSON Schema object, or a boolean schema). */
export function instanceOf(schema: unknown): Json {
  const budget = { left: MAX_NODES, chars: MAX_CHARS };
  return generate(schema, { root: schema, budget, depth: 0, name: "", variant: 0 });
}

function spend(budget: Context["budget"]): void {
  budget.left -= 1;
  if (budget.left < 0) throw new UnsatisfiableSchemaError();
}

/** Paid before the characters are written: a minLength of a billion would not fit in a string. */
function spendChars(budget: Context["budget"], chars: number): void {
  budget.chars -= chars;
  if (budget.chars < 0) throw new UnsatisfiableSchemaError("characters");
}

/** A table's own entry: schema names such as `constructor` or `toString` are not Object.prototype's. */
function own(table: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** Sets an instance's property as its own, `__proto__` included (an assignment would set the prototype). */
function setOwn(target: { [key: string]: Json }, key: string, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function generate(raw: unknown, context: Context): Json {
  spend(context.budget);
  // Only a schema that requires itself forever gets here; no finite instance exists for it.
  if (context.depth > MAX_DEPTH) return null;
  const schema = resolve(raw, context.root);
  if (schema === undefined) return context.name ? plausibleString(context.name, context.variant, context.budget) : {};
  if ("const" in schema) return toJson(schema.const, context.budget);
  if (Array.isArray(schema.enum) && schema.enum.length > 0) {
    return toJson(schema.enum[context.variant % schema.enum.length], context.budget);
  }
  const merged = mergeAllOf(schema, context, 0);
  if (Array.isArray(merged.oneOf) && merged.oneOf.length > 0) return oneOfInstance(merged, merged.oneOf, context);
  if (Array.isArray(merged.anyOf) && merged.anyOf.length > 0) {
    return generate(mergeInto(merged, merged.anyOf[0], "anyOf"), context);
  }
  switch (typeOf(merged)) {
    case "object":
      return objectInstance(merged, context);
    case "array":
      return arrayInstance(merged, context);
    case "string":
      return stringInstance(merged, context);
    case "integer":
      return numberInstance(merged, context, true);
    case "number":
      return numberInstance(merged, context, false);
    case "boolean":
      return context.variant % 2 === 0;
    case "null":
      return null;
    default:
      return plausibleString(context.name, context.variant, context.budget);
  }
}

/** `$ref` into the root schema (`#`, `#/$defs/…`, `#/definitions/…`, any JSON pointer). */
function resolve(raw: unknown, root: unknown): Schema | undefined {
  let schema = raw;
  for (let hops = 0; hops < MAX_DEPTH && isSchema(schema) && typeof schema.$ref === "string"; hops++) {
    const target = pointer(root, schema.$ref);
    if (target === undefined) break;
    // Keywords beside a $ref apply too (2019-09 and later); the referenced ones come first.
    const { $ref: _ref, ...siblings } = schema;
    schema = isSchema(target) ? { ...target, ...siblings } : target;
  }
  if (schema === true || schema === undefined) return undefined;
  return isSchema(schema) ? schema : undefined;
}

function pointer(root: unknown, ref: string): unknown {
  if (!ref.startsWith("#")) return undefined;
  let node = root;
  for (const raw of ref.slice(1).split("/").slice(1)) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (!isSchema(node) && !Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** allOf folded into one schema: properties and required united, the rest taken in order. */
function mergeAllOf(schema: Schema, context: Context, depth: number): Schema {
  if (!Array.isArray(schema.allOf) || depth > MAX_DEPTH) return schema;
  let merged: Schema = { ...schema, allOf: undefined };
  for (const part of schema.allOf) {
    spend(context.budget);
    const resolved = resolve(part, context.root);
    if (resolved) merged = mergeInto(merged, mergeAllOf(resolved, context, depth + 1), "allOf");
  }
  return merged;
}

function mergeInto(base: Schema, extra: unknown, drop: "anyOf" | "oneOf" | "allOf"): Schema {
  const other = isSchema(extra) ? extra : {};
  // The branch's own keywords win, its own anyOf / oneOf / allOf included.
  const merged: Schema = { ...base, [drop]: undefined, ...other };
  if (isSchema(base.properties) || isSchema(other.properties)) {
    merged.properties = {
      ...(isSchema(base.properties) ? base.properties : {}),
      ...(isSchema(other.properties) ? other.properties : {}),
    };
  }
  const required = [...stringsOf(base.required), ...stringsOf(other.required)];
  if (required.length > 0) merged.required = [...new Set(required)];
  return merged;
}

/** The first branch whose instance matches no other branch (oneOf means exactly one). */
function oneOfInstance(schema: Schema, branches: unknown[], context: Context): Json {
  let fallback: Json | undefined;
  for (const [index, branch] of branches.entries()) {
    const candidate = generate(mergeInto(schema, branch, "oneOf"), context);
    fallback ??= candidate;
    const others = branches.filter((_, other) => other !== index);
    if (!others.some((other) => roughlyMatches(other, candidate, context.root, 0))) return candidate;
  }
  return fallback ?? null;
}

/**
 * Whether `value` could match `raw`: types, enum, const and required properties, recursively.
 * Enough to tell oneOf branches apart; not a validator.
 */
function roughlyMatches(raw: unknown, value: Json, root: unknown, depth: number): boolean {
  if (depth > MAX_DEPTH) return true;
  const schema = resolve(raw, root);
  if (schema === undefined) return raw !== false;
  if ("const" in schema && JSON.stringify(schema.const) !== JSON.stringify(value)) return false;
  if (Array.isArray(schema.enum) && !schema.enum.some((item) => JSON.stringify(item) === JSON.stringify(value))) {
    return false;
  }
  const types = typesOf(schema);
  if (types.length > 0 && !types.some((type) => hasType(value, type))) return false;
  if (isJsonObject(value)) {
    if (stringsOf(schema.required).some((key) => !Object.hasOwn(value, key))) return false;
    const properties = isSchema(schema.properties) ? schema.properties : {};
    for (const [key, item] of Object.entries(value)) {
      const described = Object.hasOwn(properties, key);
      if (described && !roughlyMatches(properties[key], item, root, depth + 1)) return false;
      if (!described && schema.additionalProperties === false) return false;
    }
  }
  for (const keyword of ["anyOf", "oneOf"] as const) {
    const branches = schema[keyword];
    if (Array.isArray(branches) && !branches.some((branch) => roughlyMatches(branch, value, root, depth + 1))) {
      return false;
    }
  }
  return true;
}

function objectInstance(schema: Schema, context: Context): Json {
  const out: { [key: string]: Json } = {};
  const properties = isSchema(schema.properties) ? schema.properties : {};
  const required = stringsOf(schema.required);
  const full = context.depth < FULL_DEPTH;
  for (const [key, property] of Object.entries(properties)) {
    if (!full && !required.includes(key)) continue;
    if (property === false) continue;
    spendChars(context.budget, key.length);
    setOwn(out, key, generate(property, { ...context, depth: context.depth + 1, name: key, variant: 0 }));
  }
  // Required names that `properties` does not describe take their schema from additionalProperties.
  for (const key of required) {
    if (Object.hasOwn(out, key)) continue;
    spendChars(context.budget, key.length);
    const extra = isSchema(schema.additionalProperties) ? schema.additionalProperties : undefined;
    setOwn(out, key, generate(extra, { ...context, depth: context.depth + 1, name: key, variant: 0 }));
  }
  const minimum = integerOf(schema.minProperties) ?? 0;
  const extra = schema.additionalProperties;
  for (let index = 0; Object.keys(out).length < minimum && extra !== false && index < minimum; index++) {
    out[`key${index}`] = generate(isSchema(extra) ? extra : undefined, {
      ...context,
      depth: context.depth + 1,
      name: `key${index}`,
      variant: index,
    });
  }
  return out;
}

function arrayInstance(schema: Schema, context: Context): Json {
  const tuple = Array.isArray(schema.prefixItems)
    ? schema.prefixItems
    : Array.isArray(schema.items)
      ? schema.items
      : [];
  const items = Array.isArray(schema.items) ? schema.additionalItems : schema.items;
  const minimum = Math.max(integerOf(schema.minItems) ?? 0, 0);
  const maximum = integerOf(schema.maxItems);
  const wanted = context.depth < FULL_DEPTH ? Math.max(minimum, tuple.length, DEFAULT_ARRAY_ITEMS) : minimum;
  const count = maximum === undefined ? wanted : Math.min(wanted, maximum);
  const out: Json[] = [];
  for (let index = 0; index < count; index++) {
    const itemSchema = index < tuple.length ? tuple[index] : items === false ? undefined : items;
    if (index >= tuple.length && items === false) break;
    out.push(generate(itemSchema, { ...context, depth: context.depth + 1, variant: context.variant + index }));
  }
  return out;
}

function stringInstance(schema: Schema, context: Context): string {
  const format = typeof schema.format === "string" ? own(FORMATS, schema.format) : undefined;
  let text = format ?? plausibleString(context.name, context.variant, context.budget);
  if (format && context.variant > 0) text = variedFormat(schema.format, text, context.variant);
  if (typeof schema.pattern === "string") text = matchingCandidate(schema.pattern, text, context.variant) ?? text;
  const minimum = integerOf(schema.minLength) ?? 0;
  const maximum = integerOf(schema.maxLength);
  spendChars(context.budget, Math.max(minimum - countCodePoints(text), 0));
  if (countCodePoints(text) < minimum) text = text + "x".repeat(minimum - countCodePoints(text));
  if (maximum !== undefined && countCodePoints(text) > maximum)
    text = text.slice(0, advanceCodePoints(text, 0, maximum));
  return text;
}

/** Keeps a formatted string valid while making it differ per array item. */
function variedFormat(format: unknown, text: string, variant: number): string {
  if (format === "email" || format === "idn-email") return `ada${variant}@example.com`;
  if (format === "uri" || format === "url" || format === "iri") return `https://example.com/${variant}`;
  if (format === "hostname" || format === "idn-hostname") return `host${variant}.example.com`;
  if (format === "date") return `2025-11-${String(1 + (variant % 28)).padStart(2, "0")}`;
  if (format === "date-time") return `2025-11-${String(1 + (variant % 28)).padStart(2, "0")}T12:00:00Z`;
  if (format === "ipv4") return `192.0.2.${1 + (variant % 250)}`;
  return text;
}

function plausibleString(name: string, variant: number, budget: Context["budget"]): string {
  const base = own(NAMED_STRINGS, name.toLowerCase()) ?? (name ? `example ${name}` : "example");
  spendChars(budget, base.length);
  return variant > 0 ? `${base} ${variant}` : base;
}

const PATTERN_CANDIDATES = ["example", "a", "A", "0", "1", "abc", "ABC", "a1", "x-1", "2025-11-17", "ada@example.com"];
/** The longest candidate a pattern is tried on: the preferred text is the client's property name. */
const MAX_CANDIDATE_CHARS = 32;
/** Places a pattern may go back to when it tries a candidate: quantifiers of more than one count, and `|`. */
const MAX_PATTERN_CHOICES = 4;

/**
 * A string that matches `pattern`, when an obvious candidate does (general regex inversion is out of
 * scope). Both come from the client, and a backtracking engine can take exponential time on them:
 * `(a+)+$` on a 27-character property name took 0.8 s, each two characters more four times that
 * (redos43 #3). So a pattern is only tried when it cannot backtrack far (cheapToTry), and only on
 * candidates of at most MAX_CANDIDATE_CHARS; else the emulator writes a string it has not matched.
 */
function matchingCandidate(pattern: string, preferred: string, variant: number): string | undefined {
  if (!cheapToTry(pattern)) return undefined;
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, "u");
  } catch {
    return undefined;
  }
  const candidates = [preferred, ...PATTERN_CANDIDATES.map((text) => (variant > 0 ? `${text}${variant}` : text))];
  return candidates.find((text) => text.length <= MAX_CANDIDATE_CHARS && regex.test(text));
}

const COUNTED = /\{(\d+)(?:,(\d*))?\}/y;

type PatternToken = "close" | "quantifier" | "other";

/**
 * Whether a pattern's backtracking stays small on a short string: no quantifier on a group (nested
 * quantifiers and quantified alternatives, `(a+)+` and `(a|aa)+`, are the exponential ones), and
 * at most MAX_PATTERN_CHOICES places to go back to (k of `.*` over n characters try about n^k / k!
 * splits; k groups of two alternatives 2^k paths). A plain scan of the pattern's tokens; one that
 * does not parse is RegExp's to refuse.
 */
function cheapToTry(pattern: string): boolean {
  let choices = 0;
  // The last token: a group's close, a quantifier (a `?` after it makes it lazy), or another.
  let last: PatternToken = "other";
  for (let at = 0; at < pattern.length; at++) {
    const char = pattern[at];
    let token: PatternToken = "other";
    if (char === "\\") {
      at += 1;
    } else if (char === "[") {
      // A class, to its unescaped `]`: quantifier characters and `|` in it are literal.
      for (at += 1; at < pattern.length && pattern[at] !== "]"; at++) if (pattern[at] === "\\") at += 1;
    } else if (char === ")") {
      token = "close";
    } else if (char === "(" && pattern[at + 1] === "?") {
      // (?: (?= (?! (?<= (?<name>: group syntax, not a quantifier.
      at += 1;
    } else if (char === "|") {
      choices += 1;
    } else if (char === "?" && last === "quantifier") {
      // Lazy: the quantifier's choices, taken in the other order.
    } else if (char === "*" || char === "+" || char === "?" || char === "{") {
      COUNTED.lastIndex = at;
      const counted = char === "{" ? COUNTED.exec(pattern) : null;
      if (char !== "{" || counted) {
        if (last === "close") return false;
        // {n} and {n,n} match one count: nothing to go back to.
        if (counted === null || (counted[2] !== undefined && counted[2] !== counted[1])) choices += 1;
        if (counted) at += counted[0].length - 1;
        token = "quantifier";
      }
    }
    last = token;
  }
  return choices <= MAX_PATTERN_CHOICES;
}

function numberInstance(schema: Schema, context: Context, integer: boolean): number {
  const minimum = numberOf(schema.minimum);
  const maximum = numberOf(schema.maximum);
  const exclusiveMinimum = numberOf(schema.exclusiveMinimum);
  const exclusiveMaximum = numberOf(schema.exclusiveMaximum);
  const step = numberOf(schema.multipleOf);
  const unit = step && step > 0 ? step : integer ? 1 : 0.5;
  let low = minimum ?? -Infinity;
  if (exclusiveMinimum !== undefined) low = Math.max(low, exclusiveMinimum + (integer ? 1 : unit / 2));
  else if (schema.exclusiveMinimum === true && minimum !== undefined) low = minimum + (integer ? 1 : unit / 2);
  let high = maximum ?? Infinity;
  if (exclusiveMaximum !== undefined) high = Math.min(high, exclusiveMaximum - (integer ? 1 : unit / 2));
  else if (schema.exclusiveMaximum === true && maximum !== undefined) high = maximum - (integer ? 1 : unit / 2);
  const preferred = (integer ? 3 : 21.5) + context.variant * unit;
  let value = Math.min(Math.max(preferred, low), high);
  if (step && step > 0) {
    value = Math.ceil(value / step) * step;
    if (value > high) value = Math.floor(high / step) * step;
    // Floating steps (0.1) must not leave 0.30000000000000004 behind.
    value = Number(value.toPrecision(12));
  }
  if (integer) {
    value = Math.ceil(value);
    if (value > high) value = Math.floor(high);
  }
  return value;
}

function typeOf(schema: Schema): string | undefined {
  const types = typesOf(schema);
  const chosen = types.find((type) => type !== "null") ?? types[0];
  if (chosen) return chosen;
  if (isSchema(schema.properties) || schema.required !== undefined || schema.additionalProperties !== undefined) {
    return "object";
  }
  if (schema.items !== undefined || schema.prefixItems !== undefined) return "array";
  if (schema.minimum !== undefined || schema.maximum !== undefined) return "number";
  if (schema.format !== undefined || schema.pattern !== undefined || schema.minLength !== undefined) return "string";
  return undefined;
}

function typesOf(schema: Schema): string[] {
  if (typeof schema.type === "string") return [schema.type];
  return stringsOf(schema.type);
}

function hasType(value: Json, type: string): boolean {
  switch (type) {
    case "object":
      return isJsonObject(value);
    case "array":
      return Array.isArray(value);
    case "string":
      return typeof value === "string";
    case "integer":
      return Number.isInteger(value);
    case "number":
      return typeof value === "number";
    case "boolean":
      return typeof value === "boolean";
    case "null":
      return value === null;
    default:
      return true;
  }
}

/** A copy of a schema's const or enum value, its JSON's characters paid for. */
function toJson(value: unknown, budget: Context["budget"]): Json {
  const text = JSON.stringify(value ?? null);
  spendChars(budget, text.length);
  return JSON.parse(text) as Json;
}

function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isJsonObject(value: Json): value is { [key: string]: Json } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

function numberOf(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function integerOf(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) ? value : undefined;
}
