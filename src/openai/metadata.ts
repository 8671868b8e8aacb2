// OpenAI's Metadata, which both APIs take: string values by key, or null. The Responses API echoes
// it in the Response; Chat Completions accepts it and sends it nowhere (routes/parameters.ts). One
// check for both, so a wrong one is the same 400 in either.
import * as v from "valibot";
import { invalidRequest } from "../errors.ts";
import { deepestIssue, formatPath, issueFragment, issueSentence } from "../validation.ts";
import { checkSkippedKeys } from "./checked-record.ts";

const metadataSchema = v.object({ metadata: v.nullish(v.record(v.string(), v.string())) });

/** Throws the 400 naming `metadata`, or its key, when it is neither null nor an object of strings. */
export function checkMetadata(metadata: unknown): void {
  // record() takes an array, which the Response would echo as its metadata.
  if (Array.isArray(metadata)) throw invalidRequest("metadata must be a JSON object (got an array).", "metadata");
  const result = v.safeParse(metadataSchema, { metadata }, { abortEarly: true, message: issueFragment });
  if (!result.success) {
    const { issue, path } = deepestIssue(result.issues[0]);
    throw invalidRequest(issueSentence(issue, path), formatPath(path));
  }
  checkSkippedKeys(metadata, v.string(), "metadata", "an object of strings");
}
