import OpenAI from "openai";
import { afterEach, describe, expect, it, onTestFinished, vi } from "vitest";
import { eventually as pollFor } from "../../test/helpers/eventually.ts";
import { EMULATOR_CREDENTIALS } from "../../emulator/credentials.ts";
import { awsError, errorResponse, MESSAGES } from "../../emulator/errors.ts";
import { createEmulator, type Emulator } from "../../emulator/handler.ts";
import { emulatorModelId } from "../../emulator/model-id.ts";
import { createApp, type LogLine } from "../app.ts";
import type { ProxyBindings } from "../config.ts";
import type { D1Statement } from "../cloudflare.ts";
import { KeyLimits } from "../durable/key-limits.ts";
import { model } from "../../test/helpers/emulated.ts";
import { holedPng } from "../../test/helpers/png-writer.ts";
import { recordingLimits } from "../../test/helpers/key-limits.ts";
import { failingPromptFetch } from "../../test/helpers/failing-prompt.ts";
import { memoryStorage } from "../../test/helpers/memory-storage.ts";
import { MAX_CALLS } from "../../src/core.ts";
import type { Usage } from "../../src/index.ts";
import {
  callsOutEstimate,
  inputEstimate,
  type ModelApi,
  outputEstimate,
  tokenEstimate,
  unmeteredCallEstimate,
} from "../token-estimate.ts";

const EAST_LLAMA = emulatorModelId("llama", [], "us-east-1");
const PROFILE = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6";
const CLAUDE_45 = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const WEST_LLAMA = emulatorModelId("llama", [], "us-west-2");
/** docs/PROXY-REFERENCE.md's: "the proxy renews its lease every 5 minutes while it is open". */
const LEASE_RENEW_MS = 5 * 60_000;

/** The proxy on Node with the emulator in process, a key with every limit, and these bindings. */
// A DEPLOYMENT_COOLDOWNS binding whose coolDown write takes 400 ms (a Durable Object's round trip).
const SLOW_COOLDOWNS = {
  idFromName: () => "id",
  get: () => ({
    async fetch(input: string) {
      const method = new URL(input).pathname.slice(1);
      if (method === "coolDown") await new Promise((resolve) => setTimeout(resolve, 400));
      return Response.json(method === "cooling" ? {} : null);
    },
  }),
};

function proxyWith(bindings: Record<string, unknown>, upstream?: (emulator: Emulator) => typeof fetch) {
  const emulator = createEmulator();
  const logs: LogLine[] = [];
  const env: ProxyBindings = {
    MODELS: JSON.stringify({
      llama: `bedrock/llama/${emulatorModelId("llama")}`,
      // Two seconds of frames, to leave in the middle of; and one that fails in the middle.
      slow: `bedrock/llama/${emulatorModelId("llama", ["slow50", "long40"])}`,
      failing: `bedrock/llama/${emulatorModelId("llama", ["midstream-modelStreamErrorException3", "long40"])}`,
      // A plain answer that takes a moment; and a model with an output cap.
      waiting: `bedrock/llama/${emulatorModelId("llama", ["wait300"])}`,
      capped: { model: `bedrock/llama/${emulatorModelId("llama")}`, max_output_tokens: 100 },
      // A model that gives at most two choices a request.
      "capped-n": { model: `bedrock/llama/${emulatorModelId("llama")}`, max_n: 2 },
      claude: model("converse"),
      // Claude streamed slowly in deltas of eight words, as it streams on Converse.
      "claude-words": model("converse", "slow50", "long40", "words8"),
      // An application inference profile whose entry names the Claude it serves.
      "profile-claude": { model: `bedrock/converse/${PROFILE}+${CLAUDE_45}`, foundation_model: CLAUDE_45 },
      words: `bedrock/llama/${emulatorModelId("llama", ["slow50", "long40", "words8"])}`,
      // Several answers per request, streamed slowly.
      several: `bedrock/openai/${emulatorModelId("openai", ["slow50", "long40"])}`,
      // Two copies of a model, tried in order.
      failover: {
        deployments: [{ model: `bedrock/llama/${EAST_LLAMA}` }, { model: `bedrock/llama/${WEST_LLAMA}` }],
        routing: "failover",
      },
      // An answer that begins only after a second, plain or streamed; two copies of it; a model Bedrock throttles.
      late: `bedrock/llama/${emulatorModelId("llama", ["wait1000", "long200"])}`,
      "late-copies": {
        deployments: [
          { model: `bedrock/llama/${emulatorModelId("llama", ["wait1000"], "us-east-1")}` },
          { model: `bedrock/llama/${emulatorModelId("llama", ["wait1000"], "us-west-2")}` },
        ],
        routing: "failover",
      },
      throttled: `bedrock/llama/${emulatorModelId("llama", ["throttle"])}`,
      // Two throttled copies; a late copy before a prompt one; a cold imported model.
      "throttled-copies": {
        deployments: [
          { model: `bedrock/llama/${emulatorModelId("llama", ["throttle"], "us-east-1")}` },
          { model: `bedrock/llama/${emulatorModelId("llama", ["throttle"], "us-west-2")}` },
        ],
        routing: "failover",
      },
      "late-then-prompt": {
        deployments: [
          { model: `bedrock/llama/${emulatorModelId("llama", ["wait1000"], "us-east-1")}` },
          { model: `bedrock/llama/${WEST_LLAMA}` },
        ],
        routing: "failover",
      },
      cold: `bedrock/llama/${emulatorModelId("llama", ["notready"])}`,
      // Models whose answers carry no token counts.
      quiet: `bedrock/llama/${emulatorModelId("llama", ["nousage"])}`,
      "quiet-openai": `bedrock/openai/${emulatorModelId("openai", ["nousage"])}`,
      // An embedding model: Titan embeds one text a call.
      vectors: { model: "bedrock/embed/amazon.titan-embed-text-v2:0", region: "us-east-1" },
      "vector-copies": {
        deployments: [
          { model: "bedrock/embed/amazon.titan-embed-text-v2:0", region: "us-east-1" },
          { model: "bedrock/embed/amazon.titan-embed-text-v2:0", region: "us-west-2" },
        ],
        routing: "failover",
      },
      // Stability draws one image a call.
      drawings: { model: "bedrock/image/stability.sd3-5-large-v1:0", region: "us-east-1" },
      "nova-pictures": { model: "bedrock/image/amazon.nova-canvas-v1:0", region: "us-east-1" },
    }),
    API_KEYS: JSON.stringify({
      team: { key: "sk-team-0123456789", rate_limit: "RATE", tokens_per_day: 1000, concurrent_streams: 2 },
    }),
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
    BEDROCK_ENDPOINT: "http://bedrock.emulator",
  };
  Object.assign(env, bindings);
  const app = createApp({
    env,
    fetch: upstream?.(emulator) ?? ((input, init) => emulator.fetch(new Request(input, init))),
    log: (line) => logs.push(line),
  });
  const post = (path: string, body: unknown, signal?: AbortSignal) =>
    app.request(path, {
      method: "POST",
      headers: { authorization: "Bearer sk-team-0123456789", "content-type": "application/json" },
      body: JSON.stringify(body),
      ...(signal ? { signal } : {}),
    });
  const chat = (stream = false, model = "llama") => post("/v1/chat/completions", chatBody(model, stream));
  return { app, chat, post, logs, emulator };
}

const chatBody = (model: string, stream: boolean) => ({ model, messages: [{ role: "user", content: "hi" }], stream });

/** A KEY_LIMITS binding to a real KeyLimits object on `storage`, and that object's read(). */
function keyLimitsOn(storage: ReturnType<typeof memoryStorage>) {
  const object = new KeyLimits({ storage });
  const binding = {
    idFromName: () => "id",
    get: () => ({ fetch: (input: string, init?: RequestInit) => object.fetch(new Request(input, init)) }),
  };
  const read = async () =>
    (await object.fetch(new Request("https://durable-object/read", { method: "POST", body: "{}" }))).json();
  return { binding, read };
}

/**
 * keyLimitsOn's binding with every settle held until `release()`: a request that has answered still
 * holds its lease (its reservation) until then, as one in flight does.
 */
function settlesHeld(storage: ReturnType<typeof memoryStorage>) {
  const { binding, read } = keyLimitsOn(storage);
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const held = {
    idFromName: binding.idFromName,
    get: () => ({
      async fetch(input: string, init?: RequestInit) {
        if (new URL(input).pathname === "/settle") await released;
        return binding.get().fetch(input, init);
      },
    }),
  };
  return { binding: held, read, release };
}

/** What `read` gives once it gives something, within 3 s (a settlement, a stored count). */
const eventually = <T>(read: () => T | undefined | Promise<T | undefined>) => pollFor(read, 3000, "a settlement");

/** The `data:` events of an SSE body read so far, reading until `count` of them or the end. */
async function readEvents(response: Response, count = Number.POSITIVE_INFINITY): Promise<number> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const events = () => text.split("\n\n").filter((event) => event.startsWith("data: {")).length;
  while (events() < count) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  if (count !== Number.POSITIVE_INFINITY) await reader.cancel();
  return events();
}

/** The JSON data of an SSE body's events read until `count` of them, then the body cancelled (the client leaves). */
async function readData(response: Response, count: number): Promise<Record<string, unknown>[]> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const data = () =>
    text
      .split("\n\n")
      .map((event) => /^data: (\{.*)$/m.exec(event)?.[1])
      .filter((json) => json !== undefined)
      .map((json) => JSON.parse(json) as Record<string, unknown>);
  while (data().length < count) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel();
  return data();
}

describe("a stream that ends without its usage still counts against tokens_per_day", () => {
  // The characters of the request's strings (the model's name, "user", "hi") / 4.
  const promptOf = (model: string) => Math.ceil((model.length + "user".length + "hi".length) / 4);

  it("a client that leaves midway: its body's bytes / 4 and a token per chunk relayed", async () => {
    const { binding, settled } = recordingLimits();
    const { chat, logs } = proxyWith({ RATE: { limit: async () => ({ success: true }) }, KEY_LIMITS: binding });
    const response = await chat(true, "slow");
    expect(response.status).toBe(200);
    const received = await readEvents(response, 5);
    const { tokens } = await eventually(() => settled[0]);
    expect(logs.at(-1)).toMatchObject({ status: 499 });
    expect(logs.at(-1)?.completion_tokens).toBeUndefined();
    // Every chunk the client received was relayed; a few more may have been on their way.
    expect(tokens).toBeGreaterThanOrEqual(promptOf("slow") + received);
    expect(tokens).toBeLessThan(promptOf("slow") + received + 10);
  });

  it("an upstream failure midway: the same", async () => {
    const { binding, settled } = recordingLimits();
    const { chat, logs } = proxyWith({ RATE: { limit: async () => ({ success: true }) }, KEY_LIMITS: binding });
    const received = await readEvents(await chat(true, "failing"));
    const { tokens } = await eventually(() => settled[0]);
    expect(logs.at(-1)?.error_code).toBeTruthy();
    expect(received).toBeGreaterThan(1);
    // Every chunk the client received was relayed (the last event is the proxy's error).
    expect(tokens).toBeGreaterThanOrEqual(promptOf("failing") + received - 1);
    expect(tokens).toBeLessThan(promptOf("failing") + received + 10);
  });

  // Each API's request, and the text its events carry (a Responses event's delta, a chunk's choices).
  const wordy = [
    ["chat", "/v1/chat/completions", chatBody("claude-words", true), (data) => data.choices],
    [
      "responses",
      "/v1/responses",
      { model: "claude-words", input: "hi", stream: true },
      (data) => ({ text: data.delta }),
    ],
    ["completions", "/v1/completions", { model: "words", prompt: "hi", stream: true }, (data) => data.choices],
  ] as const satisfies readonly [
    ModelApi,
    string,
    Record<string, unknown>,
    (data: Record<string, unknown>) => unknown,
  ][];

  it.each(wordy)(
    "%s: a client that leaves a stream of several words a chunk counts at least the estimate of the text relayed (relayedtext32)",
    async (api, path, body, textOf) => {
      const { binding, settled } = recordingLimits();
      const { post, logs } = proxyWith({ RATE: { limit: async () => ({ success: true }) }, KEY_LIMITS: binding });
      const response = await post(path, body);
      expect(response.status).toBe(200);
      const received = await readData(response, 8);
      const { tokens } = await eventually(() => settled[0]);
      expect(logs.at(-1)).toMatchObject({ status: 499 });
      const output = outputEstimate(received.map(textOf));
      // Eight words a chunk are several tokens each: a token per chunk would count a fraction of them.
      expect(output).toBeGreaterThan(2 * received.length);
      const input = inputEstimate(body, api);
      expect(tokens).toBeGreaterThanOrEqual(input + output);
      // A few more chunks may have been relayed on their way out, no more.
      expect(tokens).toBeLessThan(input + output + 60);
    },
  );

  it("a client that leaves a stream of a word a chunk: a token per chunk relayed, as before", async () => {
    const { binding, settled } = recordingLimits();
    const { chat } = proxyWith({ RATE: { limit: async () => ({ success: true }) }, KEY_LIMITS: binding });
    const received = await readData(await chat(true, "slow"), 6);
    const { tokens } = await eventually(() => settled[0]);
    const output = outputEstimate(received.map((chunk) => chunk.choices));
    // `w0 `, `w1 `…: fewer tokens by the text's estimate than chunks, so the chunks count.
    expect(output).toBeLessThan(received.length);
    const input = inputEstimate(chatBody("slow", true), "chat");
    expect(tokens).toBeGreaterThanOrEqual(input + received.length);
    expect(tokens).toBeLessThan(input + received.length + 10);
  });

  it("a plain legacy request of several calls that fails on one counts what the others used", async () => {
    const { binding, settled } = recordingLimits();
    const { post, logs } = proxyWith(
      { RATE: { limit: async () => ({ success: true }) }, KEY_LIMITS: binding },
      (emulator) => failingPromptFetch(emulator, "BAD", 2),
    );
    const response = await post("/v1/completions", { model: "llama", prompt: ["Once", "BAD", "Far away"] });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { message: "Input is too long for requested model." } });
    const { tokens } = await eventually(() => settled[0]);
    const line = logs.at(-1)!;
    expect(line.status).toBe(400);
    expect(line.completion_tokens).toBeGreaterThan(0);
    expect(tokens).toBe(line.prompt_tokens! + line.completion_tokens!);
  });

  it("read by the endpoint that served it, however its path was spelt (the inject4 review)", async () => {
    const { binding, settled } = recordingLimits();
    const { post, logs } = proxyWith({ RATE: { limit: async () => ({ success: true }) }, KEY_LIMITS: binding });
    // Its prompt counts once, as chat's does; read as legacy Completions (the spelling's API), once per answer.
    const content = "a".repeat(4000);
    const body = { model: "several", messages: [{ role: "user", content }], n: 3, stream: true };
    const response = await post("/v1/chat/%63ompletions", body);
    expect(response.status).toBe(200);
    const received = await readEvents(response, 5);
    const { tokens } = await eventually(() => settled[0]);
    expect(logs.at(-1)).toMatchObject({ status: 499, path: "/v1/chat/completions" });
    const prompt = Math.ceil(("several".length + "user".length + content.length) / 4);
    expect(tokens).toBeGreaterThanOrEqual(prompt + received);
    expect(tokens).toBeLessThan(prompt + received + 10);
  });

  it("a whole stream counts Bedrock's usage, exactly", async () => {
    const { binding, settled } = recordingLimits();
    const { chat, logs } = proxyWith({ RATE: { limit: async () => ({ success: true }) }, KEY_LIMITS: binding });
    await readEvents(await chat(true));
    const { tokens } = await eventually(() => settled[0]);
    const line = logs.at(-1)!;
    expect(tokens).toBe(line.prompt_tokens! + line.completion_tokens!);
  });
});

