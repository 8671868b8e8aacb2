// Several streams read as one, for a legacy Completions request that takes several upstream
// calls (BedrockCompletion answers one prompt once per call): chunks go out in the order they
// arrive, and the first failure ends the whole stream and cancels the calls still running, so a
// client never gets part of an answer passed off as all of it.

/** A stream that can be cancelled: the library's streams are. */
export interface AbortableStream<T> extends AsyncIterable<T> {
  abort(): void;
}

type Settled<T> = { at: number; result: IteratorResult<T> } | { at: number; error: unknown };

export function mergeStreams<T>(streams: readonly AbortableStream<T>[]): AbortableStream<T> {
  const iterators: AsyncIterator<T>[] = [];
  // Per stream still running, its read in flight.
  const reads = new Map<number, Promise<Settled<T>>>();
  let state: "new" | "reading" | "closed" = "new";
  let aborted: DOMException | undefined;

  function read(at: number): void {
    reads.set(
      at,
      iterators[at]!.next().then(
        (result) => ({ at, result }),
        (error: unknown) => ({ at, error }),
      ),
    );
  }

  /** Cancels every stream still running. */
  function stopAll(): void {
    state = "closed";
    for (const at of reads.keys()) {
      streams[at]!.abort();
      void iterators[at]!.return?.();
    }
    reads.clear();
  }

  const iterator: AsyncIterableIterator<T> = {
    async next() {
      for (;;) {
        if (aborted) throw aborted;
        if (state === "closed" || reads.size === 0) return { done: true, value: undefined };
        const settled = await Promise.race(reads.values());
        if (aborted) throw aborted;
        reads.delete(settled.at);
        if ("error" in settled) {
          stopAll();
          throw settled.error;
        }
        if (settled.result.done) continue;
        read(settled.at);
        return { done: false, value: settled.result.value };
      }
    },
    async return() {
      stopAll();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };

  return {
    [Symbol.asyncIterator]() {
      if (state !== "new") throw new TypeError("A completion stream can be iterated only once.");
      state = "reading";
      for (const [at, stream] of streams.entries()) {
        iterators.push(stream[Symbol.asyncIterator]());
        read(at);
      }
      return iterator;
    },
    abort() {
      if (aborted) return;
      aborted = new DOMException("The stream was aborted.", "AbortError");
      // Not iterated yet: nothing was read, every stream is still open.
      if (state === "new") for (const stream of streams) stream.abort();
      stopAll();
    },
  };
}
