// Errors as the official SDK sees them: each status becomes the SDK's own error class, with
// the OpenAI error body (message, type, param, code) intact.
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { errorOf } from "../helpers/errors.ts";
import {
  eventually,
  modelString,
  rawSse,
  sseEvents,
  startWorkerdProxy,
  TEST_KEYS,
  TEST_MODELS,
  USER_HELLO,
  type WorkerdProxy,
} from "./harness.ts";

let proxy: WorkerdProxy;
let client: OpenAI;

beforeAll(async () => {
  proxy = await startWorkerdProxy({
    main: {},
    nokeys: { PROXY_API_KEYS: undefined },
    badmodels: {
      MODELS: JSON.stringify({
        good: "bedrock/llama/arn:aws:bedrock:us-east-1:123456789012:imported-model/llama",
        bad: "bedrock/gpt/x",
      }),
    },
    badjson: { MODELS: "{ not json", BEDROCK_MAX_RETRIES: "lots" },
    cors: { CORS_ORIGINS: "https://app.example.com" },
    endpointquery: { BEDROCK_ENDPOINT: "http://127.0.0.1:9/?region=us-east-1" },
    endpointuser: { BEDROCK_ENDPOINT: "https://operator:hunter2@bedrock.example.com" },
    badtemplate: {
      MODELS: JSON.stringify({
        llama: TEST_MODELS.llama,
        broken: { model: modelString("llama"), chat_template: "{% for %}" },
      }),
    },
    otherregion: { AWS_REGION: "eu-west-1", MODELS: JSON.stringify({ llama: TEST_MODELS.llama }) },
    // AWS's model exceptions, answered by the emulator (awsfidelity46 #1, #2, #5).
    modelfaults: {
      MODELS: JSON.stringify({
        quota: modelString("llama", "quota"),
        timeout: modelString("llama", "modeltimeout"),
        failing: modelString("llama", "modelerror"),
        "too-long": modelString("llama", "streamerror", "ctx"),
      }),
    },
  });
  client = proxy.client();
});
afterAll(() => proxy?.close());
beforeEach(() => proxy.served.emulator.stats.reset());