describe("Bedrock's absurd counts (numbers43 #1)", () => {
  // An upstream whose answers say 1e308 tokens, in the body and the count headers alike.
  const absurd = (emulator: Emulator) => async (input: RequestInfo | URL, init?: RequestInit) => {
    const answer = await emulator.fetch(new Request(input, init));
    const body = (await answer.json()) as Record<string, unknown>;
    const headers = new Headers(answer.headers);
    headers.delete("content-length");
    body.prompt_token_count = 1e308;
    body.generation_token_count = 1e308;
    headers.set("x-amzn-bedrock-input-token-count", "1e308");
    headers.set("x-amzn-bedrock-output-token-count", "1e308");
    return new Response(JSON.stringify(body), { status: answer.status, headers });
  };

  it("are no count: no total of null, the estimate charged, and the reservation returned", async () => {
    const storage = memoryStorage();
    const { binding, read } = keyLimitsOn(storage);
    const { chat, logs } = proxyWith({ RATE: { limit: async () => ({ success: true }) }, KEY_LIMITS: binding }, absurd);
    const first = await chat();
    expect(first.status).toBe(200);
    const body = (await first.json()) as { usage?: unknown };
    expect(body.usage).toBeUndefined();
    expect(logs.at(-1)?.prompt_tokens).toBeUndefined();
    // Settled with the estimate (never 0, never a refused count), and nothing left reserved.
    const used = await eventually(async () => {
      const state = (await read()) as { tokens: number; reserved: number; requests: number };
      return state.requests === 0 ? state : undefined;
    });
    expect(used.tokens).toBeGreaterThan(0);
    expect(used.tokens).toBeLessThan(1000);
    expect(used.reserved).toBe(0);
    // The key's next request is served, not refused for a request in flight that is not.
    expect((await chat()).status).toBe(200);
  });
});

const failing = async () => {
  throw new Error("the counter is down");
};

describe("a key over its request rate", () => {
  it("is refused with 429 and Retry-After: 59, the longer of the binding's periods (it does not tell which) less a second, so that the AI SDK waits it (docsdrift18 #1)", async () => {
    const { chat } = proxyWith({
      API_KEYS: JSON.stringify({ team: { key: "sk-team-0123456789", rate_limit: "RATE" } }),
      RATE: { limit: async () => ({ success: false }) },
    });
    const response = await chat();
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("59");
    expect(await response.json()).toMatchObject({ error: { code: "request_rate_exceeded" } });
  });
});

describe("a limit whose binding fails", () => {
  it("lets the request through, and its log line says which limits went unchecked", async () => {
    const { chat, logs } = proxyWith({
      RATE: { limit: failing },
      KEY_LIMITS: { idFromName: () => "id", get: () => ({ fetch: failing }) },
    });
    const response = await chat(true);
    expect(response.status).toBe(200);
    await response.text();
    expect(logs.at(-1)).toMatchObject({
      status: 200,
      key: "team",
      limits_unchecked: "rate_limit: the counter is down; tokens_per_day, concurrent_streams: the counter is down",
    });
    const plain = await chat();
    expect(plain.status).toBe(200);
    // The line is written once the answer has been read.
    await plain.text();
    expect(logs.at(-1)?.limits_unchecked).toBe("rate_limit: the counter is down; tokens_per_day: the counter is down");
  });

  it("says what the counter's failure was in at most 200 characters: a binding's error can be a whole error page, on every request while it is down", async () => {
    const overloaded = async (input: string) => {
      if (new URL(input).pathname === "/admit") throw new Error(`overloaded ${"x".repeat(5000)}`);
      return Response.json(null);
    };
    const { chat, logs } = proxyWith({
      RATE: { limit: async () => ({ success: true }) },
      KEY_LIMITS: { idFromName: () => "id", get: () => ({ fetch: overloaded }) },
    });
    const response = await chat();
    expect(response.status).toBe(200);
    await response.text();
    const unchecked = logs.at(-1)?.limits_unchecked;
    expect(unchecked).toMatch(/^tokens_per_day: overloaded x+$/);
    expect(unchecked).toHaveLength(200);
  });

  it("the rate limiter's failure too", async () => {
    const admitted = async () => Response.json({ ok: true });
    const { chat, logs } = proxyWith({
      RATE: { limit: failing },
      KEY_LIMITS: { idFromName: () => "id", get: () => ({ fetch: admitted }) },
    });
    const response = await chat();
    expect(response.status).toBe(200);
    await response.text();
    expect(logs.at(-1)?.limits_unchecked).toBe("rate_limit: the counter is down");
  });
});

/**
 * keyLimitsOn's binding whose calls to `method` fail `times` times: after the object has run the
 * call (its answer lost, which Cloudflare documents) or, `before`, without it reaching the object.
 */
function failingCalls(
  storage: ReturnType<typeof memoryStorage>,
  method: string,
  { times = 1, before = false }: { times?: number; before?: boolean } = {},
) {
  const { binding, read } = keyLimitsOn(storage);
  let failures = 0;
  const calls: string[] = [];
  // When each call was made (performance.now()).
  const at: number[] = [];
  const flaky = {
    idFromName: binding.idFromName,
    get: () => ({
      async fetch(input: string, init?: RequestInit) {
        const called = new URL(input).pathname.slice(1);
        calls.push(called);
        at.push(performance.now());
        const fails = called === method && failures < times;
        if (fails) failures += 1;
        if (fails && before) throw new Error("Durable Object is overloaded.");
        const answer = await binding.get().fetch(input, init);
        if (fails) throw new Error("Network connection lost.");
        return answer;
      },
    }),
  };
  return { binding: flaky, read, calls, at };
}

describe("a KEY_LIMITS call that fails does not hold the key's place or tokens until the lease lapses (leases45 #1)", () => {
  const KEYS = JSON.stringify({
    team: { key: "sk-team-0123456789", tokens_per_day: 1_000_000, concurrent_streams: 1 },
  });

  it("an admission whose answer is lost, after the object stored its lease: the request is settled all the same, its tokens counted", async () => {
    const { binding, read } = failingCalls(memoryStorage(), "admit");
    const { chat, logs } = proxyWith({ API_KEYS: KEYS, KEY_LIMITS: binding });
    const response = await chat(true);
    expect(response.status).toBe(200);
    await response.text();
    expect(logs.at(-1)?.limits_unchecked).toBe("tokens_per_day, concurrent_streams: Network connection lost.");
    const { tokens } = await eventually(async () => {
      const state = (await read()) as { tokens: number; streams: number };
      return state.streams === 0 && state.tokens > 0 ? state : undefined;
    });
    expect(tokens).toBe(logs.at(-1)!.prompt_tokens! + logs.at(-1)!.completion_tokens!);
    expect(await read()).toMatchObject({ streams: 0, reserved: 0, requests: 0 });
    // The key's next stream is served, not refused for one that is not open.
    const next = await chat(true);
    expect(next.status).toBe(200);
    await next.text();
  });

  it("an admission whose answer is lost: a stream that runs on past LEASE_MS keeps the lease the object stored renewed", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const { binding, calls } = failingCalls(memoryStorage(), "admit");
    const { chat } = proxyWith({ API_KEYS: KEYS, KEY_LIMITS: binding });
    const response = await chat(true, "slow");
    const reader = response.body!.getReader();
    await reader.read();
    vi.advanceTimersByTime(LEASE_RENEW_MS);
    expect(calls.filter((call) => call === "renew")).toHaveLength(1);
    while (!(await reader.read()).done);
  });

  it("an admission that never reached the object: settling counts the tokens of the request that ran, and holds nothing", async () => {
    const { binding, read } = failingCalls(memoryStorage(), "admit", { before: true });
    const { chat, logs } = proxyWith({ API_KEYS: KEYS, KEY_LIMITS: binding });
    const response = await chat();
    expect(response.status).toBe(200);
    await response.text();
    const line = logs.at(-1)!;
    expect(line.limits_unchecked).toBe("tokens_per_day: Durable Object is overloaded.");
    const state = await eventually(async () => {
      const now = (await read()) as { tokens: number };
      return now.tokens > 0 ? now : undefined;
    });
    expect(state).toMatchObject({ tokens: line.prompt_tokens! + line.completion_tokens!, reserved: 0, requests: 0 });
  });

  for (const before of [true, false]) {
    it(`a settlement that fails ${before ? "before it reaches the object" : "after the object applied it (its answer lost)"} is tried again: the place is free, the tokens counted once`, async () => {
      const { binding, read, calls } = failingCalls(memoryStorage(), "settle", { before });
      const { chat, logs } = proxyWith({ API_KEYS: KEYS, KEY_LIMITS: binding });
      const errors = vi.spyOn(console, "error").mockImplementation(() => {});
      onTestFinished(() => errors.mockRestore());
      const response = await chat(true);
      expect(response.status).toBe(200);
      await response.text();
      const line = logs.at(-1)!;
      await eventually(() => (calls.filter((call) => call === "settle").length === 2 ? true : undefined));
      await eventually(async () => ((await read()) as { streams: number }).streams === 0 || undefined);
      expect(await read()).toMatchObject({
        tokens: line.prompt_tokens! + line.completion_tokens!,
        streams: 0,
        reserved: 0,
        requests: 0,
      });
      const id = response.headers.get("x-request-id");
      expect(errors.mock.calls.filter(([text]) => String(text).includes(String(id)))).toEqual([]);
      const next = await chat(true);
      expect(next.status).toBe(200);
      await next.text();
    });
  }

  it("a settlement that keeps failing is tried three times, a quarter of a second then a second apart, then logged once", async () => {
    const { binding, calls, at } = failingCalls(memoryStorage(), "settle", { times: 3, before: true });
    const { chat } = proxyWith({ API_KEYS: KEYS, KEY_LIMITS: binding });
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    onTestFinished(() => errors.mockRestore());
    const response = await chat();
    await response.text();
    // This request's lines (an earlier test's settlement, tried again, may log meanwhile).
    const id = response.headers.get("x-request-id");
    const logged = () =>
      errors.mock.calls
        .map(([text]) => JSON.parse(String(text)) as Record<string, unknown>)
        .filter((error) => error.request_id === id);
    await eventually(() => (logged().length > 0 ? true : undefined));
    expect(calls.filter((call) => call === "settle")).toHaveLength(3);
    expect(logged()).toEqual([
      expect.objectContaining({ failed: "settling the key's limits", error: "Durable Object is overloaded." }),
    ]);
    // docs/PROXY-REFERENCE.md: "tried twice more (after a quarter of a second, then a second)": three tries at once
    // would all meet a counter that is overloaded for a moment. (A timer may fire a millisecond
    // early by performance.now().)
    const settles = calls.flatMap((call, index) => (call === "settle" ? [at[index]!] : []));
    expect(settles[1]! - settles[0]!).toBeGreaterThanOrEqual(249);
    expect(settles[2]! - settles[1]!).toBeGreaterThanOrEqual(999);
  });

  it("a settlement's failure is logged without the deployment's secrets (an error may echo one)", async () => {
    const secret = EMULATOR_CREDENTIALS.secretAccessKey;
    const { binding } = keyLimitsOn(memoryStorage());
    const echoing = {
      idFromName: binding.idFromName,
      get: () => ({
        async fetch(input: string, init?: RequestInit) {
          if (new URL(input).pathname === "/settle") throw new Error(`signature mismatch for ${secret}`);
          return binding.get().fetch(input, init);
        },
      }),
    };
    const { chat } = proxyWith({ API_KEYS: KEYS, KEY_LIMITS: echoing });
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    onTestFinished(() => errors.mockRestore());
    const response = await chat();
    await response.text();
    const id = response.headers.get("x-request-id");
    const logged = () => errors.mock.calls.map(([text]) => String(text)).filter((text) => text.includes(String(id)));
    const [line] = await eventually(() => (logged().length > 0 ? logged() : undefined));
    expect(JSON.parse(line!)).toMatchObject({
      failed: "settling the key's limits",
      error: expect.stringContaining("signature mismatch"),
    });
    expect(line).not.toContain(secret);
  });

  it("in a Worker, a settlement is kept alive with ctx.waitUntil: the runtime waits for the tokens to be counted, not only for the answer", async () => {
    const storage = memoryStorage();
    const { binding, read } = keyLimitsOn(storage);
    // A settlement that takes a moment, as a Durable Object's round trip does.
    const slowSettle = {
      idFromName: binding.idFromName,
      get: () => ({
        async fetch(input: string, init?: RequestInit) {
          if (new URL(input).pathname === "/settle") await new Promise((resolve) => setTimeout(resolve, 100));
          return binding.get().fetch(input, init);
        },
      }),
    };
    const { app } = proxyWith({ API_KEYS: KEYS, KEY_LIMITS: slowSettle });
    const kept: Promise<unknown>[] = [];
    const ctx = {
      waitUntil: (work: Promise<unknown>) => void kept.push(work),
      passThroughOnException: () => {},
      props: {},
    };
    const response = await app.request(
      "/v1/chat/completions",
      {
        method: "POST",
        headers: { authorization: "Bearer sk-team-0123456789", "content-type": "application/json" },
        body: JSON.stringify(chatBody("llama", false)),
      },
      undefined,
      ctx,
    );
    expect(response.status).toBe(200);
    await response.text();
    // What the runtime was told to wait for: once it is done, the request is counted.
    await Promise.all(kept);
    const counted = (await read()) as { tokens: number; requests: number };
    expect(counted.requests).toBe(0);
    expect(counted.tokens).toBeGreaterThan(0);
  });
});

