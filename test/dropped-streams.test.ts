// soak47: a caller may pass one long-lived signal (a server's shutdown) to every call. A stream the
// caller dropped unread (neither read to its end nor aborted) was kept by that signal's abort
// listener, with its whole call, for as long as the signal lived: 200 dropped streams, 200
// listeners and about 9 MB, a minute later (#1); and each call in flight added a listener, which
// set off Node's MaxListenersExceededWarning at the eleventh (#2). The signal now has one
// listener, which holds each call weakly.
import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { chunkFrame } from "../emulator/frames.ts";
import { createBedrock } from "../src/index.ts";
import { collectGarbage } from "./helpers/collect-garbage.ts";

const LLAMA = "bedrock/llama/arn:aws:bedrock:us-east-1:123456789012:imported-model/abcd1234efgh";
const HI = { model: LLAMA, messages: [{ role: "user" as const, content: "Hi" }], stream: true as const };

/** A Bedrock whose streams send one frame, then wait for a read that never comes; and its answers. */
function endlessBedrock() {
  const answers: WeakRef<Response>[] = [];
  const bedrock = createBedrock({
    endpoint: "http://bedrock.emulator",
    credentials: EMULATOR_CREDENTIALS,
    // The watchdog of a read keeps its stream until it has looked once more (idleTimeoutMs).
    idleTimeoutMs: 20,
    fetch: async () => {
      const answer = new Response(
        new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(chunkFrame({ generation: "Hello", stop_reason: null }));
          },
        }),
        { headers: { "content-type": "application/vnd.amazon.eventstream" } },
      );
      answers.push(new WeakRef(answer));
      return answer;
    },
  });
  return { bedrock, answers };
}

describe("streams dropped unread, with a signal that outlives them", () => {
  it("are not kept by that signal", async () => {
    const { bedrock, answers } = endlessBedrock();
    const shutdown = new AbortController();
    const open = async () => {
      const stream = await bedrock.chat.completions.create(HI, { signal: shutdown.signal });
      // Begun (its first chunk was read), then dropped.
      expect(stream).toBeDefined();
    };
    for (let i = 0; i < 20; i++) await open();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await collectGarbage(5);
    expect(answers).toHaveLength(20);
    expect(answers.filter((answer) => answer.deref() !== undefined)).toHaveLength(0);
  });

  it("are still ended by that signal while the caller holds them, however many, through one listener", async () => {
    const { bedrock } = endlessBedrock();
    const shutdown = new AbortController();
    const warnings: string[] = [];
    const onWarning = (warning: Error) => void warnings.push(warning.name);
    process.on("warning", onWarning);
    try {
      const streams = await Promise.all(
        Array.from({ length: 20 }, () => bedrock.chat.completions.create(HI, { signal: shutdown.signal })),
      );
      await collectGarbage();
      expect(getEventListeners(shutdown.signal, "abort")).toHaveLength(1);
      const reading = streams.map(async (stream) => {
        for await (const _ of stream);
      });
      shutdown.abort(new Error("shutting down"));
      for (const read of reading) await expect(read).rejects.toThrow("shutting down");
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(warnings).not.toContain("MaxListenersExceededWarning");
    } finally {
      process.off("warning", onWarning);
    }
  });
});
