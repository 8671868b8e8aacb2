// valibot schemas of the Chat Completions request: every request is checked here before a
// route sees it, and a failure names the field (`messages[2].content`) in a 400.
import * as v from "valibot";
import { describeValue } from "../describe-value.ts";
import { invalidRequest } from "../errors.ts";
import { isJsonObject } from "../json.ts";
import { MAX_ANSWERS, MAX_OUTPUT_TOKENS } from "../request-bounds.ts";
import { deepestIssue, formatPath, issueFragment, issueSentence } from "../validation.ts";
import { MAX_JSON_DEPTH, valueTooDeep } from "./depth.ts";
import { refuseJsonTextPastLimits, requestJsonTextBudget } from "./json-text-budget.ts";
import { FUNCTION_NAME, FUNCTION_NAME_RULE } from "./function-name.ts";
import { FILE_DATA_URL_EXAMPLE, fileDataUrlHead, NO_FILES_API } from "./file-part.ts";
import { originalDetailDropped, sentImageUrl } from "./image-detail.ts";
import { checkLogitBias, logitBiasSchema } from "./logit-bias.ts";
import { checkMetadata } from "./metadata.ts";
import { range, whole } from "./number-schemas.ts";
import { plainObject } from "./plain-object.ts";
import { asTextPart, refusalInContent, refusalsAsText } from "./refusal-parts.ts";
import { JSON_SCHEMA_REQUIRED, responseFormatSchema } from "./response-format.ts";
import { FUNCTIONS_API, TEXT_ONLY } from "./server-limits.ts";
import { refuseStreamOptionsWithoutStream } from "./stream-flags.ts";
import { structuredOutputsSchema } from "./structured-outputs.ts";
import { MAX_TOOLS } from "./tool-count.ts";
import type { ChatCompletionRequest, ReasoningEffort, RefusalPart, TextPart } from "./types.ts";

// Messages are what follows the field's name in the refusal (validation.ts): "must be …".

const ROLES = 'one of "system", "developer", "user", "assistant" or "tool"';
const PARTS =
  '{"type": "text", "text": …}, {"type": "image_url", "image_url": {"url": …}} or {"type": "file", "file": {"file_data": …}}';

/** What to put in a field that is missing, by its name: completes "<field> is required: …". */
const REQUIRED: Readonly<Record<string, string>> = {
  model: "name the model, as bedrock/<route>/<model-arn> or a configured name",
  messages: "give the conversation as an array of {role, content} messages",
  role: ROLES,
  content: "give the message's text",
  tool_call_id: "the id of the tool call this message answers",
  url: "give the image as a data URL (data:image/png;base64,…)",
  file_data: `give the file's bytes as ${FILE_DATA_URL_EXAMPLE}`,
  json_schema: JSON_SCHEMA_REQUIRED,
};

const text = v.string();
// Anthropic's prompt-cache mark, which clients written for Claude put on parts, messages and
// tools: the converse route sends it as Bedrock's cachePoint, the other routes ignore it.
const cache_control = v.nullish(
  v.object({
    type: v.literal("ephemeral", 'must be {"type": "ephemeral"}'),
    ttl: v.nullish(v.picklist(["5m", "1h"], 'must be "5m" or "1h"')),
  }),
);
const textPart = v.object({ type: v.literal("text"), text, cache_control });
// "original" is taken and sent as no detail (image-detail.ts): the transform states it in the
// output type, parseChatRequest does it (originalDetailDropped).
const imagePart = v.object({
  type: v.literal("image_url"),
  cache_control,
  image_url: v.pipe(
    v.object({
      url: v.pipe(v.string(), v.minLength(1)),
      detail: v.optional(v.picklist(["auto", "low", "high", "original"])),
    }),
    v.transform(sentImageUrl),
  ),
});
// A document (OpenAI's ChatCompletionRequestMessageContentPartFile) as the openai package sends it:
// its bytes in file_data, a base64 data URL, and its name. file_id comes first so that a part
// naming an upload is told why, not that file_data is missing; the transform states in the output
// type that it goes (it is null or absent once checked). Only user messages take files, as
// Converse takes documents only in user turns.
const filePart = v.object({
  type: v.literal("file"),
  cache_control,
  file: v.pipe(
    v.object({
      file_id: refused(NO_FILES_API),
      file_data: v.pipe(
        v.string(),
        v.check((data) => fileDataUrlHead(data) !== undefined, `must be ${FILE_DATA_URL_EXAMPLE}`),
      ),
      filename: v.optional(v.string()),
    }),
    v.transform(({ file_id, ...file }) => ({ ...file })),
  ),
});
// System, assistant and tool messages: the same text part, said so when it is anything else.
const onlyTextPart = v.object({
  type: v.literal("text", 'must be "text": this message takes text parts only'),
  text,
  cache_control,
});
// OpenAI's spec: a content array has at least one part (minItems 1). An assistant's may be empty
// all the same (assistantContent): LangChain's openai converter sends [] beside a turn's tool_calls.
const parts = <T extends v.GenericSchema>(part: T) =>
  v.pipe(v.array(part), v.minLength(1, "must not be empty: give a string or at least one part"));
