// OpenAI's official schemas as a validator: every answer and every stream event the tests see
// is checked against them (test/fixtures/openai-openapi/README.md says where they come from and
// how OpenAPI's extras were turned into JSON Schema 2020-12).
import { readFileSync } from "node:fs";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";

interface SchemaFile {
  $id: string;
  $defs: Record<string, { anyOf?: Array<{ $ref: string }>; properties?: { type?: { enum?: string[] } } }>;
}

const file = JSON.parse(
  readFileSync(new URL("../fixtures/openai-openapi/schemas.json", import.meta.url), "utf8"),
) as SchemaFile;

// strictSchema: an unknown keyword (an OpenAPI extra the extraction missed) is an error. The
// other strict checks lint a schema's style (a `required` name without a `properties` entry…),
// which is the spec's business, not a validity question. allErrors: a failure lists every
// problem. Formats (unixtime, float, uri) are annotations in JSON Schema 2020-12: not asserted.
const ajv = new Ajv2020({
  strictSchema: true,
  strictTypes: false,
  strictTuples: false,
  strictRequired: false,
  allErrors: true,
  validateFormats: false,
});
ajv.addSchema(file);

function validator(name: string): ValidateFunction {
  const validate = ajv.getSchema(`${file.$id}#/$defs/${name}`);
  if (!validate) throw new Error(`no schema ${name}`);
  return validate;
}

/** Each stream event type's own schema, found through the ResponseStreamEvent union. */
const eventSchemas = new Map<string, ValidateFunction>();
for (const branch of file.$defs.ResponseStreamEvent?.anyOf ?? []) {
  const name = branch.$ref.replace("#/$defs/", "");
  for (const type of file.$defs[name]?.properties?.type?.enum ?? []) eventSchemas.set(type, validator(name));
}

export type SchemaName =
  | "Response"
  | "ResponseStreamEvent"
  | "CreateChatCompletionResponse"
  | "CreateChatCompletionStreamResponse"
  | "CreateChatCompletionRequest"
  | "ErrorResponse";

function describe(errors: readonly ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((e) => `${e.instancePath || "/"} ${e.message ?? ""} ${JSON.stringify(e.params)}`)
    .join("\n");
}

/** The problems of `value` against the named schema; empty when it conforms. */
export function schemaProblems(name: SchemaName, value: unknown): string[] {
  if (name === "ResponseStreamEvent") {
    // The union's errors are every branch's; the event's own schema says what is wrong with it.
    const type = (value as { type?: unknown } | null)?.type;
    const own = typeof type === "string" ? eventSchemas.get(type) : undefined;
    if (!own) return [`no stream event type ${JSON.stringify(type)} in the spec`];
    if (!own(value)) return [`not a ${String(type)} event:\n${describe(own.errors)}`];
  }
  const validate = validator(name);
  return validate(value) ? [] : [`not a ${name}:\n${describe(validate.errors)}`];
}

/** Throws, naming every problem and the value, unless `value` conforms to the named schema. */
export function assertConforms(name: SchemaName, value: unknown): void {
  const problems = schemaProblems(name, value);
  if (problems.length) throw new Error(`${problems.join("\n")}\nvalue: ${JSON.stringify(value).slice(0, 2000)}`);
}
