// POST /v1/completions in workerd, driven by the official `openai` package's completions.create
// (plain and stream: true) and by raw SSE: every route and wire format, several prompts, usage,
// the proxy's auth, keep-alives, errors and log line.
import OpenAI from "openai";
import type { Completion } from "openai/resources/completions";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { errorOf } from "../helpers/errors.ts";
import { NULL_COMPLETION_PARAMS } from "../helpers/null-params.ts";
import {
  eventually,
  modelString,
  rawSse,
  sseEvents,
  startWorkerdProxy,
  TEST_MODELS,
  type WorkerdProxy,
} from "./harness.ts";

const MODELS = {
  ...TEST_MODELS,
  "llama-oc": { model: modelString("llama"), wire_format: "openai_completion" },
  "qwen3-oc": { model: modelString("qwen3"), wire_format: "openai_completion" },
  "legacy-oc": { model: modelString("llama", "legacy"), wire_format: "openai_completion" },
};

let proxy: WorkerdProxy;
let client: OpenAI;

beforeAll(async () => {
  proxy = await startWorkerdProxy({ main: { MODELS: JSON.stringify(MODELS) } });
  client = proxy.client();
});
afterAll(() => proxy?.close());
beforeEach(() => proxy.served.emulator.stats.reset());

async function collect(stream: AsyncIterable<Completion>) {
  const chunks: Completion[] = [];
  const texts: string[] = [];
  for await (const chunk of stream) {
    chunks.push(chunk);
    for (const choice of chunk.choices) texts[choice.index] = (texts[choice.index] ?? "") + choice.text;
  }
  return { chunks, texts };
}

const PROMPT = "The capital of France is";
const greeting = (format: string, prompt = PROMPT) =>
  `Hello from the Bedrock emulator (${format}). Your prompt had ${[...prompt].length} characters.`;

