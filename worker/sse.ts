// Streamed answers as server-sent events, for every kind of chunk the proxy streams: chat
// completion chunks, legacy completion chunks and Responses API events, each through its own
// SseFormat (endpoints/chat.ts, completions.ts, responses.ts). Chunks go out as the library
// yields them (pull-based, nothing buffered); a cold model, and any silence of Bedrock's
// mid-stream, is waited out behind SSE comment lines; a failure after the first byte becomes an
// error event; the usage a chunk reports goes to the log line; a client that leaves stops the
// upstream call. The relay is the body's source (delivery.ts): request-log's watching stream reads
// it directly, and each read writes every event ready by then, encoded once.
import { type ByteRead, SSE_DONE, sseComment, sseData } from "../src/core.ts";
import type { Usage } from "../src/index.ts";
import { type DeliverySource, madeFrom, streamOf } from "./delivery.ts";
import { clientErrorBody, refusal, SSE_HEADERS } from "./http.ts";
import { failureOutcome, noteFinishReason, type Relayed, type RequestLog } from "./log.ts";
import { countText, emptyTextCount } from "./token-estimate.ts";

/** A library stream: iterate it for chunks; abort() cancels the upstream call. */
export interface ChunkStream<T> extends AsyncIterable<T> {
  abort(): void;
  /**
   * The chunks already decoded that iteration would hand out next without waiting (a stream
   * read often brings several frames at once): taking them consumes them. Optional: without it,
   * every chunk is written on its own.
   */
  takeBuffered?(): T[];
}

/** How one kind of stream is written as SSE. */
export interface SseFormat<T> {
  /** The event for a chunk, or undefined to send nothing for it. */
  event(chunk: T): string | undefined;
  /** Written after the last chunk (`data: [DONE]` for chat and legacy completions), or "". */
  end: string;
  /**
   * The events that tell the client of a failure after the first byte: `error` as thrown, written
   * with clientErrorBody (http.ts), which keeps what a client may not see out of it.
   */
  error(error: unknown): string;
  /** The usage a chunk reports, for the log line. */
  usage(chunk: T): Usage | undefined;
  /**
   * Hands `add` each piece of generated text a chunk carries (its content, reasoning, refusal,
   * tool-call arguments, text: what outputEstimate reads of a plain answer), read where the format
   * keeps it: a stream that ends without its usage counts its output from them (Relayed).
   */
  text(chunk: T, add: (text: string) => void): void;
  /** The choices a chunk reports the end of (or not: a null reason), for the log line. */
  finishes?(chunk: T): readonly ChoiceFinish[];
  /** The service tier a chunk says served the request, for the log line. */
  serviceTier?(chunk: T): string | null | undefined;
  /**
   * Whether a chunk is the answer's own last word, with no `end` after it (the Responses API's
   * response.completed, .incomplete or .failed): once it is out, no cut is told after it.
   */
  last?(chunk: T): boolean;
}

/** Why choice `index` stopped, as a chunk reports it (null while it goes on). */
export interface ChoiceFinish {
  index: number;
  finish_reason: string | null;
}

/**
 * OpenAI's `data: {chunk}` … `data: [DONE]` streams (chat and legacy completions). Usage is
 * always asked of the library, for the log line; a client that did not ask gets neither the
 * usage chunk nor the `usage: null` that announces it in every other chunk.
 */
export function dataEvents<T extends { usage?: unknown }>(
  options: Pick<SseFormat<T>, "usage" | "text" | "finishes" | "serviceTier"> & { wantsUsage: boolean },
): SseFormat<T> {
  const { wantsUsage } = options;
  return {
    event(chunk) {
      if (!wantsUsage) {
        if (chunk.usage) return undefined;
        // Left undefined, JSON.stringify leaves it out; delete would cost the object its fast shape.
        chunk.usage = undefined;
      }
      return sseData(chunk);
    },
    end: SSE_DONE,
    error: (error) => sseData(clientErrorBody(error)),
    usage: options.usage,
    text: options.text,
    finishes: options.finishes,
    serviceTier: options.serviceTier,
  };
}

export interface SseCall<T> {
  /** The stream once it has begun; its rejection is the reason it never did. */
  opened: Promise<ChunkStream<T>>;
  /** Resolves when the model turns out to be waking up (upstreamCall's `waking`). */
  waking: Promise<void>;
  format: SseFormat<T>;
  /**
   * Interval of SSE comments while nothing else goes out: while the model wakes up, and while
   * Bedrock is silent mid-stream.
   */
  keepAliveMs: number;
  log: RequestLog;
}

const encoder = new TextEncoder();

/**
 * The answer to a streamed request. Errors before the first byte keep their HTTP status (this
 * rejects with them), except while a cold model wakes up: then the answer starts at once with
 * keep-alive comments, and a later failure travels as an SSE error event.
 */
