// Responses stream events as server-sent events, as OpenAI's Responses API writes them: each
// event named by its type, and no `[DONE]` (response.completed, .incomplete or .failed ends it).
import { sseJson, toErrorBody } from "../openai/sse.ts";
import type { ResponseEventStream } from "./from-chat.ts";
import { responseBody } from "./output.ts";
import type { ResponseStreamEvent } from "./types.ts";

const encoder = new TextEncoder();

/** One event as the API writes it: an event's Response without the SDK-only `output_text`. */
export function responseSseEvent(event: ResponseStreamEvent): string {
  const wire = "response" in event ? { ...event, response: responseBody(event.response) } : event;
  return `event: ${event.type}\ndata: ${sseJson(wire)}\n\n`;
}

export interface ResponseSseOptions {
  /**
   * Sees each event as it goes out: a server of its own can read the final one for its log line
   * (the proxy writes its streams through worker/sse.ts instead).
   */
  onEvent?: ((event: ResponseStreamEvent) => void) | undefined;
  /** The reader went away (a client disconnect); the source is aborted. */
  onCancel?: (() => void) | undefined;
}

/**
 * Events -> SSE bytes, one event per pull (nothing buffered). The events already tell a failure
 * of the answer in-band; anything the iteration still throws (a bug) becomes a last `error`
 * event, so a client never mistakes a cut stream for a whole one. Cancelling aborts the source.
 */
export function encodeResponseSse(
  source: ResponseEventStream,
  options: ResponseSseOptions = {},
): ReadableStream<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  let next = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { done, value } = await iterator.next();
          if (done) {
            controller.close();
            return;
          }
          next = value.sequence_number + 1;
          options.onEvent?.(value);
          controller.enqueue(encoder.encode(responseSseEvent(value)));
        } catch (error) {
          const { message, code, param } = toErrorBody(error).error;
          const event: ResponseStreamEvent = { type: "error", code, message, param, sequence_number: next };
          controller.enqueue(encoder.encode(responseSseEvent(event)));
          controller.close();
        }
      },
      async cancel() {
        source.abort();
        options.onCancel?.();
        await iterator.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}
