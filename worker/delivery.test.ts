import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from "vitest";
import {
  bytesSource,
  type DeliveryHooks,
  EARLY_BYTES,
  type DeliverySource,
  madeFrom,
  sourceOf,
  streamOf,
  watchDelivery,
  watchInPlace,
} from "./delivery.ts";
import { jsonResponse } from "./http.ts";
import { onFakeClock, passMs, useFakeClock } from "../test/helpers/fake-clock.ts";

const FAST = { firstMs: 40, laterMs: 80 };
const encoder = new TextEncoder();
/** A first piece that takes the answer past its early bytes: the pieces after it are later ones. */
const PAST_EARLY = "e".repeat(EARLY_BYTES + 1);

function source(pieces: string[]): ReadableStream<Uint8Array> & { cancelled: boolean } {
  let next = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (next < pieces.length) controller.enqueue(encoder.encode(pieces[next++]!));
        else controller.close();
      },
      cancel() {
        state.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  const state = Object.assign(stream, { cancelled: false });
  return state;
}

function recorder(): DeliveryHooks & { events: string[] } {
  const events: string[] = [];
  return {
    events,
    delivered: () => void events.push("delivered"),
    gone: (why) => void events.push(`gone: ${why}`),
    failed: (error) => void events.push(`failed: ${String(error)}`),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("an answer read to its end", () => {
  it("is delivered, byte for byte, the first piece cut at 1 KiB", async () => {
    const hooks = recorder();
    const big = "x".repeat(3000);
    const body = watchDelivery(source([big, "tail"]), hooks, FAST);
    const reader = body.getReader();
    const sizes: number[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      sizes.push(value.byteLength);
    }
    expect(sizes).toEqual([1024, 3000 - 1024, 4]);
    expect(hooks.events).toEqual(["delivered"]);
  });

  it("a JSON answer of 1 KiB, a byte more, or two more: whole, the cut at 1 KiB losing nothing", async () => {
    for (const size of [1024, 1025, 1026]) {
      const json = `"${"x".repeat(size - 2)}"`;
      expect(await new Response(streamOf(bytesSource(encoder.encode(json)))).text()).toBe(json);
    }
  });

  it("however long the answer takes to come: a read the runtime is waiting on is never a stall", async () => {
    const hooks = recorder();
    let sent = 0;
    const slow = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          if (sent++ === 2) return controller.close();
          await sleep(FAST.laterMs * 2);
          controller.enqueue(encoder.encode("piece"));
        },
      },
      { highWaterMark: 0 },
    );
    const reader = watchDelivery(slow, hooks, FAST).getReader();
    while (!(await reader.read()).done);
    expect(hooks.events).toEqual(["delivered"]);
  });
});

