// Streamed answers as server-sent events, for any kind of chunk (chat completion chunks today;
// legacy completion chunks and Responses API events take another SseFormat). Chunks go out as
// the library yields them (pull-based, nothing buffered); a cold model is waited out behind SSE
// comment lines; a failure after the first byte becomes an error event; the usage a chunk
// reports goes to the log line; a client that leaves stops the upstream call.
import { SSE_DONE, sseComment, sseData } from "../src/core.ts";
import type { OpenAIErrorBody, Usage } from "../src/index.ts";
import { clientErrorBody, SSE_HEADERS } from "./http.ts";
import { failureOutcome, type RequestLog } from "./log.ts";

/** A library stream: iterate it for chunks; abort() cancels the upstream call. */
export interface ChunkStream<T> extends AsyncIterable<T> {
  abort(): void;
}

/** How one kind of stream is written as SSE. */
export interface SseFormat<T> {
  /** The event for a chunk, or undefined to send nothing for it. */
  event(chunk: T): string | undefined;
  /** Written after the last chunk (`data: [DONE]` for chat and legacy completions), or "". */
  end: string;
  /** The event that tells the client of a failure after the first byte. */
  error(body: OpenAIErrorBody): string;
  /** The usage a chunk reports, for the log line. */
  usage(chunk: T): Usage | undefined;
  /** The finish reasons a chunk reports, for the log line. */
  finishReasons?(chunk: T): readonly (string | null)[];
}

/**
 * OpenAI's `data: {chunk}` … `data: [DONE]` streams (chat and legacy completions). The usage
 * chunk is always asked of upstream, for the log line; `send` says whether the client gets it.
 */
export function dataEvents<T>(
  options: Pick<SseFormat<T>, "usage" | "finishReasons"> & { send(chunk: T): boolean },
): SseFormat<T> {
  return {
    event: (chunk) => (options.send(chunk) ? sseData(chunk) : undefined),
    end: SSE_DONE,
    error: sseData,
    usage: options.usage,
    finishReasons: options.finishReasons,
  };
}

export interface SseCall<T> {
  /** The stream once it has begun; its rejection is the reason it never did. */
  opened: Promise<ChunkStream<T>>;
  /** Resolves when the model turns out to be waking up (upstreamCall's `waking`). */
  waking: Promise<void>;
  format: SseFormat<T>;
  /** Interval of SSE comments while the model wakes up. */
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
  if (first) return new Response(relay(call, first), { headers: SSE_HEADERS });
  // The wait won the race; a rejection of `opened` is read (and answered) by the relay.
  call.opened.catch(() => undefined);
  return new Response(relay(call, undefined), { headers: SSE_HEADERS });
}

/** `stream` when it has begun; otherwise comments are sent until `call.opened` settles. */
function relay<T>(call: SseCall<T>, stream: ChunkStream<T> | undefined): ReadableStream<Uint8Array> {
  const { format, log } = call;
  let iterator: AsyncIterator<T> | undefined = stream?.[Symbol.asyncIterator]();
  let source = stream;
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  let cancelled = false;
  const send = (controller: ReadableStreamDefaultController<Uint8Array>, text: string) => {
    // The client may have gone meanwhile: then there is nobody to send to.
    if (!cancelled) controller.enqueue(encoder.encode(text));
  };
  const fail = (controller: ReadableStreamDefaultController<Uint8Array>, error: unknown) => {
    log.record(failureOutcome(error));
    send(controller, format.error(clientErrorBody(error)));
    if (!cancelled) controller.close();
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        if (iterator) return;
        send(controller, sseComment("waiting for the model to become ready"));
        keepAlive = setInterval(() => send(controller, sseComment("still waiting for the model")), call.keepAliveMs);
      },
      async pull(controller) {
        if (!iterator) {
          try {
            source = await call.opened;
            if (cancelled) return source.abort();
            iterator = source[Symbol.asyncIterator]();
          } catch (error) {
            return fail(controller, error);
          } finally {
            clearInterval(keepAlive);
          }
        }
        try {
          for (;;) {
            const { done, value } = await iterator.next();
            if (done) {
              if (format.end) send(controller, format.end);
              if (!cancelled) controller.close();
              return;
            }
            const usage = format.usage(value);
            if (usage) log.record({ usage });
            for (const reason of format.finishReasons?.(value) ?? []) {
              if (reason) log.line.finish_reasons = [...(log.line.finish_reasons ?? []), reason];
            }
            const event = format.event(value);
            if (event === undefined) continue;
            log.firstToken();
            send(controller, event);
            return;
          }
        } catch (error) {
          fail(controller, error);
        }
      },
      async cancel() {
        cancelled = true;
        clearInterval(keepAlive);
        source?.abort();
        await iterator?.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}
