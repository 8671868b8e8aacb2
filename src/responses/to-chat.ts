// A Responses request as the Chat Completions request it means. Routes stay untouched: they
// see an ordinary chat request. The mapping also remembers where each chat message came from,
// so that a refusal from the chat layer names the caller's field (`input[3].content`), not ours.
import { BedrockEdgeError, renamedParam } from "../errors.ts";
import { type CarriesForeignFields, FOREIGN_FIELDS } from "../openai/foreign-fields.ts";
import { sentImageUrl } from "../openai/image-detail.ts";
import { asTextPart } from "../openai/refusal-parts.ts";
import { refuseJsonTextPastLimits, requestJsonTextBudget } from "../openai/json-text-budget.ts";
import { decodeThinkingBlocks } from "./encrypted-reasoning.ts";
import type {
  AssistantMessageParam,
  ChatCompletionCreateParams,
  ChatMessageParam,
  ContentPart,
  FunctionTool,
  TextPart,
  ThinkingBlock,
  ToolCall,
  ToolChoice as ChatToolChoice,
} from "../openai/types.ts";
import type {
  FunctionToolParam,
  InputItemParam,
  InputMessageItem,
  ResponsesRequest,
  ResponseToolChoice,
  TextFormat,
} from "./types.ts";

/** Where a chat message came from: its item, and for a merged assistant turn, each part's item. */
export interface MessageSource {
  path: string;
  /** A tool message's text is the item's `output`. */
  contentKey?: "content" | "output";
  /** The function_call item of each tool call. */
  calls?: string[];
  reasoning?: string;
}

export interface ChatMapping {
  chat: ChatCompletionCreateParams;
  sources: MessageSource[];
}

// Fields of the Responses API this layer consumes: mapped onto chat's, or refused in request.ts
// when they ask for anything.
const CONSUMED = new Set([
  "model",
  "input",
  "instructions",
  "tools",
  "tool_choice",
  "max_output_tokens",
  "text",
  "reasoning",
  "stream",
  "stream_options",
  "metadata",
  "store",
  "background",
  "include",
  "truncation",
  "previous_response_id",
  "conversation",
  "prompt",
  "context_management",
  "max_tool_calls",
  "top_logprobs",
  "moderation",
  // Chat-only fields a Response cannot hold (refused in request.ts when they ask for anything).
  "n",
  "best_of",
  "logprobs",
  "prompt_logprobs",
  "access_programs",
  "background_options",
  "image",
]);

// Fields that mean in chat what they mean here, passed on under their own names for the route to
// honour or refuse; and the extensions of Bedrock's imported models (and LiteLLM's drop_params)
// this API takes as chat does (docs/LIBRARY-REFERENCE.md, "The Responses API"). Any other field is not the Responses
// API's: chat's own (`stop`, `seed`, `messages`…) would be honoured with chat's meaning, so none
// goes on; the route's policy refuses them by name, in this API's words, or drops them under
// drop_params (openai/foreign-fields.ts).
const PASSED = new Set([
  "temperature",
  "top_p",
  "parallel_tool_calls",
  "user",
  "service_tier",
  "safety_identifier",
  "prompt_cache_key",
  "prompt_cache_retention",
  "prompt_cache_options",
  "top_k",
  "chat_template_kwargs",
  "drop_params",
]);

/** The Chat Completions request for a validated Responses request. */
export function toChatRequest(request: ResponsesRequest): ChatMapping {
  const { messages, sources } = toMessages(request);
  const passed: Record<string, unknown> = {};
  const foreign: string[] = [];
  for (const [key, value] of Object.entries(request)) {
    // null means "the default" in both APIs: leaving it out says the same to every route.
    if (CONSUMED.has(key) || value == null) continue;
    if (PASSED.has(key)) passed[key] = value;
    else foreign.push(key);
  }
  const chat: ChatCompletionCreateParams & CarriesForeignFields = { ...passed, model: request.model, messages };
  if (foreign.length) chat[FOREIGN_FIELDS] = { api: "Responses API", fields: foreign };
  if (request.tools?.length) chat.tools = request.tools.map(toChatTool);
  const toolChoice = passedToolChoice(request);
  if (toolChoice !== undefined) chat.tool_choice = toolChoice;
  if (request.max_output_tokens != null) chat.max_tokens = request.max_output_tokens;
  const format = request.text?.format;
  if (format && format.type !== "text") chat.response_format = toResponseFormat(format);
  if (request.text?.verbosity != null) chat.verbosity = request.text.verbosity;
  if (request.reasoning?.effort != null) chat.reasoning_effort = request.reasoning.effort;
  return { chat, sources };
}

/**
 * The tool_choice to pass on. "auto" is this API's default, and what a Response echoes when the
 * request offered no tools: with no function offered, it and "none" ask for nothing and are not
 * passed on, as chat's tool_choice means nothing without tools. One that forces a call goes on,
 * for the route to refuse by name.
 */
