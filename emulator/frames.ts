// Real AWS event-stream messages, encoded with @smithy/eventstream-codec, as Bedrock frames them:
// InvokeModelWithResponseStream's `chunk` events, whose payload is `{"bytes":"<base64 of the
// model JSON>","p":"…"}`; ConverseStream's typed events (`messageStart`, `contentBlockDelta`…),
// whose payload is the event's JSON itself plus the same `p` padding; and exception messages
// with `{"message":…}`. This is the project's one frame encoder: tests build their frames here too.

import { EventStreamCodec, type MessageHeaders } from "@smithy/eventstream-codec";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const fromUtf8 = (text: string): Uint8Array => encoder.encode(text);
const codec = new EventStreamCodec((bytes) => decoder.decode(bytes), fromUtf8);
const PADDING = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ";

export function stringHeaders(values: Record<string, string>): MessageHeaders {
  const headers: MessageHeaders = {};
  for (const [name, value] of Object.entries(values)) headers[name] = { type: "string", value };
  return headers;
}

/** Any message: headers of every type the format has, and a body (text is written as UTF-8). */
export function encodeFrame(headers: MessageHeaders, body: Uint8Array | string): Uint8Array {
  return codec.encode({ headers, body: typeof body === "string" ? fromUtf8(body) : body });
}

/** Bedrock pads event payloads to vary their length; `index` varies it here too. */
function padding(index: number): string {
  return PADDING.slice(0, 1 + (index % 7) * 3);
}

/** A `chunk` event carrying one model JSON object. */
export function chunkFrame(modelJson: unknown, index = 0): Uint8Array {
  return eventFrame("chunk", { bytes: toBase64(fromUtf8(JSON.stringify(modelJson))) }, index);
}

/** An event of `eventType` whose payload is `payload` plus the padding. */
export function eventFrame(eventType: string, payload: Record<string, unknown>, index = 0): Uint8Array {
  return encodeFrame(
    stringHeaders({ ":event-type": eventType, ":content-type": "application/json", ":message-type": "event" }),
    JSON.stringify({ ...payload, p: padding(index) }),
  );
}

/** An exception message, `{message, …members}` (the exception's other members): it ends the stream with that error. */
export function exceptionFrame(type: string, message: string, members: object = {}): Uint8Array {
  return encodeFrame(
    stringHeaders({ ":exception-type": type, ":content-type": "application/json", ":message-type": "exception" }),
    JSON.stringify({ message, ...members }),
  );
}

/** A copy of the frame whose message CRC (its last four bytes) no longer matches. */
export function corruptMessageCrc(frame: Uint8Array): Uint8Array {
  const copy = frame.slice();
  const last = copy.length - 1;
  copy[last] = (copy[last] ?? 0) ^ 0xff;
  return copy;
}

/** Base64 without Buffer (works in every runtime). */
function toBase64(bytes: Uint8Array): string {
  let binary = "";
  const step = 0x8000;
  for (let start = 0; start < bytes.length; start += step) {
    binary += String.fromCharCode(...bytes.subarray(start, start + step));
  }
  return btoa(binary);
}

/** Decodes one frame (for tests and tools): its headers as strings and its body. */
export function decodeFrame(frame: Uint8Array): { headers: Record<string, string>; body: Uint8Array } {
  const message = codec.decode(frame);
  const headers: Record<string, string> = {};
  for (const [name, header] of Object.entries(message.headers)) headers[name] = String(header.value);
  return { headers, body: message.body };
}
