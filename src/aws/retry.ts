import { BedrockEdgeError, spanText } from "../errors.ts";
import { clockCorrected } from "./clock.ts";
import { parseHttpDate } from "./http-date.ts";

export interface RetryPolicy {
  /** Retries for throttling, 5xx and network errors. */
  maxRetries: number;
  /** How long to keep retrying ModelNotReadyException (an imported model waking up). */
  modelReadyTimeoutMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
  random: () => number;
}

// A waking imported model takes minutes; polling faster than this only adds load.
const MODEL_READY_MAX_DELAY_MS = 10_000;

export type RetryKind = "model_not_ready" | "retryable" | "final";

/**
 * Which errors may be retried: Bedrock's own throttling (not a quota used up) and 5xx answers, and failures to
 * connect or a connection lost while the answer's beginning was read (a plain answer's body, a
 * stream's first frame: nothing was passed on yet, as for every error sendWithRetries sees).
 * Errors this library raised itself (a timeout, a malformed answer, missing credentials) would
 * only fail again, as would a Worker's fetch refused for its plan's subrequests (bedrock-errors.ts:
 * subrequest_limit, final here as ours). A signature refused for its time is retried once the
 * clock is corrected (clock.ts), even by a call that fails fast: another deployment would refuse
 * it too, and the same one now takes it.
 */
function retryKind(error: BedrockEdgeError, failFast = false): RetryKind {
  if (clockCorrected(error)) return "retryable";
  if (failFast) return "final";
  if (error.code === "upstream_unreachable" || error.code === "upstream_connection_lost") return "retryable";
  if (!error.fromBedrock) return "final";
  if (error.bedrockError === "ModelNotReadyException") return "model_not_ready";
  // An account's or a day's quota (a 429 here, Bedrock's 400): sure to fail again within a call's
  // backoff, and AWS's SDK never retries it either. Another deployment may still take it (failover.ts).
  if (error.bedrockError === "ServiceQuotaExceededException") return "final";
  if (
    error.status === 429 ||
    error.status === 500 ||
    error.status === 502 ||
    error.status === 503 ||
    error.status === 504
  ) {
    return "retryable";
  }
  return "final";
}

/** What a call's retries have used so far. */
export interface RetryCounts {
  retries: number;
  waits: number;
  /**
   * When the call began, on the monotonic clock (performance.now()): a waking model is waited for
   * from then, and a step of the wall clock (NTP, a VM resumed) neither ends nor stretches the wait.
   */
  started: number;
}

/**
 * The wait before the next try of a call that failed with `error`, counted in `counts`; throws
 * when none is left: the error itself, or for a model still waking past modelReadyTimeoutMs, the
 * error that says how long it was waited for. The last wait ends at that deadline, so the model
 * gets a try then, rather than the wait stopping early when a jittered delay would overshoot it.
 */
export function retryDelay(
  policy: RetryPolicy,
  error: BedrockEdgeError,
  counts: RetryCounts,
  failFast = false,
): number {
  const kind = retryKind(error, failFast);
  if (kind === "model_not_ready") {
    const waited = performance.now() - counts.started;
    const left = policy.modelReadyTimeoutMs - waited;
    if (left <= 0) throw modelNeverReady(error, waited);
    return Math.min(backoffDelay(policy, counts.waits++, kind, error.retryAfterMs), left);
  }
  if (kind === "retryable" && counts.retries < policy.maxRetries) {
    return backoffDelay(policy, counts.retries++, kind, error.retryAfterMs);
  }
  throw error.code === "subrequest_limit" ? subrequestsUsedUp(error, counts.waits > 0) : error;
}

/**
 * The plan's subrequests ran out: what to change. While a cold model was waited for, each try of
 * the wait was one (about one every 5 s past the first few: docs/PROXY-REFERENCE.md's Deploy says what
 * fits Workers Free); else the request's own calls used them up (a legacy Completions request
 * makes one per prompt and per n, and each retry or other copy tried is one more).
 */
function subrequestsUsedUp(error: BedrockEdgeError, waiting: boolean): BedrockEdgeError {
  const change = waiting
    ? "It was waiting for a cold model: lower MODEL_READY_TIMEOUT_MS (modelReadyTimeoutMs), or move to the Workers Paid plan."
    : "Make fewer calls in one request (legacy Completions makes one per prompt and per n), or move to the Workers Paid plan.";
  return new BedrockEdgeError({ status: error.status, code: error.code, message: `${error.message} ${change}` });
}

/** ModelNotReadyException for longer than the wait budget: still a 429, with what Bedrock said. */
function modelNeverReady(last: BedrockEdgeError, waitedMs: number): BedrockEdgeError {
  return new BedrockEdgeError({
    status: 429,
    code: "model_not_ready",
    bedrockError: last.bedrockError,
    message: `The imported model was still not ready after ${spanText(waitedMs)} of waiting (modelReadyTimeoutMs); it may still be starting, try again shortly. Bedrock said: ${last.message}`,
  });
}

/** Full-jitter exponential backoff; a server's retry-after wins when it asks for longer. */
export function backoffDelay(policy: RetryPolicy, attempt: number, kind: RetryKind, retryAfterMs?: number): number {
  const cap = kind === "model_not_ready" ? Math.max(policy.baseDelayMs, MODEL_READY_MAX_DELAY_MS) : policy.maxDelayMs;
  const ceiling = Math.min(cap, policy.baseDelayMs * 2 ** Math.min(attempt, 30));
  const jittered = policy.random() * ceiling;
  return retryAfterMs === undefined ? jittered : Math.min(Math.max(jittered, retryAfterMs), policy.maxDelayMs);
}

// RFC 9110's delay-seconds (section 10.2.3), and retry-after-ms's milliseconds: digits, nothing
// else (Number reads "", "0x3c" and "1e3" too, which no server sends for a delay).
const DIGITS = /^\d+$/;

/**
 * `retry-after` (delay-seconds or an HTTP date) or `retry-after-ms`, in milliseconds: a finite
 * number, or none when the header is absent or not in one of those forms. Seconds such as
 * 10^308 are finite, but not once in milliseconds: such a hint is kept at MAX_SAFE_INTEGER ms
 * rather than dropped, so that a longer hint never means a shorter wait (the waits are capped at
 * retryMaxDelayMs, the proxy's Retry-After at 59 s, either way).
 */
export function parseRetryAfter(headers: Headers, now = Date.now()): number | undefined {
  const ms = headers.get("retry-after-ms") ?? "";
  if (DIGITS.test(ms)) return Math.min(Number(ms), Number.MAX_SAFE_INTEGER);
  const value = headers.get("retry-after") ?? "";
  if (DIGITS.test(value)) return Math.min(Number(value) * 1000, Number.MAX_SAFE_INTEGER);
  const date = parseHttpDate(value);
  return date === undefined ? undefined : Math.max(0, date - now);
}

/** A sleep that an AbortSignal ends early (rejecting with the signal's reason). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
