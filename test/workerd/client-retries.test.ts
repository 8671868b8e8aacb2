// What the official openai client retries, with its defaults (maxRetries 2, obeying any
// Retry-After), through the Worker in workerd with the real KeyLimits Durable Object. An error
// a retry cannot cure says `x-should-retry: false`, so that create() raises it at once: a key's
// day used up (its Retry-After, hours to 00:00 UTC, would keep the SDK asleep that long), the
// proxy's configuration, a model's settings, the proxy's AWS credentials (each retry another
// signed call to Bedrock). What passes (a throttle, Bedrock's 5xx, tokens held by requests in
// flight) is still retried.
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { errorOf } from "../helpers/errors.ts";
import { recordingFetch } from "../helpers/output-log.ts";
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
  // Fewer tokens than one call uses: the first call ends the day.
  spent: { key: "sk-retry-spent-0001", tokens_per_day: 10 },
  // A request that sets no output limit reserves the whole day while it runs.
  held: { key: "sk-retry-held-0001", tokens_per_day: 300 },
} as const;

const MODELS = {
  ...TEST_MODELS,
  // Three calls fail: the proxy's own tries (1 + BEDROCK_MAX_RETRIES), then the next one answers.
  "err500-thrice": modelString("llama", "err5003"),
  "throttled-thrice": modelString("llama", "throttle3"),
  // A plain answer that takes a second: a request in flight.
  "slow-plain": modelString("llama", "wait1000"),
};

let proxy: WorkerdProxy;

beforeAll(async () => {
  // A day used up in its last minute is left to the SDK's retry (Retry-After 60 s or less): the
  // test of one refused at once runs with more than that left.
  await awayFromMidnight(90_000);
  proxy = await startWorkerdProxy(
    {
      main: { API_KEYS: JSON.stringify(KEYS), MODELS: JSON.stringify(MODELS) },
      badtemplate: {
        MODELS: JSON.stringify({
          llama: TEST_MODELS.llama,
          broken: { model: TEST_MODELS.llama, chat_template: "{% for %}" },
        }),
      },
      misconfigured: { BEDROCK_MAX_RETRIES: "lots" },
      wrongsecret: { AWS_SECRET_ACCESS_KEY: "not-the-emulator-secret-0123456789abcdefgh" },
    },
    { main: { durableObjects: { KEY_LIMITS: { className: "KeyLimits", useSQLite: true } } } },
  );
}, 90_000 + 120_000); // the wait, then the project's hookTimeout for the start
afterAll(() => proxy?.close());
beforeEach(() => proxy.served.emulator.stats.reset());

interface Attempt {
  status: number;
  retryAfter: string | null;
  shouldRetry: string | null;
}

/** The openai client as an application creates it (its default retries), and each answer it got. */
function sdk(variant = "main", apiKey: string = TEST_KEYS[0]) {
  const attempts: Attempt[] = [];
  const recording = recordingFetch();
  const client = new OpenAI({
    baseURL: `${proxy.url(variant)}/v1`,
    apiKey,
    fetch: async (input, init) => {
      const response = await recording(input, init);
      const { headers } = response;
      attempts.push({
        status: response.status,
        retryAfter: headers.get("retry-after"),
        shouldRetry: headers.get("x-should-retry"),
      });
      return response;
    },
  });
  return { client, attempts };
}

const STILL_WAITING = "still waiting";

/**
 * What `call` ends with, or STILL_WAITING when it has not ended within `ms`: an SDK asleep
 * on a long Retry-After would otherwise hold the test until vitest's own timeout.
 */
function within<T>(ms: number, call: () => Promise<T>): Promise<T | typeof STILL_WAITING> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<typeof STILL_WAITING>((resolve) => {
    timer = setTimeout(() => resolve(STILL_WAITING), ms);
  });
  const settled = call();
  settled.catch(() => undefined);
  return Promise.race([settled, late]).finally(() => clearTimeout(timer));
}

/** What the key's KeyLimits object holds now. */
function counted(name: keyof typeof KEYS): Promise<{ tokens: number; requests: number }> {
  return keyLimitsCounts(proxy, name);
}

