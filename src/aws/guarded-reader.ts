import { spanText, upstreamTimeout } from "../errors.ts";
import type { Attempt } from "./attempt.ts";
import type { ByteRead, ByteReader } from "./byte-reader.ts";

/**
 * The answer body's reader, guarded: the caller's abort or cancel() ends a pending read (an
 * injected fetch may ignore its signal), and one watchdog timer, not one per read, ends a read
 * that waits longer than idleTimeoutMs, timed on the monotonic clock (performance.now()), which a
 * step of the wall clock does not move. Reading to the end releases the attempt. Its signal is
 * the caller's end of the call (the caller's abort, cancel()), not the watchdog's: a stream that
 * went silent failed, and what the answer had said before that still goes out ahead of the error.
 */
export function guardReader(body: ReadableStream<Uint8Array>, attempt: Attempt, idleTimeoutMs: number): ByteReader {
  const reader = body.getReader();
  const ended = new AbortController();
  let timedOut = false;
  const onAbort = () => {
    if (!timedOut) ended.abort(attempt.signal.reason);
    void reader.cancel(attempt.signal.reason).catch(() => undefined);
  };
  // Aborted while this module loaded (the first stream's): the event has passed.
  if (attempt.signal.aborted) onAbort();
  attempt.signal.addEventListener("abort", onAbort, { once: true });
  let reading = false;
  let readStarted = 0;
  let watchdog: ReturnType<typeof setTimeout> | undefined;
  let finished = false;

  const check = () => {
    watchdog = undefined;
    if (!reading) return;
    const silent = performance.now() - readStarted;
    if (silent >= idleTimeoutMs) {
      timedOut = true;
      attempt.abort(upstreamTimeout(`Bedrock's stream went silent for ${spanText(idleTimeoutMs)} (idleTimeoutMs).`));
    } else {
      watchdog = setTimeout(check, idleTimeoutMs - silent);
    }
  };
  const finish = () => {
    if (finished) return;
    finished = true;
    if (watchdog !== undefined) clearTimeout(watchdog);
    attempt.release();
    attempt.signal.removeEventListener("abort", onAbort);
  };

  return {
    signal: ended.signal,
    async read() {
      if (finished && !attempt.signal.aborted) return { done: true, value: undefined };
      reading = true;
      readStarted = performance.now();
      watchdog ??= setTimeout(check, idleTimeoutMs);
      let result: ByteRead;
      try {
        result = await reader.read();
      } catch (error) {
        // workerd keeps the error of a body that failed mid-read for good (heap47), and V8 keeps
        // an error's frames, with the closures they ran in (this call, the request), until its
        // stack is read: read, it is text, and they can go.
        if (error instanceof Error) void error.stack;
        finish();
        throw attempt.failure(error);
      } finally {
        reading = false;
      }
      if (attempt.signal.aborted) {
        finish();
        throw attempt.signal.reason;
      }
      if (result.done) finish();
      return result;
    },
    async cancel(reason) {
      finish();
      ended.abort(reason);
      attempt.abort(reason);
      await reader.cancel(reason).catch(() => undefined);
    },
  };
}
