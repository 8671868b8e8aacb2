// The requests of the Embeddings and Images APIs: a JSON object whose fields a valibot schema
// checks, and no field beyond them (one the route would not read is refused by name, never
// dropped unsaid). The first problem is a 400 naming the field.
import * as v from "valibot";
import { cutName, invalidRequest, shownText } from "./errors.ts";
import { deepestIssue, formatPath, issueFragment, issueSentence } from "./validation.ts";

/** `input` as a request's JSON object, or the 400 any other body gets. */
export function requestObject(input: unknown): Record<string, unknown> {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw invalidRequest("The request body must be a JSON object.");
  }
  return input as Record<string, unknown>;
}

/**
 * Checks `body` against `schema` and refuses a field the schema does not name. `api` names the
 * API in that 400 ("embeddings"); `required` completes "<field> is required: …" for a missing one.
 */
export function checkClosedRequest(
  schema: v.LooseObjectSchema<v.ObjectEntries, undefined>,
  body: Record<string, unknown>,
  api: string,
  required: Readonly<Record<string, string>>,
): void {
  const result = v.safeParse(schema, body, { abortEarly: true, message: issueFragment });
  if (!result.success) {
    const { issue, path } = deepestIssue(result.issues[0]);
    throw invalidRequest(issueSentence(issue, path, { required }), formatPath(path));
  }
  const fields = Object.keys(schema.entries);
  const unknown = Object.keys(body).find((key) => !fields.includes(key));
  if (unknown !== undefined) {
    throw invalidRequest(
      `${shownText(unknown, 60, "a name", false)} is not a parameter of ${api}; they are ${fields.join(", ")}.`,
      cutName(unknown, 60),
      "unknown_parameter",
    );
  }
}
