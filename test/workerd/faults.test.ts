// Upstream faults through the Worker in workerd: retries, a cold model waited out behind SSE
// comments, broken connections and frames, a client that leaves, and chunks that are not held back.
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { errorOf } from "../helpers/errors.ts";
import { emulatorModelId } from "../../emulator/model-id.ts";
import {
  eventually,
  leaveSlowStream,
  rawSse,
  sseEvents,
  startWorkerdProxy,
  USER_HELLO,
  type WorkerdProxy,
} from "./harness.ts";

let proxy: WorkerdProxy;
let client: OpenAI;

beforeAll(async () => {
  proxy = await startWorkerdProxy();
  client = proxy.client();
});
afterAll(() => proxy?.close());
beforeEach(() => proxy.served.emulator.stats.reset());

const stats = () => proxy.served.emulator.stats;

async function contentOf(stream: AsyncIterable<OpenAI.ChatCompletionChunk>): Promise<string> {
  let text = "";
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
  return text;
}

describe("retries", () => {
  it("throttled once: retried, and the client never knows", async () => {
    const completion = await client.chat.completions.create({ model: "throttled-once", messages: USER_HELLO });
    expect(completion.choices[0]!.message.content).toContain("Hello from the Bedrock emulator");
    expect(stats().requests.map((request) => request.status)).toEqual([429, 200]);
  });

  it("throttled once while streaming: retried before the first byte", async () => {
    const stream = await client.chat.completions.create({
      model: "throttled-once",
      messages: USER_HELLO,
      stream: true,
    });
    expect(await contentOf(stream)).toContain("Hello from the Bedrock emulator");
    expect(stats().requests.map((request) => request.status)).toEqual([429, 200]);
  });

  it("a 503 once is retried too", async () => {
    const completion = await client.chat.completions.create({ model: "err503-once", messages: USER_HELLO });
    expect(completion.choices[0]!.finish_reason).toBe("stop");
    expect(stats().requests.map((request) => request.status)).toEqual([503, 200]);
  });
});

describe("a cold model (ModelNotReadyException)", () => {
  it("is waited out for a plain completion", async () => {
    const completion = await client.chat.completions.create({ model: "cold-qwen3", messages: USER_HELLO });
    expect(completion.choices[0]!.message.content).toContain("Hello from the Bedrock emulator (qwen3)");
    expect(stats().calls(emulatorModelId("qwen3", ["notready2"]))).toBe(3);
  });

  it("a streamed call gets SSE comment lines while it waits, then the answer", async () => {
    const started = Date.now();
    const { status, headers, text } = await rawSse(proxy.url(), {
      model: "cold-qwen3",
      messages: USER_HELLO,
      stream: true,
    });
    expect(status).toBe(200);
    expect(headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(text.startsWith(": waiting for the model to become ready\n\n")).toBe(true);
    const firstData = text.indexOf("data: ");
    expect(text.slice(0, firstData).match(/^: .*$/gm)!.length).toBeGreaterThanOrEqual(1);
    const events = sseEvents(text);
    expect(events[events.length - 1]).toBe("[DONE]");
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("the SDK ignores the comments and reads the answer", async () => {
    const stream = await client.chat.completions.create({ model: "cold-qwen3", messages: USER_HELLO, stream: true });
    expect(await contentOf(stream)).toContain("Hello from the Bedrock emulator (qwen3)");
  });

  it("keep-alive comments repeat every SSE_KEEPALIVE_MS until the wait budget ends in an SSE error", async () => {
    const { status, text } = await rawSse(proxy.url(), { model: "never-ready", messages: USER_HELLO, stream: true });
    expect(status).toBe(200);
    expect(text.match(/^: still waiting for the model$/gm)!.length).toBeGreaterThanOrEqual(3);
    const events = sseEvents(text);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ error: { code: "model_not_ready", type: "rate_limit_error" } });
  });

  it("the SDK raises that error from the stream, with its reason", async () => {
    const stream = await client.chat.completions.create({ model: "never-ready", messages: USER_HELLO, stream: true });
    const error = await errorOf(() => contentOf(stream), OpenAI.APIError);
    expect(error.message).toMatch(/^The imported model was still not ready/);
  });
});

describe("broken streams end in an error, never a silent stop", () => {
  it("a dropped connection (drop3): partial text, then an error the SDK raises", async () => {
    const stream = await client.chat.completions.create({ model: "dropped", messages: USER_HELLO, stream: true });
    let text = "";
    await errorOf(async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    }, OpenAI.APIError);
    expect(text.length).toBeGreaterThan(0);
    const { text: raw } = await rawSse(proxy.url(), { model: "dropped", messages: USER_HELLO, stream: true });
    const events = sseEvents(raw);
    expect(events[events.length - 1]).toMatchObject({ error: { code: "upstream_connection_lost" } });
  });

  it("drop3 is a stream-only fault: a plain call completes", async () => {
    const completion = await client.chat.completions.create({ model: "dropped", messages: USER_HELLO });
    expect(completion.choices[0]!.finish_reason).toBe("stop");
  });

  it("a corrupt CRC: the frame is refused and the stream ends with an error event", async () => {
    const { status, text } = await rawSse(proxy.url(), { model: "bad-crc", messages: USER_HELLO, stream: true });
    expect(status).toBe(200);
    const events = sseEvents(text);
    expect(events).not.toContain("[DONE]");
    const last = events[events.length - 1] as { error: { message: string; type: string } };
    expect(last.error.message).toMatch(/crc|checksum/i);
    const stream = await client.chat.completions.create({ model: "bad-crc", messages: USER_HELLO, stream: true });
    await expect(contentOf(stream)).rejects.toBeInstanceOf(OpenAI.APIError);
  });
});

