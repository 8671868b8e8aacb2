// tokens_per_day under concurrency, through the Worker in workerd with the real KeyLimits Durable
// Object: every request of such a key reserves what it may use until it ends, so a burst of
// requests cannot spend more than the day has left (a review found 50 parallel requests using 14x
// a limit of 300). Bursts on all three APIs, plain and streamed; reservations returned after
// success, failure and a client that leaves; and, through a helper Worker that hosts the same
// object with a door to its storage, a reservation an isolate left behind and a lease stored as
// a number by older code.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reasoningOutputLimit } from "../../src/core.ts";
import { IMAGE_TOKENS, tokenEstimate } from "../../worker/token-estimate.ts";
import { CONVERSE_MODEL } from "../helpers/emulated.ts";
import {
  eventually,
  keyLimitsStub,
  leaveSlowStream,
  modelString,
  sseEvents,
  startWorkerdProxy,
  TEST_MODELS,
  USER_HELLO,
  type WorkerdProxy,
  awayFromMidnight,
} from "./harness.ts";
import { bundleWorkerScript } from "./worker-bundle.ts";

const LIMIT = 300;
const KEYS = {
  // The review's key: tokens_per_day and nothing else.
  burst: { key: "sk-hold-burst-0001", tokens_per_day: LIMIT },
  "burst-capped": { key: "sk-hold-burst-0002", tokens_per_day: LIMIT },
  "burst-streams": { key: "sk-hold-burst-0003", tokens_per_day: LIMIT },
  "burst-completions": { key: "sk-hold-burst-0004", tokens_per_day: LIMIT },
  "burst-responses": { key: "sk-hold-burst-0005", tokens_per_day: LIMIT },
  "burst-responses-streams": { key: "sk-hold-burst-0006", tokens_per_day: LIMIT },
  released: { key: "sk-hold-released-0001", tokens_per_day: 1_000_000, concurrent_streams: 10 },
  "left-behind": { key: "sk-hold-seeded-0001", tokens_per_day: 1000 },
  "old-lease": { key: "sk-hold-seeded-0002", tokens_per_day: 1000, concurrent_streams: 1 },
  // The second review's keys: Claude's thinking at xhigh, and images.
  thinking: { key: "sk-hold-thinking-0001", tokens_per_day: 50_000 },
  images: { key: "sk-hold-images-0001", tokens_per_day: 5000 },
  // The third review's key: answers longer than a reservation that no limit bounds.
  long: { key: "sk-hold-long-0001", tokens_per_day: 60_000 },
  "long-ask": { key: "sk-hold-long-0002", tokens_per_day: 1_000_000 },
  // precheck43 #4's key: a request the library refuses for a count past its bounds, beside a valid one.
  "past-bounds": { key: "sk-hold-bounds-0001", tokens_per_day: 100_000 },
} as const;
type KeyName = keyof typeof KEYS;

const MODELS = {
  ...TEST_MODELS,
  "slow-stream": modelString("llama", "slow250", "long2400"),
  // A plain answer that takes a while to come.
  "slow-plain": modelString("llama", "wait1500"),
  // Claude on the converse route (claude-sonnet-4), its answers held a while so that a burst overlaps.
  "slow-claude": modelString("converse", "wait1500"),
  // An imported model writing 6,000 tokens unless told to stop sooner (the library sends it no limit of its own).
  "long-answer": modelString("llama", "wait1500", "long6000"),
};
const HELLO = USER_HELLO[0]!.content;

let proxy: WorkerdProxy;

beforeAll(async () => {
  await awayFromMidnight();
  proxy = await startWorkerdProxy(
    { main: { API_KEYS: JSON.stringify(KEYS), MODELS: JSON.stringify(MODELS) } },
    {
      main: {
        durableObjects: {
          KEY_LIMITS: { className: "SeededKeyLimits", scriptName: "key-limits-seeder", useSQLite: true },
        },
      },
    },
    [{ name: "key-limits-seeder", script: await bundleWorkerScript("test/workerd/key-limits-seeder.ts") }],
  );
}, 20_000 + 120_000); // the wait, then the project's hookTimeout for the start
afterAll(() => proxy?.close());