describe("400: bad requests name the field", () => {
  it("a bad field is a BadRequestError with param", async () => {
    const error = await errorOf(() =>
      client.chat.completions.create({ model: "llama", messages: USER_HELLO, temperature: "hot" as unknown as number }),
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const bad = error as InstanceType<typeof OpenAI.BadRequestError>;
    expect(bad.status).toBe(400);
    expect(bad.param).toBe("temperature");
    expect(bad.message).toMatch(/temperature/);
    expect(bad.type).toBe("invalid_request_error");
  });

  it("a bad message names its path", async () => {
    const error = await errorOf(() =>
      client.chat.completions.create({ model: "llama", messages: [{ role: "robot", content: "hi" } as never] }),
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toMatch(/^messages\[0\]/);
  });

  it("a body that is not JSON is a 400 invalid_json", async () => {
    const response = await fetch(`${proxy.url()}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_KEYS[0]}`, "content-type": "application/json" },
      body: '{"model": "llama", "messages": [',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("invalid_json");
  });

  it("…whose 400 and log line say where it broke, never a word of it (LOG_PROMPTS off)", async () => {
    const secret = "my password is hunter2";
    const response = await fetch(`${proxy.url()}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_KEYS[0]}`, "content-type": "application/json" },
      body: `{"model":"llama","messages":[{"role":"user","content":"${secret}", "x": True}]}`,
    });
    const message = "The request body is not valid JSON: it breaks at line 1, column 86 (offset 85).";
    expect(await response.json()).toMatchObject({ error: { code: "invalid_json", message } });
    const id = response.headers.get("x-request-id");
    const line = await eventually(() => proxy.logs.find((logged) => logged.request_id === id), 2000, "its log line");
    expect(line).toMatchObject({ status: 400, error: message, error_code: "invalid_json" });
    expect(JSON.stringify(line)).not.toMatch(/hunter2|True/);
    expect(proxy.output.join("\n")).not.toContain("hunter2");
  });

  it("a prompt where a message or a part belongs: a 400 naming the field, and no word of it in the log line", async () => {
    const prompt = "my password is hunter2";
    const cases = [
      ["/v1/chat/completions", { model: "llama", messages: prompt }, "messages"],
      ["/v1/chat/completions", { model: "llama", messages: [prompt] }, "messages[0]"],
      [
        "/v1/chat/completions",
        { model: "llama", messages: [{ role: "user", content: [prompt] }] },
        "messages[0].content[0]",
      ],
      ["/v1/responses", { model: "llama", input: [prompt] }, "input[0]"],
    ] as const;
    for (const [path, body, param] of cases) {
      const response = await fetch(`${proxy.url()}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${TEST_KEYS[0]}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      const { error } = (await response.json()) as { error: { message: string; param: string } };
      expect(response.status).toBe(400);
      expect(error.param).toBe(param);
      expect(error.message).toMatch(/\(got a string\)\.$/);
      const id = response.headers.get("x-request-id");
      const line = await eventually(() => proxy.logs.find((logged) => logged.request_id === id), 2000, "its log line");
      expect(line.error).toBe(error.message);
    }
    expect(proxy.output.join("\n")).not.toContain("hunter2");
  });

  it('stream must be a boolean: "yes" is a 400 naming it, not a JSON answer', async () => {
    const { status, text } = await rawSse(proxy.url(), { model: "llama", messages: USER_HELLO, stream: "yes" });
    expect(status).toBe(400);
    expect(JSON.parse(text)).toMatchObject({ error: { type: "invalid_request_error", param: "stream" } });
    expect(proxy.served.emulator.stats.requests).toHaveLength(0);
  });

  it("stream_options must be an object, through the SDK too", async () => {
    const { status, text } = await rawSse(proxy.url(), {
      model: "llama",
      messages: USER_HELLO,
      stream: true,
      stream_options: "x",
    });
    expect(status).toBe(400);
    expect(JSON.parse(text)).toMatchObject({ error: { param: "stream_options" } });
    const error = await errorOf(() =>
      client.chat.completions.create({
        model: "llama",
        messages: USER_HELLO,
        stream: true,
        stream_options: "x" as never,
      }),
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("stream_options");
    expect(proxy.served.emulator.stats.requests).toHaveLength(0);
  });

  it("stream_options without stream is a 400 naming it, on chat and legacy completions, as OpenAI's", async () => {
    for (const call of [
      () =>
        client.chat.completions.create({
          model: "llama",
          messages: USER_HELLO,
          stream_options: { include_usage: true },
        }),
      () =>
        client.completions.create({
          model: "llama",
          prompt: "Once upon",
          stream: false,
          stream_options: { include_usage: true },
        }),
    ]) {
      const error = await errorOf(call);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("stream_options");
    }
    expect(proxy.served.emulator.stats.requests).toHaveLength(0);
  });

  it("images on a completion route are refused, not dropped", async () => {
    const error = await errorOf(() =>
      client.chat.completions.create({
        model: "llama",
        messages: [
          { role: "user", content: [{ type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } }] },
        ],
      }),
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
  });
});

describe("401: authentication", () => {
  it("no key is an AuthenticationError", async () => {
    const response = await fetch(`${proxy.url()}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "llama", messages: USER_HELLO }),
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { type: "authentication_error", code: "missing_api_key" } });
  });

  it("a wrong key is an AuthenticationError, on chat and on /v1/models", async () => {
    const wrong = proxy.client("main", { apiKey: "sk-test-on" });
    const error = await errorOf(() => wrong.chat.completions.create({ model: "llama", messages: USER_HELLO }));
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe("invalid_api_key");
    await expect(wrong.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    expect(proxy.served.emulator.stats.requests).toHaveLength(0);
  });

  it("every configured key works", async () => {
    for (const apiKey of TEST_KEYS) {
      const completion = await proxy
        .client("main", { apiKey })
        .chat.completions.create({ model: "llama", messages: USER_HELLO });
      expect(completion.choices[0]!.message.content).toContain("emulator");
    }
  });

  it("no keys configured refuses every call and says how to configure", async () => {
    const error = await errorOf(() =>
      proxy.client("nokeys").chat.completions.create({ model: "llama", messages: USER_HELLO }),
    );
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    const refused = error as InstanceType<typeof OpenAI.AuthenticationError>;
    expect(refused.code).toBe("proxy_keys_not_configured");
    expect(refused.message).toMatch(/PROXY_API_KEYS/);
    expect(refused.message).toMatch(/wrangler secret put PROXY_API_KEYS/);
    const health = await fetch(`${proxy.url("nokeys")}/health`);
    expect(health.status).toBe(503);
    expect(JSON.stringify(await health.json())).toMatch(/PROXY_API_KEYS is not set/);
    expect(proxy.served.emulator.stats.requests).toHaveLength(0);
  });
});

