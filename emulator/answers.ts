// What the emulated model says: deterministic text, split into the pieces a model would stream.
// Pure functions of the model spec and the request.

import type { ModelFormat, ModelSpec } from "./model-id.ts";
import type { ChatRequest, CompletionRequest } from "./requests.ts";

/** `reasoning` and `tool` only occur in the openai format; completion formats carry raw text. */
export type Channel = "reasoning" | "content" | "tool";

export interface Piece {
  channel: Channel;
  text: string;
}

export type FinishReason = "stop" | "length" | "tool_calls";

export interface Answer {
  pieces: Piece[];
  /** openai format: the function the answer calls (its arguments are the `tool` pieces). */
  toolName?: string;
  finishReason: FinishReason;
  /** Deterministic: ceil(UTF-8 bytes of the prompt / 4). */
  promptTokens: number;
  /** One token per piece. */
  outputTokens: number;
}

export const REASONING_TEXT =
  "Okay, the user wants a reply from the emulator. I will answer briefly and say how long their message was.";
export const TOOL_RESULT_TEXT = "Thanks, the tool answered. The weather in Paris is sunny, 21 °C.";
export const TOOL_ARGUMENTS = '{"city": "Paris"}';
export const DEFAULT_TOOL = "get_weather";
/** Pieces kept by the `length` option when the request sets no limit. */
export const LENGTH_DEFAULT_PIECES = 16;

const END_OF_TURN: Record<CompletionFormat, string> = {
  r1: "<｜end▁of▁sentence｜>",
  llama: "<|eot_id|>",
  qwen3: "<|im_end|>",
  qwen2: "<|im_end|>",
};
const QWEN3_NO_THINKING = "<think>\n\n</think>\n\n";
const TOOL_RESULT_MARKERS = [
  "<tool_response>",
  "<｜tool▁output▁begin｜>",
  "<|start_header_id|>ipython<|end_header_id|>",
];

export function greeting(format: ModelFormat, what: string, text: string): string {
  return `Hello from the Bedrock emulator (${format}). Your ${what} had ${Array.from(text).length} characters.`;
}

export type CompletionFormat = Exclude<ModelFormat, "openai">;

export function completionAnswer(spec: ModelSpec, format: CompletionFormat, request: CompletionRequest): Answer {
  const prompt = request.prompt;
  const texts: string[] = [];
  let body: string[];
  if (spec.echo) {
    body = splitPieces(prompt);
  } else {
    const reasoning = reasoningPrefix(format, prompt);
    texts.push(...splitPieces(reasoning));
    const tool = spec.tool ? offeredTool(prompt) : undefined;
    const main =
      tool === undefined
        ? greeting(format, "prompt", prompt)
        : hasToolResult(prompt)
          ? TOOL_RESULT_TEXT
          : toolCallText(tool);
    body = spec.longPieces ? longPieces(spec.longPieces) : splitPieces(main);
  }
  texts.push(...body);
  if (spec.eos) texts.push(END_OF_TURN[format]);
  const pieces = texts.map((text): Piece => ({ channel: "content", text }));
  return limit(spec, pieces, request.max_gen_len, tokensOf(prompt), "stop");
}

export function chatAnswer(spec: ModelSpec, request: ChatRequest): Answer {
  const lastUser = [...request.messages].reverse().find((message) => message.role === "user")?.text ?? "";
  const promptTokens = tokensOf(request.messages.map((message) => `${message.role}${message.text}`).join(""));
  const pieces: Piece[] = [];
  if (spec.think && !spec.echo)
    pieces.push(...splitPieces(REASONING_TEXT).map((text): Piece => ({ channel: "reasoning", text })));
  const last = request.messages[request.messages.length - 1];
  const toolName = spec.tool && !spec.echo && last?.role !== "tool" ? request.toolNames[0] : undefined;
  if (toolName !== undefined) {
    pieces.push(...splitPieces(TOOL_ARGUMENTS).map((text): Piece => ({ channel: "tool", text })));
    const answer = limit(spec, pieces, request.maxTokens, promptTokens, "tool_calls");
    return { ...answer, toolName };
  }
  const main = spec.echo
    ? lastUser
    : spec.tool && last?.role === "tool"
      ? TOOL_RESULT_TEXT
      : greeting("openai", "last message", lastUser);
  const body = spec.longPieces && !spec.echo ? longPieces(spec.longPieces) : splitPieces(main);
  pieces.push(...body.map((text): Piece => ({ channel: "content", text })));
  return limit(spec, pieces, request.maxTokens, promptTokens, "stop");
}

