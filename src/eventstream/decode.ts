// AWS event-stream framing -> messages, incrementally, in O(total bytes): chunks are queued
// as they arrive and each message is copied at most once (not at all when it sits inside
// one chunk). Both CRCs are checked, then the headers read: the format is small enough to read
// here (the prelude, typed headers, the body, a CRC), which spares every answer's bytes a
// second pass through a general codec and the library its weight. The emulator encodes with
// AWS's own codec (@smithy/eventstream-codec), so the tests check one against the other.
import { badUpstream, type BedrockEdgeError } from "../errors.ts";
import { crc32 } from "./crc32.ts";

export type HeaderValue =
  | { type: "boolean"; value: boolean }
  | { type: "byte" | "short" | "integer"; value: number }
  | { type: "long"; value: bigint }
  | { type: "binary"; value: Uint8Array }
  | { type: "string" | "uuid"; value: string }
  | { type: "timestamp"; value: Date };

export interface EventStreamMessage {
  headers: Record<string, HeaderValue>;
  body: Uint8Array;
}

export interface DecodeOptions {
  /** Largest message accepted; a length field claiming more is an error (default 16 MiB). */
  maxMessageBytes?: number | undefined;
}

const PRELUDE_BYTES = 12;
// Prelude plus the trailing message CRC.
const MIN_MESSAGE_BYTES = 16;
const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

const decoder = new TextDecoder();

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

/** Copies the first `into.length` queued bytes into `into`, leaving them queued. */
function peek(queue: ByteQueue, into: Uint8Array): void {
  let index = 0;
  let offset = queue.offset;
  for (let i = 0; i < into.length; i++) {
    let chunk = queue.chunks[index]!;
    // A loop, not a test: a body may deliver empty chunks, and any number may sit in a row.
    while (offset === chunk.byteLength) {
      chunk = queue.chunks[++index]!;
      offset = 0;
    }
    into[i] = chunk[offset++]!;
  }
}

