// AWS event-stream framing -> messages, incrementally, in O(total bytes): chunks are queued
// as they arrive and each message is copied at most once (not at all when it sits inside
// one chunk). Both CRCs are checked by @smithy/eventstream-codec.
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { badUpstream, type BedrockEdgeError } from "../errors.ts";
import { crc32 } from "./crc32.ts";

export type HeaderValue = { type: string; value: unknown };

export interface EventStreamMessage {
  headers: Record<string, HeaderValue>;
  body: Uint8Array;
}

export interface DecodeOptions {
  /** Largest message accepted; a length field claiming more is an error (default 16 MiB). */
  maxMessageBytes?: number;
}

const PRELUDE_BYTES = 12;
// Prelude plus the trailing message CRC.
const MIN_MESSAGE_BYTES = 16;
const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const codec = new EventStreamCodec(
  (bytes) => decoder.decode(bytes),
  (text) => encoder.encode(text),
);

/** Damage in Bedrock's event stream: a 502, never a guess. */
export function streamError(message: string, cause?: unknown): BedrockEdgeError {
  return badUpstream(message, "invalid_event_stream", cause);
}

/** A queue of received bytes from which whole messages are taken. */
interface ByteQueue {
  chunks: Uint8Array[];
  /** Read position inside chunks[0]. */
  offset: number;
  length: number;
}

function take(queue: ByteQueue, count: number, consume: boolean): Uint8Array {
  const first = queue.chunks[0]!;
  const available = first.byteLength - queue.offset;
  let out: Uint8Array;
  if (available >= count) {
    out = first.subarray(queue.offset, queue.offset + count);
    if (consume) {
      queue.offset += count;
      if (queue.offset === first.byteLength) {
        queue.chunks.shift();
        queue.offset = 0;
      }
    }
  } else {
    out = new Uint8Array(count);
    let written = 0;
    let index = 0;
    let offset = queue.offset;
    while (written < count) {
      const chunk = queue.chunks[index]!;
      const n = Math.min(chunk.byteLength - offset, count - written);
      out.set(chunk.subarray(offset, offset + n), written);
      written += n;
      offset += n;
      if (offset === chunk.byteLength) {
        index++;
        offset = 0;
      }
    }
    if (consume) {
      queue.chunks.splice(0, index);
      queue.offset = offset;
    }
  }
  if (consume) queue.length -= count;
  return out;
}

export interface MessageSplitter {
  /** Takes the next received bytes; returns every message they complete. */
  push(chunk: Uint8Array): EventStreamMessage[];
  /** The stream ended: throws if it stopped inside a message. */
  end(): void;
}

/**
 * Splits and decodes event-stream messages. Damage (a bad CRC, an impossible length, a
 * stream cut mid-message) throws a 502 BedrockEdgeError; nothing is guessed. The chunks
 * given to push must not be modified afterwards (messages may be views into them).
 */
export function createMessageSplitter(options: DecodeOptions = {}): MessageSplitter {
  const maxBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const queue: ByteQueue = { chunks: [], offset: 0, length: 0 };
  // Length of the message being waited for, once its prelude has been checked.
  let expected = 0;
  // Damage found after good messages in the same chunk: those are delivered first.
  let failure: unknown;
  return {
    push(chunk) {
      if (failure) throw failure;
      const messages: EventStreamMessage[] = [];
      if (chunk.byteLength === 0) return messages;
      queue.chunks.push(chunk);
      queue.length += chunk.byteLength;
      try {
        for (;;) {
          if (expected === 0) {
            if (queue.length < PRELUDE_BYTES) return messages;
            expected = checkPrelude(take(queue, PRELUDE_BYTES, false), maxBytes);
          }
          if (queue.length < expected) return messages;
          const bytes = take(queue, expected, true);
          expected = 0;
          messages.push(decodeMessage(bytes));
        }
      } catch (error) {
        if (messages.length === 0) throw error;
        failure = error;
        return messages;
      }
    },
    end() {
      if (failure) throw failure;
      if (queue.length > 0) {
        throw streamError(
          `Bedrock's event stream ended in the middle of a message (${queue.length} of ${expected || "?"} bytes).`,
        );
      }
    },
  };
}

/** The splitter as a TransformStream, for pipeThrough. */
export function decodeEventStream(options: DecodeOptions = {}): TransformStream<Uint8Array, EventStreamMessage> {
  const splitter = createMessageSplitter(options);
  return new TransformStream({
    transform(chunk, controller) {
      for (const message of splitter.push(chunk)) controller.enqueue(message);
    },
    flush() {
      splitter.end();
    },
  });
}

function checkPrelude(prelude: Uint8Array, maxBytes: number): number {
  const view = new DataView(prelude.buffer, prelude.byteOffset, PRELUDE_BYTES);
  const total = view.getUint32(0);
  const headers = view.getUint32(4);
  if (view.getUint32(8) !== crc32(prelude.subarray(0, 8))) {
    throw streamError("Bedrock's event stream is corrupt: a message prelude fails its CRC32 check.");
  }
  if (total < MIN_MESSAGE_BYTES || headers > total - MIN_MESSAGE_BYTES) {
    throw streamError(`Bedrock's event stream is corrupt: impossible message length ${total} (headers ${headers}).`);
  }
  if (total > maxBytes) {
    throw streamError(`Bedrock's event stream has a ${total}-byte message, over the ${maxBytes}-byte limit.`);
  }
  return total;
}

function decodeMessage(bytes: Uint8Array): EventStreamMessage {
  try {
    const message = codec.decode(bytes);
    return { headers: message.headers as Record<string, HeaderValue>, body: message.body };
  } catch (error) {
    throw streamError(
      `Bedrock's event stream is corrupt: ${error instanceof Error ? error.message : "a message could not be decoded"}.`,
    );
  }
}
