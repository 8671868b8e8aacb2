// Splits a model's raw text into reasoning, content and tool calls, incrementally.
// The same machine serves plain answers (all text pushed at once) and streams (text pushed
// as frames arrive), so a streamed answer always adds up to the plain one. Markers such as
// `</think>` may arrive split at any character: only a tail that could still become a
// marker is held back.

export type AnswerPart =
  | { kind: "reasoning"; text: string }
  | { kind: "content"; text: string }
  | { kind: "tool_call"; name: string; arguments: string };

export interface ParsedToolCall {
  name: string;
  /** A JSON string, as OpenAI's `function.arguments`. */
  arguments: string;
}

export interface ToolSyntax {
  open: string;
  close: string;
  /** The text between the markers -> calls; undefined when it is not a valid call. */
  parse(block: string): ParsedToolCall[] | undefined;
}

export interface SplitterOptions {
  /** "always": the answer starts inside a think block (the R1 prompt opens it); "detect": only when it opens with `<think>`. */
  reasoning: "always" | "detect" | "never";
  /** Tool-call markup to recognise; absent when the request offered no tools. */
  tools?: ToolSyntax;
  /** End-of-turn tokens some models print; text stops there. */
  endMarkers: readonly string[];
}

export interface AnswerSplitter {
  push(text: string): AnswerPart[];
  end(): AnswerPart[];
  /** Tool calls recognised so far. */
  readonly toolCalls: number;
}

const THINK_OPEN = "<think>";
const THINK_CLOSE = "</think>";
// Some servers echo the generation prompt's header; it is not part of the answer.
const CHATML_HEADER = "<|im_start|>assistant\n";
const LEADING_SPACE = /^\s+/;
const TRAILING_SPACE = /\s+$/;

/** Length of the longest tail of `text` that is a proper prefix of one of `markers`. */
export function partialMarkerLength(text: string, markers: readonly string[]): number {
  let longest = 0;
  for (const marker of markers) {
    const max = Math.min(marker.length - 1, text.length);
    for (let n = max; n > longest; n--) {
      if (text.endsWith(marker.slice(0, n))) {
        longest = n;
        break;
      }
    }
  }
  return longest;
}

function firstMarker(text: string, markers: readonly string[]): { index: number; marker: string } | undefined {
  let found: { index: number; marker: string } | undefined;
  for (const marker of markers) {
    const index = text.indexOf(marker);
    if (index >= 0 && (!found || index < found.index)) found = { index, marker };
  }
  return found;
}

export function createAnswerSplitter(options: SplitterOptions): AnswerSplitter {
  type State = "start" | "think" | "content" | "tool" | "done";
  let state: State = "start";
  let pending = "";
  // Leading whitespace of the reasoning, and of the content after it, is dropped.
  let trimStart = false;
  let toolCalls = 0;
  const tools = options.tools;
  const thinkMarkers = [THINK_CLOSE, ...options.endMarkers];
  const contentMarkers = tools ? [tools.open, ...options.endMarkers] : options.endMarkers;

  function emit(out: AnswerPart[], kind: "reasoning" | "content", text: string): void {
    if (trimStart) {
      text = text.replace(LEADING_SPACE, "");
      if (!text) return;
      trimStart = false;
    }
    if (!text) return;
    const last = out[out.length - 1];
    if (last && last.kind === kind) last.text += text;
    else out.push({ kind, text });
  }

  function emitTool(out: AnswerPart[], block: string, closed: boolean): void {
    const calls = tools!.parse(block);
    if (!calls) {
      // Not a call after all: the text is the model's, so it is kept as content.
      emit(out, "content", tools!.open + block + (closed ? tools!.close : ""));
      return;
    }
    for (const call of calls) out.push({ kind: "tool_call", ...call });
    toolCalls += calls.length;
  }

  /** Emits what is certainly text of `kind`, keeping a possible marker start (and, optionally, trailing space). */
  function emitSafe(out: AnswerPart[], kind: "reasoning" | "content", markers: readonly string[], holdSpace: boolean): void {
    let safe = pending.length - partialMarkerLength(pending, markers);
    // Whitespace right before a marker is dropped with it, so it waits too.
    if (holdSpace) safe = pending.slice(0, safe).replace(TRAILING_SPACE, "").length;
    emit(out, kind, pending.slice(0, safe));
    pending = pending.slice(safe);
  }

  function drain(final: boolean): AnswerPart[] {
    const out: AnswerPart[] = [];
    for (;;) {
      if (state === "done") {
        pending = "";
        return out;
      }
      if (state === "start") {
        if (pending.startsWith(CHATML_HEADER)) {
          pending = pending.slice(CHATML_HEADER.length);
          continue;
        }
        const lead = pending.replace(LEADING_SPACE, "");
        if (options.reasoning !== "never" && lead.startsWith(THINK_OPEN)) {
          pending = lead.slice(THINK_OPEN.length);
          state = "think";
          trimStart = true;
          continue;
        }
        const undecided =
          CHATML_HEADER.startsWith(pending) || (options.reasoning !== "never" && THINK_OPEN.startsWith(lead));
        if (undecided && !final) return out;
        state = options.reasoning === "always" ? "think" : "content";
        trimStart = state === "think";
        continue;
      }
      if (state === "think") {
        const hit = firstMarker(pending, thinkMarkers);
        if (hit) {
          emit(out, "reasoning", pending.slice(0, hit.index).replace(TRAILING_SPACE, ""));
          pending = pending.slice(hit.index + hit.marker.length);
          state = hit.marker === THINK_CLOSE ? "content" : "done";
          trimStart = true;
          continue;
        }
        if (final) {
          // No `</think>` ever came: everything was reasoning.
          emit(out, "reasoning", pending.replace(TRAILING_SPACE, ""));
          pending = "";
          return out;
        }
        emitSafe(out, "reasoning", thinkMarkers, true);
        return out;
      }
      if (state === "content") {
        const hit = firstMarker(pending, contentMarkers);
        if (hit) {
          const before = pending.slice(0, hit.index);
          emit(out, "content", hit.marker === tools?.open ? before.replace(TRAILING_SPACE, "") : before);
          pending = pending.slice(hit.index + hit.marker.length);
          state = hit.marker === tools?.open ? "tool" : "done";
          continue;
        }
        if (final) {
          emit(out, "content", toolCalls > 0 ? pending.replace(TRAILING_SPACE, "") : pending);
          pending = "";
          return out;
        }
        emitSafe(out, "content", contentMarkers, tools !== undefined);
        return out;
      }
      // state === "tool": a call is only useful whole, so it is held until it closes.
      const close = pending.indexOf(tools!.close);
      if (close >= 0) {
        emitTool(out, pending.slice(0, close), true);
        pending = pending.slice(close + tools!.close.length);
        state = "content";
        // Whitespace between calls is layout, not content.
        trimStart = true;
        continue;
      }
      const end = firstMarker(pending, options.endMarkers);
      if (end || final) {
        // Models often stop at the end-of-turn token without closing the last call.
        state = "done";
        emitTool(out, end ? pending.slice(0, end.index) : pending, false);
        pending = "";
        return out;
      }
      return out;
    }
  }

  return {
    push(text) {
      pending += text;
      return drain(false);
    },
    end() {
      return drain(true);
    },
    get toolCalls() {
      return toolCalls;
    },
  };
}
