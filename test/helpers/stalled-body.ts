import { vi } from "vitest";

/**
 * A request body whose client sends its first piece, then stalls without ending it: no more
 * bytes, no end, no error (a chunked body never closed, a Content-Length never reached). Says
 * whether the proxy gave it up (cancelled it).
 */
export function stalledBody(first = '{"model":"llama","messages":['): {
  body: ReadableStream<Uint8Array>;
  cancelled: () => boolean;
} {
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(first));
    },
    pull: () => new Promise<void>(() => undefined),
    cancel() {
      cancelled = true;
    },
  });
  return { body, cancelled: () => cancelled };
}

/** Whether `promise` has settled once the fake clock has run `ms` (vi.useFakeTimers() first). */
export async function settledAfter(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await vi.advanceTimersByTimeAsync(ms);
  return settled;
}
