// The Worker in workerd, driven by the official `openai` package: every route, plain and
// streamed, reasoning, tool calls, images, usage, /v1/models and /health.
import OpenAI from "openai";
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { errorOf } from "../helpers/errors.ts";
import { NULL_CHAT_PARAMS } from "../helpers/null-params.ts";
import { emulatorModelId } from "../../emulator/model-id.ts";
import { startWorkerdProxy, TEST_KEYS, TEST_MODELS, USER_HELLO, type WorkerdProxy } from "./harness.ts";

let proxy: WorkerdProxy;
let client: OpenAI;

beforeAll(async () => {
  proxy = await startWorkerdProxy();
  client = proxy.client();
});
afterAll(() => proxy?.close());
beforeEach(() => proxy.served.emulator.stats.reset());

/** The streamed deltas of one call, joined. */
async function collect(stream: AsyncIterable<ChatCompletionChunk>) {
  const chunks: ChatCompletionChunk[] = [];
  let content = "";
  let reasoning = "";
  for await (const chunk of stream) {
    chunks.push(chunk);
    const delta = chunk.choices[0]?.delta as
      | (ChatCompletionChunk.Choice.Delta & { reasoning_content?: string })
      | undefined;
    content += delta?.content ?? "";
    reasoning += delta?.reasoning_content ?? "";
  }
  const finish = chunks.map((chunk) => chunk.choices[0]?.finish_reason).find(Boolean);
  return { chunks, content, reasoning, finish };
}

type WithReasoning = { reasoning_content?: string | null };

const ROUTE_MODELS = [
  ["r1", "r1"],
  ["llama", "llama"],
  ["qwen3", "qwen3"],
  ["qwen2", "qwen2"],
  ["openai", "openai"],
] as const;

describe("every route, plain and streamed", () => {
  it.each(ROUTE_MODELS)("%s answers a plain completion", async (name, format) => {
    const completion = await client.chat.completions.create({ model: name, messages: USER_HELLO });
    expect(completion.object).toBe("chat.completion");
    expect(completion.model).toBe(name);
    expect(completion.choices[0]!.message.content).toContain(`Hello from the Bedrock emulator (${format})`);
    expect(completion.choices[0]!.finish_reason).toBe("stop");
    expect(completion.usage!.prompt_tokens).toBeGreaterThan(0);
    expect(completion.usage!.total_tokens).toBe(completion.usage!.prompt_tokens + completion.usage!.completion_tokens);
  });

  it.each(ROUTE_MODELS)("%s streams the same answer chunk by chunk", async (name, format) => {
    const stream = await client.chat.completions.create({ model: name, messages: USER_HELLO, stream: true });
    const { chunks, content, finish } = await collect(stream);
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.every((chunk) => chunk.object === "chat.completion.chunk" && chunk.model === name)).toBe(true);
    expect(content).toContain(`Hello from the Bedrock emulator (${format})`);
    expect(finish).toBe("stop");
    // Without stream_options.include_usage no usage chunk reaches the client, nor a usage key:
    // the proxy asks the library for usage all the same, for its log line.
    expect(chunks.some((chunk) => "usage" in chunk)).toBe(false);
  });

  it.each(ROUTE_MODELS)("%s reads OpenAI's nullable parameters sent as null as not set", async (name, format) => {
    const asked = { model: name, messages: USER_HELLO, ...NULL_CHAT_PARAMS };
    const completion = await client.chat.completions.create(asked);
    expect(completion.choices[0]!.message.content).toContain(`Hello from the Bedrock emulator (${format})`);
    const { content, finish } = await collect(await client.chat.completions.create({ ...asked, stream: true }));
    expect(content).toBe(completion.choices[0]!.message.content);
    expect(finish).toBe("stop");
  });
});

