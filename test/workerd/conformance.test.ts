// Chat Completions over the wire, on every route, validated against OpenAI's official schemas:
// the JSON answer, every SSE chunk (the usage chunk included), and error bodies.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertConforms } from "../conformance/openapi.ts";
import { model as modelString } from "../helpers/emulated.ts";
import {
  rawSse,
  sseEvents,
  startWorkerdProxy,
  TEST_KEYS,
  TEST_MODELS,
  USER_HELLO,
  type WorkerdProxy,
} from "./harness.ts";

let proxy: WorkerdProxy;

beforeAll(async () => {
  // The harness's models, and the converse route's (a foundation model, its region in the ARN).
  proxy = await startWorkerdProxy({ main: { MODELS: JSON.stringify(modelsWithConverse()) } });
});
afterAll(() => proxy?.close());

function modelsWithConverse(): Record<string, string> {
  return { ...TEST_MODELS, converse: modelString("converse"), "converse-tool": modelString("converse", "tool") };
}

const ROUTES = [
  "r1",
  "llama",
  "qwen3",
  "qwen2",
  "openai",
  "converse",
  "qwen3-tool",
  "openai-tool",
  "openai-think",
  "converse-tool",
] as const;
const tools = [{ type: "function", function: { name: "get_weather", parameters: { type: "object" } } }];

async function postChat(body: unknown, apiKey: string = TEST_KEYS[0]) {
  const response = await fetch(`${proxy.url()}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

describe.each(ROUTES)("chat over the wire, %s", (model) => {
  const request = { model, messages: USER_HELLO, ...(model.endsWith("-tool") ? { tools } : {}) };

  it("a chat.completion conforms", async () => {
    const { status, body } = await postChat(request);
    expect(status).toBe(200);
    assertConforms("CreateChatCompletionResponse", body);
  });

  it("every chunk conforms, the usage chunk too", async () => {
    const { status, text } = await rawSse(proxy.url(), {
      ...request,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(status).toBe(200);
    const events = sseEvents(text);
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events.slice(0, -1);
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) assertConforms("CreateChatCompletionStreamResponse", chunk);
  });
});

describe("error bodies", () => {
  it("400, 401, 404 are OpenAI error bodies", async () => {
    for (const [body, key, status] of [
      [{ model: "llama", messages: [] }, TEST_KEYS[0], 400],
      [{ model: "llama", messages: USER_HELLO }, "sk-wrong", 401],
      [{ model: "nope", messages: USER_HELLO }, TEST_KEYS[0], 404],
    ] as const) {
      const answer = await postChat(body, key);
      expect(answer.status).toBe(status);
      assertConforms("ErrorResponse", answer.body);
    }
  });

  it("a failure mid-stream is an error object the spec knows", async () => {
    const { text } = await rawSse(proxy.url(), { model: "midstream-error", messages: USER_HELLO, stream: true });
    const last = sseEvents(text).at(-1);
    assertConforms("ErrorResponse", last);
  });
});