const textContent = v.union([text, parts(onlyTextPart)], "must be a string or an array of text parts");
// An assistant's own parts: text, or a refusal (OpenAI's ChatCompletionAssistantMessageParam),
// which comes out as the text it holds. The transform states that in the schema's output type
// (held equal to ChatCompletionRequest by a test); the schema's output is not handed on, so
// parseChatRequest makes the caller's request so with the same asTextPart (refusalsAsText).
const assistantPart = v.pipe(
  v.variant("type", [textPart, v.object({ type: v.literal("refusal"), refusal: text })], (issue) =>
    issue.expected === "Object"
      ? 'must be a text part {"type": "text", "text": …} or a refusal part {"type": "refusal", "refusal": …}'
      : 'must be "text" or "refusal"',
  ),
  v.transform((part: TextPart | RefusalPart): v.InferOutput<typeof textPart> => asTextPart(part)),
);
const assistantContent = v.union(
  [text, v.array(assistantPart)],
  "must be a string or an array of text or refusal parts",
);
const contentPart = v.variant("type", [textPart, imagePart, filePart], (issue) =>
  issue.expected === "Object" ? `must be a content part: ${PARTS}` : 'must be "text", "image_url" or "file"',
);
const userContent = v.union([text, parts(contentPart)], `must be a string or an array of content parts, each ${PARTS}`);

const toolCall = v.object({
  id: v.string(),
  type: v.literal("function"),
  function: v.object({ name: v.pipe(v.string(), v.minLength(1)), arguments: v.string() }),
});

const name = v.optional(v.string());

/** A field taken only as null: any value is refused with `why`. */
function refused(why: string) {
  return v.optional(
    v.pipe(
      v.unknown(),
      v.check((value) => value == null, why),
    ),
  );
}

// OpenAI's assistant message: its `refusal` is its text (refusal-parts.ts), as the transform
// states in the output type and parseChatRequest does (refusalsAsText); a deprecated
// `function_call` or an earlier answer's `audio` is refused in the words a request's own
// `function_call` or `audio` gets (routes/parameters.ts).
const assistantMessage = v.pipe(
  v.object({
    role: v.literal("assistant"),
    content: v.nullish(assistantContent),
    refusal: v.nullish(text),
    reasoning_content: v.nullish(v.string()),
    tool_calls: v.optional(v.array(toolCall)),
    function_call: refused(`${FUNCTIONS_API}: use tool_calls`),
    audio: refused(TEXT_ONLY),
    name,
    cache_control,
  }),
  v.check(
    (m) => m.content != null || m.refusal != null || (m.tool_calls?.length ?? 0) > 0,
    "must have content, refusal or tool_calls: an assistant message with none of them says nothing",
  ),
  // Spread: an option of the role variant must output an object type, which an interface is not.
  v.transform(({ function_call, audio, ...message }) => ({ ...refusalInContent(message) })),
);

const message = v.variant(
  "role",
  [
    v.object({ role: v.picklist(["system", "developer"]), content: textContent, name, cache_control }),
    v.object({ role: v.literal("user"), content: userContent, name, cache_control }),
    assistantMessage,
    v.object({ role: v.literal("tool"), content: textContent, tool_call_id: v.string(), cache_control }),
  ],
  (issue) =>
    issue.expected === "Object" ? 'must be a message like {"role": "user", "content": "Hi"}' : `must be ${ROLES}`,
);

// Not record(), which takes an array as an object of its indexes; its type is checked after the
// schema (refuseNonObjectParameters).
const parameters = v.custom<Record<string, unknown>>(isJsonObject, "must be a JSON Schema object");