describe("a client that goes away", () => {
  it("cancelling the answer: gone, and the source is cancelled", async () => {
    const hooks = recorder();
    const from = source(["a", "b", "c"]);
    const reader = watchDelivery(from, hooks, FAST).getReader();
    await reader.read();
    await reader.cancel("bye");
    expect(hooks.events).toEqual(["gone: the client closed the connection"]);
    expect(from.cancelled).toBe(true);
  });

  it("an answer never read at all: gone after the first stall time", async () => {
    const hooks = recorder();
    const from = source(["a"]);
    onFakeClock();
    watchDelivery(from, hooks, FAST);
    await passMs(FAST.firstMs - 1);
    expect(hooks.events).toEqual([]);
    await passMs(2);
    expect(hooks.events).toEqual(["gone: the answer was never read: the client had gone"]);
    expect(from.cancelled).toBe(true);
  });

  it("the first bytes taken, then no more reads (workerd, once the head could not be written): gone", async () => {
    const hooks = recorder();
    const reader = watchDelivery(source(["head", "more"]), hooks, FAST).getReader();
    await reader.read();
    await sleep(FAST.firstMs * 2);
    expect(hooks.events).toEqual(["gone: the first bytes of the answer were never written: the client had gone"]);
  });

  it("later pieces no longer read (workerd, once a write failed): gone after the later stall time only", async () => {
    const hooks = recorder();
    onFakeClock();
    const reader = watchDelivery(source([PAST_EARLY, "b", "c"]), hooks, FAST).getReader();
    await reader.read();
    await reader.read();
    await passMs(FAST.laterMs - 1);
    expect(hooks.events).toEqual([]);
    await passMs(2);
    expect(hooks.events).toEqual(["gone: the answer stopped being read: the client had gone"]);
  });

  // sdkhelpers50 #5: a client leaving while a stream's first events were written; workerd stopped
  // reading without a word, and the later stall time let a short answer run to its end.
  it("pieces no longer read while the answer's first bytes go out: gone after the first stall time", async () => {
    const hooks = recorder();
    const from = source(["a", "b", "c"]);
    onFakeClock();
    const reader = watchDelivery(from, hooks, FAST).getReader();
    await reader.read();
    await reader.read();
    await passMs(FAST.firstMs - 1);
    expect(hooks.events).toEqual([]);
    await passMs(2);
    expect(hooks.events).toEqual(["gone: the answer stopped being read: the client had gone"]);
    expect(from.cancelled).toBe(true);
  });

  it("pieces no longer read once exactly EARLY_BYTES went out: still timed as the first bytes are", async () => {
    const hooks = recorder();
    const from = source(["a".repeat(1024), "b".repeat(EARLY_BYTES - 1024), "c"]);
    const reader = watchDelivery(from, hooks, { firstMs: 100, laterMs: 10_000 }).getReader();
    expect((await reader.read()).value?.byteLength).toBe(1024);
    expect((await reader.read()).value?.byteLength).toBe(EARLY_BYTES - 1024);
    await sleep(1000);
    expect(hooks.events).toEqual(["gone: the answer stopped being read: the client had gone"]);
    expect(from.cancelled).toBe(true);
  });

  it("a client reading on at once, however slowly the pieces come, is never taken for gone early", async () => {
    const hooks = recorder();
    let sent = 0;
    const paced = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          if (sent++ === 4) return controller.close();
          await sleep(FAST.firstMs);
          controller.enqueue(encoder.encode("piece"));
        },
      },
      { highWaterMark: 0 },
    );
    const reader = watchDelivery(paced, hooks, FAST).getReader();
    while (!(await reader.read()).done);
    expect(hooks.events).toEqual(["delivered"]);
  });
});

describe("an answer that fails to be produced", () => {
  it("is reported as failed, once", async () => {
    const hooks = recorder();
    const broken = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error("boom"));
      },
    });
    const reader = watchDelivery(broken, hooks, FAST).getReader();
    await expect(reader.read()).rejects.toThrow("boom");
    await sleep(FAST.laterMs * 1.5);
    expect(hooks.events).toEqual(["failed: Error: boom"]);
  });
});

