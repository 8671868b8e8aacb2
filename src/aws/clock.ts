// Bedrock refuses a signature dated more than five minutes from its own clock, so a machine whose
// clock is off (a laptop's, a phone's, a VM's after a pause) would fail every call. As the AWS
// SDKs do, the offset is learnt from the answer that refused the signature, and later signatures
// are dated on the endpoint's time. Kept per host: an answer of one endpoint says nothing of
// another's clock, and no endpoint can move the time of calls sent elsewhere.
import type { BedrockEdgeError } from "../errors.ts";
import { parseHttpDate } from "./http-date.ts";

// The exception names AWS gives a request signed at the wrong time and nothing else (from the
// SDKs' list); Bedrock's own is InvalidSignatureException, which means a wrong time only with
// these words (a wrong secret gets it too, with others).
const TIME_ERRORS = new Set(["RequestExpired", "RequestInTheFuture", "RequestTimeTooSkewed"]);
const WRONG_TIME = /^Signature (?:expired|not yet current)\b/;
const MAX_HOSTS = 64;
const LAST_YEAR = Date.UTC(9999, 0, 1);
// AWS's message names its own time: "(20261128T120500Z - 5 min.)".
const TIME_IN_MESSAGE = /\((\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z [+-] 5 min\.\)/;

const offsets = new Map<string, number>();
const corrected = new WeakSet<BedrockEdgeError>();

/** Now, on the clock of the endpoint at `host` as far as its answers told. */
export function signingTime(host: string): Date {
  return new Date(Date.now() + (offsets.get(host) ?? 0));
}

/**
 * The endpoint's time when it answered: its `Date` header, or the time its message names (a
 * browser reads no `Date` of another origin unless the endpoint exposes it); NaN when neither.
 */
function serverTime(headers: Headers, message: string): number {
  const date = parseHttpDate(headers.get("date") ?? "");
  if (date !== undefined) return date;
  const [, year, month, day, hour, minute, second] = (TIME_IN_MESSAGE.exec(message) ?? []).map(Number);
  return Date.UTC(year!, month! - 1, day!, hour, minute, second);
}

/** Whether the answer says the request's time was wrong, and only that. */
function refusedForItsTime(error: BedrockEdgeError, message: string): boolean {
  const name = error.bedrockError;
  return (
    name !== undefined && (TIME_ERRORS.has(name) || (name === "InvalidSignatureException" && WRONG_TIME.test(message)))
  );
}

/**
 * After an error answer from `host`: when it refused the request's time, calls to `host` are
 * signed on the endpoint's time from now on, and the error is marked worth one more try
 * (`clockCorrected`). The endpoint said the request's time was wrong, so its time is taken
 * whatever the difference: every call refused together is tried again, and a clock just past
 * five minutes off (which a Date header's whole seconds may measure as just under) is set right.
 */
export function learnClock(error: BedrockEdgeError, headers: Headers, message: string, host: string): void {
  if (!refusedForItsTime(error, message)) return;
  const server = serverTime(headers, message);
  // A time signatures cannot go on being dated at is not taken: a Date that is no HTTP date (NaN),
  // or one in 9999, whose clock would soon pass 9999 (no x-amz-date has 5 digits), would break
  // every later call to the host, and no refusal would come back in AWS's words to set it right.
  // A far but signable time is taken: a wrong one is refused at the next call and set right from
  // its answer, and a device's clock may truly be years off.
  if (!(server < LAST_YEAR)) return;
  // The oldest out (a Map keeps insertion order), as a proxy of many endpoints keeps its busy ones.
  if (!offsets.has(host) && offsets.size >= MAX_HOSTS) offsets.delete(offsets.keys().next().value ?? "");
  offsets.set(host, server - Date.now());
  corrected.add(error);
}

/** True when the answer that made `error` corrected the clock its request was signed on. */
export function clockCorrected(error: BedrockEdgeError): boolean {
  return corrected.has(error);
}