function passedToolChoice({ tool_choice: choice, tools }: ResponsesRequest): ChatToolChoice | undefined {
  if (choice === undefined) return undefined;
  if (!tools?.length && (choice === "auto" || choice === "none")) return undefined;
  return toChatToolChoice(choice);
}

function toChatTool(tool: FunctionToolParam): FunctionTool {
  const fn: FunctionTool["function"] = { name: tool.name };
  if (tool.description != null) fn.description = tool.description;
  if (tool.parameters != null) fn.parameters = tool.parameters;
  if (tool.strict != null) fn.strict = tool.strict;
  return { type: "function", function: fn };
}

function toChatToolChoice(choice: ResponseToolChoice): ChatToolChoice {
  return typeof choice === "string" ? choice : { type: "function", function: { name: choice.name } };
}

function toResponseFormat(
  format: Exclude<TextFormat, { type: "text" }>,
): ChatCompletionCreateParams["response_format"] {
  if (format.type === "json_object") return { type: "json_object" };
  const { name, schema, description, strict } = format;
  return {
    type: "json_schema",
    json_schema: {
      name,
      schema,
      ...(description !== undefined ? { description } : {}),
      ...(strict != null ? { strict } : {}),
    },
  };
}

/** An assistant turn being gathered from its items. */
interface Turn {
  path: string;
  content: string | TextPart[] | null;
  contentPath?: string;
  reasoning?: { text: string; path: string; thinking?: ThinkingBlock[] };
  calls: ToolCall[];
  callPaths: string[];
}

function toMessages(request: ResponsesRequest): { messages: ChatMessageParam[]; sources: MessageSource[] } {
  const messages: ChatMessageParam[] = [];
  const sources: MessageSource[] = [];
  const push = (message: ChatMessageParam, source: MessageSource) => {
    messages.push(message);
    sources.push(source);
  };
  // The instructions are the system prompt: "system" is the role every chat template knows.
  if (request.instructions) push({ role: "system", content: request.instructions }, { path: "instructions" });
  if (typeof request.input === "string") {
    push({ role: "user", content: request.input }, { path: "input" });
    return { messages, sources };
  }

  // One assistant turn of chat is several Responses items: reasoning, a message, function calls.
  let turn: Turn | undefined;
  // The JSON text in the items' strings, arguments and reasoning together, is counted against one
  // allowance (json-text-budget.ts); chat's check, later, sees only the arguments.
  const budget = requestJsonTextBudget();
  const close = () => {
    // Reasoning alone cannot be a chat message (that needs content or tool calls): it is dropped.
    if (turn && (turn.content !== null || turn.calls.length)) push(...assistantMessage(turn));
    turn = undefined;
  };
  const open = (path: string): Turn => {
    close();
    turn = { path, content: null, calls: [], callPaths: [] };
    return turn;
  };

  request.input.forEach((item: InputItemParam, index) => {
    const path = `input[${index}]`;
    switch (item.type) {
      case "item_reference":
        // Only references to reasoning get this far (request.ts): earlier reasoning is optional.
        return;
      case "reasoning": {
        const text = reasoningText(item);
        // The signed reasoning a route gave (output.ts): the route sends it back as it came.
        const thinking = item.encrypted_content
          ? decodeThinkingBlocks(item.encrypted_content, `${path}.encrypted_content`, budget)
          : undefined;
        open(path).reasoning = thinking ? { text, path, thinking } : { text, path };
        return;
      }
      case "function_call": {
        refuseJsonTextPastLimits(item.arguments, `${path}.arguments`, budget);
        const current = turn ?? open(path);
        current.calls.push({
          id: item.call_id,
          type: "function",
          function: { name: item.name, arguments: item.arguments },
        });
        current.callPaths.push(path);
        return;
      }
      case "function_call_output":
        close();
        push(
          { role: "tool", tool_call_id: item.call_id, content: textContent(item.output) },
          { path, contentKey: "output" },
        );
        return;
      default:
        if (item.role === "assistant") {
          // Reasoning just before belongs to this turn; anything else before starts a new one.
          const current = turn && turn.content === null && !turn.calls.length ? turn : open(path);
          current.content = textContent(item.content);
          current.contentPath = path;
          return;
        }
        close();
        push(toMessage(item), { path, contentKey: "content" });
    }
  });
  close();
  return { messages, sources };
}

function assistantMessage(turn: Turn): [AssistantMessageParam, MessageSource] {
  const message: AssistantMessageParam = { role: "assistant", content: turn.content };
  if (turn.reasoning?.text) message.reasoning_content = turn.reasoning.text;
  if (turn.reasoning?.thinking) message.thinking_blocks = turn.reasoning.thinking;
  if (turn.calls.length) message.tool_calls = turn.calls;
  const source: MessageSource = { path: turn.contentPath ?? turn.path, calls: turn.callPaths };
  if (turn.contentPath) source.contentKey = "content";
  if (turn.reasoning) source.reasoning = turn.reasoning.path;
  return [message, source];
}

