// What the emulated model says: deterministic text, split into the pieces a model would stream,
// for a raw prompt (the completion formats) or a conversation (the chat format, Converse).
// Pure functions of the model's options and the request.

import { countCodePoints } from "./code-points.ts";
import { hashNumber } from "./hash.ts";
import { parseJsonText } from "./json-body.ts";
import type { ChatMessage, ToolChoice } from "./chat-request.ts";
import type { ModelFormat, ModelOptions } from "./model-id.ts";
import { longPieces, splitPieces, tokensOf } from "./pieces.ts";
import { lastUserTurn } from "./prompt-turns.ts";
import { prefillAt, prefillContinuation, type Prefill } from "./prefills.ts";
import { pythonJson } from "./python-json.ts";
import { isRecord } from "./request-checks.ts";
import { type Constraint, constrainedText } from "./structured-output.ts";
import {
  DEFAULT_TOOL,
  END_OF_TURN,
  FAMILY,
  type Family,
  hasToolResult,
  type OfferedTool,
  toolArguments,
  toolCallMarkup,
  toolsInPrompt,
} from "./tool-markup.ts";

/** `reasoning` and `tool` pieces only occur in structured answers; raw completions are all `content`. */
export type Channel = "reasoning" | "content" | "tool";

export interface Piece {
  channel: Channel;
  text: string;
}

export type FinishReason = "stop" | "length" | "tool_calls";

export interface Answer {
  pieces: Piece[];
  /** A structured tool call; its arguments are the `tool` pieces. `forced`: tool_choice required or named. */
  toolCall?: { name: string; forced: boolean };
  finishReason: FinishReason;
  /** The stop string the answer ended on (vLLM's `stop_reason`), else null. */
  stopReason: string | null;
  /** Deterministic: ceil(UTF-8 bytes of the prompt / 4). */
  promptTokens: number;
  /** One token per piece. */
  outputTokens: number;
}

export const REASONING_TEXT =
  "Okay, the user wants a reply from the emulator. I will answer briefly and say how long their message was.";
export const TOOL_RESULT_TEXT = "Thanks, the tool answered. The weather in Paris is sunny, 21 °C.";
/** Pieces kept by the `length` option when the request sets no limit. */
export const LENGTH_DEFAULT_PIECES = 16;

function greeting(name: string, what: string, text: string): string {
  return `Hello from the Bedrock emulator (${name}). Your ${what} had ${countCodePoints(text)} characters.`;
}

/** What the answer may be and how it must end: the request's limits. */
export interface Limits {
  maxTokens?: number;
  stop: readonly string[];
  constraint?: Constraint;
}

export interface CompletionInput extends Limits {
  prompt: string;
}

/**
 * A raw prompt's continuation, in this order of precedence: a structured-output constraint
 * (guided decoding writes exactly that), a forced tool call the prompt ends inside (continued
 * to its closing markup), the echo, else reasoning (r1, qwen3) and the answer or tool call.
 */
export function completionAnswer(spec: ModelOptions & { format: ModelFormat }, input: CompletionInput): Answer {
  const { prompt } = input;
  const family = FAMILY[spec.format];
  const texts: string[] = [];
  const plain = greeting(spec.format, "prompt", prompt);
  const constrained =
    echoedJsonObject(spec, input.constraint, lastUserTurn(family, prompt)) ??
    (input.constraint && constrainedText(input.constraint, plain, hashNumber(prompt)));
  const prefill = constrained === undefined ? prefillAt(prompt) : undefined;
  if (constrained !== undefined) append(texts, splitPieces(constrained));
  else if (prefill) {
    const tool = prefilledTool(prefill, prompt);
    append(texts, splitPieces(prefillContinuation(prefill, tool.name, toolArguments(tool))));
  } else if (spec.echo) append(texts, splitPieces(prompt));
  else {
    append(texts, splitPieces(reasoningPrefix(spec.format, prompt)));
    const tool = spec.tool ? offeredTool(prompt) : undefined;
    const main =
      tool === undefined
        ? plain
        : hasToolResult(prompt)
          ? TOOL_RESULT_TEXT
          : toolCallMarkup(family, tool.name, toolArguments(tool));
    append(texts, spec.longPieces ? longPieces(spec.longPieces, spec.wordsPerPiece) : splitPieces(main));
  }
  const pieces = texts.map((text): Piece => ({ channel: "content", text }));
  return finish(spec, pieces, input, tokensOf(prompt), "stop", END_OF_TURN[family]);
}

