// valibot schema of OpenAI's embeddings request: checked before anything is sent, a failure
// naming the field in a 400. Token-id input is refused saying why: Bedrock takes text.
import * as v from "valibot";
import { invalidRequest } from "../errors.ts";
import { checkClosedRequest, requestObject } from "../closed-request.ts";
import type { EmbeddingCreateParams } from "./types.ts";

/** OpenAI's own bound on the texts of one request. */
const MAX_INPUTS = 2048;

const INPUT = `must be a non-empty string, or an array of 1 to ${MAX_INPUTS} non-empty strings`;
const text = v.pipe(v.string(INPUT), v.minLength(1, "must not be empty"));

// Optional fields take null as unset, as the other requests' do: JSON clients send it.
const embeddingRequestSchema = v.looseObject({
  model: v.pipe(v.string("must be a string"), v.minLength(1, "must not be empty")),
  input: v.union([text, v.pipe(v.array(text, INPUT), v.minLength(1, INPUT), v.maxLength(MAX_INPUTS, INPUT))], INPUT),
  dimensions: v.nullish(
    v.pipe(
      v.number("must be a whole number"),
      v.integer("must be a whole number"),
      v.minValue(1, "must be at least 1"),
    ),
  ),
  encoding_format: v.nullish(v.picklist(["float", "base64"], 'must be "float" or "base64"')),
  user: v.nullish(v.string("must be a string")),
  input_type: v.nullish(
    v.picklist(
      ["search_document", "search_query", "classification", "clustering"],
      'must be "search_document", "search_query", "classification" or "clustering"',
    ),
  ),
});

function holdsTokenIds(value: unknown): boolean {
  return (
    Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === "number" || Array.isArray(item))
  );
}

/** What to put in a field that is missing: completes "<field> is required: …". */
const REQUIRED: Readonly<Record<string, string>> = {
  model: "name the model, as bedrock/embed/<model-id> or a configured name",
  input: "give the text to embed, or a list of texts",
};

/** Validates an unknown value as an embeddings request; throws a 400 naming the field. */
export function parseEmbeddingRequest(input: unknown): EmbeddingCreateParams {
  const body = requestObject(input);
  if (holdsTokenIds(body.input)) {
    throw invalidRequest(
      "input holds token ids: Bedrock's embedding models take text, and their tokenizers are not known here. Send the input as strings.",
      "input",
      "unsupported_parameter",
    );
  }
  checkClosedRequest(embeddingRequestSchema, body, "embeddings", REQUIRED);
  return input as EmbeddingCreateParams;
}
