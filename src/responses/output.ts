// Assistant output -> Response output items and the stream events that build them. One assembler
// serves plain and streamed answers (a plain answer is fed in one go and its events dropped), so
// the two always agree. Each method appends the events it caused to `out`.
import { randomId } from "../ids.ts";
import type { FinishReason, ServiceTier, ThinkingBlock, Usage } from "../openai/types.ts";
import { encodeThinkingBlocks } from "./encrypted-reasoning.ts";
import type {
  ReasoningText,
  Response,
  ResponseBody,
  ResponseErrorCode,
  ResponseFunctionTool,
  ResponseOutputItem,
  ResponseOutputText,
  ResponseReasoningItem,
  ResponseStatus,
  ResponseStreamEvent,
  ResponseUsage,
  ResponsesRequest,
  SummaryText,
} from "./types.ts";

export interface ResponseMeta {
  id: string;
  created_at: number;
  /** The model name the caller sent. */
  model: string;
}

export function responseMeta(model: string): ResponseMeta {
  return { id: randomId("resp_"), created_at: Math.floor(Date.now() / 1000), model };
}

/** A piece of a tool call, as chat chunks carry it (the first piece has the id and the name). */
interface ToolCallPiece {
  index: number;
  id?: string;
  name?: string;
  arguments?: string;
}

/** What a failure after the first event says: the chat API's error object, and its HTTP status. */
export interface Failure {
  status: number;
  code: string | null;
  message: string;
  param: string | null;
}

type TextKind = "reasoning" | "summary" | "message";

interface TextItem {
  kind: TextKind;
  id: string;
  index: number;
  text: string;
  status: ResponseOutputItem["status"];
  /** A reasoning item's signed or redacted thinking blocks, given back as its encrypted_content. */
  thinking?: ThinkingBlock[];
}

interface CallItem {
  kind: "function_call";
  id: string;
  index: number;
  callId: string;
  name: string;
  arguments: string;
  status: ResponseOutputItem["status"];
}

type Item = TextItem | CallItem;

/** Reasoning item ids: an item_reference to one is known to be droppable (request.ts). */
export const REASONING_ID_PREFIX = "rs_";

const ID_PREFIX: Record<Item["kind"], string> = {
  reasoning: REASONING_ID_PREFIX,
  summary: REASONING_ID_PREFIX,
  message: "msg_",
  function_call: "fc_",
};

export type OutputAssembler = ReturnType<typeof createOutputAssembler>;