async function callObject(name: KeyName, method: string, args: unknown): Promise<unknown> {
  const stub = await keyLimitsStub(proxy, name);
  const response = await stub.fetch(`https://durable-object/${method}`, {
    method: "POST",
    body: JSON.stringify(args),
  });
  expect(response.status).toBe(200);
  return response.json();
}

interface Counts {
  tokens: number;
  streams: number;
  reserved: number;
  requests: number;
}

const counted = async (name: KeyName) => (await callObject(name, "read", {})) as Counts;

/** The key's counts once they are as expected: a request settles after its answer went out. */
async function settledTo(name: KeyName, expected: Partial<Counts>): Promise<Counts> {
  let last: Counts | undefined;
  try {
    return await eventually(
      async () => {
        last = await counted(name);
        return Object.entries(expected).every(([field, value]) => last![field as keyof Counts] === value) && last;
      },
      5000,
      `${name} to count ${JSON.stringify(expected)}`,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; it counts ${JSON.stringify(last)}`);
  }
}

type Path = "/v1/chat/completions" | "/v1/completions" | "/v1/responses";

function post(name: KeyName, path: Path, body: Record<string, unknown>, signal?: AbortSignal) {
  return fetch(`${proxy.url()}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${KEYS[name].key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
    signal,
  });
}

interface Sent {
  status: number;
  code?: string;
  message?: string;
  retryAfter: string | null;
  /** The tokens a served request used, from its usage. */
  tokens: number;
}

/** The usage an answer reports, plain or streamed, in any of the three APIs. */
function totalTokens(text: string, stream: boolean): number {
  type Usage = { total_tokens?: number };
  if (!stream) return (JSON.parse(text) as { usage: Usage }).usage.total_tokens!;
  for (const event of sseEvents(text)) {
    if (typeof event !== "object" || event === null) continue;
    const { usage, type, response } = event as { usage?: Usage; type?: string; response?: { usage: Usage } };
    if (usage?.total_tokens !== undefined) return usage.total_tokens;
    if (type === "response.completed") return response!.usage.total_tokens!;
  }
  throw new Error("the stream reported no usage");
}

async function send(name: KeyName, path: Path, body: Record<string, unknown>): Promise<Sent> {
  const response = await post(name, path, body);
  const text = await response.text();
  const retryAfter = response.headers.get("retry-after");
  if (response.status === 200) return { status: 200, retryAfter, tokens: totalTokens(text, body.stream === true) };
  const { error } = JSON.parse(text) as { error: { code: string; message: string } };
  return { status: response.status, code: error.code, message: error.message, retryAfter, tokens: 0 };
}

/**
 * `count` requests at once; then the key's count is exactly what the served ones used, at most
 * one request's worth over the limit, no reservation is left, and every other request was a 429
 * saying why: requests in flight (a short Retry-After) or, once their tokens are counted, a day
 * used up.
 */
async function burst(name: KeyName, path: Path, body: Record<string, unknown>, count = 50) {
  const sent = await Promise.all(Array.from({ length: count }, () => send(name, path, body)));
  const served = sent.filter((one) => one.status === 200);
  const refused = sent.filter((one) => one.status !== 200);
  const used = served.reduce((sum, one) => sum + one.tokens, 0);
  const counts = await settledTo(name, { tokens: used, reserved: 0, requests: 0 });
  const oneRequest = Math.max(...served.map((one) => one.tokens));
  console.log(
    `${name} ${path}${body.stream ? " (streams)" : ""}: ${served.length} served, ${refused.length} refused ` +
      `(${refused.filter((one) => one.code === "tokens_per_day_in_flight").length} in flight); ` +
      `${counts.tokens} tokens counted against a limit of ${LIMIT}, ${oneRequest} per request`,
  );
  expect(served.length).toBeGreaterThan(0);
  expect(counts.tokens).toBeLessThanOrEqual(LIMIT + oneRequest);
  for (const one of refused) {
    expect(one.status).toBe(429);
    if (one.code === "tokens_per_day_in_flight") {
      expect(one.retryAfter).toBe("2");
      expect(one.message).toMatch(
        new RegExp(
          `^The key "${name}" has requests in flight that may use the rest of its tokens for today \\(tokens_per_day: ${LIMIT}, used: \\d+, reserved by (?:1 request|(?:[02-9]|\\d{2,}) requests) in flight: \\d+\\); try again when one has finished\\.$`,
        ),
      );
    } else {
      expect(one.code).toBe("tokens_per_day_exceeded");
      expect(one.message).toContain("the count starts again at 00:00 UTC");
      expect(Number(one.retryAfter)).toBeGreaterThan(2);
    }
  }
  expect(refused.some((one) => one.code === "tokens_per_day_in_flight")).toBe(true);
  return { served, refused };
}

const chatBody = (extra: Record<string, unknown> = {}) => ({ model: "llama", messages: USER_HELLO, ...extra });

describe("a burst of requests at once holds tokens_per_day within one request's worth", () => {
  it("the review's burst: 50 plain chat requests, no output limit (each reserves the whole day's 300)", async () => {
    const { served } = await burst("burst", "/v1/chat/completions", chatBody());
    // Before, all 50 were served: 4,300 tokens.
    expect(served.length).toBeLessThan(5);
  });

  it("50 plain chat requests with max_tokens 20: several at a time", async () => {
    const { served } = await burst("burst-capped", "/v1/chat/completions", chatBody({ max_tokens: 20 }));
    expect(served.length).toBeGreaterThan(1);
  });

  it("50 streams", async () => {
    await burst(
      "burst-streams",
      "/v1/chat/completions",
      chatBody({ stream: true, stream_options: { include_usage: true } }),
    );
  });

  it("50 legacy completions (16 tokens each unless asked), plain", async () => {
    const { served } = await burst("burst-completions", "/v1/completions", { model: "llama", prompt: HELLO });
    expect(served.length).toBeGreaterThan(5);
  });

  it("50 Responses with max_output_tokens, plain, then streamed", async () => {
    await burst("burst-responses", "/v1/responses", { model: "llama", input: HELLO, max_output_tokens: 30 });
    await burst("burst-responses-streams", "/v1/responses", {
      model: "llama",
      input: HELLO,
      max_output_tokens: 30,
      stream: true,
    });
  });
});

/**
 * `count` requests at once to a model that holds its answers: once every request is either
 * answered (the refused) or held in flight, the key's counter tells how many were admitted
 * together and what they reserve. Then all are let finish and their reservations returned.
 */
async function heldBurst(name: KeyName, path: Path, body: Record<string, unknown>, count: number) {
  let answered = 0;
  const sending = Array.from({ length: count }, () =>
    send(name, path, body).finally(() => {
      answered += 1;
    }),
  );
  const inFlight = await eventually(
    async () => {
      const counts = await counted(name);
      return counts.requests > 0 && counts.requests + answered === count && counts;
    },
    5000,
    `${name}'s burst to be admitted or refused`,
  );
  const sent = await Promise.all(sending);
  await settledTo(name, { reserved: 0, requests: 0 });
  return { inFlight, sent };
}

describe("a reservation covers what the library lets Bedrock use (the second review)", () => {
  it("15 converse streams at reasoning_effort xhigh: each reserves the 36,864 tokens Claude may use, so at most a request's worth over the day", async () => {
    const body = {
      model: "slow-claude",
      messages: [{ role: "user", content: "Prove it." }],
      reasoning_effort: "xhigh",
      stream: true,
      stream_options: { include_usage: true },
    };
    // What the library sends Bedrock as maxTokens for such a request (its budget and the answer's room).
    const output = reasoningOutputLimit({ modelId: CONVERSE_MODEL, reasoningEffort: "xhigh", stream: true })!;
    expect(output).toBe(36_864);
    const { inFlight, sent } = await heldBurst("thinking", "/v1/chat/completions", body, 15);
    const perRequest = inFlight.reserved / inFlight.requests;
    console.log(`thinking: ${inFlight.requests} admitted at once, ${inFlight.reserved} reserved against 50,000`);
    // Before, each reserved about 4,170: 12 were admitted at once, which Bedrock could let spend 442k tokens.
    expect(perRequest).toBeGreaterThanOrEqual(output);
    expect(inFlight.requests * output).toBeLessThanOrEqual(KEYS.thinking.tokens_per_day + output);
    expect(inFlight.reserved).toBeLessThanOrEqual(KEYS.thinking.tokens_per_day + perRequest);
    expect(sent.filter((one) => one.status === 200)).toHaveLength(inFlight.requests);
    expect(sent.filter((one) => one.code === "tokens_per_day_in_flight")).toHaveLength(15 - inFlight.requests);
  });

  it("20 requests with an image each: each image reserves its allowance, whatever its bytes", async () => {
    const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
    const body = {
      model: "slow-claude",
      max_tokens: 10,
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is this?" },
            { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } },
          ],
        },
      ],
    };
    const { inFlight, sent } = await heldBurst("images", "/v1/chat/completions", body, 20);
    const perRequest = inFlight.reserved / inFlight.requests;
    console.log(`images: ${inFlight.requests} admitted at once, ${inFlight.reserved} reserved against 5,000`);
    // Before, an image counted nothing: each reserved about 100 and all 20 were admitted at once.
    expect(perRequest).toBeGreaterThanOrEqual(IMAGE_TOKENS + 10);
    expect(inFlight.requests * IMAGE_TOKENS).toBeLessThanOrEqual(KEYS.images.tokens_per_day + perRequest);
    expect(inFlight.requests).toBeLessThan(20);
    expect(sent.filter((one) => one.status === 200)).toHaveLength(inFlight.requests);
  });
});