describe("the proxy's own bodies, watched at their source", () => {
  it("a JSON answer: its bytes are read once, cut at 1 KiB, then delivered", async () => {
    const answer = jsonResponse({ text: "y".repeat(2000) });
    const source = sourceOf(answer.body!);
    expect(source).not.toHaveProperty("releaseLock"); // not a reader over the response's own stream
    const hooks = recorder();
    const reader = watchDelivery(source, hooks, FAST).getReader();
    const pieces: Uint8Array[] = [];
    for (let r = await reader.read(); !r.done; r = await reader.read()) pieces.push(r.value);
    expect(pieces.map((p) => p.byteLength)).toEqual([1024, 2011 - 1024]);
    const text = pieces.map((piece) => new TextDecoder().decode(piece)).join("");
    expect(JSON.parse(text)).toEqual({ text: "y".repeat(2000) });
    expect(hooks.events).toEqual(["delivered"]);
  });

  it("a JSON answer watched in place: its own body, cut at 1 KiB, then delivered", async () => {
    const answer = jsonResponse({ text: "y".repeat(2000) });
    const hooks = recorder();
    expect(watchInPlace(answer.body!, hooks, FAST)).toBe(true);
    const reader = answer.body!.getReader();
    const pieces: Uint8Array[] = [];
    for (let r = await reader.read(); !r.done; r = await reader.read()) pieces.push(r.value);
    expect(pieces.map((p) => p.byteLength)).toEqual([1024, 2011 - 1024]);
    expect(JSON.parse(pieces.map((piece) => new TextDecoder().decode(piece)).join(""))).toEqual({
      text: "y".repeat(2000),
    });
    expect(hooks.events).toEqual(["delivered"]);
  });

  it("watched in place: a body never read is a client gone, as a watching stream's is", async () => {
    const answer = jsonResponse({ ok: true });
    const hooks = recorder();
    expect(watchInPlace(answer.body!, hooks, FAST)).toBe(true);
    await sleep(FAST.firstMs * 2);
    expect(hooks.events).toEqual(["gone: the answer was never read: the client had gone"]);
  });

  it("watched in place once, and only while unread: otherwise the caller watches a stream of its own", async () => {
    const hooks = recorder();
    const once = jsonResponse({});
    expect(watchInPlace(once.body!, recorder(), FAST)).toBe(true);
    expect(watchInPlace(once.body!, hooks, FAST)).toBe(false);
    const read = jsonResponse({});
    await read.body!.getReader().read();
    expect(watchInPlace(read.body!, hooks, FAST)).toBe(false);
    expect(watchInPlace(source(["x"]), hooks, FAST)).toBe(false);
    // Unwatched, nothing is owed and nothing is told.
    await sleep(FAST.firstMs * 2);
    expect(hooks.events).toEqual([]);
  });

  it("survives a copy of the response (hono copies one to set a header late)", () => {
    const source = bytesSource(encoder.encode("{}"));
    const original = madeFrom(new Response(streamOf(source)), source);
    const copy = new Response(original.body, original);
    expect(sourceOf(copy.body!)).toBe(source);
  });

  it("a body the proxy did not make is read through a reader, as before", async () => {
    const foreign = source(["x"]);
    const reader = sourceOf(foreign);
    expect(await reader.read()).toMatchObject({ done: false });
  });

  it("streamOf: the same bytes unwatched, and a cancel reaches the source", async () => {
    let cancelled: unknown;
    const pieces = ["a", "b"];
    const stream = streamOf({
      async read() {
        const next = pieces.shift();
        return next === undefined ? { done: true, value: undefined } : { done: false, value: encoder.encode(next) };
      },
      async cancel(reason) {
        cancelled = reason;
      },
    });
    const reader = stream.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("a");
    await reader.cancel("gone");
    expect(cancelled).toBe("gone");
  });
});

describe("a large answer (backpressure6)", () => {
  it("is handed over in pieces of at most 64 KiB, each timed on its own: a slow but steady reader gets it all", async () => {
    // On a fake clock: a loaded machine's late timers would make a steady reader look stalled.
    vi.useFakeTimers();
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const text = "z".repeat(600 * 1024);
    const hooks = recorder();
    const reader = watchDelivery(bytesSource(encoder.encode(text)), hooks, FAST).getReader();
    const sizes: number[] = [];
    // A client taking 64 KiB in about FAST.laterMs / 2, as a slow link would: the whole answer
    // takes several stall times, yet no one piece does.
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      sizes.push(r.value.byteLength);
      await vi.advanceTimersByTimeAsync((FAST.laterMs / 2) * (r.value.byteLength / (64 * 1024)));
    }
    expect(sizes[0]).toBe(1024);
    expect(Math.max(...sizes)).toBe(64 * 1024);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(text.length);
    expect(hooks.events).toEqual(["delivered"]);
  });
});

