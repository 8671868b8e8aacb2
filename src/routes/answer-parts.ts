// A choice's text, as a model wrote it, in OpenAI's shapes: the answer splitter's parts become a
// message (a whole answer) or chunk deltas (a stream). One splitter per choice, so a model's
// several answers (`n`) never mix. The template routes and the openai route's `tool_parser`
// share this, so a tool call reads the same wherever its text came from.
import { randomId } from "../ids.ts";
import type { ChunkDelta, CompletionMessage, FinishReason, ToolCall } from "../openai/types.ts";
import { type AnswerPart, createAnswerSplitter, type SplitterOptions } from "./answer-splitter.ts";

function toolCall(part: Extract<AnswerPart, { kind: "tool_call" }>): ToolCall {
  return { id: randomId("call_"), type: "function", function: { name: part.name, arguments: part.arguments } };
}

export interface SplitText {
  reasoning: string;
  content: string;
  toolCalls: ToolCall[];
}

/** A whole answer's text -> its reasoning, content and tool calls. */
export function splitText(options: SplitterOptions, text: string): SplitText {
  const splitter = createAnswerSplitter(options);
  const out: SplitText = { reasoning: "", content: "", toolCalls: [] };
  for (const part of [...splitter.push(text), ...splitter.end()]) {
    if (part.kind === "reasoning") out.reasoning += part.text;
    else if (part.kind === "content") out.content += part.text;
    else out.toolCalls.push(toolCall(part));
  }
  return out;
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

/** A model that stopped on its own after calling tools finished with tool calls. */
export function finishWithCalls(reported: FinishReason | undefined, toolCalls: number): FinishReason {
  const reason = reported ?? "stop";
  return toolCalls > 0 && reason === "stop" ? "tool_calls" : reason;
}

export interface DeltaSplitter {
  push(text: string): ChunkDelta[];
  /** The choice's text ended: what was held back. */
  end(): ChunkDelta[];
  /** Tool calls so far. */
  readonly toolCalls: number;
}

/**
 * One streamed choice's text -> chunk deltas; each tool call is one delta, whole, with its id.
 * `nextToolIndex` numbers the calls (by default 0, 1, …; a choice that also has calls from
 * elsewhere shares its count).
 */
export function createDeltaSplitter(options: SplitterOptions, nextToolIndex?: () => number): DeltaSplitter {
  const splitter = createAnswerSplitter(options);
  let count = 0;
  const next = nextToolIndex ?? (() => count++);
  const deltas = (parts: AnswerPart[]): ChunkDelta[] =>
    parts.map((part) => {
      if (part.kind === "reasoning") return { reasoning_content: part.text };
      if (part.kind === "content") return { content: part.text };
      const call = toolCall(part);
      return { tool_calls: [{ index: next(), id: call.id, type: "function", function: call.function }] };
    });
  return {
    push: (text) => deltas(splitter.push(text)),
    end: () => deltas(splitter.end()),
    get toolCalls() {
      return splitter.toolCalls;
    },
  };
}
