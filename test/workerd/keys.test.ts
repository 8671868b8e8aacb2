// Named keys and their limits through the Worker in workerd, with Cloudflare's own parts: the
// Rate Limiting binding counts requests, the KeyLimits Durable Object counts tokens per day and
// open streams. Each limit is driven to its edge: the last request it allows, then the first it
// refuses (429, Retry-After, a message naming the limit and this key only).
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorOf } from "../helpers/errors.ts";
import { emulated } from "../helpers/emulated.ts";
import {
  eventually,
  keyLimitsCounts,
  modelString,
  startWorkerdProxy,
  TEST_KEYS,
  TEST_MODELS,
  USER_HELLO,
  type WorkerdProxy,
  awayFromMidnight,
} from "./harness.ts";

const KEYS = {
  models: { key: "sk-named-models-0001", models: ["llama"] },
  rate: { key: "sk-named-rate-0001", rate_limit: "RATE_LIMIT_TEST" },
  "rate-too": { key: "sk-named-rate-0002", rate_limit: "RATE_LIMIT_TEST" },
  "tokens-at-edge": { key: "sk-named-tokens-0001" },
  "tokens-past-edge": { key: "sk-named-tokens-0002" },
  streams: { key: "sk-named-streams-0001", concurrent_streams: 2 },
  "rate-streams": { key: "sk-named-rate-0003", rate_limit: "RATE_LIMIT_TEST", concurrent_streams: 1 },
} as const;
// A rotation under way (daytwo49 #3): the new key beside the old in one entry; "rotated" is the
// same configuration once every client has moved and the old key is removed.
const ROTATION = { new: "sk-named-rotation-new-0001", old: "sk-named-rotation-old-0001" } as const;
const RATE_LIMIT = 3;
// Ten minutes of frames, a quarter second apart: a stream stays open until the test ends it (every test
// that opens one cancels it), however slowly the machine runs.
const MODELS = { ...TEST_MODELS, "slow-stream": modelString("llama", "slow250", "long2400") };

let proxy: WorkerdProxy;
/** Input plus output tokens of one plain llama call with USER_HELLO (the emulator's counts are fixed). */
let perCall: number;

beforeAll(async () => {
  const { bedrock } = emulated({ models: { llama: TEST_MODELS.llama! } });
  const usage = (await bedrock.chat.completions.create({ model: "llama", messages: USER_HELLO })).usage!;
  perCall = usage.prompt_tokens + usage.completion_tokens;
  const apiKeys = {
    ...KEYS,
    // Two calls reach the limit exactly; one token more allows a third.
    "tokens-at-edge": { ...KEYS["tokens-at-edge"], tokens_per_day: 2 * perCall },
    "tokens-past-edge": { ...KEYS["tokens-past-edge"], tokens_per_day: 2 * perCall + 1 },
  };
  const rotating = (key: string | string[]) => ({ key, tokens_per_day: 2 * perCall });
  const cloudflare = {
    durableObjects: { KEY_LIMITS: { className: "KeyLimits", useSQLite: true } },
    ratelimits: { RATE_LIMIT_TEST: { simple: { limit: RATE_LIMIT, period: 60 } } },
  };
  proxy = await startWorkerdProxy(
    {
      main: {
        API_KEYS: JSON.stringify({ ...apiKeys, rotating: rotating([ROTATION.new, ROTATION.old]) }),
        MODELS: JSON.stringify(MODELS),
      },
      rotated: {
        API_KEYS: JSON.stringify({ ...apiKeys, rotating: rotating(ROTATION.new) }),
        MODELS: JSON.stringify(MODELS),
      },
    },
    { main: cloudflare, rotated: cloudflare },
  );
});
afterAll(() => proxy?.close());

const client = (name: keyof typeof KEYS) => proxy.client("main", { apiKey: KEYS[name].key });
const chat = (name: keyof typeof KEYS, model = "llama") =>
  client(name).chat.completions.create({ model, messages: USER_HELLO });

function lineOf(requestId: string | null | undefined) {
  return eventually(() => proxy.logs.find((line) => line.request_id === requestId), 3000, `the line of ${requestId}`);
}

/** What a key's KeyLimits object counts now. */
function counted(name: string): Promise<{ tokens: number; streams: number }> {
  return keyLimitsCounts(proxy, name);
}

