// POST /v1/responses through the Worker in workerd: what goes over the wire (JSON, and SSE with
// named events and no [DONE]) validated against OpenAI's schemas on every route, the official
// SDK's responses.create() and responses.stream(), tools, refusals, a cold model, a failure
// mid-stream and the log line.
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { assertConforms } from "../conformance/openapi.ts";
import { model } from "../helpers/emulated.ts";
import { errorOf } from "../helpers/errors.ts";
import { eventually, rawSse, startWorkerdProxy, TEST_KEYS, TEST_MODELS, type WorkerdProxy } from "./harness.ts";
import { NULL_RESPONSE_PARAMS } from "../helpers/null-params.ts";
import { RESPONSES_WEATHER_TOOL as weather } from "../helpers/tool-calls.ts";

let proxy: WorkerdProxy;
let client: OpenAI;

beforeAll(async () => {
  // The harness's models, and the converse route's (a foundation model, its region in the ARN),
  // one of them with prompt caching.
  proxy = await startWorkerdProxy({ main: { MODELS: JSON.stringify(modelsWithConverse()) } });
  client = proxy.client();
});
afterAll(() => proxy?.close());

function modelsWithConverse(): Record<string, string> {
  return { ...TEST_MODELS, converse: model("converse"), "converse-cache": model("converse", "cache") };
}
beforeEach(() => proxy.served.emulator.stats.reset());

const ROUTES = ["r1", "llama", "qwen3", "qwen2", "openai", "converse"] as const;

/** A POST to the proxy, its answer read whole as text (rawSse reads any answer so). */
function post(body: unknown, path = "/v1/responses", apiKey: string = TEST_KEYS[0]) {
  return rawSse(proxy.url(), body, apiKey, path);
}

interface SseEvent {
  event: string | undefined;
  data: { type: string; sequence_number: number; [key: string]: unknown };
}

/** The SSE text as events: the `event:` name and the parsed `data:`; comments dropped. */
function parseSse(text: string): SseEvent[] {
  return text
    .split("\n\n")
    .filter((block) => block.split("\n").some((line) => line.startsWith("data: ")))
    .map((block) => {
      const lines = block.split("\n");
      const event = lines.find((line) => line.startsWith("event: "))?.slice(7);
      const data = lines
        .filter((line) => line.startsWith("data: "))
        .map((line) => line.slice(6))
        .join("\n");
      return { event, data: JSON.parse(data) as SseEvent["data"] };
    });
}

