// Knowing when an answer has really reached the client, or never will. A runtime reads a
// response body as it writes it out, and how that reading ends tells how the exchange ended:
//
// - read to the end: delivered;
// - cancelled: the client went away while the runtime waited for more of the answer (workerd
//   learns it only when a write to that client fails: a silent stream's idle bytes find out);
// - no longer read: the client went away while the runtime was writing. Measured in workerd:
//   when writing the response head or a chunk fails, workerd closes the connection and simply
//   stops reading the body; it neither cancels it nor aborts request.signal, even with
//   ctx.waitUntil keeping the request alive. From the Worker, that looks like a client that
//   stopped reading, so time tells them apart.
//
// A live client takes the head and the first bytes at once, so those go out alone (at most
// FIRST_BYTES), and the runtime must ask for more within STALL_TIMES.firstMs; so must it after
// every piece while the answer's first EARLY_BYTES go out. After that, a client may fall behind
// for a while, but not for STALL_TIMES.laterMs with the runtime unable to write anything.

import type { ByteRead } from "../src/core.ts";

/** Small enough to be written to any live connection at once (an SSE first chunk fits whole). */
const FIRST_BYTES = 1024;

/**
 * While no more than this has gone out, every piece is timed as the first bytes are. A live
 * connection takes that much whether its client reads or not (the sockets' buffers hold more),
 * so the runtime asks for the next piece at once; if it does not, a write failed. A client that
 * leaves while a stream's first events are written (a Responses stream opens with several) is
 * that case in workerd, which then stops reading without a word (sdkhelpers50 #5): without this,
 * the later stall time found it gone, 10 s on, and a shorter answer ran to its end for nobody.
 * Only while the answer is that short: a Responses stream whose opening events echo several KiB
 * of instructions and tools is past it before the client leaves, and the write workerd then
 * fails comes later, so splitting a piece at this mark changes nothing (codereview50b #1).
 */
export const EARLY_BYTES = 8 * 1024;

/**
 * The most of a known body handed to the runtime at once. Each piece's write is timed on its
 * own, so a client reading a large answer slowly but steadily is not taken for gone, and on
 * Node the rest waits on the socket's backpressure rather than sitting in its buffer.
 */
const PIECE_BYTES = 64 * 1024;

export interface StallTimes {
  /** After the head and the first bytes: far longer than writing 1 KiB to a live client takes. */
  firstMs: number;
  /**
   * After any later piece. Kept under the 30 s a Worker may run on after its client leaves
   * (ctx.waitUntil), so the line is still written.
   */
  laterMs: number;
}

export const STALL_TIMES: StallTimes = { firstMs: 2000, laterMs: 10_000 };

export interface DeliveryHooks {
  /** The body was read to its end. */
  delivered(): void;
  /** The client went away: the body was cancelled, or the runtime stopped reading it. */
  gone(why: string): void;
  /** The body itself failed (a bug: the proxy's bodies end in an error event instead). */
  failed(error: unknown): void;
  /**
   * Set where the runtime ends an errored body as if it were whole (workerd writes the chunked
   * terminator): an answer cut for going unread then ends with its source's last words, which a
   * client that was only paused reads, instead of passing for complete.
   */
  sayLastWords?: boolean;
}

/**
 * Where a watched answer's bytes come from: a stream's reader, or anything that reads like one.
 * The proxy's own bodies (JSON, the SSE relay) are sources themselves, so that the watching
 * stream is the only stream layer between them and the runtime.
 */
export interface DeliverySource {
  read(): Promise<ByteRead>;
  cancel(reason?: unknown): Promise<void>;
  /**
   * What a client that went quiet for `unreadMs` is to read last, where a cut would otherwise pass
   * for a whole answer: an SSE error event that says the answer was cut here, or the rest of an
   * answer known in full (it is in memory already; cutting it would save nothing upstream).
   * Undefined once the answer's own end went out: the client has it whole.
   */
  lastWords?(unreadMs: number): Uint8Array | undefined;
  /**
   * What may go out, beside the answer, when the source has had nothing to send for `ms` while
   * the runtime waits on it (SSE: a comment line). It keeps proxies between client and server
   * from cutting a silent stream, and it is how workerd learns of a client gone during a
   * silence: it tells the Worker (request.signal, or the body cancelled) only once a write to
   * that client fails.
   */
  idle?: Idle;
}

