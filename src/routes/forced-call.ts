// Forced tool calls on template routes (`tool_choice: "required"` or a named function). A prompt
// cannot order a model to call, but the assistant turn can be prefilled with the family's call
// opening, so the model's only way on is the rest of a call. The opening is fed to the answer
// splitter before the model's text, so the answer reads as the call it continues; it is never
// returned to the client, and a model that answers text anyway gets its own text back, not a call.
// The lead before it is the prompt's: the splitter's start is read from the prompt it ends.
// A call the model began but did not finish is never given as a normal answer: cut by the token
// limit it is the call so far with finish_reason "length" (answer-parts.ts), else an error here.
// An answer held to a format (response_format, structured_outputs) gets the same lead without a
// call: guided decoding starts at the prompt's end, so on a family whose prompt opens a think block
// the held answer could never close it, and would read as reasoning.
import { BedrockEdgeError, invalidRequest, shownText } from "../errors.ts";
import { jsonTextTooDeep } from "../openai/depth.ts";
import { isFunctionName } from "../openai/function-name.ts";
import { objectSchemaOf } from "../openai/function-parameters.ts";
import { BACKSLASH } from "../openai/json-chars.ts";
import { findJsonSyntaxError } from "../openai/json-syntax.ts";
import type { ChatCompletionRequest, FunctionTool } from "../openai/types.ts";
import type { ForcedCallReading, UnfinishedCall } from "./answer-splitter.ts";
import { containerEnd } from "./json-text.ts";

/** How one model family opens a forced call (each family module defines its own, next to its tokens). */
export interface ForcedCallFormat {
  /**
   * What the assistant turn needs before a call, or before an answer held to a format: an empty
   * think block for families that think, so the model calls (or answers) at once. Any part of it
   * the prompt already ends with is not repeated.
   */
  lead: string;
  /** The call up to the function's name (`name` undefined: any function) or up to its arguments. */
  opening(name: string | undefined): string;
  /** What closes a call after its arguments object (a model may stop anywhere in it). */
  closing: string;
  /**
   * Markup that ends words a model writes where a bare name goes (R1's special tokens after the
   * name line). A name in a JSON string ends with the string (forcedCallReader).
   */
  nameEnds: readonly string[];
  /**
   * Where the name's line ends before its arguments' fenced block (R1's FENCE): words end at a
   * fence that starts a line and whose block ends the words' text, not at one inside them.
   */
  argumentsFence?: string;
  /**
   * Markup that opens another call inside the forced call's block (Qwen's `<tool_call>`, R1's call
   * token): words in the name slot end there, and the rest is read as calls by the family syntax.
   */
  nextCall?: string;
}

/** A call the request forces: any function, or the one named. */
export interface ForcedCall {
  name?: string;
}

/**
 * The call `tool_choice` forces, or undefined when it forces none. A forced call needs tools, and
 * a named function must be one of them: else a 400 naming tool_choice.
 */
export function forcedCall(request: ChatCompletionRequest): ForcedCall | undefined {
  const choice = request.tool_choice;
  if (choice === undefined || choice === "auto" || choice === "none") return undefined;
  const names = (request.tools ?? []).map((tool) => tool.function.name);
  if (choice === "required") {
    if (names.length === 0) {
      throw invalidRequest('tool_choice "required" needs at least one function in tools.', "tool_choice");
    }
    return {};
  }
  const name = choice.function.name;
  if (!names.includes(name)) {
    const offered = names.length ? `tools offers ${names.map((n) => `"${n}"`).join(", ")}` : "tools is empty";
    throw invalidRequest(
      `tool_choice names the function ${shownText(name, 128, "a name")}, which is not in tools (${offered}).`,
      "tool_choice",
    );
  }
  return { name };
}

/**
 * The whole prefill: the lead and the call's opening, or the lead alone (`call` undefined: an
 * answer held to a format, not a call).
 */
export function callPrefill(format: ForcedCallFormat, call?: ForcedCall): string {
  return format.lead + (call ? format.opening(call.name) : "");
}

/** What to append to `prompt` so that it ends with the whole prefill (`call` as for callPrefill). */
export function promptPrefill(prompt: string, format: ForcedCallFormat, call?: ForcedCall): string {
  let kept = format.lead.length;
  while (kept > 0 && !prompt.endsWith(format.lead.slice(0, kept))) kept--;
  return format.lead.slice(kept) + (call ? format.opening(call.name) : "");
}

