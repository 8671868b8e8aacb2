// valibot schema of the legacy Completions request: checked here before anything is sent, a
// failure naming the field in a 400. What no format can honour (`suffix`, token-id prompts) is
// refused here too, saying why; what only some formats honour is the route's to decide.
import * as v from "valibot";
import { cutName, invalidRequest, shownText } from "../errors.ts";
import { MAX_JSON_DEPTH, valueTooDeep } from "../openai/depth.ts";
import { MAX_ANSWERS, MAX_OUTPUT_TOKENS, MAX_PROMPTS } from "../request-bounds.ts";
import { checkLogitBias, logitBiasSchema } from "../openai/logit-bias.ts";
import { range, whole } from "../openai/number-schemas.ts";
import { JSON_SCHEMA_REQUIRED, responseFormatSchema } from "../openai/response-format.ts";
import { refuseStreamOptionsWithoutStream } from "../openai/stream-flags.ts";
import { structuredOutputsSchema } from "../openai/structured-outputs.ts";
import { deepestIssue, formatPath, issueFragment, issueSentence } from "../validation.ts";
import type { CompletionRequest } from "./types.ts";

const PROMPT = `must be a string, or an array of 1 to ${MAX_PROMPTS} non-empty strings (one choice each)`;

const prompt = v.union(
  [
    v.pipe(v.string(), v.minLength(1, "must not be empty")),
    v.pipe(
      v.array(v.pipe(v.string(), v.minLength(1, "must not be empty"))),
      v.minLength(1, PROMPT),
      v.maxLength(MAX_PROMPTS, PROMPT),
    ),
  ],
  PROMPT,
);

/** Every field of OpenAI's Completions request, and Bedrock's extensions. */
const completionRequestSchema = v.looseObject({
  model: v.pipe(v.string("must be a string"), v.minLength(1, "must not be empty")),
  prompt,
  max_tokens: whole(1, MAX_OUTPUT_TOKENS),
  temperature: range(0, 2),
  top_p: range(0, 1),
  top_k: whole(0, 100_000),
  n: whole(1, MAX_ANSWERS),
  stop: v.nullish(
    v.union(
      [v.pipe(v.string(), v.minLength(1)), v.pipe(v.array(v.pipe(v.string(), v.minLength(1))), v.maxLength(16))],
      "must be a string or an array of up to 16 non-empty strings",
    ),
  ),
  stream: v.nullish(v.boolean("must be true or false")),
  stream_options: v.nullish(v.object({ include_usage: v.optional(v.boolean("must be true or false")) })),
  // OpenAI's is an int64, but JSON.parse has already rounded one past 2^53 - 1: refused here, in
  // the field's name, rather than sent for Bedrock to refuse quoting a number the client never sent.
  seed: whole(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
  presence_penalty: range(-2, 2),
  frequency_penalty: range(-2, 2),
  logit_bias: logitBiasSchema,
  logprobs: whole(0, 20),
  echo: v.nullish(v.boolean("must be true or false")),
  best_of: whole(1, MAX_ANSWERS),
  suffix: v.nullish(v.string("must be a string")),
  user: v.optional(v.string("must be a string")),
  response_format: v.nullish(responseFormatSchema),
  structured_outputs: v.nullish(structuredOutputsSchema),
  drop_params: v.optional(v.boolean("must be true or false")),
});

/** The request's known fields; any other is refused by name (or dropped under drop_params). */
export const COMPLETION_REQUEST_FIELDS: ReadonlySet<string> = new Set(Object.keys(completionRequestSchema.entries));

function isTokenPrompt(value: unknown): boolean {
  return (
    Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === "number" || Array.isArray(item))
  );
}

const streamFlagsSchema = v.pick(completionRequestSchema, ["stream", "stream_options"]);

/**
 * Only `stream` and `stream_options`, checked as parseCompletionRequest checks them: for a
 * caller (the proxy) that must choose JSON or SSE before create() validates the whole request.
 */
export function checkCompletionStreamFlags(input: object): void {
  const result = v.safeParse(streamFlagsSchema, input, { message: issueFragment });
  if (!result.success) throw refusalFor(result.issues[0]);
  refuseStreamOptionsWithoutStream(input);
}

/** Validates an unknown value as a Completions request; throws a 400 naming the field. */
export function parseCompletionRequest(input: unknown): CompletionRequest {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw invalidRequest("The request body must be a JSON object.");
  }
  for (const [field, value] of Object.entries(input)) {
    // The field's name is the client's, of any length: shown as a message shows a name, cut in param.
    if (valueTooDeep(value)) {
      throw invalidRequest(
        `${shownText(field, 64, "a field", false)} is nested more than ${MAX_JSON_DEPTH} levels deep.`,
        cutName(field, 64),
      );
    }
  }
  const body = input as Record<string, unknown>;
  if (isTokenPrompt(body.prompt)) {
    throw invalidRequest(
      "prompt holds token ids: Bedrock takes text, and the model's tokenizer is not known here. Send the prompt as a string.",
      "prompt",
      "unsupported_parameter",
    );
  }
  if (body.suffix != null) {
    throw invalidRequest(
      "suffix is not supported: Bedrock's completion formats only continue a prompt, they have no insertion mode. Remove it.",
      "suffix",
      "unsupported_parameter",
    );
  }
  const result = v.safeParse(completionRequestSchema, input, { abortEarly: true, message: issueFragment });
  if (!result.success) throw refusalFor(result.issues[0]);
  checkLogitBias(body.logit_bias);
  refuseStreamOptionsWithoutStream(body);
  // Checked, not transformed: the caller's own values go on.
  return input as CompletionRequest;
}

/** What to put in a field that is missing: completes "<field> is required: …". */
const REQUIRED: Readonly<Record<string, string>> = {
  model: "name the model, as bedrock/<route>/<model-arn> or a configured name",
  prompt: "give the text to continue, or a list of texts",
  json_schema: JSON_SCHEMA_REQUIRED,
};

function refusalFor(top: v.BaseIssue<unknown>) {
  const { issue, path } = deepestIssue(top);
  return invalidRequest(issueSentence(issue, path, { required: REQUIRED }), formatPath(path));
}