describe("404, 413, 429, 5xx", () => {
  it("an unknown model is a NotFoundError naming it", async () => {
    const error = await errorOf(() => client.chat.completions.create({ model: "gpt-4o", messages: USER_HELLO }));
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    const missing = error as InstanceType<typeof OpenAI.NotFoundError>;
    expect(missing.message).toMatch(/gpt-4o/);
    expect(missing.param).toBe("model");
    expect(missing.code).toBe("model_not_found");
  });

  it("a raw model string is not callable: only MODELS names are", async () => {
    const error = await errorOf(() =>
      client.chat.completions.create({
        model: "bedrock/llama/arn:aws:bedrock:us-east-1:123456789012:imported-model/llama",
        messages: USER_HELLO,
      }),
    );
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("a body over MAX_BODY_BYTES is a 413, declared or streamed", async () => {
    const big = "x".repeat(70_000);
    const error = await errorOf(() =>
      client.chat.completions.create({ model: "llama", messages: [{ role: "user", content: big }] }),
    );
    expect(error).toBeInstanceOf(OpenAI.APIError);
    const tooLarge = error as InstanceType<typeof OpenAI.APIError>;
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.code).toBe("request_too_large");
    expect(tooLarge.message).toMatch(/MAX_BODY_BYTES/);

    // Without content-length (chunked), the limit still holds while reading.
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode(big.slice(0, 10_000)));
        controller.close();
      },
    });
    const response = await fetch(`${proxy.url()}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_KEYS[0]}`, "content-type": "application/json" },
      body: chunked,
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
  });

  it("throttled beyond the retry budget is a RateLimitError (after 1 + BEDROCK_MAX_RETRIES calls)", async () => {
    const error = await errorOf(() =>
      client.chat.completions.create({ model: "throttled-always", messages: USER_HELLO }),
    );
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).code).toBe("rate_limit_exceeded");
    expect(proxy.served.emulator.stats.requests).toHaveLength(3);

    const streamed = await errorOf(() =>
      client.chat.completions.create({ model: "throttled-always", messages: USER_HELLO, stream: true }),
    );
    expect(streamed).toBeInstanceOf(OpenAI.RateLimitError);
  });

  it("an upstream 500 that persists is an InternalServerError, plain and streamed", async () => {
    const error = await errorOf(() => client.chat.completions.create({ model: "err500-always", messages: USER_HELLO }));
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as InstanceType<typeof OpenAI.InternalServerError>).status).toBe(500);
    const streamed = await errorOf(() =>
      client.chat.completions.create({ model: "err500-always", messages: USER_HELLO, stream: true }),
    );
    expect(streamed).toBeInstanceOf(OpenAI.InternalServerError);
  });
});

