// Splits a model's raw text into reasoning, content and tool calls, incrementally.
// The same machine serves plain answers (all text pushed at once) and streams (text pushed
// as frames arrive), so a streamed answer always adds up to the plain one. Markers such as
// `</think>` may arrive split at any character: only a tail that could still become a
// marker is held back. Text is scanned once: a hostile answer costs linear time.
import { IM_START } from "./prompts/special-tokens.ts";
import { THINK_CLOSE, THINK_OPEN } from "./prompts/think-tags.ts";

export type AnswerPart =
  | { kind: "reasoning"; text: string }
  | { kind: "content"; text: string }
  | { kind: "tool_call"; name: string; arguments: string }
  | UnfinishedCall;

/**
 * A forced call the model began but did not make whole. What it becomes depends on how the answer
 * ended, which the text does not tell (answer-parts.ts settles it).
 */
export interface UnfinishedCall {
  kind: "unfinished_call";
  /** The function it calls, when the text got far enough to tell which. */
  name?: string;
  /** Its arguments as written so far (when `cut`). */
  arguments: string;
  /** The answer ended while the call was still well formed: only its end is missing. */
  cut: boolean;
  /** The call as written, its opening (the prefill's) included. */
  markup: string;
  /**
   * A whole call to a function the request does not allow (offered-calls.ts): one not in `tools`,
   * or not the one `tool_choice` names.
   */
  unoffered?: "tools" | "tool_choice";
}

/**
 * The model's words where a forced call's prefilled function name goes (a sentence, often a
 * refusal, forced-call.ts reads it), and the calls it wrote after them in the same block.
 */
export interface SlotWords {
  kind: "words";
  words: string;
  calls: ParsedToolCall[];
}

/** A call to a function the request does not allow: not in `tools`, or not the one `tool_choice` names. */
export interface UnofferedCall {
  kind: "unoffered";
  name: string;
  field: "tools" | "tool_choice";
}

/** What a forced call's text turned out to be, when the tool syntax could not read it as calls. */
export type ForcedCallReading =
  /** A whole call whose closing markup is missing (a model held to the arguments' schema stops after them). */
  | { kind: "calls"; calls: [ParsedToolCall] }
  /** Well formed as far as it goes, but it ends before the call does. */
  | { kind: "cut"; name?: string; arguments: string }
  /** Call markup that cannot be a call. */
  | { kind: "broken"; name?: string }
  /** The model's words, and (`more`) the text of calls it opened after them in the same block, unread. */
  | (SlotWords & { more?: string })
  | UnofferedCall;

export interface ParsedToolCall {
  name: string;
  /** A JSON string, as OpenAI's `function.arguments`. */
  arguments: string;
}

/** What calls read from the text give, by the functions the request allows (offered-calls.ts). */
export type AdmittedCalls =
  /** These calls: all that were read, or the first of them that the request lets an answer hold. */
  | { kind: "calls"; calls: ParsedToolCall[] }
  /** Not calls at all: the model's text. */
  | { kind: "text" }
  | SlotWords
  | UnofferedCall;

/** Calls between markers (Qwen's `<tool_call>`, DeepSeek's): any number of blocks, anywhere in the content. */
export interface MarkedToolSyntax {
  kind: "marked";
  open: string;
  close: string;
  /** The text between the markers -> calls; undefined when it is not a valid call. */
  parse(block: string): ParsedToolCall[] | undefined;
}

/**
 * Calls with no opening marker (Llama's JSON): the content is calls when it begins, after
 * whitespace, with one of `starts` and parses as calls; otherwise it is text. Such content is
 * held whole until the answer ends, since only then can it be parsed.
 */
export interface LeadingToolSyntax {
  kind: "leading";
  starts: readonly string[];
  /** The whole content -> calls; undefined when it is not calls. */
  parse(content: string): ParsedToolCall[] | undefined;
}

export type ToolSyntax = MarkedToolSyntax | LeadingToolSyntax;

/**
 * Where an answer starts: "always" inside a think block (the prompt opened it); "detect" inside
 * one only when the answer opens `<think>` itself; "never": the answer is content (a family that
 * never thinks, or a prompt that closed the think block).
 */
