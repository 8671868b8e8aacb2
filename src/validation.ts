// valibot's issues as sentences a person would write: the field's path first, then what it must
// be and what it was (`temperature must be a number between 0 and 2 (got "hot").`). Schemas give
// their own wording as a fragment after the field's name ("must be …"); issueFragment words
// every issue a schema leaves without one, so no valibot phrasing ("Invalid type: Expected …")
// ever reaches a caller.
import type * as v from "valibot";
import { characterCount, shownText } from "./errors.ts";

type Issue = v.BaseIssue<unknown>;
type PathItem = NonNullable<Issue["path"]>[number];

/**
 * `messages[2].content`; null for the value itself. A key is the client's where a record takes any
 * (metadata, logit_bias): one past 64 characters is told by its length, as a message tells a
 * long name (errors.ts), rather than echoed whole in the message and `param` (left49 #2).
 */
export function formatPath(path: readonly PathItem[]): string | null {
  if (!path.length) return null;
  let out = "";
  for (const { key } of path) out += typeof key === "number" ? `[${key}]` : `${out ? "." : ""}${shownKey(String(key))}`;
  return out;
}

function shownKey(key: string): string {
  const count = characterCount(key);
  return count > 64 ? `(a key of ${count} characters)` : key;
}

/**
 * The most specific issue and its full path: for a union, the nested issue that got furthest
 * into the value (valibot gives its path relative to the union's input).
 */
export function deepestIssue(issue: Issue, path: readonly PathItem[] = issue.path ?? []) {
  if (!issue.issues?.length) return { issue, path };
  let best = issue.issues[0]!;
  for (const nested of issue.issues) {
    if ((nested.path?.length ?? 0) > (best.path?.length ?? 0)) best = nested;
  }
  const nested = best.path ?? [];
  // No branch got inside the value: the union's own message says what was expected.
  if (nested.length === 0) return { issue, path };
  return deepestIssue(best, nested[0]!.input === issue.input ? [...path, ...nested] : [...nested]);
}

/** "a", "b" or "c" */
function orList(items: readonly string[]): string {
  return items.length < 2 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}

/** `("a" | "b")` as valibot writes a picklist's options -> `"a" or "b"`. */
function options(expected: string | null): string {
  return orList((expected ?? "").replace(/^\(|\)$/g, "").split(" | "));
}

function count(issue: Issue, requirement: unknown): string {
  const unit = typeof issue.input === "string" ? "characters" : "items";
  return `${String(requirement)} ${requirement === 1 ? unit.slice(0, -1) : unit}`;
}

/**
 * What a value must be, after its field's name, for an issue whose schema gave no wording of its
 * own; passed to valibot as the parse's `message`.
 */
export function issueFragment(issue: Issue): string {
  switch (issue.type) {
    case "string":
      return "must be a string";
    case "number":
      return "must be a number";
    case "boolean":
      return "must be true or false";
    case "array":
      return "must be an array";
    case "object":
    case "loose_object":
    case "record":
      return "must be an object";
    case "strict_object":
      return issue.expected === "never" ? "is not a field this object takes" : "must be an object";
    case "literal":
      return `must be ${issue.expected}`;
    case "picklist":
      return `must be one of ${options(issue.expected)}`;
    case "min_length":
      return issue.requirement === 1 ? "must not be empty" : `must have at least ${count(issue, issue.requirement)}`;
    case "max_length":
      return `must have at most ${count(issue, issue.requirement)}`;
    case "min_value":
      return `must be at least ${String(issue.requirement)}`;
    case "max_value":
      return `must be at most ${String(issue.requirement)}`;
    case "integer":
      return "must be a whole number";
    case "finite":
      return "must be a finite number";
    default:
      return "is not valid here";
  }
}

const MAX_SHOWN = 40;

/**
 * The value as valibot names it (`"hot"`, `5`, `Object`), in words for a type (`an object`); a
 * string is the caller's own input, echoed: cut short between words (errors.ts), so a key
 * sent as a value is shown whole, for the Worker's redaction to find, or told by its length.
 */
function shown(issue: Issue): string {
  if (typeof issue.input === "string") return shownText(issue.input, MAX_SHOWN);
  const received = issue.received;
  if (received === "Object" || received === "Array") return `an ${received.toLowerCase()}`;
  // Other class names (Map, Date…); NaN and Infinity are numbers, shown as they are.
  if (/^[A-Z]\w*$/.test(received) && received !== "NaN" && received !== "Infinity") return `a ${received}`;
  return received.length > MAX_SHOWN ? `${received.slice(0, MAX_SHOWN)}…` : received;
}

/** Whether valibot's `expected` asks for an object or an array (or either, or nothing). */
function wantsContainer(expected: string | null): boolean {
  const kinds = (expected ?? "").replace(/[()]/g, "").split(" | ");
  return (
    kinds.some((kind) => kind === "Object" || kind === "Array") &&
    kinds.every((kind) => kind === "Object" || kind === "Array" || kind === "null" || kind === "undefined")
  );
}

/** What the sentence adds about the value the caller sent, when that helps. */
function whatWasSent(issue: Issue): string {
  if (issue.type === "min_length" || issue.type === "max_length") {
    return issue.requirement === 1 && issue.type === "min_length" ? "" : ` (it has ${issue.received})`;
  }
  // An unknown key: the key is the news, not its value.
  if (issue.type === "strict_object" && issue.expected === "never") return "";
  const namesValue = issue.kind === "schema" || VALUE_CHECKS.has(issue.type);
  if (!namesValue) return "";
  // Text where a message, a content part or a list belongs is as often as not the prompt itself
  // (`"messages": "Hi…"`): named, never quoted, since a refusal's message also reaches logs that
  // must not hold prompts. A word where another word or a number belongs is quoted: it is a typo.
  if (typeof issue.input === "string" && wantsContainer(issue.expected)) return " (got a string)";
  return ` (got ${shown(issue)})`;
}

// Validations about the value itself; the other (checks, lengths) say all there is to say.
const VALUE_CHECKS = new Set(["min_value", "max_value", "integer", "finite", "regex"]);

export interface SentenceOptions {
  /** Per field name, what to put there when it is missing: "<field> is required: <this>." */
  required?: Readonly<Record<string, string>>;
  /** Who the sentence is about when the issue is the value itself (no field). */
  subject?: string;
  /** Fields whose value is never quoted back, whatever its shape: it may be a secret (credentials). */
  secret?: readonly string[];
}

/** The whole sentence for an issue at `path`. */
export function issueSentence(issue: Issue, path: readonly PathItem[], options: SentenceOptions = {}): string {
  const field = formatPath(path);
  // A missing field: an object's missing key, or a value that is undefined.
  if (field && issue.received === "undefined") {
    const hint = options.required?.[String(path.at(-1)?.key)];
    return `${field} is required${hint ? `: ${hint}` : ""}.`;
  }
  const quiet = options.secret?.includes(String(path.at(-1)?.key));
  return `${field ?? options.subject ?? "The value"} ${issue.message}${quiet ? "" : whatWasSent(issue)}.`;
}
