import { describe, expect, it } from "vitest";
import { type AbortableStream, mergeStreams } from "./merge.ts";

interface Fake extends AbortableStream<string> {
  aborted: boolean;
  /** Resolves the next read with a value, the end, or a failure. */
  feed(step: string | { end: true } | { fail: Error }): void;
}

/** A stream whose reads wait until the test feeds them. */
function fake(): Fake {
  const waiting: Array<(step: IteratorResult<string> | Error) => void> = [];
  const queued: Array<IteratorResult<string> | Error> = [];
  const stream: Fake = {
    aborted: false,
    feed(step) {
      const item =
        typeof step === "string"
          ? { done: false, value: step }
          : "end" in step
            ? { done: true as const, value: undefined }
            : step.fail;
      const resolve = waiting.shift();
      if (resolve) resolve(item);
      else queued.push(item);
    },
    abort() {
      stream.aborted = true;
      stream.feed({ end: true });
    },
    [Symbol.asyncIterator]() {
      return {
        async next() {
          const item =
            queued.shift() ?? (await new Promise<IteratorResult<string> | Error>((resolve) => waiting.push(resolve)));
          if (item instanceof Error) throw item;
          return item;
        },
      };
    },
  };
  return stream;
}

describe("mergeStreams", () => {
  it("yields every stream's chunks in the order they arrive, and ends when all have", async () => {
    const [a, b] = [fake(), fake()];
    const merged = mergeStreams([a, b])[Symbol.asyncIterator]();
    b.feed("b1");
    expect(await merged.next()).toEqual({ done: false, value: "b1" });
    a.feed("a1");
    expect(await merged.next()).toEqual({ done: false, value: "a1" });
    a.feed({ end: true });
    b.feed("b2");
    expect(await merged.next()).toEqual({ done: false, value: "b2" });
    b.feed({ end: true });
    expect(await merged.next()).toEqual({ done: true, value: undefined });
    expect([a.aborted, b.aborted]).toEqual([false, false]);
  });

  it("fails as a whole on the first failure and cancels the streams still running", async () => {
    const [a, b, c] = [fake(), fake(), fake()];
    const merged = mergeStreams([a, b, c])[Symbol.asyncIterator]();
    c.feed({ end: true });
    a.feed("a1");
    expect(await merged.next()).toEqual({ done: false, value: "a1" });
    b.feed({ fail: new Error("upstream broke") });
    await expect(merged.next()).rejects.toThrow("upstream broke");
    expect([a.aborted, b.aborted, c.aborted]).toEqual([true, false, false]);
    expect(await merged.next()).toEqual({ done: true, value: undefined });
  });

  it("leaving the loop early cancels every stream still running", async () => {
    const [a, b] = [fake(), fake()];
    const stream = mergeStreams([a, b]);
    a.feed("a1");
    for await (const chunk of stream) {
      expect(chunk).toBe("a1");
      break;
    }
    expect([a.aborted, b.aborted]).toEqual([true, true]);
  });

  it("abort() cancels them all, before or during iteration, and a read after it is an AbortError", async () => {
    const [a, b] = [fake(), fake()];
    mergeStreams([a, b]).abort();
    expect([a.aborted, b.aborted]).toEqual([true, true]);

    const [c, d] = [fake(), fake()];
    const merged = mergeStreams([c, d]);
    const reading = merged[Symbol.asyncIterator]().next();
    merged.abort();
    await expect(reading).rejects.toMatchObject({ name: "AbortError" });
    expect([c.aborted, d.aborted]).toEqual([true, true]);
  });

  it("is iterated once", () => {
    const merged = mergeStreams([fake()]);
    merged[Symbol.asyncIterator]();
    expect(() => merged[Symbol.asyncIterator]()).toThrow(TypeError);
  });
});
