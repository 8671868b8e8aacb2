// JSON text a request carries inside its strings, which the routes parse but the body's scan reads
// as one value each: every tool call's `arguments` (a template route or Converse parses them
// whole), and on the Responses API each handed-back reasoning item's `encrypted_content`. Held to
// the body's limits one string at a time, 25 calls of 49,991 arrays each were 1.25 million arrays
// parsed in a 3.75 MB body (redos43 #2: +61 MiB in workerd, where the body's own 50,000 cost a
// few). So all of a request's strings draw on one allowance: REQUEST_JSON_LIMITS's arrays and
// objects and values, in total; depth and an object's members stay limits of each string, since
// neither adds up across strings. It is apart from the body's own count: the library checks
// requests given as objects, with no body scanned, and the proxy's scan is its own; so a body
// parses at most twice what either allows.
import { invalidRequest } from "../errors.ts";
import {
  type JsonTextLimits,
  type JsonTextProblem,
  jsonTextProblemSentence,
  REQUEST_JSON_LIMITS,
  scanJsonText,
} from "./depth.ts";

/** What is left of a request's arrays and objects, and values, for the JSON text in its strings. */
export interface JsonTextBudget {
  containers: number;
  elements: number;
}

/** A request's whole allowance, before any of its strings is counted. */
export function requestJsonTextBudget(): JsonTextBudget {
  return { containers: REQUEST_JSON_LIMITS.maxContainers, elements: REQUEST_JSON_LIMITS.maxElements };
}

/** A string past its own limits (`shared: false`), or past what the request's others left of the allowance. */
export type JsonTextOverrun =
  | { problem: JsonTextProblem; shared: false }
  | { problem: "containers" | "elements"; shared: true };

/**
 * Counts one string's JSON text, before anything parses it, against its own `limits` and then
 * against what is left in `budget`, which it draws down when it passes both; the overrun when not.
 * One scan either way: a string that passes its own limits costs its bytes once.
 */
export function drawJsonText(
  text: string,
  budget: JsonTextBudget,
  limits: JsonTextLimits = REQUEST_JSON_LIMITS,
): JsonTextOverrun | undefined {
  const scan = scanJsonText(text, limits);
  if (!scan.ok) return { problem: scan.exceeded, shared: false };
  if (scan.containers > budget.containers) return { problem: "containers", shared: true };
  if (scan.elements > budget.elements) return { problem: "elements", shared: true };
  budget.containers -= scan.containers;
  budget.elements -= scan.elements;
  return undefined;
}

/** What a string that took the request past its allowance holds, said of its field: `${param} ${sentence}`. */
export function sharedOverrunSentence(problem: "containers" | "elements"): string {
  const [count, what] =
    problem === "containers"
      ? [REQUEST_JSON_LIMITS.maxContainers, "arrays and objects"]
      : [REQUEST_JSON_LIMITS.maxElements, "values"];
  return `holds more ${what} than the request has left: all of its tool calls' arguments (and reasoning handed back) may hold ${count} in total.`;
}

/** A field's JSON text drawn from the request's allowance (drawJsonText); a 400 naming `param` for an overrun. */
export function refuseJsonTextPastLimits(text: string, param: string, budget: JsonTextBudget): void {
  const overrun = drawJsonText(text, budget);
  if (!overrun) return;
  const sentence = overrun.shared ? sharedOverrunSentence(overrun.problem) : jsonTextProblemSentence(overrun.problem);
  throw invalidRequest(`${param} ${sentence}`, param);
}
