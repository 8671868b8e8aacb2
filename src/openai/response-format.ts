// OpenAI's `response_format`, as the chat request and the legacy Completions request both take it.
// Its three types are checked for their shape, so what every model server behind Bedrock (vLLM)
// refuses anyway is a 400 naming the field (`response_format.json_schema`) in this library's words
// instead of coming back from Bedrock with none. Any other type (vLLM's `structural_tag`…) passes
// here: whether it can be honoured depends on the route (routes/parameters.ts). The openai route
// passes it on to the model server; a route that builds its constraint from the type refuses it.
import * as v from "valibot";
import { isJsonObject, type JsonObject } from "../json.ts";

/** OpenAI's own types: each checked here for its shape. */
const OPENAI_TYPES: readonly string[] = ["text", "json_object", "json_schema"];

/** Whether a response_format type is one of OpenAI's three (text, json_object, json_schema). */
export function isOpenAIResponseFormatType(type: string): boolean {
  return OPENAI_TYPES.includes(type);
}

/** A JSON Schema is an object, or a boolean (`true` takes any value, `false` none), as vLLM takes it. */
function isJsonSchema(value: unknown): value is JsonObject | boolean {
  return typeof value === "boolean" || isJsonObject(value);
}

/** The definition of a json_schema format: a name, and the schema (optional, as OpenAI's and vLLM's). */
const jsonSchemaDefinition = v.looseObject(
  {
    name: v.string(),
    schema: v.optional(v.custom<JsonObject | boolean>(isJsonSchema, "must be a JSON Schema (an object, or a boolean)")),
  },
  'must be an object like {"name": "answer", "schema": {…}}',
);

export const responseFormatSchema = v.variant(
  "type",
  [
    v.looseObject({ type: v.literal("text") }),
    v.looseObject({ type: v.literal("json_object") }),
    v.looseObject({ type: v.literal("json_schema"), json_schema: jsonSchemaDefinition }),
    // Another type, its shape the model server's to judge (the variant picks the first option whose
    // type matches, so a malformed json_schema one is reported as such, never taken here).
    v.looseObject({
      type: v.pipe(
        v.string(),
        v.check((type) => !isOpenAIResponseFormatType(type)),
      ),
    }),
  ],
  (issue) =>
    issue.expected === "Object"
      ? 'must be an object like {"type": "json_object"}'
      : 'must be a string such as "text", "json_object" or "json_schema"',
);

/** What to put in `response_format.json_schema` when it is missing: completes "… is required: …". */
export const JSON_SCHEMA_REQUIRED = 'give the format as {"name": …, "schema": {…}}';
