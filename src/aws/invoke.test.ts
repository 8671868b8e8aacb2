import { describe, expect, it } from "vitest";
import { BedrockEdgeError } from "../errors.ts";
import { createTransport, invokeJson, invokeStream, readableFrom, type TransportOptions } from "./invoke.ts";
import { backoffDelay, parseRetryAfter } from "./retry.ts";

const MODEL = "arn:aws:bedrock:us-east-1:123456789012:imported-model/abc123def456";
const CREDENTIALS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };

type Answer = Response | Error | (() => Response | Promise<Response>);

/** A fetch that answers from a script and records what it was sent. */
function scripted(answers: Answer[]) {
  const calls: Request[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    calls.push(request);
    const next = answers.shift();
    if (!next) throw new Error("no more scripted answers");
    if (next instanceof Error) throw next;
    return typeof next === "function" ? next() : next;
  };
  return { fetch: fetch as typeof globalThis.fetch, calls };
}

function bedrockError(status: number, name: string, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ message }), {
    status,
    headers: {
      "content-type": "application/json",
      "x-amzn-errortype": `${name}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
      ...headers,
    },
  });
}

const ok = () =>
  new Response(JSON.stringify({ generation: "hi" }), { headers: { "content-type": "application/json" } });

function transport(fetch: typeof globalThis.fetch, options: TransportOptions = {}) {
  return createTransport({ credentials: CREDENTIALS, fetch, retryBaseDelayMs: 1, retryMaxDelayMs: 5, ...options });
}

const call = { modelId: MODEL, body: '{"prompt":"x"}', stream: false };

async function failure(promise: Promise<unknown>): Promise<BedrockEdgeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BedrockEdgeError);
  return error as BedrockEdgeError;
}

describe("requests", () => {
  it("go to the regional host with the encoded ARN, signed for service bedrock", async () => {
    const { fetch, calls } = scripted([ok()]);
    const { json } = await invokeJson(transport(fetch), call);
    expect(json).toEqual({ generation: "hi" });
    const request = calls[0]!;
    expect(request.url).toBe(
      "https://bedrock-runtime.us-east-1.amazonaws.com/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aimported-model%2Fabc123def456/invoke",
    );
    expect(request.headers.get("authorization")).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/bedrock\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/,
    );
    expect(request.headers.get("accept")).toBe("application/json");
    expect(await request.text()).toBe('{"prompt":"x"}');
  });

  it("use a Bedrock API key as a bearer token, with no SigV4", async () => {
    const { fetch, calls } = scripted([ok()]);
    await invokeJson(createTransport({ apiKey: "bedrock-api-key-123", fetch }), call);
    expect(calls[0]!.headers.get("authorization")).toBe("Bearer bedrock-api-key-123");
    expect(calls[0]!.headers.has("x-amz-date")).toBe(false);
  });

  it("call a credentials provider for every request (rotation)", async () => {
    let n = 0;
    const { fetch, calls } = scripted([ok(), ok()]);
    const t = createTransport({ fetch, credentials: async () => ({ ...CREDENTIALS, accessKeyId: `AKID${++n}` }) });
    await invokeJson(t, call);
    await invokeJson(t, call);
    expect(calls.map((c) => c.headers.get("authorization")!.split("/")[0])).toEqual([
      "AWS4-HMAC-SHA256 Credential=AKID1",
      "AWS4-HMAC-SHA256 Credential=AKID2",
    ]);
  });

  it("honour the endpoint override and a per-call region", async () => {
    const { fetch, calls } = scripted([ok()]);
    await invokeJson(transport(fetch, { endpoint: "http://127.0.0.1:4010/" }), {
      ...call,
      modelId: "my-model",
      region: "eu-west-1",
    });
    expect(calls[0]!.url.startsWith("http://127.0.0.1:4010/model/")).toBe(true);
    expect(calls[0]!.headers.get("authorization")).toContain("/eu-west-1/bedrock/");
  });

  it("say clearly when there are no credentials", async () => {
    const error = await failure(invokeJson(createTransport({ fetch: scripted([]).fetch }), call));
    expect(error.message).toMatch(/No AWS credentials/);
  });

  it("refuse a bad region before sending anything", async () => {
    const { fetch, calls } = scripted([]);
    const error = await failure(invokeJson(transport(fetch, { region: "us-east-1.evil.example" }), call));
    expect(error.status).toBe(400);
    expect(calls).toHaveLength(0);
  });
});

describe("errors", () => {
  it("keep Bedrock's exception name and status, without secrets", async () => {
    const { fetch } = scripted([
      bedrockError(403, "AccessDeniedException", `denied for ${CREDENTIALS.secretAccessKey}`),
    ]);
    const error = await failure(invokeJson(transport(fetch), call));
    expect(error.status).toBe(403);
    expect(error.bedrockError).toBe("AccessDeniedException");
    expect(error.message).not.toContain(CREDENTIALS.secretAccessKey);
  });

  it("are not retried when final (400)", async () => {
    const { fetch, calls } = scripted([bedrockError(400, "ValidationException", "bad")]);
    expect((await failure(invokeJson(transport(fetch), call))).status).toBe(400);
    expect(calls).toHaveLength(1);
  });

  it("refuse a stream answer that is not an event stream", async () => {
    const { fetch } = scripted([ok()]);
    const error = await failure(invokeStream(transport(fetch), { ...call, stream: true }));
    expect(error.status).toBe(502);
    expect(error.message).toMatch(/not an event stream/);
  });
});

describe("retries", () => {
  it("retry throttling and 5xx, then succeed", async () => {
    const { fetch, calls } = scripted([
      bedrockError(429, "ThrottlingException", "slow down"),
      bedrockError(503, "ServiceUnavailableException", "x"),
      ok(),
    ]);
    const retries: number[] = [];
    await invokeJson(transport(fetch), { ...call, onRetry: (e) => retries.push(e.error.status) });
    expect(calls).toHaveLength(3);
    expect(retries).toEqual([429, 503]);
  });

  it("give up after maxRetries with the last error", async () => {
    const { fetch, calls } = scripted(
      Array.from({ length: 5 }, () => bedrockError(429, "ThrottlingException", "slow down")),
    );
    const error = await failure(invokeJson(transport(fetch, { maxRetries: 2 }), call));
    expect(error.status).toBe(429);
    expect(calls).toHaveLength(3);
  });

  it("retry network errors, reported as 502 when they persist", async () => {
    const { fetch, calls } = scripted([
      new TypeError("fetch failed"),
      new TypeError("fetch failed"),
      new TypeError("fetch failed"),
    ]);
    const error = await failure(invokeJson(transport(fetch), call));
    expect(calls).toHaveLength(3);
    expect(error.status).toBe(502);
    expect(error.code).toBe("upstream_unreachable");
  });

  it("wait for a model that is waking up, beyond maxRetries", async () => {
    const notReady = () => bedrockError(429, "ModelNotReadyException", "Model is not ready for inference.");
    const { fetch, calls } = scripted([notReady(), notReady(), notReady(), notReady(), ok()]);
    await invokeJson(transport(fetch, { maxRetries: 0, modelReadyTimeoutMs: 10_000 }), call);
    expect(calls).toHaveLength(5);
  });

  it("stop waiting for the model after modelReadyTimeoutMs", async () => {
    const notReady = () => bedrockError(429, "ModelNotReadyException", "Model is not ready for inference.");
    const { fetch } = scripted(Array.from({ length: 100 }, notReady));
    const error = await failure(invokeJson(transport(fetch, { modelReadyTimeoutMs: 30, retryBaseDelayMs: 10 }), call));
    expect(error.status).toBe(429);
    expect(error.code).toBe("model_not_ready");
    expect(error.message).toMatch(/still not ready/);
  });

  it("stop at once when the caller aborts during a backoff", async () => {
    const { fetch, calls } = scripted([bedrockError(429, "ThrottlingException", "x"), ok()]);
    const controller = new AbortController();
    const reason = new DOMException("stop", "AbortError");
    const promise = invokeJson(transport(fetch, { retryBaseDelayMs: 10_000, retryMaxDelayMs: 10_000 }), {
      ...call,
      signal: controller.signal,
      onRetry: () => setTimeout(() => controller.abort(reason), 5),
    });
    await expect(promise).rejects.toBe(reason);
    expect(calls).toHaveLength(1);
  });

  it("backoff is full-jitter exponential, and retry-after wins", () => {
    const policy = { maxRetries: 2, modelReadyTimeoutMs: 0, baseDelayMs: 100, maxDelayMs: 1000, random: () => 1 };
    expect([0, 1, 2, 3, 4].map((n) => backoffDelay(policy, n, "retryable"))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffDelay({ ...policy, random: () => 0 }, 3, "retryable")).toBe(0);
    expect(backoffDelay({ ...policy, random: () => 0 }, 0, "retryable", 700)).toBe(700);
    expect(parseRetryAfter(new Headers({ "retry-after": "2" }))).toBe(2000);
    expect(parseRetryAfter(new Headers({ "retry-after-ms": "150" }))).toBe(150);
    expect(parseRetryAfter(new Headers({ "retry-after": new Date(10_000).toUTCString() }), 7_000)).toBe(3000);
  });
});

describe("timeouts", () => {
  it("a silent upstream ends in a clean 504", async () => {
    const hang = (_: RequestInfo | URL, init?: RequestInit) =>
      new Promise<Response>((_, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal!.reason)));
    const error = await failure(invokeJson(transport(hang as typeof fetch, { timeoutMs: 30 }), call));
    expect(error.status).toBe(504);
    expect(error.code).toBe("upstream_timeout");
  });

  it("a stream that goes quiet between frames ends in a 504", async () => {
    let signal: AbortSignal | undefined;
    const quiet = async (_: RequestInfo | URL, init?: RequestInit) => {
      signal = init?.signal ?? undefined;
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new Uint8Array([1, 2, 3]));
          signal?.addEventListener("abort", () => controller.error(signal!.reason));
        },
      });
      return new Response(body, { headers: { "content-type": "application/vnd.amazon.eventstream" } });
    };
    const { reader } = await invokeStream(transport(quiet as typeof fetch, { idleTimeoutMs: 30 }), {
      ...call,
      stream: true,
    });
    expect((await reader.read()).value).toEqual(new Uint8Array([1, 2, 3]));
    const error = await failure(reader.read());
    expect(error.status).toBe(504);
    expect(error.message).toMatch(/went silent/);
    expect(signal?.aborted).toBe(true);
  });

  it("cancelling the stream aborts the upstream request", async () => {
    let signal: AbortSignal | undefined;
    const endless = async (_: RequestInfo | URL, init?: RequestInit) => {
      signal = init?.signal ?? undefined;
      return new Response(new ReadableStream({ pull: (c) => c.enqueue(new Uint8Array(1)) }), {
        headers: { "content-type": "application/vnd.amazon.eventstream" },
      });
    };
    const { reader } = await invokeStream(transport(endless as typeof fetch), { ...call, stream: true });
    await reader.cancel("bye");
    expect(signal?.aborted).toBe(true);
  });

  it("a read that waits exactly past the idle timeout fails, several short waits do not", async () => {
    let pushes = 0;
    const paced = async (_: RequestInfo | URL, init?: RequestInit) => {
      const signal = init?.signal;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          // Three frames 20 ms apart (under the 50 ms idle limit), then silence.
          if (pushes < 3) {
            await new Promise((resolve) => setTimeout(resolve, 20));
            controller.enqueue(new Uint8Array([pushes++]));
          } else {
            await new Promise((_, reject) => signal?.addEventListener("abort", () => reject(signal.reason)));
          }
        },
      });
      return new Response(body, { headers: { "content-type": "application/vnd.amazon.eventstream" } });
    };
    const { reader } = await invokeStream(transport(paced as typeof fetch, { idleTimeoutMs: 50 }), {
      ...call,
      stream: true,
    });
    for (let i = 0; i < 3; i++) expect((await reader.read()).value).toEqual(new Uint8Array([i]));
    const started = Date.now();
    expect((await failure(reader.read())).status).toBe(504);
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
  });

  it("readableFrom turns the reader back into a stream", async () => {
    const bytes = () =>
      new Response(new Uint8Array([7, 8]), { headers: { "content-type": "application/vnd.amazon.eventstream" } });
    const { reader } = await invokeStream(transport(scripted([bytes()]).fetch), { ...call, stream: true });
    expect(new Uint8Array(await new Response(readableFrom(reader)).arrayBuffer())).toEqual(new Uint8Array([7, 8]));
  });
});

describe("a signal already aborted", () => {
  it("sends nothing, before the first attempt or while credentials are fetched", async () => {
    const { fetch, calls } = scripted([ok(), ok()]);
    const reason = new DOMException("gone", "AbortError");
    const before = new AbortController();
    before.abort(reason);
    await expect(invokeJson(transport(fetch), { ...call, signal: before.signal })).rejects.toBe(reason);

    const during = new AbortController();
    const slowCredentials = createTransport({
      fetch,
      credentials: async () => {
        during.abort(reason);
        return CREDENTIALS;
      },
    });
    await expect(invokeJson(slowCredentials, { ...call, signal: during.signal })).rejects.toBe(reason);
    expect(calls).toHaveLength(0);
  });
});