describe("an open stream's place in concurrent_streams", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("is renewed every 5 minutes (LEASE_RENEW_MS) while the stream is open, and no more once it has ended", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const { binding, calls, settled } = recordingLimits();
    const { chat } = proxyWith({ RATE: { limit: async () => ({ success: true }) }, KEY_LIMITS: binding });
    const response = await chat(true, "slow");
    const reader = response.body!.getReader();
    await reader.read();
    const lease = calls.find((call) => call.method === "admit")?.args.lease;
    expect(lease).toMatch(/^req_/);
    const renewals = () => calls.filter((call) => call.method === "renew");
    expect(renewals()).toEqual([]);
    vi.advanceTimersByTime(LEASE_RENEW_MS);
    vi.advanceTimersByTime(LEASE_RENEW_MS);
    expect(renewals()).toEqual([
      { method: "renew", args: { lease } },
      { method: "renew", args: { lease } },
    ]);
    while (!(await reader.read()).done);
    await eventually(() => settled[0]);
    vi.advanceTimersByTime(3 * LEASE_RENEW_MS);
    expect(renewals()).toHaveLength(2);
  });

  it("is taken by a Responses stream as by a chat one: a third at concurrent_streams 2 is refused", async () => {
    const { binding, read } = keyLimitsOn(memoryStorage());
    const API_KEYS = JSON.stringify({ team: { key: "sk-team-0123456789", concurrent_streams: 2 } });
    const { post } = proxyWith({ RATE: { limit: async () => ({ success: true }) }, KEY_LIMITS: binding, API_KEYS });
    const stream = () => post("/v1/responses", { model: "slow", input: "hi", stream: true });
    const open = [await stream(), await stream()];
    expect(open.map((response) => response.status)).toEqual([200, 200]);
    const third = await stream();
    expect(third.status).toBe(429);
    expect(await third.json()).toMatchObject({ error: { code: "concurrent_streams_exceeded" } });
    for (const response of open) await response.body?.cancel();
    // Their places are returned as their clients leave.
    await eventually(async () => ((await read()) as { streams: number }).streams === 0 || undefined);
  });
});

describe("a renewal that fails (a Durable Object reset, an overloaded object)", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("is dropped quietly and tried again at the next interval, and the stream is served: no unhandled rejection, which would end a Node host's process", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const { binding, calls, settled } = recordingLimits();
    const failingRenew = {
      idFromName: binding.idFromName,
      get: () => ({
        async fetch(input: string, init?: RequestInit) {
          const answer = await binding.get().fetch(input, init);
          if (new URL(input).pathname === "/renew") throw new Error("Durable Object reset");
          return answer;
        },
      }),
    };
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    onTestFinished(() => void process.off("unhandledRejection", onUnhandled));
    const { chat } = proxyWith({ RATE: { limit: async () => ({ success: true }) }, KEY_LIMITS: failingRenew });
    const response = await chat(true, "slow");
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    await reader.read();
    vi.advanceTimersByTime(LEASE_RENEW_MS);
    vi.advanceTimersByTime(LEASE_RENEW_MS);
    while (!(await reader.read()).done);
    await eventually(() => settled[0]);
    // Time for a rejection left unhandled to be reported.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls.filter((call) => call.method === "renew")).toHaveLength(2);
    expect(unhandled).toEqual([]);
  });
});

