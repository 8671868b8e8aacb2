// MAX_BODY_BYTES_IN_FLIGHT through the Worker in workerd: the request bodies one isolate holds at
// once are bounded, so a handful of concurrent large bodies cannot exhaust the memory every other
// request and stream of the isolate shares (docs/SECURITY.md, "Bounded cost per request").
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorModelId } from "../../emulator/model-id.ts";
import { eventually, modelString, startWorkerdProxy, TEST_KEYS, TEST_MODELS, type WorkerdProxy } from "./harness.ts";

const BUDGET = 512 * 1024;
const MAX_BODY = 1024 * 1024;
const MODELS = {
  ...TEST_MODELS,
  // In flight for a second before it answers: the body it holds is held as long.
  held: modelString("llama", "wait1000"),
};

let proxy: WorkerdProxy;

beforeAll(async () => {
  proxy = await startWorkerdProxy({
    main: {
      MODELS: JSON.stringify(MODELS),
      MAX_BODY_BYTES: String(MAX_BODY),
      MAX_BODY_BYTES_IN_FLIGHT: String(BUDGET),
    },
  });
});
afterAll(() => proxy?.close());

/** A chat request to `model` of exactly `bytes` bytes. */
function chatOf(model: string, bytes: number, stream = false): string {
  const empty = JSON.stringify({ model, stream, messages: [{ role: "user", content: "" }] });
  return JSON.stringify({ model, stream, messages: [{ role: "user", content: "x".repeat(bytes - empty.length) }] });
}

function post(body: string | ReadableStream<Uint8Array>, signal?: AbortSignal): Promise<Response> {
  return fetch(`${proxy.url()}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${TEST_KEYS[0]}`, "content-type": "application/json" },
    body,
    signal,
    duplex: "half",
  } as RequestInit);
}

/** `text` as a chunked body (no Content-Length), in 4 KiB pieces. */
function chunked(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + 4096));
      at += 4096;
    },
  });
}

/** The held model's id at the emulator, whose calls it counts. */
const HELD = emulatorModelId("llama", ["wait1000"]);

/**
 * A 320 KiB request to the held model, once Bedrock has its call: the Worker has read its body
 * and holds it for the second the call takes. Timed from the call rather than a fixed pause after
 * the post: a loaded machine can take longer than any such pause to send and read 320 KiB, and a
 * second body sent before the first is held is served, not refused.
 */
async function heldInFlight(): Promise<{ first: Promise<Response> }> {
  const before = proxy.served.emulator.stats.calls(HELD);
  const first = post(chatOf("held", 320 * 1024));
  await eventually(() => proxy.served.emulator.stats.calls(HELD) > before, 10_000, "the held call to reach Bedrock");
  return { first };
}

/**
 * The account is back to 0: a body of the whole budget is admitted only when no other request
 * holds a byte (a request alone always is; beside any other byte, it would pass the budget).
 */
async function accountEmpty(): Promise<void> {
  const probe = await eventually(
    async () => {
      const answer = await post(chatOf("llama", BUDGET));
      if (answer.status === 200) return answer;
      await answer.body?.cancel();
      return false;
    },
    5000,
    "a body of the whole budget admitted",
  );
  await probe.text();
}

describe("the request bodies held at once in one isolate (MAX_BODY_BYTES_IN_FLIGHT)", () => {
  it("a second 320 KiB body beside one in flight is a 503 server_busy with Retry-After; once the first ends, the same request is served", async () => {
    const { first } = await heldInFlight();
    const refused = await post(chatOf("llama", 320 * 1024));
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("1");
    const body = (await refused.json()) as { error: Record<string, unknown> };
    expect(body.error).toMatchObject({ type: "server_error", code: "server_busy", param: null });
    expect(body.error.message).toMatch(/other large requests/i);
    expect(JSON.stringify(body)).not.toContain(TEST_KEYS[0]);
    expect((await first).status).toBe(200);
    const again = await post(chatOf("llama", 320 * 1024));
    expect(again.status).toBe(200);
    await again.text();
    await accountEmpty();
  });

  it("a body of 256 KiB or less is never refused, past the budget too: large requests in flight cannot turn small ones away", async () => {
    const { first } = await heldInFlight();
    for (const bytes of [8 * 1024, 256 * 1024]) {
      const small = await post(chatOf("llama", bytes));
      expect(small.status).toBe(200);
      await small.text();
    }
    await (await first).text();
    await accountEmpty();
  });

  it("a lone body larger than the budget, within MAX_BODY_BYTES, is served", async () => {
    const answer = await post(chatOf("llama", 800 * 1024));
    expect(answer.status).toBe(200);
    await answer.text();
    await accountEmpty();
  });

  it("a chunked body is counted as it comes: refused beside one in flight", async () => {
    const { first } = await heldInFlight();
    const refused = await post(chunked(chatOf("llama", 320 * 1024)));
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("server_busy");
    await (await first).text();
    await accountEmpty();
  });

  it("a multipart body (an image edit) is counted as a JSON one is", async () => {
    const { first } = await heldInFlight();
    const form = new FormData();
    form.set("model", "held");
    form.set("prompt", "a cat");
    form.set("image", new Blob([new Uint8Array(320 * 1024)], { type: "image/png" }), "cat.png");
    const refused = await fetch(`${proxy.url()}/v1/images/edits`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_KEYS[0]}` },
      body: form,
    });
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("server_busy");
    await (await first).text();
    await accountEmpty();
  });

  it("the openai SDK's retry of the 503 is served once the first request ends", async () => {
    const statuses: number[] = [];
    const client = new OpenAI({
      apiKey: TEST_KEYS[0],
      baseURL: `${proxy.url()}/v1`,
      maxRetries: 3,
      fetch: async (url, init) => {
        const answer = await fetch(url, init);
        statuses.push(answer.status);
        return answer;
      },
    });
    const { first } = await heldInFlight();
    const completion = await client.chat.completions.create({
      model: "llama",
      messages: [{ role: "user", content: "x".repeat(320 * 1024) }],
    });
    expect(completion.choices[0]?.message.content).toBeTypeOf("string");
    expect(statuses[0]).toBe(503);
    expect(statuses.at(-1)).toBe(200);
    await (await first).text();
    await accountEmpty();
  });

  it("a client that goes away mid-stream gives its body's bytes back", async () => {
    const controller = new AbortController();
    const answer = await post(chatOf("slow-long", 320 * 1024, true), controller.signal);
    expect(answer.status).toBe(200);
    const reader = answer.body!.getReader();
    await reader.read();
    // In flight: a second large body is refused while the stream holds its own.
    const refused = await post(chatOf("llama", 320 * 1024));
    expect(refused.status).toBe(503);
    await refused.text();
    controller.abort();
    await reader.cancel().catch(() => undefined);
    await eventually(() => proxy.logs.find((line) => line.status === 499), 5000, "the stream's 499 line");
    await accountEmpty();
  });

  it("after many refused and served requests at once, the account is back to 0", async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, () => post(chatOf("held", 320 * 1024))));
    const statuses = await Promise.all(
      answers.map(async (answer) => {
        await answer.text();
        return answer.status;
      }),
    );
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(1);
    expect(statuses.filter((status) => status === 503).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((status) => status === 200 || status === 503)).toBe(true);
    await accountEmpty();
  });
});
