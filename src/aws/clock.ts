// Bedrock refuses a signature dated more than five minutes from its own clock, so a machine whose
// clock is off (a laptop's, a phone's, a VM's after a pause) would fail every call. As the AWS
// SDKs do, the offset is learnt from the answer that refused the signature, and later signatures
// are dated on the endpoint's time. Kept per host: an answer of one endpoint says nothing of
// another's clock, and no endpoint can move the time of calls sent elsewhere.
import type { BedrockEdgeError } from "../errors.ts";

// The exception names AWS gives a request signed at the wrong time (the SDKs' list).
const SKEW_ERRORS = new Set([
  "InvalidSignatureException",
  "SignatureDoesNotMatch",
  "RequestExpired",
  "RequestInTheFuture",
  "RequestTimeTooSkewed",
  "AuthFailure",
]);
const MAX_SKEW_MS = 5 * 60_000;
const MAX_HOSTS = 64;
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
 * browser reads no `Date` of another origin unless the endpoint exposes it).
 */
function serverTime(headers: Headers, message: string): number | undefined {
  const date = Date.parse(headers.get("date") ?? "");
  if (Number.isFinite(date)) return date;
  const parts = TIME_IN_MESSAGE.exec(message);
  if (!parts) return undefined;
  const [, year, month, day, hour, minute, second] = parts.map(Number);
  const time = Date.UTC(year!, month! - 1, day!, hour, minute, second);
  return Number.isFinite(time) ? time : undefined;
}

/**
 * After an error answer from `host`: when it refused the request's time and the endpoint's clock
 * is more than five minutes from the one the request was signed on, calls to `host` are signed on
 * the endpoint's time from now on, and the error is marked worth one more try (`clockCorrected`).
 */
export function learnClock(error: BedrockEdgeError, headers: Headers, message: string, host: string): void {
  if (!error.bedrockError || !SKEW_ERRORS.has(error.bedrockError)) return;
  const server = serverTime(headers, message);
  if (server === undefined) return;
  const offset = server - Date.now();
  if (Math.abs(offset - (offsets.get(host) ?? 0)) < MAX_SKEW_MS) return;
  // The oldest out (a Map keeps insertion order), as a proxy of many endpoints keeps its busy ones.
  if (!offsets.has(host) && offsets.size >= MAX_HOSTS) offsets.delete(offsets.keys().next().value ?? "");
  offsets.set(host, offset);
  corrected.add(error);
}

/** True when the answer that made `error` corrected the clock its request was signed on. */
export function clockCorrected(error: BedrockEdgeError): boolean {
  return corrected.has(error);
}