describe("what a request of a key with tokens_per_day reserves while it is in flight", () => {
  const admitted = (calls: ReturnType<typeof recordingLimits>["calls"]) =>
    calls.filter((call) => call.method === "admit").map((call) => call.args);

  it("its estimate on each API, with its model's output cap when it sets no limit", async () => {
    const { binding, calls } = recordingLimits();
    const { post } = proxyWith({ RATE: { limit: async () => ({ success: true }) }, KEY_LIMITS: binding });
    const chat = { model: "llama", messages: [{ role: "user", content: "hi" }], max_tokens: 50 };
    const completions = { model: "llama", prompt: "hi" };
    const responses = { model: "capped", input: "hi" };
    for (const [path, body] of [
      ["/v1/chat/completions", chat],
      ["/completions", completions],
      ["/v1/responses", responses],
    ] as const) {
      const response = await post(path, body);
      expect(response.status, path).toBe(200);
      await response.text();
    }
    expect(admitted(calls).map((args) => args.reserve)).toEqual([
      tokenEstimate(chat, "chat", undefined),
      tokenEstimate(completions, "completions", undefined),
      tokenEstimate(responses, "responses", 100),
    ]);
  });

  it("is what it may use: without an output limit, an imported model is sent the reserved one; a converse model is not (its own ceiling may be lower)", async () => {
    const { binding } = recordingLimits();
    const { post, emulator } = proxyWith({ RATE: { limit: async () => ({ success: true }) }, KEY_LIMITS: binding });
    const sent = (modelString: string) => emulator.stats.lastBody(modelString.split("/").slice(2).join("/"));
    const ask = async (body: Record<string, unknown>) => {
      const response = await post("/v1/chat/completions", { messages: [{ role: "user", content: "hi" }], ...body });
      expect(response.status).toBe(200);
      await response.text();
    };
    await ask({ model: "llama" });
    expect(sent(`bedrock/llama/${emulatorModelId("llama")}`)).toMatchObject({ max_gen_len: 4096 });
    await ask({ model: "llama", max_tokens: 50 });
    expect(sent(`bedrock/llama/${emulatorModelId("llama")}`)).toMatchObject({ max_gen_len: 50 });
    await ask({ model: "claude" });
    expect(sent(model("converse"))).not.toHaveProperty("inferenceConfig.maxTokens");
  });

  it("on a profile whose entry names a Claude (foundation_model): what Claude's thinking may use", async () => {
    const { binding, calls } = recordingLimits();
    const { post } = proxyWith({
      RATE: { limit: async () => ({ success: true }) },
      KEY_LIMITS: binding,
      API_KEYS: JSON.stringify({ team: { key: "sk-team-0123456789", rate_limit: "RATE", tokens_per_day: 100_000 } }),
    });
    const body = { model: "profile-claude", messages: [{ role: "user", content: "hi" }], reasoning_effort: "low" };
    const response = await post("/v1/chat/completions", body);
    expect(response.status).toBe(200);
    await response.text();
    const [reserved] = admitted(calls).map((args) => args.reserve);
    expect(reserved).toBe(tokenEstimate(body, "chat", undefined, { modelIds: [CLAUDE_45] }));
    // The profile's own id says nothing of thinking: the output limit it sets was left out.
    expect(reserved).toBeGreaterThan(tokenEstimate(body, "chat", undefined, { modelIds: [PROFILE] }));
  });

  it("on a Claude entry with a reasoning_budget, a request without an output limit: the budget plus 4,096 for the answer, as the library sends", async () => {
    const { binding, calls } = recordingLimits();
    const { post } = proxyWith({
      RATE: { limit: async () => ({ success: true }) },
      KEY_LIMITS: binding,
      MODELS: JSON.stringify({ thinking: { model: model("converse"), reasoning_budget: 8000 } }),
      // A day large enough that the reservation is not cut to it.
      API_KEYS: JSON.stringify({ team: { key: "sk-team-0123456789", tokens_per_day: 1_000_000 } }),
    });
    const body = { model: "thinking", messages: [{ role: "user", content: "hi" }] };
    const response = await post("/v1/chat/completions", body);
    expect(response.status).toBe(200);
    await response.text();
    // Its prompt and markup, and an output limit of 8,000 + 4,096 (docs/PROXY-REFERENCE.md: "the thinking budget
    // plus 4,096 for the answer"), not the 4,096 of a request without thinking.
    expect(admitted(calls).map((args) => args.reserve)).toEqual([tokenEstimate(body, "chat", 8000 + 4096)]);
  });

  it("never more than the whole day, however much it asks for within the library's bounds; past them, the library's 400 before any reservation", async () => {
    const { binding, calls } = recordingLimits();
    const { post, logs } = proxyWith({ RATE: { limit: async () => ({ success: true }) }, KEY_LIMITS: binding });
    const unlimited = { model: "llama", messages: [{ role: "user", content: "hi" }] };
    const served = await post("/v1/chat/completions", unlimited);
    expect(served.status).toBe(200);
    await served.text();
    // More than the day, within the library's bounds (and the emulated Llama's 8,192): the whole day.
    const most = { ...unlimited, max_tokens: 8192 };
    const asked = await post("/v1/chat/completions", most);
    expect(asked.status).toBe(200);
    await asked.text();
    // Past them (a sum past what a number holds): refused as the library refuses it, reserving nothing.
    const huge = { ...unlimited, max_tokens: 1e300, n: 128 };
    const refused = await post("/v1/chat/completions", huge);
    expect(refused.status).toBe(400);
    expect((await refused.json()).error).toMatchObject({ param: "max_tokens" });
    expect(admitted(calls).map((args) => args.reserve)).toEqual([1000, 1000]);
    await eventually(() => (logs.length === 3 ? true : undefined));
    expect(logs.map((line) => line.limits_unchecked)).toEqual([undefined, undefined, undefined]);
  });

  it("a plain request holds its lease until it ends, renewed while it waits", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    try {
      const { binding, calls, settled } = recordingLimits();
      const { chat } = proxyWith({ RATE: { limit: async () => ({ success: true }) }, KEY_LIMITS: binding });
      const answer = chat(false, "waiting");
      const lease = (await eventually(() => admitted(calls)[0])).lease;
      expect(lease).toMatch(/^req_/);
      vi.advanceTimersByTime(LEASE_RENEW_MS);
      expect(calls.filter((call) => call.method === "renew")).toEqual([{ method: "renew", args: { lease } }]);
      const response = await answer;
      expect(response.status).toBe(200);
      await response.text();
      expect((await eventually(() => settled[0])).lease).toBe(lease);
      vi.advanceTimersByTime(3 * LEASE_RENEW_MS);
      expect(calls.filter((call) => call.method === "renew")).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("refused for the reservations in flight: 429, a short Retry-After, and a message saying so", async () => {
    const refusing = {
      idFromName: () => "id",
      get: () => ({
        fetch: async (input: string) =>
          Response.json(
            new URL(input).pathname === "/admit"
              ? { ok: false, limit: "tokens_in_flight", used: 10, reserved: 990, requests: 2, retryAfterS: 2 }
              : null,
          ),
      }),
    };
    const { chat } = proxyWith({ RATE: { limit: async () => ({ success: true }) }, KEY_LIMITS: refusing });
    const response = await chat();
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("2");
    expect(await response.json()).toMatchObject({
      error: {
        code: "tokens_per_day_in_flight",
        message:
          'The key "team" has requests in flight that may use the rest of its tokens for today (tokens_per_day: 1000, used: 10, reserved by 2 requests in flight: 990); try again when one has finished.',
      },
    });
  });
});

describe("a refusal's counts (daytwo49 #11)", () => {
  /** KEY_LIMITS refusing every admission with this answer. */
  const refusing = (refusal: Record<string, unknown>) => ({
    idFromName: () => "id",
    get: () => ({
      fetch: async (input: string) =>
        Response.json(new URL(input).pathname === "/admit" ? { ok: false, retryAfterS: 2, ...refusal } : null),
    }),
  });
  const messageOf = async (refusal: Record<string, unknown>, stream: boolean) => {
    const { chat } = proxyWith({ RATE: { limit: async () => ({ success: true }) }, KEY_LIMITS: refusing(refusal) });
    const response = await chat(stream);
    expect(response.status).toBe(429);
    return ((await response.json()) as { error: { message: string } }).error.message;
  };

  it("say one stream, and one request, in the singular", async () => {
    expect(await messageOf({ limit: "concurrent_streams", open: 1 }, true)).toBe(
      'The key "team" already has 1 stream open (concurrent_streams: 2); try again when one has finished.',
    );
    expect(await messageOf({ limit: "concurrent_streams", open: 2 }, true)).toBe(
      'The key "team" already has 2 streams open (concurrent_streams: 2); try again when one has finished.',
    );
    expect(await messageOf({ limit: "tokens_in_flight", used: 10, reserved: 990, requests: 1 }, false)).toBe(
      'The key "team" has requests in flight that may use the rest of its tokens for today (tokens_per_day: 1000, used: 10, reserved by 1 request in flight: 990); try again when one has finished.',
    );
  });
});

describe("tokens Bedrock billed beyond the answer the client got (usage6)", () => {
  const RATE = { limit: async () => ({ success: true }) };
  const throttled = awsError("ThrottlingException", "Too many requests, please wait before trying again.");
  // Two prompts, a call each: on a throttled copy the first answers (and is billed), then the second is throttled.
  const prompt = ["AAA once upon a time", "BBB twice"];
  const settledFor = (settled: ReturnType<typeof recordingLimits>["settled"], response: Response) =>
    eventually(() => settled.find((settlement) => settlement.lease === response.headers.get("x-request-id")));
  const lineOf = (logs: LogLine[], response: Response) =>
    logs.find((line) => line.request_id === response.headers.get("x-request-id"))!;
  const total = (line: LogLine) => line.prompt_tokens! + line.completion_tokens!;

  it("#1 failover: what a copy answered before the request moved on counts with the serving copy's", async () => {
    const { binding, settled } = recordingLimits();
    const { post, logs } = proxyWith({ RATE, KEY_LIMITS: binding }, (emulator) =>
      failingPromptFetch(emulator, "BBB", 1, { error: throttled, model: EAST_LLAMA }),
    );
    const response = await post("/v1/completions", { model: "failover", prompt, max_tokens: 8 });
    expect(response.status).toBe(200);
    const served: Usage = (await response.json()).usage;
    const { tokens } = await settledFor(settled, response);
    // What the first prompt alone costs (served by the other copy: the first cools down).
    const alone = await post("/v1/completions", { model: "failover", prompt: prompt[0], max_tokens: 8 });
    const first: Usage = (await alone.json()).usage;
    const line = lineOf(logs, response);
    // The client's usage stays what it was served; the line and the day count both copies' calls.
    expect(line).toMatchObject({
      status: 200,
      deployment: 1,
      deployments_tried: 2,
      prompt_tokens: served.prompt_tokens + first.prompt_tokens,
      completion_tokens: served.completion_tokens + first.completion_tokens,
    });
    expect(tokens).toBe(total(line));
  });

  it("#1 failover when every copy fails: every attempt's calls count", async () => {
    const { binding, settled } = recordingLimits();
    const { post, logs } = proxyWith({ RATE, KEY_LIMITS: binding, BEDROCK_MAX_RETRIES: "0" }, (emulator) =>
      failingPromptFetch(emulator, "BBB", 1, { error: throttled }),
    );
    const response = await post("/v1/completions", { model: "failover", prompt, max_tokens: 8 });
    expect(response.status).toBe(429);
    await response.text();
    const { tokens } = await settledFor(settled, response);
    const first: Usage = (
      await (await post("/v1/completions", { model: "llama", prompt: prompt[0], max_tokens: 8 })).json()
    ).usage;
    expect(lineOf(logs, response)).toMatchObject({
      status: 429,
      deployments_tried: 2,
      prompt_tokens: 2 * first.prompt_tokens,
      completion_tokens: 2 * first.completion_tokens,
    });
    expect(tokens).toBe(2 * first.total_tokens);
  });

  it("#1 failover of a stream: the first copy's call that had opened, its counts unread, is estimated", async () => {
    const { binding, settled } = recordingLimits();
    const { post, logs } = proxyWith({ RATE, KEY_LIMITS: binding }, (emulator) =>
      failingPromptFetch(emulator, "BBB", 1, { error: throttled, model: EAST_LLAMA }),
    );
    const response = await post("/v1/completions", { model: "failover", prompt, max_tokens: 8, stream: true });
    expect(response.status).toBe(200);
    await readEvents(response);
    const { tokens } = await settledFor(settled, response);
    const line = lineOf(logs, response);
    expect(line).toMatchObject({ status: 200, deployment: 1 });
    // The serving copy's counts, exactly; the other's call: its prompt's estimate, and a token per chunk read of it.
    const estimate = Math.ceil(prompt[0]!.length / 4);
    expect(tokens).toBeGreaterThanOrEqual(total(line) + estimate + 1);
    expect(tokens).toBeLessThanOrEqual(total(line) + estimate + 8);
  });

  describe("a failover left by its client before the router's outcome (codereview41)", () => {
    /**
     * Answers the first prompt and throttles the one with "BBB", on each copy; at the second (last)
     * copy's refusal the client leaves 150 ms later, while that copy's cool-down is written.
     */
    const leavingAtLastRefusal = (
      emulator: Emulator,
      leaving: AbortController,
      refused: () => number,
    ): typeof fetch => {
      const failing = failingPromptFetch(emulator, "BBB", 1, { error: throttled });
      return async (input, init) => {
        const response = await failing(input, init);
        if (response.status === 429 && refused() === 2) setTimeout(() => leaving.abort(), 150);
        return response;
      };
    };
    /** What the first prompt alone costs on a copy that answers it. */
    const firstAlone = async (post: ReturnType<typeof proxyWith>["post"]): Promise<Usage> =>
      (await (await post("/v1/completions", { model: "llama", prompt: prompt[0], max_tokens: 8 })).json()).usage;

    it("#1 during the last copy's cool-down write: the calls each copy answered count, billed though the request failed", async () => {
      const { binding, settled } = recordingLimits();
      const leaving = new AbortController();
      let refusals = 0;
      const { post, logs } = proxyWith(
        { RATE, KEY_LIMITS: binding, BEDROCK_MAX_RETRIES: "0", DEPLOYMENT_COOLDOWNS: SLOW_COOLDOWNS },
        // Each copy answers the first prompt, then throttles the second.
        (emulator) => leavingAtLastRefusal(emulator, leaving, () => ++refusals),
      );
      const response = await post("/v1/completions", { model: "failover", prompt, max_tokens: 8 }, leaving.signal);
      await response.text().catch(() => "");
      const { tokens } = await eventually(() => settled[0]);
      const line = logs.at(-1)!;
      expect(refusals).toBe(2);
      expect(line).toMatchObject({ status: 499, deployments_tried: 2 });
      const first = await firstAlone(post);
      // Both copies answered the first prompt, and Bedrock billed both: in the line and the day.
      expect(line).toMatchObject({
        prompt_tokens: 2 * first.prompt_tokens,
        completion_tokens: 2 * first.completion_tokens,
      });
      expect(tokens).toBe(2 * first.total_tokens);
    });

    it("#1 an embeddings request, likewise: each copy's answered call counts", async () => {
      const { binding, settled } = recordingLimits();
      const leaving = new AbortController();
      let refusals = 0;
      const { post, logs } = proxyWith(
        { RATE, KEY_LIMITS: binding, BEDROCK_MAX_RETRIES: "0", DEPLOYMENT_COOLDOWNS: SLOW_COOLDOWNS },
        // Titan embeds a text a call: each copy answers "hi", then throttles the other text.
        (emulator) => leavingAtLastRefusal(emulator, leaving, () => ++refusals),
      );
      const response = await post("/v1/embeddings", { model: "vector-copies", input: ["hi", "BBB"] }, leaving.signal);
      await response.text().catch(() => "");
      const { tokens } = await eventually(() => settled[0]);
      const line = logs.at(-1)!;
      expect(refusals).toBe(2);
      // "hi" is one token on Titan, billed on each copy.
      expect(line).toMatchObject({ status: 499, deployments_tried: 2, prompt_tokens: 2 });
      expect(tokens).toBe(2);
    });

    it("#2 while the next copy's calls are out: the first copy's answered call counts beside the calls out", async () => {
      const { binding, settled } = recordingLimits();
      const leaving = new AbortController();
      const body = { model: "failover", prompt, max_tokens: 8 };
      const { post, logs } = proxyWith({ RATE, KEY_LIMITS: binding, BEDROCK_MAX_RETRIES: "0" }, (emulator) => {
        // The first copy answers the first prompt and throttles the second; the other holds both.
        const failing = failingPromptFetch(emulator, "BBB", 1, { error: throttled, model: EAST_LLAMA });
        return async (input, init) => {
          if (!decodeURIComponent(new Request(input).url).includes(WEST_LLAMA)) return failing(input, init);
          setTimeout(() => leaving.abort(), 200);
          await new Promise((resolve) => setTimeout(resolve, 2000));
          return emulator.fetch(new Request(input, init));
        };
      });
      const response = await post("/v1/completions", body, leaving.signal);
      await response.text().catch(() => "");
      const { tokens } = await eventually(() => settled[0]);
      const line = logs.at(-1)!;
      expect(line).toMatchObject({ status: 499, deployment: 1, deployments_tried: 2 });
      const first = await firstAlone(post);
      expect(line).toMatchObject({ prompt_tokens: first.prompt_tokens, completion_tokens: first.completion_tokens });
      // The first copy's billed call, and each of the second copy's calls out (its prompt's estimate).
      expect(tokens).toBe(first.total_tokens + callsOutEstimate(body, "completions", [{ prompt: 0 }, { prompt: 1 }]));
    });
  });

  it("#2 a streamed legacy request that fails before its first byte counts the calls that had opened", async () => {
    const good = "Once upon a time";
    const body = { model: "llama", prompt: [good, "BAD"], max_tokens: 16, stream: true };
    // Its stream read whole (its last frame with the first): Bedrock's counts, in the line and the day.
    const whole = recordingLimits();
    const counted = proxyWith({ RATE, KEY_LIMITS: whole.binding }, (emulator) =>
      failingPromptFetch(emulator, "BAD", 1, { whole: true }),
    );
    const refused = await counted.post("/v1/completions", body);
    expect(refused.status).toBe(400);
    await refused.text();
    const { tokens } = await settledFor(whole.settled, refused);
    const alone: Usage = (
      await (await counted.post("/v1/completions", { ...body, prompt: good, stream: false })).json()
    ).usage;
    expect(lineOf(counted.logs, refused)).toMatchObject({
      status: 400,
      prompt_tokens: alone.prompt_tokens,
      completion_tokens: alone.completion_tokens,
    });
    expect(tokens).toBe(alone.total_tokens);

    // Stopped after its first frame: no count in the line, an estimate for the day, never 0.
    const cut = recordingLimits();
    const estimated = proxyWith({ RATE, KEY_LIMITS: cut.binding }, (emulator) =>
      failingPromptFetch(emulator, "BAD", 1),
    );
    const failed = await estimated.post("/v1/completions", body);
    expect(failed.status).toBe(400);
    await failed.text();
    const settlement = await settledFor(cut.settled, failed);
    const line = lineOf(estimated.logs, failed);
    expect(line.status).toBe(400);
    expect(line.prompt_tokens).toBeUndefined();
    expect(line.completion_tokens).toBeUndefined();
    const estimate = Math.ceil(good.length / 4);
    expect(settlement.tokens).toBeGreaterThanOrEqual(estimate + 1);
    expect(settlement.tokens).toBeLessThanOrEqual(estimate + 16);
  });

  it("#3 a plain answer without Bedrock's counts: the prompt's estimate and its output's, never 0", async () => {
    const { binding, settled } = recordingLimits();
    const { post, logs } = proxyWith({ RATE, KEY_LIMITS: binding });
    const messages = [{ role: "user", content: "Hello there, how are you today?" }];
    const cases = [
      ["/v1/chat/completions", { model: "quiet", messages }, "chat", (json) => json.choices],
      ["/v1/chat/completions", { model: "quiet-openai", messages }, "chat", (json) => json.choices],
      [
        "/v1/completions",
        { model: "quiet", prompt: "Once upon a time", max_tokens: 16 },
        "completions",
        (json) => json.choices,
      ],
      ["/v1/responses", { model: "quiet", input: "Hello there" }, "responses", (json) => json.output],
    ] as const satisfies ReadonlyArray<
      readonly [string, Record<string, unknown>, ModelApi, (json: { choices?: unknown; output?: unknown }) => unknown]
    >;
    for (const [path, body, api, output] of cases) {
      const response = await post(path, body);
      expect(response.status, path).toBe(200);
      const json = await response.json();
      const { tokens } = await settledFor(settled, response);
      const line = lineOf(logs, response);
      // A count is never invented in the line (nor in the row and the span it makes).
      expect(line.prompt_tokens, path).toBeUndefined();
      expect(line.completion_tokens, path).toBeUndefined();
      const answer = outputEstimate(output(json));
      expect(answer, path).toBeGreaterThan(0);
      expect(tokens, path).toBe(inputEstimate(body, api) + answer);
    }
  });

  it("a legacy answer with echo and without counts: each echoed prompt is input, counted once, not output again (codereview33 #4)", async () => {
    const first = "word ".repeat(2000);
    const second = "other ".repeat(1000);
    for (const stream of [false, true]) {
      const { binding, settled } = recordingLimits();
      const { post, logs } = proxyWith({ RATE, KEY_LIMITS: binding });
      const body = { model: "quiet", prompt: [first, second], n: 2, echo: true, max_tokens: 8, stream };
      const response = await post("/v1/completions", body);
      expect(response.status).toBe(200);
      const texts = new Map<number, string>();
      if (stream) {
        for (const line of (await response.text()).split("\n")) {
          if (!line.startsWith("data: {")) continue;
          const chunk = JSON.parse(line.slice(6)) as { choices: Array<{ index: number; text: string }> };
          for (const { index, text } of chunk.choices) texts.set(index, (texts.get(index) ?? "") + text);
        }
      } else {
        const json = (await response.json()) as { choices: Array<{ index: number; text: string }> };
        for (const { index, text } of json.choices) texts.set(index, text);
      }
      const { tokens } = await settledFor(settled, response);
      expect(lineOf(logs, response).completion_tokens).toBeUndefined();
      // The client got each prompt echoed before its two answers...
      expect([...texts.keys()].sort()).toEqual([0, 1, 2, 3]);
      const generated = [...texts].map(([index, text]) => {
        const echoed = index < 2 ? first : second;
        expect(text.startsWith(echoed), `choice ${index}`).toBe(true);
        return text.slice(echoed.length);
      });
      // ...yet only what the model wrote after them is output: the prompts are in the input estimate.
      const output = outputEstimate(generated.map((text) => ({ text })));
      expect(output).toBeGreaterThan(0);
      const input = inputEstimate(body, "completions");
      if (stream) {
        // A stream without counts counts a token per chunk at least (streamedOutputEstimate).
        expect(tokens, "stream").toBeGreaterThanOrEqual(input + output);
        expect(tokens, "stream").toBeLessThanOrEqual(input + 4 * 8);
      } else {
        expect(tokens, "plain").toBe(input + output);
      }
    }
  });
});

describe("a request sent to Bedrock that ends with no count counts its prompt's estimate per attempt (evasion32)", () => {
  const RATE = { limit: async () => ({ success: true }) };
  const long = { role: "user", content: "word ".repeat(4000) };

  /** Calls sent to Bedrock, counted as they go out (the emulator logs a call once it has answered); `onSend` told of each. */
  function countingCalls(onSend?: () => void) {
    const calls = { sent: 0 };
    const upstream = (emulator: Emulator): typeof fetch => {
      return (input, init) => {
        calls.sent++;
        onSend?.();
        return emulator.fetch(new Request(input, init));
      };
    };
    return { calls, upstream };
  }

  /**
   * The request's settlement and line, its client leaving `ms` after the call went out
   * (request.signal aborted, as Node's adapter does). Timed from the call, not the request: a
   * first request on a loaded machine can take longer than `ms` to reach Bedrock.
   */
  async function leftAfter(ms: number, body: Record<string, unknown>) {
    const { binding, settled } = recordingLimits();
    const leaving = new AbortController();
    const { calls, upstream } = countingCalls(() => setTimeout(() => leaving.abort(), ms));
    const { post, logs } = proxyWith({ RATE, KEY_LIMITS: binding }, upstream);
    const pending = post("/v1/chat/completions", body, leaving.signal);
    await Promise.resolve(pending)
      .then((response) => response.body?.cancel())
      .catch(() => undefined);
    const { tokens } = await eventually(() => settled[0]);
    return { tokens, line: logs.at(-1)!, sent: calls.sent };
  }

  it("a stream left before its first frame: its prompt's estimate, though no chunk was relayed", async () => {
    const body = { model: "late", messages: [long], stream: true };
    const { tokens, line, sent } = await leftAfter(200, body);
    expect(sent).toBe(1);
    expect(line).toMatchObject({ status: 499, deployments_tried: 1 });
    expect(line.prompt_tokens).toBeUndefined();
    expect(tokens).toBe(inputEstimate(body, "chat"));
    expect(tokens).toBeGreaterThan(4000);
  });

  it("a plain call left before its answer: its prompt's estimate, no output it did not see", async () => {
    const body = { model: "late", messages: [long] };
    const { tokens, line, sent } = await leftAfter(200, body);
    expect(sent).toBe(1);
    expect(line).toMatchObject({ status: 499 });
    expect(line.completion_tokens).toBeUndefined();
    expect(tokens).toBe(inputEstimate(body, "chat"));
  });

  it("a plain call past UPSTREAM_TIMEOUT_MS on each of two copies: twice its prompt's estimate", async () => {
    const { binding, settled } = recordingLimits();
    const { calls, upstream } = countingCalls();
    // The timer bounds signing too (and a first call's loading of the transport): 600 ms leaves a
    // loaded machine time to send each copy's call, and stays well short of the copies' 1 s wait.
    const { post, logs } = proxyWith({ RATE, KEY_LIMITS: binding, UPSTREAM_TIMEOUT_MS: "600" }, upstream);
    const body = { model: "late-copies", messages: [long] };
    const response = await post("/v1/chat/completions", body);
    expect(response.status).toBe(504);
    await response.text();
    const { tokens } = await eventually(() => settled[0]);
    expect(logs.at(-1)).toMatchObject({ status: 504, error_code: "upstream_timeout", deployments_tried: 2 });
    expect(calls.sent).toBe(2);
    expect(tokens).toBe(2 * inputEstimate(body, "chat"));
  });

  it("a request Bedrock itself refused (throttled) counts none: it bills no such answer", async () => {
    const { binding, settled } = recordingLimits();
    const { post, logs } = proxyWith({ RATE, KEY_LIMITS: binding, BEDROCK_MAX_RETRIES: "0" });
    const response = await post("/v1/chat/completions", { model: "throttled", messages: [long] });
    expect(response.status).toBe(429);
    await response.text();
    const { tokens } = await eventually(() => settled[0]);
    expect(logs.at(-1)).toMatchObject({ status: 429, deployments_tried: 1 });
    expect(tokens).toBe(0);
  });
});

describe("tokens_per_day counts each try to Bedrock by how it ended, not by the request's last error (codereview32)", () => {
  const RATE = { limit: async () => ({ success: true }) };
  const long = { role: "user", content: "word ".repeat(4000) };

  /** What `body` settles on `path`, and its line; the client leaves when `leaving` aborts, if given. */
  async function settledFor(
    body: Record<string, unknown>,
    bindings: Record<string, unknown>,
    {
      path = "/v1/chat/completions",
      leaving,
      upstream,
    }: { path?: string; leaving?: AbortSignal; upstream?: (emulator: Emulator) => typeof fetch } = {},
  ) {
    const { binding, settled } = recordingLimits();
    const { post, logs } = proxyWith({ RATE, KEY_LIMITS: binding, ...bindings }, upstream);
    const response = await post(path, body, leaving);
    const text = await response.text().catch(() => "");
    const { tokens } = await eventually(() => settled[0]);
    return { tokens, line: logs.at(-1)!, status: response.status, text };
  }

  it("two copies that Bedrock both throttled count none: it billed neither refusal", async () => {
    const body = { model: "throttled-copies", messages: [long] };
    const { tokens, line } = await settledFor(body, { BEDROCK_MAX_RETRIES: "0" });
    expect(line).toMatchObject({ status: 429, deployments_tried: 2 });
    expect(tokens).toBe(0);
  });

  /**
   * Two throttled copies, the client leaving 100 ms after the `leaveAfterFetch`th call went out,
   * while that copy's cool-down is written: what the day counted, the line, the calls made.
   */
  async function leftDuringCooldownWrite(leaveAfterFetch: number) {
    const { binding, settled } = recordingLimits();
    const leaving = new AbortController();
    let fetches = 0;
    const { post, logs } = proxyWith(
      { RATE, KEY_LIMITS: binding, BEDROCK_MAX_RETRIES: "0", DEPLOYMENT_COOLDOWNS: SLOW_COOLDOWNS },
      (emulator) => (input, init) => {
        if (++fetches === leaveAfterFetch) setTimeout(() => leaving.abort(), 100);
        return emulator.fetch(new Request(input, init));
      },
    );
    const body = { model: "throttled-copies", messages: [long] };
    const response = await post("/v1/chat/completions", body, leaving.signal);
    await response.text().catch(() => "");
    const { tokens } = await eventually(() => settled[0]);
    return { tokens, line: logs.at(-1)!, fetches };
  }

  it("a client that leaves during the cool-down write between two throttled copies counts none: the second copy was never sent (codereview34 #2)", async () => {
    const { tokens, line, fetches } = await leftDuringCooldownWrite(1);
    expect(line.status).toBe(499);
    expect(fetches).toBe(1);
    expect(line.deployments_tried).toBe(1);
    expect(tokens).toBe(0);
  });

  it("a client that leaves during the last throttled copy's cool-down write counts none: Bedrock refused every try (codereview35 #1)", async () => {
    const { tokens, line, fetches } = await leftDuringCooldownWrite(2);
    expect(line.status).toBe(499);
    expect(fetches).toBe(2);
    expect(line.deployments_tried).toBe(2);
    expect(tokens).toBe(0);
  });

  it("a client that leaves while a throttled call waits for its retry counts none: no try was out", async () => {
    // The client leaves 50 ms after Bedrock's first refusal, however long the request took to get
    // there (a fixed time from the start left before it on a loaded machine, while the first try
    // was out), and within the retry's wait, held at its longest.
    const random = vi.spyOn(Math, "random").mockReturnValue(0.999);
    onTestFinished(() => random.mockRestore());
    const { binding, settled } = recordingLimits();
    const leaving = new AbortController();
    let answers = 0;
    const { post, logs } = proxyWith(
      { RATE, KEY_LIMITS: binding, BEDROCK_MAX_RETRIES: "5" },
      (emulator) => async (input, init) => {
        const response = await emulator.fetch(new Request(input, init));
        if (++answers === 1) setTimeout(() => leaving.abort(), 50);
        return response;
      },
    );
    const response = await post("/v1/chat/completions", { model: "throttled", messages: [long] }, leaving.signal);
    await response.text().catch(() => "");
    const { tokens } = await eventually(() => settled[0]);
    const line = logs.at(-1)!;
    expect(line.status).toBe(499);
    expect(line.retries).toBeGreaterThanOrEqual(1);
    expect(tokens).toBe(0);
  });

  it("a client that leaves while a retry's try is out (after its wait) counts that try's prompt: Bedrock had it", async () => {
    let calls = 0;
    // The client leaves 100 ms after the retry's try went out, however long the retry's wait was.
    const leaving = new AbortController();
    const throttledThenSlow =
      (emulator: Emulator): typeof fetch =>
      async (input, init) => {
        if (++calls === 1) return errorResponse(awsError("ThrottlingException", MESSAGES.throttling), "throttled");
        setTimeout(() => leaving.abort(), 100);
        await new Promise((resolve) => setTimeout(resolve, 1500));
        return emulator.fetch(new Request(input, init));
      };
    const body = { model: "llama", messages: [long] };
    const { tokens, line } = await settledFor(
      body,
      { BEDROCK_MAX_RETRIES: "2" },
      { upstream: throttledThenSlow, leaving: leaving.signal },
    );
    expect(line).toMatchObject({ status: 499, retries: 1 });
    expect(calls).toBe(2);
    expect(tokens).toBe(inputEstimate(body, "chat"));
  });

  it("a throttled try retried, the retry past UPSTREAM_TIMEOUT_MS: one prompt estimate, the retry's", async () => {
    const throttledFirst = (emulator: Emulator): typeof fetch => {
      let calls = 0;
      return async (input, init) => {
        if (++calls === 1) return errorResponse(awsError("ThrottlingException", MESSAGES.throttling), "throttled");
        await new Promise((resolve) => setTimeout(resolve, 1000));
        return emulator.fetch(new Request(input, init));
      };
    };
    const body = { model: "llama", messages: [long] };
    const { tokens, line } = await settledFor(
      body,
      { BEDROCK_MAX_RETRIES: "1", UPSTREAM_TIMEOUT_MS: "600" },
      { upstream: throttledFirst },
    );
    expect(line).toMatchObject({ status: 504, retries: 1, error_code: "upstream_timeout" });
    expect(tokens).toBe(inputEstimate(body, "chat"));
  });

  it("a client that leaves while a cold model wakes counts none: Bedrock answered only ModelNotReady", async () => {
    // The client leaves 50 ms after Bedrock's first answer, however long the request took to get
    // there (the first in a process is slow), and within the retry's wait, held at its longest.
    const random = vi.spyOn(Math, "random").mockReturnValue(0.999);
    onTestFinished(() => random.mockRestore());
    const { binding, settled } = recordingLimits();
    const leaving = new AbortController();
    let answers = 0;
    const { post, logs } = proxyWith({ RATE, KEY_LIMITS: binding }, (emulator) => async (input, init) => {
      const response = await emulator.fetch(new Request(input, init));
      if (++answers === 1) setTimeout(() => leaving.abort(), 50);
      return response;
    });
    const response = await post("/v1/chat/completions", { model: "cold", messages: [long] }, leaving.signal);
    await response.text().catch(() => "");
    const { tokens } = await eventually(() => settled[0]);
    const line = logs.at(-1)!;
    expect(line.status).toBe(499);
    expect(line.retries).toBeGreaterThanOrEqual(1);
    expect(tokens).toBe(0);
  });

  it("a forced call whose stream Bedrock broke with an exception before any chunk was relayed counts its prompt: the model had run", async () => {
    const tools = [{ type: "function", function: { name: "get_weather", parameters: { type: "object" } } }];
    const body = { model: "failing", messages: [long], stream: true, tools, tool_choice: "required" };
    const { tokens, line } = await settledFor(body, { BEDROCK_MAX_RETRIES: "0" });
    expect(line).toMatchObject({ status: 424, error_code: "model_stream_error" });
    expect(line.prompt_tokens).toBeUndefined();
    expect(tokens).toBe(inputEstimate(body, "chat"));
  });

  it("a copy past UPSTREAM_TIMEOUT_MS before another copy served: the served counts and the first copy's prompt estimate", async () => {
    const body = { model: "late-then-prompt", messages: [long] };
    // 600 ms: the prompt copy's whole call fits on a loaded machine, the late copy's 1 s does not.
    const { tokens, line, status, text } = await settledFor(body, { UPSTREAM_TIMEOUT_MS: "600" });
    expect(status).toBe(200);
    const { usage } = JSON.parse(text) as { usage: Usage };
    // The line and its row keep Bedrock's counts alone; the estimate goes to tokens_per_day.
    expect(line).toMatchObject({ deployment: 1, deployments_tried: 2, prompt_tokens: usage.prompt_tokens });
    expect(tokens).toBe(usage.total_tokens + inputEstimate(body, "chat"));
  });

  it("a legacy batch past UPSTREAM_TIMEOUT_MS counts the calls that timed out (their prompts' estimates) beside the one that answered", async () => {
    const batch = ["hi", `SLOW ${"word ".repeat(4000)}`];
    const slowPrompts =
      (emulator: Emulator): typeof fetch =>
      async (input, init) => {
        const request = new Request(input, init);
        if ((await request.clone().text()).includes("SLOW")) await new Promise((resolve) => setTimeout(resolve, 1000));
        return emulator.fetch(request);
      };
    const body = { model: "llama", prompt: batch, max_tokens: 8 };
    const { tokens, line } = await settledFor(
      body,
      { UPSTREAM_TIMEOUT_MS: "600", BEDROCK_MAX_RETRIES: "0" },
      { path: "/v1/completions", upstream: slowPrompts },
    );
    expect(line).toMatchObject({ status: 504, error_code: "upstream_timeout" });
    const answered = line.prompt_tokens! + line.completion_tokens!;
    expect(answered).toBeGreaterThan(0);
    expect(tokens).toBe(answered + unmeteredCallEstimate(body, { prompt: 1, chunks: 0 }));
    expect(tokens).toBeGreaterThan(5000);
  });

  describe("an embeddings request of several calls that fails while some are out (embedr38 #3)", () => {
    const slow = `SLOW ${"word ".repeat(4000)}`;
    /** Bedrock on the emulator: SLOW texts answer after a second, BAD ones are refused after 100 ms. */
    const slowAndBad =
      (emulator: Emulator): typeof fetch =>
      async (input, init) => {
        const request = new Request(input, init);
        const text = await request.clone().text();
        if (text.includes("SLOW")) await new Promise((resolve) => setTimeout(resolve, 1000));
        if (!text.includes("BAD")) return emulator.fetch(request);
        await new Promise((resolve) => setTimeout(resolve, 100));
        return errorResponse(awsError("ValidationException", "bad input"), "validation");
      };

    it("counts the calls that answered and estimates the one still out when another's refusal failed it", async () => {
      const body = { model: "vectors", input: ["hi", "BAD", slow] };
      const { tokens, line } = await settledFor(
        body,
        { BEDROCK_MAX_RETRIES: "0" },
        { path: "/v1/embeddings", upstream: slowAndBad },
      );
      expect(line).toMatchObject({ status: 400, prompt_tokens: 1 });
      expect(tokens).toBe(1 + unmeteredCallEstimate(body, { prompt: 2, chunks: 0, texts: [slow] }));
      expect(tokens).toBeGreaterThan(5000);
    });

    it("past UPSTREAM_TIMEOUT_MS: the call that timed out is its text's estimate, beside the one that answered", async () => {
      const body = { model: "vectors", input: ["hi", slow] };
      const { tokens, line } = await settledFor(
        body,
        { UPSTREAM_TIMEOUT_MS: "600", BEDROCK_MAX_RETRIES: "0" },
        { path: "/v1/embeddings", upstream: slowAndBad },
      );
      expect(line).toMatchObject({ status: 504, error_code: "upstream_timeout", prompt_tokens: 1 });
      expect(tokens).toBe(1 + unmeteredCallEstimate(body, { prompt: 1, chunks: 0, texts: [slow] }));
      // The call's texts alone, as an embeddings request's input is read: not the whole input again.
      expect(unmeteredCallEstimate(body, { prompt: 1, chunks: 0, texts: [slow] })).toBe(
        inputEstimate({ input: [slow] }, "embeddings"),
      );
    });

    it("a call's try lost after sending, then retried, counts that call's texts, not the whole input again (codereview39 #4)", async () => {
      let failed = false;
      const flakyOnce =
        (emulator: Emulator): typeof fetch =>
        async (input, init) => {
          const request = new Request(input, init);
          if (!failed && (await request.clone().text()).includes("FLAKY")) {
            failed = true;
            // The body went out: the connection was lost after sending, so Bedrock may have run it.
            await request.text();
            throw new TypeError("fetch failed: connection reset");
          }
          return emulator.fetch(request);
        };
      const body = { model: "vectors", input: ["FLAKY", slow] };
      const { tokens, line, status, text } = await settledFor(
        body,
        { BEDROCK_MAX_RETRIES: "2" },
        { path: "/v1/embeddings", upstream: flakyOnce },
      );
      expect(status).toBe(200);
      expect(line.retries).toBe(1);
      const { usage } = JSON.parse(text) as { usage: { prompt_tokens: number } };
      expect(line.prompt_tokens).toBe(usage.prompt_tokens);
      expect(tokens).toBe(usage.prompt_tokens + inputEstimate({ input: ["FLAKY"] }, "embeddings"));
      expect(inputEstimate({ input: ["FLAKY"] }, "embeddings")).toBeLessThan(10);
    });

    it("an image call's try lost after sending, then retried, counts the image it may have drawn and the prompt it sent", async () => {
      let failed = false;
      const flakyOnce =
        (emulator: Emulator): typeof fetch =>
        async (input, init) => {
          const request = new Request(input, init);
          if (!failed) {
            failed = true;
            // The body went out: the connection was lost after sending, so Bedrock may have drawn it.
            await request.text();
            throw new TypeError("fetch failed: connection reset");
          }
          return emulator.fetch(request);
        };
      const body = { model: "drawings", prompt: "A lighthouse at dawn", n: 2 };
      const { tokens, line, status } = await settledFor(
        body,
        { BEDROCK_MAX_RETRIES: "2" },
        { path: "/v1/images/generations", upstream: flakyOnce },
      );
      expect(status).toBe(200);
      expect(line.retries).toBe(1);
      // The answer's prompt and two images, then the lost try's prompt and image.
      expect(line).toMatchObject({ prompt_tokens: 5, completion_tokens: 2 * 1056 });
      expect(tokens).toBe(5 + 2 * 1056 + 5 + 1056);
    });

    it("left by its client while one call waits to retry a throttle, counts the texts of the calls out at Bedrock (codereview39 #2)", async () => {
      const { binding, settled } = recordingLimits();
      const leaving = new AbortController();
      let fetches = 0;
      let throttled = false;
      const { post, logs } = proxyWith({ RATE, KEY_LIMITS: binding, BEDROCK_MAX_RETRIES: "5" }, (emulator) => {
        return async (input, init) => {
          // The client leaves 150 ms after the sixth call went out (timed from the first, a loaded
          // machine had not sent them all), the throttled call's retry a second away.
          if (++fetches === 6) setTimeout(() => leaving.abort(), 150);
          const request = new Request(input, init);
          const sent = await request.clone().text();
          if (!throttled && sent.includes("THROTTLE")) {
            throttled = true;
            const response = errorResponse(awsError("ThrottlingException", MESSAGES.throttling), "throttled");
            response.headers.set("retry-after-ms", "1000");
            return response;
          }
          if (sent.includes("SLOW")) await new Promise((resolve) => setTimeout(resolve, 2000));
          return emulator.fetch(request);
        };
      });
      const input = ["THROTTLE", ...Array.from({ length: 5 }, (_, at) => `SLOW ${at} ${"word ".repeat(1000)}`)];
      const response = await post("/v1/embeddings", { model: "vectors", input }, leaving.signal);
      await response.text().catch(() => "");
      const { tokens } = await eventually(() => settled[0]);
      expect(logs.at(-1)).toMatchObject({ status: 499, retries: 1 });
      // Six calls went out at once: the five SLOW ones were out when the client left, THROTTLE waited.
      expect(fetches).toBe(6);
      expect(tokens).toBe(inputEstimate({ input: input.slice(1) }, "embeddings"));
      expect(tokens).toBeGreaterThan(5000);
    });

    it("left by its client with six calls out and two waiting for a slot, counts the texts of the six: the two were never sent (codereview35 #2)", async () => {
      const { binding, settled } = recordingLimits();
      const leaving = new AbortController();
      let fetches = 0;
      const { post, logs } = proxyWith({ RATE, KEY_LIMITS: binding }, (emulator) => {
        return async (input, init) => {
          // The client leaves once six calls are out, the other two waiting for a slot.
          if (++fetches === 6) setTimeout(() => leaving.abort(), 150);
          await new Promise((resolve) => setTimeout(resolve, 2000));
          return emulator.fetch(new Request(input, init));
        };
      });
      const input = Array.from({ length: 8 }, (_, at) => `SLOW ${at} ${"word ".repeat(1000)}`);
      const response = await post("/v1/embeddings", { model: "vectors", input }, leaving.signal);
      await response.text().catch(() => "");
      const { tokens } = await eventually(() => settled[0]);
      expect(logs.at(-1)).toMatchObject({ status: 499 });
      expect(fetches).toBe(6);
      expect(tokens).toBe(inputEstimate({ input: input.slice(0, 6) }, "embeddings"));
    });

    it("left by its client once a call answered: the 499 line is written before the library's error, so it has no prompt_tokens, and the whole input counts (codereview39 #3, docs/PROXY-REFERENCE.md)", async () => {
      const { binding, settled } = recordingLimits();
      const leaving = new AbortController();
      let answered = 0;
      const { post, logs } = proxyWith({ RATE, KEY_LIMITS: binding, BEDROCK_MAX_RETRIES: "0" }, (emulator) => {
        return async (input, init) => {
          // "hi" answers at once; the client leaves 100 ms after it has, the SLOW one still out.
          const request = new Request(input, init);
          const isSlow = (await request.clone().text()).includes("SLOW");
          if (isSlow) await new Promise((resolve) => setTimeout(resolve, 2000));
          const response = await emulator.fetch(request);
          answered++;
          if (!isSlow) setTimeout(() => leaving.abort(), 100);
          return response;
        };
      });
      const body = { model: "vectors", input: ["hi", slow] };
      const response = await post("/v1/embeddings", body, leaving.signal);
      await response.text().catch(() => "");
      const { tokens } = await eventually(() => settled[0]);
      const line = logs.at(-1)!;
      expect(line).toMatchObject({ status: 499, error: "the client closed the connection" });
      expect(answered).toBeGreaterThanOrEqual(1);
      // Bedrock counted "hi", but the line was written before the library's 499 told it.
      expect(line.prompt_tokens).toBeUndefined();
      expect(tokens).toBe(inputEstimate(body, "embeddings"));
    });
  });

  it("a legacy batch's call retried after a lost connection counts that call's prompt, not the whole batch's", async () => {
    let failed = false;
    const tinyFailsOnce =
      (emulator: Emulator): typeof fetch =>
      async (input, init) => {
        const request = new Request(input, init);
        if (!failed && (await request.clone().text()).includes("tiny")) {
          failed = true;
          throw new TypeError("fetch failed");
        }
        return emulator.fetch(request);
      };
    const body = { model: "llama", prompt: ["tiny", "word ".repeat(4000)], max_tokens: 8 };
    const { tokens, line, status, text } = await settledFor(
      body,
      { BEDROCK_MAX_RETRIES: "1" },
      { path: "/v1/completions", upstream: tinyFailsOnce },
    );
    expect(status).toBe(200);
    expect(line.retries).toBe(1);
    const { usage } = JSON.parse(text) as { usage: Usage };
    expect(tokens).toBe(usage.total_tokens + unmeteredCallEstimate(body, { prompt: 0, chunks: 0 }));
  });

  it("a try whose connection was never made counts none: no request reached Bedrock (codereview33 #3)", async () => {
    let calls = 0;
    const refusedOnce =
      (emulator: Emulator): typeof fetch =>
      async (input, init) => {
        if (++calls === 1) {
          throw new TypeError("fetch failed", {
            cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
          });
        }
        return emulator.fetch(new Request(input, init));
      };
    const body = { model: "llama", messages: [long] };
    const { tokens, line, status, text } = await settledFor(
      body,
      { BEDROCK_MAX_RETRIES: "1" },
      { upstream: refusedOnce },
    );
    expect(status).toBe(200);
    expect(line.retries).toBe(1);
    const { usage } = JSON.parse(text) as { usage: Usage };
    expect(tokens).toBe(usage.total_tokens);
    // A connection lost once made may have carried the request: that try counts its prompt (above).

    const neverConnects = (): typeof fetch => async () => {
      throw new TypeError("fetch failed", {
        cause: Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" }),
      });
    };
    const failed = await settledFor(body, { BEDROCK_MAX_RETRIES: "2" }, { upstream: neverConnects });
    expect(failed.line).toMatchObject({ status: 502, error_code: "upstream_unreachable", retries: 2 });
    expect(failed.tokens).toBe(0);
  });

  it("a legacy call Bedrock only throttled, stopped in its retry wait by another call's refusal, counts none", async () => {
    const refusing = (): typeof fetch => async (input, init) => {
      if ((await new Request(input, init).text()).includes("BAD")) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        return errorResponse(awsError("ValidationException", "bad input"), "validation");
      }
      // A second's wait asked for: no retry goes out before the refusal, however the jitter
      // falls (a short one had a retry's try out when it came, on a loaded machine).
      const throttled = errorResponse(awsError("ThrottlingException", MESSAGES.throttling), "throttled");
      throttled.headers.set("retry-after-ms", "1000");
      return throttled;
    };
    const body = { model: "llama", prompt: ["word ".repeat(4000), "BAD"], max_tokens: 8 };
    const { tokens, line } = await settledFor(
      body,
      { BEDROCK_MAX_RETRIES: "3" },
      { path: "/v1/completions", upstream: refusing },
    );
    expect(line).toMatchObject({ status: 400, error_code: "invalid_request" });
    expect(line.retries).toBeGreaterThanOrEqual(1);
    expect(tokens).toBe(0);
  });

  /** An upstream whose call takes a second, its client leaving 100 ms into it. */
  const leftWhileOut =
    (leaving: AbortController) =>
    (emulator: Emulator): typeof fetch =>
    async (input, init) => {
      setTimeout(() => leaving.abort(), 100);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return emulator.fetch(new Request(input, init));
    };

  it("an image request left while its one call is out counts its prompt and every image it asked for: Bedrock bills what it draws", async () => {
    const { binding, settled } = recordingLimits();
    const leaving = new AbortController();
    const { post, logs } = proxyWith({ RATE, KEY_LIMITS: binding }, leftWhileOut(leaving));
    const body = { model: "nova-pictures", prompt: "A lighthouse at dawn", n: 3, size: "1024x1024", quality: "hd" };
    const response = await post("/v1/images/generations", body, leaving.signal);
    await response.text().catch(() => "");
    const { tokens } = await eventually(() => settled[0]);
    expect(logs.at(-1)).toMatchObject({ status: 499 });
    expect(tokens).toBe(inputEstimate(body, "images") + 3 * 4160);
  });

  it("an edit left while its call is out counts every image it asked for at its image's size, as Bedrock draws them (imgeditr41 #2)", async () => {
    const { binding, settled } = recordingLimits();
    const leaving = new AbortController();
    const { app, logs } = proxyWith({ RATE, KEY_LIMITS: binding }, leftWhileOut(leaving));
    const form = new FormData();
    form.append("model", "nova-pictures");
    form.append("prompt", "A window");
    form.append("n", "2");
    // 1536x1024, its first column transparent: what the edit redraws.
    const image = holedPng(1536, 1024);
    form.append("image", new Blob([image as Uint8Array<ArrayBuffer>], { type: "image/png" }), "image.png");
    const response = await app.request("/v1/images/edits", {
      method: "POST",
      headers: { authorization: "Bearer sk-team-0123456789" },
      body: form,
      signal: leaving.signal,
    });
    await response.text().catch(() => "");
    const { tokens } = await eventually(() => settled[0]);
    expect(logs.at(-1)).toMatchObject({ status: 499 });
    // "A window": 2 tokens; two images of 1536x1024, OpenAI's 1,584 tokens each.
    expect(tokens).toBe(2 + 2 * 1584);
  });

  it("an image request of several calls left while one waits to retry a throttle counts its prompt once and the image of the call that was out (codereview39 #2)", async () => {
    const { binding, settled } = recordingLimits();
    const leaving = new AbortController();
    let fetches = 0;
    const { post, logs } = proxyWith({ RATE, KEY_LIMITS: binding, BEDROCK_MAX_RETRIES: "5" }, (emulator) => {
      return async (input, init) => {
        // The first call is throttled (its retry a second away), the second answers after 2 s; the
        // client leaves 150 ms after the first went out.
        if (++fetches === 1) {
          setTimeout(() => leaving.abort(), 150);
          const response = errorResponse(awsError("ThrottlingException", MESSAGES.throttling), "throttled");
          response.headers.set("retry-after-ms", "1000");
          return response;
        }
        await new Promise((resolve) => setTimeout(resolve, 2000));
        return emulator.fetch(new Request(input, init));
      };
    });
    const body = { model: "drawings", prompt: `A lighthouse ${"at dawn ".repeat(200)}`, n: 2 };
    const response = await post("/v1/images/generations", body, leaving.signal);
    await response.text().catch(() => "");
    const { tokens } = await eventually(() => settled[0]);
    expect(logs.at(-1)).toMatchObject({ status: 499, retries: 1 });
    expect(fetches).toBe(2);
    // The prompt's estimate once, as the request's answer would have counted it, and the image of
    // the call that was out.
    expect(tokens).toBe(inputEstimate(body, "images") + 1056);
    expect(tokens).toBeGreaterThan(300);
  });

  describe("a legacy batch left by its client while calls of it wait to retry after a throttle (codereview34 #1)", () => {
    /**
     * Bedrock's throttle, asking for a wait of 5 s: no retry goes out before the client leaves, even
     * on a machine so loaded that the 150 ms before it leaves take a second or more.
     */
    const throttle = () => {
      const response = errorResponse(awsError("ThrottlingException", MESSAGES.throttling), "throttled");
      response.headers.set("retry-after-ms", "5000");
      return response;
    };
    /** What `body` settles when its client leaves 150 ms after Bedrock's `leaveAfterFetch`th fetch; SLOW prompts answer after 2 s. */
    async function leftDuringWaits(body: Record<string, unknown>, leaveAfterFetch = 1) {
      const { binding, settled } = recordingLimits();
      const leaving = new AbortController();
      let fetches = 0;
      const { post, logs } = proxyWith({ RATE, KEY_LIMITS: binding, BEDROCK_MAX_RETRIES: "5" }, (emulator) => {
        return async (input, init) => {
          if (++fetches === leaveAfterFetch) setTimeout(() => leaving.abort(), 150);
          const request = new Request(input, init);
          if (!(await request.clone().text()).includes("SLOW")) return throttle();
          await new Promise((resolve) => setTimeout(resolve, 2000));
          return emulator.fetch(request);
        };
      });
      const response = await post("/v1/completions", body, leaving.signal);
      await response.text().catch(() => "");
      const { tokens } = await eventually(() => settled[0]);
      return { tokens, line: logs.at(-1)! };
    }

    it("every call waiting counts none, as one prompt's call does: no try was out", async () => {
      // The client leaves once both calls had their try.
      const batch = await leftDuringWaits({ model: "llama", prompt: [long.content, long.content], max_tokens: 8 }, 2);
      expect(batch.line).toMatchObject({ status: 499, retries: 2 });
      expect(batch.tokens).toBe(0);
      const single = await leftDuringWaits({ model: "llama", prompt: long.content, max_tokens: 8 });
      expect(single.line).toMatchObject({ status: 499, retries: 1 });
      expect(single.tokens).toBe(0);
    });

    it("counts the prompts of the calls that had a try out, not those waiting (each of n's calls apart)", async () => {
      const body = { model: "llama", prompt: [long.content, `SLOW ${long.content}`], max_tokens: 8, n: 2 };
      // The client leaves once each of the four calls had its try: two throttled, two out.
      const { tokens, line } = await leftDuringWaits(body, 4);
      expect(line).toMatchObject({ status: 499, retries: 2 });
      expect(tokens).toBe(2 * unmeteredCallEstimate(body, { prompt: 1, chunks: 0 }));
      expect(tokens).toBeGreaterThan(10_000);
    });
    it("a batch of more than MAX_OPEN_CALLS: the calls still queued for a slot were never sent and count none (codereview35 #2)", async () => {
      const throttled = { model: "llama", prompt: Array.from({ length: 8 }, () => long.content), max_tokens: 8 };
      // The client leaves once the sixth call is out (and throttled): the first six wait to retry,
      // the last two for a slot.
      const waiting = await leftDuringWaits(throttled, 6);
      expect(waiting.line).toMatchObject({ status: 499, retries: 6 });
      expect(waiting.tokens).toBe(0);
      const slow = { model: "llama", prompt: Array.from({ length: 8 }, () => `SLOW ${long.content}`), max_tokens: 8 };
      const out = await leftDuringWaits(slow, 6);
      expect(out.line).toMatchObject({ status: 499 });
      expect(out.tokens).toBe(6 * unmeteredCallEstimate(slow, { prompt: 0, chunks: 0 }));
    });
  });

  it("Bedrock's ModelTimeoutException (408) counts the prompt as our own timeout does: the model ran", async () => {
    const timedOut = (): typeof fetch => async () => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      return new Response(JSON.stringify({ message: "Model has timed out in processing the request." }), {
        status: 408,
        headers: {
          "content-type": "application/json",
          "x-amzn-ErrorType": "ModelTimeoutException:http://internal.amazon.com/coral/com.amazon.bedrock/",
        },
      });
    };
    const body = { model: "llama", messages: [long] };
    const { tokens, line } = await settledFor(body, { BEDROCK_MAX_RETRIES: "0" }, { upstream: timedOut });
    expect(line).toMatchObject({ status: 408 });
    expect(line.prompt_tokens).toBeUndefined();
    expect(tokens).toBe(inputEstimate(body, "chat"));
  });
});

