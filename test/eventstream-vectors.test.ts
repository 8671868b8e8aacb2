// AWS's official event-stream test vectors (test/fixtures/eventstream-vectors: source and licence
// in its README) replayed through the library's decoder, and the other way through the emulator's
// encoder: what the vectors document is exactly what comes out, and exactly what goes in.
import { readdirSync, readFileSync } from "node:fs";
import { Int64, type MessageHeaders, type MessageHeaderValue } from "@smithy/eventstream-codec";
import { describe, expect, it } from "vitest";
import { encodeFrame } from "../emulator/frames.ts";
import { BedrockEdgeError } from "../src/errors.ts";
import { crc32 } from "../src/eventstream/crc32.ts";
import { createMessageSplitter, type EventStreamMessage, type HeaderValue } from "../src/eventstream/decode.ts";
import { readBedrockEvent } from "../src/eventstream/events.ts";
import { concat, cut, seeded } from "./helpers/bytes.ts";
import { errorOf } from "./helpers/errors.ts";

const VECTORS = new URL("./fixtures/eventstream-vectors/", import.meta.url);

interface DocumentedMessage {
  total_length: number;
  headers_length: number;
  prelude_crc: number;
  headers: Array<{ name: string; type: number; value: unknown }>;
  payload: string;
  message_crc: number;
}

const names = (kind: "positive" | "negative") => readdirSync(new URL(`encoded/${kind}/`, VECTORS)).sort();
const encoded = (kind: string, name: string) =>
  new Uint8Array(readFileSync(new URL(`encoded/${kind}/${name}`, VECTORS)));
const documented = (name: string) =>
  JSON.parse(readFileSync(new URL(`decoded/positive/${name}`, VECTORS), "utf8")) as DocumentedMessage;
const reason = (name: string) => readFileSync(new URL(`decoded/negative/${name}`, VECTORS), "utf8").trim();

const fromBase64 = (text: string) => Uint8Array.from(atob(text), (char) => char.charCodeAt(0));

function uuid(bytes: Uint8Array): string {
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A documented header (type code, JSON value) as the codec's typed value. */
function headerValue(type: number, value: unknown): MessageHeaderValue {
  switch (type) {
    case 0:
    case 1:
      return { type: "boolean", value: value as boolean };
    case 2:
      return { type: "byte", value: value as number };
    case 3:
      return { type: "short", value: value as number };
    case 4:
      return { type: "integer", value: value as number };
    case 5:
      return { type: "long", value: Int64.fromNumber(value as number) };
    case 6:
      return { type: "binary", value: fromBase64(value as string) };
    case 7:
      return { type: "string", value: new TextDecoder().decode(fromBase64(value as string)) };
    case 8:
      return { type: "timestamp", value: new Date(value as number) };
    case 9:
      return { type: "uuid", value: uuid(fromBase64(value as string)) };
    default:
      throw new Error(`header type ${type} is not in the event-stream format`);
  }
}

function headersOf(message: DocumentedMessage): MessageHeaders {
  const headers: MessageHeaders = {};
  for (const header of message.headers) headers[header.name] = headerValue(header.type, header.value);
  return headers;
}

/** The same headers as the decoder gives them: a long is a bigint (the codec's Int64 is an encoder's type). */
function decodedHeadersOf(message: DocumentedMessage): Record<string, HeaderValue> {
  const headers: Record<string, HeaderValue> = {};
  for (const [name, header] of Object.entries(headersOf(message))) {
    headers[name] = header.type === "long" ? { type: "long", value: BigInt(header.value.toString()) } : header;
  }
  return headers;
}

function decodeAll(pieces: Uint8Array[]): EventStreamMessage[] {
  const splitter = createMessageSplitter();
  const messages = pieces.flatMap((piece) => splitter.push(piece));
  splitter.end();
  return messages;
}

describe("AWS's positive vectors decode to exactly what they document", () => {
  it.each(names("positive"))("%s", (name) => {
    const bytes = encoded("positive", name);
    const expected = documented(name);
    const wanted = { headers: decodedHeadersOf(expected), body: fromBase64(expected.payload) };

    expect(decodeAll([bytes])).toEqual([wanted]);
    // Split at every byte, the same message.
    expect(decodeAll(Array.from(bytes, (byte) => Uint8Array.of(byte)))).toEqual([wanted]);

    // The prelude and both CRCs as documented (CRCs are given as signed 32-bit integers).
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(view.getUint32(0)).toBe(expected.total_length);
    expect(bytes.byteLength).toBe(expected.total_length);
    expect(view.getUint32(4)).toBe(expected.headers_length);
    expect(crc32(bytes.subarray(0, 8))).toBe(expected.prelude_crc >>> 0);
    expect(crc32(bytes.subarray(0, bytes.byteLength - 4))).toBe(expected.message_crc >>> 0);

    // Messages without Bedrock's :message-type carry nothing for the library.
    expect(readBedrockEvent(decodeAll([bytes])[0]!)).toBeUndefined();
  });

  it("all of them as one stream, cut anywhere, in order", () => {
    const all = names("positive");
    const stream = concat(all.map((name) => encoded("positive", name)));
    const wanted = all.map((name) => ({
      headers: decodedHeadersOf(documented(name)),
      body: fromBase64(documented(name).payload),
    }));
    const random = seeded(7);
    for (let run = 0; run < 100; run++) {
      const offsets = Array.from({ length: 1 + Math.floor(random() * 10) }, () => Math.floor(random() * stream.length));
      expect(decodeAll(cut(stream, offsets))).toEqual(wanted);
    }
  });
});

describe("the emulator's encoder (the project's one) writes the vectors byte for byte", () => {
  it.each(names("positive"))("%s", (name) => {
    const expected = documented(name);
    expect(encodeFrame(headersOf(expected), fromBase64(expected.payload))).toEqual(encoded("positive", name));
  });
});

describe("AWS's negative vectors are refused with a typed 502 invalid_event_stream", () => {
  // The documented reasons, in the decoder's words.
  const REASONS: Record<string, RegExp> = {
    "Prelude checksum mismatch": /prelude fails its CRC32 check/,
    "Message checksum mismatch": /message checksum/i,
  };

  it.each(names("negative"))("%s", (name) => {
    const bytes = encoded("negative", name);
    const because = REASONS[reason(name)];
    expect(because, `a reason this test knows: ${reason(name)}`).toBeDefined();
    for (const pieces of [[bytes], Array.from(bytes, (byte) => Uint8Array.of(byte))]) {
      const error = errorOf(() => decodeAll(pieces), BedrockEdgeError);
      expect({ status: error.status, type: error.type, code: error.code }).toEqual({
        status: 502,
        type: "server_error",
        code: "invalid_event_stream",
      });
      expect(error.message).toMatch(because!);
    }
  });
});
