// Fuzzing the event-stream decoder: whatever bytes arrive, in whatever pieces, it ends, it
// yields only messages that were really sent, and any damage is a typed 502.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chunkFrame, exceptionFrame } from "../../emulator/frames.ts";
import { concat, cut } from "../../test/helpers/bytes.ts";
import { BedrockEdgeError } from "../errors.ts";
import { crc32 } from "./crc32.ts";
import { createMessageSplitter, type EventStreamMessage } from "./decode.ts";

interface Outcome {
  messages: EventStreamMessage[];
  error?: unknown;
}

/** Feeds pieces to a fresh splitter; the splitter is synchronous, so returning at all is "no hang". */
function feed(pieces: Uint8Array[], maxMessageBytes?: number): Outcome {
  const splitter = createMessageSplitter(maxMessageBytes ? { maxMessageBytes } : {});
  const messages: EventStreamMessage[] = [];
  try {
    for (const piece of pieces) messages.push(...splitter.push(piece));
    splitter.end();
    return { messages };
  } catch (error) {
    return { messages, error };
  }
}

const bodyBytes = (message: EventStreamMessage) => Array.from(message.body).join(",");

const frameArb = fc.oneof(
  fc
    .record({
      generation: fc.string({ unit: "binary", maxLength: 60 }),
      generation_token_count: fc.nat(),
      stop_reason: fc.constantFrom(null, "stop", "length"),
    })
    .map((model) => chunkFrame(model)),
  fc
    .tuple(fc.constantFrom("throttlingException", "modelStreamErrorException"), fc.string({ maxLength: 30 }))
    .map(([type, message]) => exceptionFrame(type, message)),
);
const framesArb = fc.array(frameArb, { minLength: 1, maxLength: 8 });

/** Cut points for a byte length. */
const cutsArb = fc.array(fc.nat({ max: 4000 }), { maxLength: 20 });

type Mutation =
  | { kind: "flip"; at: number; bit: number }
  | { kind: "truncate"; at: number }
  | { kind: "junk"; at: number; bytes: Uint8Array }
  | { kind: "absurd-length"; frame: number; length: number }
  | { kind: "duplicate"; frame: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant("junk" as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }),
  }),
  fc.record({
    kind: fc.constant("absurd-length" as const),
    frame: fc.nat(),
    length: fc.oneof(
      fc.constant(0xffffffff),
      fc.integer({ min: 0, max: 15 }),
      fc.integer({ min: 17_000_000, max: 0xfffffff0 }),
    ),
  }),
  fc.record({ kind: fc.constant("duplicate" as const), frame: fc.nat() }),
);

/** Applies a mutation; returns the damaged bytes and the frames a correct decoder may still yield. */
function mutate(frames: Uint8Array[], mutation: Mutation): { bytes: Uint8Array; sent: Uint8Array[]; damaged: boolean } {
  const whole = concat(frames);
  switch (mutation.kind) {
    case "flip": {
      const bytes = whole.slice();
      bytes[mutation.at % bytes.length]! ^= 1 << mutation.bit;
      return { bytes, sent: frames, damaged: true };
    }
    case "truncate": {
      const at = mutation.at % whole.length;
      return { bytes: whole.slice(0, at), sent: frames, damaged: at > 0 };
    }
    case "junk": {
      const at = mutation.at % (whole.length + 1);
      return { bytes: concat([whole.slice(0, at), mutation.bytes, whole.slice(at)]), sent: frames, damaged: true };
    }
    case "absurd-length": {
      const index = mutation.frame % frames.length;
      const frame = frames[index]!.slice();
      const view = new DataView(frame.buffer);
      view.setUint32(0, mutation.length);
      // A valid prelude CRC, so only the length check can catch it.
      view.setUint32(8, crc32(frame.subarray(0, 8)));
      const copy = [...frames];
      copy[index] = frame;
      return { bytes: concat(copy), sent: frames, damaged: true };
    }
    case "duplicate": {
      const index = mutation.frame % frames.length;
      const copy = [...frames.slice(0, index + 1), frames[index]!, ...frames.slice(index + 1)];
      return { bytes: concat(copy), sent: copy, damaged: false };
    }
  }
}

describe("decoder fuzzing", () => {
  it("arbitrary bytes in arbitrary pieces: ends, yields nothing invented, fails only with a typed 502", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), cutsArb, (bytes, cuts) => {
        const outcome = feed(cut(bytes, cuts));
        // Random bytes pass two CRC32 checks with odds of about 2^-64.
        expect(outcome.messages).toEqual([]);
        if (bytes.length > 0) {
          expect(outcome.error).toBeInstanceOf(BedrockEdgeError);
          expect((outcome.error as BedrockEdgeError).status).toBe(502);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("valid streams in arbitrary pieces decode to exactly what was sent", () => {
    fc.assert(
      fc.property(framesArb, cutsArb, (frames, cuts) => {
        const outcome = feed(cut(concat(frames), cuts));
        expect(outcome.error).toBeUndefined();
        expect(outcome.messages.map(bodyBytes)).toEqual(frames.map((f) => bodyBytes(feed([f]).messages[0]!)));
      }),
      { numRuns: 500 },
    );
  });

  it("mutated streams (bit flips, cuts, junk, absurd lengths, duplicates) yield a prefix of what was sent, then a typed error", () => {
    fc.assert(
      fc.property(framesArb, mutationArb, cutsArb, (frames, mutation, cuts) => {
        const { bytes, sent, damaged } = mutate(frames, mutation);
        const outcome = feed(cut(bytes, cuts), 16 * 1024 * 1024);
        const expected = sent.map((f) => bodyBytes(feed([f]).messages[0]!));
        const got = outcome.messages.map(bodyBytes);
        // Only really-sent messages, in order, from the start.
        expect(got).toEqual(expected.slice(0, got.length));
        if (outcome.error !== undefined) {
          expect(outcome.error).toBeInstanceOf(BedrockEdgeError);
          expect((outcome.error as BedrockEdgeError).code).toBe("invalid_event_stream");
        }
        if (!damaged) expect(outcome.error).toBeUndefined();
        // A flip inside a message body can only go unnoticed if it also fools the CRC: never.
        if (damaged && mutation.kind !== "truncate") expect(outcome.error ?? got.length < expected.length).toBeTruthy();
      }),
      { numRuns: 1500 },
    );
  });

  it("never waits for or allocates what an absurd length claims", () => {
    fc.assert(
      fc.property(fc.integer({ min: 16 * 1024 * 1024 + 1, max: 0xffffffff }), (length) => {
        const prelude = new Uint8Array(12);
        const view = new DataView(prelude.buffer);
        view.setUint32(0, length);
        view.setUint32(4, 0);
        view.setUint32(8, crc32(prelude.subarray(0, 8)));
        // 12 bytes are enough to refuse: no waiting for gigabytes that will never come.
        const outcome = feed([prelude]);
        expect(outcome.error).toBeInstanceOf(BedrockEdgeError);
        expect((outcome.error as Error).message).toMatch(/limit/);
      }),
      { numRuns: 200 },
    );
  });
});
