// mutation51 found these ways of ending a count untested: each leaked, or wrongly dropped, a
// deployment's count for good, and least_busy ordered by it from then on.
import { describe, expect, it } from "vitest";
import type { ItemStream } from "../stream-reader.ts";
import { countInFlight, whenStreamEnds } from "./in-flight.ts";

/** A stream of `values` that throws where `failAt` says, before giving that item. */
function items(values: number[], failAt?: number): ItemStream<number> {
  return {
    abort() {},
    async *[Symbol.asyncIterator]() {
      for (const [i, value] of values.entries()) {
        if (i === failAt) throw new Error("upstream broke");
        yield value;
      }
    },
  };
}

describe("a request's count ends once", () => {
  it("ended twice, it leaves the other requests on the deployment counted", () => {
    const flight = countInFlight();
    const end = flight.start("m", "d0");
    flight.start("m", "d0");
    end();
    end();
    expect(flight.count("m", "d0")).toBe(1);
  });
});

describe("a streamed request stops counting however its stream ends", () => {
  it("when the stream fails mid-way", async () => {
    let ended = 0;
    const stream = whenStreamEnds(items([1, 2, 3], 1), () => ended++);
    await expect(async () => {
      for await (const _ of stream);
    }).rejects.toThrow("upstream broke");
    expect(ended).toBe(1);
  });

  it("when the request's signal was aborted before the stream began", () => {
    let ended = 0;
    whenStreamEnds(items([1]), () => ended++, AbortSignal.abort());
    expect(ended).toBe(1);
  });
});