describe("a key whose tokens for the day are used up", () => {
  it("create() raises RateLimitError tokens_per_day_exceeded at once: one request, no sleep until 00:00 UTC", async () => {
    await sdk("main", KEYS.spent.key).client.chat.completions.create({ model: "llama", messages: USER_HELLO });
    await eventually(async () => (await counted("spent")).tokens > KEYS.spent.tokens_per_day, 3000, "the day used up");
    proxy.served.emulator.stats.reset();

    const { client, attempts } = sdk("main", KEYS.spent.key);
    const started = Date.now();
    const outcome = await within(8000, () =>
      errorOf(() => client.chat.completions.create({ model: "llama", messages: USER_HELLO }), OpenAI.RateLimitError),
    );
    expect(outcome).not.toBe(STILL_WAITING);
    const refused = outcome as InstanceType<typeof OpenAI.RateLimitError>;
    expect(refused.code).toBe("tokens_per_day_exceeded");
    expect(Date.now() - started).toBeLessThan(3000);
    expect(attempts).toHaveLength(1);
    // Retry-After stays, for whoever wants to know when the day starts again.
    expect(Number(attempts[0]!.retryAfter)).toBeGreaterThan(0);
    expect(attempts[0]!.shouldRetry).toBe("false");
    expect(proxy.served.emulator.stats.requests).toHaveLength(0);
  });
});

describe("errors only the operator can fix: one attempt, never three", () => {
  it("proxy_misconfigured (500), on chat and on /v1/models", async () => {
    const chat = sdk("misconfigured");
    const error = await errorOf(
      () => chat.client.chat.completions.create({ model: "llama", messages: USER_HELLO }),
      OpenAI.InternalServerError,
    );
    expect(error.code).toBe("proxy_misconfigured");
    expect(chat.attempts).toEqual([{ status: 500, retryAfter: null, shouldRetry: "false" }]);

    const list = sdk("misconfigured");
    const listed = await errorOf(() => list.client.models.list(), OpenAI.InternalServerError);
    expect(listed.code).toBe("proxy_misconfigured");
    expect(list.attempts).toHaveLength(1);
  });

  it("invalid_model_config (500): a chat_template that does not compile", async () => {
    const { client, attempts } = sdk("badtemplate");
    const error = await errorOf(
      () => client.chat.completions.create({ model: "broken", messages: USER_HELLO }),
      OpenAI.InternalServerError,
    );
    expect(error.code).toBe("invalid_model_config");
    expect(attempts).toEqual([{ status: 500, retryAfter: null, shouldRetry: "false" }]);
  });

  it("upstream_auth_failed (502), plain and streamed: one signed call to Bedrock each", async () => {
    for (const stream of [false, true]) {
      proxy.served.emulator.stats.reset();
      const { client, attempts } = sdk("wrongsecret");
      const error = await errorOf(
        () => client.chat.completions.create({ model: "llama", messages: USER_HELLO, stream }),
        OpenAI.InternalServerError,
      );
      expect(error.status).toBe(502);
      expect(error.code).toBe("upstream_auth_failed");
      expect(attempts).toEqual([{ status: 502, retryAfter: null, shouldRetry: "false" }]);
      expect(proxy.served.emulator.stats.requests.map((request) => request.status)).toEqual([403]);
    }
  });
});

describe("errors that pass are still retried by the SDK", () => {
  it("Bedrock's 500 past the proxy's own retries: the SDK's next attempt is served", async () => {
    const { client, attempts } = sdk();
    const answer = await client.chat.completions.create({ model: "err500-thrice", messages: USER_HELLO });
    expect(answer.choices[0]!.finish_reason).toBe("stop");
    expect(attempts.map(({ status, shouldRetry }) => [status, shouldRetry])).toEqual([
      [500, null],
      [200, null],
    ]);
    expect(proxy.served.emulator.stats.requests).toHaveLength(4);
  });

  it("a throttle past the proxy's own retries: the SDK waits its Retry-After, then is served", async () => {
    const { client, attempts } = sdk();
    const answer = await client.chat.completions.create(
      { model: "throttled-thrice", messages: USER_HELLO },
      { maxRetries: 1 },
    );
    expect(answer.choices[0]!.finish_reason).toBe("stop");
    expect(attempts).toEqual([
      { status: 429, retryAfter: "5", shouldRetry: null },
      { status: 200, retryAfter: null, shouldRetry: null },
    ]);
  }, 20_000);

  it("tokens_per_day_in_flight: retried after its 2 s, once the request holding the day has ended", async () => {
    const holding = sdk("main", KEYS.held.key).client.chat.completions.create({
      model: "slow-plain",
      messages: USER_HELLO,
    });
    await eventually(async () => (await counted("held")).requests === 1, 3000, "the day held by a request in flight");

    const { client, attempts } = sdk("main", KEYS.held.key);
    const answer = await client.chat.completions.create({ model: "llama", messages: USER_HELLO });
    expect(answer.choices[0]!.finish_reason).toBe("stop");
    expect(attempts[0]).toEqual({ status: 429, retryAfter: "2", shouldRetry: null });
    expect(attempts.at(-1)!.status).toBe(200);
    expect((await holding).choices[0]!.finish_reason).toBe("stop");
  }, 20_000);
});