function reasoningText(item: Extract<InputItemParam, { type: "reasoning" }>): string {
  const parts = item.content?.length ? item.content : item.summary;
  return parts.map((part) => part.text).join("\n\n");
}

type Parts = InputMessageItem["content"];

/**
 * Text-only content (system, developer, assistant, tool output): parts become chat text parts.
 * No parts is no text: this API takes an empty list, chat's spec does not (minItems 1).
 */
function textContent(content: Parts): string | TextPart[] {
  if (typeof content === "string") return content;
  if (!content.length) return "";
  return content.map((part) => (part.type === "refusal" ? asTextPart(part) : { type: "text", text: textOf(part) }));
}

function textOf(part: Exclude<Parts, string>[number]): string {
  return "text" in part ? part.text : "";
}

function toMessage(item: InputMessageItem): ChatMessageParam {
  if (item.role === "user") {
    // No parts is no text, as in textContent.
    const content =
      typeof item.content === "string" || !item.content.length
        ? textContent(item.content)
        : item.content.map((part): ContentPart => toUserPart(part));
    return { role: "user", content };
  }
  return { role: item.role === "developer" ? "developer" : "system", content: textContent(item.content) };
}

function toUserPart(part: Exclude<Parts, string>[number]): ContentPart {
  if (part.type === "input_image") {
    return { type: "image_url", image_url: sentImageUrl({ url: part.image_url ?? "", detail: part.detail }) };
  }
  if (part.type === "input_file") {
    // Validation took only file_data (request.ts): a file_id or a file_url was refused.
    const file = {
      file_data: part.file_data ?? "",
      ...(part.filename === undefined ? {} : { filename: part.filename }),
    };
    return { type: "file", file };
  }
  return part.type === "refusal" ? asTextPart(part) : { type: "text", text: textOf(part) };
}

// Chat names -> Responses names, for refusals that come from the chat layer.
const RENAMED: ReadonlyArray<[RegExp, string]> = [
  // The whole conversation (empty when the input held only reasoning, which makes no message).
  [/^messages$/, "input"],
  [/^max_(?:completion_)?tokens$/, "max_output_tokens"],
  [/^response_format(?:\.json_schema)?/, "text.format"],
  [/^tools\[(\d+)\]\.function/, "tools[$1]"],
  [/^tool_choice\.function/, "tool_choice"],
  [/^reasoning_effort$/, "reasoning.effort"],
  [/^verbosity$/, "text.verbosity"],
];

/** A chat-layer field name (`messages[2].content`) as the Responses request calls it. */
export function responsesParam(param: string, sources: readonly MessageSource[]): string {
  const message = /^messages\[(\d+)\](.*)$/.exec(param);
  if (!message) {
    for (const [pattern, name] of RENAMED) if (pattern.test(param)) return param.replace(pattern, name);
    return param;
  }
  const source = sources[Number(message[1])];
  if (!source) return param;
  const rest = message[2] ?? "";
  const call = /^\.tool_calls\[(\d+)\](?:\.function)?(.*)$/.exec(rest);
  if (call) return `${source.calls?.[Number(call[1])] ?? source.path}${call[2] ?? ""}`;
  if (rest.startsWith(".reasoning_content")) return source.reasoning ?? source.path;
  if (rest.startsWith(".thinking_blocks"))
    return source.reasoning ? `${source.reasoning}.encrypted_content` : source.path;
  if (rest.startsWith(".content") && source.contentKey) {
    // An input_image's URL is its image_url, where chat's image part holds it in image_url.url;
    // an input_file's fields are its own, where chat's file part holds them in file.
    const part = rest
      .slice(".content".length)
      .replace(/\.image_url\.url$/, ".image_url")
      .replace(/\.file\.(\w+)$/, ".$1");
    return `${source.path}.${source.contentKey}${part}`;
  }
  return source.path;
}

// A chat path a message may name besides its param (the part, where the param is its URL).
const CHAT_PATH = /messages\[\d+\](?:\.\w+|\[\d+\])*/g;

// What a chat-layer refusal advises in Chat's words besides its param: `reasoning_effort "none"`.
// A whole phrase of the library's own, never a bare name: a message also quotes what the caller
// sent (a tool named `max_tokens`).
const CHAT_ADVICE = /\breasoning_effort "none"/g;

/** A refusal from the chat layer, renamed to the caller's fields; other errors pass unchanged. */
export function inResponsesTerms(error: unknown, sources: readonly MessageSource[]): unknown {
  if (!(error instanceof BedrockEdgeError) || error.param === null) return error;
  const param = responsesParam(error.param, sources);
  // Paths first: once the bare param is renamed, `messages[N]` would read `input[N]`, the chat index.
  const message = error.message
    .replace(CHAT_PATH, (path) => responsesParam(path, sources))
    .split(error.param)
    .join(param)
    .replace(CHAT_ADVICE, 'reasoning.effort "none"');
  return param === error.param && message === error.message ? error : renamedParam(error, param, message);
}
