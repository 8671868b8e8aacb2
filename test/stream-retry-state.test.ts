// A stream retried after an exception in the first read of its answer starts that answer afresh:
// a read may hold several frames, and those before the exception went through the attempt's
// mapper (a think block closed, a tool call opened) without reaching the caller; the retry's
// answer is read by a new mapper, not one that believes it is partway through the failed one.
import { describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { chunkFrame, corruptMessageCrc, eventFrame, exceptionFrame } from "../emulator/frames.ts";
import { BedrockEdgeError, type ChatCompletionChunk, type CompletionChunk, createBedrock } from "../src/index.ts";
import { concat, streamOf } from "./helpers/bytes.ts";
import { CONVERSE_MODEL } from "./helpers/emulated.ts";
import { errorOf } from "./helpers/errors.ts";

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

// An answer whose finish was read is Bedrock's whole answer, billed: a failure after it in the
// same first read (an exception frame, a corrupt frame) is the stream's error after the answer,
// not create()'s, and the call is not sent again (a retry would bill it twice and answer anew).
describe("a stream whose answer finished in its first read, then failed in that read", () => {
  const retried = { generation: "Retried.", stop_reason: "stop" };
  const chat = [
    ["llama", [chunkFrame({ generation: "Hello.", stop_reason: "stop" }), throttled], [chunkFrame(retried)]],
    [
      "openai",
      [chunkFrame({ choices: [{ index: 0, delta: { content: "Hello." }, finish_reason: "stop" }] }), throttled],
      [chunkFrame({ choices: [{ index: 0, delta: { content: "Retried." }, finish_reason: "stop" }] })],
    ],
  ] as const;

  it.each(chat)("%s (InvokeModel): the answer, its finish, then the error; sent once", async (route, first, second) => {
    const { bedrock, calls } = answering([first, second]);
    const stream = await bedrock.chat.completions.create({
      model: `bedrock/${route}/${R1}`,
      messages: [{ role: "user", content: "Hi" }],
      stream: true,
    });
    const chunks: ChatCompletionChunk[] = [];
    const error = await errorOf(async () => {
      for await (const chunk of stream) chunks.push(chunk);
    }, BedrockEdgeError);
    expect(error.status).toBe(429);
    expect(calls()).toBe(1);
    expect(joined(chunks, "content")).toBe("Hello.");
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
  });

  it("openai, n: 2: the first choice's finish alone is not the answer's: a throttle in that read is retried (codereview41 #3)", async () => {
    const { bedrock, calls } = answering([
      [chunkFrame({ choices: [{ index: 0, delta: { content: "Hello." }, finish_reason: "stop" }] }), throttled],
      [
        chunkFrame({
          choices: [
            { index: 0, delta: { content: "Retried." }, finish_reason: "stop" },
            { index: 1, delta: { content: "Again." }, finish_reason: "stop" },
          ],
        }),
      ],
    ]);
    const chunks = await chunksOf(
      await bedrock.chat.completions.create({
        model: `bedrock/openai/${R1}`,
        messages: [{ role: "user", content: "Hi" }],
        stream: true,
        n: 2,
      }),
    );
    expect(calls()).toBe(2);
    const text = (index: number) =>
      chunks.map((chunk) => chunk.choices.find((choice) => choice.index === index)?.delta.content ?? "").join("");
    expect([text(0), text(1)]).toEqual(["Retried.", "Again."]);
  });

  it("legacy completions (InvokeModel): the text, its finish, then the error; sent once", async () => {
    const { bedrock, calls } = answering([
      [chunkFrame({ generation: "Hello.", stop_reason: "stop" }), throttled],
      [chunkFrame(retried)],
    ]);
    const stream = await bedrock.completions.create({ model: `bedrock/llama/${R1}`, prompt: "Hi", stream: true });
    const chunks: CompletionChunk[] = [];
    const error = await errorOf(async () => {
      for await (const chunk of stream) chunks.push(chunk);
    }, BedrockEdgeError);
    expect(error.status).toBe(429);
    expect(calls()).toBe(1);
    expect(chunks.map((chunk) => chunk.choices[0]?.text).join("")).toBe("Hello.");
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
  });

  it("converse, its metadata read too: the answer, its finish naming the tier, then the error; sent once", async () => {
    const answer = [
      eventFrame("messageStart", { role: "assistant" }),
      eventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "Hello." } }),
      eventFrame("contentBlockStop", { contentBlockIndex: 0 }),
      eventFrame("messageStop", { stopReason: "end_turn" }),
    ];
    const metadata = eventFrame("metadata", {
      usage: { inputTokens: 5, outputTokens: 2, totalTokens: 7 },
      serviceTier: { type: "flex" },
    });
    for (const first of [
      [...answer, metadata, throttled],
      [...answer, throttled],
      [...answer, corruptMessageCrc(metadata)],
    ]) {
      const { bedrock, calls } = answering([first, [...answer, metadata]]);
      const stream = await bedrock.chat.completions.create({
        model: `bedrock/converse/${CONVERSE_MODEL}`,
        messages: [{ role: "user", content: "Hi" }],
        stream: true,
        service_tier: "flex",
      });
      const chunks: ChatCompletionChunk[] = [];
      const error = await errorOf(async () => {
        for await (const chunk of stream) chunks.push(chunk);
      }, BedrockEdgeError);
      expect(error.status).toBe(first.at(-1) === throttled ? 429 : 502);
      expect(calls()).toBe(1);
      expect(joined(chunks, "content")).toBe("Hello.");
      expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
      expect(chunks.at(-1)?.service_tier).toBe(first.includes(metadata) ? "flex" : undefined);
    }
  });
});
