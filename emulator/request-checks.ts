// Checks shared by the request parsers, worded as Bedrock words them. A string result is the
// complaint (the ValidationException message); `undefined` means the value is fine. Pure.

/** The longest answer a request may ask for (`max_gen_len`, `max_tokens`). */
export const MAX_GEN_LEN = 8192;
export const MAX_N = 128;
export const MAX_LOGPROBS = 20;
export const STREAM_IN_BODY =
  "stream and stream_options do not belong in a Bedrock body: streaming is chosen by calling InvokeModelWithResponseStream.";

/** Bedrock's JSON-schema validation wording for the InvokeModel formats. */
export function malformed(detail: string): string {
  return `Malformed input request: #: ${detail}, please reformat your input and try again.`;
}

export function checkNumber(name: string, value: unknown, minimum: number, maximum: number): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value))
    return malformed(`${name}: expected type: Number, found: ${typeName(value)}`);
  if (value < minimum) return malformed(`${name}: ${value} is not greater or equal to ${minimum}`);
  if (value > maximum) return malformed(`${name}: ${value} is not less or equal to ${maximum}`);
  return undefined;
}

export function checkInteger(name: string, value: unknown, minimum: number, maximum: number): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value))
    return malformed(`${name}: expected type: Integer, found: ${typeName(value)}`);
  return checkNumber(name, value, minimum, maximum);
}

export function checkBoolean(name: string, value: unknown): string | undefined {
  if (value === undefined || typeof value === "boolean") return undefined;
  return malformed(`${name}: expected type: Boolean, found: ${typeName(value)}`);
}

export function checkString(name: string, value: unknown): string | undefined {
  if (value === undefined || typeof value === "string") return undefined;
  return malformed(`${name}: expected type: String, found: ${typeName(value)}`);
}

/** `stop`: a string or at most 16 strings. */
export function checkStop(stop: unknown): string | undefined {
  if (stop === undefined || stop === null || typeof stop === "string") return undefined;
  if (Array.isArray(stop) && stop.length <= 16 && stop.every((item) => typeof item === "string")) return undefined;
  return malformed("stop: expected a string or an array of at most 16 strings");
}

export function stopStrings(stop: unknown): string[] {
  if (typeof stop === "string") return stop === "" ? [] : [stop];
  return Array.isArray(stop) ? stop.filter((item): item is string => typeof item === "string" && item !== "") : [];
}

export function typeName(value: unknown): string {
  if (value === null) return "Null";
  if (Array.isArray(value)) return "JSONArray";
  if (typeof value === "object") return "JSONObject";
  if (typeof value === "string") return "String";
  if (typeof value === "boolean") return "Boolean";
  return typeof value;
}

/** AWS's constraint wording; `path` is 1-based for list members, as AWS writes it. */
export function constraint(path: string, value: unknown, rule: string): string {
  const shown =
    value === undefined || value === null ? "null" : typeof value === "object" ? "" : `'${String(value).slice(0, 60)}'`;
  return `1 validation error detected: Value ${shown || typeName(value)} at '${path}' failed to satisfy constraint: ${rule}`;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The first complaint of several checks, or `undefined`. */
export function firstProblem(...problems: (string | undefined)[]): string | undefined {
  return problems.find((problem) => problem !== undefined);
}