describe("every route, over the wire", () => {
  it.each(ROUTES)("%s: a plain Response conforms to the spec", async (model) => {
    const { status, headers, text } = await post({ model, input: "Hello there", instructions: "Be brief." });
    expect(status).toBe(200);
    expect(headers.get("content-type")).toMatch(/^application\/json/);
    const body = JSON.parse(text) as { model: string; status: string; output: Array<{ type: string }> };
    assertConforms("Response", body);
    expect(body).toMatchObject({ model, status: "completed" });
    expect(body.output.at(-1)?.type).toBe("message");
    expect(body).not.toHaveProperty("output_text");
  });

  it.each(ROUTES)("%s: streamed, every event named by its type, conforming, numbered, no [DONE]", async (model) => {
    const { status, headers, text } = await post({ model, input: "Hello there", stream: true });
    expect(status).toBe(200);
    expect(headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(text).not.toContain("[DONE]");
    const events = parseSse(text);
    for (const { event, data } of events) {
      expect(event).toBe(data.type);
      assertConforms("ResponseStreamEvent", data);
    }
    expect(events.map(({ data }) => data.sequence_number)).toEqual(events.map((_, index) => index));
    expect(events[0]?.event).toBe("response.created");
    expect(events.at(-1)?.event).toBe("response.completed");
  });

  it.each(ROUTES)("%s: OpenAI's nullable parameters sent as null are not set, plain and streamed", async (model) => {
    const asked = { model, input: "Hello there", ...NULL_RESPONSE_PARAMS };
    const plain = await client.responses.create(asked);
    expect(plain.status).toBe("completed");
    const streamed = await client.responses.stream(asked).finalResponse();
    expect(streamed.status).toBe("completed");
    expect(streamed.output_text).toBe(plain.output_text);
  });

  it("/responses answers too", async () => {
    const { status, text } = await post({ model: "llama", input: "Hi" }, "/responses");
    expect(status).toBe(200);
    assertConforms("Response", JSON.parse(text));
  });
});

describe("the official SDK", () => {
  it("the log line says why the model stopped, in chat's words: stop, length, tool_calls; plain and streamed", async () => {
    const reasonsOf = async (id: string | null) =>
      (await eventually(() => proxy.logs.find((line) => line.request_id === id), 2000, "the log line")).finish_reasons;
    const plain = await client.responses.create({ model: "llama", input: "Hello there" }).withResponse();
    expect(await reasonsOf(plain.response.headers.get("x-request-id"))).toEqual(["stop"]);
    const cut = await client.responses
      .create({ model: "llama", input: "Hello there", max_output_tokens: 16 })
      .withResponse();
    expect(cut.data.status).toBe("incomplete");
    expect(await reasonsOf(cut.response.headers.get("x-request-id"))).toEqual(["length"]);
    const streamed = await client.responses
      .create({ model: "qwen3-tool", input: "Weather in Paris?", tools: [weather], stream: true })
      .withResponse();
    for await (const _ of streamed.data);
    expect(await reasonsOf(streamed.response.headers.get("x-request-id"))).toEqual(["tool_calls"]);
  });

  it("responses.create(): output_text, reasoning, usage", async () => {
    const response = await client.responses.create({ model: "r1", input: "Hello there" });
    expect(response.output_text).toContain("Hello from the Bedrock emulator (r1)");
    expect(response.output[0]).toMatchObject({ type: "reasoning", content: [{ type: "reasoning_text" }] });
    expect(response.usage?.input_tokens).toBeGreaterThan(0);
  });

  it("responses.create({ stream: true }) yields typed events; responses.stream() gives the final Response", async () => {
    const stream = await client.responses.create({ model: "qwen3", input: "Hello there", stream: true });
    let text = "";
    const types: string[] = [];
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === "response.output_text.delta") text += event.delta;
    }
    expect(types.at(-1)).toBe("response.completed");
    expect(text).toContain("Hello from the Bedrock emulator (qwen3)");

    const helper = client.responses.stream({ model: "llama", input: "Hello there" });
    const final = await helper.finalResponse();
    expect(final.output_text).toContain("Hello from the Bedrock emulator (llama)");
  });

  it("usage: the prompt cache's reads and writes the chat completion reports, plain and streamed", async () => {
    const chat = await client.chat.completions.create({
      model: "converse-cache",
      messages: [{ role: "user", content: "Hello there" }],
    });
    // cache_write_tokens is not in the openai package's chat types (OpenRouter's name).
    const cache = chat.usage!.prompt_tokens_details as { cached_tokens: number; cache_write_tokens: number };
    expect(cache.cached_tokens).toBeGreaterThan(0);
    expect(cache.cache_write_tokens).toBeGreaterThan(0);
    const usage = {
      input_tokens: chat.usage!.prompt_tokens,
      input_tokens_details: { cached_tokens: cache.cached_tokens, cache_write_tokens: cache.cache_write_tokens },
      output_tokens: chat.usage!.completion_tokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: chat.usage!.total_tokens,
    };
    const plain = await client.responses.create({ model: "converse-cache", input: "Hello there" });
    expect(plain.usage).toEqual(usage);
    const streamed = await client.responses.stream({ model: "converse-cache", input: "Hello there" }).finalResponse();
    expect(streamed.usage).toEqual(usage);
  });

  it("function tools: a call, and its result sent back", async () => {
    const input: OpenAI.Responses.ResponseInput = [{ role: "user", content: "Weather in Paris?" }];
    const first = await client.responses.create({ model: "qwen3-tool", input, tools: [weather] });
    const call = first.output.find((item) => item.type === "function_call");
    if (call?.type !== "function_call") throw new Error("no function call");
    expect(call.name).toBe("get_weather");
    expect(JSON.parse(call.arguments)).toEqual({ city: "Paris" });
    const second = await client.responses.create({
      model: "qwen3-tool",
      input: [
        ...input,
        // What a stateless server needs back: the previous answer's items, as they came.
        ...first.output.filter((item) => item.type === "reasoning" || item.type === "function_call"),
        { type: "function_call_output", call_id: call.call_id, output: "sunny" },
      ],
      tools: [weather],
    });
    expect(second.output_text).toMatch(/the tool answered/);
  });

  it("streamed function calls: arguments as events", async () => {
    const stream = await client.responses.create({
      model: "openai-tool",
      input: "Weather in Paris?",
      tools: [weather],
      stream: true,
    });
    let args = "";
    for await (const event of stream) {
      if (event.type === "response.function_call_arguments.done") args = event.arguments;
    }
    expect(JSON.parse(args)).toEqual({ city: "Paris" });
  });
});

