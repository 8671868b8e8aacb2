// vLLM's `structured_outputs`, which Bedrock takes for imported models in its OpenAI formats
// (AWS: "Advanced API features for imported models"): exactly one of `json` (a JSON Schema, or
// a string holding one), `regex`, `choice` (the answer is one of these strings) or `grammar`
// (an EBNF grammar). Checked here, so that a malformed one is the caller's 400, not Bedrock's.
import * as v from "valibot";
import { plainObject } from "./plain-object.ts";
import { parseJsonObject } from "../json.ts";
import { requestJsonTextProblem } from "./depth.ts";

const STRUCTURED_OUTPUT_KINDS = ["json", "regex", "choice", "grammar"] as const;

/** What `structured_outputs` holds once checked. */
export interface StructuredOutputs {
  json?: Record<string, unknown> | string;
  regex?: string;
  choice?: string[];
  grammar?: string;
}

const ONE_KIND = `must hold exactly one of ${STRUCTURED_OUTPUT_KINDS.join(", ")}`;

/**
 * A JSON Schema written as a string must parse as an object, held to the body's limits on shape
 * before it is parsed (the body's scan reads it as one string): not too deep to read, no object
 * too wide to walk (codereview24: 190,000 members cost half a second).
 */
function isSchemaText(text: string): boolean {
  return requestJsonTextProblem(text) === undefined && parseJsonObject(text) !== undefined;
}

const nonEmpty = v.pipe(v.string("must be a string"), v.minLength(1, "must not be empty"));

export const structuredOutputsSchema = v.pipe(
  v.strictObject(
    {
      json: v.optional(
        v.union(
          [plainObject, v.pipe(v.string(), v.check(isSchemaText))],
          "must be a JSON Schema: an object, or a string holding one",
        ),
      ),
      regex: v.optional(nonEmpty),
      choice: v.optional(
        v.pipe(
          v.array(v.string("must be a string"), "must be an array of strings"),
          v.minLength(1, "must not be empty: give the strings the answer may be"),
        ),
      ),
      grammar: v.optional(nonEmpty),
    },
    (issue) =>
      issue.expected === "never"
        ? `is not a kind of structured output: the kinds are ${STRUCTURED_OUTPUT_KINDS.join(", ")}`
        : `must be an object that ${ONE_KIND}, e.g. {"choice": ["yes", "no"]}`,
  ),
  v.check(
    (value) => STRUCTURED_OUTPUT_KINDS.filter((kind) => value[kind] !== undefined).length === 1,
    `${ONE_KIND}: vLLM applies one constraint at a time`,
  ),
);
