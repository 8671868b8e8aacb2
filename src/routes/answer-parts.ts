// A choice's text, as a model wrote it, in OpenAI's shapes: the answer splitter's parts become a
// message (a whole answer) or chunk deltas (a stream). One splitter per choice, so a model's
// several answers (`n`) never mix. The template routes and the openai route's `tool_parser`
// share this, so a tool call reads the same wherever its text came from.
import { randomId } from "../ids.ts";
import type { ChunkDelta, CompletionMessage, FinishReason, ToolCall } from "../openai/types.ts";
import { type AnswerPart, createAnswerSplitter, type SplitterOptions, type UnfinishedCall } from "./answer-splitter.ts";

type CallPart = Extract<AnswerPart, { kind: "tool_call" }>;

function toolCall(part: CallPart, options: SplitterOptions): ToolCall {
  const args = options.callArguments ? options.callArguments(part.name, part.arguments) : part.arguments;
  return { id: randomId("call_"), type: "function", function: { name: part.name, arguments: args } };
}

/**
 * What a forced call the model did not finish gives, by how the answer ended. Cut by the token
 * limit, it is what OpenAI gives for a call cut there: the call with the arguments written so far
 * (`finish_reason: "length"` says they are cut); when the function is not known yet, or the call
 * went wrong before the cut, its markup, whole, as content. Any other end leaves no answer to give
 * (undefined): the route refuses it (forced-call.ts, unfinishedCallError).
 */
function settle(call: UnfinishedCall, finish: FinishReason | undefined): AnswerPart | undefined {
  if (finish !== "length") return undefined;
  return call.cut && call.name !== undefined
    ? { kind: "tool_call", name: call.name, arguments: call.arguments }
    : { kind: "content", text: call.markup };
}

export interface SplitText {
  reasoning: string;
  content: string;
  toolCalls: ToolCall[];
  /** A forced call the model did not finish, which the answer's end left nothing to give for. */
  unfinished?: UnfinishedCall;
}

/**
 * A whole answer's text -> its reasoning, content and tool calls; `finish` is how it ended. Text
 * around the calls is one content, as a stream gives it (createDeltaSplitter).
 */
export function splitText(options: SplitterOptions, text: string, finish?: FinishReason): SplitText {
  if (allContent(options, text)) return { reasoning: "", content: text, toolCalls: [] };
  const splitter = createAnswerSplitter(options);
  const out: SplitText = { reasoning: "", content: "", toolCalls: [] };
  const parts = [...splitter.push(text), ...splitter.end()];
  const unfinished = parts.find((part) => part.kind === "unfinished_call");
  // As in a stream, what an unfinished call gives comes last.
  const settled = unfinished && settle(unfinished, finish);
  if (settled) parts.push(settled);
  else if (unfinished) out.unfinished = unfinished;
  for (const part of parts) {
    if (part.kind === "reasoning") out.reasoning += part.text;
    else if (part.kind === "content") out.content += part.text;
    else if (part.kind === "tool_call") out.toolCalls.push(toolCall(part, options));
  }
  return out;
}

/**
 * Whether the splitter would give all of `text` as content, as written: it finds nothing to split
 * where no marker can begin (every marker it looks for without tools, the think tags and ChatML's
 * header included, begins with "<"), the answer does not start inside reasoning and no prefill
 * comes before it. Most plain answers are such text, and making a splitter cost more than reading it.
 */
function allContent(options: SplitterOptions, text: string): boolean {
  return (
    options.reasoning !== "always" &&
    options.tools === undefined &&
    !options.prefill &&
    !text.includes("<") &&
    options.endMarkers.every((marker) => marker.startsWith("<"))
  );
}

/** The assistant message of split text: content null when the answer is only tool calls. */
export function messageOf(split: SplitText): CompletionMessage {
  const message: CompletionMessage = {
    role: "assistant",
    content: split.toolCalls.length && !split.content ? null : split.content,
    refusal: null,
  };
  if (split.reasoning) message.reasoning_content = split.reasoning;
  if (split.toolCalls.length) message.tool_calls = split.toolCalls;
  return message;
}

/**
 * A model that stopped on its own after calling tools finished with tool calls; one that says it
 * called tools but gave back none stopped (OpenAI's tool_calls always comes with calls to run).
 */
export function finishWithCalls(reported: FinishReason | undefined, toolCalls: number): FinishReason {
  const reason = reported ?? "stop";
  if (toolCalls > 0) return reason === "stop" ? "tool_calls" : reason;
  return reason === "tool_calls" ? "stop" : reason;
}

export interface DeltaSplitter {
  push(text: string): ChunkDelta[];
  /** The choice's text ended (`finish` says how): what was held back, the tool calls last. */
  end(finish?: FinishReason): ChunkDelta[];
  /**
   * The stream failed: the text held back for a marker that can no longer complete, which is the
   * answer's text (unicode51 U-01). No call: one the failure cut off is none, and whole ones go
   * out with the answer's end, which never came.
   */
  release(): ChunkDelta[];
  /** Tool calls so far. */
  readonly toolCalls: number;
  /** After end(): a forced call the model did not finish, which the answer's end left nothing to give for. */
  readonly unfinished: UnfinishedCall | undefined;
}

/**
 * One streamed choice's text -> chunk deltas; each tool call is one delta, whole, with its id.
 * The calls wait for the end of the text, so that all of the text comes before them, as a whole
 * message has its content before its tool_calls: text a model writes after a call then adds to
 * the same content, and the Responses API makes the same items of a stream as of a whole answer
 * (one message, then the function calls). A call only counts whole, so little is held: what the
 * model writes after its calls, usually nothing but its end of turn.
 * `nextToolIndex` numbers the calls (by default 0, 1, …; a choice that also has calls from
 * elsewhere shares its count).
 */
export function createDeltaSplitter(options: SplitterOptions, nextToolIndex?: () => number): DeltaSplitter {
  const splitter = createAnswerSplitter(options);
  let count = 0;
  const next = nextToolIndex ?? (() => count++);
  let held: CallPart[] = [];
  let heldUnfinished: UnfinishedCall | undefined;
  let unfinished: UnfinishedCall | undefined;
  const callDelta = (part: CallPart): ChunkDelta => {
    const call = toolCall(part, options);
    return { tool_calls: [{ index: next(), id: call.id, type: "function", function: call.function }] };
  };
  const deltas = (parts: AnswerPart[]): ChunkDelta[] => {
    const out: ChunkDelta[] = [];
    for (const part of parts) {
      if (part.kind === "reasoning") out.push({ reasoning_content: part.text });
      else if (part.kind === "content") out.push({ content: part.text });
      else if (part.kind === "tool_call") held.push(part);
      // The first, as a whole answer reads it (splitText).
      else heldUnfinished ??= part;
    }
    return out;
  };
  return {
    push: (text) => deltas(splitter.push(text)),
    end(finish) {
      const out = deltas(splitter.end());
      const settled = heldUnfinished && settle(heldUnfinished, finish);
      if (settled?.kind === "content") out.push({ content: settled.text });
      else if (settled?.kind === "tool_call") held.push(settled);
      else unfinished = heldUnfinished;
      const calls = held;
      held = [];
      for (const call of calls) out.push(callDelta(call));
      return out;
    },
    release: () => deltas(splitter.release()),
    get toolCalls() {
      return splitter.toolCalls;
    },
    get unfinished() {
      return unfinished;
    },
  };
}
