// Converse's structured output takes an object schema only when it says what else an object may
// hold: Bedrock refuses one without `additionalProperties: false` ("For 'object' type,
// 'additionalProperties' must be explicitly set to false"), where OpenAI's response_format
// takes it whenever `strict` is not set, which is the default. Closing such objects asks the
// same answer of the model: what the closed schema allows, the open one allowed too. That holds
// only for an object that lists its own properties: one whose properties come from `allOf`,
// `$ref`, `if`/`then`/`else` or alternatives beside its own is left as written (closing it, or
// a branch that is merged with others, would admit no instance), and Bedrock's 400 says why.
// So is a bare `{"type": "object"}`, a free-form map: closed, it would admit only `{}`, and the
// caller's data would be lost without a word.
import type { JsonObject } from "../../json.ts";

// Keywords whose value is one schema, or schemas by name, standing on their own.
const ONE_SCHEMA = ["items", "additionalItems", "contains", "not", "propertyNames"];
const NAMED_SCHEMAS = ["properties", "patternProperties", "$defs", "definitions"];
// Keywords that merge other schemas into this one: neither it nor they can be closed alone.
const MERGING = ["allOf", "$ref", "if", "then", "else", "dependentSchemas"];
// Alternatives: each stands alone, unless this schema has properties of its own beside them.
const ALTERNATIVES = ["anyOf", "oneOf"];

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An object schema that names what it holds: its own properties, or patterns for their names. */
function listsProperties(schema: JsonObject): boolean {
  return isObject(schema.properties) || isObject(schema.patternProperties);
}

/** A subschema closed, anything else (a boolean schema, a malformed value) as it is. */
function closed(value: unknown): unknown {
  return isObject(value) ? closedSchema(value) : value;
}

/** `schema` with `additionalProperties: false` on every object schema that can be closed and does not say. */
export function closedSchema(schema: JsonObject): JsonObject {
  const out: JsonObject = { ...schema };
  const merged = MERGING.some((key) => key in out);
  const object = listsProperties(out);
  const alternatives = ALTERNATIVES.some((key) => key in out);
  for (const key of ONE_SCHEMA) if (isObject(out[key])) out[key] = closed(out[key]);
  for (const key of NAMED_SCHEMAS) {
    const value = out[key];
    // fromEntries makes own properties, a name like __proto__ included (assignment would not).
    if (isObject(value)) out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, closed(sub)]));
  }
  const lists = merged || (object && alternatives) ? ["prefixItems"] : ["prefixItems", ...ALTERNATIVES];
  for (const key of lists) {
    const value = out[key];
    if (Array.isArray(value)) out[key] = value.map(closed);
  }
  // A schema it names stays the caller's (open on purpose); false or true is kept as written.
  if (isObject(out.additionalProperties)) out.additionalProperties = closedSchema(out.additionalProperties);
  else if (out.additionalProperties === undefined && object && !merged && !alternatives) {
    out.additionalProperties = false;
  }
  return out;
}
