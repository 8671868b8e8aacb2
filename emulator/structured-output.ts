// Structured outputs: `response_format` (json_object, json_schema) and vLLM's
// `structured_outputs` (json, regex, choice, grammar), read into one constraint, and the text a
// model writes under it. Regex and grammar constraints are accepted but not honoured: the
// emulator cannot invert them, so it answers plain text under them (documented).

import { parseJsonText } from "./json-body.ts";
import { instanceOf } from "./json-schema-instance.ts";
import { pythonJson } from "./python-json.ts";
import { isRecord, malformed } from "./request-checks.ts";

export type Constraint =
  | { kind: "json-schema"; schema: unknown }
  | { kind: "json-object" }
  | { kind: "choice"; choices: string[] }
  /** regex, grammar, structural tags: accepted, answered as plain text. */
  | { kind: "unconstrained" };

/** `response_format` -> constraint; a string is the complaint. */
export function responseFormatConstraint(format: unknown): Constraint | undefined | string {
  if (format === undefined || format === null) return undefined;
  if (!isRecord(format)) return malformed("response_format: expected {type: json_object | json_schema}");
  switch (format.type) {
    case "text":
      return undefined;
    case "json_object":
      return { kind: "json-object" };
    case "json_schema": {
      const definition = format.json_schema;
      if (!isRecord(definition)) {
        return "When response_format type is 'json_schema', the 'json_schema' field must be provided.";
      }
      const schema = definition.schema;
      if (schema !== undefined && !isRecord(schema) && typeof schema !== "boolean") {
        return malformed("response_format.json_schema.schema: expected a JSON Schema object");
      }
      return schema === undefined ? { kind: "json-object" } : { kind: "json-schema", schema };
    }
    case "structural_tag":
      return { kind: "unconstrained" };
    default:
      return malformed("response_format: expected {type: json_object | json_schema}");
  }
}

/** vLLM's `structured_outputs`; a string is the complaint. */
function structuredOutputsConstraint(value: unknown): Constraint | undefined | string {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) return malformed("structured_outputs: expected an object");
  const kinds = ["json", "regex", "choice"].filter((key) => value[key] !== undefined && value[key] !== null);
  if (kinds.length > 1) {
    return "You can only use one kind of constraints for structured outputs ('json', 'regex' or 'choice').";
  }
  const { json, regex, choice, grammar, json_object: jsonObject } = value;
  if (json !== undefined && json !== null) {
    const schema = typeof json === "string" ? parseSchema(json) : json;
    if (!isRecord(schema) && typeof schema !== "boolean") {
      return malformed("structured_outputs.json: expected a JSON Schema (an object, or a string holding one)");
    }
    return { kind: "json-schema", schema };
  }
  if (choice !== undefined && choice !== null) {
    if (!Array.isArray(choice) || choice.length === 0 || !choice.every((item) => typeof item === "string")) {
      return malformed("structured_outputs.choice: expected a non-empty array of strings");
    }
    return { kind: "choice", choices: choice };
  }
  if (regex !== undefined && regex !== null && typeof regex !== "string") {
    return malformed("structured_outputs.regex: expected a string");
  }
  if (grammar !== undefined && grammar !== null && typeof grammar !== "string") {
    return malformed("structured_outputs.grammar: expected a string");
  }
  if (jsonObject === true) return { kind: "json-object" };
  return { kind: "unconstrained" };
}

/** `structured_outputs` wins over `response_format` when both are given, as in vLLM. */
export function constraintOf(body: Record<string, unknown>): Constraint | undefined | string {
  const structured = structuredOutputsConstraint(body.structured_outputs);
  if (structured !== undefined) return structured;
  return responseFormatConstraint(body.response_format);
}

function parseSchema(text: string): unknown {
  const parsed = parseJsonText(text);
  return parsed.ok ? parsed.json : undefined;
}

/**
 * The constrained answer: a JSON instance of the schema, a JSON object holding the plain
 * answer, or one of the choices (picked by `seed`, a hash of the request: deterministic).
 * `undefined`: unconstrained, answer as usual.
 */
export function constrainedText(constraint: Constraint, plainAnswer: string, seed: number): string | undefined {
  switch (constraint.kind) {
    case "json-schema":
      return pythonJson(instanceOf(constraint.schema));
    case "json-object":
      return pythonJson({ answer: plainAnswer });
    case "choice":
      return constraint.choices[seed % constraint.choices.length];
    case "unconstrained":
      return undefined;
  }
}