export function createOutputAssembler(request: ResponsesRequest, meta: ResponseMeta) {
  // Asking for a summary gets the reasoning as the summary: there is no separate summariser.
  const reasoningKind: TextKind =
    (request.reasoning?.summary ?? request.reasoning?.generate_summary) ? "summary" : "reasoning";
  const items: Item[] = [];
  let open: TextItem | undefined;
  const calls = new Map<number, CallItem>();
  let sequence = 0;
  let finish: FinishReason | undefined;
  let usage: Usage | undefined;
  let tier: ServiceTier | undefined;

  // Every event gets the next sequence number, in the order they are appended. (The cast: adding
  // the field back to one member of the union is that member, which TypeScript cannot see.)
  const event = (out: ResponseStreamEvent[], value: DistributiveOmit<ResponseStreamEvent, "sequence_number">) => {
    out.push({ ...value, sequence_number: sequence++ } as ResponseStreamEvent);
  };

  function add<T extends Item>(item: T, out: ResponseStreamEvent[]): T {
    items.push(item);
    event(out, { type: "response.output_item.added", output_index: item.index, item: outputItem(item) });
    return item;
  }

  function openText(kind: TextKind, out: ResponseStreamEvent[]): TextItem {
    if (open?.kind === kind) return open;
    closeText(out);
    const item = add<TextItem>(
      { kind, id: randomId(ID_PREFIX[kind]), index: items.length, text: "", status: "in_progress" },
      out,
    );
    const at = { item_id: item.id, output_index: item.index };
    if (kind === "summary") {
      event(out, { type: "response.reasoning_summary_part.added", ...at, summary_index: 0, part: summaryPart("") });
    } else {
      event(out, { type: "response.content_part.added", ...at, content_index: 0, part: contentPart(kind, "") });
    }
    open = item;
    return item;
  }

  function closeText(out: ResponseStreamEvent[], status: TextItem["status"] = "completed"): void {
    const item = open;
    if (!item) return;
    open = undefined;
    item.status = status;
    const at = { item_id: item.id, output_index: item.index };
    if (item.kind === "summary") {
      event(out, { type: "response.reasoning_summary_text.done", ...at, summary_index: 0, text: item.text });
      event(out, {
        type: "response.reasoning_summary_part.done",
        ...at,
        summary_index: 0,
        part: summaryPart(item.text),
      });
    } else {
      if (item.kind === "message") {
        event(out, { type: "response.output_text.done", ...at, content_index: 0, text: item.text, logprobs: [] });
      } else {
        event(out, { type: "response.reasoning_text.done", ...at, content_index: 0, text: item.text });
      }
      event(out, {
        type: "response.content_part.done",
        ...at,
        content_index: 0,
        part: contentPart(item.kind, item.text),
      });
    }
    event(out, { type: "response.output_item.done", output_index: item.index, item: outputItem(item) });
  }

  function closeCall(item: CallItem, out: ResponseStreamEvent[], status: CallItem["status"]): void {
    item.status = status;
    const at = { item_id: item.id, output_index: item.index };
    event(out, { type: "response.function_call_arguments.done", ...at, name: item.name, arguments: item.arguments });
    event(out, { type: "response.output_item.done", output_index: item.index, item: outputItem(item) });
  }

  /** Closes what is still open (a cut answer leaves its last items incomplete), in output order. */
  function closeAll(out: ResponseStreamEvent[], status: ResponseOutputItem["status"]): void {
    const openItems = items.filter((item) => item.status === "in_progress");
    for (const item of openItems) {
      if (item.kind === "function_call") closeCall(item, out, status);
      else closeText(out, status);
    }
  }

  function snapshot(status: ResponseStatus, outcome: Outcome = {}): Response {
    return baseResponse(request, meta, status, outcome, items.map(outputItem), usage, tier);
  }

  return {
    /** response.created and response.in_progress. */
    start(out: ResponseStreamEvent[]): void {
      event(out, { type: "response.created", response: snapshot("in_progress") });
      event(out, { type: "response.in_progress", response: snapshot("in_progress") });
    },
    reasoning(text: string, out: ResponseStreamEvent[]): void {
      if (!text) return;
      const item = openText(reasoningKind, out);
      item.text += text;
      const at = { item_id: item.id, output_index: item.index };
      if (item.kind === "summary") {
        event(out, { type: "response.reasoning_summary_text.delta", ...at, summary_index: 0, delta: text });
      } else {
        event(out, { type: "response.reasoning_text.delta", ...at, content_index: 0, delta: text });
      }
    },
    /**
     * Signed or redacted reasoning (a chat delta's thinking_blocks) joins the reasoning item it
     * ends; redacted reasoning, which has no text, gets an item of its own.
     */
    thinking(blocks: readonly ThinkingBlock[], out: ResponseStreamEvent[]): void {
      if (!blocks.length) return;
      const item = open?.kind === reasoningKind ? open : openText(reasoningKind, out);
      item.thinking = [...(item.thinking ?? []), ...blocks];
    },
    content(text: string, out: ResponseStreamEvent[]): void {
      if (!text) return;
      const item = openText("message", out);
      item.text += text;
      event(out, {
        type: "response.output_text.delta",
        item_id: item.id,
        output_index: item.index,
        content_index: 0,
        delta: text,
        logprobs: [],
      });
    },
    toolCall(piece: ToolCallPiece, out: ResponseStreamEvent[]): void {
      let item = calls.get(piece.index);
      if (!item) {
        closeText(out);
        item = add<CallItem>(
          {
            kind: "function_call",
            id: randomId("fc_"),
            index: items.length,
            callId: piece.id || randomId("call_"),
            name: piece.name ?? "",
            arguments: "",
            status: "in_progress",
          },
          out,
        );
        calls.set(piece.index, item);
      } else if (piece.name) {
        item.name = piece.name;
      }
      if (piece.arguments) {
        item.arguments += piece.arguments;
        event(out, {
          type: "response.function_call_arguments.delta",
          item_id: item.id,
          output_index: item.index,
          delta: piece.arguments,
        });
      }
    },
    finish(reason: FinishReason): void {
      finish = reason;
    },
    usage(value: Usage): void {
      usage = value;
    },
    /** The tier that served the answer, when Bedrock said (the converse route). */
    serviceTier(value: ServiceTier): void {
      tier = value;
    },
    /** Closes every item and appends response.completed (or response.incomplete); returns that response. */
    complete(out: ResponseStreamEvent[]): Response {
      const incomplete = finish === "length" || finish === "content_filter";
      const itemStatus = incomplete ? "incomplete" : "completed";
      closeAll(out, itemStatus);
      // A Response always says something: an answer that was only reasoning gets an empty message.
      if (!items.some((item) => item.kind === "message" || item.kind === "function_call")) {
        openText("message", out);
        closeText(out, itemStatus);
      }
      if (incomplete) {
        const reason = finish === "length" ? "max_output_tokens" : "content_filter";
        const response = snapshot("incomplete", { incomplete: reason });
        event(out, { type: "response.incomplete", response });
        return response;
      }
      const response = snapshot("completed", { completedAt: Math.floor(Date.now() / 1000) });
      event(out, { type: "response.completed", response });
      return response;
    },
    /** After a failure: the `error` event, then response.failed with what was said until then. */
    fail(failure: Failure, out: ResponseStreamEvent[]): Response {
      for (const item of items) if (item.status === "in_progress") item.status = "incomplete";
      open = undefined;
      event(out, { type: "error", code: failure.code, message: failure.message, param: failure.param });
      const code: ResponseErrorCode = failure.status === 429 ? "rate_limit_exceeded" : "server_error";
      const response = snapshot("failed", { error: { code, message: failure.message } });
      event(out, { type: "response.failed", response });
      return response;
    },
  };
}