const tool = v.object({
  type: v.literal("function"),
  function: v.object({
    name: v.pipe(v.string(), v.regex(FUNCTION_NAME, FUNCTION_NAME_RULE)),
    description: v.optional(v.string()),
    parameters: v.optional(parameters),
    strict: v.nullish(v.boolean()),
  }),
  cache_control,
});

const toolChoice = v.union(
  [
    v.picklist(["none", "auto", "required"]),
    v.object({ type: v.literal("function"), function: v.object({ name: v.string() }) }),
  ],
  'must be "none", "auto", "required" or {"type": "function", "function": {"name": …}}',
);

const REASONING_EFFORTS = [
  "none",
  "minimal",
  "low",
  "medium",
  "high",
  "xhigh",
  "max",
] as const satisfies ReasoningEffort[];

const stop = v.nullish(
  v.union(
    [v.pipe(v.string(), v.minLength(1)), v.pipe(v.array(v.pipe(v.string(), v.minLength(1))), v.maxLength(16))],
    "must be a string or an array of up to 16 non-empty strings",
  ),
);

// Unknown fields are kept for the routes to judge: each refuses them by name, or drops them under
// drop_params (routes/parameters.ts); the openai route sends Bedrock's extensions among them.
export const chatCompletionRequestSchema = v.looseObject({
  model: v.pipe(v.string(), v.minLength(1)),
  messages: v.pipe(
    v.array(message, "must be an array of {role, content} messages"),
    v.minLength(1, "must not be empty: give at least one message"),
  ),
  stream: v.nullish(v.boolean()),
  stream_options: v.nullish(v.object({ include_usage: v.optional(v.boolean()) })),
  max_tokens: whole(1, MAX_OUTPUT_TOKENS),
  max_completion_tokens: whole(1, MAX_OUTPUT_TOKENS),
  temperature: range(0, 2),
  top_p: range(0, 1),
  top_k: whole(0, 100_000),
  stop,
  n: whole(1, MAX_ANSWERS),
  // OpenAI's is an int64, but JSON.parse has already rounded one past 2^53 - 1: refused here, in
  // the field's name, rather than sent for Bedrock to refuse quoting a number the client never sent.
  seed: whole(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
  presence_penalty: range(-2, 2),
  frequency_penalty: range(-2, 2),
  logit_bias: logitBiasSchema,
  logprobs: v.nullish(v.boolean()),
  top_logprobs: whole(0, 20),
  response_format: v.nullish(responseFormatSchema),
  tools: v.optional(v.pipe(v.array(tool), v.maxLength(MAX_TOOLS))),
  tool_choice: v.optional(toolChoice),
  parallel_tool_calls: v.optional(v.boolean()),
  user: v.optional(v.string()),
  // record() takes an array (specfuzz46b #1): an object as JSON writes one, its values the template's.
  chat_template_kwargs: v.optional(plainObject),
  structured_outputs: v.nullish(structuredOutputsSchema),
  prompt_logprobs: v.nullish(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(20))),
  drop_params: v.optional(v.boolean()),
  reasoning_effort: v.nullish(v.picklist(REASONING_EFFORTS, `must be one of ${REASONING_EFFORTS.join(", ")}`)),
  store: v.nullish(v.boolean()),
});

// OpenAI's fields that cannot change the answer (routes/parameters.ts) and `modalities`, which no
// route sends: typed as OpenAI's spec types them, so a wrong type is a 400 naming the field on
// every route, as `user: 5` is, whatever drop_params says (a wrong type is no parameter a route
// cannot honour), and `modalities: "audio"` does not pass for text. A schema of their own: the
// routes read none of them (REQUEST_FIELDS), and the request's type leaves them out. metadata is
// checked as the Responses API checks it (metadata.ts).
const specTypedSchema = v.object({
  prompt_cache_key: v.nullish(text),
  safety_identifier: v.nullish(text),
  // "in-memory" is how the openai SDKs spelt in_memory before mid-2026 (openai-openapi issue 508).
  prompt_cache_retention: v.nullish(v.picklist(["in_memory", "in-memory", "24h"])),
  prediction: v.nullish(
    v.pipe(
      plainObject,
      v.object({
        type: v.literal("content"),
        content: v.union([text, parts(onlyTextPart)], "must be a string or an array of text parts"),
      }),
    ),
  ),
  modalities: v.nullish(v.array(v.picklist(["text", "audio"]))),
});