describe("AWS's model exceptions through the proxy (awsfidelity46)", () => {
  it("a Bedrock quota used up: one call to Bedrock, a 429 quota_exceeded with x-should-retry: false, which the openai SDK obeys", async () => {
    const response = await fetch(`${proxy.url("modelfaults")}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_KEYS[0]}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "quota", messages: USER_HELLO }),
    });
    expect(response.status).toBe(429);
    expect(response.headers.get("x-should-retry")).toBe("false");
    expect(await response.json()).toMatchObject({ error: { type: "rate_limit_error", code: "quota_exceeded" } });
    expect(proxy.served.emulator.stats.requests).toHaveLength(1);
    // The SDK's own 2 retries are not made either.
    proxy.served.emulator.stats.reset();
    const client = proxy.client("modelfaults", { maxRetries: 2 });
    const error = await errorOf(() => client.chat.completions.create({ model: "quota", messages: USER_HELLO }));
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(proxy.served.emulator.stats.requests).toHaveLength(1);
  });

  it("the model's timeout (408) and failure (424): one call each, the model's status in the message", async () => {
    const client = proxy.client("modelfaults");
    const timeout = await errorOf(() => client.chat.completions.create({ model: "timeout", messages: USER_HELLO }));
    expect(timeout).toMatchObject({ status: 408, code: "model_timeout" });
    const failing = await errorOf(() => client.chat.completions.create({ model: "failing", messages: USER_HELLO }));
    expect(failing).toMatchObject({ status: 424, code: "model_error" });
    // The resource's ARN is masked for clients, as every ARN is.
    expect((failing as Error).message).toContain("The model answered 500. Resource: arn:…");
    expect(proxy.served.emulator.stats.requests).toHaveLength(2);
  });

  it("a model's context-length refusal inside a ModelStreamErrorException is a 400 context_length_exceeded quoting it", async () => {
    const client = proxy.client("modelfaults");
    const error = await errorOf(() =>
      client.chat.completions.create({ model: "too-long", messages: USER_HELLO, stream: true }),
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, code: "context_length_exceeded" });
    expect((error as Error).message).toContain("The model answered 400: This model's maximum context length is 8192");
  });
});

describe("405: a known path asked with another method", () => {
  it.each([
    ["GET", "/v1/chat/completions", "POST"],
    ["GET", "/chat/completions", "POST"],
    ["POST", "/v1/models", "GET, HEAD"],
    ["DELETE", "/v1/models/llama", "GET, HEAD"],
    ["PUT", "/health", "GET, HEAD"],
  ])("%s %s: 405, Allow: %s, an OpenAI error body; no key needed to learn it", async (method, path, allow) => {
    const response = await fetch(`${proxy.url()}${path}`, { method });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe(allow);
    expect(await response.json()).toMatchObject({
      error: { type: "invalid_request_error", code: "method_not_allowed", param: null },
    });
  });

  it("with CORS_ORIGINS set, Allow names OPTIONS too: the path answers it (httpsem20 #5)", async () => {
    for (const [method, path, allow] of [
      ["PUT", "/v1/models", "GET, HEAD, OPTIONS"],
      ["GET", "/v1/chat/completions", "POST, OPTIONS"],
    ]) {
      const options = await fetch(`${proxy.url("cors")}${path}`, { method: "OPTIONS" });
      expect(options.status).toBe(204);
      const refused = await fetch(`${proxy.url("cors")}${path}`, { method });
      expect(refused.status).toBe(405);
      expect(refused.headers.get("allow")).toBe(allow);
      await refused.text();
    }
  });

  it("an unknown path is still a 404, whatever the method", async () => {
    for (const method of ["GET", "POST"]) {
      const response = await fetch(`${proxy.url()}/v1/nowhere`, { method });
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: "unknown_url" } });
    }
  });
});

describe("an exception mid-stream", () => {
  it("the SDK raises after the partial text arrived", async () => {
    const stream = await client.chat.completions.create({
      model: "midstream-error",
      messages: USER_HELLO,
      stream: true,
    });
    let text = "";
    const error = await errorOf(async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    });
    expect(text.length).toBeGreaterThan(0);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toMatch(/emulator|stream|model/i);
  });

  it("on the wire: chunks, then one error event, and no [DONE]", async () => {
    const { status, text } = await rawSse(proxy.url(), {
      model: "midstream-error",
      messages: USER_HELLO,
      stream: true,
    });
    expect(status).toBe(200);
    const events = sseEvents(text);
    const last = events[events.length - 1] as { error: { code: string; type: string } };
    expect(last.error.code).toBe("model_stream_error");
    expect(events).not.toContain("[DONE]");
    expect(events.length).toBeGreaterThan(2);
  });
});

/** GET /health as an operator asks it: with a proxy key, which lists the problems themselves. */
function healthWithKey(variant: string): Promise<Response> {
  return fetch(`${proxy.url(variant)}/health`, { headers: { authorization: `Bearer ${TEST_KEYS[0]}` } });
}

describe("configuration problems", () => {
  it("a bad MODELS entry: /health is 503 naming it, chat is a 500 with a message", async () => {
    const health = await healthWithKey("badmodels");
    expect(health.status).toBe(503);
    const body = (await health.json()) as { status: string; problems: string[] };
    expect(body.status).toBe("misconfigured");
    expect(body.problems).toHaveLength(1);
    expect(body.problems[0]).toMatch(/MODELS\["bad"\]/);
    expect(body.problems[0]).toMatch(/route one of/);

    const error = await errorOf(() =>
      proxy.client("badmodels").chat.completions.create({ model: "good", messages: USER_HELLO }),
    );
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    const failed = error as InstanceType<typeof OpenAI.InternalServerError>;
    expect(failed.code).toBe("proxy_misconfigured");
    expect(failed.message).toMatch(/MODELS\["bad"\]/);
  });

  it("MODELS that is not JSON and a bad number: every problem listed", async () => {
    const health = await healthWithKey("badjson");
    expect(health.status).toBe(503);
    const { problems } = (await health.json()) as { problems: string[] };
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^MODELS is not valid JSON/);
    expect(problems[1]).toMatch(/^BEDROCK_MAX_RETRIES must be an integer/);
  });

  it.each([
    ["endpointquery", /query/],
    ["endpointuser", /credentials/],
  ])(
    "a BEDROCK_ENDPOINT the client would refuse (%s): /health 503 naming it, chat 500, no secret shown",
    async (variant, why) => {
      const health = await healthWithKey(variant);
      expect(health.status).toBe(503);
      const { problems } = (await health.json()) as { problems: string[] };
      expect(problems).toEqual([expect.stringMatching(/^BEDROCK_ENDPOINT: /)]);
      expect(problems[0]).toMatch(why);
      expect(problems[0]).not.toContain("hunter2");
      const error = await errorOf(() =>
        proxy.client(variant).chat.completions.create({ model: "llama", messages: USER_HELLO }),
      );
      expect(error).toBeInstanceOf(OpenAI.InternalServerError);
      expect((error as InstanceType<typeof OpenAI.InternalServerError>).code).toBe("proxy_misconfigured");
    },
  );

  it("a chat_template that does not compile: /health 503 naming the model; that model 500s, the others answer", async () => {
    const health = await healthWithKey("badtemplate");
    expect(health.status).toBe(503);
    const { problems } = (await health.json()) as { problems: string[] };
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^MODELS\["broken"\]\.chat_template/);

    const broken = await errorOf(() =>
      proxy.client("badtemplate").chat.completions.create({ model: "broken", messages: USER_HELLO }),
    );
    expect(broken).toBeInstanceOf(OpenAI.InternalServerError);
    expect((broken as InstanceType<typeof OpenAI.InternalServerError>).code).toBe("invalid_model_config");
    const fine = await proxy.client("badtemplate").chat.completions.create({ model: "llama", messages: USER_HELLO });
    expect(fine.choices[0]!.message.content).toContain("emulator");
  });

  it("AWS_REGION that contradicts a model's ARN: /health 503 naming the model, before any call", async () => {
    const health = await healthWithKey("otherregion");
    expect(health.status).toBe(503);
    const { problems } = (await health.json()) as { problems: string[] };
    expect(problems).toEqual([expect.stringMatching(/^MODELS\["llama"\]: .*us-east-1.*AWS_REGION is eu-west-1/)]);
    expect(proxy.served.emulator.stats.requests).toHaveLength(0);
  });
});

describe("CORS", () => {
  it("is off by default: no CORS headers, preflight is not answered", async () => {
    const preflight = await fetch(`${proxy.url()}/v1/chat/completions`, {
      method: "OPTIONS",
      headers: { origin: "https://app.example.com", "access-control-request-method": "POST" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    const health = await fetch(`${proxy.url()}/health`, { headers: { origin: "https://app.example.com" } });
    expect(health.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("CORS_ORIGINS allows the named origins only, preflight included", async () => {
    const preflight = await fetch(`${proxy.url("cors")}/v1/chat/completions`, {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example.com",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(preflight.headers.get("access-control-allow-headers")).toMatch(/authorization/);

    const other = await fetch(`${proxy.url("cors")}/health`, { headers: { origin: "https://evil.example.com" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();

    const completion = await fetch(`${proxy.url("cors")}/v1/chat/completions`, {
      method: "POST",
      headers: {
        origin: "https://app.example.com",
        authorization: `Bearer ${TEST_KEYS[0]}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ model: "llama", messages: USER_HELLO }),
    });
    expect(completion.status).toBe(200);
    expect(completion.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
  });
});