export interface Idle {
  ms: number;
  /** Made anew each time: a runtime may take the buffer it is given. */
  bytes(): Uint8Array;
}

// A body the proxy made -> the source of its bytes: request-log watches the source itself
// rather than a reader over the body. Keyed by the body stream, which middleware that copies a
// response (hono, when a header is set late) carries over unchanged.
const sources = new WeakMap<ReadableStream<Uint8Array>, DeliverySource>();

/** Marks `response`'s body as made from `source`; returns the response. */
export function madeFrom(response: Response, source: DeliverySource): Response {
  if (response.body) sources.set(response.body, source);
  return response;
}

/** The source to watch for an answer's body: its own when the proxy made it, else a reader. */
export function sourceOf(body: ReadableStream<Uint8Array>): DeliverySource {
  return sources.get(body) ?? body.getReader();
}

/** Bytes known in full (a JSON answer): read in pieces of at most PIECE_BYTES, then the end. */
export function bytesSource(bytes: Uint8Array): DeliverySource {
  let at = 0;
  return {
    async read() {
      if (at >= bytes.byteLength) return { done: true, value: undefined };
      const value = bytes.subarray(at, at + PIECE_BYTES);
      at += value.byteLength;
      return { done: false, value };
    },
    async cancel() {},
    lastWords() {
      const left = bytes.subarray(at);
      at = bytes.byteLength;
      return left;
    },
  };
}

/**
 * A stream over a source: the body of an answer the proxy makes. Unwatched, it passes the bytes
 * on (the first 1 KiB as a read of its own, as when watched); request-log watches it in place
 * (watchInPlace), so that the answer's own body is the one stream layer between the source and
 * the runtime, and the answer need not be made again.
 */
export function streamOf(source: DeliverySource): ReadableStream<Uint8Array> {
  const { stream, watch } = watchable(source);
  unwatched.set(stream, watch);
  return stream;
}

// A body streamOf made -> how to watch it, until it is watched.
const unwatched = new WeakMap<ReadableStream<Uint8Array>, (hooks: DeliveryHooks, stall: StallTimes) => boolean>();

/**
 * Watches a body streamOf made, as watchDelivery would a new stream over its source; false when
 * it is not such a body, or is no longer unread (watched, read or cancelled already).
 */
export function watchInPlace(
  body: ReadableStream<Uint8Array>,
  hooks: DeliveryHooks,
  stall: StallTimes = STALL_TIMES,
): boolean {
  const watch = unwatched.get(body);
  unwatched.delete(body);
  return watch?.(hooks, stall) ?? false;
}

export function watchDelivery(
  from: ReadableStream<Uint8Array> | DeliverySource,
  hooks: DeliveryHooks,
  stall: StallTimes = STALL_TIMES,
): ReadableStream<Uint8Array> {
  const { stream, watch } = watchable(from instanceof ReadableStream ? from.getReader() : from);
  watch(hooks, stall);
  return stream;
}

const UNWATCHED: DeliveryHooks = { delivered() {}, gone() {}, failed() {} };

