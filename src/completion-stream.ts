// Bedrock's stream bytes -> chat.completion.chunk objects. The per-read work is one plain
// function (bytes in, chunks out) and the async iterator around it is written by hand: no
// generator or stream layer per chunk, which would cost more than the decoding itself.
import type { ByteReader } from "./aws/byte-reader.ts";
import { createMessageSplitter } from "./eventstream/decode.ts";
import { readBedrockEvent } from "./eventstream/events.ts";
import type { ChatCompletionChunk, ChatCompletionRequest, Usage } from "./openai/types.ts";
import type { Route, StreamPart } from "./routes/types.ts";
import { usageFromInvocationMetrics } from "./routes/usage.ts";

/** A streamed completion: iterate it for chunks; abort() (or leaving the loop) cancels the upstream call. */
export interface ChatCompletionStream extends AsyncIterable<ChatCompletionChunk> {
  abort(): void;
  /**
   * The chunks already decoded that iteration would yield next without waiting (one read of
   * Bedrock's stream often brings several frames), taken out of it: a server writes them in
   * one piece instead of one write each. Never waits, never reads.
   */
  takeBuffered(): ChatCompletionChunk[];
}

export interface StreamMeta {
  id: string;
  created: number;
  model: string;
}

function chunkOf(meta: StreamMeta, part: StreamPart): ChatCompletionChunk {
  // Spelled out rather than spread: this runs once per chunk of every stream.
  return {
    id: meta.id,
    object: "chat.completion.chunk",
    created: meta.created,
    model: meta.model,
    choices: [{ index: part.index ?? 0, delta: part.delta, finish_reason: part.finish_reason ?? null, logprobs: null }],
  };
}

/**
 * The pure part: each call appends the chunks a read produced to `out`. When it throws, `out`
 * still holds what came before the failure, so a client sees the text that preceded an error.
 * `secrets` (the call's credentials) are redacted from errors made of the stream's exceptions.
 */
function createChunkAssembler(
  route: Route,
  request: ChatCompletionRequest,
  meta: StreamMeta,
  secrets: readonly string[],
) {
  const splitter = createMessageSplitter();
  const mapper = route.createStreamMapper(request);
  let usage: Usage | undefined;
  let metricsUsage: Usage | undefined;

  function emit(parts: StreamPart[], out: ChatCompletionChunk[]): void {
    for (const part of parts) {
      if (part.usage) usage = part.usage;
      if (part.finish_reason || Object.keys(part.delta).length) out.push(chunkOf(meta, part));
    }
  }

  return {
    first(): ChatCompletionChunk {
      return chunkOf(meta, { delta: { role: "assistant", content: "" } });
    },
    push(bytes: Uint8Array, out: ChatCompletionChunk[]): void {
      for (const message of splitter.push(bytes)) {
        const event = readBedrockEvent(message, secrets);
        if (!event) continue;
        const metrics = event.json["amazon-bedrock-invocationMetrics"];
        if (metrics !== undefined) metricsUsage = usageFromInvocationMetrics(metrics) ?? metricsUsage;
        emit(mapper.push(event), out);
      }
    },
    end(out: ChatCompletionChunk[]): void {
      splitter.end();
      emit(mapper.end(), out);
      // Usage from the model's own counts first, Bedrock's invocation metrics otherwise.
      const total = usage ?? metricsUsage;
      if (request.stream_options?.include_usage && total) {
        out.push({
          id: meta.id,
          object: "chat.completion.chunk",
          created: meta.created,
          model: meta.model,
          choices: [],
          usage: total,
        });
      }
    },
  };
}

export type ChunkAssembler = ReturnType<typeof createChunkAssembler>;

/** What priming read: the chunks before the first await of the stream proper. */
export interface PrimedStream {
  assembler: ChunkAssembler;
  queue: ChatCompletionChunk[];
  ended: boolean;
}

/**
 * Reads until the answer yields its first chunk (or ends), so that an exception in Bedrock's
 * first frame surfaces from create() itself: with its own status, and retried when retryable.
 */
export async function primeStream(
  reader: ByteReader,
  secrets: readonly string[],
  route: Route,
  request: ChatCompletionRequest,
  meta: StreamMeta,
): Promise<PrimedStream> {
  const assembler = createChunkAssembler(route, request, meta, secrets);
  const queue: ChatCompletionChunk[] = [assembler.first()];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      assembler.end(queue);
      return { assembler, queue, ended: true };
    }
    assembler.push(value, queue);
    if (queue.length > 1) return { assembler, queue, ended: false };
  }
}

export function streamCompletion(reader: ByteReader, primed: PrimedStream): ChatCompletionStream {
  const { assembler } = primed;
  let queue = primed.queue;
  let position = 0;
  let failure: unknown;
  let state: "reading" | "ended" | "closed" = primed.ended ? "ended" : "reading";
  let aborted: DOMException | undefined;
  let iterated = false;

  // Ends the upstream call unless it already ended on its own.
  const release = () => {
    if (state === "reading") void reader.cancel(aborted).catch(() => undefined);
    state = "closed";
  };

  async function next(): Promise<IteratorResult<ChatCompletionChunk>> {
    for (;;) {
      if (position < queue.length) return { done: false, value: queue[position++]! };
      if (failure !== undefined) {
        const error = failure;
        failure = undefined;
        release();
        throw error;
      }
      if (state !== "reading") return { done: true, value: undefined };
      let read: ReadableStreamReadResult<Uint8Array>;
      try {
        read = await reader.read();
      } catch (error) {
        state = "closed";
        throw error;
      }
      // A cancelled reader reads as done: that is an abort, not the answer's end.
      if (aborted) {
        state = "closed";
        throw aborted;
      }
      const out: ChatCompletionChunk[] = [];
      try {
        if (read.done) {
          state = "ended";
          assembler.end(out);
        } else {
          assembler.push(read.value, out);
        }
      } catch (error) {
        failure = error;
      }
      queue = out;
      position = 0;
    }
  }

  const iterator: AsyncIterableIterator<ChatCompletionChunk> = {
    next,
    async return() {
      // Leaving a for-await loop early must end the upstream call too.
      release();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };

  return {
    [Symbol.asyncIterator]() {
      if (iterated) throw new TypeError("A ChatCompletionStream can be iterated only once.");
      iterated = true;
      return iterator;
    },
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
  };
}