export type ReasoningStart = "always" | "detect" | "never";

export interface SplitterOptions {
  reasoning: ReasoningStart;
  /** Tool-call markup to recognise; absent when the request offered no tools. */
  tools?: ToolSyntax;
  /** End-of-turn tokens some models print; text stops there. */
  endMarkers: readonly string[];
  /**
   * Text the prompt ends with and the model continues (a forced call's opening): read before the
   * model's text, never returned. If what follows is not a call, the model's own text is the
   * content, without the prefill.
   */
  prefill?: string;
  /**
   * Reads the forced call's text (from its opening, longer than the prefill) when the tool syntax
   * does not read it as calls (forced-call.ts).
   */
  readForcedCall?: (call: string) => ForcedCallReading;
  /**
   * Which of the calls read from one tool block (or a leading answer) the answer gives, `before`
   * calls having come earlier in it; absent: all of them.
   */
  admitCalls?: (calls: ParsedToolCall[], before: number, prefilled: boolean) => AdmittedCalls;
  /**
   * A call's arguments as the caller's schema spells its strings, where the request's tools were
   * neutralised for the prompt and the model copied a broken value (sent-tools.ts).
   */
  callArguments?: (name: string, args: string) => string;
}

export interface AnswerSplitter {
  push(text: string): AnswerPart[];
  end(): AnswerPart[];
  /**
   * The stream failed (unicode51 U-01): the text held back for a marker, as end() gives it, but
   * nothing of a tool block the failure cut off, which is neither a call nor the answer's text.
   */
  release(): AnswerPart[];
  /** Tool calls recognised so far. */
  readonly toolCalls: number;
}

// Some servers echo the (ChatML) generation prompt's header; it is not part of the answer.
const CHATML_HEADER = `${IM_START}assistant\n`;