/**
 * The forced call's text (from its opening, as the prefill began it) read against each offered
 * function's opening, for when the family's tool syntax cannot read it as calls (answer-splitter.ts):
 * - a whole arguments object with the call's closing missing, or only partly written, is the call
 *   (a model held to the arguments' schema stops right after them);
 * - text that is a call of one function as far as it goes is cut (a call cut before its arguments
 *   began has none yet; one cut inside a name shared by several functions names none);
 * - other text after a function's opening is a broken call, if the model wrote call markup itself;
 * - else it is what the model wrote where the prefill stopped (slotText): after a named function's
 *   opening, the model's words; where the name goes, words or a name as nameSlotWords tells, a
 *   name being a call the syntax could not read (broken) or one to a function not offered. Words
 *   end where the model opened another call in the block (nextCall): that text is `more`, for
 *   the splitter to read as calls.
 * The openings are the family's, the ones the model was prefilled with and trained on.
 */
export function forcedCallReader(
  format: ForcedCallFormat,
  call: ForcedCall,
  tools: readonly FunctionTool[],
): (text: string) => ForcedCallReading {
  // What the prefill wrote of the call: the model's own text comes after it.
  const prefill = format.opening(call.name);
  const prefilled = prefill.length;
  // A name in a JSON string: the prefill stops inside it.
  const quoted = prefill.endsWith('"');
  const openings = tools.map((tool) => ({ name: tool.function.name, opening: format.opening(tool.function.name) }));
  return (text) => {
    const begun = openings.find(({ opening }) => text.startsWith(opening));
    if (!begun) {
      const fits = openings.filter(({ opening }) => opening.startsWith(text));
      if (fits.length) {
        return fits.length === 1 ? { kind: "cut", name: fits[0]!.name, arguments: "" } : { kind: "cut", arguments: "" };
      }
      // (Only a call to any function leaves the name to the model: a named one's opening is begun.)
      const { slot, more } = nextCall(text.slice(prefilled), format);
      const name = slotText(slot, quoted, format);
      const words = nameSlotWords(name);
      if (words !== undefined) return { kind: "words", words, calls: [], ...more };
      const trimmed = name.trim();
      return openings.some((offered) => offered.name === trimmed)
        ? { kind: "broken", name: trimmed }
        : { kind: "unoffered", name: trimmed, field: "tools" };
    }
    const written = text.slice(begun.opening.length);
    const whole = wholeArguments(written, format.closing);
    if (whole !== undefined) return { kind: "calls", calls: [{ name: begun.name, arguments: whole }] };
    if (findJsonSyntaxError(written)?.ended) return { kind: "cut", name: begun.name, arguments: written.trimStart() };
    // After an opening the prefill wrote whole, only an arguments object makes the text a call.
    const markup = begun.opening.length > prefilled || written.trimStart().startsWith("{");
    if (markup) return { kind: "broken", name: begun.name };
    const { slot, more } = nextCall(text.slice(prefilled), format);
    const words = wordsAfterOpening(slot, format).trim();
    return words ? { kind: "words", words, calls: [], ...more } : { kind: "broken", name: begun.name };
  };
}

/** The model's text after the prefill, up to another call it opened in the block, and from there on (`more`). */
function nextCall(text: string, format: ForcedCallFormat): { slot: string; more?: { more: string } } {
  const at = format.nextCall === undefined ? -1 : text.indexOf(format.nextCall);
  return at < 0 ? { slot: text } : { slot: text.slice(0, at), more: { more: text.slice(at) } };
}

/**
 * The model's words in a forced call's name slot (the name the tool syntax read, or slotText's
 * reading of a block it could not read), trimmed; undefined when the slot is blank or could name
 * a function (FUNCTION_NAME): a name, checked as a call. The one place, for every route, that
 * tells words from a name.
 */
export function nameSlotWords(name: string): string | undefined {
  const words = name.trim();
  return words !== "" && !isFunctionName(words) ? words : undefined;
}

/** A quote that could close the name's JSON string: the call's object closes, or its next member begins, after it. */
const STRING_CLOSE = /"\s*(?:\}|,\s*")/y;

