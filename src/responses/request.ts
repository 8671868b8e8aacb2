// Validation of a Responses request. First what this stateless server cannot do at all (stored
// state, built-in tools, files by id or URL) is refused with a message that says why and what to
// send instead; then valibot checks the shape, refusing in a sentence that names the field
// (`input[2].content must be …`, validation.ts). Sampling fields keep their Chat Completions
// names and ranges: the chat request checks them.
import * as v from "valibot";
import { describeValue } from "../describe-value.ts";
import { type BedrockEdgeError, characterCount, cutName, invalidRequest, shownText, wordsWithin } from "../errors.ts";
import { isJsonObject, type JsonObject } from "../json.ts";
import { FILE_DATA_URL_EXAMPLE, NO_FILES_API } from "../openai/file-part.ts";
import { MAX_JSON_DEPTH, valueTooDeep } from "../openai/depth.ts";
import { FUNCTION_NAME, FUNCTION_NAME_RULE } from "../openai/function-name.ts";
import { checkMetadata } from "../openai/metadata.ts";
import { whole } from "../openai/number-schemas.ts";
import { plainObject } from "../openai/plain-object.ts";
import { MAX_TOOLS } from "../openai/tool-count.ts";
import { deepestIssue, formatPath, issueFragment, issueSentence } from "../validation.ts";
import { REASONING_ID_PREFIX } from "./output.ts";
import type { ResponsesRequest } from "./types.ts";

const STATELESS = "this server is stateless: send the whole conversation as input";

function unsupported(param: string, message: string): BedrockEdgeError {
  return invalidRequest(message, param, "unsupported_parameter");
}

/** Fields that only make sense with state kept on the server. */
function refuseState(body: JsonObject): void {
  if (body.previous_response_id != null) {
    throw unsupported("previous_response_id", `previous_response_id cannot be used: ${STATELESS}.`);
  }
  if (body.conversation != null) throw unsupported("conversation", `conversation cannot be used: ${STATELESS}.`);
  if (body.store === true) {
    throw unsupported("store", `store: true cannot be honoured: ${STATELESS}, and leave store out (or false).`);
  }
  if (body.background === true) {
    throw unsupported(
      "background",
      "background: true needs responses stored on the server, and this server is stateless; use stream: true for long answers.",
    );
  }
  if (body.prompt != null) {
    throw unsupported("prompt", `prompt templates are stored on OpenAI's servers; ${STATELESS} and instructions.`);
  }
  if (body.context_management != null) {
    throw unsupported("context_management", `context_management cannot be used: ${STATELESS}.`);
  }
  if (body.truncation === "auto") {
    throw unsupported(
      "truncation",
      'truncation: "auto" cannot be honoured: this server does not know the model\'s context window. Shorten the input instead.',
    );
  }
  if (body.max_tool_calls != null) {
    throw unsupported(
      "max_tool_calls",
      "max_tool_calls cannot be enforced on these models; leave it out and stop the tool loop on the client.",
    );
  }
  // A whole number only: another value is the schema's 400, a type error and no request for alternatives.
  if (Number.isInteger(body.top_logprobs) && (body.top_logprobs as number) > 0) {
    throw unsupported("top_logprobs", `top_logprobs cannot be honoured: ${NO_LOGPROBS}.`);
  }
  if (body.moderation != null) {
    throw unsupported("moderation", "moderation is OpenAI's own service and not available here; leave it out.");
  }
  // openai 7's options, objects where set (as OpenAI refuses another shape).
  for (const field of ["background_options", "image"] as const) {
    if (body[field] != null && !isJsonObject(body[field])) {
      throw invalidRequest(`${field} must be an object (got ${describeValue(body[field])}).`, field);
    }
  }
  // Discounted windows run in the background, which needs stored responses.
  const window = isJsonObject(body.background_options) ? body.background_options.completion_window : undefined;
  if (window != null && window !== "soonest") {
    throw unsupported(
      "background_options.completion_window",
      `background_options.completion_window ${JSON.stringify(window)} runs in the background, which needs responses stored on the server, and this server is stateless; leave it out.`,
    );
  }
  // openai 7's: nothing compresses image context here, so only a request that does not require it is taken.
  if (isJsonObject(body.image) && body.image.context_compression === "enabled") {
    throw unsupported(
      "image.context_compression",
      'image.context_compression "enabled" cannot be honoured: images go to the model as sent; leave it out, or send "auto" or "disabled".',
    );
  }
  // openai 7 sends it; the standard program (every Response's access_programs: null) is what this is.
  const programs = body.access_programs;
  if (programs != null && !(isJsonObject(programs) && (programs.cyber == null || programs.cyber === "standard"))) {
    throw unsupported(
      "access_programs",
      'access_programs: OpenAI\'s Daybreak programs are its own and not available here; leave it out, or send {"cyber": "standard"}.',
    );
  }
}