describe("reasoning_content", () => {
  it("deepseek_r1 splits the reasoning from the answer, plain and streamed", async () => {
    const completion = await client.chat.completions.create({ model: "r1", messages: USER_HELLO });
    const message = completion.choices[0]!.message as (typeof completion.choices)[0]["message"] & WithReasoning;
    expect(message.reasoning_content).toMatch(/^Okay, the user wants/);
    expect(message.content).toMatch(/^Hello from the Bedrock emulator \(r1\)/);

    const streamed = await collect(
      await client.chat.completions.create({ model: "r1", messages: USER_HELLO, stream: true }),
    );
    expect(streamed.reasoning).toBe(message.reasoning_content);
    expect(streamed.content).toBe(message.content);
  });

  it("qwen3 thinking goes to reasoning_content, plain and streamed", async () => {
    const completion = await client.chat.completions.create({ model: "qwen3", messages: USER_HELLO });
    const message = completion.choices[0]!.message as (typeof completion.choices)[0]["message"] & WithReasoning;
    expect(message.reasoning_content?.length).toBeGreaterThan(10);
    expect(message.content).not.toContain("<think>");

    const streamed = await collect(
      await client.chat.completions.create({ model: "qwen3", messages: USER_HELLO, stream: true }),
    );
    expect(streamed.reasoning).toBe(message.reasoning_content);
    expect(streamed.content).toBe(message.content);
  });
});

