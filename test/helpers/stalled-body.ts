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

/**
 * A request body whose client keeps sending: `piece` bytes every `everyMs` (on setTimeout, so a
 * fake clock drives it), ending after `total` bytes, or never when it is undefined; `stallAfter`
 * bytes, it stops sending without ending. Says how much was sent and whether the proxy gave it up.
 */
export function pacedBody(pace: { piece: number; everyMs: number; total?: number; stallAfter?: number }): {
  body: ReadableStream<Uint8Array>;
  sent: () => number;
  cancelled: () => boolean;
} {
  const { piece, everyMs, total = Number.POSITIVE_INFINITY, stallAfter = Number.POSITIVE_INFINITY } = pace;
  let sent = 0;
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent >= stallAfter) return new Promise<void>(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
      if (cancelled) return;
      const size = Math.min(piece, total - sent);
      controller.enqueue(new Uint8Array(size).fill(0x78));
      sent += size;
      if (sent >= total) controller.close();
    },
    cancel() {
      cancelled = true;
    },
  });
  return { body, sent: () => sent, cancelled: () => cancelled };
}
