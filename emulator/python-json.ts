// JSON as the models of these families write it: Python's json.dumps layout (", " and ": "
// separators), which is what their tool-call and structured-output training data looks like
// (`{"city": "Paris"}`), with non-ASCII text left as it is.

import type { Json } from "./json-schema-instance.ts";

export function pythonJson(value: Json): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(", ")}]`;
  const entries = Object.entries(value).map(([key, item]) => `${JSON.stringify(key)}: ${pythonJson(item)}`);
  return `{${entries.join(", ")}}`;
}
