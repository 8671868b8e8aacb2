// Server-sent events as OpenAI's streaming API writes them.
import { BedrockEdgeError } from "../errors.ts";

const encoder = new TextEncoder();

export const SSE_DONE = "data: [DONE]\n\n";

export function sseData(value: unknown): string {
  return `data: ${JSON.stringify(value)}\n\n`;
}

/** A comment line: ignored by clients, but it keeps idle connections (and load balancers) open. */
export function sseComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, " ")}\n\n`;
}

/** Any failure as the OpenAI error object a stream can carry. */
export function toErrorBody(error: unknown): ReturnType<BedrockEdgeError["toJSON"]> {
  if (error instanceof BedrockEdgeError) return error.toJSON();
  return { error: { message: "The stream failed unexpectedly.", type: "server_error", param: null, code: null } };
}

export interface SseOptions {
  /** Told of a mid-stream failure (for logging) before its error event is written. */
  onError?: (error: unknown) => void;
}

/**
 * Chunks -> SSE bytes: `data: {chunk}` per chunk, `data: [DONE]` at the end. A failure after
 * the first byte becomes a `data: {"error":…}` event and the stream ends without [DONE], so a
 * client can never mistake a cut answer for a whole one. Cancelling aborts the source.
 */
export function encodeSse<T>(source: AsyncIterable<T> & { abort?: () => void }, options: SseOptions = {}): ReadableStream<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { done, value } = await iterator.next();
          if (done) {
            controller.enqueue(encoder.encode(SSE_DONE));
            controller.close();
          } else {
            controller.enqueue(encoder.encode(sseData(value)));
          }
        } catch (error) {
          options.onError?.(error);
          controller.enqueue(encoder.encode(sseData(toErrorBody(error))));
          controller.close();
        }
      },
      async cancel() {
        source.abort?.();
        await iterator.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}