export interface ChatInput extends Limits {
  /** Who the greeting says answered. */
  name: string;
  family: Family;
  messages: readonly ChatMessage[];
  tools: readonly OfferedTool[];
  toolChoice: ToolChoice;
  /**
   * Whether the server parses the model's tool calls into structured calls (the openai format,
   * Converse) or leaves the family's markup in the text (Bedrock parses tool calls server-side
   * only for some imports). Forced calls are structured either way: guided decoding writes them.
   */
  parsesTools: boolean;
}

export function chatAnswer(spec: ModelOptions, input: ChatInput): Answer {
  const { messages, tools, toolChoice } = input;
  const last = messages[messages.length - 1];
  const lastUser = lastUserText(messages);
  const promptTokens = tokensOf(messages.map((message) => `${message.role}${message.text}`).join(""));
  const pieces: Piece[] = [];
  const push = (channel: Channel, texts: string[]) => {
    for (const text of texts) pieces.push({ channel, text });
  };
  if (spec.think && !spec.echo) push("reasoning", splitPieces(REASONING_TEXT));
  const forced = toolChoice.kind === "required" || toolChoice.kind === "named";
  const auto = toolChoice.kind === "auto" && spec.tool && !spec.echo && last?.role !== "tool";
  const tool = forced || auto ? chosenTool(tools, toolChoice) : undefined;
  if (tool) {
    const args = toolArguments(tool);
    if (forced || input.parsesTools) {
      push("tool", splitPieces(pythonJson(args)));
      return { ...finish(spec, pieces, input, promptTokens, "tool_calls"), toolCall: { name: tool.name, forced } };
    }
    push("content", splitPieces(toolCallMarkup(input.family, tool.name, args)));
    return finish(spec, pieces, input, promptTokens, "stop");
  }
  const plain = greeting(input.name, "last message", lastUser);
  const constrained =
    echoedJsonObject(spec, input.constraint, lastUser) ??
    (input.constraint && constrainedText(input.constraint, plain, hashNumber(lastUser)));
  const main = constrained ?? (spec.echo ? lastUser : spec.tool && last?.role === "tool" ? TOOL_RESULT_TEXT : plain);
  const long = spec.longPieces !== undefined && !spec.echo && constrained === undefined;
  push("content", long ? longPieces(spec.longPieces ?? 0, spec.wordsPerPiece) : splitPieces(main));
  return finish(spec, pieces, input, promptTokens, "stop");
}

/**
 * Under `json_object` a model writes the JSON object its prompt asks for; with `echo`, a user
 * message that is itself a JSON object is that answer, verbatim (so clients' JSON modes, which
 * parse the object into the caller's schema, can be tested). `undefined`: answer as usual.
 */
function echoedJsonObject(spec: ModelOptions, constraint: Constraint | undefined, message: string): string | undefined {
  if (!spec.echo || constraint?.kind !== "json-object") return undefined;
  const parsed = parseJsonText(message);
  return parsed.ok && isRecord(parsed.json) ? message : undefined;
}

function lastUserText(messages: readonly ChatMessage[]): string {
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index];
    if (message?.role === "user") return message.text;
  }
  return "";
}

function chosenTool(tools: readonly OfferedTool[], choice: ToolChoice): OfferedTool | undefined {
  if (choice.kind === "named") return tools.find((tool) => tool.name === choice.name) ?? { name: choice.name };
  return tools[0];
}

