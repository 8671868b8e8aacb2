// Bedrock's request formats through the Worker in workerd, driven by the official `openai`
// package: the openai route's logprobs, prompt logprobs, structured outputs, image limit and
// tool parser, and the template routes in wire_format openai_completion.
import OpenAI from "openai";
import type { ChatCompletionChunk, ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { errorOf } from "../helpers/errors.ts";
import { NULL_CHAT_PARAMS } from "../helpers/null-params.ts";
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
    // Plain logprobs on the openai route need a limit (plain_answer_too_large); the stream sets the same.
    const plain = await client.chat.completions.create({
      model: "openai",
      messages: USER_HELLO,
      logprobs: true,
      top_logprobs: 2,
      max_tokens: 64,
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
        max_tokens: 64,
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

describe("the template routes in wire_format openai_completion", () => {
  const forecast: OpenAI.ChatCompletionTool = {
    type: "function",
    function: {
      name: "get_forecast",
      parameters: {
        type: "object",
        properties: { city: { type: "string" }, days: { type: "integer", minimum: 1, maximum: 3 } },
        required: ["city", "days"],
        additionalProperties: false,
      },
    },
  };

  it("n and logprobs: one split choice each, logprobs in Chat Completions' shape, plain and streamed", async () => {
    const asks = { model: "qwen3-oc", messages: USER_HELLO, n: 2, seed: 5, logprobs: true, top_logprobs: 1 };
    const plain = await client.chat.completions.create(asks);
    expect(plain.choices.map((choice) => choice.index)).toEqual([0, 1]);
    for (const choice of plain.choices) {
      expect((choice.message as { reasoning_content?: string }).reasoning_content).toBeTruthy();
      expect(choice.message.content).toContain("Hello from the Bedrock emulator (qwen3)");
      const tokens = choice.logprobs!.content!.map((entry) => entry.token).join("");
      expect(tokens.endsWith(choice.message.content!)).toBe(true);
      expect(choice.logprobs!.content!.every((entry) => entry.top_logprobs.length === 1)).toBe(true);
    }
    const chunks = await chunksOf(await client.chat.completions.create({ ...asks, stream: true }));
    for (const index of [0, 1]) {
      const mine = chunks.flatMap((chunk) => chunk.choices.filter((choice) => choice.index === index));
      expect(mine.map((choice) => choice.delta.content ?? "").join("")).toBe(plain.choices[index]!.message.content);
      expect(mine.flatMap((choice) => choice.logprobs?.content ?? [])).toEqual(plain.choices[index]!.logprobs!.content);
      expect(mine.at(-1)?.finish_reason).toBe("stop");
    }
  });

  it("OpenAI's nullable parameters sent as null are not set, plain and streamed", async () => {
    const asked = { model: "qwen3-oc", messages: USER_HELLO, ...NULL_CHAT_PARAMS };
    const plain = await client.chat.completions.create(asked);
    expect(plain.choices.map((choice) => choice.message.content)).toEqual([
      expect.stringContaining("Hello from the Bedrock emulator (qwen3)"),
    ]);
    const chunks = await chunksOf(await client.chat.completions.create({ ...asked, stream: true }));
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("")).toBe(
      plain.choices[0]!.message.content,
    );
  });

  it("structured_outputs reaches the model: the answer is one of the choices", async () => {
    const completion = await client.chat.completions.create({
      model: "qwen3-oc",
      messages: USER_HELLO,
      structured_outputs: { choice: ["sunny", "rainy"] },
      chat_template_kwargs: { enable_thinking: false },
    } as ChatCompletionCreateParamsNonStreaming);
    expect(["sunny", "rainy"]).toContain(completion.choices[0]!.message.content);
  });

  it("a forced call's arguments are held to the function's schema, plain and streamed", async () => {
    const forced = {
      model: "qwen3-oc",
      messages: USER_HELLO,
      tools: [tools[0]!, forecast],
      tool_choice: { type: "function" as const, function: { name: "get_forecast" } },
    };
    const plain = await client.chat.completions.create(forced);
    const body = proxy.served.emulator.stats.lastBody(modelString("qwen3", "tool").split("/").slice(2).join("/"));
    expect((body as Record<string, unknown>).structured_outputs).toEqual({ json: forecast.function.parameters });
    expect(plain.choices[0]!.finish_reason).toBe("tool_calls");
    const call = plain.choices[0]!.message.tool_calls![0]!;
    expect(call.type === "function" && call.function.name).toBe("get_forecast");
    const args = JSON.parse(call.type === "function" ? call.function.arguments : "") as { city: unknown; days: number };
    expect(Object.keys(args).sort()).toEqual(["city", "days"]);
    expect(typeof args.city).toBe("string");
    expect(args.days >= 1 && args.days <= 3).toBe(true);

    const chunks = await chunksOf(await client.chat.completions.create({ ...forced, stream: true }));
    const calls = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    expect(calls.map((delta) => delta.function?.name)).toEqual(["get_forecast"]);
    expect(JSON.parse(calls[0]!.function!.arguments!)).toEqual(args);
    expect(chunks.map((chunk) => chunk.choices[0]?.finish_reason).find(Boolean)).toBe("tool_calls");
  });

  it("on bedrock_completion, logprobs are the SDK's BadRequestError naming the wire_format that returns them", async () => {
    const error = await errorOf(
      () => client.chat.completions.create({ model: "qwen3", messages: USER_HELLO, logprobs: true }),
      OpenAI.BadRequestError,
    );
    expect(error).toMatchObject({ status: 400, param: "logprobs", code: "unsupported_parameter" });
    expect(error.message).toContain('wire_format "openai_completion"');
  });
});