/** Omit over each member of a union (the built-in Omit would merge them). */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function contentPart(kind: "reasoning" | "message", text: string): ResponseOutputText | ReasoningText {
  return kind === "message" ? outputText(text) : reasoningText(text);
}

function outputText(text: string): ResponseOutputText {
  return { type: "output_text", text, annotations: [], logprobs: [] };
}

function reasoningText(text: string): ReasoningText {
  return { type: "reasoning_text", text };
}

function summaryPart(text: string): SummaryText {
  return { type: "summary_text", text };
}

/** An item as the Response and its events show it: a fresh object, never shared with later events. */
function outputItem(item: Item): ResponseOutputItem {
  switch (item.kind) {
    case "function_call":
      return {
        type: "function_call",
        id: item.id,
        call_id: item.callId,
        name: item.name,
        arguments: item.arguments,
        status: item.status,
      };
    case "message":
      return {
        type: "message",
        id: item.id,
        role: "assistant",
        status: item.status,
        content: item.status === "in_progress" && !item.text ? [] : [outputText(item.text)],
      };
    case "summary":
      return withEncryptedContent(item, {
        type: "reasoning",
        id: item.id,
        summary: item.status === "in_progress" && !item.text ? [] : [summaryPart(item.text)],
        status: item.status,
      });
    case "reasoning":
      return withEncryptedContent(item, {
        type: "reasoning",
        id: item.id,
        summary: [],
        content: item.status === "in_progress" && !item.text ? [] : [reasoningText(item.text)],
        status: item.status,
      });
  }
}

