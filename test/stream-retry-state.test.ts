// A stream retried after an exception before its answer's first chunk starts that answer afresh:
// the frames before the exception went through the attempt's mapper (a think block closed, a text
// block opened) without making a chunk; the retry's answer is read by a new mapper, not one that
// believes it is partway through the failed one. An exception after the answer's first chunk is the
// stream's, however Bedrock's frames fall into reads (runtimes47 #1).
import { describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { chunkFrame, corruptMessageCrc, eventFrame, exceptionFrame } from "../emulator/frames.ts";
import {
  BedrockEdgeError,
  type BedrockOptions,
  type ChatCompletionChunk,
  type StreamingRequest,
  createBedrock,
} from "../src/index.ts";
import { concat, streamOf } from "./helpers/bytes.ts";
import { CONVERSE_MODEL } from "./helpers/emulated.ts";
import { errorOf } from "./helpers/errors.ts";

const R1 = "arn:aws:bedrock:us-east-1:123456789012:imported-model/abcd1234efgh";
const throttled = exceptionFrame("throttlingException", "Too many requests, please wait before trying again.");

/**
 * The library with a Bedrock whose n-th streamed answer is `attempts[n]`'s frames, in one read (or
 * one read a frame); and how many calls it took.
 */
function answering(
  attempts: readonly (readonly Uint8Array[])[],
  oneReadEach = false,
  models: BedrockOptions["models"] = {},
) {
  let calls = 0;
  const bedrock = createBedrock({
    models,
    endpoint: "http://bedrock.emulator",
    credentials: EMULATOR_CREDENTIALS,
    maxRetries: 1,
    retryBaseDelayMs: 0,
    fetch: async () => {
      const frames = attempts[calls++]!;
      return new Response(streamOf(oneReadEach ? [...frames] : [concat([...frames])]), {
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

/** A stream read until it fails: the chunks before its error, and the error. */
async function untilError<T>(stream: AsyncIterable<T>): Promise<{ chunks: T[]; error: BedrockEdgeError }> {
  const chunks: T[] = [];
  const error = await errorOf(async () => {
    for await (const chunk of stream) chunks.push(chunk);
  }, BedrockEdgeError);
  return { chunks, error };
}

const joined = (chunks: ChatCompletionChunk[], field: "content" | "reasoning_content") =>
  chunks.map((chunk) => (chunk.choices[0]?.delta as Record<string, unknown> | undefined)?.[field] ?? "").join("");

describe("a stream retried after an exception before its answer's first chunk", () => {
  it("deepseek_r1: the retry's reasoning is reasoning, though the failed attempt had closed its think block", async () => {
    const { bedrock, calls } = answering([
      [chunkFrame({ generation: "</think>\n\n", stop_reason: null }), throttled],
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

  // codereview47 #4: a failed attempt whose frames leave state in the mapper but make no chunk: the
  // route's stop cutter holds back a "\n" that may begin the stop "\n\n".
  it("converse: the retry's text is its own, though the failed attempt's stop cutter held text back", async () => {
    const { bedrock, calls } = answering([
      [
        eventFrame("messageStart", { role: "assistant" }),
        eventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "\n" } }),
        throttled,
      ],
      [
        eventFrame("messageStart", { role: "assistant" }),
        eventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "Bye." } }),
        eventFrame("contentBlockStop", { contentBlockIndex: 0 }),
        eventFrame("messageStop", { stopReason: "end_turn" }),
        eventFrame("metadata", { usage: { inputTokens: 5, outputTokens: 2, totalTokens: 7 } }),
      ],
    ]);
    const chunks = await chunksOf(
      await bedrock.chat.completions.create({
        model: `bedrock/converse/${CONVERSE_MODEL}`,
        messages: [{ role: "user", content: "Hi" }],
        stream: true,
        stop: ["\n\n"],
      }),
    );
    expect(calls()).toBe(2);
    expect(joined(chunks, "content")).toBe("Bye.");
  });
});

// runtimes47 #1: whether Bedrock's frames come in one read (Node's and Bun's fetch, for frames
// written together) or one read each (Deno's, workerd's) decided whether an exception after the
// answer's first chunk rejected create() (and was retried, the text dropped) or ended the stream
// after the text. It is the stream's either way: the chunks before it, then the error; sent once.
describe("an exception after the answer's first chunk", () => {
  const tools = [{ type: "function" as const, function: { name: "get_weather", parameters: { type: "object" } } }];
  const cases = [
    [
      "deepseek_r1",
      `bedrock/deepseek_r1/${R1}`,
      [chunkFrame({ generation: "first thoughts</think>\n\nHel", stop_reason: null }), throttled],
    ],
    [
      "converse, a tool call opened",
      `bedrock/converse/${CONVERSE_MODEL}`,
      [
        eventFrame("messageStart", { role: "assistant" }),
        eventFrame("contentBlockStart", {
          contentBlockIndex: 0,
          start: { toolUse: { toolUseId: "tooluse_1", name: "get_weather" } },
        }),
        eventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { toolUse: { input: '{"ci' } } }),
        throttled,
      ],
    ],
  ] as const;

  it.each(cases)(
    "%s: the chunks before it, then the error, sent once, in one read or one read a frame",
    async (_, model, frames) => {
      const outcomes = [];
      for (const whole of [true, false]) {
        const { bedrock, calls } = answering([frames], !whole);
        const stream = await bedrock.chat.completions.create({
          model,
          messages: [{ role: "user", content: "Hi" }],
          tools,
          stream: true,
        });
        const { chunks, error } = await untilError(stream);
        expect(error.status).toBe(429);
        expect(calls()).toBe(1);
        outcomes.push(chunks.map((chunk) => ({ ...chunk, id: "", created: 0 })));
      }
      expect(outcomes[0]!.length).toBeGreaterThan(1);
      expect(outcomes[0]).toEqual(outcomes[1]);
    },
  );
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
    const { chunks, error } = await untilError(stream);
    expect(error.status).toBe(429);
    expect(calls()).toBe(1);
    expect(joined(chunks, "content")).toBe("Hello.");
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
  });

  // codereview41 #3 had the throttle retried (the first choice's finish is not the answer's); since
  // runtimes47 #1 it is the stream's error after that choice's chunks, as in a later read.
  it("openai, n: 2: a throttle after the first choice's finish ends the stream with its error; sent once", async () => {
    const { bedrock, calls } = answering([
      [chunkFrame({ choices: [{ index: 0, delta: { content: "Hello." }, finish_reason: "stop" }] }), throttled],
      [chunkFrame({ choices: [{ index: 1, delta: { content: "Again." }, finish_reason: "stop" }] })],
    ]);
    const stream = await bedrock.chat.completions.create({
      model: `bedrock/openai/${R1}`,
      messages: [{ role: "user", content: "Hi" }],
      stream: true,
      n: 2,
    });
    const { chunks, error } = await untilError(stream);
    expect(error.status).toBe(429);
    expect(calls()).toBe(1);
    const text = (index: number) =>
      chunks.map((chunk) => chunk.choices.find((choice) => choice.index === index)?.delta.content ?? "").join("");
    expect([text(0), text(1)]).toEqual(["Hello.", ""]);
  });

  it("legacy completions (InvokeModel): the text, its finish, then the error; sent once", async () => {
    const { bedrock, calls } = answering([
      [chunkFrame({ generation: "Hello.", stop_reason: "stop" }), throttled],
      [chunkFrame(retried)],
    ]);
    const stream = await bedrock.completions.create({ model: `bedrock/llama/${R1}`, prompt: "Hi", stream: true });
    const { chunks, error } = await untilError(stream);
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
      const { chunks, error } = await untilError(stream);
      expect(error.status).toBe(first.at(-1) === throttled ? 429 : 502);
      expect(calls()).toBe(1);
      expect(joined(chunks, "content")).toBe("Hello.");
      expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
      expect(chunks.at(-1)?.service_tier).toBe(first.includes(metadata) ? "flex" : undefined);
    }
  });
});

