// OpenAI's `response_format`, as the chat request and the legacy Completions request both take it:
// `text`, `json_object`, or `json_schema` with its definition. What every model server behind
// Bedrock (vLLM) refuses anyway is refused here, so the 400 names the field (`response_format.json_schema`)
// in this library's words instead of coming back from Bedrock with none; a type outside the three
// is a wrong value, not a parameter a route could drop.
import * as v from "valibot";
import { isJsonObject, type JsonObject } from "../json.ts";

/** The definition of a json_schema format: a name, and the schema (optional, as OpenAI's and vLLM's). */
const jsonSchemaDefinition = v.looseObject(
  {
    name: v.string(),
    schema: v.optional(v.custom<JsonObject>(isJsonObject, "must be a JSON Schema object")),
  },
  'must be an object like {"name": "answer", "schema": {…}}',
);

export const responseFormatSchema = v.variant(
  "type",
  [
    v.looseObject({ type: v.literal("text") }),
    v.looseObject({ type: v.literal("json_object") }),
    v.looseObject({ type: v.literal("json_schema"), json_schema: jsonSchemaDefinition }),
  ],
  (issue) =>
    issue.expected === "Object"
      ? 'must be an object like {"type": "json_object"}'
      : 'must be "text", "json_object" or "json_schema"',
);

/** What to put in `response_format.json_schema` when it is missing: completes "… is required: …". */
export const JSON_SCHEMA_REQUIRED = 'give the format as {"name": …, "schema": {…}}';
