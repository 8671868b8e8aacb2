// The converse route through the Worker in workerd, driven by the official `openai` package:
// plain and streamed, tools with streamed arguments, images, documents, reasoning, stop reasons,
// usage, faults, and the region a bare model id needs.
import OpenAI from "openai";
import type { ChatCompletionChunk, ChatCompletionTool } from "openai/resources/chat/completions";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { REASONING_TEXT } from "../../emulator/answers.ts";
import { NULL_CHAT_PARAMS } from "../helpers/null-params.ts";
import { converseModelId } from "../../emulator/converse-model-id.ts";
import { modelString, startWorkerdProxy, TEST_KEYS, TEST_MODELS, USER_HELLO, type WorkerdProxy } from "./harness.ts";

const BARE = "bedrock/converse/us.amazon.nova-pro-v1:0";
const MODELS = {
  ...TEST_MODELS,
  converse: modelString("converse"),
  "converse-tool": modelString("converse", "tool"),
  "converse-think": modelString("converse", "think"),
  "converse-length": modelString("converse", "length"),
  "converse-guardrail": modelString("converse", "guardrail"),
  "converse-cache": modelString("converse", "cache"),
  "converse-throttled-once": modelString("converse", "throttle1"),
  "converse-midstream": modelString("converse", "midstream-throttlingException4"),
  "converse-reasoning": { model: modelString("converse"), reasoning_budget: 2048 },
};
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
const GREETING = /^Hello from the Bedrock emulator \(.+\)\. Your last message had \d+ characters\.$/;
const tools: ChatCompletionTool[] = [
  {
    type: "function",
    function: {
      name: "get_weather",
      parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    },
  },
];

type Extras = { reasoning_content?: string; thinking_blocks?: unknown[] };

let proxy: WorkerdProxy;
let client: OpenAI;

beforeAll(async () => {
  proxy = await startWorkerdProxy({
    main: { MODELS: JSON.stringify(MODELS) },
    // A bare foundation id runs in AWS_REGION; without one the deployment is told what to set.
    regional: { MODELS: JSON.stringify({ nova: BARE }), AWS_REGION: "eu-west-1" },
    regionless: { MODELS: JSON.stringify({ nova: BARE }) },
  });
  client = proxy.client();
});
afterAll(() => proxy?.close());
beforeEach(() => proxy.served.emulator.stats.reset());

async function collect(stream: AsyncIterable<ChatCompletionChunk>) {
  let content = "";
  let reasoning = "";
  let finish: string | null = null;
  const calls: Array<{ id?: string; name?: string; arguments: string }> = [];
  let chunks = 0;
  let usage: ChatCompletionChunk["usage"];
  for await (const chunk of stream) {
    chunks++;
    const delta = chunk.choices[0]?.delta as (ChatCompletionChunk.Choice.Delta & Extras) | undefined;
    content += delta?.content ?? "";
    reasoning += delta?.reasoning_content ?? "";
    for (const call of delta?.tool_calls ?? []) {
      const known = calls[call.index];
      if (known) known.arguments += call.function?.arguments ?? "";
      else calls[call.index] = { id: call.id, name: call.function?.name, arguments: call.function?.arguments ?? "" };
    }
    finish = chunk.choices[0]?.finish_reason ?? finish;
    usage = chunk.usage ?? usage;
  }
  return { content, reasoning, finish, calls, chunks, usage };
}

