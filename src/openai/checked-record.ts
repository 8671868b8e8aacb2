// valibot's record() leaves out the keys `__proto__`, `constructor` and `prototype` (its guard
// against prototype pollution) without checking what they hold, and the proxy passes the
// request's own object on, not valibot's output: a logit_bias value under `constructor` went to
// Bedrock unchecked, and a Response echoed metadata that was no string (inputcost34 #3). Checked
// here after the schema, each by the record's value schema, and a wrong one named in the 400 as
// any other key is (`metadata.constructor must be a string (got an object).`). Not a schema of
// its own: valibot loads with the main chunk, which has no room for the actions one would need.
import * as v from "valibot";
import { invalidRequest } from "../errors.ts";
import { isJsonObject } from "../json.ts";
import { deepestIssue, formatPath, issueFragment, issueSentence } from "../validation.ts";

const SKIPPED_KEYS = ["__proto__", "constructor", "prototype"];

/**
 * Throws the 400 for the first key record() skips that `keyOf` refuses (when the record's keys are
 * checked too), or whose value `value` refuses, and for an array, which record() takes as an object
 * of its indexes (`logit_bias: [1, 2]` went on to Bedrock): `shape` says what the field must be.
 */
export function checkSkippedKeys(
  record: unknown,
  value: v.GenericSchema,
  field: string,
  shape: string,
  keyOf?: v.GenericSchema,
): void {
  if (Array.isArray(record)) throw invalidRequest(`${field} must be ${shape} (got an array).`, field);
  if (!isJsonObject(record)) return;
  for (const key of SKIPPED_KEYS) {
    if (!Object.hasOwn(record, key)) continue;
    const keyed = keyOf && v.safeParse(keyOf, key, { message: issueFragment });
    const result = keyed && !keyed.success ? keyed : v.safeParse(value, record[key], { message: issueFragment });
    if (result.success) continue;
    const { issue, path } = deepestIssue(result.issues[0]);
    const at: v.ObjectPathItem[] = [
      { type: "object", origin: "value", input: {}, key: field, value: record },
      { type: "object", origin: "value", input: record, key, value: record[key] },
    ];
    const full = [...at, ...path];
    throw invalidRequest(issueSentence(issue, full), formatPath(full));
  }
}