// unicode51 U-01: the text a route holds back (a possible marker or stop) once the stream fails can
// no longer become one: it is the answer's text, and goes out before the error, as stream-reader.ts
// promises. A tool block cut off by the failure is no call, and is not sent as text either.
describe("a stream that fails after its first chunk: the text held back goes out before the error", () => {
  const boom = exceptionFrame("internalServerException", "boom");
  const pieces = (texts: string[]) =>
    texts.map((generation, index) =>
      chunkFrame(
        { generation, prompt_token_count: index ? null : 3, generation_token_count: index + 1, stop_reason: null },
        index,
      ),
    );
  const failed = async (model: string, frames: Uint8Array[], extra: Record<string, unknown> = {}) => {
    const { bedrock } = answering([frames], true);
    const stream = await bedrock.chat.completions.create({
      model,
      messages: [{ role: "user", content: "Hi" }],
      stream: true,
      ...extra,
    } as StreamingRequest);
    const { chunks, error } = await untilError(stream);
    expect(error.message).toBe("boom");
    const calls = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    return { content: joined(chunks, "content"), reasoning: joined(chunks, "reasoning_content"), calls };
  };
  const tools = [{ type: "function" as const, function: { name: "f", parameters: { type: "object" } } }];

  it("llama: a '<' that could begin <|eot_id|>", async () => {
    expect(await failed(`bedrock/llama/${R1}`, [...pieces(["Price: 5 <"]), boom])).toEqual({
      content: "Price: 5 <",
      reasoning: "",
      calls: [],
    });
  });

  it("deepseek_r1: a ' <' that could begin </think>, in the reasoning", async () => {
    expect(await failed(`bedrock/deepseek_r1/${R1}`, [...pieces(["a < b, so <"]), boom])).toEqual({
      content: "",
      reasoning: "a < b, so <",
      calls: [],
    });
  });

  it("qwen3: the text before a tool block the failure cut off, and not the block", async () => {
    expect(
      await failed(`bedrock/qwen3/${R1}`, [...pieces(["Let me look. <", 'tool_call>\n{"name": "f", "argu']), boom], {
        tools,
      }),
    ).toEqual({ content: "Let me look.", reasoning: "", calls: [] });
  });

  it("openai with a tool_parser: a '<' that could begin <tool_call>", async () => {
    const chunk = { choices: [{ index: 0, delta: { role: "assistant", content: "Price: 5 <" }, finish_reason: null }] };
    const models = { m: { model: `bedrock/openai/${R1}`, tool_parser: "qwen" as const } };
    const { bedrock } = answering([[chunkFrame(chunk), boom]], true, models);
    const stream = await bedrock.chat.completions.create({
      model: "m",
      messages: [{ role: "user", content: "Hi" }],
      tools,
      stream: true,
    });
    const { chunks, error } = await untilError(stream);
    expect(error.message).toBe("boom");
    expect(joined(chunks, "content")).toBe("Price: 5 <");
  });

  it("converse (a whitespace stop the route applies): a '\\n' that could begin the stop '\\n\\n'", async () => {
    const frames = [
      eventFrame("messageStart", { role: "assistant" }),
      eventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "Para one.\n" } }),
      boom,
    ];
    const claude = `bedrock/converse/${CONVERSE_MODEL}`;
    expect((await failed(claude, frames, { stop: ["\n\n"] })).content).toBe("Para one.\n");
  });
});