/**
 * Chat Completions fields that ask for more than a Response can hold (the model would make it,
 * usage bill it, and the answer drop it), and chat's names for what this API names otherwise:
 * refused here, by name, whatever drop_params says. Other fields that are not the Responses
 * API's never reach the chat request; its route refuses them by name (to-chat.ts).
 */
function refuseChatOnly(body: JsonObject): void {
  for (const field of ["n", "best_of"] as const) {
    const count = body[field];
    if (count != null && count !== 1) {
      throw unsupported(
        field,
        `${field} cannot be honoured: a response holds one answer. Send the request once per answer, or use Chat Completions' n.`,
      );
    }
  }
  if (body.logprobs != null && body.logprobs !== false) {
    throw unsupported("logprobs", `logprobs cannot be honoured: ${NO_LOGPROBS}.`);
  }
  // Chat's names for what the Responses API names otherwise: honoured, they would win over the
  // Responses field (or stand in for it unseen) while the Response echoes its own; dropped, the
  // caller's limit or conversation would be lost without a word.
  for (const [field, name] of CHAT_NAMES) {
    if (body[field] != null) {
      throw invalidRequest(
        `${field} is Chat Completions' name; the Responses API's is ${name}.`,
        field,
        "unknown_parameter",
      );
    }
  }
  if (body.prompt_logprobs != null) {
    throw unsupported(
      "prompt_logprobs",
      "prompt_logprobs cannot be honoured: the Responses API here returns no log probabilities; Chat Completions returns them on the openai route.",
    );
  }
}

const CHAT_NAMES = Object.entries({
  messages: "input",
  max_tokens: "max_output_tokens",
  max_completion_tokens: "max_output_tokens",
  response_format: "text.format",
  reasoning_effort: "reasoning.effort",
  verbosity: "text.verbosity",
});

// Only this include value can be honoured, and it changes nothing: a reasoning item carries its
// encrypted_content whenever the route gave signed reasoning (output.ts says why).
const INCLUDABLE = new Set(["reasoning.encrypted_content"]);
// Some routes do return log probabilities, through Chat Completions only: say where to get them.
const NO_LOGPROBS =
  "the Responses API here returns no log probabilities; Chat Completions returns them (logprobs, top_logprobs) on routes whose models give them";

function refuseIncludes(include: unknown): void {
  if (!Array.isArray(include)) return;
  include.forEach((value: unknown, index) => {
    if (typeof value === "string" && !INCLUDABLE.has(value)) {
      throw unsupported(
        `include[${index}]`,
        value === "message.output_text.logprobs"
          ? `include "${value}" is not available: ${NO_LOGPROBS}. Leave it out.`
          : `include ${shownText(value, 80, "a value")} is not available here: this server has no built-in tools or stored items. Leave it out.`,
      );
    }
  });
}

function noSuchTool(param: string, type: string): BedrockEdgeError {
  // The client's text, cut between words only (errors.ts), or told by its length.
  const named = wordsWithin(type, 80);
  const tool = named === undefined ? `tool of a type of ${characterCount(type)} characters` : `${named} tool`;
  return unsupported(
    param,
    `this server has no ${tool}; only function tools ({"type": "function", "name", "parameters"}).`,
  );
}

