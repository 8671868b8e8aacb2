// Bedrock's stream bytes -> the items a client iterates (chat completion chunks, legacy
// completion chunks), for any mapping of events to items. The per-read work is one plain
// function (bytes in, items out) and the async iterator around it is written by hand: no
// generator or stream layer per item, which would cost more than the decoding itself.
import type { ByteRead, ByteReader } from "./aws/byte-reader.ts";
import { createMessageSplitter } from "./eventstream/decode.ts";
import { type BedrockStreamEvent, readBedrockEvent } from "./eventstream/events.ts";

/** What a stream's events become; pure, so a stream cut anywhere maps as far as it got. */
export interface EventMapper<T> {
  /** Items sent before the answer's own (chat's role chunk). */
  opening(): T[];
  /** Appends what an event makes to `out`; throws to end the stream with an error. */
  push(event: BedrockStreamEvent, out: T[]): void;
  /** The stream ended: appends what was held back, or throws if it ended too soon. */
  end(out: T[]): void;
  /**
   * The stream failed (a read, a frame, an exception; not the caller's abort, after which nothing
   * more goes out): appends what was held back that is already the answer's (a finish held for
   * the event behind it), to go out before the error. Never throws.
   */
  flush?(out: T[]): void;
  /**
   * True once the model's answer has ended: every choice's finish was read (it may still be held
   * back, see flush). Bedrock billed that answer: a failure after it goes out after the answer,
   * from the stream, never as a failed call, which would be retried (and billed again).
   */
  finished?(): boolean;
  /**
   * True once the answer is whole before the stream ends (a stop sequence applied here): the
   * rest is not read, the upstream call is ended (Bedrock stops generating), and end() is called.
   */
  done?(): boolean;
}

/** A stream of items: iterate it once; abort() (or leaving the loop) cancels the upstream call. */
export interface ItemStream<T> extends AsyncIterable<T> {
  /**
   * Stops the stream: cancels the upstream call, and the loop's next step throws an AbortError (a
   * DOMException) instead of giving an item. Once Bedrock's stream has ended, what it sent may
   * still come.
   */
  abort(): void;
  /**
   * The items already decoded that iteration would yield next without waiting (one read of
   * Bedrock's stream often brings several frames), taken out of it: a server writes them in
   * one piece instead of one write each. Never waits, never reads. Optional: a stream made of
   * other streams (legacy completions' merge) need not offer it.
   */
  takeBuffered?(): T[];
}

/**
 * The pure part: each call appends the items a read produced to `out`. When it throws, `out`
 * still holds what came before the failure, so a client sees the text that preceded an error.
 * `secrets` (the call's credentials) are redacted from errors made of the stream's exceptions.
 */
function createAssembler<T>(mapper: EventMapper<T>, secrets: readonly string[]) {
  const splitter = createMessageSplitter();
  return {
    push(bytes: Uint8Array, out: T[]): void {
      for (const message of splitter.push(bytes)) {
        // The answer is whole: what follows came after its end, in the same read, and is not read
        // (a model server never generates past a stop); an exception there fails nothing.
        if (mapper.done?.()) return;
        const event = readBedrockEvent(message, secrets);
        if (event) mapper.push(event, out);
      }
    },
    end(out: T[]): void {
      splitter.end();
      mapper.end(out);
    },
    /** The stream failed: what the mapper held back of the answer, before the error. */
    flush(out: T[]): void {
      mapper.flush?.(out);
    },
    /** The answer has ended (EventMapper.finished). */
    finished(): boolean {
      return mapper.finished?.() === true;
    },
    /** After a push: when the answer is whole, ends it (what is left unread is not a cut frame). */
    whole(out: T[]): boolean {
      if (!mapper.done?.()) return false;
      mapper.end(out);
      return true;
    },
  };
}

type Assembler<T> = ReturnType<typeof createAssembler<T>>;

/** What priming read: the items before the first await of the stream proper. */
export interface PrimedStream<T> {
  assembler: Assembler<T>;
  queue: T[];
  ended: boolean;
  /** The answer was whole before Bedrock's stream ended (EventMapper.done): the rest is not read. */
  whole: boolean;
  /**
   * The stream failed after the answer ended, in the read that brought its end: thrown after the
   * queue (the answer, its finish last), as a failure in a later read would be.
   */
  failure?: unknown;
}

/**
 * Reads until the answer yields its first item, or ends (EventMapper.finished: an answer with no
 * text may hold its finish back and yield none), or the stream does, so that an exception before
 * the answer's first item surfaces from create() itself: with its own status, and retried when
 * retryable. A failure after that item or the answer's end, in the same read, is the stream's, as
 * it would be in a later read: the caller gets the items before it, then the error.
 */
