// A stream retried after an exception in the first read of its answer starts that answer afresh:
// a read may hold several frames, and those before the exception went through the attempt's
// mapper (a think block closed, a tool call opened) without reaching the caller; the retry's
// answer is read by a new mapper, not one that believes it is partway through the failed one.
import { describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { chunkFrame, eventFrame, exceptionFrame } from "../emulator/frames.ts";
import { type ChatCompletionChunk, createBedrock } from "../src/index.ts";
import { concat, streamOf } from "./helpers/bytes.ts";
import { CONVERSE_MODEL } from "./helpers/emulated.ts";

const R1 = "arn:aws:bedrock:us-east-1:123456789012:imported-model/abcd1234efgh";
const throttled = exceptionFrame("throttlingException", "Too many requests, please wait before trying again.");

/** The library with a Bedrock whose n-th streamed answer is `attempts[n]`'s frames in one read; and how many calls it took. */
function answering(attempts: readonly (readonly Uint8Array[])[]) {
  let calls = 0;
  const bedrock = createBedrock({
    endpoint: "http://bedrock.emulator",
    credentials: EMULATOR_CREDENTIALS,
    maxRetries: 1,
    retryBaseDelayMs: 0,
    fetch: async () => {
      const frames = attempts[calls++]!;
      return new Response(streamOf([concat([...frames])]), {
        headers: { "content-type": "application/vnd.amazon.eventstream" },
      });
    },
  });
  return { bedrock, calls: () => calls };
}

async function chunksOf(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

const joined = (chunks: ChatCompletionChunk[], field: "content" | "reasoning_content") =>
  chunks.map((chunk) => (chunk.choices[0]?.delta as Record<string, unknown> | undefined)?.[field] ?? "").join("");

describe("a stream retried after an exception in its first read", () => {
  it("deepseek_r1: the retry's reasoning is reasoning, though the failed read had closed its think block", async () => {
    const { bedrock, calls } = answering([
      [chunkFrame({ generation: "first thoughts</think>\n\nHel", stop_reason: null }), throttled],
      [
        chunkFrame({ generation: "second thoughts</think>\n\n", stop_reason: null }, 0),
        chunkFrame({ generation: "Hello.", stop_reason: "stop" }, 1),
      ],
    ]);
    const chunks = await chunksOf(
      await bedrock.chat.completions.create({
        model: `bedrock/deepseek_r1/${R1}`,
        messages: [{ role: "user", content: "Hi" }],
        stream: true,
      }),
    );
    expect(calls()).toBe(2);
    expect(joined(chunks, "reasoning_content")).toBe("second thoughts");
    expect(joined(chunks, "content")).toBe("Hello.");
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
  });

  it("converse: the retry's text is text, though the failed read had opened a tool call on its block", async () => {
    const { bedrock, calls } = answering([
      [
        eventFrame("messageStart", { role: "assistant" }),
        eventFrame("contentBlockStart", {
          contentBlockIndex: 0,
          start: { toolUse: { toolUseId: "tooluse_1", name: "get_weather" } },
        }),
        eventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { toolUse: { input: '{"ci' } } }),
        throttled,
      ],
      [
        eventFrame("messageStart", { role: "assistant" }),
        eventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "Hello." } }),
        eventFrame("contentBlockStop", { contentBlockIndex: 0 }),
        eventFrame("messageStop", { stopReason: "end_turn" }),
        eventFrame("metadata", { usage: { inputTokens: 5, outputTokens: 2, totalTokens: 7 } }),
      ],
    ]);
    const chunks = await chunksOf(
      await bedrock.chat.completions.create({
        model: `bedrock/converse/${CONVERSE_MODEL}`,
        messages: [{ role: "user", content: "Hi" }],
        tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object" } } }],
        stream: true,
      }),
    );
    expect(calls()).toBe(2);
    expect(joined(chunks, "content")).toBe("Hello.");
    expect(chunks.some((chunk) => chunk.choices[0]?.delta.tool_calls)).toBe(false);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
  });
});
