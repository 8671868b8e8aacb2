// Converse's structured output takes an object schema only when it says what else an object may
// hold: Bedrock refuses one without `additionalProperties: false` ("For 'object' type,
// 'additionalProperties' must be explicitly set to false"), where OpenAI's response_format
// takes it whenever `strict` is not set, which is the default. Closing such objects asks the
// same answer of the model: what the closed schema allows, the open one allowed too.
import type { JsonObject } from "../../json.ts";

// Keywords whose value is a schema, and those whose value holds schemas by name or in a list.
const ONE_SCHEMA = ["items", "additionalItems", "contains", "not", "if", "then", "else", "propertyNames"];
const NAMED_SCHEMAS = ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"];
const LISTED_SCHEMAS = ["allOf", "anyOf", "oneOf", "prefixItems"];

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describesObject(schema: JsonObject): boolean {
  const { type } = schema;
  return type === "object" || (Array.isArray(type) && type.includes("object")) || isObject(schema.properties);
}

/** `schema` with `additionalProperties: false` on every object schema that does not set it. */
export function closedSchema(schema: JsonObject): JsonObject {
  const out: JsonObject = { ...schema };
  for (const key of ONE_SCHEMA) {
    const value = out[key];
    if (isObject(value)) out[key] = closedSchema(value);
  }
  for (const key of NAMED_SCHEMAS) {
    const value = out[key];
    if (!isObject(value)) continue;
    const named: JsonObject = {};
    for (const [name, sub] of Object.entries(value)) named[name] = isObject(sub) ? closedSchema(sub) : sub;
    out[key] = named;
  }
  for (const key of LISTED_SCHEMAS) {
    const value = out[key];
    if (Array.isArray(value)) out[key] = value.map((sub) => (isObject(sub) ? closedSchema(sub) : sub));
  }
  // A schema it names stays the caller's (open on purpose); false or true is kept as written.
  if (isObject(out.additionalProperties)) out.additionalProperties = closedSchema(out.additionalProperties);
  else if (out.additionalProperties === undefined && describesObject(out)) out.additionalProperties = false;
  return out;
}