describe("the client going away", () => {
  it("aborting mid-stream cancels the upstream request within a second", async () => {
    expect(await leaveSlowStream(client)).toBeLessThan(10);
    const abortedAt = Date.now();
    await eventually(() => stats().cancelledStreams === 1, 1000, "the emulator to see the stream cancelled");
    expect(Date.now() - abortedAt).toBeLessThan(1000);
    expect(stats().activeStreams).toBe(0);
    expect(stats().completedStreams).toBe(0);
    const line = await eventually(() => proxy.logs.find((entry) => entry.model === "slow-long"), 3000, "the log line");
    expect(line.status).toBe(499);
  });

  it("aborting while a cold model is waited out stops the retries", async () => {
    const controller = new AbortController();
    const response = fetch(`${proxy.url()}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer sk-test-one", "content-type": "application/json" },
      body: JSON.stringify({ model: "never-ready", messages: USER_HELLO, stream: true }),
      signal: controller.signal,
    });
    const reader = (await response).body!.getReader();
    await reader.read(); // the first keep-alive comment
    controller.abort();
    const id = emulatorModelId("llama", ["notready"]);
    // Earlier tests logged never-ready too (429): this call's line is the 499 one.
    const line = await eventually(
      () => proxy.logs.find((entry) => entry.model === "never-ready" && entry.status === 499),
      3000,
      "a 499 log line",
    );
    expect(line.error).toMatch(/client closed/);
    // Left alone, the Worker would keep calling until MODEL_READY_TIMEOUT_MS (800 ms) ran out: its
    // backoff from 5 ms (the harness's BEDROCK_RETRY_BASE_DELAY_MS) doubling each try, two calls or
    // more after the line. One sent just before the line may still reach the emulator after it,
    // however late a loaded machine delivers it.
    const callsAtLine = stats().calls(id);
    await new Promise((resolve) => setTimeout(resolve, 900));
    expect(stats().calls(id)).toBeLessThanOrEqual(callsAtLine + 1);
  });
});

describe("no buffering", () => {
  it("chunks reach the client as the frames are produced", async () => {
    // paced = 25 pieces, 40 ms apart: ~1 s in all. Buffering would deliver them in one burst.
    const stream = await client.chat.completions.create({ model: "paced", messages: USER_HELLO, stream: true });
    const arrivals: number[] = [];
    for await (const chunk of stream) if (chunk.choices[0]?.delta.content) arrivals.push(Date.now());
    expect(arrivals.length).toBeGreaterThanOrEqual(20);
    const spread = arrivals[arrivals.length - 1]! - arrivals[0]!;
    expect(spread).toBeGreaterThan(500);
    const gaps = arrivals.slice(1).map((at, i) => at - arrivals[i]!);
    // Many gaps are about one frame interval, not zero (a loaded machine may bunch a few).
    expect(gaps.filter((gap) => gap >= 20).length).toBeGreaterThan(gaps.length / 3);
  });
});
