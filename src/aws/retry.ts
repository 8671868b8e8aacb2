import type { BedrockEdgeError } from "../errors.ts";
import { clockCorrected } from "./clock.ts";

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
 * Which errors may be retried: Bedrock's own throttling and 5xx answers, and failures to
 * connect or a connection lost while the answer's beginning was read (a plain answer's body, a
 * stream's first frame: nothing was passed on yet, as for every error sendWithRetries sees).
 * Errors this library raised itself (a timeout, a malformed answer, missing credentials) would
 * only fail again. A signature refused for its time is retried once the
 * clock is corrected (clock.ts), even by a call that fails fast: another deployment would
 * refuse it too, and the same one now takes it.
 */
export function retryKind(error: BedrockEdgeError, failFast = false): RetryKind {
  if (clockCorrected(error)) return "retryable";
  if (failFast) return "final";
  if (error.code === "upstream_unreachable" || error.code === "upstream_connection_lost") return "retryable";
  if (!error.fromBedrock) return "final";
  if (error.bedrockError === "ModelNotReadyException") return "model_not_ready";
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

/** Full-jitter exponential backoff; a server's retry-after wins when it asks for longer. */
export function backoffDelay(policy: RetryPolicy, attempt: number, kind: RetryKind, retryAfterMs?: number): number {
  const cap = kind === "model_not_ready" ? Math.max(policy.baseDelayMs, MODEL_READY_MAX_DELAY_MS) : policy.maxDelayMs;
  const ceiling = Math.min(cap, policy.baseDelayMs * 2 ** Math.min(attempt, 30));
  const jittered = policy.random() * ceiling;
  return retryAfterMs === undefined ? jittered : Math.min(Math.max(jittered, retryAfterMs), policy.maxDelayMs);
}

/** `retry-after` (seconds or an HTTP date) or `retry-after-ms`, in milliseconds. */
export function parseRetryAfter(headers: Headers, now = Date.now()): number | undefined {
  const ms = Number(headers.get("retry-after-ms"));
  if (headers.has("retry-after-ms") && Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
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
