// Bedrock's request formats through the Worker in workerd, driven by the official `openai`
// package: the openai route's logprobs, prompt logprobs, structured outputs, image limit and
// tool parser, and the template routes in wire_format openai_completion.
import OpenAI from "openai";
import type { ChatCompletionChunk, ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { errorOf } from "../helpers/errors.ts";
import { modelString, startWorkerdProxy, TEST_MODELS, USER_HELLO, type WorkerdProxy } from "./harness.ts";

const MODELS = {
  ...TEST_MODELS,
  "openai-qwen-tools": { model: modelString("openai").replace(/openai$/, "qwen3.tool"), tool_parser: "qwen" },
  "qwen3-oc": { model: modelString("qwen3", "tool"), wire_format: "openai_completion" },
};

const tools: OpenAI.ChatCompletionTool[] = [
  {
    type: "function",
    function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
  },
];

let proxy: WorkerdProxy;
let client: OpenAI;

beforeAll(async () => {
  proxy = await startWorkerdProxy({ main: { MODELS: JSON.stringify(MODELS) } });
  client = proxy.client();
});
afterAll(() => proxy?.close());
beforeEach(() => proxy.served.emulator.stats.reset());

async function chunksOf(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

describe("the openai route", () => {
  it("logprobs, plain and streamed, in Chat Completions' shape", async () => {
    const plain = await client.chat.completions.create({
      model: "openai",
      messages: USER_HELLO,
      logprobs: true,
      top_logprobs: 2,
    });
    const content = plain.choices[0]!.logprobs!.content!;
    expect(content.map((entry) => entry.token).join("")).toBe(plain.choices[0]!.message.content);
    expect(content.every((entry) => entry.top_logprobs.length === 2 && Array.isArray(entry.bytes))).toBe(true);
    const chunks = await chunksOf(
      await client.chat.completions.create({
        model: "openai",
        messages: USER_HELLO,
        logprobs: true,
        top_logprobs: 2,
        stream: true,
      }),
    );
    expect(chunks.flatMap((chunk) => chunk.choices[0]?.logprobs?.content ?? [])).toEqual(content);
  });

  it("prompt_logprobs and structured_outputs, Bedrock's extensions, reach the model and come back", async () => {
    const extended = {
      model: "openai",
      messages: USER_HELLO,
      prompt_logprobs: 1,
      structured_outputs: { choice: ["sunny", "rainy"] },
    } as ChatCompletionCreateParamsNonStreaming;
    const completion = await client.chat.completions.create(extended);
    expect(["sunny", "rainy"]).toContain(completion.choices[0]!.message.content);
    expect((completion as { prompt_logprobs?: unknown[] }).prompt_logprobs?.[0]).toBeNull();
  });

  it("a fourth image is the SDK's BadRequestError naming the limit", async () => {
    const image = { type: "image_url" as const, image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } };
    const error = await errorOf(
      () =>
        client.chat.completions.create({
          model: "openai",
          messages: [{ role: "user", content: [{ type: "text", text: "Compare" }, image, image, image, image] }],
        }),
      OpenAI.BadRequestError,
    );
    expect(error).toMatchObject({ status: 400, param: "messages", code: "too_many_images" });
  });

  it("tool_parser: tool calls written as text arrive as tool_calls, plain and streamed", async () => {
    const plain = await client.chat.completions.create({ model: "openai-qwen-tools", messages: USER_HELLO, tools });
    expect(plain.choices[0]!.finish_reason).toBe("tool_calls");
    const call = plain.choices[0]!.message.tool_calls![0]!;
    expect(call.type === "function" && call.function.name).toBe("get_weather");
    const chunks = await chunksOf(
      await client.chat.completions.create({ model: "openai-qwen-tools", messages: USER_HELLO, tools, stream: true }),
    );
    const calls = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    expect(calls.map((delta) => delta.function?.name)).toEqual(["get_weather"]);
    expect(chunks.map((chunk) => chunk.choices[0]?.finish_reason).find(Boolean)).toBe("tool_calls");
  });
});
