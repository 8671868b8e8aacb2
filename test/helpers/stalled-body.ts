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
 * bytes, it stops sending without ending. With `model` (and a `total`), the bytes are a JSON
 * object naming that model, padded to `total` (`{"model":…,"pad":"xxx…"}`); else all `x`. Says
 * how much was sent and whether the proxy gave it up.
 */
export function pacedBody(pace: {
  piece: number;
  everyMs: number;
  total?: number;
  stallAfter?: number;
  model?: string;
  /** The member the body's bytes fill (`pad`). */
  padKey?: string;
  /** What its string starts with (`data:image/png;base64,` and an edit's `image` make it media). */
  padPrefix?: string;
}): {
  body: ReadableStream<Uint8Array>;
  sent: () => number;
  cancelled: () => boolean;
} {
  const { piece, everyMs, total = Number.POSITIVE_INFINITY, stallAfter = Number.POSITIVE_INFINITY, model } = pace;
  const padKey = pace.padKey ?? "pad";
  const head =
    model === undefined
      ? new Uint8Array()
      : new TextEncoder().encode(
          `{"model":${JSON.stringify(model)},${JSON.stringify(padKey)}:"${pace.padPrefix ?? ""}`,
        );
  const tail = model === undefined ? new Uint8Array() : new TextEncoder().encode('"}');
  let sent = 0;
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent >= stallAfter) return new Promise<void>(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
      if (cancelled) return;
      const size = Math.min(piece, total - sent);
      const bytes = new Uint8Array(size).fill(0x78);
      // The JSON's head and tail, where this piece overlaps them.
      for (let at = sent; at < Math.min(head.length, sent + size); at++) bytes[at - sent] = head[at]!;
      for (let at = Math.max(sent, total - tail.length); at < sent + size; at++)
        bytes[at - sent] = tail[at - (total - tail.length)]!;
      controller.enqueue(bytes);
      sent += size;
      if (sent >= total) controller.close();
    },
    cancel() {
      cancelled = true;
    },
  });
  return { body, sent: () => sent, cancelled: () => cancelled };
}

/**
 * Resolves once the proxy has begun to read `body` (its reader taken: after the key's digest, in
 * real time), so that a fake clock runs the read's or the drain's time from there.
 */
export async function bodyLocked(body: ReadableStream<Uint8Array>): Promise<void> {
  while (!body.locked) await new Promise((resolve) => setImmediate(resolve));
}
