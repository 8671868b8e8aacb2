import { EventStreamCodec, Int64, type MessageHeaders } from "@smithy/eventstream-codec";
import { describe, expect, it } from "vitest";
import { chunkFrame, encodeFrame } from "../../emulator/frames.ts";
import { concat, cut, seeded, streamOf } from "../../test/helpers/bytes.ts";
import { errorOf } from "../../test/helpers/errors.ts";
import { BedrockEdgeError } from "../errors.ts";
import { createMessageSplitter, decodeEventStream, type EventStreamMessage } from "./decode.ts";
import { crc32 } from "./crc32.ts";
import { readBedrockEvent } from "./events.ts";

const models = [
  { generation: "Hel", prompt_token_count: 7, generation_token_count: 1, stop_reason: null },
  { generation: "lo, wörld 👋", prompt_token_count: null, generation_token_count: 2, stop_reason: null },
  {
    generation: "",
    generation_token_count: 3,
    stop_reason: "stop",
    "amazon-bedrock-invocationMetrics": { inputTokenCount: 7, outputTokenCount: 3 },
  },
];
// AWS's own decoder, the oracle for header values.
const awsCodec = new EventStreamCodec(
  (b) => new TextDecoder().decode(b),
  (t) => new TextEncoder().encode(t),
);
const bytes = concat(models.map((model) => chunkFrame(model)));
const modelsOf = (messages: EventStreamMessage[]) => messages.map((message) => readBedrockEvent(message)?.json);

async function decodeAll(pieces: Uint8Array[]): Promise<EventStreamMessage[]> {
  const out: EventStreamMessage[] = [];
  const reader = streamOf(pieces).pipeThrough(decodeEventStream()).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return out;
    out.push(value);
  }
}

const decodeError = (pieces: Uint8Array[]) => errorOf(() => decodeAll(pieces), BedrockEdgeError);

describe("decodeEventStream splits frames at any boundary", () => {
  it("all at once", async () => {
    expect(modelsOf(await decodeAll([bytes]))).toEqual(models);
  });

  it("one byte at a time", async () => {
    const pieces = Array.from(bytes, (b) => Uint8Array.of(b));
    expect(modelsOf(await decodeAll(pieces))).toEqual(models);
  });

  it("in random pieces (200 seeded cuttings)", async () => {
    const random = seeded(42);
    for (let run = 0; run < 200; run++) {
      const offsets = Array.from({ length: 1 + Math.floor(random() * 12) }, () => Math.floor(random() * bytes.length));
      expect(modelsOf(await decodeAll(cut(bytes, offsets)))).toEqual(models);
    }
  });

  it("at every single cut point", async () => {
    for (let at = 1; at < bytes.length; at++) {
      expect(modelsOf(await decodeAll(cut(bytes, [at])))).toEqual(models);
    }
  });

  it("skips empty chunks anywhere, also inside a message's prelude and several in a row", async () => {
    // A body may deliver a zero-length chunk; the prelude is read across chunks (12 bytes).
    const empty = new Uint8Array(0);
    for (let at = 1; at < bytes.length; at++) {
      const pieces = [empty, bytes.slice(0, at), empty, empty, bytes.slice(at), empty];
      expect(modelsOf(await decodeAll(pieces))).toEqual(models);
    }
  });

  it("keeps headers of every type the codec writes", async () => {
    const [message] = await decodeAll([
      encodeFrame(
        {
          ":message-type": { type: "string", value: "event" },
          flag: { type: "boolean", value: true },
          n: { type: "integer", value: 7 },
          "wörld-👋": { type: "string", value: "gruß 👋" },
          long: { type: "string", value: "x".repeat(100) },
        },
        "{}",
      ),
    ]);
    expect(message!.headers.flag).toEqual({ type: "boolean", value: true });
    expect(message!.headers.n).toEqual({ type: "integer", value: 7 });
    expect(message!.headers["wörld-👋"]).toEqual({ type: "string", value: "gruß 👋" });
    expect(message!.headers.long).toEqual({ type: "string", value: "x".repeat(100) });
  });

  it("reads every header type as AWS's codec does: signed integers at each width, longs, times, bytes, uuids", async () => {
    const headers: MessageHeaders = {
      byte: { type: "byte", value: -5 },
      bytePositive: { type: "byte", value: 127 },
      short: { type: "short", value: -300 },
      shortPositive: { type: "short", value: 32767 },
      integer: { type: "integer", value: -70000 },
      integerMax: { type: "integer", value: 2147483647 },
      long: { type: "long", value: Int64.fromNumber(-9007199254740991) },
      timestamp: { type: "timestamp", value: new Date(1764331200123) },
      binary: { type: "binary", value: Uint8Array.of(0, 1, 254, 255) },
      uuid: { type: "uuid", value: "3fa85f64-5717-4562-b3fc-2c963f66afa6" },
      no: { type: "boolean", value: false },
      // Names and values Bedrock uses, which the decoder matches rather than builds.
      ":event-type": { type: "string", value: "contentBlockDelta" },
      ":content-type": { type: "string", value: "application/jsox" },
      ":message-typ": { type: "string", value: "even" },
    };
    const frame = encodeFrame(headers, "{}");
    const [message] = await decodeAll([frame]);
    const theirs = awsCodec.decode(frame).headers;
    expect(Object.keys(message!.headers)).toEqual(Object.keys(theirs));
    for (const [name, header] of Object.entries(theirs)) {
      const value = header.type === "long" ? BigInt(header.value.toString()) : header.value;
      expect([name, message!.headers[name]]).toEqual([name, { type: header.type, value }]);
    }
  });

  it("keeps headers named like Object's properties as headers, and takes nothing from a prototype", async () => {
    // A computed key: a literal `__proto__:` would set the prototype of this object instead.
    const header = (value: string) => ({ type: "string" as const, value });
    const crafted = encodeFrame(
      { ["__proto__"]: header("sent"), constructor: header("also sent"), ":message-type": header("event") },
      "{}",
    );
    const [message] = await decodeAll([crafted]);
    const headers = message!.headers;
    expect(Object.keys(headers)).toEqual(["__proto__", "constructor", ":message-type"]);
    expect(Object.entries(headers)[0]).toEqual(["__proto__", { type: "string", value: "sent" }]);
    expect(headers.constructor).toEqual({ type: "string", value: "also sent" });
    expect(headers.toString).toBeUndefined();
    expect(headers.type).toBeUndefined();
  });

  it("reads an empty stream as no messages", async () => {
    expect(await decodeAll([])).toEqual([]);
  });
});

