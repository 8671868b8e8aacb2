// A function's parameters as the object schema they stand for, for what Bedrock is sent (Converse's
// inputSchema, a forced call's structured_outputs.json). OpenAI reads a schema without a type (`{}`,
// or properties alone) as an object's, and no schema as a function without arguments; the request
// schema refuses any other type (schema.ts), so every schema comes out an object's.
import type { JsonObject } from "../json.ts";

export function objectSchemaOf(parameters: JsonObject | undefined): JsonObject {
  if (!parameters) return { type: "object", properties: {} };
  // Spread first: a `type` key present but undefined (a schema builder's optional key) must not win.
  return parameters.type === undefined ? { ...parameters, type: "object" } : parameters;
}