describe("what a request reserves is what it may use (the third review)", () => {
  it("20 requests at once with no output limit, on a model without max_output_tokens: each is sent with the 4,096 it reserved, so the day ends at most a request over", async () => {
    const body = { model: "long-answer", messages: USER_HELLO };
    const { inFlight, sent } = await heldBurst("long", "/v1/chat/completions", body, 20);
    const served = sent.filter((one) => one.status === 200);
    console.log(
      `long: ${inFlight.requests} admitted at once, ${served.map((one) => one.tokens).join(" ")} tokens each`,
    );
    // Before, each answer ran to 6,000 tokens past its reservation: 15 served counted 90,975 against 60,000.
    const oneRequest = Math.max(...served.map((one) => one.tokens));
    expect(oneRequest).toBeLessThanOrEqual(tokenEstimate(body, "chat", undefined));
    const counts = await counted("long");
    expect(counts.tokens).toBe(served.reduce((sum, one) => sum + one.tokens, 0));
    expect(counts.tokens).toBeLessThanOrEqual(KEYS.long.tokens_per_day + oneRequest);
  });

  it("the limit is the reservation's, told as OpenAI tells a cut answer; a request that asks for more reserves and gets more", async () => {
    const key = { authorization: `Bearer ${KEYS["long-ask"].key}`, "content-type": "application/json" };
    const ask = async (path: Path, body: Record<string, unknown>) => {
      const response = await fetch(`${proxy.url()}${path}`, {
        method: "POST",
        headers: key,
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(200);
      return (await response.json()) as Record<string, unknown>;
    };
    const chat = (await ask("/v1/chat/completions", { model: "long-answer", messages: USER_HELLO })) as {
      choices: { finish_reason: string }[];
      usage: { completion_tokens: number };
    };
    expect(chat.choices[0]!.finish_reason).toBe("length");
    expect(chat.usage.completion_tokens).toBe(4096);
    const longer = (await ask("/v1/chat/completions", {
      model: "long-answer",
      messages: USER_HELLO,
      max_completion_tokens: 5000,
    })) as typeof chat;
    expect(longer.usage.completion_tokens).toBe(5000);
    const response = (await ask("/v1/responses", { model: "long-answer", input: HELLO })) as {
      status: string;
      incomplete_details: { reason: string } | null;
      max_output_tokens: number | null;
      usage: { output_tokens: number };
    };
    expect(response).toMatchObject({ status: "incomplete", incomplete_details: { reason: "max_output_tokens" } });
    expect(response.usage.output_tokens).toBe(4096);
  });
});

describe("a request's reservation is returned when it ends", () => {
  it("held while it runs (its estimate), and returned when it is answered or its client leaves", async () => {
    const before = await settledTo("released", { requests: 0 });
    const leaving = new AbortController();
    const slowly = { model: "slow-plain", messages: USER_HELLO };
    const slow = post("released", "/v1/chat/completions", slowly, leaving.signal);
    await settledTo("released", { requests: 1, reserved: tokenEstimate(slowly, "chat", undefined) });
    // A plain request whose client (on a TCP connection of its own) leaves: workerd tells the Worker
    // only once the answer is ready (disconnects.test.ts), so the model's whole answer is counted,
    // and the reservation returned. A caller through a service binding is told at once:
    // sent-calls-counted.test.ts.
    leaving.abort();
    await expect(slow).rejects.toThrow();
    const left = await settledTo("released", { requests: 0, reserved: 0 });
    expect(left.tokens).toBeGreaterThan(before.tokens);
    const answered = await send("released", "/v1/chat/completions", chatBody());
    expect(answered.status).toBe(200);
    await settledTo("released", { requests: 0, reserved: 0, tokens: left.tokens + answered.tokens });
  });

  it("after a failure, plain or midway through a stream", async () => {
    const failed = await post("released", "/v1/chat/completions", { model: "err500-always", messages: USER_HELLO });
    expect(failed.status).toBeGreaterThanOrEqual(500);
    await failed.text();
    await settledTo("released", { requests: 0, reserved: 0 });
    const { tokens } = await counted("released");
    const broken = await post("released", "/v1/chat/completions", {
      model: "midstream-error",
      messages: USER_HELLO,
      stream: true,
    });
    expect(await broken.text()).toContain('"error"');
    const after = await settledTo("released", { requests: 0, reserved: 0, streams: 0 });
    // What it relayed before it broke is counted instead.
    expect(after.tokens).toBeGreaterThan(tokens);
  });

  it("after a client leaves a stream midway, on each API", async () => {
    expect(await leaveSlowStream(proxy.client("main", { apiKey: KEYS.released.key }))).toBe(3);
    await settledTo("released", { requests: 0, reserved: 0, streams: 0 });
    const bodies: Array<[Path, Record<string, unknown>]> = [
      ["/v1/chat/completions", { model: "slow-stream", messages: USER_HELLO, stream: true }],
      ["/v1/completions", { model: "slow-stream", prompt: HELLO, stream: true }],
      ["/v1/responses", { model: "slow-stream", input: HELLO, stream: true }],
    ];
    for (const [path, body] of bodies) {
      const leaving = new AbortController();
      const response = await post("released", path, body, leaving.signal);
      expect(response.status).toBe(200);
      await response.body!.getReader().read();
      await settledTo("released", { requests: 1, streams: 1 });
      leaving.abort();
      await settledTo("released", { requests: 0, reserved: 0, streams: 0 });
    }
  });
});

describe("a count past the library's bounds reserves nothing (precheck43 #4)", () => {
  it("sent with a valid request of the same key: the library's 400 naming the count, never admitted, and the valid one served", async () => {
    // Each reserved the key's whole day (100,000) before, held until its 400 was sent and settled.
    const rows: Array<[Path, Record<string, unknown>, string]> = [
      // The review's probe.
      ["/v1/chat/completions", { model: "slow-plain", messages: USER_HELLO, n: 1000, max_tokens: 100_000 }, "n"],
      ["/v1/chat/completions", { model: "slow-plain", messages: USER_HELLO, max_tokens: 2_000_000 }, "max_tokens"],
      [
        "/v1/chat/completions",
        { model: "slow-plain", messages: USER_HELLO, max_completion_tokens: 2_000_000 },
        "max_completion_tokens",
      ],
      ["/v1/completions", { model: "slow-plain", prompt: HELLO, n: 1000, max_tokens: 1000 }, "n"],
      ["/v1/completions", { model: "slow-plain", prompt: HELLO, best_of: 1000, max_tokens: 1000 }, "best_of"],
      ["/v1/completions", { model: "slow-plain", prompt: HELLO, max_tokens: 2_000_000 }, "max_tokens"],
      ["/v1/responses", { model: "slow-plain", input: HELLO, max_output_tokens: 2_000_000 }, "max_output_tokens"],
    ];
    const answers = [];
    for (const [path, body] of rows) {
      const [invalid, valid] = await Promise.all([
        post("past-bounds", path, body),
        post("past-bounds", "/v1/chat/completions", chatBody()),
      ]);
      const { error } = (await invalid.json()) as { error: { param: string | null } };
      await valid.text();
      const admitted = (await callObject("past-bounds", "admitted", {})) as { lease: string }[];
      answers.push({
        path,
        invalid: { status: invalid.status, param: error.param },
        valid: valid.status,
        invalidAdmitted: admitted.some(({ lease }) => lease === invalid.headers.get("x-request-id")),
        validAdmitted: admitted.some(({ lease }) => lease === valid.headers.get("x-request-id")),
      });
    }
    expect(answers).toEqual(
      rows.map(([path, , param]) => ({
        path,
        invalid: { status: 400, param },
        valid: 200,
        invalidAdmitted: false,
        validAdmitted: true,
      })),
    );
    await settledTo("past-bounds", { reserved: 0, requests: 0 });
  });
});

describe("leases the proxy's calls cannot make, written into the object's storage", () => {
  it("a reservation an isolate left behind holds its tokens until it lapses", async () => {
    const leftBehind = (until: number) => ({ "lease:req_left_behind": { until, tokens: 1000, stream: false } });
    await callObject("left-behind", "seed", leftBehind(Date.now() + 60_000));
    const refused = await send("left-behind", "/v1/chat/completions", chatBody());
    expect(refused).toMatchObject({
      status: 429,
      code: "tokens_per_day_in_flight",
      retryAfter: "2",
      message:
        'The key "left-behind" has requests in flight that may use the rest of its tokens for today (tokens_per_day: 1000, used: 0, reserved by 1 request in flight: 1000); try again when one has finished.',
    });
    // Its time has passed (renewed no more, as by an isolate that died): it holds nothing.
    await callObject("left-behind", "seed", leftBehind(Date.now() - 1));
    const served = await send("left-behind", "/v1/chat/completions", chatBody());
    expect(served.status).toBe(200);
    await settledTo("left-behind", { requests: 0, reserved: 0, tokens: served.tokens });
  });

  it("a lease stored as a number (a stream's, before reservations) still holds its stream's place and no tokens", async () => {
    await callObject("old-lease", "seed", { "lease:req_old_stream": Date.now() + 60_000 });
    expect(await counted("old-lease")).toMatchObject({ streams: 1, reserved: 0, requests: 1 });
    const stream = chatBody({ stream: true, stream_options: { include_usage: true } });
    expect(await send("old-lease", "/v1/chat/completions", stream)).toMatchObject({
      status: 429,
      code: "concurrent_streams_exceeded",
    });
    // It holds no tokens: a plain request is served.
    expect((await send("old-lease", "/v1/chat/completions", chatBody())).status).toBe(200);
    await settledTo("old-lease", { requests: 1, streams: 1 });
    // Returned as any lease is, its place is free.
    await callObject("old-lease", "settle", { lease: "req_old_stream" });
    expect((await send("old-lease", "/v1/chat/completions", stream)).status).toBe(200);
    await settledTo("old-lease", { requests: 0, streams: 0 });
    // And one whose time has passed holds nothing.
    await callObject("old-lease", "seed", { "lease:req_old_lapsed": Date.now() - 1 });
    expect((await send("old-lease", "/v1/chat/completions", stream)).status).toBe(200);
    await settledTo("old-lease", { requests: 0, streams: 0 });
  });
});