function refuseBuiltInTools(body: JsonObject): void {
  if (Array.isArray(body.tools)) {
    body.tools.forEach((tool: unknown, index) => {
      if (isJsonObject(tool) && typeof tool.type === "string" && tool.type !== "function") {
        throw noSuchTool(`tools[${index}]`, tool.type);
      }
    });
  }
  const choice = body.tool_choice;
  if (isJsonObject(choice) && typeof choice.type === "string" && choice.type !== "function") {
    if (choice.type === "allowed_tools") {
      throw unsupported(
        "tool_choice",
        'tool_choice "allowed_tools" is not supported here; offer only the allowed tools, with tool_choice "auto" or "required".',
      );
    }
    throw noSuchTool("tool_choice", choice.type);
  }
}

const ITEM_TYPES = new Set(["message", "function_call", "function_call_output", "reasoning", "item_reference"]);

/**
 * A reference to one of our own reasoning items (the AI SDK sends these unless told `store:
 * false`) can be dropped: earlier reasoning is optional context. A reference to anything else
 * would lose part of the conversation.
 */
function isDroppableReference(id: string): boolean {
  return id.startsWith(REASONING_ID_PREFIX);
}

/** Input items and content parts that need state, files or built-in tools. */
function refuseItems(input: unknown): void {
  if (!Array.isArray(input)) return;
  input.forEach((item: unknown, index) => {
    if (!isJsonObject(item)) return;
    const where = `input[${index}]`;
    const type = item.type ?? (typeof item.role === "string" ? "message" : undefined);
    if (type === "item_reference" || (type == null && typeof item.id === "string")) {
      if (typeof item.id !== "string") {
        const fault = item.id === undefined ? "is required" : `must be a string (got ${describeValue(item.id)})`;
        throw invalidRequest(`${where}.id ${fault}.`, `${where}.id`);
      }
      if (isDroppableReference(item.id)) return;
      throw unsupported(
        where,
        `item_reference ${shownText(item.id, 80, "an id")} points at an item stored on the server, and this server is stateless: send the item itself (the AI SDK does with providerOptions: { openai: { store: false } }).`,
      );
    }
    if (typeof type === "string" && !ITEM_TYPES.has(type)) {
      throw unsupported(
        where,
        `input items of type ${shownText(type, 80, "a name")} are not supported: this server has only function tools. Send message, function_call, function_call_output and reasoning items.`,
      );
    }
    const parts = type === "function_call_output" ? item.output : item.content;
    if (Array.isArray(parts)) refuseParts(parts, `${where}.${type === "function_call_output" ? "output" : "content"}`);
  });
}

function refuseParts(parts: unknown[], where: string): void {
  parts.forEach((part: unknown, index) => {
    if (!isJsonObject(part)) return;
    if (part.type === "input_file") refuseFileReference(part, `${where}[${index}]`);
    if (part.type === "input_file" && where.endsWith(".output")) {
      throw unsupported(
        `${where}[${index}]`,
        "files are not supported in a function's output: send their text as input_text.",
      );
    }
    if (part.type === "input_image" && part.image_url == null && part.file_id != null) {
      throw unsupported(
        `${where}[${index}].file_id`,
        "file ids point at files stored on OpenAI's servers; send the image as a base64 data URL in image_url.",
      );
    }
  });
}

/**
 * An input_file that names its file rather than carrying it: a file_id points at OpenAI's Files
 * API, which this server does not have, and a file_url at an address Bedrock would not fetch.
 * With file_data it is the chat file part (to-chat.ts).
 */
function refuseFileReference(part: JsonObject, where: string): void {
  if (part.file_id != null) throw unsupported(`${where}.file_id`, `${where}.file_id ${NO_FILES_API}.`);
  if (part.file_url != null) {
    throw unsupported(
      `${where}.file_url`,
      `${where}.file_url cannot be used: Bedrock does not fetch files. Send the file's bytes in file_data, as ${FILE_DATA_URL_EXAMPLE}.`,
    );
  }
}