describe("one day per request (usage6 #4)", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("a stream that ends after 00:00 UTC counts on the day it began, in its usage row and tokens_per_day alike", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-11-28T23:59:59.900Z"));
    const storage = memoryStorage();
    const { binding: keyLimits, read } = keyLimitsOn(storage);
    // The usage rows' days (INSERT's second value).
    const days: unknown[] = [];
    const statement = (values: unknown[] = []): D1Statement => ({
      bind: (...bound) => statement(bound),
      async run() {
        days.push(values[1]);
        return {};
      },
      all: async <Row>() => ({ results: [] as Row[] }),
    });
    const { chat, logs } = proxyWith({
      RATE: { limit: async () => ({ success: true }) },
      KEY_LIMITS: keyLimits,
      USAGE_DB: { prepare: () => statement(), exec: async () => undefined },
    });
    const response = await chat(true, "slow");
    const reader = response.body!.getReader();
    await reader.read();
    vi.setSystemTime(new Date("2026-11-29T00:00:00.400Z"));
    // Still streaming, it holds nothing of the new day's tokens, which it is not counted on.
    expect(await read()).toMatchObject({ day: "2026-11-29", reserved: 0, requests: 1 });
    while (!(await reader.read()).done);
    await eventually(() => days[0]);
    const line = logs.at(-1)!;
    expect(line.time.slice(0, 10)).toBe("2026-11-28");
    expect(days).toEqual(["2026-11-28"]);
    expect(await eventually(() => storage.get<number>("tokens:2026-11-28"))).toBe(
      line.prompt_tokens! + line.completion_tokens!,
    );
    expect(await storage.get("tokens:2026-11-29")).toBeUndefined();
    expect(await read()).toMatchObject({ day: "2026-11-29", tokens: 0, reserved: 0, requests: 0 });
  });

  it("a request is settled on the day the counter admitted it against, which its count falls back on should its lease be gone", async () => {
    const { binding, calls, settled } = recordingLimits("2030-01-02");
    const { chat, logs } = proxyWith({ RATE: { limit: async () => ({ success: true }) }, KEY_LIMITS: binding });
    await (await chat()).text();
    await eventually(() => settled[0]);
    expect(calls[0]).toMatchObject({ method: "admit", args: { day: logs.at(-1)!.time.slice(0, 10) } });
    expect(settled[0]).toMatchObject({ day: "2030-01-02" });
  });

  it("requests begun on a spent day whose bodies arrive after 00:00 UTC count on the new day they were admitted against (timebounds17 #1)", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-11-28T23:59:59.000Z"));
    const storage = memoryStorage();
    await storage.put({ "tokens:2026-11-28": 1000 });
    const { binding: keyLimits, read } = keyLimitsOn(storage);
    const { app, chat, logs } = proxyWith({ RATE: { limit: async () => ({ success: true }) }, KEY_LIMITS: keyLimits });
    // The day is spent: a request sent whole before 00:00 is refused.
    expect((await chat()).status).toBe(429);
    // Opened before 00:00, their bodies held back by the client until after it.
    const senders: ReadableStreamDefaultController<Uint8Array>[] = [];
    const answers = [0, 1, 2].map(() =>
      app.request("/v1/chat/completions", {
        method: "POST",
        headers: { authorization: "Bearer sk-team-0123456789", "content-type": "application/json" },
        body: new ReadableStream<Uint8Array>({ start: (sender) => void senders.push(sender) }),
        duplex: "half",
      } as RequestInit),
    );
    const body = JSON.stringify(chatBody("llama", false));
    await new Promise((resolve) => setTimeout(resolve, 20));
    vi.setSystemTime(new Date("2026-11-29T00:00:01.000Z"));
    let used = 0;
    for (const [index, sender] of senders.entries()) {
      sender.enqueue(new TextEncoder().encode(body));
      sender.close();
      const answer = await answers[index]!;
      expect(answer.status).toBe(200);
      used += ((await answer.json()) as { usage: { total_tokens: number } }).usage.total_tokens;
      // Its settlement, after the answer.
      await eventually(async () => ((await read()) as { requests: number }).requests === 0 || undefined);
    }
    // Their lines (and usage rows) keep the day they began; their tokens count on the day read,
    // none on the day that is over (pruned by the new day's first settlement).
    await eventually(() => logs[3]);
    expect(logs.slice(1).map((line) => line.time.slice(0, 10))).toEqual(["2026-11-28", "2026-11-28", "2026-11-28"]);
    expect(await storage.get("tokens:2026-11-28")).toBeUndefined();
    expect(await storage.get("tokens:2026-11-29")).toBe(used);
    expect(await read()).toMatchObject({ day: "2026-11-29", tokens: used, reserved: 0, requests: 0 });
  });
});

