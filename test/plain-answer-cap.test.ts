// The most of a plain answer the library reads from Bedrock (MAX_JSON_ANSWER_BYTES), at its edge,
// with the emulator's long answers: an answer within it is read and served, one a piece longer is
// a 502 (bounds48, amplify48 #4).
import { describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { createEmulator } from "../emulator/handler.ts";
import { MAX_JSON_ANSWER_BYTES } from "../src/aws/invoke.ts";
import { BedrockEdgeError, createBedrock } from "../src/index.ts";
import { model } from "./helpers/emulated.ts";

/** A client on the emulator that notes the size of each answer Bedrock sends. */
function measuredBedrock() {
  const emulator = createEmulator();
  const sizes: number[] = [];
  const bedrock = createBedrock({
    endpoint: "http://bedrock.emulator",
    credentials: EMULATOR_CREDENTIALS,
    maxRetries: 0,
    fetch: async (input, init) => {
      const answer = await emulator.fetch(new Request(input, init));
      sizes.push((await answer.clone().arrayBuffer()).byteLength);
      return answer;
    },
  });
  return { bedrock, sizes };
}

describe("a plain answer is read up to MAX_JSON_ANSWER_BYTES (32 MiB), no further", () => {
  // The emulator's long<N>.words1000 answers (openai format, no max_tokens): 3,851 pieces come to
  // 33,548,536 bytes of JSON, 3,852 to 33,557,536, across the 33,554,432 of the cap.
  const ask = (pieces: number) => ({
    model: model("openai", `long${pieces}` as never, "words1000" as never),
    messages: [{ role: "user" as const, content: "hi" }],
  });

  it("the longest answer within it is read whole and served; a piece longer is a 502 that says why", {
    timeout: 120_000,
  }, async () => {
    expect(MAX_JSON_ANSWER_BYTES).toBe(32 * 1024 * 1024);
    const { bedrock, sizes } = measuredBedrock();
    const served = await bedrock.chat.completions.create(ask(3_851));
    expect(sizes[0]).toBeLessThanOrEqual(MAX_JSON_ANSWER_BYTES);
    expect(sizes[0]).toBeGreaterThan(MAX_JSON_ANSWER_BYTES - 9_000);
    expect(served.choices[0]?.message.content).toMatch(/^w0 w1 .* w3850999 $/s);
    const refused = await bedrock.chat.completions.create(ask(3_852)).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(sizes[1]).toBeGreaterThan(MAX_JSON_ANSWER_BYTES);
    expect(refused).toBeInstanceOf(BedrockEdgeError);
    expect(refused).toMatchObject({
      status: 502,
      message: `Bedrock's answer is larger than ${MAX_JSON_ANSWER_BYTES} bytes.`,
    });
  });
});
