// A 9 MB prompt, echoed plain and streamed: nothing spreads request-sized data into a call's
// arguments (which overflowed the stack: "Maximum call stack size exceeded") or walks it
// recursively, and a long echo streams in a bounded number of frames.

import { describe, expect, it } from "vitest";
import { emulatorModelId } from "./model-id.ts";
import { events, json, send } from "./test-helpers.ts";
import { chunksOf } from "./testing.ts";

// Mixed text: ASCII, two-byte and four-byte characters, and markers the emulator cuts in two.
const UNIT = "The sky is blue because of Rayleigh scattering. é 🤖 <think> </tool_call>\n";
const PROMPT = UNIT.repeat(Math.ceil((9 * 1024 * 1024) / UNIT.length));

describe("a 9 MB prompt", () => {
  it("is echoed whole by InvokeModel", async () => {
    const answer = await json(await send(emulatorModelId("llama", ["echo"]), { prompt: PROMPT }));
    expect(answer.generation === PROMPT).toBe(true);
    expect(answer.prompt_token_count).toBe(Math.ceil(new TextEncoder().encode(PROMPT).length / 4));
  }, 60_000);

  it("is echoed whole by InvokeModelWithResponseStream, in at most about 20,000 frames", async () => {
    const chunks = chunksOf(
      await events(await send(emulatorModelId("qwen3", ["echo"]), { prompt: PROMPT }, "invoke-with-response-stream")),
    );
    expect(chunks.map((chunk) => chunk.generation).join("") === PROMPT).toBe(true);
    expect(chunks.length).toBeLessThan(25_000);
    expect(chunks.at(-1)?.["amazon-bedrock-invocationMetrics"]).toMatchObject({ outputTokenCount: chunks.length });
  }, 60_000);

  it("is measured, not echoed, without echo, in every format", async () => {
    const completion = await json(await send(emulatorModelId("r1"), { prompt: PROMPT, max_tokens: 100 }));
    expect((completion.choices as { text: string }[])[0]?.text).toMatch(/Your prompt had \d+ characters\.$/);
    const chat = await json(
      await send(emulatorModelId("openai", ["echo"]), { model: "m", messages: [{ role: "user", content: PROMPT }] }),
    );
    expect((chat.choices as { message: { content: string } }[])[0]?.message.content === PROMPT).toBe(true);
    const converse = await json(
      await send(
        "amazon.nova-pro-v1:0+echo",
        { messages: [{ role: "user", content: [{ text: PROMPT }] }] },
        "converse",
      ),
    );
    const content = (converse.output as { message: { content: { text: string }[] } }).message.content[0]?.text ?? "";
    expect(content === PROMPT).toBe(true);
  }, 60_000);
});