describe("a day's tokens used up, in the day's last minute (timebounds17 #5)", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("is left to the client's retry, which its Retry-After takes into the new day: the openai SDK is served", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-11-28T23:59:59.500Z"));
    const storage = memoryStorage();
    await storage.put({ "tokens:2026-11-28": 1000 });
    const { binding } = keyLimitsOn(storage);
    const { app, chat } = proxyWith({ RATE: { limit: async () => ({ success: true }) }, KEY_LIMITS: binding });
    const refused = await chat();
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("tokens_per_day_exceeded");
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(refused.headers.has("x-should-retry")).toBe(false);

    // The SDK with its default retries, its clock (and the proxy's) reaching 00:00 while it waits.
    const statuses: number[] = [];
    const client = new OpenAI({
      apiKey: "sk-team-0123456789",
      baseURL: "http://proxy.test/v1",
      fetch: async (url, init) => {
        const answer = await app.request(String(url), init);
        statuses.push(answer.status);
        return answer;
      },
    });
    setTimeout(() => vi.setSystemTime(new Date("2026-11-29T00:00:00.100Z")), 500);
    const completion = await client.chat.completions.create({
      model: "llama",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(completion.choices[0]?.message.content).toBeTruthy();
    expect(statuses).toEqual([429, 200]);
  });
});

