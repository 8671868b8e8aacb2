// Streamed answers as SSE: chunks go out as the library yields them (pull-based, nothing
// buffered), and a cold model is waited out behind SSE comment lines.
import type { ChatCompletionStream } from "../src/client.ts";
import type { OpenAIErrorBody } from "../src/errors.ts";
import { encodeSse, sseComment, sseData } from "../src/openai/sse.ts";
import type { ChatCompletionChunk, Usage } from "../src/openai/types.ts";

export interface RelayHooks {
  /** Forward the usage chunk (the client asked with stream_options.include_usage). */
  wantsUsage: boolean;
  /** The stream ended normally; `usage` when upstream reported it. */
  onEnd(usage: Usage | undefined): void;
  /** The stream failed after its first byte (the client gets an SSE error event). */
  onError(error: unknown, usage: Usage | undefined): void;
  /** The client went away: stop everything upstream. */
  onCancel(): void;
  /** The error event's body: the proxy's mapping, with ARNs shortened. */
  errorBody(error: unknown): OpenAIErrorBody;
}

/**
 * The library's stream as SSE bytes. The proxy always asks upstream for usage (for its log
 * line), so the usage chunk is dropped here unless the client asked for it too.
 */
export function sseFromStream(stream: ChatCompletionStream, hooks: RelayHooks): ReadableStream<Uint8Array> {
  let usage: Usage | undefined;
  return encodeSse<ChatCompletionChunk>(stream, {
    keep(chunk) {
      if (!chunk.usage) return true;
      usage = chunk.usage;
      return hooks.wantsUsage;
    },
    onEnd: () => hooks.onEnd(usage),
    onError: (error) => hooks.onError(error, usage),
    onCancel: () => hooks.onCancel(),
    errorBody: hooks.errorBody,
  });
}

const encoder = new TextEncoder();

export interface WaitHooks {
  /** The stream once the model is ready; its rejection is the reason it never became ready. */
  created: Promise<ChatCompletionStream>;
  toSse(stream: ChatCompletionStream): ReadableStream<Uint8Array>;
  /** The error event a client gets for `created`'s rejection: the proxy's mapping, as for any error. */
  errorBody(error: unknown): OpenAIErrorBody;
  onError(error: unknown): void;
  onCancel(reason: unknown): void;
  keepAliveMs: number;
}

/**
 * A 200 SSE answer sent while an imported model wakes up (minutes): a comment at once and
 * then every `keepAliveMs`, so neither the client nor a load balancer drops the idle
 * connection; then the real chunks, or an SSE error event if the model never came up.
 */
export function sseWhileWaiting(hooks: WaitHooks): ReadableStream<Uint8Array> {
  let inner: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  const stopTimer = () => clearInterval(timer);
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const send = (text: string) => safely(() => controller.enqueue(encoder.encode(text)));
        send(sseComment("waiting for the model to become ready"));
        timer = setInterval(() => send(sseComment("still waiting for the model")), hooks.keepAliveMs);
      },
      async pull(controller) {
        if (!inner) {
          try {
            inner = hooks.toSse(await hooks.created).getReader();
          } catch (error) {
            hooks.onError(error);
            safely(() => controller.enqueue(encoder.encode(sseData(hooks.errorBody(error)))));
            safely(() => controller.close());
            return;
          } finally {
            stopTimer();
          }
        }
        const { done, value } = await inner.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      async cancel(reason) {
        stopTimer();
        hooks.onCancel(reason);
        await inner?.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/** Enqueue/close on a stream the client already cancelled throws; there is nobody to tell. */
function safely(action: () => void): void {
  try {
    action();
  } catch {
    // The client is gone; cancel() has already stopped the upstream call.
  }
}