export async function primeStream<T>(
  reader: ByteReader,
  secrets: readonly string[],
  mapper: EventMapper<T>,
): Promise<PrimedStream<T>> {
  const assembler = createAssembler(mapper, secrets);
  const queue = mapper.opening();
  const opening = queue.length;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      assembler.end(queue);
      return { assembler, queue, ended: true, whole: false };
    }
    try {
      assembler.push(value, queue);
    } catch (error) {
      // Before the answer's first item, the call failed; after it (the answer's text, its finish),
      // in this read or a later one, the stream did: how Bedrock's frames fall into reads, which
      // differs between runtimes, must not decide which (runtimes47 #1).
      if (!assembler.finished() && queue.length <= opening) throw error;
      assembler.flush(queue);
      return { assembler, queue, ended: false, whole: false, failure: error };
    }
    if (assembler.whole(queue)) return { assembler, queue, ended: false, whole: true };
    if (queue.length > opening || assembler.finished()) return { assembler, queue, ended: false, whole: false };
  }
}

export function streamItems<T>(reader: ByteReader, primed: PrimedStream<T>): ItemStream<T> {
  const { assembler } = primed;
  let queue = primed.queue;
  let position = 0;
  let failure = primed.failure;
  let state: "reading" | "ended" | "closed" = primed.ended ? "ended" : "reading";
  let aborted: DOMException | undefined;
  // The upstream call was ended here because the answer was whole: its signal's abort is ours, and
  // the items it left are the answer's end, never an abort's.
  let whole = false;

  // Ends the upstream call unless it already ended on its own.
  const release = () => {
    if (state === "reading") void reader.cancel(aborted).catch(() => undefined);
    state = "closed";
  };
  const endWhole = () => {
    whole = true;
    release();
  };
  // The stream failed: the items before the failure, then what the answer had already said and
  // the mapper held back, then the error (after the caller's abort, none of them: see next()).
  const fail = (error: unknown, out: T[]) => {
    assembler.flush(out);
    failure = error;
    queue = out;
    position = 0;
  };
  if (primed.whole) endWhole();

  async function next(): Promise<IteratorResult<T>> {
    for (;;) {
      if (position < queue.length) {
        // Items read in the same piece as earlier ones stop with the caller's abort, as a read would.
        const stopped = aborted ?? (!whole && reader.signal?.aborted ? reader.signal.reason : undefined);
        if (stopped === undefined) return { done: false, value: queue[position++]! };
        release();
        throw stopped;
      }
      if (failure !== undefined) {
        const error = failure;
        failure = undefined;
        release();
        throw error;
      }
      if (state !== "reading") return { done: true, value: undefined };
      let read: ByteRead;
      try {
        read = await reader.read();
      } catch (error) {
        state = "closed";
        fail(error, []);
        continue;
      }
      // A cancelled reader reads as done: that is an abort, not the answer's end.
      if (aborted) {
        state = "closed";
        throw aborted;
      }
      const out: T[] = [];
      try {
        if (read.done) {
          state = "ended";
          assembler.end(out);
        } else {
          assembler.push(read.value, out);
          if (assembler.whole(out)) endWhole();
        }
      } catch (error) {
        fail(error, out);
        continue;
      }
      queue = out;
      position = 0;
    }
  }

  return itemStream({
    next,
    // Leaving a for-await loop early must end the upstream call too.
    leave: release,
    takeBuffered() {
      const ready = queue.slice(position);
      position = queue.length;
      return ready;
    },
    abort() {
      if (state !== "reading" || aborted) return;
      aborted = new DOMException("The stream was aborted.", "AbortError");
      void reader.cancel(aborted).catch(() => undefined);
    },
  });
}

/**
 * A stream whose events are all known (a plain answer replayed as its stream): mapped at once,
 * so a mapping error rejects the call itself, as a stream's first frame does. Nothing upstream
 * is left to cancel; the caller's signal still ends it, as it ends a stream.
 */
export function replayedItems<T>(
  mapper: EventMapper<T>,
  events: readonly BedrockStreamEvent[],
  signal?: AbortSignal,
): ItemStream<T> {
  const items = mapper.opening();
  for (const event of events) mapper.push(event, items);
  mapper.end(items);
  let position = 0;
  let aborted = false;
  return itemStream<T>({
    async next() {
      if (aborted) throw new DOMException("The stream was aborted.", "AbortError");
      if (signal?.aborted && position < items.length) throw signal.reason;
      return position < items.length ? { done: false, value: items[position++]! } : { done: true, value: undefined };
    },
    leave() {
      position = items.length;
    },
    takeBuffered() {
      const ready = items.slice(position);
      position = items.length;
      return ready;
    },
    abort() {
      if (position < items.length) aborted = true;
    },
  });
}

/**
 * An ItemStream around its parts: iterable once, and leaving a for-await loop early (the
 * iterator's return) calls `leave`. The stream's own `next` is the iterator's, unwrapped: it
 * runs once per item.
 */
function itemStream<T>(parts: {
  next(): Promise<IteratorResult<T>>;
  leave(): void;
  takeBuffered(): T[];
  abort(): void;
}): ItemStream<T> {
  let iterated = false;
  const iterator: AsyncIterableIterator<T> = {
    next: parts.next,
    async return() {
      parts.leave();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return {
    [Symbol.asyncIterator]() {
      if (iterated) throw new TypeError("A stream can be iterated only once.");
      iterated = true;
      return iterator;
    },
    takeBuffered: parts.takeBuffered,
    abort: parts.abort,
  };
}