describe("a request the library refuses, on a key at its limits (precheck43)", () => {
  const ok = { limit: async () => ({ success: true }) };
  const hi = [{ role: "user", content: "hi" }];
  const errorOf = async (response: Response) => ({
    status: response.status,
    ...((await response.json()) as { error: { code: string | null; param: string | null } }).error,
  });

  it("stream: true on embeddings or images is no stream: the library's 400 naming stream, no place taken, the line no stream (#1)", async () => {
    const { binding, read } = keyLimitsOn(memoryStorage());
    const API_KEYS = JSON.stringify({ team: { key: "sk-team-0123456789", concurrent_streams: 2 } });
    const { post, chat, logs } = proxyWith({ RATE: ok, KEY_LIMITS: binding, API_KEYS });
    // The key's two stream places, held by slow streams.
    const open = [await chat(true, "slow"), await chat(true, "slow")];
    expect(open.map((response) => response.status)).toEqual([200, 200]);
    const embeddings = await post("/v1/embeddings", { model: "vectors", input: "hi", stream: true });
    expect(await errorOf(embeddings)).toMatchObject({ status: 400, param: "stream" });
    expect(logs.at(-1)?.stream).toBe(false);
    const images = await post("/v1/images/generations", { model: "nova-pictures", prompt: "a cat", stream: true });
    expect(await errorOf(images)).toMatchObject({ status: 400, param: "stream" });
    for (const response of open) await response.body?.cancel();
    await eventually(async () => ((await read()) as { requests: number }).requests === 0 || undefined);
  });

  it("over its day's tokens: the library's 400, not a 429 that says to come back at 00:00 UTC (#2)", async () => {
    const storage = memoryStorage();
    await storage.put({ [`tokens:${new Date().toISOString().slice(0, 10)}`]: 1000 });
    const { binding } = keyLimitsOn(storage);
    const { post, chat } = proxyWith({ RATE: ok, KEY_LIMITS: binding });
    const refusals: Array<[string, Record<string, unknown>, string]> = [
      ["/v1/chat/completions", { model: "llama", messages: hi, n: 1000 }, "n"],
      ["/v1/chat/completions", { model: "llama", messages: [] }, "messages"],
      ["/v1/chat/completions", { model: "llama", messages: hi, max_tokens: "9" }, "max_tokens"],
      ["/v1/completions", { model: "llama", prompt: [[1, 2, 3]] }, "prompt"],
      ["/v1/responses", { model: "llama", input: "hi", max_tokens: 5 }, "max_tokens"],
      // Past the bound of the chat request it is sent as (the Responses parse sets none of its own).
      ["/v1/responses", { model: "llama", input: "hi", max_output_tokens: 2_000_000 }, "max_output_tokens"],
      ["/v1/embeddings", { model: "vectors", input: [] }, "input"],
      ["/v1/images/generations", { model: "nova-pictures", prompt: "a cat", n: 1_000_000 }, "n"],
    ];
    for (const [path, body, param] of refusals) {
      expect({ path, ...(await errorOf(await post(path, body))) }).toMatchObject({ path, status: 400, param });
    }
    // A request the library takes is still refused for the day.
    expect(await errorOf(await chat())).toMatchObject({ status: 429, code: "tokens_per_day_exceeded" });
  });

  it("a count past the library's bounds reserves nothing while it is in flight: a request of the same key is served (#4)", async () => {
    const API_KEYS = JSON.stringify({ team: { key: "sk-team-0123456789", tokens_per_day: 100_000 } });
    // An edit of a 1024x1024 image, as a form: its n is read by the library at its call only.
    const edit = new FormData();
    edit.append("model", "nova-pictures");
    edit.append("prompt", "A window");
    edit.append("n", "1000");
    const image = holedPng(1024, 1024);
    edit.append("image", new Blob([image as Uint8Array<ArrayBuffer>], { type: "image/png" }), "image.png");
    // Each alone reserved the key's whole day (100,000): its count multiplied the estimate.
    const rows: Array<[string, Record<string, unknown> | FormData, string]> = [
      // The review's probe.
      ["/v1/chat/completions", { model: "waiting", messages: hi, n: 1000, max_tokens: 100_000 }, "n"],
      ["/v1/chat/completions", { model: "waiting", messages: hi, max_tokens: 2_000_000 }, "max_tokens"],
      ["/v1/chat/completions", { model: "waiting", messages: hi, max_completion_tokens: 2e6 }, "max_completion_tokens"],
      ["/v1/completions", { model: "waiting", prompt: "hi", n: 1000, max_tokens: 1000 }, "n"],
      ["/v1/completions", { model: "waiting", prompt: "hi", best_of: 1000, max_tokens: 1000 }, "best_of"],
      ["/v1/completions", { model: "waiting", prompt: Array(129).fill("hi"), max_tokens: 1000 }, "prompt"],
      ["/v1/completions", { model: "waiting", prompt: "hi", max_tokens: 2_000_000 }, "max_tokens"],
      ["/v1/responses", { model: "waiting", input: "hi", max_output_tokens: 2_000_000 }, "max_output_tokens"],
      ["/v1/images/generations", { model: "nova-pictures", prompt: "a cat", n: 1000 }, "n"],
      ["/v1/images/edits", edit, "n"],
    ];
    const answers = [];
    for (const [path, body] of rows) {
      const { binding, read, release } = settlesHeld(memoryStorage());
      const { app, chat } = proxyWith({ RATE: ok, KEY_LIMITS: binding, API_KEYS });
      const invalid = await app.request(path, {
        method: "POST",
        headers: {
          authorization: "Bearer sk-team-0123456789",
          ...(body instanceof FormData ? {} : { "content-type": "application/json" }),
        },
        body: body instanceof FormData ? body : JSON.stringify(body),
      });
      const refusal = await errorOf(invalid);
      // Its settle held, the invalid request is still in flight as the valid one is sent.
      const valid = await chat();
      const served = { status: valid.status, code: valid.status === 200 ? undefined : (await errorOf(valid)).code };
      if (valid.status === 200) await valid.text();
      release();
      await eventually(async () => ((await read()) as { requests: number }).requests === 0 || undefined);
      answers.push({
        path,
        invalid: { status: refusal.status, param: refusal.param },
        valid: served,
        after: await read(),
      });
    }
    expect(answers).toEqual(
      rows.map(([path, , param]) => ({
        path,
        invalid: { status: 400, param },
        valid: { status: 200, code: undefined },
        after: expect.objectContaining({ reserved: 0, requests: 0 }),
      })),
    );
  });
});