/**
 * The item's thinking blocks as encrypted_content, whether or not the request's `include` asked
 * for it: this server stores nothing (every Response says store: false), so the item a client
 * hands back is the only way a signature reaches the next turn, and Bedrock refuses a tool turn
 * of Claude's without it.
 */
function withEncryptedContent(item: TextItem, output: ResponseReasoningItem): ResponseReasoningItem {
  if (item.thinking?.length) output.encrypted_content = encodeThinkingBlocks(item.thinking);
  return output;
}

/**
 * Chat usage in the Responses shape. The spec requires the details objects: the prompt cache's
 * reads and writes are the chat usage's (the converse route reports them), 0 where it has none;
 * no route reports a reasoning token count, so that is 0 (the reasoning is in output_tokens).
 */
function responseUsage(usage: Usage): ResponseUsage {
  const cache = usage.prompt_tokens_details;
  return {
    input_tokens: usage.prompt_tokens,
    input_tokens_details: {
      cached_tokens: cache?.cached_tokens ?? 0,
      cache_write_tokens: cache?.cache_write_tokens ?? 0,
    },
    output_tokens: usage.completion_tokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.total_tokens,
  };
}

function echoTool(tool: NonNullable<ResponsesRequest["tools"]>[number]): ResponseFunctionTool {
  const echoed: ResponseFunctionTool = {
    type: "function",
    name: tool.name,
    parameters: tool.parameters ?? null,
    strict: tool.strict ?? null,
  };
  if (tool.description != null) echoed.description = tool.description;
  return echoed;
}

/** How a response ended, beyond its status. */
interface Outcome {
  completedAt?: number;
  incomplete?: NonNullable<Response["incomplete_details"]>["reason"];
  error?: Response["error"];
}

/** What the openai SDK's `output_text` is (its addOutputText): the message items' output_text parts, joined. */
function joinedOutputText(output: readonly ResponseOutputItem[]): string {
  return output
    .flatMap((item) => (item.type === "message" ? item.content : []))
    .filter((part) => part.type === "output_text")
    .map((part) => part.text)
    .join("");
}

/** A Response as the API's JSON carries it: the SDK's `output_text` left out (the SDK adds its own). */
export function responseBody(response: Response): ResponseBody {
  const { output_text: _sdkOnly, ...body } = response;
  return body;
}

/** The Response object around its output: the request's settings echoed, as OpenAI does. */
function baseResponse(
  request: ResponsesRequest,
  meta: ResponseMeta,
  status: ResponseStatus,
  outcome: Outcome,
  output: ResponseOutputItem[],
  usage: Usage | undefined,
  tier: ServiceTier | undefined,
): Response {
  const response: Response = {
    id: meta.id,
    object: "response",
    access_programs: null,
    created_at: meta.created_at,
    status,
    ...(outcome.completedAt !== undefined ? { completed_at: outcome.completedAt } : {}),
    error: outcome.error ?? null,
    incomplete_details: outcome.incomplete ? { reason: outcome.incomplete } : null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    model: meta.model,
    output,
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: null,
    metadata: request.metadata ?? {},
    reasoning: {
      effort: request.reasoning?.effort ?? null,
      summary: request.reasoning?.summary ?? request.reasoning?.generate_summary ?? null,
    },
    store: false,
    background: false,
    temperature: request.temperature ?? null,
    top_p: request.top_p ?? null,
    text: { format: request.text?.format ?? { type: "text" } },
    tool_choice: request.tool_choice ?? "auto",
    tools: (request.tools ?? []).map(echoTool),
    truncation: "disabled",
    output_text: joinedOutputText(output),
  };
  if (request.text?.verbosity != null) response.text.verbosity = request.text.verbosity;
  if (usage) response.usage = responseUsage(usage);
  if (tier) response.service_tier = tier;
  if (request.user !== undefined) response.user = request.user;
  return response;
}