/** Applies the token limit (and the `length` option, which always cuts the answer short). */
function limit(
  spec: ModelSpec,
  pieces: Piece[],
  maxTokens: number | undefined,
  promptTokens: number,
  reason: FinishReason,
): Answer {
  let keep = maxTokens ?? pieces.length;
  if (spec.length) keep = Math.max(1, Math.min(maxTokens ?? LENGTH_DEFAULT_PIECES, pieces.length - 1));
  const cut = keep < pieces.length;
  const kept = cut ? pieces.slice(0, keep) : pieces;
  return {
    pieces: kept,
    finishReason: cut || spec.length ? "length" : reason,
    promptTokens,
    outputTokens: kept.length,
  };
}

/** r1 prompts end inside `<think>`; qwen3 opens its own unless the prompt closed an empty one. */
function reasoningPrefix(format: CompletionFormat, prompt: string): string {
  if (format === "r1") return `${REASONING_TEXT}\n</think>\n\n`;
  if (format === "qwen3" && !prompt.endsWith(QWEN3_NO_THINKING)) return `<think>\n${REASONING_TEXT}\n</think>\n\n`;
  return "";
}

/** The tool a completion prompt offers: `get_weather` when named, else the first name after `<tools>`. */
export function offeredTool(prompt: string): string | undefined {
  if (prompt.includes(DEFAULT_TOOL)) return DEFAULT_TOOL;
  const tools = prompt.indexOf("<tools>");
  return tools < 0 ? undefined : /"name":\s*"([^"]+)"/.exec(prompt.slice(tools))?.[1];
}

function hasToolResult(prompt: string): boolean {
  return TOOL_RESULT_MARKERS.some((marker) => prompt.includes(marker));
}

export function toolCallText(name: string): string {
  return `<tool_call>\n{"name": ${JSON.stringify(name)}, "arguments": ${TOOL_ARGUMENTS}}\n</tool_call>`;
}

function longPieces(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `w${index} `);
}

const PIECE_SIZES = [3, 5, 2, 4, 6, 1, 4];
const SPLIT_MARKERS = ["<think>", "</think>", "<tool_call>", "</tool_call>"];

/**
 * Splits text into small pieces of whole code points. Every think/tool-call marker is cut in two,
 * so clients must handle a marker spread over two chunks.
 */
export function splitPieces(text: string): string[] {
  const pieces: string[] = [];
  let sizeIndex = 0;
  for (const segment of cutInsideMarkers(text)) {
    const points = Array.from(segment);
    for (let start = 0; start < points.length; ) {
      const size = PIECE_SIZES[sizeIndex++ % PIECE_SIZES.length] ?? 4;
      pieces.push(points.slice(start, start + size).join(""));
      start += size;
    }
  }
  return pieces;
}

function cutInsideMarkers(text: string): string[] {
  const cuts: number[] = [];
  for (const marker of SPLIT_MARKERS) {
    for (let at = text.indexOf(marker); at >= 0; at = text.indexOf(marker, at + marker.length)) {
      cuts.push(at + Math.floor(marker.length / 2));
    }
  }
  cuts.sort((a, b) => a - b);
  const segments: string[] = [];
  let start = 0;
  for (const cut of cuts) {
    segments.push(text.slice(start, cut));
    start = cut;
  }
  segments.push(text.slice(start));
  return segments.filter((segment) => segment.length > 0);
}

const encoder = new TextEncoder();

export function tokensOf(text: string): number {
  return Math.max(1, Math.ceil(encoder.encode(text).length / 4));
}