const text = v.string();
// valibot's record() takes arrays too; a JSON schema is an object.
const jsonObject = v.custom<JsonObject>(isJsonObject, "must be a JSON object");
const inputText = v.object({ type: v.literal("input_text"), text });
const inputImage = v.object({
  type: v.literal("input_image"),
  image_url: v.pipe(v.string(), v.minLength(1, "must not be empty")),
  detail: v.optional(v.picklist(["low", "high", "auto", "original"])),
});
// Its file_data is checked as the chat file part's (openai/schema.ts), the refusal named as here.
const inputFile = v.object({
  type: v.literal("input_file"),
  file_data: v.string(),
  filename: v.optional(v.string()),
});
const outputText = v.object({ type: v.literal("output_text"), text });
const refusalText = v.object({ type: v.literal("refusal"), refusal: text });

/** A message's content: a string, or parts of the kinds `what` names; `why` says why only those. */
const content = <const T extends v.VariantOptions<"type">>(options: T, what: string, why = "") =>
  v.union(
    [text, v.array(v.variant("type", options, `must be ${what}${why}`))],
    `must be a string or an array of ${what} parts${why}`,
  );

const messageType = v.optional(v.literal("message"));
const message = v.variant(
  "role",
  [
    v.object({
      type: messageType,
      role: v.literal("user"),
      content: content([inputText, inputImage, inputFile], '"input_text", "input_image" or "input_file"'),
    }),
    v.object({
      type: messageType,
      role: v.picklist(["system", "developer"]),
      content: content([inputText], '"input_text"', ": system and developer messages are text"),
    }),
    v.object({
      type: messageType,
      role: v.literal("assistant"),
      content: content([outputText, inputText, refusalText], '"output_text" or "refusal"'),
    }),
  ],
  'must be "user", "system", "developer" or "assistant"',
);

const callId = v.pipe(v.string(), v.minLength(1, "must not be empty"));

const functionCall = v.object({
  type: v.literal("function_call"),
  call_id: callId,
  name: v.pipe(v.string(), v.minLength(1, "must not be empty")),
  arguments: text,
});

const functionCallOutput = v.object({
  type: v.literal("function_call_output"),
  call_id: callId,
  output: content([inputText], '"input_text"', ": a function's output is text here"),
});

const reasoning = v.object({
  type: v.literal("reasoning"),
  summary: v.array(v.object({ type: v.literal("summary_text"), text })),
  content: v.optional(v.array(v.object({ type: v.literal("reasoning_text"), text }))),
  encrypted_content: v.nullish(v.string()),
});

const reference = v.object({ type: v.literal("item_reference"), id: v.string() });

const item = v.variant(
  "type",
  [message, functionCall, functionCallOutput, reasoning, reference],
  // Without a type an item is a message, and then its role is what did not match.
  (issue) =>
    issue.path?.at(-1)?.key === "role"
      ? 'must be "user", "system", "developer" or "assistant"'
      : 'must be "message", "function_call", "function_call_output", "reasoning" or "item_reference"',
);

const functionTool = v.object({
  type: v.literal("function"),
  name: v.pipe(v.string(), v.regex(FUNCTION_NAME, FUNCTION_NAME_RULE)),
  description: v.nullish(v.string()),
  parameters: v.nullish(jsonObject),
  strict: v.nullish(v.boolean()),
});

const toolChoice = v.union(
  [v.picklist(["none", "auto", "required"]), v.object({ type: v.literal("function"), name: v.string() })],
  'must be "none", "auto", "required" or {"type": "function", "name": …}',
);

const format = v.variant(
  "type",
  [
    v.object({ type: v.literal("text") }),
    v.object({ type: v.literal("json_object") }),
    v.object({
      type: v.literal("json_schema"),
      name: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1-64 letters, digits, _ or -")),
      schema: jsonObject,
      description: v.optional(v.string()),
      strict: v.nullish(v.boolean()),
    }),
  ],
  'must be "text", "json_object" or "json_schema"',
);

const summary = v.nullish(v.picklist(["auto", "concise", "detailed"]));