const WEATHER_TOOL = {
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "The weather in a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};
const WEATHER_QUESTION = [{ role: "user" as const, content: "What is the weather in Paris? Use get_weather." }];

describe("tool calls", () => {
  it.each(["qwen3-tool", "openai-tool"])("%s answers with a tool call", async (model) => {
    const completion = await client.chat.completions.create({
      model,
      messages: WEATHER_QUESTION,
      tools: [WEATHER_TOOL],
    });
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe("tool_calls");
    const call = choice.message.tool_calls![0]!;
    expect(call.type).toBe("function");
    if (call.type !== "function") throw new Error("not a function call");
    expect(call.function.name).toBe("get_weather");
    expect(JSON.parse(call.function.arguments)).toEqual({ city: "Paris" });
    expect(call.id).toBeTruthy();
  });

  it.each(["qwen3-tool", "openai-tool"])("%s streams a tool call the SDK can assemble", async (model) => {
    const stream = await client.chat.completions.create({
      model,
      messages: WEATHER_QUESTION,
      tools: [WEATHER_TOOL],
      stream: true,
    });
    const { chunks, finish } = await collect(stream);
    const calls = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    expect(calls[0]!.function!.name).toBe("get_weather");
    const args = calls.map((call) => call.function?.arguments ?? "").join("");
    expect(JSON.parse(args)).toEqual({ city: "Paris" });
    expect(finish).toBe("tool_calls");
  });

  it("the SDK's stream helper assembles the streamed tool call too", async () => {
    const runner = client.chat.completions.stream({
      model: "qwen3-tool",
      messages: WEATHER_QUESTION,
      tools: [WEATHER_TOOL],
    });
    const final = await runner.finalChatCompletion();
    const call = final.choices[0]!.message.tool_calls![0]!;
    if (call.type !== "function") throw new Error("not a function call");
    expect(call.function.name).toBe("get_weather");
    expect(JSON.parse(call.function.arguments)).toEqual({ city: "Paris" });
  });
});

// 1x1 PNGs, different colours: real data URLs, small enough for the test body limit.
const RED =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
const BLUE =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPj/HwADBwIAMCbHYQAAAABJRU5ErkJggg==";

describe("images on the openai route", () => {
  it("passes several data-URL images per message through to Bedrock, in order", async () => {
    const content = [
      { type: "text" as const, text: "Compare these two pictures." },
      { type: "image_url" as const, image_url: { url: RED } },
      { type: "image_url" as const, image_url: { url: BLUE, detail: "low" as const } },
    ];
    const completion = await client.chat.completions.create({
      model: "openai-echo",
      messages: [{ role: "user", content }],
    });
    expect(completion.choices[0]!.message.content).toBe("Compare these two pictures.");
    const sent = proxy.served.emulator.stats.lastBody(emulatorModelId("openai", ["echo"])) as {
      messages: { content: unknown }[];
      model: string;
      stream?: unknown;
    };
    expect(sent.messages[0]!.content).toEqual(content);
    expect(sent.model).toBe(emulatorModelId("openai", ["echo"]));
    expect(sent.stream).toBeUndefined();
  });

  it("streams an answer about images", async () => {
    const stream = await client.chat.completions.create({
      model: "openai",
      stream: true,
      messages: [
        {
          role: "user",
          content: [
            { type: "image_url", image_url: { url: RED } },
            { type: "text", text: "What is this?" },
          ],
        },
        { role: "assistant", content: "A red pixel." },
        {
          role: "user",
          content: [
            { type: "image_url", image_url: { url: BLUE } },
            { type: "image_url", image_url: { url: RED } },
          ],
        },
      ],
    });
    const { content, finish } = await collect(stream);
    expect(content).toContain("Hello from the Bedrock emulator (openai)");
    expect(finish).toBe("stop");
  });

  it("openai-think streams reasoning_content deltas", async () => {
    const streamed = await collect(
      await client.chat.completions.create({ model: "openai-think", messages: USER_HELLO, stream: true }),
    );
    expect(streamed.reasoning.length).toBeGreaterThan(10);
    expect(streamed.content).toContain("Hello from the Bedrock emulator (openai)");
  });
});

describe("stream_options.include_usage", () => {
  it.each(["r1", "qwen2", "openai"])("%s ends with one usage chunk (empty choices) before [DONE]", async (model) => {
    const stream = await client.chat.completions.create({
      model,
      messages: USER_HELLO,
      stream: true,
      stream_options: { include_usage: true },
    });
    const { chunks } = await collect(stream);
    const last = chunks[chunks.length - 1]!;
    expect(last.choices).toEqual([]);
    expect(last.usage!.prompt_tokens).toBeGreaterThan(0);
    expect(last.usage!.completion_tokens).toBeGreaterThan(0);
    expect(chunks.filter((chunk) => chunk.usage)).toHaveLength(1);
    // As OpenAI's: every chunk before it says usage: null, "not yet" rather than "not asked".
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
  });
});

describe("GET /v1/models and /health", () => {
  it("lists the public names, never an ARN", async () => {
    const page = await client.models.list();
    const ids = page.data.map((model) => model.id);
    expect(ids).toEqual(Object.keys(TEST_MODELS));
    expect(page.data[0]).toMatchObject({ object: "model", owned_by: "bedrock-edge" });
    const raw = await (
      await fetch(`${proxy.url()}/v1/models`, { headers: { authorization: "Bearer sk-test-two" } })
    ).text();
    expect(raw).not.toMatch(/arn:|imported-model|bedrock\//);
  });

  it("models.retrieve() finds a configured name and 404s anything else", async () => {
    expect(await client.models.retrieve("qwen3-tool")).toMatchObject({
      id: "qwen3-tool",
      object: "model",
      owned_by: "bedrock-edge",
    });
    await errorOf(() => client.models.retrieve("gpt-4o"), OpenAI.NotFoundError);
    await errorOf(
      () => proxy.client("main", { apiKey: "sk-wrong" }).models.retrieve("qwen3-tool"),
      OpenAI.AuthenticationError,
    );
  });

  it("/health answers ok without a key, and how many models there are to a key of PROXY_API_KEYS", async () => {
    const response = await fetch(`${proxy.url()}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
    const operator = await fetch(`${proxy.url()}/health`, { headers: { authorization: `Bearer ${TEST_KEYS[0]}` } });
    expect(await operator.json()).toEqual({ status: "ok", models: Object.keys(TEST_MODELS).length });
  });

  it("/chat/completions (no /v1) works too", async () => {
    const response = await fetch(`${proxy.url()}/chat/completions`, {
      method: "POST",
      headers: { "x-api-key": "sk-test-two", "content-type": "application/json" },
      body: JSON.stringify({ model: "llama", messages: USER_HELLO }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { object: string }).object).toBe("chat.completion");
  });
});