/** A stream over `reader` that tells `hooks` how the exchange ended, once watch() gives them. */
function watchable(reader: DeliverySource): {
  stream: ReadableStream<Uint8Array>;
  watch(hooks: DeliveryHooks, stall: StallTimes): boolean;
} {
  let hooks = UNWATCHED;
  let stall: StallTimes | undefined;
  let reads = 0;
  let rest: Uint8Array | undefined;
  let stopped = false;
  let out: ReadableStreamDefaultController<Uint8Array> | undefined;
  // The read the runtime owes: since when, for how long at most, and what its absence means.
  // Unset while the watcher itself waits on the source: that is never the client's stall. Times
  // are the monotonic clock's (performance.now()): a step of the wall clock must not take a slow
  // client for gone, nor give a gone one longer.
  let owed: { since: number; ms: number; why: string } | undefined;
  // One timer, re-armed only when it fires early: a pull merely notes the time (a timer set
  // and cleared per piece cost more than the piece itself in workerd).
  let timer: ReturnType<typeof setTimeout> | undefined;
  let due = 0;
  // The source's idle bytes: one timer, armed by a pull that waits on the source and re-armed when
  // it fires, against the time the last piece went out (noted once per piece, as `owed` is). A
  // piece neither sets nor clears it: a timer per piece would cost more than the piece.
  const { idle } = reader;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  let waiting = false;
  let lastSent = 0;
  // Bytes handed to the runtime so far, up to just past EARLY_BYTES (no need to count further).
  let early = 0;
  const stop = () => {
    stopped = true;
    clearTimeout(timer);
    clearTimeout(idleTimer);
  };
  const sent = (bytes: number) => {
    lastSent = performance.now();
    if (early <= EARLY_BYTES) early += bytes;
  };
  const fill = (said: Idle) => {
    const { ms } = said;
    idleTimer = undefined;
    // Not waiting on the source: the runtime has not asked for more (a client behind, or gone
    // without a word); its next pull arms the timer again.
    if (stopped || !waiting || !out) return;
    const quiet = performance.now() - lastSent;
    if (quiet < ms) {
      idleTimer = setTimeout(fill, ms - quiet, said);
      return;
    }
    if ((out.desiredSize ?? 0) >= 0) {
      const bytes = said.bytes();
      out.enqueue(bytes);
      sent(bytes.byteLength);
    } else if (!owed) {
      // The last idle bytes are still unread (more would only queue up behind them): the runtime
      // has stopped reading, and is timed from when they went out, as for any piece it left unread.
      expectRead(false, "the answer stopped being read: the client had gone");
    }
    idleTimer = setTimeout(fill, ms, said);
  };
  const arm = (ms: number) => {
    due = performance.now() + ms;
    timer = setTimeout(check, ms);
  };
  const check = () => {
    timer = undefined;
    if (stopped || !owed) return;
    // While the watcher waits on the source, only unread idle bytes are owed (fill): read since, none is.
    if (waiting && (out?.desiredSize ?? 0) >= 0) {
      owed = undefined;
      return;
    }
    const left = owed.since + owed.ms - performance.now();
    if (left > 0) return arm(left);
    stop();
    hooks.gone(owed.why);
    // The rest of the first read goes out before the last words: they follow what was sent.
    const last = hooks.sayLastWords ? reader.lastWords?.(owed.ms) : undefined;
    if (last && out) {
      if (rest) out.enqueue(rest);
      if (last.byteLength) out.enqueue(last);
      out.close();
    } else {
      out?.error(new Error(owed.why));
    }
    rest = undefined;
    reader.cancel(owed.why).catch(() => undefined);
  };
  // Unwatched, nothing is owed: nobody would be told of a stall.
  const expectRead = (first: boolean, why: string, since = lastSent) => {
    if (!stall) return;
    const ms = first || early <= EARLY_BYTES ? stall.firstMs : stall.laterMs;
    owed = { since, ms, why };
    if (timer !== undefined && due <= owed.since + ms) return;
    clearTimeout(timer);
    arm(ms);
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        out = controller;
      },
      async pull(controller) {
        owed = undefined;
        if (stopped) return;
        reads++;
        if (rest) {
          controller.enqueue(rest);
          sent(rest.byteLength);
          rest = undefined;
          expectRead(false, "the answer stopped being read: the client had gone");
          return;
        }
        // After the first piece: the head and the first bytes go out alone (FIRST_BYTES).
        if (idle && reads > 1) idleTimer ??= setTimeout(fill, idle.ms, idle);
        waiting = true;
        try {
          const { done, value } = await reader.read();
          waiting = false;
          if (stopped) return;
          if (done) {
            stop();
            controller.close();
            hooks.delivered();
          } else if (reads > 1) {
            controller.enqueue(value);
            sent(value.byteLength);
            expectRead(false, "the answer stopped being read: the client had gone");
          } else {
            if (value.byteLength > FIRST_BYTES) rest = value.subarray(FIRST_BYTES);
            const first = value.subarray(0, FIRST_BYTES);
            controller.enqueue(first);
            sent(first.byteLength);
            expectRead(true, "the first bytes of the answer were never written: the client had gone");
          }
        } catch (error) {
          waiting = false;
          stop();
          hooks.failed(error);
          controller.error(error);
        }
      },
      cancel(reason) {
        if (stopped) return;
        stop();
        hooks.gone("the client closed the connection");
        return reader.cancel(reason).catch(() => undefined);
      },
    },
    { highWaterMark: 0 },
  );
  return {
    stream,
    watch(given, times) {
      if (stall || stopped || reads > 0) return false;
      hooks = given;
      stall = times;
      expectRead(true, "the answer was never read: the client had gone", performance.now());
      return true;
    },
  };
}