// Unknown fields are kept, as in the chat schema: those with a chat equivalent go on to it.
const responsesRequestSchema = v.looseObject({
  model: v.pipe(v.string(), v.minLength(1, "must not be empty")),
  input: v.union(
    [v.pipe(text, v.minLength(1, "must not be empty")), v.pipe(v.array(item), v.minLength(1, "must not be empty"))],
    "must be a string or an array of input items",
  ),
  instructions: v.nullish(text),
  tools: v.optional(v.pipe(v.array(functionTool), v.maxLength(MAX_TOOLS))),
  tool_choice: v.optional(toolChoice),
  // object() takes an array: plainObject refuses one first.
  text: v.optional(
    v.pipe(
      plainObject,
      v.object({
        format: v.optional(format),
        verbosity: v.nullish(v.picklist(["low", "medium", "high"])),
      }),
    ),
  ),
  reasoning: v.nullish(
    v.pipe(
      plainObject,
      v.object({
        effort: v.nullish(v.picklist(["none", "minimal", "low", "medium", "high", "xhigh", "max"])),
        summary,
        generate_summary: summary,
      }),
    ),
  ),
  stream: v.nullish(v.boolean()),
  stream_options: v.nullish(v.object({ include_obfuscation: v.optional(v.boolean()) })),
  parallel_tool_calls: v.nullish(v.boolean()),
  store: v.nullish(v.boolean()),
  background: v.nullish(v.boolean()),
  include: v.nullish(v.array(v.string())),
  truncation: v.nullish(v.picklist(["auto", "disabled"])),
  max_output_tokens: v.nullish(v.pipe(v.number(), v.integer(), v.minValue(1))),
  // OpenAI's spec: a whole number from 0 to 20 (one above 0 is refused before: refuseState).
  top_logprobs: whole(0, 20),
  // A string, never null, in OpenAI's spec as in Chat Completions: null is refused as chat refuses
  // it, rather than echoed in the Response, whose user must be a string too.
  user: v.optional(v.string()),
});

/** Validates an unknown value as a Responses request; throws a 400 naming the field. */
export function parseResponsesRequest(input: unknown): ResponsesRequest {
  if (!isJsonObject(input)) throw invalidRequest("The request body must be a JSON object.");
  for (const [field, value] of Object.entries(input)) {
    if (valueTooDeep(value)) {
      // The field's name is the client's, of any length: shown as a message shows a name, cut in param.
      throw invalidRequest(
        `${shownText(field, 64, "a field", false)} is nested more than ${MAX_JSON_DEPTH} levels deep.`,
        cutName(field, 64),
      );
    }
  }
  refuseState(input);
  refuseChatOnly(input);
  refuseIncludes(input.include);
  refuseBuiltInTools(input);
  refuseItems(input.input);
  checkMetadata(input.metadata);
  const result = v.safeParse(responsesRequestSchema, input, { abortEarly: true, message: issueFragment });
  if (!result.success) throw refusalFor(result.issues[0]);
  // The schema only checks: the caller's own objects go on, in their key order.
  return input as unknown as ResponsesRequest;
}

const streamFlagSchema = v.pick(responsesRequestSchema, ["stream"]);

/** Only `stream`, for a caller (the proxy) that must choose JSON or SSE before create() validates the rest. */
export function checkResponsesStreamFlag(input: object): void {
  const result = v.safeParse(streamFlagSchema, input, { message: issueFragment });
  if (!result.success) throw refusalFor(result.issues[0]);
}

// What to put there when a field is missing: "<field> is required: <this>."
const REQUIRED: Readonly<Record<string, string>> = {
  model: "name the model, as bedrock/<route>/<model-arn> or a configured name",
  input: "give the conversation, as a string or an array of input items",
  role: "user, system, developer or assistant",
  content: "give the message's text",
  call_id: "the id of the function call",
  image_url: "give the image as a data URL (data:image/png;base64,…)",
  file_data: `give the file's bytes as ${FILE_DATA_URL_EXAMPLE}`,
};

function refusalFor(top: v.BaseIssue<unknown>): BedrockEdgeError {
  const { issue, path } = deepestIssue(top);
  return invalidRequest(issueSentence(issue, path, { required: REQUIRED }), formatPath(path));
}
