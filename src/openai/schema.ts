// valibot schemas of the Chat Completions request: every request is checked here before a
// route sees it, and a failure names the field (`messages[2].content`) in a 400.
import * as v from "valibot";
import { invalidRequest } from "../errors.ts";
import { jsonTextTooDeep, MAX_JSON_DEPTH, valueTooDeep } from "./depth.ts";
import type { ChatCompletionRequest } from "./types.ts";

const text = v.string();
const textPart = v.object({ type: v.literal("text"), text });
const imagePart = v.object({
  type: v.literal("image_url"),
  image_url: v.object({
    url: v.pipe(v.string(), v.minLength(1, "image_url.url is empty")),
    detail: v.optional(v.picklist(["auto", "low", "high"])),
  }),
});
const textContent = v.union([text, v.array(textPart)], "content must be a string or an array of text parts");
const userContent = v.union(
  [text, v.array(v.variant("type", [textPart, imagePart], 'a content part must have type "text" or "image_url"'))],
  "content must be a string or an array of content parts",
);

const toolCall = v.object({
  id: v.string(),
  type: v.literal("function"),
  function: v.object({ name: v.pipe(v.string(), v.minLength(1)), arguments: v.string() }),
});

const name = v.optional(v.string());

const message = v.variant(
  "role",
  [
    v.object({ role: v.picklist(["system", "developer"]), content: textContent, name }),
    v.object({ role: v.literal("user"), content: userContent, name }),
    v.pipe(
      v.object({
        role: v.literal("assistant"),
        content: v.nullish(textContent),
        reasoning_content: v.nullish(v.string()),
        tool_calls: v.optional(v.array(toolCall)),
        name,
      }),
      v.check(
        (m) => m.content != null || (m.tool_calls?.length ?? 0) > 0,
        "an assistant message needs content or tool_calls",
      ),
    ),
    v.object({ role: v.literal("tool"), content: textContent, tool_call_id: v.string() }),
  ],
  'role must be one of "system", "developer", "user", "assistant", "tool"',
);

const tool = v.object({
  type: v.literal("function"),
  function: v.object({
    name: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.:-]{1,128}$/, "a function name is 1-128 letters, digits, _ . : -")),
    description: v.optional(v.string()),
    parameters: v.optional(v.record(v.string(), v.unknown())),
    strict: v.nullish(v.boolean()),
  }),
});

const toolChoice = v.union(
  [
    v.picklist(["none", "auto", "required"]),
    v.object({ type: v.literal("function"), function: v.object({ name: v.string() }) }),
  ],
  'tool_choice must be "none", "auto", "required" or {"type":"function","function":{"name":…}}',
);

const range = (min: number, max: number) => v.nullish(v.pipe(v.number(), v.finite(), v.minValue(min), v.maxValue(max)));
const positiveInt = (max: number) => v.nullish(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(max)));

const stop = v.nullish(
  v.union(
    [v.pipe(v.string(), v.minLength(1)), v.pipe(v.array(v.pipe(v.string(), v.minLength(1))), v.maxLength(16))],
    "stop must be a string or an array of up to 16 non-empty strings",
  ),
);

// Unknown fields are kept: the openai route passes them to models that understand them;
// completion-format routes refuse them by name (routes/completion-route.ts).
export const chatCompletionRequestSchema = v.looseObject({
  model: v.pipe(v.string(), v.minLength(1, "model is empty")),
  messages: v.pipe(v.array(message), v.minLength(1, "messages must not be empty")),
  stream: v.nullish(v.boolean()),
  stream_options: v.nullish(v.object({ include_usage: v.optional(v.boolean()) })),
  max_tokens: positiveInt(1_000_000),
  max_completion_tokens: positiveInt(1_000_000),
  temperature: range(0, 2),
  top_p: range(0, 1),
  top_k: v.nullish(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100_000))),
  stop,
  n: positiveInt(128),
  seed: v.nullish(v.pipe(v.number(), v.integer())),
  presence_penalty: range(-2, 2),
  frequency_penalty: range(-2, 2),
  logit_bias: v.nullish(v.record(v.string(), v.number())),
  logprobs: v.nullish(v.boolean()),
  top_logprobs: v.nullish(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(20))),
  response_format: v.nullish(v.looseObject({ type: v.string() })),
  tools: v.optional(v.array(tool)),
  tool_choice: v.optional(toolChoice),
  parallel_tool_calls: v.optional(v.boolean()),
  user: v.optional(v.string()),
  chat_template_kwargs: v.optional(v.record(v.string(), v.unknown())),
});