/** Waits until the key's counts are as expected: a request is settled after its answer went out. */
async function settled(name: string, expected: Partial<{ tokens: number; streams: number }>): Promise<void> {
  let now: Awaited<ReturnType<typeof counted>> | undefined;
  await eventually(
    async () => {
      now = await counted(name);
      const counts = now;
      return Object.entries(expected).every(([field, value]) => counts[field as keyof typeof counts] === value);
    },
    3000,
    () => `${name}'s counts ${JSON.stringify(expected)}, still ${JSON.stringify(now)}`,
  );
}

describe("keys", () => {
  it("PROXY_API_KEYS keys keep working, without limits, named by their digest in the log", async () => {
    const { response } = await proxy
      .client()
      .chat.completions.create({ model: "qwen3", messages: USER_HELLO })
      .withResponse();
    expect((await lineOf(response.headers.get("x-request-id"))).key).toBe("proxy-key-36de5af9");
    const second = await proxy.client("main", { apiKey: TEST_KEYS[1] }).models.list();
    expect(second.data.map((model) => model.id)).toEqual(Object.keys(MODELS));
  });

  it("a named key is logged by its name, never its key", async () => {
    const { response } = await chat("rate-too").withResponse();
    const line = await lineOf(response.headers.get("x-request-id"));
    expect(line.key).toBe("rate-too");
    expect(JSON.stringify(proxy.logs)).not.toContain(KEYS["rate-too"].key);
  });

  it("calls only its models, and learns nothing of the others", async () => {
    expect((await client("models").models.list()).data.map((model) => model.id)).toEqual(["llama"]);
    const other = await errorOf(() => chat("models", "qwen3"), OpenAI.NotFoundError);
    const unknown = await errorOf(() => chat("models", "no-such-model"), OpenAI.NotFoundError);
    // The same answer as for a name that is not configured at all.
    expect(other.code).toBe(unknown.code);
    expect(other.message).toBe(unknown.message.replace("no-such-model", "qwen3"));
    await errorOf(() => client("models").models.retrieve("qwen3"), OpenAI.NotFoundError);
    expect((await chat("models")).choices[0]!.message.content).toContain("(llama)");
  });
});

