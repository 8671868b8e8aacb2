// The benchmark's direct calls (the floor's, the AWS SDK's) send the prompt our llama route
// renders, so that what they time is the same request ours sends (benchcheck44 #2).
import { describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { createEmulator } from "../emulator/handler.ts";
import { llamaPrompt } from "../bench/peers/aws-sdk.ts";
import { PROMPT_TEXT } from "../bench/proxy/load.ts";
import { benchLlama } from "../bench/proxy/proxy-settings.ts";
import { createBedrock } from "../src/index.ts";

describe("the benchmark's llama prompt", () => {
  it("is the prompt the llama route sends for the same user message", async () => {
    const emulator = createEmulator();
    const sent: string[] = [];
    const bedrock = createBedrock({
      endpoint: "http://bedrock.emulator",
      credentials: EMULATOR_CREDENTIALS,
      maxRetries: 0,
      fetch: async (input, init) => {
        const request = new Request(input, init);
        sent.push(((await request.clone().json()) as { prompt: string }).prompt);
        return emulator.fetch(request);
      },
    });
    await bedrock.chat.completions.create({
      model: `bedrock/llama/${benchLlama()}`,
      messages: [{ role: "user", content: PROMPT_TEXT }],
    });
    expect(sent).toEqual([llamaPrompt(PROMPT_TEXT)]);
  });
});