describe("decodeEventStream refuses damage with a 502", () => {
  it("a corrupt message CRC", async () => {
    const broken = bytes.slice();
    broken[chunkFrame(models[0]).length - 1]! ^= 0xff;
    const error = await decodeError([broken]);
    expect(error.status).toBe(502);
    expect(error.code).toBe("invalid_event_stream");
    expect(error.message).toMatch(/checksum|CRC/i);
  });

  it("a corrupt prelude CRC, before waiting for the claimed length", async () => {
    const broken = bytes.slice(0, 12);
    broken[9]! ^= 0x01;
    const error = await decodeError([broken]);
    expect(error.message).toMatch(/prelude/);
  });

  it("an absurd length field (with a valid prelude CRC) is refused without allocating it", async () => {
    const splitter = createMessageSplitter({ maxMessageBytes: 1024 });
    const prelude = encodeFrame({}, new Uint8Array(2000)).slice(0, 12);
    expect(() => splitter.push(prelude)).toThrow(/over the 1024-byte limit/);
  });

  it("a length too small to hold a message", async () => {
    const tiny = new Uint8Array(12);
    const view = new DataView(tiny.buffer);
    view.setUint32(0, 8);
    view.setUint32(4, 0);
    view.setUint32(8, crc32(tiny.subarray(0, 8)));
    expect(() => createMessageSplitter().push(tiny)).toThrow(/impossible message length/);
  });

  it("a headers length past what the message leaves them (its CRCs right)", () => {
    const frame = encodeFrame({}, new Uint8Array(10));
    const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    // 26 bytes: the prelude, 10 of body, the CRC; headers claimed 11, one more than there is room for.
    view.setUint32(4, 11);
    view.setUint32(8, crc32(frame.subarray(0, 8)));
    view.setUint32(frame.length - 4, crc32(frame.subarray(0, frame.length - 4)));
    expect(() => createMessageSplitter().push(frame)).toThrow(/impossible message length 26 \(headers 11\)/);
  });

  /** A frame changed after encoding, both CRCs made right again: only the change is wrong. */
  function reframed(frame: Uint8Array, change: (bytes: Uint8Array, view: DataView) => void): Uint8Array {
    const out = frame.slice();
    const view = new DataView(out.buffer);
    change(out, view);
    view.setUint32(8, crc32(out.subarray(0, 8)));
    view.setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)));
    return out;
  }
  const oneHeader = () => encodeFrame({ ":message-type": { type: "string", value: "event" } }, "{}");

  it("a header of a type the format does not have", () => {
    // Header: name length (1), ":message-type" (13), then its type byte.
    const broken = reframed(oneHeader(), (out) => {
      out[12 + 1 + 13] = 10;
    });
    expect(() => createMessageSplitter().push(broken)).toThrow(/header of unknown type 10/);
  });

  it("a binary header whose value runs past the headers", () => {
    const binary = () => encodeFrame({ blob: { type: "binary", value: new Uint8Array([1, 2, 3]) } }, "{}");
    // Name length (1), "blob" (4), type byte (1), then its value's length field.
    const broken = reframed(binary(), (_, view) => view.setUint16(12 + 1 + 4 + 1, 5));
    expect(() => createMessageSplitter().push(broken)).toThrow(/runs past/);
  });

  it("a header value whose first byte past ASCII is not UTF-8 (a lone 0x80) reads as U+FFFD, as TextDecoder reads it", () => {
    const named = () => encodeFrame({ note: { type: "string", value: "ab" } }, "{}");
    // Name length (1), "note" (4), type (1), value length (2), then "ab": its "b" made 0x80.
    const odd = reframed(named(), (out) => {
      out[12 + 1 + 4 + 1 + 2 + 1] = 0x80;
    });
    const [message] = createMessageSplitter().push(odd);
    expect(message?.headers.note).toEqual({ type: "string", value: "a\uFFFD" });
  });

  it("a header whose value runs past the headers", () => {
    // The string's length field (after the type byte) claims more than the headers hold.
    const broken = reframed(oneHeader(), (_, view) => view.setUint16(12 + 1 + 13 + 1, 500));
    expect(() => createMessageSplitter().push(broken)).toThrow(/runs past/);
  });

  // Each frame is whole and its CRCs right, but its headers length stops inside the last header:
  // that header's type byte or value lies past the headers and must not be read from the body.
  it.each([
    ["a name without its type byte", { flag: { type: "boolean", value: true } }, 1],
    ["a string one byte short", { text: { type: "string", value: "event" } }, 1],
    ["an integer with 2 of its 4 bytes", { n: { type: "integer", value: 7 } }, 2],
    ["a long with 2 of its 8 bytes", { n: { type: "long", value: Int64.fromNumber(7) } }, 6],
    ["a timestamp with 7 of its 8 bytes", { at: { type: "timestamp", value: new Date(0) } }, 1],
    ["a uuid with 4 of its 16 bytes", { id: { type: "uuid", value: "3fa85f64-5717-4562-b3fc-2c963f66afa6" } }, 12],
    ["a uuid with 15 of its 16 bytes", { id: { type: "uuid", value: "3fa85f64-5717-4562-b3fc-2c963f66afa6" } }, 1],
  ] satisfies [string, MessageHeaders, number][])("a last header overrunning the headers: %s", (_, last, short) => {
    const frame = encodeFrame({ ":message-type": { type: "string", value: "event" }, ...last }, "{}");
    // Whole, the frame is read.
    expect(createMessageSplitter().push(frame)).toHaveLength(1);
    const broken = reframed(frame, (_, view) => view.setUint32(4, view.getUint32(4) - short));
    expect(() => createMessageSplitter().push(broken)).toThrow(/a header runs past its message's headers/);
  });

  it("a stream cut in the middle of a message", async () => {
    const error = await decodeError([bytes.slice(0, bytes.length - 5)]);
    expect(error.message).toMatch(/ended in the middle of a message/);
  });

  it("delivers the good messages that preceded the damage in the same chunk", () => {
    const first = chunkFrame(models[0]);
    const broken = concat([first, first]);
    broken[broken.length - 1]! ^= 0xff;
    const splitter = createMessageSplitter();
    expect(splitter.push(broken)).toHaveLength(1);
    expect(() => splitter.end()).toThrow(BedrockEdgeError);
  });
});