describe("converse through the Worker", () => {
  it("answers plain and streamed alike", async () => {
    const plain = await client.chat.completions.create({ model: "converse", messages: USER_HELLO });
    expect(plain.choices[0]!.message.content).toMatch(GREETING);
    expect(plain.choices[0]!.finish_reason).toBe("stop");
    expect(plain.usage!.total_tokens).toBe(plain.usage!.prompt_tokens + plain.usage!.completion_tokens);
    const streamed = await collect(
      await client.chat.completions.create({
        model: "converse",
        messages: USER_HELLO,
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    expect(streamed.content).toBe(plain.choices[0]!.message.content);
    expect(streamed.finish).toBe("stop");
    expect(streamed.chunks).toBeGreaterThan(5);
    expect(streamed.usage).toEqual(plain.usage);
    expect(proxy.served.emulator.stats.requests.map((request) => request.path.split("/").at(-1))).toEqual([
      "converse",
      "converse-stream",
    ]);
  });

  it("reads OpenAI's nullable parameters sent as null as not set, plain and streamed", async () => {
    const asked = { model: "converse", messages: USER_HELLO, ...NULL_CHAT_PARAMS };
    const plain = await client.chat.completions.create(asked);
    expect(plain.choices[0]!.message.content).toMatch(GREETING);
    const streamed = await collect(await client.chat.completions.create({ ...asked, stream: true }));
    expect(streamed.content).toBe(plain.choices[0]!.message.content);
  });

  it("tool calls, with the arguments streamed in fragments under one index; the result goes back", async () => {
    const messages = [{ role: "user" as const, content: "Weather in Paris?" }];
    const plain = await client.chat.completions.create({ model: "converse-tool", messages, tools });
    const call = plain.choices[0]!.message.tool_calls![0]!;
    expect(plain.choices[0]!.finish_reason).toBe("tool_calls");
    expect(call.type === "function" && JSON.parse(call.function.arguments)).toEqual({ city: "Paris" });
    const streamed = await collect(
      await client.chat.completions.create({ model: "converse-tool", messages, tools, stream: true }),
    );
    expect(streamed.finish).toBe("tool_calls");
    expect(streamed.calls).toEqual([{ id: call.id, name: "get_weather", arguments: expect.any(String) }]);
    expect(JSON.parse(streamed.calls[0]!.arguments)).toEqual({ city: "Paris" });

    const answer = await client.chat.completions.create({
      model: "converse-tool",
      tools,
      messages: [...messages, plain.choices[0]!.message, { role: "tool", tool_call_id: call.id, content: "sunny" }],
    });
    expect(answer.choices[0]!.finish_reason).toBe("stop");
    expect(answer.choices[0]!.message.content).toMatch(/sunny/);
  });

  it("images as data URLs", async () => {
    const completion = await client.chat.completions.create({
      model: "converse",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is it?" },
            { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } },
          ],
        },
      ],
    });
    expect(completion.choices[0]!.message.content).toMatch(GREETING);
  });

  it("reasoning comes back as reasoning_content and signed thinking_blocks, plain and streamed", async () => {
    const plain = await client.chat.completions.create({ model: "converse-think", messages: USER_HELLO });
    const message = plain.choices[0]!.message as (typeof plain.choices)[0]["message"] & Extras;
    expect(message.reasoning_content).toBe(REASONING_TEXT);
    expect(message.thinking_blocks).toEqual([
      { type: "thinking", thinking: REASONING_TEXT, signature: expect.any(String) },
    ]);
    const streamed = await collect(
      await client.chat.completions.create({ model: "converse-think", messages: USER_HELLO, stream: true }),
    );
    expect(streamed.reasoning).toBe(REASONING_TEXT);
  });

  it("reasoning_budget and reasoning_effort reach Converse as Claude's thinking", async () => {
    await client.chat.completions.create({ model: "converse-reasoning", messages: USER_HELLO });
    const sent = () =>
      proxy.served.emulator.stats.lastBody(converseModelId(MODELS.converse.slice("bedrock/converse/".length))) as {
        additionalModelRequestFields?: unknown;
      };
    expect(sent().additionalModelRequestFields).toEqual({ thinking: { type: "enabled", budget_tokens: 2048 } });
    await client.chat.completions.create({ model: "converse", messages: USER_HELLO, reasoning_effort: "high" });
    expect(sent().additionalModelRequestFields).toEqual({ thinking: { type: "enabled", budget_tokens: 16384 } });
  });

  it("stop reasons: length, a guardrail's content_filter", async () => {
    const cut = await client.chat.completions.create({ model: "converse-length", messages: USER_HELLO, max_tokens: 3 });
    expect(cut.choices[0]!.finish_reason).toBe("length");
    const blocked = await collect(
      await client.chat.completions.create({ model: "converse-guardrail", messages: USER_HELLO, stream: true }),
    );
    expect(blocked.finish).toBe("content_filter");
  });

  it("cached prompt tokens in usage.prompt_tokens_details", async () => {
    const completion = await client.chat.completions.create({ model: "converse-cache", messages: USER_HELLO });
    expect(completion.usage!.prompt_tokens_details).toEqual({
      cached_tokens: expect.any(Number),
      cache_write_tokens: expect.any(Number),
    });
  });

  it("cache_control marks, as Claude-minded clients send them, reach Bedrock as cachePoint blocks", async () => {
    const mark = { cache_control: { type: "ephemeral" } };
    await client.chat.completions.create({
      model: "converse",
      messages: [
        { role: "system", content: [{ type: "text", text: "Be brief.", ...mark }] },
        { role: "user", content: [{ type: "text", text: "Hello", ...mark }] },
      ],
      tools: [{ ...tools[0]!, ...mark }],
    } as unknown as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming);
    const sent = proxy.served.emulator.stats.lastBody(
      converseModelId(MODELS.converse.slice("bedrock/converse/".length)),
    ) as { system: unknown[]; messages: Array<{ content: unknown[] }>; toolConfig: { tools: unknown[] } };
    const point = { cachePoint: { type: "default" } };
    expect(sent.system).toEqual([{ text: "Be brief." }, point]);
    expect(sent.messages[0]!.content).toEqual([{ text: "Hello" }, point]);
    expect(sent.toolConfig.tools.at(-1)).toEqual(point);
  });

  it("a file part, as the openai package sends a PDF, reaches Bedrock as a document block; other routes refuse it", async () => {
    const pdf = btoa("%PDF-1.4\n%%EOF\n");
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
      {
        role: "user",
        content: [
          { type: "text", text: "What does this report say?" },
          { type: "file", file: { file_data: `data:application/pdf;base64,${pdf}`, filename: "report.pdf" } },
        ],
      },
    ];
    const completion = await client.chat.completions.create({ model: "converse", messages });
    expect(completion.choices[0]!.message.content).toMatch(GREETING);
    const sent = proxy.served.emulator.stats.lastBody(
      converseModelId(MODELS.converse.slice("bedrock/converse/".length)),
    ) as { messages: Array<{ content: unknown[] }> };
    expect(sent.messages[0]!.content).toEqual([
      { text: "What does this report say?" },
      { document: { format: "pdf", name: "report", source: { bytes: pdf } } },
    ]);
    const refused = await client.chat.completions
      .create({ model: "llama", messages })
      .catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect(refused).toMatchObject({ status: 400, param: "messages[0].content[1]" });
    expect((refused as Error).message).toContain("the llama route takes no files");
  });

  it("refusals are the SDK's BadRequestError naming the parameter", async () => {
    const error = await client.chat.completions
      .create({ model: "converse", messages: USER_HELLO, logprobs: true })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, param: "logprobs", code: "unsupported_parameter" });
    expect(proxy.served.emulator.stats.requests).toHaveLength(0);
  });

  it("throttling is retried; an exception mid-stream reaches the client as an SSE error", async () => {
    const retried = await client.chat.completions.create({ model: "converse-throttled-once", messages: USER_HELLO });
    expect(retried.choices[0]!.message.content).toMatch(GREETING);
    const stream = await client.chat.completions.create({
      model: "converse-midstream",
      messages: USER_HELLO,
      stream: true,
    });
    let content = "";
    const error = await (async () => {
      for await (const chunk of stream) content += chunk.choices[0]?.delta.content ?? "";
    })().catch((caught: unknown) => caught);
    expect(content).toMatch(/^Hello/);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ code: "rate_limit_exceeded" });
  });

  it("a bare model id runs in AWS_REGION; without AWS_REGION /health says what to set", async () => {
    const regional = proxy.client("regional");
    const completion = await regional.chat.completions.create({ model: "nova", messages: USER_HELLO });
    expect(completion.choices[0]!.message.content).toMatch(GREETING);
    const health = await fetch(`${proxy.url("regionless")}/health`, {
      headers: { authorization: `Bearer ${TEST_KEYS[0]}` },
    });
    expect(health.status).toBe(503);
    expect(JSON.stringify(await health.json())).toMatch(/MODELS\[\\"nova\\"\].*names no region: set AWS_REGION/);
  });
});