/** What JavaScript's `\s` matches, tested one code unit at a time. */
function isSpace(c: number): boolean {
  return (
    c === 32 ||
    (c >= 9 && c <= 13) ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/**
 * The layout a template writes around its markers (newlines, spaces, tabs): all the splitter
 * drops there, and after `</think>` newlines only (isNewline). An answer's own spacing stays: a
 * paragraph's ideographic indent (U+3000) or a code line's spaces after `</think>`, a no-break
 * space. Official templates and vLLM's parsers strip no more.
 */
function isLayout(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

function trimLayoutStart(text: string, newlinesOnly: boolean): string {
  let start = 0;
  const drops = newlinesOnly ? isNewline : isLayout;
  while (start < text.length && drops(text.charCodeAt(start))) start++;
  return text.slice(start);
}

function isNewline(c: number): boolean {
  return c === 10 || c === 13;
}

function trimLayoutEnd(text: string): string {
  let end = text.length;
  while (end > 0 && isLayout(text.charCodeAt(end - 1))) end--;
  return text.slice(0, end);
}

/**
 * Where the answer to a thinking family's `prompt` (as sent, up to the model's text) starts: inside
 * reasoning when the prompt ends with an open `<think>` (R1's generation prompt, a Qwen3.5 or
 * Qwen3-Thinking chat_template's); as content when it ends with a closed think block (the empty one
 * a forced call, a held answer or `enable_thinking: false` prefills); else as the answer opens
 * (R1 after a tool result, whose template opens no `<think>` there; Qwen3's own template).
 */
export function reasoningStart(prompt: string): ReasoningStart {
  let end = prompt.length;
  while (end > 0 && isLayout(prompt.charCodeAt(end - 1))) end--;
  if (prompt.endsWith(THINK_OPEN, end)) return "always";
  return prompt.endsWith(THINK_CLOSE, end) ? "never" : "detect";
}

/** Length of the longest tail of `text` that is a proper prefix of one of `markers`. */
export function partialMarkerLength(text: string, markers: readonly string[]): number {
  let longest = 0;
  for (const marker of markers) {
    // Compared in place, longest first: this runs on every piece of a stream, and a slice of
    // the marker per length tried cost more than the rest of the piece's splitting.
    for (let n = Math.min(marker.length - 1, text.length); n > longest; n--) {
      const from = text.length - n;
      let i = 0;
      while (i < n && text.charCodeAt(from + i) === marker.charCodeAt(i)) i++;
      if (i === n) {
        longest = n;
        break;
      }
    }
  }
  return longest;
}

interface MarkerHit {
  index: number;
  marker: string;
}

function firstMarker(text: string, markers: readonly string[]): MarkerHit | undefined {
  let found: MarkerHit | undefined;
  for (const marker of markers) {
    const index = text.indexOf(marker);
    if (index >= 0 && (!found || index < found.index)) found = { index, marker };
  }
  return found;
}

/**
 * Where `marker` first occurs in `head + text`, for a short `head`: only the seam is joined, so a
 * long `text` is neither copied nor searched past the marker.
 */
function indexAcross(head: string, text: string, marker: string): number {
  // A marker that starts in `head` ends within the seam.
  const seam = (head + text.slice(0, marker.length - 1)).indexOf(marker);
  if (seam >= 0) return seam;
  const index = text.indexOf(marker);
  return index < 0 ? -1 : head.length + index;
}

/**
 * Where a marker was last looked for, in positions counted from the answer's first character:
 * searched from `from`, first found at `at`, or (at -1) absent from all the text before `to`.
 */
interface Sighting {
  from: number;
  at: number;
  to: number;
}

export function createAnswerSplitter(options: SplitterOptions): AnswerSplitter {
  // "lead": the content has begun and may still be a leading-syntax call.
  type State = "start" | "think" | "lead" | "content" | "tool" | "done";
  let state: State = "start";
  // The text not yet placed is the held whitespace, then `pending`. The whitespace (held back before
  // a possible marker) is kept in pieces, never read until it is placed: reading a string grown by
  // `+=` copies it whole, so a long run held in `pending` cost a copy of the run per piece.
  let space: string[] = [];
  let spaceLength = 0;
  let pending = "";
  // Characters received so far (the prefill's included): `pending` ends there.
  let received = 0;
  // Per marker: an answer given in one piece may hold thousands of calls, and a marker searched
  // to the end after each of them (an end-of-turn token that never comes) cost quadratic time.
  const sightings = new Map<string, Sighting>();
  // A tool call being received: its pieces, their length, and the tail a marker could start in.
  let toolPieces: string[] = [];
  let toolLength = 0;
  let toolWindow = "";
  // Leading whitespace of the reasoning, and of the content after it or after a call, is dropped.
  let trimStart = false;
  // After `</think>` the templates write newlines only (Qwen3's strips `\n` there, vLLM's parsers
  // nothing): the spaces and tabs that follow are the answer's first line's indent (unicode51 U-04).
  let trimNewlinesOnly = false;
  // Whitespace around tool calls, held until text follows: between two pieces of text it is the
  // model's own (kept, as the model wrote it), at either end of the content it only lays out the
  // calls (dropped, as the templates write that layout back).
  let gap = "";
  let spoken = false;
  let toolCalls = 0;
  // A forced call's prefill as held in the first tool block: cut from that block if it is text.
  let hiddenPrefill = "";
  const tools = options.tools;
  const marked = tools?.kind === "marked" ? tools : undefined;
  const leading = tools?.kind === "leading" ? tools : undefined;
  const thinkMarkers = [THINK_CLOSE, ...options.endMarkers];
  const contentMarkers = marked ? [marked.open, ...options.endMarkers] : options.endMarkers;
  const longestEnd = Math.max(0, ...options.endMarkers.map((marker) => marker.length));
  const toolWindowLength = Math.max(marked?.close.length ?? 0, longestEnd) - 1;
  const contentState: State = leading ? "lead" : "content";
  const longestStart = leading ? Math.max(...leading.starts.map((start) => start.length)) : 0;

  function hold(text: string): void {
    if (!text) return;
    space.push(text);
    spaceLength += text.length;
    // Many small pieces take more memory than their characters: they are joined when they
    // outnumber a 32nd of the run, which copies at most 32 characters a piece.
    if (space.length > 1 && space.length * 32 > spaceLength) space = [space.join("")];
  }

  /** The held whitespace, no longer held. */
  function takeSpace(): string {
    const text = space.join("");
    space = [];
    spaceLength = 0;
    return text;
  }

  /** Drops the held whitespace and `count` characters of `pending`. */
  function consume(count: number): void {
    pending = pending.slice(count);
    space = [];
    spaceLength = 0;
  }

  /** Holds the whitespace `pending` starts with. */
  function holdLeadingSpace(): void {
    let count = 0;
    while (count < pending.length && isSpace(pending.charCodeAt(count))) count++;
    hold(pending.slice(0, count));
    pending = pending.slice(count);
  }

  /** The held whitespace becomes part of the text to read again. */
  function unhold(): void {
    if (spaceLength > 0) pending = takeSpace() + pending;
  }

  /**
   * The first of `markers` in `pending`. Each marker's last sighting is kept, so no stretch of the
   * answer is searched twice for it: only text that came since, and the seam before it.
   * Markers start with "<", never inside held whitespace, which needs no search.
   */
  function nextMarker(markers: readonly string[]): MarkerHit | undefined {
    const base = received - pending.length;
    let found: MarkerHit | undefined;
    for (const marker of markers) {
      let seen = sightings.get(marker);
      if (!seen || seen.from > base || (seen.at >= 0 && seen.at < base)) {
        seen = sight(marker, base, base);
      } else if (seen.at < 0 && seen.to < received) {
        seen = sight(marker, base, Math.max(base, seen.to - marker.length + 1));
      }
      if (seen.at >= 0 && (!found || seen.at - base < found.index)) found = { index: seen.at - base, marker };
    }
    return found;
  }

  function sight(marker: string, base: number, start: number): Sighting {
    const index = pending.indexOf(marker, start - base);
    const seen = { from: base, at: index < 0 ? -1 : base + index, to: received };
    sightings.set(marker, seen);
    return seen;
  }

  function emit(out: AnswerPart[], kind: "reasoning" | "content", text: string): void {
    if (trimStart) {
      const trimmed = trimLayoutStart(text, trimNewlinesOnly);
      if (kind === "content") keepGap(text.slice(0, text.length - trimmed.length));
      text = trimmed;
      if (!text) return;
      trimStart = false;
      trimNewlinesOnly = false;
    }
    if (!text) return;
    if (kind === "content") {
      text = gap + text;
      gap = "";
      spoken = true;
    }
    const last = out[out.length - 1];
    if (last && last.kind === kind) last.text += text;
    else out.push({ kind, text });
  }

  /** Whitespace next to a call: kept for the text that may follow, if text came before. */
  function keepGap(space: string): void {
    if (spoken) gap += space;
  }

  function emitTool(out: AnswerPart[], block: string, closed: boolean): void {
    const prefill = hiddenPrefill;
    hiddenPrefill = "";
    const call = marked ? marked.open + block : block;
    const markup = marked && closed ? call + marked.close : call;
    const reading = readBlock(block, call, markup, prefill);
    if (reading.kind === "text") {
      // Not a call after all: the text is the model's, so it is kept as content.
      emit(out, "content", reading.text);
      return;
    }
    if (reading.kind === "words") emit(out, "content", reading.words);
    if (reading.kind === "calls" || reading.kind === "words") {
      for (const call of reading.calls) out.push({ kind: "tool_call", ...call });
      toolCalls += reading.calls.length;
      return;
    }
    // A block the model closed is not cut, whatever it holds.
    out.push({
      kind: "unfinished_call",
      ...(reading.name !== undefined ? { name: reading.name } : {}),
      arguments: reading.kind === "cut" ? reading.arguments : "",
      cut: reading.kind === "cut" && !closed,
      markup,
      ...(reading.kind === "unoffered" ? { unoffered: reading.field } : {}),
    });
  }

  /**
   * What a tool block (`call`: with its opening marker; `markup`: and its close) is: the calls the
   * syntax reads, as the request admits them; else, for the block a forced call's prefill opened,
   * what forced-call.ts reads in it; else the model's text (a forced call's without the prefill or
   * the close marker).
   */
  function readBlock(
    block: string,
    call: string,
    markup: string,
    prefill: string,
  ): Exclude<AdmittedCalls, { kind: "text" }> | ForcedCallReading | { kind: "text"; text: string } {
    const parsed = tools!.parse(block);
    const admitted =
      parsed && (options.admitCalls?.(parsed, toolCalls, prefill !== "") ?? { kind: "calls", calls: parsed });
    if (admitted && admitted.kind !== "text") return admitted;
    if (!prefill || !call.startsWith(prefill)) return { kind: "text", text: markup };
    const reader = call.length > prefill.length ? options.readForcedCall : undefined;
    const reading = reader ? reader(call) : { kind: "text" as const, text: call.slice(prefill.length) };
    return reading.kind === "words" && reading.more !== undefined ? wordsThenCalls(reading, markup, prefill) : reading;
  }

  /**
   * Words a forced call's block held before another call the model opened in it: the words, then
   * the calls the syntax reads in the rest, as the request admits them; text that holds no calls
   * is the model's, kept as written (without the prefill).
   */
  function wordsThenCalls(
    reading: SlotWords & { more?: string },
    markup: string,
    prefill: string,
  ): Exclude<AdmittedCalls, { kind: "text" }> | { kind: "text"; text: string } {
    const more = reading.more!;
    const parsed = tools!.parse(marked && more.startsWith(marked.open) ? more.slice(marked.open.length) : more);
    const admitted = parsed && (options.admitCalls?.(parsed, toolCalls, false) ?? { kind: "calls", calls: parsed });
    if (!admitted || admitted.kind === "text") return { kind: "text", text: markup.slice(prefill.length) };
    return admitted.kind === "calls" ? { kind: "words", words: reading.words, calls: admitted.calls } : admitted;
  }

  /** Emits what is certainly text of `kind`, keeping a possible marker start (and, optionally, trailing space). */
  function emitSafe(
    out: AnswerPart[],
    kind: "reasoning" | "content",
    markers: readonly string[],
    holdSpace: boolean,
  ): void {
    // (A marker's start is never whitespace, so it lies in `pending`.)
    const body = pending.length - partialMarkerLength(pending, markers);
    let safe = body;
    if (holdSpace) {
      // Whitespace right before a marker is dropped with it, so it waits too.
      while (safe > 0 && isSpace(pending.charCodeAt(safe - 1))) safe--;
    }
    if (safe > 0 || !holdSpace) emit(out, kind, takeSpace() + pending.slice(0, safe));
    hold(pending.slice(safe, body));
    pending = pending.slice(body);
  }

  function drain(final: boolean): AnswerPart[] {
    const out: AnswerPart[] = [];
    for (;;) {
      if (state === "done") {
        consume(pending.length);
        return out;
      }
      if (state === "start") {
        if (spaceLength === 0 && pending.startsWith(CHATML_HEADER)) {
          consume(CHATML_HEADER.length);
          continue;
        }
        holdLeadingSpace();
        if (options.reasoning !== "never" && pending.startsWith(THINK_OPEN)) {
          consume(THINK_OPEN.length);
          state = "think";
          trimStart = true;
          trimNewlinesOnly = false;
          continue;
        }
        const undecided =
          (spaceLength === 0 && CHATML_HEADER.startsWith(pending)) ||
          (options.reasoning !== "never" && THINK_OPEN.startsWith(pending));
        if (undecided && !final) return out;
        state = options.reasoning === "always" ? "think" : contentState;
        trimStart = state === "think";
        // Leading whitespace stays part of the text (or is trimmed by emit): no longer "held".
        unhold();
        continue;
      }
      if (state === "think") {
        const hit = nextMarker(thinkMarkers);
        if (hit) {
          emit(out, "reasoning", trimLayoutEnd(takeSpace() + pending.slice(0, hit.index)));
          consume(hit.index + hit.marker.length);
          state = hit.marker === THINK_CLOSE ? contentState : "done";
          trimStart = true;
          trimNewlinesOnly = hit.marker === THINK_CLOSE;
          continue;
        }
        if (final) {
          // No `</think>` ever came: everything was reasoning.
          emit(out, "reasoning", trimLayoutEnd(takeSpace() + pending));
          pending = "";
          return out;
        }
        emitSafe(out, "reasoning", thinkMarkers, true);
        return out;
      }
      if (state === "lead") {
        // Whitespace before a call is held (and searched once) until the content shows what it is.
        holdLeadingSpace();
        const lead = pending.slice(0, longestStart);
        const starts = leading!.starts;
        if (starts.some((start) => lead.startsWith(start))) state = "tool";
        else if (!final && starts.some((start) => start.startsWith(lead))) return out;
        else state = "content";
        unhold();
        continue;
      }
      if (state === "content") {
        const hit = nextMarker(contentMarkers);
        if (hit) {
          const before = takeSpace() + pending.slice(0, hit.index);
          const opensTool = hit.marker === marked?.open;
          const text = opensTool ? trimLayoutEnd(before) : before;
          emit(out, "content", text);
          if (opensTool) keepGap(before.slice(text.length));
          consume(hit.index + hit.marker.length);
          state = opensTool ? "tool" : "done";
          continue;
        }
        if (final) {
          const text = takeSpace() + pending;
          emit(out, "content", toolCalls > 0 ? trimLayoutEnd(text) : text);
          pending = "";
          return out;
        }
        emitSafe(out, "content", contentMarkers, marked !== undefined);
        return out;
      }
      // state === "tool": a call is only useful whole, so it is held (as pieces, searched only
      // where a marker could newly end) until it closes, or (leading syntax) the answer ends.
      // (The held whitespace was placed before the call began: none is held here.)
      // The call ends at the first of its close and an end-of-turn token, however the text was cut
      // (a stream meets an end token before a close that follows it). Past a close, end tokens are
      // looked for only where one starting before it could lie: the rest is not searched twice.
      const close = marked ? indexAcross(toolWindow, pending, marked.close) : -1;
      const window =
        toolWindow + (close < 0 ? pending : pending.slice(0, Math.max(0, close - toolWindow.length + longestEnd - 1)));
      const end = firstMarker(window, options.endMarkers);
      if (close >= 0 && !(end && end.index < close)) {
        // Where the close starts in `pending`, negative when in the held tail; it ends in `pending`,
        // as the tail was searched. Only the call is copied, never the answer after it.
        const at = close - toolWindow.length;
        const head = toolPieces.join("");
        toolPieces = [];
        toolLength = 0;
        toolWindow = "";
        emitTool(out, at < 0 ? head.slice(0, head.length + at) : head + pending.slice(0, at), true);
        pending = pending.slice(at + marked!.close.length);
        state = "content";
        // Whitespace after a call waits to see whether text follows it (keepGap).
        trimStart = true;
        trimNewlinesOnly = false;
        continue;
      }
      if (end || final) {
        const whole = toolPieces.join("") + pending;
        const offset = toolLength - toolWindow.length;
        toolPieces = [];
        toolLength = 0;
        toolWindow = "";
        // Models often stop at the end-of-turn token without closing the last call.
        state = "done";
        emitTool(out, end ? whole.slice(0, offset + end.index) : whole, false);
        pending = "";
        return out;
      }
      toolPieces.push(pending);
      toolLength += pending.length;
      toolWindow = toolWindowLength > 0 ? window.slice(-toolWindowLength) : "";
      pending = "";
      return out;
    }
  }

  if (options.prefill) {
    // The prefill opens a call: what it leaves held is the start of the first tool block.
    pending = options.prefill;
    received = pending.length;
    drain(false);
    // (drain moved the state on: TypeScript cannot see it through the closure.)
    if ((state as State) === "tool") hiddenPrefill = (marked?.open ?? "") + toolPieces.join("") + pending;
  }

  return {
    push(text) {
      pending += text;
      received += text.length;
      return drain(false);
    },
    end() {
      return drain(true);
    },
    release() {
      return state === "tool" ? [] : drain(true);
    },
    get toolCalls() {
      return toolCalls;
    },
  };
}
