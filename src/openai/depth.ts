// Nesting limits: deeper than any real request (JSON schemas included), shallow enough for every
// recursive step after validation (templates, JSON.stringify, argument parsing) to stay far from
// the stack limit. Both checks are iterative, so they cannot overflow themselves.
import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  isSpace,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
} from "./json-chars.ts";
import { type JsonTextPosition, positionIn } from "./json-syntax.ts";
import {
  base64Start,
  isBase64Escape,
  isBase64Unit,
  isMediaPlace,
  keyAt,
  type MediaPlaces,
  NO_MEDIA,
  OTHER_KEY,
} from "./media-strings.ts";

export const MAX_JSON_DEPTH = 64;

/**
 * The most members one object of a request may hold, in the body or in JSON text inside it (tool
 * calls' arguments): twice the widest real one (a response schema's 5,000 `properties`; OpenAI
 * takes 300 logit_bias token ids). Every pass over a parsed object walks all its members: one of
 * 190,000 members cost 1.7 to 2.6 s of CPU before its 400.
 */
export const MAX_JSON_MEMBERS = 10_000;

/** What a JSON text may hold before it is parsed: parsing is where a hostile body costs memory. */
export interface JsonTextLimits {
  maxDepth: number;
  /** Arrays and objects. */
  maxContainers: number;
  /** Array items and object members, counted by their separators (an empty container counts one). */
  maxElements: number;
  /**
   * Members of any one object, counted by its separators: after parsing, every pass over a very
   * wide object (a spread, Object.entries, a schema's check) costs about 1 µs a member, so one
   * object of 200,000 members costs seconds where the same members in small objects do not.
   */
  maxMembers: number;
}

/** The limit JSON text passed: nesting, arrays and objects, values, or one object's members. */
export type JsonTextProblem = "depth" | "containers" | "elements" | "members";

export type JsonTextScan =
  | {
      ok: true;
      containers: number;
      elements: number;
      /** The top-level `model` member when it is a short string: every OpenAI request names one. */
      model: string | undefined;
      /**
       * Characters of media data: the base64 of data URLs at `media`'s places, where the
       * endpoint's parsers read images, files and audio (media-strings.ts). The rest of the text
       * is the request's text.
       */
      mediaChars: number;
    }
  | { ok: false; exceeded: "depth" | "containers" | "elements" }
  /** `at`: where the object that holds too many members opens (its `{`). */
  | { ok: false; exceeded: "members"; at: JsonTextPosition };

/** Longer than any model name (quotes included); a longer value is not decoded: it names no model. */
const MAX_MODEL_CHARS = 1024;

/**
 * One pass over JSON text, stopping at the first limit passed: nothing is allocated per element,
 * so a body refused here costs only its own bytes. It does not validate the JSON (JSON.parse
 * does, later); on text that is not JSON its counts are meaningless but still bounded.
 */
export function scanJsonText(text: string, limits: JsonTextLimits, media: MediaPlaces = NO_MEDIA): JsonTextScan {
  let depth = 0;
  let containers = 0;
  let elements = 0;
  let inString = false;
  let stringStart = 0;
  // At depth 1: the last significant character before the current token ("{" or "," before a
  // key, ":" before a value), and whether the last key was "model".
  let before = 0;
  let modelKey = false;
  let model: string | undefined;
  // By depth, for each open container: an object's separators so far, or -1 for an array; and
  // where it opened. Bounded by maxDepth, so the scan still allocates nothing per element.
  const separators: number[] = [];
  const opened: number[] = [];
  // Media data (media-strings.ts): by depth, the last key read in each open object; whether the
  // last significant character was a ":" (a string now is a member's value); whether the string
  // being read is media so far, and where its base64 begins.
  const keys: number[] = [];
  const isArray = (d: number) => separators[d] === -1;
  let afterColon = false;
  let inMedia = false;
  let mediaStart = 0;
  let mediaChars = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) {
        i++;
        if (inMedia && !isBase64Escape(text.charCodeAt(i))) inMedia = false;
      } else if (c === QUOTE) {
        inString = false;
        if (inMedia) mediaChars += i - mediaStart - 1;
        else if (!afterColon && !isArray(depth)) keys[depth] = keyAt(text, stringStart, i + 1);
        inMedia = false;
        afterColon = false;
        if (depth === 1) {
          if (before !== COLON) modelKey = isModelKey(text, stringStart, i + 1);
          else if (modelKey)
            model = i + 1 - stringStart > MAX_MODEL_CHARS ? undefined : decode(text, stringStart, i + 1);
          before = QUOTE;
        }
      } else if (inMedia && !isBase64Unit(c)) inMedia = false;
      continue;
    }
    if (c === QUOTE) {
      inString = true;
      stringStart = i;
      if (media.length && (afterColon || isArray(depth)) && isMediaPlace(media, depth, keys, isArray)) {
        const start = base64Start(text, i);
        if (start >= 0) {
          inMedia = true;
          mediaStart = start;
          i = start;
        }
      }
    } else if (c === COLON) {
      afterColon = true;
      if (depth === 1) before = c;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      afterColon = false;
      if (++depth > limits.maxDepth) return { ok: false, exceeded: "depth" };
      if (++containers > limits.maxContainers) return { ok: false, exceeded: "containers" };
      if (++elements > limits.maxElements) return { ok: false, exceeded: "elements" };
      separators[depth] = c === OPEN_BRACE ? 0 : -1;
      opened[depth] = i;
      keys[depth] = OTHER_KEY;
      // A container as the value of "model": not a model name.
      if (depth === 2 && before === COLON && modelKey) model = undefined;
      if (depth === 1) before = c;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    } else if (c === COMMA) {
      afterColon = false;
      if (++elements > limits.maxElements) return { ok: false, exceeded: "elements" };
      // An array's count stays -1: only objects' separators are counted.
      const commas = (separators[depth] ?? -1) + 1;
      if (commas > 0) {
        // n separators: n + 1 members.
        if (commas >= limits.maxMembers) {
          return { ok: false, exceeded: "members", at: positionIn(text, opened[depth] ?? 0) };
        }
        separators[depth] = commas;
      }
      if (depth === 1) before = COMMA;
    } else if (depth === 1 && !isSpace(c)) {
      // ":" itself, or the first character of a number, true, false or null.
      if (c !== COLON && before === COLON && modelKey) model = undefined;
      before = c;
    }
  }
  return { ok: true, containers, elements, model, mediaChars };
}