/** Every field of the request this library knows (the schema's entries); routes refuse others by name. */
export const REQUEST_FIELDS: ReadonlySet<string> = new Set(Object.keys(chatCompletionRequestSchema.entries));

/**
 * Tool-call arguments are JSON inside a string, which the body's scan reads as one string: they are
 * held to the body's limits on shape as text, before the routes parse them (a template route or
 * Converse parses them whole: 1 MB of small objects took 97 MB, memcost9), their arrays, objects
 * and values counted over all of a request's calls (json-text-budget.ts).
 */
function refuseArgumentsPastLimits(request: ChatCompletionRequest): void {
  const budget = requestJsonTextBudget();
  for (const [i, message] of request.messages.entries()) {
    if (message.role !== "assistant") continue;
    for (const [j, call] of (message.tool_calls ?? []).entries()) {
      refuseJsonTextPastLimits(call.function.arguments, `messages[${i}].tool_calls[${j}].function.arguments`, budget);
    }
  }
}

/**
 * A function's parameters are a JSON Schema of an object, as OpenAI takes them: a schema of another
 * type is refused on every route, before anything is sent, as Converse refuses it (its
 * ToolInputSchema) and a forced call's constraint (forced-call.ts) would admit no call, whose
 * arguments are an object. A schema without a type (`{}`, properties alone) is an object's
 * (function-parameters.ts). Not a valibot action: valibot loads with the main chunk.
 */
function refuseNonObjectParameters(request: ChatCompletionRequest): void {
  for (const [i, tool] of (request.tools ?? []).entries()) {
    const type = tool.function.parameters?.type;
    if (type === undefined || type === "object") continue;
    const param = `tools[${i}].function.parameters.type`;
    throw invalidRequest(
      `${param} must be "object": a function's parameters are an object schema (got ${describeValue(type)}).`,
      param,
    );
  }
}

function tooDeep(param: string): never {
  throw invalidRequest(`${param} is nested more than ${MAX_JSON_DEPTH} levels deep.`, param);
}

/** Validates an unknown value as a Chat Completions request; throws a 400 naming the field. */
export function parseChatRequest(input: unknown): ChatCompletionRequest {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw invalidRequest("The request body must be a JSON object.");
  }
  for (const [field, value] of Object.entries(input)) if (valueTooDeep(value)) tooDeep(field);
  const result = v.safeParse(chatCompletionRequestSchema, input, { abortEarly: true, message: issueFragment });
  if (result.success) {
    checkMetadata((input as { metadata?: unknown }).metadata);
    const typed = v.safeParse(specTypedSchema, input, { abortEarly: true, message: issueFragment });
    if (!typed.success) throw refusalFor(typed.issues[0]);
    // The schema only checks: the caller's own objects go on, in the key order they hold (a
    // tools block is rendered as json.dumps writes the client's dict), which is the body's but
    // for integer-like names ("1", "42"), first and ascending in any JavaScript object, where
    // Python keeps the text's order (documented; templates49 #4); and with the fields the routes
    // judge; refusal parts become text and "original" details go here, as the schema's output
    // type says they do.
    const request = originalDetailDropped(input as ChatCompletionRequest);
    checkLogitBias(request.logit_bias);
    refuseStreamOptionsWithoutStream(request);
    refuseArgumentsPastLimits(request);
    refuseNonObjectParameters(request);
    return refusalsAsText(request);
  }
  throw refusalFor(result.issues[0]);
}

function refusalFor(top: v.BaseIssue<unknown>) {
  const { issue, path } = deepestIssue(top);
  return invalidRequest(issueSentence(issue, path, { required: REQUIRED }), formatPath(path));
}

const streamFlagsSchema = v.pick(chatCompletionRequestSchema, ["stream", "stream_options"]);

/**
 * Only `stream` and `stream_options`, checked as parseChatRequest checks them: for a caller
 * (the proxy) that must choose JSON or SSE before create() validates the whole request.
 */
export function checkStreamFlags(input: object): void {
  const result = v.safeParse(streamFlagsSchema, input, { message: issueFragment });
  if (!result.success) throw refusalFor(result.issues[0]);
  refuseStreamOptionsWithoutStream(input);
}
