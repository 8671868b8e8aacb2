// The reference for the decode figure: the AWS codec with nothing around it. A synchronous loop
// over the same pieces: join a frame cut across pieces, codec.decode (both CRCs), JSON.parse the
// payload, base64-decode its `bytes`, JSON.parse the model chunk. No streams, no OpenAI chunks:
// the least work that turns these bytes into model JSON.
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

export function decodeBare(pieces: readonly Uint8Array[], base64: Base64Decoder): Decoded {
  let pending: Uint8Array = new Uint8Array(0);
  let chunks = 0;
  let chars = 0;
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
      const message = codec.decode(buffer.subarray(offset, offset + length));
      offset += length;
      const payload = JSON.parse(decoder.decode(message.body)) as { bytes: string };
      const model = JSON.parse(decoder.decode(base64(payload.bytes))) as { generation?: string };
      chunks++;
      chars += model.generation?.length ?? 0;
    }
    pending = buffer.subarray(offset);
  }
  if (pending.byteLength > 0) throw new Error("bare decode: the body ended inside a frame");
  return { chunks, chars };
}
