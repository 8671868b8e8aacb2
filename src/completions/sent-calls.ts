// What a request of several upstream calls (legacy Completions' prompts and choices, embeddings'
// batches) knows of each call, so that when it fails it can tell what Bedrock billed or may have:
// whether a try of the call went out, and when its next try goes out while it waits to retry.
import type { RetryEvent } from "../aws/send-with-retries.ts";
import type { RequestOptions } from "../client.ts";
import { unbilledRefusal } from "../routing/attempt-usage.ts";

export interface SentCall {
  /**
   * It went to Bedrock and was not refused by its error answer: unless it answered, it ended with
   * no count (our timeout, the request stopped when another call failed), the model may have run.
   */
  sent: boolean;
  /**
   * When its latest retry goes out (Date.now()'s clock): until then no try of it is out, and the
   * try before the wait was told to onRetry, which counts it if it cost anything.
   */
  retriesAt?: number;
}

/** Which call of a request of several a retry is (RetryEvent.prompt, and an embeddings call's texts). */
export type RetriedCall = Pick<RetryEvent, "texts"> & { prompt: number };

/** A call of a request of several starting its try on a deployment (RequestOptions.onCallSent). */
export interface CallSentEvent {
  /**
   * Which call, as RetryEvent.prompt tells a retry of it: for legacy Completions (a call per
   * prompt and n) the index of the call's prompt; for embeddings the index of the call's first
   * text in the request's input; for Stability's images (a call per image) 0.
   */
  prompt: number;
  /** An embeddings call's texts, as RetryEvent.texts. */
  texts?: string[];
}

/**
 * Tells onCallSent that call `call` of a request of several starts its first try on this
 * deployment: a request sends a few at a time (MAX_OPEN_CALLS), the others waiting for a slot with
 * no try out. Told before the call is signed and fetched, so one told may never reach Bedrock (an
 * abort meanwhile): an over-count, never an under-count. A request of one call tells none:
 * onDeployment told it.
 */
export function callSent(call: RetriedCall | undefined, onCallSent: RequestOptions["onCallSent"]): void {
  if (call !== undefined) onCallSent?.(call);
}

/**
 * options.onRetry for the call `meter` meters: it notes when the call's next try goes out, and
 * tells which call it is when the request has several (`call`: RetryEvent.prompt and texts).
 */
export function retryOf(
  meter: SentCall,
  call: RetriedCall | undefined,
  onRetry: RequestOptions["onRetry"],
): (event: RetryEvent) => void {
  return (event) => {
    meter.retriesAt = Date.now() + event.delayMs;
    onRetry?.(call === undefined ? event : { ...event, ...call });
  };
}

/** Whether a call that was sent has a try out, or had one that ended with no count, rather than waits to retry. */
export function tryOut(meter: SentCall): boolean {
  return meter.sent && (meter.retriesAt === undefined || meter.retriesAt <= Date.now());
}

/** `call`, its meter marked sent unless Bedrock's error answer refused it (which it does not bill). */
export async function sentBy<T>(meter: SentCall, call: Promise<T>): Promise<T> {
  meter.sent = true;
  try {
    return await call;
  } catch (error) {
    meter.sent = !unbilledRefusal(error);
    throw error;
  }
}

/**
 * The request's own controller, aborted by the caller's signal too, through a listener that
 * `unfollow` takes off when the request ends. Not AbortSignal.any: in Node 20 that leaves an
 * entry on the caller's signal per request for as long as the signal lives, and a caller may pass
 * one signal (a server's shutdown, say) to every request.
 */
export function followedSignal(caller: AbortSignal | undefined): {
  controller: AbortController;
  unfollow: () => void;
} {
  const controller = new AbortController();
  const follow = () => controller.abort(caller?.reason);
  if (caller?.aborted) follow();
  else caller?.addEventListener("abort", follow, { once: true });
  return { controller, unfollow: () => caller?.removeEventListener("abort", follow) };
}