describe("a step of the wall clock (NTP, a VM resumed: Node, Deno, Bun) (timebounds17 #6)", () => {
  // Fake timers move setTimeout, Date and performance together; setSystemTime then steps Date
  // alone. The stall is timed on the monotonic clock, so a step changes nothing.
  const STALL = { firstMs: 1000, laterMs: 1000 };

  it("forward: a client that pauses less than laterMs is not taken for gone", async () => {
    vi.useFakeTimers();
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const hooks = recorder();
    const reader = watchDelivery(source(["a", "b", "c"]), hooks, STALL).getReader();
    await reader.read();
    await vi.advanceTimersByTimeAsync(500);
    await reader.read();
    // A 700 ms pause, during which the wall clock jumps 600 ms and the first timer (due at 1000
    // ms) fires.
    await vi.advanceTimersByTimeAsync(300);
    vi.setSystemTime(Date.now() + 600);
    await vi.advanceTimersByTimeAsync(400);
    expect(hooks.events).toEqual([]);
    for (let r = await reader.read(); !r.done; r = await reader.read()) await vi.advanceTimersByTimeAsync(100);
    expect(hooks.events).toEqual(["delivered"]);
  });

  it("back: a client that stopped reading is found gone after laterMs, not an hour later", async () => {
    vi.useFakeTimers();
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const hooks = recorder();
    const from = source(["a", "b", "c"]);
    const reader = watchDelivery(from, hooks, STALL).getReader();
    await reader.read();
    await vi.advanceTimersByTimeAsync(500);
    await reader.read();
    // Never read again; the wall clock goes back an hour 300 ms later.
    await vi.advanceTimersByTimeAsync(300);
    vi.setSystemTime(Date.now() - 3_600_000);
    await vi.advanceTimersByTimeAsync(699);
    expect(hooks.events).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(hooks.events).toEqual(["gone: the answer stopped being read: the client had gone"]);
    expect(from.cancelled).toBe(true);
  });
});

describe("an answer cut for going unread, where the runtime ends an errored body as a whole one", () => {
  const lastWords = (unreadMs: number) => encoder.encode(`data: {"cut after":${unreadMs}}\n\n`);
  function sseLike(): DeliverySource & { cancelled: boolean } {
    // The first piece past the early bytes: the cut comes after the later stall time.
    const pieces = [`data: ${PAST_EARLY}\n\n`, "data: 2\n\n", "data: 3\n\n"];
    return {
      cancelled: false,
      async read() {
        const piece = pieces.shift();
        return piece ? { done: false, value: encoder.encode(piece) } : { done: true, value: undefined };
      },
      async cancel() {
        this.cancelled = true;
      },
      lastWords,
    };
  }

  it("ends with its source's last words, which a client that was only paused reads, then its end", async () => {
    const hooks = { ...recorder(), sayLastWords: true };
    const from = sseLike();
    const reader = watchDelivery(from, hooks, FAST).getReader();
    await reader.read();
    await reader.read();
    await sleep(FAST.laterMs * 2);
    expect(hooks.events).toEqual(["gone: the answer stopped being read: the client had gone"]);
    expect(from.cancelled).toBe(true);
    const rest: string[] = [];
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest.push(new TextDecoder().decode(r.value));
    expect(rest).toEqual([`data: {"cut after":${FAST.laterMs}}\n\n`]);
  });

  it("elsewhere (Node, Deno, Bun: an errored body resets the connection) the body errors, as before", async () => {
    const hooks = recorder();
    const from = sseLike();
    const reader = watchDelivery(from, hooks, FAST).getReader();
    await reader.read();
    await reader.read();
    await sleep(FAST.laterMs * 2);
    await expect(reader.read()).rejects.toThrow("the answer stopped being read: the client had gone");
    expect(from.cancelled).toBe(true);
  });
});

describe("last words where the runtime ends an errored body as a whole one (codereview14 #1)", () => {
  it("a plain answer cut after going unread: the rest of it, whole, then its end, never a truncated body", async () => {
    const text = JSON.stringify({ text: "q".repeat(300 * 1024) });
    const hooks = { ...recorder(), sayLastWords: true };
    const reader = watchDelivery(bytesSource(encoder.encode(text)), hooks, FAST).getReader();
    const pieces: Uint8Array[] = [];
    pieces.push((await reader.read()).value!);
    pieces.push((await reader.read()).value!);
    await sleep(FAST.laterMs * 2);
    expect(hooks.events).toEqual(["gone: the answer stopped being read: the client had gone"]);
    for (let r = await reader.read(); !r.done; r = await reader.read()) pieces.push(r.value);
    expect(JSON.parse(pieces.map((piece) => new TextDecoder().decode(piece)).join(""))).toEqual(JSON.parse(text));
  });

  it("the rest of the first read goes out before the last words, when the cut comes after the first 1 KiB", async () => {
    const first = `data: ${"f".repeat(3000)}\n\n`;
    let reads = 0;
    const source: DeliverySource = {
      async read() {
        return reads++ === 0 ? { done: false, value: encoder.encode(first) } : { done: true, value: undefined };
      },
      async cancel() {},
      lastWords: () => encoder.encode("data: cut\n\n"),
    };
    const hooks = { ...recorder(), sayLastWords: true };
    const reader = watchDelivery(source, hooks, FAST).getReader();
    let text = new TextDecoder().decode((await reader.read()).value);
    await sleep(FAST.firstMs * 2);
    expect(hooks.events).toEqual(["gone: the first bytes of the answer were never written: the client had gone"]);
    for (let r = await reader.read(); !r.done; r = await reader.read()) text += new TextDecoder().decode(r.value);
    expect(text).toBe(`${first}data: cut\n\n`);
  });
});

