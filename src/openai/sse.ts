// Server-sent events as OpenAI's streaming API writes them.
import { BedrockEdgeError, type OpenAIErrorBody } from "../errors.ts";

const encoder = new TextEncoder();

export const SSE_DONE = "data: [DONE]\n\n";

// JSON leaves U+0085, U+2028 and U+2029 raw in strings, and SSE ends lines at CR and LF only;
// but readers that split lines as Python's str.splitlines does (sseclient, httpx-sse before
// 0.4.2) cut an event there. OpenAI's own streams escape them (json.dumps escapes non-ASCII).
const LINE_LIKE = /[\u0085\u2028\u2029]/g;
const escapeLineLike = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;

/** JSON for an SSE `data:` line, with nothing any reader could take for the line's end. */
export function sseJson(value: unknown): string {
  const json = JSON.stringify(value);
  // Looked for first: on every chunk of every stream, three scans cost nothing measurable where
  // a replace with nothing to replace cost a third of the serialising.
  return json.includes("\u2028") || json.includes("\u2029") || json.includes("\u0085")
    ? json.replace(LINE_LIKE, escapeLineLike)
    : json;
}

export function sseData(value: unknown): string {
  return `data: ${sseJson(value)}\n\n`;
}

/** A comment line: ignored by clients, but it keeps idle connections (and load balancers) open. */
export function sseComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, " ")}\n\n`;
}

/** Any failure as the OpenAI error object a stream can carry. */
export function toErrorBody(error: unknown): OpenAIErrorBody {
  if (error instanceof BedrockEdgeError) return error.toJSON();
  // The server's own signal (a deadline, a shutdown) ended the stream: not an unexpected failure.
  const aborted = error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");
  const message = aborted ? "The server stopped the stream before its end." : "The stream failed unexpectedly.";
  return { error: { message, type: "server_error", param: null, code: null } };
}

export interface SseOptions<T> {
  /** Chunks for which this says false are not sent (the proxy drops a usage chunk nobody asked for). */
  keep?: ((value: T) => boolean) | undefined;
  /** The source ended normally; [DONE] is being written. */
  onEnd?: (() => void) | undefined;
  /** Told of a mid-stream failure (for logging) before its error event is written. */
  onError?: ((error: unknown) => void) | undefined;
  /** The error event's body for a failure (default toErrorBody): the proxy maps and scrubs it. */
  errorBody?: ((error: unknown) => OpenAIErrorBody) | undefined;
  /** The reader went away (a client disconnect); the source is aborted. */
  onCancel?: (() => void) | undefined;
}

/**
 * Chunks -> SSE bytes: `data: {chunk}` per chunk, `data: [DONE]` at the end. A failure after
 * the first byte becomes a `data: {"error":…}` event and the stream ends without [DONE], so a
 * client can never mistake a cut answer for a whole one. Cancelling aborts the source.
 */
export function encodeSse<T>(
  source: AsyncIterable<T> & { abort?: () => void },
  options: SseOptions<T> = {},
): ReadableStream<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  let cancelled = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          for (;;) {
            const { done, value } = await iterator.next();
            if (done) {
              options.onEnd?.();
              controller.enqueue(encoder.encode(SSE_DONE));
              controller.close();
              return;
            }
            if (options.keep && !options.keep(value)) continue;
            controller.enqueue(encoder.encode(sseData(value)));
            return;
          }
        } catch (error) {
          // The reader left (onCancel told it) and the pending read failed with the abort: no failure.
          if (cancelled) return;
          options.onError?.(error);
          controller.enqueue(encoder.encode(sseData((options.errorBody ?? toErrorBody)(error))));
          controller.close();
        }
      },
      async cancel() {
        cancelled = true;
        source.abort?.();
        options.onCancel?.();
        await iterator.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}