/**
 * Closing quotes tried, from the last: each try reads the rest of the text once, so a cap keeps the
 * reading linear. The call's own closing quote is the last that can close its object (quotes inside
 * its arguments are nested a level deeper), unless members follow the arguments: 32 leaves room.
 */
const MAX_CLOSE_TRIES = 32;

/** A call's JSON up to the end of its name: a tail after it belongs to that call, not to the words. */
const CALL_NAME = /^\{\s*"name"\s*:\s*"[^"]*$/;

/**
 * What the model wrote in the name slot (`slot`: after the prefill, up to any next call), without
 * the family's markup after it: R1's name line ends at `nameEnds` or at the arguments' fence
 * (argumentsFence); a name in a JSON string (`quoted`: Qwen's and Llama's `{"name": "`) ends at a
 * quote after which the rest of the call's object closes exactly where the text ends (`"}`,
 * `", "arguments": …}`), its escapes read if valid. That tail is at the end, so the quote is
 * looked for from the end: quotes the model left inside its words (`book "Le Bernardin"."}`) are
 * skipped, and text with no such tail, or whose tail would cut a call the words hold, is kept as
 * written, nothing of it dropped.
 */
function slotText(slot: string, quoted: boolean, format: ForcedCallFormat): string {
  for (const end of format.nameEnds) {
    const at = slot.indexOf(end);
    if (at >= 0) slot = slot.slice(0, at);
  }
  if (format.argumentsFence !== undefined) return slot.slice(0, fencedTail(slot, format.argumentsFence));
  if (!quoted) return slot;
  const closes: number[] = [];
  for (let at = 0; at < slot.length; at += slot.charCodeAt(at) === BACKSLASH ? 2 : 1) {
    STRING_CLOSE.lastIndex = at;
    if (STRING_CLOSE.test(slot)) closes.push(at);
  }
  const tries = closes.slice(-MAX_CLOSE_TRIES).reverse();
  const end = tries.find((at) => closesCall(`{"name":""${slot.slice(at + 1)}`));
  if (end === undefined) return slot;
  const written = slot.slice(0, end);
  if (CALL_NAME.test(written.slice(written.lastIndexOf("{")))) return slot;
  try {
    const value: unknown = JSON.parse(`"${written}"`);
    return typeof value === "string" ? value : written;
  } catch {
    // A raw newline or a stray backslash: the words as the model wrote them.
    return written;
  }
}

const NEWLINE = 10;

/**
 * Where R1's arguments block begins in the name slot: the first fence that starts a line, opens
 * JSON, and whose block runs to the end of the text (closed there, or not at all); fenced blocks
 * that words go on after, or in another language, are the words' own. The text's length when
 * there is none.
 */
function fencedTail(slot: string, fence: string): number {
  const end = slot.trimEnd().length;
  for (let at = lineFence(slot, fence, 0); at >= 0; ) {
    const close = lineFence(slot, fence, at + fence.length);
    if ((close < 0 || close + fence.length === end) && opensJson(slot, at + fence.length)) return at;
    if (close < 0) break;
    at = lineFence(slot, fence, close + fence.length);
  }
  return slot.length;
}

/** Whether a fence's line (from `at`, past the fence) opens JSON, as R1's arguments block does: bare or `json`. */
function opensJson(text: string, at: number): boolean {
  const newline = text.indexOf("\n", at);
  const info = text.slice(at, newline < 0 ? undefined : newline).trim();
  return info === "" || info === "json";
}

/** The first fence at or after `from` that starts a line, or -1. */
function lineFence(text: string, fence: string, from: number): number {
  for (let at = text.indexOf(fence, from); at >= 0; at = text.indexOf(fence, at + fence.length)) {
    if (at === 0 || text.charCodeAt(at - 1) === NEWLINE) return at;
  }
  return -1;
}

/**
 * Words the model wrote after a named function's opening, without the markup that ends the call:
 * R1's fence and tokens, or (a family whose closing begins with the object's `}`) a last `}` that
 * closes the call's object, as a from-the-end tail.
 */
function wordsAfterOpening(slot: string, format: ForcedCallFormat): string {
  const words = slotText(slot, false, format).trimEnd();
  return format.closing.startsWith("}") && words.endsWith("}") && closesCall(`{"arguments":${words}`)
    ? words.slice(0, -1)
    : words;
}