describe("a source's idle bytes (runtimes47 #2)", () => {
  const IDLE = 30;
  const dot = () => encoder.encode(".");
  // The idle bytes are about time: on a loaded machine a 10 ms pause can take 40, so each test
  // runs on a fake clock that it moves itself.
  beforeEach(useFakeClock);
  afterEach(() => void vi.useRealTimers());

  /** A source of pieces, each after its pause; `idle` set; counts its cancels, which end its pause. */
  function paced(pieces: [pauseMs: number, text: string][], failure?: unknown): DeliverySource & { cancels: number } {
    let next = 0;
    let pause: ReturnType<typeof setTimeout> | undefined;
    const state = {
      cancels: 0,
      idle: { ms: IDLE, bytes: dot },
      async read() {
        const piece = pieces[next++];
        if (!piece) {
          if (failure) throw failure;
          return { done: true as const, value: undefined };
        }
        await new Promise((resolve) => (pause = setTimeout(resolve, piece[0])));
        return { done: false as const, value: encoder.encode(piece[1]) };
      },
      async cancel() {
        state.cancels++;
        clearTimeout(pause);
      },
    };
    return state;
  }

  const readRest = async (reader: ReadableStreamDefaultReader<Uint8Array>) => {
    const reads: string[] = [];
    for (let r = await reader.read(); !r.done; r = await reader.read()) reads.push(new TextDecoder().decode(r.value));
    return reads;
  };
  const readAll = (body: ReadableStream<Uint8Array>) => readRest(body.getReader());
  /** One read, given `ms` of the clock to come: its text. */
  const readWithin = async (reader: ReadableStreamDefaultReader<Uint8Array>, ms: number) => {
    const read = reader.read();
    await passMs(ms);
    return new TextDecoder().decode((await read).value);
  };

  it("go out whenever the source is silent that long after its first piece, between its pieces", async () => {
    const hooks = recorder();
    const reading = readAll(
      watchDelivery(
        paced([
          [0, "a"],
          [IDLE * 4 + 15, "b"],
          [0, "c"],
        ]),
        hooks,
        FAST,
      ),
    );
    await passMs(IDLE * 6);
    const reads = await reading;
    // Read as they came, through a silence longer than laterMs: the client is not taken for gone.
    expect(hooks.events).toEqual(["delivered"]);
    // A silence of 4 × IDLE + 15 ms: one dot at each IDLE it lasted.
    expect(reads).toEqual(["a", ".", ".", ".", ".", "b", "c"]);
  });

  it("never while pieces keep coming, nor before the first", async () => {
    const pieces: [number, string][] = [[IDLE * 3, "first"]];
    for (let i = 0; i < 12; i++) pieces.push([IDLE / 3, String(i)]);
    const reading = readAll(watchDelivery(paced(pieces), recorder(), FAST));
    await passMs(IDLE * 8);
    const reads = await reading;
    expect(reads).toEqual(pieces.map(([, text]) => text));
  });

  it("leave no timer behind, however the answer ends: read whole, failed, cancelled, or cut for going unread", async () => {
    const settle = async () => {
      for (let i = 0; i < 20; i++) await vi.advanceTimersByTimeAsync(IDLE);
    };

    const whole = readAll(
      watchDelivery(
        paced([
          [0, "a"],
          [IDLE * 3 + IDLE / 2, "b"],
        ]),
        recorder(),
        FAST,
      ),
    );
    await settle();
    expect(await whole).toEqual(["a", ".", ".", ".", "b"]);
    expect(vi.getTimerCount()).toBe(0);

    const failedHooks = recorder();
    const failed = readAll(
      watchDelivery(
        paced(
          [
            [0, "a"],
            [IDLE * 2, "b"],
          ],
          new Error("boom"),
        ),
        failedHooks,
        FAST,
      ),
    );
    failed.catch(() => undefined);
    await settle();
    await expect(failed).rejects.toThrow("boom");
    expect(failedHooks.events).toEqual(["failed: Error: boom"]);
    expect(vi.getTimerCount()).toBe(0);

    const cancelled = paced([
      [0, "a"],
      [IDLE * 10, "b"],
    ]);
    const reader = watchDelivery(cancelled, recorder(), FAST).getReader();
    const opening = reader.read();
    await vi.advanceTimersByTimeAsync(1);
    await opening;
    const waiting = reader.read();
    await vi.advanceTimersByTimeAsync(IDLE * 2);
    expect(new TextDecoder().decode((await waiting).value)).toBe(".");
    await reader.cancel();
    expect(cancelled.cancels).toBe(1);
    expect(vi.getTimerCount()).toBe(0);

    // workerd once a write failed: the runtime stops reading, the source goes on (as Bedrock does,
    // until its idle timeout); no idle bytes pile up meanwhile, and the cut stops the timer.
    const unread = recorder();
    const left = paced([
      [0, "a"],
      [IDLE * 10, "b"],
      [IDLE * 10, "c"],
    ]);
    const stopped = watchDelivery(left, unread, FAST).getReader();
    const begun = stopped.read();
    await vi.advanceTimersByTimeAsync(1);
    await begun;
    stopped.read().catch(() => undefined);
    await vi.advanceTimersByTimeAsync(IDLE * 30);
    expect(unread.events).toEqual(["gone: the answer stopped being read: the client had gone"]);
    expect(left.cancels).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  // codereview47 #1: a cold model's wait is one long silence of its source; a runtime that took
  // the first idle bytes and stopped reading (workerd's "no longer read") was found gone only once
  // the model opened, up to MODEL_READY_TIMEOUT_MS later.
  it("find a runtime that stops reading them gone laterMs after, not when the source speaks again", async () => {
    const hooks = recorder();
    const silent = paced([
      [0, "a"],
      [IDLE * 20, "b"],
    ]);
    const reader = watchDelivery(silent, hooks, FAST).getReader();
    expect(await readWithin(reader, 1)).toBe("a");
    expect(await readWithin(reader, IDLE + 1)).toBe(".");
    // Then nothing more is read.
    await passMs(IDLE * 2 + FAST.laterMs + 40);
    expect(hooks.events).toEqual(["gone: the answer stopped being read: the client had gone"]);
    expect(silent.cancels).toBe(1);
  });

  it("never go out while the source is not waited on: a client not reading gets none queued", async () => {
    // The source answers at once; the client takes "a" and "b", then reads nothing for a while.
    const quick = paced([
      [0, "a"],
      [0, "b"],
      [0, "c"],
    ]);
    const reader = watchDelivery(quick, recorder(), { firstMs: 10_000, laterMs: 10_000 }).getReader();
    expect(await readWithin(reader, 1)).toBe("a");
    expect(await readWithin(reader, 1)).toBe("b");
    await passMs(IDLE * 5);
    const rest = readRest(reader);
    await passMs(IDLE * 2);
    expect(await rest).toEqual(["c"]);
  });

  it("stay queued one at a time for a client that is not reading, while the source is silent", async () => {
    const slowSource = paced([
      [0, "a"],
      [IDLE * 8, "b"],
    ]);
    const reader = watchDelivery(slowSource, recorder(), { firstMs: 10_000, laterMs: 10_000 }).getReader();
    expect(await readWithin(reader, 1)).toBe("a");
    expect(await readWithin(reader, IDLE + 1)).toBe(".");
    // Not reading for a while: one dot waits, not one per interval.
    await passMs(IDLE * 5);
    const rest = readRest(reader);
    await passMs(IDLE * 4);
    const after = await rest;
    expect(after[0]).toBe(".");
    expect(after.at(-1)).toBe("b");
    expect(after.length).toBeLessThanOrEqual(4);
  });
});
