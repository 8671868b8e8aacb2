// The headers every answer carries, through the Worker in workerd: x-request-id (the same id as
// the request's log line, and what the openai SDK surfaces as _request_id / requestID), readable
// from a browser through CORS, and Retry-After on 429 and 503.
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorOf } from "../helpers/errors.ts";
import {
  eventually,
  modelString,
  startWorkerdProxy,
  TEST_KEYS,
  TEST_MODELS,
  USER_HELLO,
  type WorkerdProxy,
} from "./harness.ts";

let proxy: WorkerdProxy;

beforeAll(async () => {
  proxy = await startWorkerdProxy({
    main: {
      MODELS: JSON.stringify({ ...TEST_MODELS, unavailable: modelString("llama", "err503") }),
      CORS_ORIGINS: "https://app.example.com",
    },
    nokeys: { PROXY_API_KEYS: undefined },
    // CORS_ORIGINS is fine; a key names a model that is not configured.
    broken: {
      CORS_ORIGINS: "https://app.example.com",
      API_KEYS: JSON.stringify({ team: { key: "sk-team-broken-0001", models: ["nope"] } }),
    },
  });
});
afterAll(() => proxy?.close());

const REQUEST_ID = /^req_[A-Za-z0-9]{24}$/;

/** The log line written for the request that got this id. */
function lineOf(requestId: string | null | undefined) {
  return eventually(() => proxy.logs.find((line) => line.request_id === requestId), 3000, `the line of ${requestId}`);
}

async function call(path: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(`${proxy.url()}${path}`, init);
  await response.arrayBuffer();
  return response;
}

const withKey = (extra: Record<string, string> = {}) => ({
  authorization: `Bearer ${TEST_KEYS[0]}`,
  "content-type": "application/json",
  ...extra,
});

describe("x-request-id", () => {
  it("the SDK surfaces it as _request_id, and it is the id of the request's log line", async () => {
    const completion = await proxy.client().chat.completions.create({ model: "llama", messages: USER_HELLO });
    expect(completion._request_id).toMatch(REQUEST_ID);
    expect(await lineOf(completion._request_id)).toMatchObject({ model: "llama", status: 200 });
  });

  it("on a stream too, and on an error (the SDK's requestID)", async () => {
    const { data: stream, request_id } = await proxy
      .client()
      .chat.completions.create({ model: "qwen2", messages: USER_HELLO, stream: true })
      .withResponse();
    for await (const _chunk of stream);
    expect(request_id).toMatch(REQUEST_ID);
    expect(await lineOf(request_id)).toMatchObject({ model: "qwen2", stream: true, status: 200 });

    const error = await errorOf(
      () => proxy.client().chat.completions.create({ model: "no-such-model", messages: USER_HELLO }),
      OpenAI.NotFoundError,
    );
    const requestId = error.requestID;
    expect(requestId).toMatch(REQUEST_ID);
    expect(await lineOf(requestId)).toMatchObject({ status: 404, error_code: "model_not_found" });
  });

  it("on every other answer: 401, 404, 405, /health, a preflight, a HEAD", async () => {
    const answers = [
      await call("/v1/chat/completions", { method: "POST", body: "{}" }),
      await call("/nowhere"),
      await call("/v1/chat/completions"),
      await call("/health"),
      await call("/health", { method: "HEAD" }),
      await call("/v1/chat/completions", {
        method: "OPTIONS",
        headers: { origin: "https://app.example.com", "access-control-request-method": "POST" },
      }),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([401, 404, 405, 200, 200, 204]);
    const ids = answers.map((answer) => answer.headers.get("x-request-id"));
    for (const id of ids) expect(id).toMatch(REQUEST_ID);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect((await lineOf(id)).request_id).toBe(id);
  });

  it("is the proxy's own: a client's id is kept in the log line, never answered as ours", async () => {
    const response = await call("/health", { headers: { "x-request-id": "gateway-trace-42" } });
    const id = response.headers.get("x-request-id");
    expect(id).toMatch(REQUEST_ID);
    expect(await lineOf(id)).toMatchObject({ client_request_id: "gateway-trace-42" });
    const odd = await call("/health", { headers: { "x-client-request-id": "no spaces <allowed>" } });
    expect((await lineOf(odd.headers.get("x-request-id"))).client_request_id).toBeUndefined();
  });

  it("a browser may read it, Retry-After and x-should-retry: CORS exposes them", async () => {
    const answer = await call("/v1/chat/completions", {
      method: "POST",
      headers: withKey({ origin: "https://app.example.com" }),
      body: JSON.stringify({ model: "llama", messages: USER_HELLO }),
    });
    expect(answer.status).toBe(200);
    const exposed = (answer.headers.get("access-control-expose-headers") ?? "").toLowerCase().split(/\s*,\s*/);
    expect(exposed).toEqual(expect.arrayContaining(["x-request-id", "retry-after", "x-should-retry"]));
  });
});

describe("CORS while the configuration is broken", () => {
  it("stays on: a browser reads the 500 that says what to fix, not a bare network error", async () => {
    const origin = "https://app.example.com";
    const preflight = await fetch(`${proxy.url("broken")}/v1/chat/completions`, {
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(origin);
    const answer = await fetch(`${proxy.url("broken")}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_KEYS[0]}`, "content-type": "application/json", origin },
      body: JSON.stringify({ model: "llama", messages: USER_HELLO }),
    });
    expect(answer.status).toBe(500);
    expect(answer.headers.get("access-control-allow-origin")).toBe(origin);
    expect(((await answer.json()) as { error: { code: string } }).error.code).toBe("proxy_misconfigured");
  });
});

describe("Retry-After", () => {
  it("on a 429: throttled beyond the proxy's retries (the SDK would wait that long)", async () => {
    const answer = await call("/v1/chat/completions", {
      method: "POST",
      headers: withKey(),
      body: JSON.stringify({ model: "throttled-always", messages: USER_HELLO }),
    });
    expect(answer.status).toBe(429);
    expect(answer.headers.get("retry-after")).toBe("5");
  });

  it("on a 503 from upstream, and on /health when the proxy cannot serve", async () => {
    const unavailable = await call("/v1/chat/completions", {
      method: "POST",
      headers: withKey(),
      body: JSON.stringify({ model: "unavailable", messages: USER_HELLO }),
    });
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get("retry-after")).toBe("5");
    const health = await fetch(`${proxy.url("nokeys")}/health`);
    expect(health.status).toBe(503);
    expect(health.headers.get("retry-after")).toMatch(/^\d+$/);
  });

  it("not on other answers", async () => {
    for (const answer of [await call("/health"), await call("/nowhere")]) {
      expect(answer.headers.get("retry-after")).toBeNull();
    }
  });
});