describe("refusals and errors", () => {
  it("state a stateless server cannot keep: 400 naming the field, the SDK's BadRequestError", async () => {
    for (const [field, params] of [
      ["previous_response_id", { previous_response_id: "resp_1" }],
      ["store", { store: true }],
      ["tools[0]", { tools: [{ type: "web_search" }] }],
    ] as const) {
      const error = await client.responses
        .create({ model: "llama", input: "Hi", ...params } as OpenAI.Responses.ResponseCreateParamsNonStreaming)
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      if (!(error instanceof OpenAI.APIError)) return;
      expect(error.status).toBe(400);
      expect((error.error as { param?: string }).param).toBe(field);
    }
    expect(proxy.served.emulator.stats.requests).toHaveLength(0);
  });

  it("a function whose parameters are no object schema, and fields of the wrong type: 400 naming them, plain and streamed, before any call (specfuzz46)", async () => {
    const stringTool = { ...weather, parameters: { type: "string" } };
    for (const [param, fields] of [
      ["tools[0].parameters.type", { tools: [stringTool], tool_choice: "required" }],
      ["reasoning", { reasoning: [] }],
      ["top_logprobs", { top_logprobs: "5" }],
      ["prompt_cache_key", { prompt_cache_key: 5 }],
    ] as const) {
      for (const model of ROUTES) {
        for (const stream of [false, true]) {
          const { status, text } = await post({ model, input: "Hi", ...fields, stream });
          expect(status, `${model} ${param} stream: ${stream}: ${text.slice(0, 200)}`).toBe(400);
          expect(JSON.parse(text)).toMatchObject({ error: { type: "invalid_request_error", param } });
        }
      }
    }
    expect(proxy.served.emulator.stats.requests).toHaveLength(0);
  });

  it("no key 401, unknown model 404, bad JSON 400: OpenAI error bodies", async () => {
    const noKey = await post({ model: "llama", input: "Hi" }, "/v1/responses", "sk-wrong");
    expect(noKey.status).toBe(401);
    assertConforms("ErrorResponse", JSON.parse(noKey.text));
    const unknown = await post({ model: "no-such-model", input: "Hi" });
    expect(unknown.status).toBe(404);
    assertConforms("ErrorResponse", JSON.parse(unknown.text));
    const bad = await post({ model: "llama", input: "Hi", stream: "yes" });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)).toMatchObject({ error: { param: "stream" } });
  });

  it("a cold model streams behind comments, then the events", async () => {
    const { status, text } = await post({ model: "cold-qwen3", input: "Hi", stream: true });
    expect(status).toBe(200);
    expect(text.startsWith(": waiting for the model to become ready\n\n")).toBe(true);
    const events = parseSse(text);
    for (const { data } of events) assertConforms("ResponseStreamEvent", data);
    expect(events.at(-1)?.event).toBe("response.completed");
  });

  it("a model that never wakes: comments, then response.created, the error event and response.failed", async () => {
    const { status, text } = await post({ model: "never-ready", input: "Hi", stream: true });
    expect(status).toBe(200);
    expect(text.match(/^: still waiting for the model$/gm)!.length).toBeGreaterThanOrEqual(3);
    const events = parseSse(text);
    for (const { event, data } of events) {
      expect(event).toBe(data.type);
      assertConforms("ResponseStreamEvent", data);
    }
    expect(events.map(({ data }) => [data.type, data.sequence_number])).toEqual([
      ["response.created", 0],
      ["response.in_progress", 1],
      ["error", 2],
      ["response.failed", 3],
    ]);
    expect(events[2]?.data).toMatchObject({
      code: "model_not_ready",
      message: expect.stringMatching(/still not ready/),
    });
    expect(events[3]?.data.response).toMatchObject({
      model: "never-ready",
      status: "failed",
      error: { code: "rate_limit_exceeded", message: events[2]?.data.message },
    });
  });

  it("a model that never wakes: the SDK's responses.stream() raises the reason", async () => {
    // The SDK throws the error event itself, as it does for a failure mid-answer.
    const error = await errorOf(() => client.responses.stream({ model: "never-ready", input: "Hi" }).finalResponse());
    expect(error).toMatchObject({ message: expect.stringMatching(/^The imported model was still not ready/) });
    const types: string[] = [];
    for await (const event of await client.responses.create({ model: "never-ready", input: "Hi", stream: true })) {
      types.push(event.type);
    }
    expect(types).toEqual(["response.created", "response.in_progress", "error", "response.failed"]);
  });

  it("a failure mid-stream: the error event and response.failed, conforming, then the end", async () => {
    const { status, text } = await post({ model: "midstream-error", input: "Hi", stream: true });
    expect(status).toBe(200);
    const events = parseSse(text);
    for (const { data } of events) assertConforms("ResponseStreamEvent", data);
    expect(events.slice(-2).map(({ event }) => event)).toEqual(["error", "response.failed"]);
    expect(events.at(-2)?.data).toMatchObject({ code: "model_stream_error" });
    await eventually(
      () => proxy.logs.find((line) => line.path === "/v1/responses" && line.status === 424),
      2000,
      "the 424 log line",
    );
  });

  it("a client that leaves mid-stream cancels the upstream call, and the log says 499", async () => {
    const controller = new AbortController();
    const stream = await client.responses.create(
      { model: "slow-long", input: "Hi", stream: true },
      { signal: controller.signal },
    );
    const types: string[] = [];
    // The SDK ends an aborted stream's loop quietly. How many events it still hands over after
    // the abort depends on what was buffered, so no count is asserted: only that the answer (ten
    // seconds of frames) was not read to its end.
    for await (const event of stream) if (types.push(event.type) === 5) controller.abort();
    expect(types.length).toBeGreaterThanOrEqual(5);
    expect(types).not.toContain("response.completed");
    // As disconnects.test.ts allows: workerd may notice the client's leaving only at a later write.
    await eventually(() => proxy.served.emulator.stats.cancelledStreams === 1, 4000, "the upstream cancelled");
    expect(proxy.served.emulator.stats.completedStreams).toBe(0);
    await eventually(() => proxy.logs.find((line) => line.path === "/v1/responses" && line.status === 499));
  });

  it("one log line per call, with the model and the token counts", async () => {
    const before = proxy.logs.length;
    await client.responses.create({ model: "qwen2", input: "Hi" });
    const stream = await client.responses.create({ model: "llama", input: "Hi", stream: true });
    for await (const _event of stream);
    const lines = await eventually(() => {
      const found = proxy.logs.slice(before).filter((line) => line.path === "/v1/responses");
      return found.length >= 2 ? found : undefined;
    });
    expect(lines.map((line) => [line.model, line.stream, line.status])).toEqual([
      ["qwen2", false, 200],
      ["llama", true, 200],
    ]);
    for (const line of lines) expect(line.prompt_tokens).toBeGreaterThan(0);
  });
});
