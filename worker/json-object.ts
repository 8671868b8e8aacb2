// The Worker reads JSON it did not validate (a request as the client sent it, for logs and spans;
// a MODELS table before its schema runs), so each step asks what a value is before it looks inside.

export type JsonObject = Record<string, unknown>;

/** A JSON object: not null, not an array. */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