describe("completions.create with the openai package", () => {
  it.each([
    ["llama", "llama"],
    ["llama-oc", "llama"],
    ["qwen2", "qwen2"],
    ["openai", "openai"],
  ])("%s answers a text_completion, plain and streamed", async (name, format) => {
    const completion = await client.completions.create({ model: name, prompt: PROMPT, max_tokens: 200 });
    expect(completion).toMatchObject({
      object: "text_completion",
      model: name,
      choices: [{ index: 0, text: greeting(format), finish_reason: "stop", logprobs: null }],
    });
    expect(completion.usage!.total_tokens).toBe(completion.usage!.prompt_tokens + completion.usage!.completion_tokens);

    const stream = await client.completions.create({ model: name, prompt: PROMPT, max_tokens: 200, stream: true });
    const { chunks, texts } = await collect(stream);
    expect(texts).toEqual([greeting(format)]);
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.every((chunk) => chunk.object === "text_completion" && chunk.model === name)).toBe(true);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe("stop");
    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
  });

  it.each(["llama", "llama-oc", "qwen2", "openai"])(
    "%s reads OpenAI's nullable parameters sent as null as not set, plain and streamed",
    async (name) => {
      const asked = { model: name, prompt: PROMPT, ...NULL_COMPLETION_PARAMS };
      // max_tokens null is OpenAI's default of 16 tokens.
      const completion = await client.completions.create(asked);
      expect(completion.choices).toEqual([expect.objectContaining({ index: 0, finish_reason: "length" })]);
      const { texts } = await collect(await client.completions.create({ ...asked, stream: true }));
      expect(texts).toEqual([completion.choices[0]!.text]);
    },
  );

  it("several prompts with n: one choice each, index in order; usage with include_usage", async () => {
    for (const name of ["llama", "qwen3-oc"]) {
      const prompts = ["One", "Two two"];
      const completion = await client.completions.create({ model: name, prompt: prompts, n: 2, max_tokens: 200 });
      expect(completion.choices.map((choice) => choice.index)).toEqual([0, 1, 2, 3]);
      const stream = await client.completions.create({
        model: name,
        prompt: prompts,
        n: 2,
        max_tokens: 200,
        stream: true,
        stream_options: { include_usage: true },
      });
      const { chunks, texts } = await collect(stream);
      expect(texts).toEqual(completion.choices.map((choice) => choice.text));
      expect(chunks.at(-1)).toMatchObject({ choices: [], usage: completion.usage });
      expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
      const { chunks: unasked } = await collect(
        await client.completions.create({ model: name, prompt: prompts, stream: true }),
      );
      expect(unasked.some((chunk) => "usage" in chunk)).toBe(false);
    }
  });

  it("the answer's logprobs on openai_completion", async () => {
    const completion = await client.completions.create({
      model: "llama-oc",
      prompt: "Hi",
      logprobs: 1,
      max_tokens: 200,
    });
    expect(completion.choices[0]!.logprobs!.tokens!.join("")).toBe(completion.choices[0]!.text);
  });

  it("refusals arrive as the SDK's BadRequestError naming the field", async () => {
    const suffix = await errorOf(() => client.completions.create({ model: "llama", prompt: "a", suffix: "b" }));
    expect(suffix).toBeInstanceOf(OpenAI.BadRequestError);
    expect(suffix).toMatchObject({ status: 400, param: "suffix" });
    const logprobs = await errorOf(() => client.completions.create({ model: "llama", prompt: "a", logprobs: 1 }));
    expect(logprobs).toMatchObject({ status: 400, param: "logprobs", code: "unsupported_parameter" });
    const legacy = await errorOf(() => client.completions.create({ model: "legacy-oc", prompt: "a", stream: true }));
    expect(legacy).toMatchObject({ status: 400, code: "unsupported_wire_format" });
    expect((legacy as Error).message).toContain("wire_format");
    const unknown = await errorOf(() => client.completions.create({ model: "nope", prompt: "a" }));
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("a plain answer too large to build is refused before any call (review perreq43 #1)", async () => {
    // The review's 838-byte request: 128 prompts × n 128 × 200 tokens in one openai_completion
    // call came back as 14.1 MiB (600 tokens: 45 MiB, workerd's memory up by 162-192 MiB).
    const prompt = Array.from({ length: 128 }, (_, i) => `p${i}`);
    const body = { model: "qwen3-oc", prompt, n: 128, max_tokens: 200 };
    const refused = await errorOf(() => client.completions.create(body));
    expect(refused).toMatchObject({ status: 400, param: "prompt", code: "plain_answer_too_large" });
    expect((refused as Error).message).toContain("prompts × n 16384 × max_tokens 200 is 3276800 tokens");
    expect(proxy.served.emulator.stats.requests).toHaveLength(0);
  });
});

describe("the wire", () => {
  it("SSE: text_completion chunks, then data: [DONE]; also at /completions", async () => {
    for (const path of ["/v1/completions", "/completions"]) {
      const { status, headers, text } = await rawSse(
        proxy.url(),
        { model: "qwen2", prompt: PROMPT, max_tokens: 200, stream: true },
        undefined,
        path,
      );
      expect(status).toBe(200);
      expect(headers.get("content-type")).toMatch(/^text\/event-stream/);
      const events = sseEvents(text);
      expect(events.at(-1)).toBe("[DONE]");
      expect(events.slice(0, -1).every((event) => (event as { object: string }).object === "text_completion")).toBe(
        true,
      );
    }
  });

  it("needs a proxy key", async () => {
    const response = await fetch(`${proxy.url()}/v1/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "llama", prompt: "a" }),
    });
    expect(response.status).toBe(401);
  });

  it("a cold model: keep-alive comments, then the answer", async () => {
    const { text } = await rawSse(
      proxy.url(),
      { model: "cold-qwen3", prompt: PROMPT, max_tokens: 200, stream: true },
      undefined,
      "/v1/completions",
    );
    expect(text).toMatch(/^: waiting for the model/);
    expect(sseEvents(text).at(-1)).toBe("[DONE]");
  });

  it("a model that never wakes: keep-alive comments, then the error, which the SDK raises with its reason", async () => {
    const stream = await client.completions.create({ model: "never-ready", prompt: PROMPT, stream: true });
    const error = await errorOf(() => collect(stream), OpenAI.APIError);
    expect(error.message).toMatch(/^The imported model was still not ready/);
  });

  it("one log line per request, with the model, the stream flag and the tokens", async () => {
    const { data, response } = await client.completions
      .create({ model: "llama", prompt: PROMPT, max_tokens: 200, stream: true })
      .withResponse();
    await collect(data);
    const id = response.headers.get("x-request-id");
    const line = await eventually(() => proxy.logs.find((entry) => entry.request_id === id), 2000, "the log line");
    expect(line.path).toBe("/v1/completions");
    expect(line).toMatchObject({ status: 200, model: "llama", stream: true, finish_reasons: ["stop"] });
    expect(line.completion_tokens).toBeGreaterThan(0);
    expect(line.prompt).toBeUndefined();
    // Plain, cut short: each choice's reason.
    const cut = await client.completions
      .create({ model: "llama", prompt: [PROMPT, PROMPT], max_tokens: 3 })
      .withResponse();
    const cutId = cut.response.headers.get("x-request-id");
    const cutLine = await eventually(
      () => proxy.logs.find((entry) => entry.request_id === cutId),
      2000,
      "the log line",
    );
    expect(cutLine.finish_reasons).toEqual(["length", "length"]);
  });
});