/** Every field of the request this library knows (the schema's entries); routes refuse others by name. */
export const REQUEST_FIELDS: ReadonlySet<string> = new Set(Object.keys(chatCompletionRequestSchema.entries));

type PathItem = NonNullable<v.BaseIssue<unknown>["path"]>[number];

function formatPath(path: readonly PathItem[]): string | null {
  if (!path.length) return null;
  let out = "";
  for (const item of path) {
    const key = item.key;
    out += typeof key === "number" ? `[${key}]` : out ? `.${String(key)}` : String(key);
  }
  return out;
}

/**
 * The most specific issue and its full path: for a union, the nested issue that got
 * furthest into the value (valibot gives its path relative to the union's input).
 */
function deepest(issue: v.BaseIssue<unknown>, path: PathItem[]): { issue: v.BaseIssue<unknown>; path: PathItem[] } {
  if (!issue.issues?.length) return { issue, path };
  let best = issue.issues[0]!;
  for (const nested of issue.issues) {
    if ((nested.path?.length ?? 0) > (best.path?.length ?? 0)) best = nested;
  }
  const nested = best.path ?? [];
  // No branch got inside the value: the union's own message says what was expected.
  if (nested.length === 0) return { issue, path };
  return deepest(best, nested[0]!.input === issue.input ? [...path, ...nested] : [...nested]);
}

/** Tool-call arguments are JSON inside a string: their nesting is checked as text. */
function deepArguments(request: ChatCompletionRequest): string | undefined {
  for (const [i, message] of request.messages.entries()) {
    if (message.role !== "assistant") continue;
    for (const [j, call] of (message.tool_calls ?? []).entries()) {
      if (jsonTextTooDeep(call.function.arguments)) return `messages[${i}].tool_calls[${j}].function.arguments`;
    }
  }
  return undefined;
}

function tooDeep(param: string): never {
  throw invalidRequest(`Invalid ${param}: nested more than ${MAX_JSON_DEPTH} levels deep.`, param);
}

/** Validates an unknown value as a Chat Completions request; throws a 400 naming the field. */
export function parseChatRequest(input: unknown): ChatCompletionRequest {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw invalidRequest("The request body must be a JSON object.");
  }
  for (const [field, value] of Object.entries(input)) if (valueTooDeep(value)) tooDeep(field);
  const result = v.safeParse(chatCompletionRequestSchema, input, { abortEarly: true });
  if (result.success) {
    // The schema only checks (no transforms): the caller's own objects go on, in their own key
    // order (a tools block is rendered as json.dumps writes the client's dict) and with fields
    // the openai route passes through.
    const request = input as ChatCompletionRequest;
    const deep = deepArguments(request);
    if (deep) tooDeep(deep);
    return request;
  }
  throw refusalFor(result.issues[0]);
}

function refusalFor(top: v.BaseIssue<unknown>) {
  const { issue, path } = deepest(top, [...(top.path ?? [])]);
  const param = formatPath(path);
  // valibot's messages read "Invalid type: Expected number but received "1""; the field goes first.
  return invalidRequest(param ? `Invalid ${param}: ${issue.message}` : issue.message, param);
}

const streamFlagsSchema = v.pick(chatCompletionRequestSchema, ["stream", "stream_options"]);

/**
 * Only `stream` and `stream_options`, checked as parseChatRequest checks them: for a caller
 * (the proxy) that must choose JSON or SSE before create() validates the whole request.
 */
export function checkStreamFlags(input: object): void {
  const result = v.safeParse(streamFlagsSchema, input);
  if (!result.success) throw refusalFor(result.issues[0]);
}