/**
 * Ends the answer as a model would: at the first stop string (which is not part of the output),
 * else with the family's end-of-turn token when the `eos` option asks for it, and never past
 * the token limit (or the `length` option's cut).
 */
function finish(
  spec: ModelOptions,
  pieces: Piece[],
  limits: Limits,
  promptTokens: number,
  reason: FinishReason,
  endOfTurn?: string,
): Answer {
  const stopReason = cutAtStop(pieces, limits.stop);
  if (stopReason === null && spec.eos && endOfTurn) pieces.push({ channel: "content", text: endOfTurn });
  let keep = limits.maxTokens ?? pieces.length;
  if (spec.length) keep = Math.max(1, Math.min(limits.maxTokens ?? LENGTH_DEFAULT_PIECES, pieces.length - 1));
  const cut = keep < pieces.length;
  if (cut) pieces.length = keep;
  return {
    pieces,
    finishReason: cut || spec.length ? "length" : stopReason !== null ? "stop" : reason,
    stopReason: cut ? null : stopReason,
    promptTokens,
    outputTokens: pieces.length,
  };
}

/** Truncates `pieces` before the earliest stop string; returns that string, or null. */
function cutAtStop(pieces: Piece[], stops: readonly string[]): string | null {
  if (stops.length === 0) return null;
  const text = pieces.map((piece) => piece.text).join("");
  let at = -1;
  let found: string | null = null;
  for (const stop of stops) {
    const index = text.indexOf(stop);
    if (index >= 0 && (at < 0 || index < at)) {
      at = index;
      found = stop;
    }
  }
  if (found === null) return null;
  let offset = 0;
  for (let index = 0; index < pieces.length; index++) {
    const piece = pieces[index];
    if (!piece) break;
    if (offset + piece.text.length > at) {
      const kept = piece.text.slice(0, at - offset);
      pieces.length = index;
      if (kept) pieces.push({ channel: piece.channel, text: kept });
      break;
    }
    offset += piece.text.length;
  }
  return found;
}

/**
 * A thinking model (r1, qwen3) continues the prompt as it ends: inside a think block the prompt
 * opened (R1's generation prompt), it reasons and closes it; after a closed one (the library's
 * empty block before a forced call or a held answer, qwen3's `enable_thinking: false`), it answers
 * at once; anywhere else (qwen3's own template, R1 after a tool result), it opens its own.
 */
function reasoningPrefix(format: ModelFormat, prompt: string): string {
  if (format !== "r1" && format !== "qwen3") return "";
  const end = prompt.trimEnd();
  if (end.endsWith("</think>")) return "";
  return end.endsWith("<think>") ? `${REASONING_TEXT}\n</think>\n\n` : `<think>\n${REASONING_TEXT}\n</think>\n\n`;
}

/**
 * The tool a completion prompt offers: `get_weather` when its tools block has it, else the
 * block's first tool, else `get_weather` when the prompt mentions it (R1's template has no
 * tools block).
 */
function offeredTool(prompt: string): OfferedTool | undefined {
  const tools = toolsInPrompt(prompt);
  const tool = tools.find((candidate) => candidate.name === DEFAULT_TOOL) ?? tools[0];
  if (tool) return tool;
  return prompt.includes(DEFAULT_TOOL) ? { name: DEFAULT_TOOL } : undefined;
}

/** The tool a forced call is for: the one the prefill named, else the first offered. */
function prefilledTool(prefill: Prefill, prompt: string): OfferedTool {
  const tools = toolsInPrompt(prompt);
  if (prefill.tool !== undefined) return tools.find((tool) => tool.name === prefill.tool) ?? { name: prefill.tool };
  return tools[0] ?? { name: DEFAULT_TOOL };
}

/** Appends without spreading: answers can have millions of pieces. */
function append(target: string[], items: readonly string[]): void {
  for (const item of items) target.push(item);
}