/**
 * Whether `object`, a call's object as far as the slot gives it, closes where the text ends: its
 * JSON's structure, not its validity, so arguments with a mistake in them (`{"city": Paris}`)
 * are still the call's, and anything after the object (prose, a second call) is not.
 */
function closesCall(object: string): boolean {
  const text = object.trimEnd();
  return containerEnd(text, 0) === text.length;
}

/** The arguments as written, when they are a whole JSON object, perhaps followed by part of `closing`. */
function wholeArguments(written: string, closing: string): string | undefined {
  const candidates = [written];
  for (let n = Math.min(closing.length, written.length); n > 0; n--) {
    if (written.endsWith(closing.slice(0, n))) candidates.push(written.slice(0, -n));
  }
  for (const candidate of candidates) {
    const text = candidate.trim();
    if (isJsonObject(text)) return text;
  }
  return undefined;
}

function isJsonObject(text: string): boolean {
  if (!text.startsWith("{") || jsonTextTooDeep(text)) return false;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** What a call the request does not allow is not, by the field that says so. */
const UNOFFERED = { tools: "in tools", tool_choice: "the function tool_choice names" } as const;

/**
 * The answer to a forced call that the model began and did not finish, when no token limit cut it
 * (that answer is the call so far, answer-parts.ts): there is no call to give, and text in its
 * place would read as a whole answer. Cut by a stop string (the request has some, and the call was
 * well formed up to its end) it is the request's to change: a 400 naming `stop`. Otherwise the
 * model broke off, wrote a broken call, or called a function the request does not allow
 * (offered-calls.ts): a 500, as OpenAI answers a model's invalid output.
 */
export function unfinishedCallError(call: UnfinishedCall, hasStop: boolean): BedrockEdgeError {
  // A name is quoted only when it could name a function: never the model's free text, which the
  // error's log line would carry whether or not LOG_PROMPTS is set.
  const name = call.name !== undefined && isFunctionName(call.name) ? call.name : undefined;
  const target = name === undefined ? "the forced tool call" : `the forced call to "${name}"`;
  if (call.cut && hasStop) {
    return invalidRequest(
      `The model's answer stopped inside ${target}, before its arguments were complete: a stop sequence (stop) cut it, ` +
        "so there is no call to return. Send a forced call without stop sequences that can occur in its arguments.",
      "stop",
      "tool_call_cut",
    );
  }
  return new BedrockEdgeError({
    status: 500,
    code: "invalid_tool_call",
    message: call.unoffered
      ? `The model called ${name === undefined ? "a function" : `"${name}"`}, which is not ${UNOFFERED[call.unoffered]}: there is no call to return.`
      : call.cut
        ? `The model ended its answer inside ${target}, before its arguments were complete: there is no call to return.`
        : `The model wrote ${target} in a form that cannot be read as a call: there is no call to return.`,
  });
}

/**
 * The seam for constrained decoding (Bedrock's OpenAICompletion format takes
 * `structured_outputs.json`): when the call's function is known (named, or the only tool), the
 * prompt can end with the opening up to the arguments and the continuation be held to the
 * function's parameter schema. A constrained model stops right after the JSON, without the call's
 * closing: forcedCallReader reads that as the whole call. Undefined when the function is not known.
 */
export interface ConstrainedCall {
  /** The prefill, as `callPrefill` gives it for the named function. */
  prefill: string;
  /** The JSON schema of the arguments: what `structured_outputs.json` should hold. */
  schema: Record<string, unknown>;
}

export function constrainedCall(
  format: ForcedCallFormat,
  call: ForcedCall,
  tools: readonly FunctionTool[],
): ConstrainedCall | undefined {
  const tool = call.name === undefined ? (tools.length === 1 ? tools[0] : undefined) : named(tools, call.name);
  if (!tool) return undefined;
  return {
    prefill: callPrefill(format, { name: tool.function.name }),
    // An object's schema, or the constraint would admit a string or an array and no call (specfuzz46).
    schema: objectSchemaOf(tool.function.parameters),
  };
}

function named(tools: readonly FunctionTool[], name: string): FunctionTool | undefined {
  return tools.find((tool) => tool.function.name === name);
}