/** Whether the key spanning `start`..`end` (quotes included) is "model", escapes and all. */
function isModelKey(text: string, start: number, end: number): boolean {
  if (end - start === 7) return text.startsWith('"model"', start);
  // "\u006dodel" and the like: six escaped letters at most.
  return end - start <= 38 && text.slice(start, end).includes("\\") && decode(text, start, end) === "model";
}

function decode(text: string, start: number, end: number): string | undefined {
  try {
    return JSON.parse(text.slice(start, end)) as string;
  } catch {
    return undefined;
  }
}

const DEPTH_ONLY: JsonTextLimits = {
  maxDepth: MAX_JSON_DEPTH,
  maxContainers: Number.POSITIVE_INFINITY,
  maxElements: Number.POSITIVE_INFINITY,
  maxMembers: Number.POSITIVE_INFINITY,
};

/** Whether JSON text nests arrays/objects deeper than MAX_JSON_DEPTH (checked before parsing it). */
export function jsonTextTooDeep(text: string): boolean {
  const scan = scanJsonText(text, DEPTH_ONLY);
  return !scan.ok && scan.exceeded === "depth";
}

/**
 * The shape a request's JSON may take, in its body (the proxy scans the body's text before
 * JSON.parse: worker/body.ts) and in JSON text inside its strings (tool calls' arguments, a
 * schema written as a string: requestJsonTextProblem). Far above any real request, far below what
 * hurts an isolate. A long agent conversation (2,000 messages of ~6 objects and arrays each: the
 * message, its content parts, tool calls), 128 tools (OpenAI's cap, and the request schema's:
 * tool-count.ts) whose schemas hold ~40 objects each, and a 5,000-property response schema
 * (OpenAI's cap again) come to about 22,000 arrays and objects and under 100,000 elements.
 * Parsed, what these limits allow costs a few MB; a million empty arrays (3 MB of text, no limit)
 * cost about 100 MB, and 333,000 objects in one call's arguments, parsed for a template, 97 MB
 * (memcost9). Measured: docs/SECURITY.md, "Bounded cost per request".
 */
export const REQUEST_JSON_LIMITS: JsonTextLimits = {
  maxDepth: MAX_JSON_DEPTH,
  maxContainers: 50_000,
  maxElements: 200_000,
  maxMembers: MAX_JSON_MEMBERS,
};

/**
 * Which of REQUEST_JSON_LIMITS JSON text inside a request's string passes, checked before anything
 * parses it (the body's scan reads it as one string); undefined when none.
 */
export function requestJsonTextProblem(text: string): JsonTextProblem | undefined {
  const scan = scanJsonText(text, REQUEST_JSON_LIMITS);
  return scan.ok ? undefined : scan.exceeded;
}

/** What JSON text of that problem holds, said of the field that holds it: `${param} ${sentence}`. */
export function jsonTextProblemSentence(problem: JsonTextProblem): string {
  switch (problem) {
    case "depth":
      return `is nested more than ${MAX_JSON_DEPTH} levels deep.`;
    case "containers":
      return `holds more than ${REQUEST_JSON_LIMITS.maxContainers} arrays and objects.`;
    case "elements":
      return `holds more than ${REQUEST_JSON_LIMITS.maxElements} values.`;
    case "members":
      return `holds an object of more than ${MAX_JSON_MEMBERS} members.`;
  }
}

/** One container being walked: its children, and how many have been visited. */
interface Frame {
  container: object;
  keys: readonly string[] | undefined;
  next: number;
}

/**
 * Whether a value nests deeper than MAX_JSON_DEPTH; a cycle counts as infinitely deep. Depth
 * first with one frame per level, so the walk's own memory is bounded by the depth limit, not
 * by how many elements the value holds (a million empty arrays cost nothing extra to walk).
 */
export function valueTooDeep(root: unknown): boolean {
  if (root === null || typeof root !== "object") return false;
  const path: Frame[] = [frameOf(root)];
  while (path.length) {
    const frame = path[path.length - 1]!;
    const size = frame.keys ? frame.keys.length : (frame.container as unknown[]).length;
    if (frame.next >= size) {
      path.pop();
      continue;
    }
    const index = frame.next++;
    const child = frame.keys
      ? (frame.container as Record<string, unknown>)[frame.keys[index]!]
      : (frame.container as unknown[])[index];
    if (child === null || typeof child !== "object") continue;
    if (path.length >= MAX_JSON_DEPTH) return true;
    path.push(frameOf(child));
  }
  return false;
}

function frameOf(container: object): Frame {
  return { container, keys: Array.isArray(container) ? undefined : Object.keys(container), next: 0 };
}
