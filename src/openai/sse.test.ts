import { describe, expect, it } from "vitest";
import { BedrockEdgeError } from "../errors.ts";
import { encodeSse, sseComment, sseData, SSE_DONE } from "./sse.ts";

function source<T>(items: T[], failWith?: unknown) {
  let aborted = false;
  return {
    get aborted() {
      return aborted;
    },
    abort() {
      aborted = true;
    },
    async *[Symbol.asyncIterator]() {
      for (const item of items) yield item;
      if (failWith !== undefined) throw failWith;
    },
  };
}

const text = (stream: ReadableStream<Uint8Array>) => new Response(stream).text();

describe("encodeSse", () => {
  it("writes data lines and [DONE], skipping what keep() refuses", async () => {
    let ended = false;
    const out = await text(
      encodeSse(source([{ a: 1 }, { skip: true }, { b: "é" }]), {
        keep: (v) => !("skip" in v),
        onEnd: () => (ended = true),
      }),
    );
    expect(out).toBe(`data: {"a":1}\n\ndata: {"b":"é"}\n\n${SSE_DONE}`);
    expect(ended).toBe(true);
  });

  it("turns a failure after the first byte into an error event, without [DONE]", async () => {
    const failure = new BedrockEdgeError({ status: 424, message: "model broke", code: "model_stream_error" });
    const seen: unknown[] = [];
    const out = await text(encodeSse(source([{ a: 1 }], failure), { onError: (e) => seen.push(e) }));
    expect(out).toBe(
      `data: {"a":1}\n\ndata: {"error":{"message":"model broke","type":"api_error","param":null,"code":"model_stream_error"}}\n\n`,
    );
    expect(seen).toEqual([failure]);
  });

  it("never shows an unexpected error's message", async () => {
    const out = await text(encodeSse(source([], new Error("internal detail: key=abc"))));
    expect(out).not.toContain("internal detail");
    expect(out).toContain('"type":"server_error"');
  });

  it("a reader that leaves during a pending read is told to onCancel only, not to onError as a failure (aborts5)", async () => {
    let fail: (error: unknown) => void = () => undefined;
    let reads = 0;
    const pending = {
      abort: () => fail(new DOMException("The stream was aborted.", "AbortError")),
      [Symbol.asyncIterator]: () => ({
        next: () =>
          reads++ === 0
            ? Promise.resolve({ done: false as const, value: { a: 1 } })
            : new Promise<IteratorResult<{ a: number }>>((_, reject) => {
                fail = reject;
              }),
      }),
    };
    const told: string[] = [];
    const reader = encodeSse(pending, {
      onError: (error) => told.push(`error ${String(error)}`),
      onCancel: () => told.push("cancel"),
    }).getReader();
    await reader.read();
    const waiting = reader.read();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await reader.cancel();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(told).toEqual(["cancel"]);
  });

  it("a stream the server's own signal ended says so, not that it failed unexpectedly", async () => {
    for (const reason of [
      new DOMException("This operation was aborted", "AbortError"),
      new DOMException("The operation timed out.", "TimeoutError"),
    ]) {
      const out = await text(encodeSse(source([{ a: 1 }], reason)));
      expect(out).toContain('"message":"The server stopped the stream before its end.","type":"server_error"');
      expect(out).not.toContain("[DONE]");
    }
  });

  it("aborts the source when the reader cancels", async () => {
    const src = source([1, 2, 3]);
    let cancelled = false;
    const reader = encodeSse(src, { onCancel: () => (cancelled = true) }).getReader();
    await reader.read();
    await reader.cancel();
    expect(src.aborted).toBe(true);
    expect(cancelled).toBe(true);
  });

  it("comments never break out of their line", () => {
    expect(sseComment("a\nb\r\nc")).toBe(": a b c\n\n");
    expect(sseData({ x: "\n" })).toBe('data: {"x":"\\n"}\n\n');
  });

  it("escapes what Python's splitlines takes for a line's end (U+0085, U+2028, U+2029), as OpenAI's streams do", () => {
    const value = { x: "a\u2028b\u2029c\u0085d\u00a0e" };
    const event = sseData(value);
    expect(event).toBe('data: {"x":"a\\u2028b\\u2029c\\u0085d\u00a0e"}\n\n');
    // Control characters, which splitlines takes for line ends too, JSON escapes already.
    expect(event.slice(0, -2)).not.toMatch(/[\n\r\u0085\u2028\u2029]/);
    expect(sseData({ x: "\v\f\u001c" })).toBe('data: {"x":"\\u000b\\f\\u001c"}\n\n');
    expect(JSON.parse(event.slice("data: ".length))).toEqual(value);
  });
});
