// heap47: workerd keeps the error of an upstream body that failed mid-read for as long as the
// isolate lives (its stream controller holds it, untraced). V8 keeps a thrown error's frames, the
// functions with the closures they ran in, until its stack is read; the frames of a failed read
// reached the attempt, the answer and, through the Worker's delivery, the whole request: about
// 23 KB kept for each stream whose Bedrock connection dropped. Read, the stack is only text.
import { describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { chunkFrame } from "../emulator/frames.ts";
import { BedrockEdgeError, createBedrock } from "../src/index.ts";
import { collectGarbage } from "./helpers/collect-garbage.ts";
import { errorOf } from "./helpers/errors.ts";

const LLAMA = "bedrock/llama/arn:aws:bedrock:us-east-1:123456789012:imported-model/abcd1234efgh";

describe("an upstream body that fails mid-read, its error kept by the runtime", () => {
  it("keeps nothing of the call through that error's frames", async () => {
    // What the runtime keeps: the errors its bodies failed with.
    const kept: Error[] = [];
    const answers: WeakRef<Response>[] = [];
    const bedrock = createBedrock({
      endpoint: "http://bedrock.emulator",
      credentials: EMULATOR_CREDENTIALS,
      fetch: async () => {
        let pulls = 0;
        const answer = new Response(
          new ReadableStream<Uint8Array>({
            pull(controller) {
              if (pulls++ === 0) return controller.enqueue(chunkFrame({ generation: "Hel", stop_reason: null }));
              // Made and thrown in the read that asked for it: its frames are that read's.
              const lost = new TypeError("Network connection lost.");
              kept.push(lost);
              throw lost;
            },
          }),
          { headers: { "content-type": "application/vnd.amazon.eventstream" } },
        );
        answers.push(new WeakRef(answer));
        return answer;
      },
    });
    const read = async () => {
      const stream = await bedrock.chat.completions.create({
        model: LLAMA,
        messages: [{ role: "user", content: "Hi" }],
        stream: true,
      });
      await errorOf(async () => {
        for await (const _ of stream);
      }, BedrockEdgeError);
    };
    for (let i = 0; i < 5; i++) await read();
    await collectGarbage();
    expect(kept).toHaveLength(5);
    expect(answers.filter((answer) => answer.deref() !== undefined)).toHaveLength(0);
  });
});