describe("the decoder is linear in the stream's length", () => {
  it("copies each byte a bounded number of times, whatever the chunking", () => {
    // 2,000 frames fed in 7-byte pieces: a decoder that re-copies its buffer per chunk would
    // copy ~quadratically many bytes; count what the splitter allocates instead.
    const many = concat(Array.from({ length: 2000 }, (_, i) => chunkFrame({ generation: `piece ${i}` }, i)));
    const pieces = cut(
      many,
      Array.from({ length: Math.floor(many.length / 7) }, (_, i) => (i + 1) * 7),
    );
    const splitter = createMessageSplitter();
    const OriginalUint8Array = globalThis.Uint8Array;
    let allocated = 0;
    const counting = new Proxy(OriginalUint8Array, {
      construct(target, args) {
        const made = Reflect.construct(target, args) as Uint8Array;
        // Only new memory counts, not views into existing buffers.
        if (typeof args[0] === "number") allocated += made.byteLength;
        return made;
      },
    });
    globalThis.Uint8Array = counting;
    let count = 0;
    try {
      for (const piece of pieces) count += splitter.push(piece).length;
      splitter.end();
    } finally {
      globalThis.Uint8Array = OriginalUint8Array;
    }
    expect(count).toBe(2000);
    // Each message is assembled once, plus a 12-byte prelude peek per message.
    expect(allocated).toBeLessThanOrEqual(many.length + 2000 * 12);
  });
});
