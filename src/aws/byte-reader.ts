/**
 * One read of a byte stream: a chunk, or the end. The DOM's ReadableStreamReadResult, spelled out:
 * Node's types declare that name only inside "stream/web", so a declaration naming it would not
 * compile in a Node project without the DOM lib.
 */
export type ByteRead = { done: false; value: Uint8Array } | { done: true; value: Uint8Array | undefined };

/** Reads the raw event-stream bytes of an answer, guarded by the idle timeout and the caller's signal. */
export interface ByteReader {
  read(): Promise<ByteRead>;
  /** Stops reading and aborts the upstream request. */
  cancel(reason?: unknown): Promise<void>;
  /**
   * Aborted when the caller ends the call (its signal, cancel()): what was read before it is not
   * handed out after it. Not by the idle timeout, which is the stream failing (read() throws it).
   */
  readonly signal?: AbortSignal | undefined;
}

/** A ByteReader as a ReadableStream, for those who want to pipeThrough(decodeEventStream()). */
export function readableFrom(reader: ByteReader): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}
