// Values of unknown type in words, for error messages. A module of its own: only the routes'
// and the Responses API's checks use it, so it loads with them, not with the main chunk.
import { shownText } from "./errors.ts";

const SHOWN_CHARACTERS = 40;

/**
 * A value of unknown type in words for an error message, as validation.ts's sentences show one:
 * a short string quoted (cut between words), a number, boolean or null as it is, anything else by
 * its kind (`an object`). Never `String(value)`: a parsed `{"toString": 1}` has a toString that is
 * not a function, and String() throws on it.
 */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return shownText(value, SHOWN_CHARACTERS);
  if (typeof value === "number" || typeof value === "boolean" || value === null) return `${value}`;
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : typeof value;
}
