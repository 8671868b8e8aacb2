// Request-sized data never reaches the stack: a 9 MB prompt is echoed plain and streamed (a
// spread of its pieces into a call's arguments overflowed the stack: "Maximum call stack size
// exceeded"), a long echo streams in a bounded number of frames, and deep nesting is a clean 400
// before anything recursive reads it.

import { describe, expect, it } from "vitest";
import { emulatorModelId } from "./model-id.ts";
import { errorAnswer, events, json, send } from "./test-helpers.ts";
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

describe("deeply nested JSON", () => {
  // Written as text: the test's own JSON.stringify could not write 10,000 levels either.
  const deep = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`;

  it("is refused with a ValidationException when a body nests deeper than 128 levels", async () => {
    for (const [modelId, operation, body] of [
      [emulatorModelId("llama"), "invoke", `{"prompt": "x", "extra": ${deep(10_000)}}`],
      [emulatorModelId("openai"), "invoke-with-response-stream", `{"model": "m", "messages": ${deep(200)}}`],
      ["amazon.nova-pro-v1:0", "converse", `{"messages": ${deep(5_000)}}`],
    ] as const) {
      expect(await errorAnswer(await send(modelId, body, operation))).toEqual({
        status: 400,
        type: "ValidationException",
        message:
          "Malformed input request: the JSON nests deeper than 128 levels, please reformat your input and try again.",
      });
    }
  });

  it("is refused in a schema given as a string, which the body's own check cannot see", async () => {
    const schema = `{"const": ${"[".repeat(1_000_000)}${"]".repeat(1_000_000)}}`;
    const completion = await send(emulatorModelId("llama"), {
      prompt: "x",
      max_tokens: 5,
      structured_outputs: { json: schema },
    });
    expect(await errorAnswer(completion)).toMatchObject({ status: 400, type: "ValidationException" });
    const converse = await send(
      "amazon.nova-pro-v1:0",
      {
        messages: [{ role: "user", content: [{ text: "x" }] }],
        outputConfig: { textFormat: { type: "json_schema", structure: { jsonSchema: { schema } } } },
      },
      "converse",
    );
    expect(await errorAnswer(converse)).toMatchObject({ status: 400, type: "ValidationException" });
  });

  it("answers a schema nested as deep as a body may be", async () => {
    let schema: Record<string, unknown> = { type: "string" };
    for (let level = 0; level < 40; level++) schema = { type: "object", properties: { a: schema }, required: ["a"] };
    const answer = await json(
      await send(emulatorModelId("llama"), {
        prompt: "x",
        response_format: { type: "json_schema", json_schema: { name: "deep", schema } },
      }),
    );
    expect(() => JSON.parse(String(answer.generation))).not.toThrow();
  });
});