export async function sseAnswer<T>(call: SseCall<T>): Promise<Response> {
  const first = await Promise.race([call.opened, call.waking.then(() => undefined)]);
  // The wait won the race: a rejection of `opened` is read (and answered) by the relay.
  if (!first) call.opened.catch(() => undefined);
  const source = relay(call, first);
  return madeFrom(new Response(streamOf(source), { headers: SSE_HEADERS }), source);
}

const END: ByteRead = { done: true, value: undefined };

const STILL_WAITING = sseComment("still waiting for the model");

function noneRelayed(): Relayed {
  return { chunks: 0, text: emptyTextCount() };
}

/**
 * `stream` when it has begun; otherwise comments are sent until `call.opened` settles. Each read
 * is one write: every event that is ready by then (the chunks of one upstream read, the end),
 * encoded once.
 */
function relay<T>(call: SseCall<T>, stream: ChunkStream<T> | undefined): DeliverySource {
  const { format, log } = call;
  let source = stream;
  let iterator: AsyncIterator<T> | undefined = stream?.[Symbol.asyncIterator]();
  // log.relayed and the line, at hand: every chunk adds to them, with no lookup on the log's object.
  let relayed: Relayed | undefined;
  if (stream) log.relayed = relayed = noneRelayed();
  const { line } = log;
  let waitingSaid = false;
  let finished = false;
  // The answer's own last word was handed out (format.last): it reaches the client whole.
  let ended = false;
  let cancelled = false;
  // Made once: it runs for every piece of text relayed.
  const addText = (text: string) => {
    if (relayed) countText(text, relayed.text);
  };
  const bytes = (text: string): ByteRead => ({ done: false, value: encoder.encode(text) });
  const fail = (error: unknown): ByteRead => {
    finished = true;
    log.record(failureOutcome(error));
    return bytes(format.error(error));
  };
  /**
   * A model waking up: a comment now, then the stream once it opens (or its failure); the idle
   * comments (`idle` below) go out meanwhile.
   */
  const awaitOpening = async (): Promise<ByteRead | undefined> => {
    if (!waitingSaid) {
      waitingSaid = true;
      return bytes(sseComment("waiting for the model to become ready"));
    }
    try {
      source = await call.opened;
      if (cancelled) {
        source.abort();
        return END;
      }
      iterator = source[Symbol.asyncIterator]();
      log.relayed = relayed = noneRelayed();
      return undefined;
    } catch (error) {
      return fail(error);
    }
  };
  /** The event for a chunk (logging its usage), or "" when none goes out for it. */
  const eventOf = (chunk: T): string => {
    const usage = format.usage(chunk);
    if (usage) log.record({ usage });
    else if (relayed) {
      relayed.chunks++;
      format.text(chunk, addText);
    }
    // Each at its choice's index: the choices of a stream finish in any order. By index: this
    // runs for every chunk, and an iterator per chunk cost more than the check.
    const finishes = format.finishes?.(chunk);
    if (finishes) {
      for (let i = 0; i < finishes.length; i++) {
        const { index, finish_reason } = finishes[i] as ChoiceFinish;
        if (finish_reason) noteFinishReason(line, index, finish_reason);
      }
    }
    const tier = format.serviceTier?.(chunk);
    if (tier) line.service_tier = tier;
    if (format.last?.(chunk)) ended = true;
    const event = format.event(chunk);
    if (event === undefined) return "";
    log.firstToken();
    return event;
  };
  return {
    // While a cold model wakes, and whenever Bedrock is silent mid-stream (a model thinking
    // without streaming its reasoning): the one comment for both, since both wait for the model.
    idle: { ms: call.keepAliveMs, bytes: () => encoder.encode(STILL_WAITING) },
    async read() {
      if (finished || cancelled) return END;
      if (!iterator) {
        const said = await awaitOpening();
        if (said || !iterator) return said ?? END;
      }
      try {
        for (;;) {
          const { done, value } = await iterator.next();
          if (done) {
            finished = true;
            return format.end ? bytes(format.end) : END;
          }
          let text = eventOf(value);
          const more = source?.takeBuffered?.();
          if (more) for (let i = 0; i < more.length; i++) text += eventOf(more[i] as T);
          if (text) return bytes(text);
        }
      } catch (error) {
        return fail(error);
      }
    },
    async cancel() {
      cancelled = true;
      // Cut while the model still wakes (delivery's cut comes between reads, when no read waits
      // on the opening): the stream that opens later is stopped too, not billed for no one.
      if (!source)
        void call.opened.then(
          (late) => late.abort(),
          () => undefined,
        );
      source?.abort();
      await iterator?.return?.();
    },
    lastWords(unreadMs) {
      if (finished || ended) return undefined;
      finished = true;
      return encoder.encode(format.error(unread(unreadMs)));
    },
  };
}

/** Why an answer ends here, for a client that went quiet and may yet read on. */
function unread(ms: number) {
  return refusal(
    408,
    `The proxy cut this answer off here: it went unread for ${ms / 1000} s, and a client that stops reading that long is taken to have gone.`,
    "answer_not_read",
  );
}
