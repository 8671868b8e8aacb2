// ItemStream's contracts at the reader's boundary, with a ByteReader and an EventMapper of the
// test's own: what no Bedrock answer through guardReader shows at will (its end read in the same
// step as an abort; a reader that reads a cancel as done, which ByteReader does not forbid).
import { describe, expect, it } from "vitest";
import type { ByteRead, ByteReader } from "./aws/byte-reader.ts";
import { type EventMapper, primeStream, streamItems } from "./stream-reader.ts";

/** A reader that gives `reads` in turn, then reads done, as a cancelled reader does. */
function readerOf(reads: ByteRead[]): ByteReader {
  return { read: async () => reads.shift() ?? { done: true, value: undefined }, cancel: async () => undefined };
}

/** A mapper whose opening is one role item, whose events make nothing, and whose end `end` says. */
const mapperOf = (end: string[]): EventMapper<string> => ({
  opening: () => ["role"],
  push: () => undefined,
  end: (out) => void out.push(...end),
  finished: () => true,
});

describe("a stream's abort()", () => {
  it("once Bedrock's stream has ended, stops nothing: what it sent still comes", async () => {
    const reader = readerOf([]);
    const stream = streamItems(reader, await primeStream(reader, [], mapperOf(["finish", "usage"])));
    stream.abort();
    const items: string[] = [];
    for await (const item of stream) items.push(item);
    expect(items).toEqual(["role", "finish", "usage"]);
  });

  it("before that, is an AbortError even when the cancelled reader then reads done, never a clean end", async () => {
    const reader = readerOf([{ done: false, value: new Uint8Array(0) }]);
    const stream = streamItems(reader, await primeStream(reader, [], mapperOf([])));
    const iterator = stream[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ done: false, value: "role" });
    stream.abort();
    await expect(iterator.next()).rejects.toMatchObject({ name: "AbortError" });
  });
});
