// guardReader on its own, over a made-up attempt: what invokeStream's tests (invoke.test.ts) reach
// only through a whole call, or not at all (an attempt aborted before the reader is made).
import { describe, expect, it, vi } from "vitest";
import { onFakeClock } from "../../test/helpers/fake-clock.ts";
import { badUpstream, BedrockEdgeError } from "../errors.ts";
import type { Attempt } from "./attempt.ts";
import { guardReader } from "./guarded-reader.ts";

/** An attempt that counts its releases; its failure() as attempt.ts's, but for the abort's reason. */
function madeAttempt(): Attempt & { releases: () => number } {
  const controller = new AbortController();
  let releases = 0;
  return {
    response: new Response(null),
    signal: controller.signal,
    secrets: [],
    release: () => void releases++,
    failure: (error) =>
      error instanceof BedrockEdgeError
        ? error
        : badUpstream("The connection to Bedrock was lost while reading its answer.", "upstream_connection_lost"),
    abort: (reason) => controller.abort(reason),
    releases: () => releases,
  };
}

/** A body of these chunks; notes its cancel's reason. */
function bodyOf(chunks: number[][]): { body: ReadableStream<Uint8Array>; cancelled: () => unknown } {
  let cancelled: unknown;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks.shift();
      if (next) controller.enqueue(new Uint8Array(next));
      else controller.close();
    },
    cancel(reason) {
      cancelled = reason ?? "cancelled";
    },
  });
  return { body, cancelled: () => cancelled };
}

describe("guardReader", () => {
  it("read to its end releases the attempt, once, and leaves no watchdog timer behind", async () => {
    onFakeClock();
    const attempt = madeAttempt();
    const reader = guardReader(bodyOf([[1], [2]]).body, attempt, 1000);
    expect((await reader.read()).value).toEqual(new Uint8Array([1]));
    expect((await reader.read()).value).toEqual(new Uint8Array([2]));
    expect((await reader.read()).done).toBe(true);
    expect(await reader.read()).toEqual({ done: true, value: undefined });
    expect(attempt.releases()).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("over an attempt aborted before it was made: its signal ended with the abort's reason, the body cancelled", () => {
    const attempt = madeAttempt();
    const reason = new Error("the caller left");
    attempt.abort(reason);
    const { body, cancelled } = bodyOf([[1]]);
    const reader = guardReader(body, attempt, 1000);
    expect(reader.signal?.reason).toBe(reason);
    expect(cancelled()).toBe(reason);
  });

  it("a read after one that failed ends the stream: the failure is told once", async () => {
    const attempt = madeAttempt();
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new TypeError("terminated"));
      },
    });
    const reader = guardReader(body, attempt, 1000);
    await expect(reader.read()).rejects.toMatchObject({ code: "upstream_connection_lost" });
    expect(await reader.read()).toEqual({ done: true, value: undefined });
    expect(attempt.releases()).toBe(1);
  });
});