// Every header the official SDK sends from a browser (internal/detect-platform.ts and client.ts
// of the openai package): a preflight that refused any of them would block the call.
const SDK_HEADERS = [
  "authorization",
  "content-type",
  "x-stainless-lang",
  "x-stainless-package-version",
  "x-stainless-os",
  "x-stainless-arch",
  "x-stainless-runtime",
  "x-stainless-runtime-version",
  "x-stainless-retry-count",
  "x-stainless-timeout",
  "x-stainless-helper-method",
];

describe("CORS for the openai SDK in a browser", () => {
  it("a preflight asking for the SDK's x-stainless-* headers allows every one of them", async () => {
    const preflight = await fetch(`${proxy.url("cors")}/v1/chat/completions`, {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example.com",
        "access-control-request-method": "POST",
        "access-control-request-headers": SDK_HEADERS.join(","),
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    const allowed = (preflight.headers.get("access-control-allow-headers") ?? "").toLowerCase().split(/\s*,\s*/);
    for (const header of SDK_HEADERS) expect(allowed, header).toContain(header);
    expect(preflight.headers.get("vary")).toMatch(/access-control-request-headers/i);
  });

  it("a preflight from another origin is still not allowed", async () => {
    const preflight = await fetch(`${proxy.url("cors")}/v1/chat/completions`, {
      method: "OPTIONS",
      headers: {
        origin: "https://evil.example.com",
        "access-control-request-method": "POST",
        "access-control-request-headers": "x-stainless-os",
      },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
  });
});
