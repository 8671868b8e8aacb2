// The reference for the decode figures: the AWS codec with nothing around it. A synchronous loop
// over the same pieces: join a frame cut across pieces, codec.decode (both CRCs), JSON.parse the
// payload, and for InvokeModel base64-decode its `bytes` and JSON.parse the model chunk. No
// streams, no OpenAI chunks: the least work that turns these bytes into model JSON.
import { EventStreamCodec } from "@smithy/eventstream-codec";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const codec = new EventStreamCodec(
  (bytes) => decoder.decode(bytes),
  (text) => encoder.encode(text),
);

export type Base64Decoder = (text: string) => Uint8Array;

/** The web platform's own base64 decoder. */
export function atobBytes(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export interface Decoded {
  chunks: number;
  /** Characters of model text: checks that both pipelines decoded the same answer. */
  chars: number;
}

/** Every message's payload, in order: join a frame cut across pieces, codec.decode (both CRCs). */
function eachPayload(pieces: readonly Uint8Array[], onPayload: (body: Uint8Array) => void): void {
  let pending: Uint8Array = new Uint8Array(0);
  for (const piece of pieces) {
    let buffer = piece;
    if (pending.byteLength > 0) {
      buffer = new Uint8Array(pending.byteLength + piece.byteLength);
      buffer.set(pending);
      buffer.set(piece, pending.byteLength);
    }
    let offset = 0;
    while (buffer.byteLength - offset >= 4) {
      const length =
        ((buffer[offset]! << 24) | (buffer[offset + 1]! << 16) | (buffer[offset + 2]! << 8) | buffer[offset + 3]!) >>>
        0;
      if (buffer.byteLength - offset < length) break;
      onPayload(codec.decode(buffer.subarray(offset, offset + length)).body);
      offset += length;
    }
    pending = buffer.subarray(offset);
  }
  if (pending.byteLength > 0) throw new Error("bare decode: the body ended inside a frame");
}

export function decodeBare(pieces: readonly Uint8Array[], base64: Base64Decoder): Decoded {
  let chunks = 0;
  let chars = 0;
  eachPayload(pieces, (body) => {
    const payload = JSON.parse(decoder.decode(body)) as { bytes: string };
    const model = JSON.parse(decoder.decode(base64(payload.bytes))) as { generation?: string };
    chunks++;
    chars += model.generation?.length ?? 0;
  });
  return { chunks, chars };
}

/** ConverseStream: the payload is the event's JSON itself; `chunks` counts text deltas. */
export function decodeBareConverse(pieces: readonly Uint8Array[]): Decoded {
  let chunks = 0;
  let chars = 0;
  eachPayload(pieces, (body) => {
    const event = JSON.parse(decoder.decode(body)) as { delta?: { text?: string } };
    const text = event.delta?.text;
    if (text) {
      chunks++;
      chars += text.length;
    }
  });
  return { chunks, chars };
}
