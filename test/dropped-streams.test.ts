// soak47 #1: a caller may pass one long-lived signal (a server's shutdown) to every call. A stream
// the caller dropped unread (neither read to its end nor aborted) was kept by that signal's abort
// listener, with its whole call, for as long as the signal lived: 200 dropped streams, 200
// listeners and about 9 MB, a minute later. The signal now holds each call weakly.
import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { chunkFrame } from "../emulator/frames.ts";
import { createBedrock } from "../src/index.ts";
import { collectGarbage } from "./helpers/collect-garbage.ts";

const LLAMA = "bedrock/llama/arn:aws:bedrock:us-east-1:123456789012:imported-model/abcd1234efgh";

/** A Bedrock whose streams send one frame, then wait for a read that never comes. */
function endlessBedrock() {
  return createBedrock({
    endpoint: "http://bedrock.emulator",
    credentials: EMULATOR_CREDENTIALS,
    // The watchdog of a read keeps its stream until it has looked once more (idleTimeoutMs).
    idleTimeoutMs: 20,
    fetch: async () =>
      new Response(
        new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(chunkFrame({ generation: "Hello", stop_reason: null }));
          },
        }),
        { headers: { "content-type": "application/vnd.amazon.eventstream" } },
      ),
  });
}

describe("streams dropped unread, with a signal that outlives them", () => {
  it("are not kept by that signal: its listeners go with them", async () => {
    const bedrock = endlessBedrock();
    const shutdown = new AbortController();
    const open = async () => {
      const stream = await bedrock.chat.completions.create(
        { model: LLAMA, messages: [{ role: "user", content: "Hi" }], stream: true },
        { signal: shutdown.signal },
      );
      // Begun (its first chunk was read), then dropped.
      expect(stream).toBeDefined();
    };
    for (let i = 0; i < 20; i++) await open();
    expect(getEventListeners(shutdown.signal, "abort").length).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await collectGarbage(5);
    expect(getEventListeners(shutdown.signal, "abort").length).toBe(0);
  });

  it("are still ended by that signal while the caller holds them", async () => {
    const bedrock = endlessBedrock();
    const shutdown = new AbortController();
    const stream = await bedrock.chat.completions.create(
      { model: LLAMA, messages: [{ role: "user", content: "Hi" }], stream: true },
      { signal: shutdown.signal },
    );
    await collectGarbage(5);
    const reading = (async () => {
      for await (const _ of stream);
    })();
    shutdown.abort(new Error("shutting down"));
    await expect(reading).rejects.toThrow("shutting down");
    expect(getEventListeners(shutdown.signal, "abort").length).toBe(0);
  });
});