/** Takes the next `count` bytes off the queue: a view when one chunk holds them, else a copy. */
function take(queue: ByteQueue, count: number): Uint8Array {
  const first = queue.chunks[0]!;
  queue.length -= count;
  if (first.byteLength - queue.offset >= count) {
    const out = first.subarray(queue.offset, queue.offset + count);
    queue.offset += count;
    if (queue.offset === first.byteLength) {
      queue.chunks.shift();
      queue.offset = 0;
    }
    return out;
  }
  const out = new Uint8Array(count);
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
  queue.chunks.splice(0, index);
  queue.offset = offset;
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
  // The prelude of the next message, copied out of the queue (12 bytes, whatever chunks hold them).
  const prelude = new Uint8Array(PRELUDE_BYTES);
  // Length of the message being waited for, once its prelude has been checked, and its CRC so far.
  let expected = 0;
  let preludeCrc = 0;
  // Damage found after good messages in the same chunk: those are delivered first.
  let failure: unknown;
  return {
    push(chunk) {
      if (failure) throw failure;
      const messages: EventStreamMessage[] = [];
      // Not for peek's sake (it steps over empty chunks itself): a body of endless empty reads
      // would otherwise grow the queue with nothing in it.
      if (chunk.byteLength === 0) return messages;
      queue.chunks.push(chunk);
      queue.length += chunk.byteLength;
      try {
        for (;;) {
          if (expected === 0) {
            if (queue.length < PRELUDE_BYTES) return messages;
            peek(queue, prelude);
            preludeCrc = crc32(prelude, 0, 8);
            expected = checkPrelude(prelude, preludeCrc, maxBytes);
          }
          if (queue.length < expected) return messages;
          const bytes = take(queue, expected);
          expected = 0;
          messages.push(decodeMessage(bytes, preludeCrc));
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

/** The big-endian unsigned 32-bit integer at bytes[at]. */
function uint32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

/** The message's length, if its prelude (whose first 8 bytes' CRC is `crc`) is sound. */
function checkPrelude(prelude: Uint8Array, crc: number, maxBytes: number): number {
  const total = uint32(prelude, 0);
  const headers = uint32(prelude, 4);
  if (uint32(prelude, 8) !== crc) {
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

/**
 * A whole message whose prelude checkPrelude accepted: its CRC (which goes on from the prelude's
 * first 8 bytes, `preludeCrc`), its headers, its body.
 */
function decodeMessage(bytes: Uint8Array, preludeCrc: number): EventStreamMessage {
  const end = bytes.byteLength - 4;
  if (uint32(bytes, end) !== crc32(bytes, 8, end, preludeCrc)) {
    throw streamError("Bedrock's event stream is corrupt: a message checksum (CRC32) does not match.");
  }
  const bodyStart = PRELUDE_BYTES + uint32(bytes, 4);
  return { headers: readHeaders(bytes, bodyStart), body: bytes.subarray(bodyStart, end) };
}

/**
 * The names and values Bedrock's headers use: matched against the bytes, they are returned as
 * these very strings, with no string built per header (a frame's headers are a third of its cost).
 */
const KNOWN_TEXT = [
  ":event-type",
  ":message-type",
  ":content-type",
  ":exception-type",
  ":error-code",
  ":error-message",
  "event",
  "exception",
  "error",
  "application/json",
  "chunk",
  "messageStart",
  "contentBlockStart",
  "contentBlockDelta",
  "contentBlockStop",
  "messageStop",
  "metadata",
];
const KNOWN_BY_LENGTH = /* @__PURE__ */ (() => {
  const byLength: string[][] = [];
  for (const text of KNOWN_TEXT) {
    byLength[text.length] ??= [];
    byLength[text.length]!.push(text);
  }
  return byLength;
})();

function knownText(bytes: Uint8Array, start: number, end: number): string | undefined {
  const candidates = KNOWN_BY_LENGTH[end - start];
  if (candidates === undefined) return undefined;
  next: for (const text of candidates) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) !== bytes[start + i]) continue next;
    return text;
  }
  return undefined;
}

/**
 * UTF-8 text of bytes[start, end). Other header names and values are short ASCII too: read as
 * char codes, they skip a TextDecoder call each.
 */
function utf8(bytes: Uint8Array, start: number, end: number): string {
  const known = knownText(bytes, start, end);
  if (known !== undefined) return known;
  if (end - start > 64) return decoder.decode(bytes.subarray(start, end));
  let text = "";
  for (let i = start; i < end; i++) {
    const byte = bytes[i]!;
    if (byte >= 0x80) return decoder.decode(bytes.subarray(start, end));
    text += String.fromCharCode(byte);
  }
  return text;
}

function headerOverrun(): BedrockEdgeError {
  return streamError("Bedrock's event stream is corrupt: a header runs past its message's headers.");
}

/** Header value types, numbered as the event-stream format numbers them; their fixed sizes. */
const INTEGER_TYPES = { 2: ["byte", 1], 3: ["short", 2], 4: ["integer", 4] } as const;

/** The headers in bytes[12, end): a name, a type, a value, each checked to stay inside them. */
function readHeaders(bytes: Uint8Array, end: number): Record<string, HeaderValue> {
  // No prototype: the names are the sender's, and one called `__proto__` would replace it.
  const headers: Record<string, HeaderValue> = Object.create(null);
  let at = PRELUDE_BYTES;
  while (at < end) {
    const nameStart = at + 1;
    // The name, then its value's type byte.
    at = nameStart + bytes[at]!;
    if (at + 1 > end) throw headerOverrun();
    const name = utf8(bytes, nameStart, at);
    const type = bytes[at++]!;
    let value: HeaderValue;
    if (type === 7) {
      if (at + 2 > end) throw headerOverrun();
      const start = at + 2;
      at = start + ((bytes[start - 2]! << 8) | bytes[start - 1]!);
      if (at > end) throw headerOverrun();
      value = { type: "string", value: utf8(bytes, start, at) };
    } else if (type === 0 || type === 1) value = { type: "boolean", value: type === 0 };
    else if (type === 2 || type === 3 || type === 4) {
      const [kind, size] = INTEGER_TYPES[type];
      if (at + size > end) throw headerOverrun();
      // Sign-extended from the value's own width.
      const shift = 32 - 8 * size;
      const raw = size === 1 ? bytes[at]! : size === 2 ? (bytes[at]! << 8) | bytes[at + 1]! : uint32(bytes, at);
      value = { type: kind, value: (raw << shift) >> shift };
      at += size;
    } else if (type === 5 || type === 8) {
      if (at + 8 > end) throw headerOverrun();
      const long = new DataView(bytes.buffer, bytes.byteOffset + at, 8).getBigInt64(0);
      at += 8;
      value = type === 5 ? { type: "long", value: long } : { type: "timestamp", value: new Date(Number(long)) };
    } else if (type === 6) {
      if (at + 2 > end) throw headerOverrun();
      const start = at + 2;
      at = start + ((bytes[start - 2]! << 8) | bytes[start - 1]!);
      if (at > end) throw headerOverrun();
      value = { type: "binary", value: bytes.slice(start, at) };
    } else if (type === 9) {
      if (at + 16 > end) throw headerOverrun();
      const hex = Array.from(bytes.subarray(at, at + 16), (b) => b.toString(16).padStart(2, "0")).join("");
      at += 16;
      value = {
        type: "uuid",
        value: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`,
      };
    } else {
      throw streamError(`Bedrock's event stream is corrupt: a header of unknown type ${type}.`);
    }
    headers[name] = value;
  }
  return headers;
}