describe("a request the library refuses for its model's or route's own bounds (codereview44)", () => {
  const ok = { limit: async () => ({ success: true }) };
  const hi = [{ role: "user", content: "hi" }];
  const API_KEYS = JSON.stringify({ team: { key: "sk-team-0123456789", tokens_per_day: 100_000 } });
  const png =
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
  const images = [{ type: "text", text: "what" }, ...Array(100).fill({ type: "image_url", image_url: { url: png } })];
  // Each alone reserved the key's whole day (100,000) until its 400: its count multiplied the estimate.
  const rows: Array<[string, Record<string, unknown>, string]> = [
    // Above the model's max_output_tokens (100).
    ["/v1/chat/completions", { model: "capped", messages: hi, max_tokens: 1_000_000 }, "max_tokens"],
    // Above the model's max_n (2).
    ["/v1/chat/completions", { model: "capped-n", messages: hi, n: 128, max_tokens: 1000 }, "n"],
    // n other than 1 on Converse, which returns one choice.
    ["/v1/chat/completions", { model: "claude", messages: hi, n: 128, max_tokens: 1000 }, "n"],
    // 256 calls on Bedrock's completion format, which takes at most 128 (a valid request of 128
    // calls of 500 tokens may use 64,000 of the day).
    ["/v1/completions", { model: "llama", prompt: Array(128).fill("hi"), n: 2, max_tokens: 500 }, "prompt"],
    // 100 images on an imported model's openai route, which sends at most 3.
    [
      "/v1/chat/completions",
      { model: "several", messages: [{ role: "user", content: images }], max_tokens: 10 },
      "messages",
    ],
  ];
  for (const [path, body, param] of rows) {
    const shown = JSON.stringify({ ...body, messages: undefined, prompt: undefined });
    it(`${path} ${shown}: refused, and meanwhile a valid request of the key is served`, async () => {
      const { binding, read, release } = settlesHeld(memoryStorage());
      const { post, chat } = proxyWith({ RATE: ok, KEY_LIMITS: binding, API_KEYS });
      const invalid = await post(path, body);
      const refusal = { status: invalid.status, ...((await invalid.json()) as { error: { param: string } }).error };
      // Its settle held, the invalid request is still in flight as the valid one is sent.
      const valid = await chat();
      const validStatus = valid.status;
      await valid.text();
      release();
      await eventually(async () => ((await read()) as { requests: number }).requests === 0 || undefined);
      expect({ refusal, validStatus }).toMatchObject({ refusal: { status: 400, param }, validStatus: 200 });
    });
  }

  it("a legacy request past MAX_CALLS on Bedrock's completion format is refused before it reserves (adm45 #1); in one call, it reserves all its answers", async () => {
    const MODELS = JSON.stringify({
      llama: `bedrock/llama/${emulatorModelId("llama")}`,
      "one-call": { model: `bedrock/llama/${emulatorModelId("llama")}`, wire_format: "openai_completion" },
    });
    const reserved = async (model: string, body: Record<string, unknown>) => {
      const { binding, calls } = recordingLimits();
      const response = await proxyWith({ RATE: ok, KEY_LIMITS: binding, API_KEYS, MODELS }).post("/v1/completions", {
        ...body,
        model,
      });
      await response.text();
      return { status: response.status, reserve: calls.find((call) => call.method === "admit")?.args.reserve };
    };
    const body = { prompt: Array(128).fill("hi"), n: 2, max_tokens: 10 };
    expect({ perCall: await reserved("llama", body), oneCall: await reserved("one-call", body) }).toEqual({
      perCall: { status: 400, reserve: undefined },
      oneCall: { status: 200, reserve: tokenEstimate({ ...body, model: "one-call" }, "completions", undefined) },
    });
    expect(tokenEstimate({ ...body, model: "one-call" }, "completions", undefined)).toBeGreaterThan(
      tokenEstimate({ ...body, model: "one-call" }, "completions", undefined, undefined, { answers: MAX_CALLS }),
    );
  });

  it("n on a converse model with drop_params: one answer served, reserving one answer, and the key's other request is served meanwhile (#1)", async () => {
    const { binding, read } = keyLimitsOn(memoryStorage());
    const { post, chat } = proxyWith({ RATE: ok, KEY_LIMITS: binding, API_KEYS });
    const body = { model: "claude-words", messages: hi, max_tokens: 1000, drop_params: true, stream: true };
    const stream = await post("/v1/chat/completions", { ...body, n: 128 });
    expect(stream.status).toBe(200);
    const during = (await read()) as { reserved: number };
    const other = await chat();
    const otherStatus = other.status;
    await other.text();
    const text = await stream.text();
    const choices = new Set([...text.matchAll(/"index":(\d+)/g)].map((match) => match[1]));
    await eventually(async () => ((await read()) as { requests: number }).requests === 0 || undefined);
    // What the same request without n reserves: one answer's.
    const { binding: recording, calls } = recordingLimits();
    await (
      await proxyWith({ RATE: ok, KEY_LIMITS: recording, API_KEYS }).post("/v1/chat/completions", body)
    ).body?.cancel();
    const oneAnswer = calls.find((call) => call.method === "admit")?.args.reserve;
    expect({ reserved: during.reserved, choices: [...choices], otherStatus }).toEqual({
      reserved: oneAnswer,
      choices: ["0"],
      otherStatus: 200,
    });
  });
});

describe("a request the library refuses holds nothing of the key's limits while it waits for its 400 (adm45)", () => {
  const hi = [{ role: "user", content: "hi" }];
  const RATE = { limit: async () => ({ success: true }) };
  const png =
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
  const images = [{ type: "text", text: "what" }, ...Array(4).fill({ type: "image_url", image_url: { url: png } })];
  const errorOf = async (response: Response) => {
    const { param, code } = ((await response.json()) as { error: { param: string | null; code: string | null } }).error;
    return { status: response.status, param, code };
  };
  const send = (app: ReturnType<typeof proxyWith>["app"], path: string, body: Record<string, unknown> | FormData) =>
    app.request(path, {
      method: "POST",
      headers: {
        authorization: "Bearer sk-team-0123456789",
        ...(body instanceof FormData ? {} : { "content-type": "application/json" }),
      },
      body: body instanceof FormData ? body : JSON.stringify(body),
    });

  // Each the library refuses for its model's limits, after the request was built: it had reserved
  // (up to what a served request of its model may use) or taken a stream's place until its 400.
  const pastTheModel: Array<[string, Record<string, unknown>, string]> = [
    // Above the model's max_output_tokens (100).
    ["/v1/chat/completions", { model: "capped", messages: hi, max_tokens: 5000 }, "max_tokens"],
    ["/v1/chat/completions", { model: "capped", messages: hi, max_completion_tokens: 101 }, "max_completion_tokens"],
    ["/v1/completions", { model: "capped", prompt: "hi", max_tokens: 101 }, "max_tokens"],
    ["/v1/responses", { model: "capped", input: "hi", max_output_tokens: 101 }, "max_output_tokens"],
    // Above the model's max_n (2): chat's n, legacy prompts x n.
    ["/v1/chat/completions", { model: "capped-n", messages: hi, n: 3 }, "n"],
    ["/v1/completions", { model: "capped-n", prompt: ["a", "b"], n: 2, max_tokens: 10 }, "prompt"],
    // n other than 1 on Converse, which returns one choice, and on Bedrock's completion format (one a call).
    ["/v1/chat/completions", { model: "claude", messages: hi, n: 2, max_tokens: 1000 }, "n"],
    ["/v1/chat/completions", { model: "llama", messages: hi, n: 2, max_tokens: 10 }, "n"],
    // 256 calls on Bedrock's completion format, which takes at most 128.
    ["/v1/completions", { model: "llama", prompt: Array(128).fill("hi"), n: 2, max_tokens: 10 }, "prompt"],
    // Four images on an imported model's openai route, which sends at most 3.
    ["/v1/chat/completions", { model: "several", messages: [{ role: "user", content: images }] }, "messages"],
  ];

  for (const [path, body, param] of pastTheModel) {
    const shown = JSON.stringify({ ...body, messages: undefined, prompt: undefined });
    it(`${path} ${shown}: the library's 400 before it reserves or takes a place, plain and streamed (#1)`, async () => {
      const API_KEYS = JSON.stringify({
        team: { key: "sk-team-0123456789", tokens_per_day: 100_000 },
        streams: { key: "sk-team-0123456789", concurrent_streams: 1 },
      });
      const answers = [];
      for (const [key, stream] of [
        ["team", false],
        ["team", true],
        ["streams", true],
      ] as const) {
        const { binding, calls } = recordingLimits();
        const keys = JSON.parse(API_KEYS) as Record<string, unknown>;
        let sent = 0;
        const { app } = proxyWith(
          { KEY_LIMITS: binding, API_KEYS: JSON.stringify({ [key]: keys[key] }) },
          (emulator) => (input, init) => {
            sent += 1;
            return emulator.fetch(new Request(input, init));
          },
        );
        const refusal = await errorOf(await send(app, path, { ...body, stream }));
        answers.push({ key, stream, refusal, admitted: calls.length, sent });
      }
      expect(answers).toEqual(
        ["team", "team", "streams"].map((key, at) => ({
          key,
          stream: at > 0,
          refusal: expect.objectContaining({ status: 400, param }),
          admitted: 0,
          sent: 0,
        })),
      );
    });
  }

  it("a request at its model's bounds reserves, and n on Converse under drop_params is served as one answer (#1)", async () => {
    const { binding, calls } = recordingLimits();
    const MODELS = JSON.stringify({
      capped: { model: `bedrock/llama/${emulatorModelId("llama")}`, max_output_tokens: 100 },
      "openai-n": { model: `bedrock/openai/${emulatorModelId("openai")}`, max_n: 2 },
      llama: `bedrock/llama/${emulatorModelId("llama")}`,
      claude: model("converse"),
    });
    const { post } = proxyWith({ RATE, KEY_LIMITS: binding, MODELS });
    const statuses = [];
    for (const body of [
      { model: "capped", messages: hi, max_tokens: 100 },
      { model: "openai-n", messages: hi, n: 2, max_tokens: 10 },
      { model: "llama", messages: hi, n: 2, max_tokens: 10, drop_params: true },
      { model: "claude", messages: hi, n: 2, max_tokens: 10, drop_params: true },
    ]) {
      const response = await post("/v1/chat/completions", body);
      statuses.push(response.status);
      await response.text();
    }
    expect({ statuses, admitted: calls.filter((call) => call.method === "admit").length }).toEqual({
      statuses: [200, 200, 200, 200],
      admitted: 4,
    });
  });

  it("past its model's bounds and over the key's request rate: the rate's 429, as on a key without a counter, before the library's call is asked (codereview45 #1, #4)", async () => {
    const { binding, calls } = recordingLimits();
    const { post } = proxyWith({ RATE: { limit: async () => ({ success: false }) }, KEY_LIMITS: binding });
    const response = await post("/v1/chat/completions", { model: "capped-n", messages: hi, n: 3 });
    expect(await errorOf(response)).toMatchObject({ status: 429, code: "request_rate_exceeded" });
    expect(calls).toEqual([]);
  });

  it("an invalid stream on a key with only concurrent_streams takes no place: a valid stream at the limit is served meanwhile (#2)", async () => {
    const API_KEYS = JSON.stringify({ team: { key: "sk-team-0123456789", concurrent_streams: 1 } });
    const invalid: Array<[Record<string, unknown>, string]> = [
      [{ model: "llama", messages: [{ role: "user" }], stream: true }, "messages[0].content"],
      [{ model: "llama", messages: hi, stream: true, temperature: "warm" }, "temperature"],
      [{ model: "llama", messages: hi, stream: true, max_tokens: "9" }, "max_tokens"],
    ];
    const answers = [];
    for (const [body] of invalid) {
      const { binding, read, release } = settlesHeld(memoryStorage());
      const { post, chat } = proxyWith({ KEY_LIMITS: binding, API_KEYS });
      const refusal = await errorOf(await post("/v1/chat/completions", body));
      // Its settle held, a place it took would still be held as the valid stream is sent.
      const valid = await chat(true);
      const validStatus = valid.status;
      await valid.text();
      release();
      await eventually(async () => ((await read()) as { streams: number }).streams === 0 || undefined);
      answers.push({ refusal, validStatus });
    }
    expect(answers).toEqual(
      invalid.map(([, param]) => ({
        refusal: expect.objectContaining({ status: 400, param }),
        validStatus: 200,
      })),
    );
  });

  it("an image request past its model's images or its answer's pixels: the library's 400 before it reserves (#1)", async () => {
    const API_KEYS = JSON.stringify({ team: { key: "sk-team-0123456789", tokens_per_day: 1_000_000 } });
    const form = (path: string, fields: Record<string, string>, image: Uint8Array) => {
      const body = new FormData();
      body.append("model", "nova-pictures");
      for (const [name, value] of Object.entries(fields)) body.append(name, value);
      body.append("image", new Blob([image as Uint8Array<ArrayBuffer>], { type: "image/png" }), "image.png");
      return [path, body] as const;
    };
    // Nova Canvas draws at most 5 images a request, and an answer holds at most 5,242,880 pixels.
    const rows: Array<readonly [string, Record<string, unknown> | FormData]> = [
      ["/v1/images/generations", { model: "nova-pictures", prompt: "a cat", n: 6 }],
      ["/v1/images/generations", { model: "nova-pictures", prompt: "a cat", n: 5, size: "2048x1536" }],
      form("/v1/images/edits", { prompt: "A window", n: "6" }, holedPng(64, 64)),
      // Five images at its image's size (1536x1024): past the answer's pixels, found once it is read.
      form("/v1/images/edits", { prompt: "A window", n: "5" }, holedPng(1536, 1024)),
      form("/v1/images/variations", { n: "6" }, holedPng(1024, 1024)),
    ];
    const answers = [];
    for (const [path, body] of rows) {
      const { binding, calls } = recordingLimits();
      let sent = 0;
      const { app } = proxyWith({ KEY_LIMITS: binding, API_KEYS }, (emulator) => (input, init) => {
        sent += 1;
        return emulator.fetch(new Request(input, init));
      });
      const refusal = await errorOf(await send(app, path, body));
      answers.push({ path, refusal: { status: refusal.status, param: refusal.param }, admitted: calls.length, sent });
    }
    expect(answers).toEqual(
      rows.map(([path]) => ({ path, refusal: { status: 400, param: "n" }, admitted: 0, sent: 0 })),
    );
    // At the bounds: admitted and drawn.
    const { binding, calls } = recordingLimits();
    const { app } = proxyWith({ KEY_LIMITS: binding, API_KEYS });
    const served = await send(app, "/v1/images/generations", { model: "nova-pictures", prompt: "a cat", n: 5 });
    expect({ status: served.status, images: ((await served.json()) as { data: unknown[] }).data.length }).toEqual({
      status: 200,
      images: 5,
    });
    expect(calls.filter((call) => call.method === "admit")).toHaveLength(1);
  });

  it("an edit's or a variation's count past the library's bounds is refused before it reserves, as a generation's is (#3)", async () => {
    const image = holedPng(64, 64);
    const form = (path: string, n: string) => {
      const fields = new FormData();
      fields.append("model", "nova-pictures");
      if (path.endsWith("edits")) fields.append("prompt", "A window");
      fields.append("n", n);
      fields.append("image", new Blob([image as Uint8Array<ArrayBuffer>], { type: "image/png" }), "image.png");
      return fields;
    };
    const answers = [];
    for (const path of ["/v1/images/edits", "/v1/images/variations"]) {
      const { binding, calls } = recordingLimits();
      const { app } = proxyWith({ RATE, KEY_LIMITS: binding });
      const refusal = await errorOf(await send(app, path, form(path, "11")));
      answers.push({ path, refusal, admitted: calls.length });
    }
    expect(answers).toEqual(
      ["/v1/images/edits", "/v1/images/variations"].map((path) => ({
        path,
        refusal: expect.objectContaining({ status: 400, param: "n" }),
        admitted: 0,
      })),
    );
  });

  it("an edit's and a variation's reservation read the n and quality they ask, as a generation's does (#3)", async () => {
    const image = holedPng(1024, 1024);
    const API_KEYS = JSON.stringify({ team: { key: "sk-team-0123456789", tokens_per_day: 1_000_000 } });
    const reserved = async (path: string, fields: Record<string, string>) => {
      const { binding, calls } = recordingLimits();
      const { app } = proxyWith({ KEY_LIMITS: binding, API_KEYS });
      const body = new FormData();
      for (const [name, value] of Object.entries(fields)) body.append(name, value);
      if (!path.endsWith("generations")) {
        body.append("image", new Blob([image as Uint8Array<ArrayBuffer>], { type: "image/png" }), "image.png");
      }
      const response = await send(
        app,
        path,
        path.endsWith("generations") ? (Object.fromEntries(body) as Record<string, unknown>) : body,
      );
      await response.text();
      return calls.find((call) => call.method === "admit")?.args.reserve;
    };
    const asked = { model: "nova-pictures", n: "3", size: "1024x1024" };
    expect({
      edit: await reserved("/v1/images/edits", { ...asked, prompt: "A window", quality: "hd" }),
      variation: await reserved("/v1/images/variations", asked),
    }).toEqual({
      edit: inputEstimate({ prompt: "A window" }, "images") + 3 * 4160,
      variation: 3 * 1056,
    });
  });
});
