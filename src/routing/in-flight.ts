// Requests in flight per deployment, for least_busy: counted by this client (per isolate in a
// Worker). A shared count would cost two more round trips to shared state on every request, and
// leak whenever an isolate died mid-request; cool-downs, which matter more, are shared.
import type { ItemStream } from "../stream-reader.ts";

export interface InFlight {
  /** Counts a request on a deployment; the returned function ends it (once, however often called). */
  start(name: string, key: string): () => void;
  count(name: string, key: string): number;
}

export function countInFlight(): InFlight {
  const counts = new Map<string, number>();
  const id = (name: string, key: string) => `${name}\u0000${key}`;
  return {
    start(name, key) {
      const at = id(name, key);
      counts.set(at, (counts.get(at) ?? 0) + 1);
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        const left = (counts.get(at) ?? 1) - 1;
        if (left > 0) counts.set(at, left);
        else counts.delete(at);
      };
    },
    count: (name, key) => counts.get(id(name, key)) ?? 0,
  };
}

/**
 * The same stream, calling `end` once it is over: read to the end, failed, left, or aborted, by
 * abort() or by the request's signal (which cancels the upstream call even when nobody reads on).
 */
export function whenStreamEnds<T>(stream: ItemStream<T>, ends: () => void, signal?: AbortSignal): ItemStream<T> {
  const end = () => {
    signal?.removeEventListener("abort", end);
    ends();
  };
  if (signal?.aborted) end();
  else signal?.addEventListener("abort", end, { once: true });
  return {
    [Symbol.asyncIterator]() {
      const inner = stream[Symbol.asyncIterator]();
      return {
        async next() {
          try {
            const result = await inner.next();
            if (result.done) end();
            return result;
          } catch (error) {
            end();
            throw error;
          }
        },
        async return(value?: unknown) {
          end();
          return (await inner.return?.(value)) ?? { done: true, value: undefined };
        },
        [Symbol.asyncIterator]() {
          return this;
        },
      };
    },
    abort() {
      end();
      stream.abort();
    },
    // What is buffered was read already: taking it ends nothing.
    ...(stream.takeBuffered ? { takeBuffered: () => stream.takeBuffered?.() ?? [] } : {}),
  };
}