describe("requests per minute (the Rate Limiting binding)", () => {
  it(`allow ${RATE_LIMIT} requests, then 429 with Retry-After naming the limit and this key, per key`, async () => {
    // The binding counts per wall-clock minute: start well inside one.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 50_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoMinute + 100));
    for (let i = 0; i < RATE_LIMIT; i++) await chat("rate");
    const refused = await errorOf(() => chat("rate"), OpenAI.RateLimitError);
    expect(refused.code).toBe("request_rate_exceeded");
    expect(refused.headers.get("retry-after")).toBe("59");
    expect(refused.message).toContain('The key "rate"');
    expect(refused.message).toContain("RATE_LIMIT_TEST");
    expect(refused.message).not.toMatch(/rate-too|sk-named/);
    // Another key on the same binding has a count of its own.
    expect((await chat("rate-too")).choices[0]!.finish_reason).toBe("stop");
  });

  it("over its rate, a stream is refused for the rate and leaves no place taken in its key's streams", async () => {
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 50_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoMinute + 100));
    for (let i = 0; i < RATE_LIMIT; i++) await chat("rate-streams");
    const refused = await fetch(`${proxy.url()}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEYS["rate-streams"].key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "llama", messages: USER_HELLO, stream: true }),
    });
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("request_rate_exceeded");
    // Both limits were asked at once: the stream's admission is settled all the same.
    await settled("rate-streams", { streams: 0 });
  });
});

describe("tokens per day (the KeyLimits Durable Object)", () => {
  // Every count below falls within one UTC day: they start more than 60 s (their two 20 s
  // timeouts and more) before a midnight.
  // Called, not passed: vitest reads a hook's first parameter as its fixtures, and a default value there is refused.
  beforeAll(() => awayFromMidnight(60_000), 70_000);

  it("admit while the day's finished requests used fewer tokens than the limit", async () => {
    await chat("tokens-at-edge");
    await settled("tokens-at-edge", { tokens: perCall });
    await chat("tokens-at-edge");
    await settled("tokens-at-edge", { tokens: 2 * perCall });
    const refused = await errorOf(() => chat("tokens-at-edge"), OpenAI.RateLimitError);
    expect(refused.code).toBe("tokens_per_day_exceeded");
    expect(refused.message).toContain(
      `The key "tokens-at-edge" has used its tokens for today (tokens_per_day: ${2 * perCall}`,
    );
    expect(refused.message).not.toContain("tokens-past-edge");
    const retryAfter = Number(refused.headers.get("retry-after"));
    const now = new Date();
    const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
    expect(Math.abs(retryAfter - (midnight - now.getTime()) / 1000)).toBeLessThan(5);
  });

  it("one token of room is room for one more request, which may end the day over the limit", async () => {
    for (let i = 1; i <= 2; i++) {
      await chat("tokens-past-edge");
      await settled("tokens-past-edge", { tokens: i * perCall });
    }
    await chat("tokens-past-edge");
    await settled("tokens-past-edge", { tokens: 3 * perCall });
    await errorOf(() => chat("tokens-past-edge"), OpenAI.RateLimitError);
  });
});

describe("a rotation: an entry's list of keys, the new beside the old (daytwo49 #3)", () => {
  beforeAll(() => awayFromMidnight(60_000), 70_000);
  const rotatingChat = (key: string, variant = "main") =>
    proxy.client(variant, { apiKey: key }).chat.completions.create({ model: "llama", messages: USER_HELLO });

  it("serves both keys as one tenant: one name in the log, one count of the day's tokens", async () => {
    const { response: byOld } = await rotatingChat(ROTATION.old).withResponse();
    expect((await lineOf(byOld.headers.get("x-request-id"))).key).toBe("rotating");
    await settled("rotating", { tokens: perCall });
    const { response: byNew } = await rotatingChat(ROTATION.new).withResponse();
    expect((await lineOf(byNew.headers.get("x-request-id"))).key).toBe("rotating");
    await settled("rotating", { tokens: 2 * perCall });
    // The limit is the entry's, used up by the two keys together: each is refused now.
    for (const key of [ROTATION.old, ROTATION.new]) {
      const refused = await errorOf(() => rotatingChat(key), OpenAI.RateLimitError);
      expect(refused.code).toBe("tokens_per_day_exceeded");
      expect(refused.message).toContain(
        `The key "rotating" has used its tokens for today (tokens_per_day: ${2 * perCall}, used: ${2 * perCall})`,
      );
    }
    expect(proxy.output.join("\n")).not.toMatch(/sk-named-rotation/);
  });

  it("once the old key is removed from the list, refuses it (401) and serves the new", async () => {
    const refused = await errorOf(() => rotatingChat(ROTATION.old, "rotated"), OpenAI.AuthenticationError);
    expect(refused.code).toBe("invalid_api_key");
    const { response } = await rotatingChat(ROTATION.new, "rotated").withResponse();
    expect(response.status).toBe(200);
    expect((await lineOf(response.headers.get("x-request-id"))).key).toBe("rotating");
  });
});

describe("concurrent streams (the KeyLimits Durable Object)", () => {
  function openStream(signal?: AbortSignal) {
    return fetch(`${proxy.url()}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEYS.streams.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "slow-stream", messages: USER_HELLO, stream: true }),
      signal,
    });
  }

  it("allow as many open streams as the limit, refuse one more, and free a place when one ends", async () => {
    const leaving = new AbortController();
    const open = [await openStream(leaving.signal), await openStream()];
    expect(open.map((response) => response.status)).toEqual([200, 200]);
    await settled("streams", { streams: 2 });
    const refused = await openStream();
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("2");
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("concurrent_streams_exceeded");
    expect(body.error.message).toBe(
      'The key "streams" already has 2 streams open (concurrent_streams: 2); try again when one has finished.',
    );
    // Plain calls are not streams.
    expect((await client("streams").chat.completions.create({ model: "llama", messages: USER_HELLO })).object).toBe(
      "chat.completion",
    );
    // A client that leaves ends its stream: its place is free again.
    leaving.abort();
    await settled("streams", { streams: 1 });
    const last = new AbortController();
    const next = await openStream(last.signal);
    expect(next.status).toBe(200);
    await settled("streams", { streams: 2 });
    last.abort();
    await open[1]!.body?.cancel();
    await settled("streams", { streams: 0 });
  });

  it("free the place of a stream read to its end", async () => {
    const response = await fetch(`${proxy.url()}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEYS.streams.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "llama", messages: USER_HELLO, stream: true }),
    });
    expect((await response.text()).endsWith("data: [DONE]\n\n")).toBe(true);
    await settled("streams", { streams: 0 });
  });
});
