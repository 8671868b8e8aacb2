import { getEventListeners } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { errorOf } from "../../test/helpers/errors.ts";
import { onFakeClock, passMs } from "../../test/helpers/fake-clock.ts";
import { bedrockException } from "../bedrock-errors.ts";
import { badUpstream, BedrockEdgeError } from "../errors.ts";
import { failoverKind } from "../routing/failover.ts";
import { readableFrom } from "./byte-reader.ts";
import { invokeJson, invokeStream } from "./invoke.ts";
import type { BedrockOperation } from "./operations.ts";
import { backoffDelay, parseRetryAfter, retryDelay } from "./retry.ts";
import { createTransport, type TransportOptions } from "./transport-options.ts";

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

const call = { operation: "invoke" as const, modelId: MODEL, body: '{"prompt":"x"}' };
/** A stream call that reads nothing ahead. */
const streamCall = { ...call, prime: async () => undefined };

const failure = (promise: Promise<unknown>) => errorOf(() => promise, BedrockEdgeError);

/** An event-stream answer whose bytes the test sends when it chooses, through `send`. */
function heldStream() {
  let body: ReadableStreamDefaultController<Uint8Array> | undefined;
  const answer = () =>
    new Response(
      new ReadableStream<Uint8Array>({
        start: (controller) => {
          body = controller;
        },
      }),
      {
        headers: { "content-type": "application/vnd.amazon.eventstream" },
      },
    );
  return { answer, send: (bytes: Uint8Array) => body?.enqueue(bytes), close: () => body?.close() };
}
/** A whole number as a header writes it: digits (delay-seconds has no exponent form). */
const digits = (n: bigint) => n.toString();

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

  it("honour the endpoint override and a per-call region, over the transport's", async () => {
    const { fetch, calls } = scripted([ok()]);
    await invokeJson(transport(fetch, { endpoint: "http://127.0.0.1:4010/", region: "us-east-1" }), {
      ...call,
      modelId: "my-model",
      region: "eu-west-1",
    });
    expect(calls[0]!.url.startsWith("http://127.0.0.1:4010/model/")).toBe(true);
    expect(calls[0]!.headers.get("authorization")).toContain("/eu-west-1/bedrock/");
  });

  it("go where each call says, calls of the same model told apart by operation, region and the transport's endpoint", async () => {
    // The target (URL, region, headers) of a call is kept for the next of the same model: only
    // what it is made of may pick it again.
    const { fetch, calls } = scripted([ok(), ok(), ok(), ok(), ok()]);
    const via = transport(fetch, { endpoint: "http://127.0.0.1:4010/", region: "us-east-1" });
    const local = { ...call, modelId: "my-model" };
    await invokeJson(via, local);
    await invokeJson(via, { ...local, region: "eu-west-1" });
    await invokeJson(via, { ...local, operation: "converse" });
    via.endpoint = "http://127.0.0.1:4011";
    await invokeJson(via, local);
    via.region = "us-west-2";
    await invokeJson(via, local);
    expect(
      calls.map((sent) => [
        sent.url,
        /Credential=[^/]+\/\d+\/([^/]+)\//.exec(sent.headers.get("authorization") ?? "")?.[1],
      ]),
    ).toEqual([
      ["http://127.0.0.1:4010/model/my-model/invoke", "us-east-1"],
      ["http://127.0.0.1:4010/model/my-model/invoke", "eu-west-1"],
      ["http://127.0.0.1:4010/model/my-model/converse", "us-east-1"],
      ["http://127.0.0.1:4011/model/my-model/invoke", "us-east-1"],
      ["http://127.0.0.1:4011/model/my-model/invoke", "us-west-2"],
    ]);
    // A refused id is refused again, call after call: nothing of it was kept.
    for (let i = 0; i < 2; i++) expect((await failure(invokeJson(via, { ...call, modelId: ".." }))).status).toBe(400);
    expect(calls).toHaveLength(5);
  });

  it('refuse the region "undefined" after a call of the same model that named no region', async () => {
    // What a template makes of an unset variable: refused whether or not a call without a
    // region kept its target first (codereview42 #1).
    const { fetch, calls } = scripted([ok()]);
    const via = transport(fetch, { region: "us-east-1" });
    const local = { ...call, modelId: "my-model" };
    await invokeJson(via, local);
    const error = await failure(invokeJson(via, { ...local, region: "undefined" }));
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/region/);
    expect(calls).toHaveLength(1);
  });

  it("say clearly when there are no credentials", async () => {
    const error = await failure(invokeJson(createTransport({ fetch: scripted([]).fetch }), call));
    expect(error.message).toMatch(/No AWS credentials/);
  });

  it("refuse a bad region before sending anything: the transport's when it is made, a call's with a 400", async () => {
    const { fetch, calls } = scripted([]);
    expect(() => transport(fetch, { region: "us-east-1.evil.example" })).toThrow(
      new TypeError('region must look like us-east-1 (got "us-east-1.evil.example")'),
    );
    const error = await failure(
      invokeJson(transport(fetch), { ...call, modelId: "my-model", region: "us-east-1.evil.example" }),
    );
    expect([error.status, error.param]).toEqual([400, "region"]);
    expect(calls).toHaveLength(0);
  });
  const TRANSPORT_ID_RULE =
    'The model id must be 1-2048 letters, digits or :._/+-, the first a letter or digit, "/" only in an ARN (expected an ARN or a Bedrock model id).';

  it("refuse a model id that could leave /model/{id}/ (. or ..), is empty, is not well-formed or has a slash outside an ARN, with a 400 before sending anything", async () => {
    const { fetch, calls } = scripted([]);
    const endpoints = [undefined, "http://127.0.0.1:4010/tenant-a/bedrock"];
    for (const endpoint of endpoints) {
      for (const modelId of ["..", ".", "", "x\ud800", "../invoke", "a/b", "meta/llama3-8b-instruct-v1:0"]) {
        const error = await failure(
          invokeJson(transport(fetch, { endpoint, region: "us-east-1" }), { ...call, modelId }),
        );
        // In the transport's terms: it takes an ARN or a bare id, never a model string.
        const told = [400, "model", TRANSPORT_ID_RULE];
        expect([error.status, error.param, error.message], JSON.stringify(modelId)).toEqual(told);
        const streamed = await failure(
          invokeStream(transport(fetch, { endpoint, region: "us-east-1" }), { ...streamCall, modelId }),
        );
        expect([streamed.status, streamed.param, streamed.message], JSON.stringify(modelId)).toEqual(told);
      }
    }
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

  it("redact the call's secrets percent-encoded too", async () => {
    const echo = `denied for ${encodeURIComponent(CREDENTIALS.secretAccessKey)}`;
    const { fetch } = scripted([bedrockError(403, "AccessDeniedException", echo)]);
    const error = await failure(invokeJson(transport(fetch), call));
    expect(error.message).toBe("denied for [redacted]");
  });

  it("refuse a stream answer that is not an event stream, as ours: not retried", async () => {
    const { fetch, calls } = scripted([ok(), ok()]);
    const error = await failure(invokeStream(transport(fetch), streamCall));
    expect(error.status).toBe(502);
    expect(error.message).toMatch(/not an event stream/);
    expect(error.fromBedrock).toBe(false);
    expect(calls).toHaveLength(1);
  });

  it("refuse a stream answer whose content-type only mentions an event stream: Bedrock's own type begins it", async () => {
    for (const type of ["text/eventstream", "application/json; note=vnd.amazon.eventstream"]) {
      const { fetch } = scripted([new Response('{"generation":"hi"}', { headers: { "content-type": type } })]);
      const error = await failure(invokeStream(transport(fetch), streamCall));
      expect(error.status).toBe(502);
      expect(error.message).toMatch(/not an event stream/);
    }
  });

  it("an abort while the request is signed is seen once signing ends: Bedrock is never called", async () => {
    const controller = new AbortController();
    const reason = new Error("caller gave up");
    // A synchronous hash (bedrock-edge/node's kind) during which the caller aborts.
    const signingCrypto = {
      sha256Hex: () => {
        controller.abort(reason);
        return "0".repeat(64);
      },
      hmacSha256: () => new ArrayBuffer(32),
    };
    const { fetch, calls } = scripted([ok()]);
    await expect(invokeJson(transport(fetch, { signingCrypto }), { ...call, signal: controller.signal })).rejects.toBe(
      reason,
    );
    expect(calls).toHaveLength(0);
  });

  it("a fetch that failed says its cause's errno-style code, and nothing else of the cause (firsthour22 #10)", async () => {
    const failing = (cause: unknown) =>
      (async () => {
        throw new TypeError("fetch failed", { cause });
      }) as typeof globalThis.fetch;
    const host = "bedrock-runtime.us-east-1.amazonaws.com";
    for (const code of ["ECONNREFUSED", "ENOTFOUND", "ETIMEDOUT", "UND_ERR_CONNECT_TIMEOUT", "CERT_HAS_EXPIRED"]) {
      const cause = Object.assign(new Error(`connect ${code} 10.0.0.1:443 secret-path`), { code });
      const error = await failure(invokeJson(transport(failing(cause), { maxRetries: 0 }), call));
      expect(error).toMatchObject({ code: "upstream_unreachable", status: 502 });
      expect(error.message).toBe(`Could not reach Bedrock at ${host}: fetch failed (${code}).`);
    }
    // A code of another shape (lower case, a sentence, too long, not a string) is not appended.
    for (const code of ["econnrefused", "sk-live SECRET value", `E${"X".repeat(40)}`, 111, { code: "E" }]) {
      const error = await failure(invokeJson(transport(failing({ code }), { maxRetries: 0 }), call));
      expect(error.message, JSON.stringify(code)).toBe(`Could not reach Bedrock at ${host}: fetch failed.`);
    }
    // A code shaped like an access key id is redacted as the message would be.
    const keyLike = await failure(
      invokeJson(transport(failing({ code: "AKIAEXAMPLEEXAMPLE12" }), { maxRetries: 0 }), call),
    );
    expect(keyLike.message).toBe(`Could not reach Bedrock at ${host}: fetch failed ([redacted]).`);
    for (const cause of [undefined, null, "ECONNREFUSED"]) {
      const error = await failure(invokeJson(transport(failing(cause), { maxRetries: 0 }), call));
      expect(error.message).toBe(`Could not reach Bedrock at ${host}: fetch failed.`);
    }
  });

  it("a fetch that never connected is told unsent (Bedrock billed nothing); one that may have sent is not (codereview33 #3)", async () => {
    const failing = (error: unknown) =>
      (async () => {
        throw error;
      }) as typeof globalThis.fetch;
    const fetchFailed = (cause: unknown) => new TypeError("fetch failed", { cause });
    const unsent = [
      // Node (undici): the code of the connect's or the lookup's error, in the cause.
      ...["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"].map(
        (code) => fetchFailed(Object.assign(new Error(`connect ${code}`), { code })),
      ),
      // A TLS handshake refused: no request went over it.
      fetchFailed(Object.assign(new Error("certificate has expired"), { code: "CERT_HAS_EXPIRED" })),
      fetchFailed(Object.assign(new Error("altname"), { code: "ERR_TLS_CERT_ALTNAME_INVALID" })),
      // Bun: the code on the error itself.
      Object.assign(new TypeError("ECONNREFUSED: Unable to connect."), { code: "ECONNREFUSED" }),
      // Deno: hyper's connect phase, in the cause's message.
      fetchFailed(new Error("error sending request for url (https://x/): client error (Connect): tcp connect error")),
    ];
    for (const error of unsent) {
      const told = await failure(invokeJson(transport(failing(error), { maxRetries: 0 }), call));
      expect(told.code).toBe("upstream_unreachable");
      expect(told.unsent, told.message).toBe(true);
    }
    const maybeSent = [
      // The connection was made and then lost: the request may have been read.
      fetchFailed(Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" })),
      fetchFailed(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" })),
      fetchFailed(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })),
      fetchFailed(new Error("error sending request for url (https://x/): connection closed before message completed")),
      new TypeError("Network connection lost."),
      new TypeError("fetch failed"),
    ];
    for (const error of maybeSent) {
      const told = await failure(invokeJson(transport(failing(error), { maxRetries: 0 }), call));
      expect(told.code).toBe("upstream_unreachable");
      expect(told.unsent, told.message).toBeUndefined();
    }
  });

  it("this runtime's own fetch, refused a connection or a name: unsent", async () => {
    const closed = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    for (const endpoint of [`http://127.0.0.1:${closed}`, "http://bedrock-edge-test.invalid"]) {
      const told = await failure(
        invokeJson(createTransport({ region: "us-east-1", credentials: CREDENTIALS, endpoint, maxRetries: 0 }), call),
      );
      expect(told.code, endpoint).toBe("upstream_unreachable");
      expect(told.unsent, told.message).toBe(true);
    }
  });

  it("a fetch that quotes the request it failed to send: its signed headers are redacted", async () => {
    const credentials = { ...CREDENTIALS, sessionToken: "IQoJb3JpZ2luX2VjSESSIONTOKENVALUE1234567890" };
    const leaky = (async (_input: RequestInfo | URL, init?: RequestInit) => {
      const headers = new Headers(init?.headers);
      throw new Error(`refused: ${headers.get("authorization")} token=${headers.get("x-amz-security-token")}`);
    }) as typeof globalThis.fetch;
    const error = await failure(invokeJson(transport(leaky, { credentials, maxRetries: 0 }), call));
    expect(error.code).toBe("upstream_unreachable");
    expect(error.message).toMatch(/^Could not reach Bedrock at bedrock-runtime\.us-east-1\.amazonaws\.com: refused: /);
    expect(error.message).not.toContain(CREDENTIALS.accessKeyId);
    expect(error.message).not.toContain(credentials.sessionToken);
    expect(error.message).not.toMatch(/Signature=[0-9a-f]{64}/);
  });

  it("a redirect is not followed, and not retried: Bedrock never redirects", async () => {
    for (const status of [301, 302, 307, 308]) {
      const redirect = new Response(null, { status, headers: { location: "https://elsewhere.example/steal" } });
      const { fetch, calls } = scripted([redirect, ok()]);
      const error = await failure(invokeJson(transport(fetch), call));
      expect(calls).toHaveLength(1);
      expect(calls[0]!.redirect).toBe("manual");
      expect(error).toMatchObject({ status: 502, code: "upstream_redirect", fromBedrock: false });
      expect(error.message).toContain(`answered a redirect (${status}), which is not followed`);
    }
  });

  it("an error answer whose body never ends: timeoutMs ends the wait (the error told by its headers, retried as such), the caller's abort ends the call", async () => {
    const endless = (status: number) => () =>
      new Response(new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode('{"message":"x')) }), {
        status,
        headers: { "x-amzn-errortype": "ThrottlingException" },
      });
    // Long enough that signing is done before it fires on a loaded machine (50 ms was not): the
    // wait it ends is the body's, after the error's headers came.
    const timeoutMs = 300;
    const timedOut = await failure(
      invokeJson(transport(scripted([endless(429)]).fetch, { timeoutMs, maxRetries: 0 }), call),
    );
    expect(timedOut).toMatchObject({ status: 429, code: "rate_limit_exceeded", bedrockError: "ThrottlingException" });
    const { fetch, calls } = scripted([endless(429), ok()]);
    await invokeJson(transport(fetch, { timeoutMs, maxRetries: 1 }), call);
    expect(calls).toHaveLength(2);
    const controller = new AbortController();
    const reason = new DOMException("stop", "AbortError");
    setTimeout(() => controller.abort(reason), 50);
    const stopped = invokeStream(transport(scripted([endless(400)]).fetch, { maxRetries: 0 }), {
      ...streamCall,
      signal: controller.signal,
    });
    await expect(stopped).rejects.toBe(reason);
  });

  it("say which ones Bedrock answered: those are the ones retried", async () => {
    const { fetch } = scripted([bedrockError(400, "ValidationException", "bad")]);
    expect((await failure(invokeJson(transport(fetch), call))).fromBedrock).toBe(true);
  });
});

describe("operations", () => {
  const cases: Array<[BedrockOperation, boolean, string, string | null, string | null]> = [
    // operation, stream, path, accept, x-amzn-bedrock-accept
    ["invoke", false, "invoke", "application/json", null],
    ["invoke", true, "invoke-with-response-stream", null, "application/json"],
    ["converse", false, "converse", null, null],
    ["converse", true, "converse-stream", null, null],
  ];

  it.each(cases)(
    "%s (stream: %s) posts to /model/{id}/%s, signed for bedrock",
    async (operation, stream, path, accept, bedrockAccept) => {
      const answer = stream
        ? new Response(new Uint8Array(), { headers: { "content-type": "application/vnd.amazon.eventstream" } })
        : ok();
      const { fetch, calls } = scripted([answer]);
      const request = { ...call, operation, body: '{"messages":[]}' };
      if (stream) await invokeStream(transport(fetch), { ...request, prime: async () => undefined });
      else await invokeJson(transport(fetch), request);
      const sent = calls[0]!;
      expect(sent.method).toBe("POST");
      expect(new URL(sent.url).pathname).toBe(`/model/${encodeURIComponent(MODEL)}/${path}`);
      expect(sent.headers.get("authorization")).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/bedrock\//,
      );
      expect(sent.headers.get("content-type")).toBe("application/json");
      expect(sent.headers.get("accept")).toBe(accept);
      expect(sent.headers.get("x-amzn-bedrock-accept")).toBe(bedrockAccept);
      expect(await sent.text()).toBe('{"messages":[]}');
    },
  );

  it("converse streams are retried, timed and aborted like invoke ones", async () => {
    const { fetch, calls } = scripted([
      bedrockError(429, "ThrottlingException", "slow down"),
      new Response(new Uint8Array([1]), { headers: { "content-type": "application/vnd.amazon.eventstream" } }),
    ]);
    const retries: number[] = [];
    const { reader } = await invokeStream(transport(fetch), {
      ...streamCall,
      operation: "converse",
      onRetry: (event) => retries.push(event.error.status),
    });
    expect(retries).toEqual([429]);
    expect(calls.map((sent) => new URL(sent.url).pathname.split("/").at(-1))).toEqual([
      "converse-stream",
      "converse-stream",
    ]);
    expect((await reader.read()).value).toEqual(new Uint8Array([1]));

    const hang = (_: RequestInfo | URL, init?: RequestInit) =>
      new Promise<Response>((_, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal!.reason)));
    const timedOut = await failure(
      invokeJson(transport(hang as typeof globalThis.fetch, { timeoutMs: 30 }), { ...call, operation: "converse" }),
    );
    expect(timedOut.code).toBe("upstream_timeout");
  });
});

describe("priming a stream", () => {
  const eventStream = (bytes: number[]) => () =>
    new Response(new Uint8Array(bytes), { headers: { "content-type": "application/vnd.amazon.eventstream" } });

  it("hands back what prime read, typed, with the reader positioned after it", async () => {
    const { fetch } = scripted([eventStream([1, 2, 3])]);
    const { primed, reader, headers } = await invokeStream(transport(fetch), {
      ...call,
      prime: async (reader) => {
        const { value } = await reader.read();
        return { firstBytes: value?.length ?? 0 };
      },
    });
    expect(primed.firstBytes).toBe(3);
    expect(headers.get("content-type")).toBe("application/vnd.amazon.eventstream");
    expect((await reader.read()).done).toBe(true);
  });

  it("gives prime the secrets of the credentials that signed that attempt", async () => {
    let n = 0;
    const rotating = createTransport({
      fetch: scripted([eventStream([1]), eventStream([1])]).fetch,
      credentials: async () => ({ accessKeyId: `AKID${++n}`, secretAccessKey: `secret-number-${n}` }),
    });
    const seen: Array<readonly string[]> = [];
    for (let i = 0; i < 2; i++) {
      await invokeStream(rotating, { ...call, prime: async (_, secrets) => void seen.push(secrets) });
    }
    expect(seen).toEqual([
      ["secret-number-1", "AKID1"],
      ["secret-number-2", "AKID2"],
    ]);
  });

  it("retries when prime meets Bedrock's own error (an exception frame), cancelling the failed stream", async () => {
    const cancelled: unknown[] = [];
    const cancellable = () =>
      new Response(new ReadableStream({ cancel: (reason) => void cancelled.push(reason) }), {
        headers: { "content-type": "application/vnd.amazon.eventstream" },
      });
    const { fetch, calls } = scripted([cancellable, eventStream([1])]);
    let attempts = 0;
    const { primed } = await invokeStream(transport(fetch), {
      ...call,
      prime: async () => {
        if (++attempts === 1) throw bedrockException("throttlingException", "slow down", 500);
        return "primed";
      },
    });
    expect(primed).toBe("primed");
    expect(calls).toHaveLength(2);
    expect(cancelled).toHaveLength(1);
  });

  it("does not retry an error of ours from prime (a damaged stream)", async () => {
    const { fetch, calls } = scripted([eventStream([1]), eventStream([1])]);
    const error = await failure(
      invokeStream(transport(fetch), {
        ...call,
        prime: async () => {
          throw badUpstream("Bedrock's event stream is corrupt.", "invalid_event_stream");
        },
      }),
    );
    expect(error.code).toBe("invalid_event_stream");
    expect(calls).toHaveLength(1);
  });
});

describe("a fetch that ignores its signal", () => {
  it("is not waited for past the abort, and its late answer's body is cancelled, not left open (leaks4 #2)", async () => {
    const cancelled: unknown[] = [];
    let answered = false;
    const controller = new AbortController();
    const deaf = (async () => {
      // The caller leaves 5 ms after the call went out (not after it began: signing may take
      // longer on a loaded machine, and an abort then ends the call before any fetch).
      setTimeout(() => controller.abort(new Error("the caller left")), 5);
      // Answers after 30 ms whatever the signal says.
      await new Promise((resolve) => setTimeout(resolve, 30));
      answered = true;
      return new Response(new ReadableStream({ cancel: (reason) => void cancelled.push(reason ?? "cancelled") }), {
        headers: { "content-type": "application/vnd.amazon.eventstream" },
      });
    }) as unknown as typeof globalThis.fetch;
    const error = await errorOf(() => invokeStream(transport(deaf), { ...streamCall, signal: controller.signal }));
    expect(error).toMatchObject({ message: "the caller left" });
    // The abort (at 5 ms) ended the wait: the fetch (30 ms) had not answered yet.
    expect(answered).toBe(false);
    await vi.waitFor(() => expect(cancelled).toHaveLength(1));
    expect(answered).toBe(true);
  });
});

describe("retries", () => {
  it("retry throttling and 5xx, then succeed", async () => {
    const { fetch, calls } = scripted([
      bedrockError(429, "ThrottlingException", "slow down"),
      bedrockError(500, "InternalServerException", "x"),
      bedrockError(503, "ServiceUnavailableException", "x"),
      ok(),
    ]);
    const retries: number[] = [];
    const attempts: number[] = [];
    await invokeJson(transport(fetch, { maxRetries: 3 }), {
      ...call,
      onRetry: (e) => {
        retries.push(e.error.status);
        attempts.push(e.attempt);
      },
    });
    expect(calls).toHaveLength(4);
    expect(retries).toEqual([429, 500, 503]);
    // RetryEvent.attempt: 1 for the first retry.
    expect(attempts).toEqual([1, 2, 3]);
  });

  it("retry a 502 or 504 that names no exception (a load balancer's HTML page), as every 5xx", async () => {
    for (const status of [502, 504]) {
      const page = new Response("<html><body>Bad Gateway</body></html>", {
        status,
        headers: { "content-type": "text/html" },
      });
      const { fetch, calls } = scripted([page, ok()]);
      const retries: number[] = [];
      const { json } = await invokeJson(transport(fetch), { ...call, onRetry: (e) => retries.push(e.error.status) });
      expect(json).toEqual({ generation: "hi" });
      expect(calls).toHaveLength(2);
      expect(retries).toEqual([status]);
    }
  });

  it("give up after maxRetries with the last error", async () => {
    const { fetch, calls } = scripted(
      Array.from({ length: 5 }, () => bedrockError(429, "ThrottlingException", "slow down")),
    );
    const error = await failure(invokeJson(transport(fetch, { maxRetries: 2 }), call));
    expect(error.status).toBe(429);
    expect(calls).toHaveLength(3);
  });

  it("a ServiceQuotaExceededException (Bedrock's 400, an account's or a day's quota) is final: sure to fail again, as AWS's SDK never retries it (awsfidelity46 #1)", async () => {
    const quota = () => bedrockError(400, "ServiceQuotaExceededException", "Too many tokens per day, please wait.");
    const { fetch, calls } = scripted([quota(), ok(), ok()]);
    const error = await failure(invokeJson(transport(fetch, { maxRetries: 2 }), call));
    expect(calls).toHaveLength(1);
    expect(error).toMatchObject({ status: 429, code: "quota_exceeded", bedrockError: "ServiceQuotaExceededException" });
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

  it("retry a connection lost while the answer's beginning is read (a plain body, a stream before its first frame), as the AWS SDK does", async () => {
    // The headers came, then the connection broke: nothing was passed on, so trying again is safe.
    const cut = (type: string) => () =>
      new Response(
        new ReadableStream<Uint8Array>({
          start(controller) {
            if (type === "application/json") controller.enqueue(new TextEncoder().encode('{"gener'));
            controller.error(new TypeError("terminated"));
          },
        }),
        { headers: { "content-type": type } },
      );
    const plain = scripted([cut("application/json"), ok()]);
    const retried: Array<string | null> = [];
    const { json } = await invokeJson(transport(plain.fetch), { ...call, onRetry: (e) => retried.push(e.error.code) });
    expect(json).toEqual({ generation: "hi" });
    expect(plain.calls).toHaveLength(2);
    const eventStream = () =>
      new Response(new Uint8Array([7]), { headers: { "content-type": "application/vnd.amazon.eventstream" } });
    const streamed = scripted([cut("application/vnd.amazon.eventstream"), eventStream]);
    const { primed } = await invokeStream(transport(streamed.fetch), {
      ...call,
      onRetry: (e) => retried.push(e.error.code),
      prime: async (reader) => (await reader.read()).value?.[0],
    });
    expect(primed).toBe(7);
    expect(streamed.calls).toHaveLength(2);
    expect(retried).toEqual(["upstream_connection_lost", "upstream_connection_lost"]);
    // Within maxRetries, like a failure to connect: then the 502 it is.
    const always = scripted([cut("application/json"), cut("application/json"), cut("application/json")]);
    const error = await failure(invokeJson(transport(always.fetch), call));
    expect(error).toMatchObject({ status: 502, code: "upstream_connection_lost" });
    expect(always.calls).toHaveLength(3);
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

  it("wait for a waking model until modelReadyTimeoutMs itself: a wait that would overshoot it is cut to end there", () => {
    const policy = { maxRetries: 2, modelReadyTimeoutMs: 1000, baseDelayMs: 400, maxDelayMs: 5000, random: () => 1 };
    const notReady = bedrockException("ModelNotReadyException", "Model is not ready for inference.", 429);
    // A fixed clock: the waits are read from performance.now().
    vi.useFakeTimers();
    try {
      const now = performance.now();
      const counts = { retries: 0, waits: 0, started: now - 500 };
      expect(retryDelay(policy, notReady, counts)).toBe(400);
      // 800 ms would overshoot by 600: the last try comes at the deadline, not never.
      counts.started = now - 800;
      expect(retryDelay(policy, notReady, counts)).toBe(200);
      counts.started = now - 1000;
      expect(() => retryDelay(policy, notReady, counts)).toThrow(/still not ready after 1 s of waiting/);
      expect(counts).toMatchObject({ retries: 0, waits: 2 });
    } finally {
      vi.useRealTimers();
    }
  });

  it("a step of the wall clock (NTP, a VM resumed) neither stretches nor ends the wait for a waking model: it is timed on the monotonic clock (timebounds17 #6)", async () => {
    const wallClock = Date.now;
    let stepMs = 0;
    const steppedClock = vi.spyOn(Date, "now").mockImplementation(() => wallClock() + stepMs);
    onTestFinished(() => {
      steppedClock.mockRestore();
    });
    // A first call loads the signer and the retry rules (modules imported on first use), which
    // on a loaded machine could take the whole budget.
    await invokeJson(transport(scripted([bedrockError(429, "ModelNotReadyException", "waking"), ok()]).fetch), call);
    for (const step of [-3_600_000, 3_600_000]) {
      stepMs = 0;
      // Each answer asks for 50 ms (retryMaxDelayMs caps it there): about six tries in the 300 ms
      // budget. The wall clock steps by an hour after the first.
      const notReady = () => {
        stepMs = step;
        return bedrockError(429, "ModelNotReadyException", "Model is not ready for inference.", {
          "retry-after-ms": "50",
        });
      };
      const { fetch, calls } = scripted([...Array.from({ length: 20 }, () => notReady), ok()]);
      const error = await failure(
        invokeJson(transport(fetch, { modelReadyTimeoutMs: 300, retryBaseDelayMs: 1, retryMaxDelayMs: 50 }), call),
      );
      expect([step, error.code]).toEqual([step, "model_not_ready"]);
      expect(error.message).toMatch(/still not ready after \d+ ms of waiting/);
      expect(calls.length).toBeGreaterThanOrEqual(2);
      expect(calls.length).toBeLessThanOrEqual(8);
    }
  });

  it("fail fast when asked: one attempt, Bedrock's own error, no wait for a waking model", async () => {
    for (const [status, name] of [
      [429, "ThrottlingException"],
      [503, "ServiceUnavailableException"],
      [429, "ModelNotReadyException"],
    ] as const) {
      const { fetch, calls } = scripted([bedrockError(status, name, "not now"), ok()]);
      const retries: number[] = [];
      const error = await failure(
        invokeJson(transport(fetch, { modelReadyTimeoutMs: 10_000 }), {
          ...call,
          failFast: true,
          onRetry: (event) => retries.push(event.attempt),
        }),
      );
      expect(calls).toHaveLength(1);
      expect(retries).toEqual([]);
      expect(error.fromBedrock).toBe(true);
      expect(error.bedrockError).toBe(name);
    }
    const { fetch, calls } = scripted([new TypeError("fetch failed"), ok()]);
    const error = await failure(invokeStream(transport(fetch), { ...streamCall, failFast: true }));
    expect(calls).toHaveLength(1);
    expect(error.code).toBe("upstream_unreachable");
  });

  it("stop at once when the caller aborts during a backoff", async () => {
    // Retry-After makes the backoff 10 s whatever the jitter.
    const { fetch, calls } = scripted([bedrockError(429, "ThrottlingException", "x", { "retry-after": "10" }), ok()]);
    const controller = new AbortController();
    const reason = new DOMException("stop", "AbortError");
    const started = performance.now();
    const promise = invokeJson(transport(fetch, { retryBaseDelayMs: 10_000, retryMaxDelayMs: 10_000 }), {
      ...call,
      signal: controller.signal,
      onRetry: () => setTimeout(() => controller.abort(reason), 5),
    });
    await expect(promise).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(calls).toHaveLength(1);
  });

  it("stop at once when the caller aborts in onRetry itself, before the backoff begins", async () => {
    const { fetch, calls } = scripted([bedrockError(429, "ThrottlingException", "x", { "retry-after": "10" }), ok()]);
    const controller = new AbortController();
    const reason = new DOMException("stop", "AbortError");
    const started = performance.now();
    const promise = invokeJson(transport(fetch, { retryBaseDelayMs: 10_000, retryMaxDelayMs: 10_000 }), {
      ...call,
      signal: controller.signal,
      onRetry: () => controller.abort(reason),
    });
    await expect(promise).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(5000);
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

  it("a server's retry-after is capped at retryMaxDelayMs: one header cannot park a call for an hour", () => {
    const policy = { maxRetries: 2, modelReadyTimeoutMs: 0, baseDelayMs: 100, maxDelayMs: 1000, random: () => 0 };
    expect(backoffDelay(policy, 0, "retryable", 3_600_000)).toBe(1000);
    expect(backoffDelay(policy, 0, "model_not_ready", 3_600_000)).toBe(1000);
  });

  it("a waking model is polled at most every 10 s (or retryBaseDelayMs if longer), however small retryMaxDelayMs is", () => {
    const policy = { maxRetries: 2, modelReadyTimeoutMs: 300_000, baseDelayMs: 100, maxDelayMs: 50, random: () => 1 };
    expect(backoffDelay(policy, 20, "model_not_ready")).toBe(10_000);
    expect(backoffDelay({ ...policy, baseDelayMs: 20_000 }, 3, "model_not_ready")).toBe(20_000);
    expect(backoffDelay(policy, 20, "retryable")).toBe(50);
  });

  it("reads only RFC 9110's forms as servers send them: delay-seconds as digits, an HTTP date as IMF-fixdate; retry-after-ms as digits (timebounds17 #3)", () => {
    const now = Date.UTC(2026, 10, 29, 12, 0, 0);
    const hint = (headers: Record<string, string>) => parseRetryAfter(new Headers(headers), now);
    expect(hint({ "retry-after": "120" })).toBe(120_000);
    expect(hint({ "retry-after": "0" })).toBe(0);
    expect(hint({ "retry-after": "Sun, 29 Nov 2026 12:00:30 GMT" })).toBe(30_000);
    // A date past is "now", as RFC 9110 has it.
    expect(hint({ "retry-after": "Sun, 29 Nov 2026 11:00:00 GMT" })).toBe(0);
    expect(hint({ "retry-after-ms": "1500" })).toBe(1500);
    // What Number or Date.parse would read, and no server sends: no hint, so the default delay.
    for (const value of ["-1", "+5", "1.5", "0x3c", "1e3", " ", "soon 5", "1 2", "abc 2030", "Infinity", "5 s"]) {
      expect([value, hint({ "retry-after": value })]).toEqual([value, undefined]);
    }
    for (const value of [
      "Sun, 29 Nov 2026 12:00:30",
      "Sun, 29 Nov 2026 12:00:30 UTC",
      "sun, 29 nov 2026 12:00:30 GMT",
      "2026-11-29T12:00:30Z",
      // RFC 850's and asctime's, obsolete, which no AWS endpoint sends.
      "Sunday, 29-Nov-26 12:00:30 GMT",
      "Sun Nov 29 12:00:30 2026",
      "Sat, 01 Jan 10000 00:00:00 GMT",
      "Sat, 13 Sep 275760 00:00:00 GMT",
      "Tue, 31 Feb 2026 12:00:00 GMT",
      "Sun, 29 Nov 2026 24:00:00 GMT",
    ]) {
      expect([value, hint({ "retry-after": value })]).toEqual([value, undefined]);
    }
    for (const value of ["", "-1", "1.5", "0x10", "1e3", "soon"]) {
      expect([value, hint({ "retry-after-ms": value })]).toEqual([value, undefined]);
      // Not one: retry-after is read instead.
      expect(hint({ "retry-after-ms": value, "retry-after": "7" })).toBe(7000);
    }
  });

  it("retry-after-ms wins over retry-after, even when it is 0", () => {
    expect(parseRetryAfter(new Headers({ "retry-after-ms": "0", "retry-after": "30" }))).toBe(0);
    expect(parseRetryAfter(new Headers({ "retry-after-ms": "250", "retry-after": "30" }))).toBe(250);
    // One that is not a number is ignored: retry-after is read instead.
    expect(parseRetryAfter(new Headers({ "retry-after-ms": "soon", "retry-after": "30" }))).toBe(30_000);
  });

  it("a retry-after whose milliseconds overflow is kept, capped, and one that is not a finite number is no hint (injection12 #6, codereview25 #1)", () => {
    expect(parseRetryAfter(new Headers({ "retry-after": digits(10n ** 308n) }))).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseRetryAfter(new Headers({ "retry-after-ms": digits(10n ** 308n) }))).toBe(Number.MAX_SAFE_INTEGER);
    // More digits than a number holds at all (Number gives Infinity): the longest hint still.
    expect(parseRetryAfter(new Headers({ "retry-after": "9".repeat(400) }))).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseRetryAfter(new Headers({ "retry-after": "Infinity" }))).toBeUndefined();
    // Long but finite: kept, the library's own waits are capped at retryMaxDelayMs anyway.
    expect(parseRetryAfter(new Headers({ "retry-after": "31536000" }))).toBe(31_536_000_000);
  });

  it("a longer retry-after never gives a shorter wait, even past what milliseconds can hold (codereview25 #1)", () => {
    const policy = { maxRetries: 2, modelReadyTimeoutMs: 0, baseDelayMs: 100, maxDelayMs: 20_000, random: () => 0.5 };
    const hints = [
      "3600",
      ...[10n ** 305n, 17n * 10n ** 304n, 18n * 10n ** 304n, 10n ** 306n, 10n ** 308n].map(digits),
    ];
    const waits = hints.map((value) =>
      backoffDelay(policy, 0, "retryable", parseRetryAfter(new Headers({ "retry-after": value }))),
    );
    // Every one is longer than retryMaxDelayMs, so every wait is retryMaxDelayMs.
    expect(waits).toEqual(hints.map(() => 20_000));
  });
});

describe("a Cloudflare Worker's subrequests run out", () => {
  // What Workers throw from fetch past the plan's subrequests per request (50 on Workers Free):
  // today's wording, and the older one (and Miniflare's) that began the same.
  const CAPS = [
    "Too many subrequests by single Worker invocation. To configure this limit, refer to https://developers.cloudflare.com/workers/wrangler/configuration/#limits",
    "Too many subrequests.",
  ];
  const notReady = () => bedrockError(429, "ModelNotReadyException", "Model is not ready for inference.");

  it("is final, a 503 of its own saying the plan allows no more calls and what to change: never retried, never Could not reach Bedrock", async () => {
    for (const cap of CAPS) {
      const { fetch, calls } = scripted([new Error(cap), ok(), ok()]);
      const retried: number[] = [];
      const error = await failure(
        invokeJson(transport(fetch, { maxRetries: 2 }), { ...call, onRetry: (event) => retried.push(event.attempt) }),
      );
      expect(calls).toHaveLength(1);
      expect(retried).toEqual([]);
      expect(error).toMatchObject({ status: 503, type: "server_error", code: "subrequest_limit", fromBedrock: false });
      // What to change when no cold model was waited for too (docsdrift18 #7: it named nothing).
      expect(error.message).toBe(
        `The Worker's plan allows no more calls to Bedrock in one request. Cloudflare said: ${cap} ` +
          "Make fewer calls in one request (legacy Completions makes one per prompt and per n), or move to the Workers Paid plan.",
      );
    }
  });

  it("during a cold model's wait, says to lower MODEL_READY_TIMEOUT_MS or move to the paid plan", async () => {
    const { fetch, calls } = scripted([notReady(), notReady(), new Error(CAPS[0]), ok()]);
    const error = await failure(invokeJson(transport(fetch, { modelReadyTimeoutMs: 10_000 }), call));
    expect(calls).toHaveLength(3);
    expect(error).toMatchObject({ status: 503, code: "subrequest_limit" });
    expect(error.message).toMatch(/no more calls to Bedrock in one request/);
    expect(error.message).toMatch(/waiting for a cold model: lower MODEL_READY_TIMEOUT_MS \(modelReadyTimeoutMs\)/);
    expect(error.message).toMatch(/Workers Paid plan/);
    expect(error.message).not.toMatch(/Make fewer calls/);
  });

  it("is final for a call that fails fast too (a copy of several): the next copy would be refused alike", async () => {
    const { fetch, calls } = scripted([new Error(CAPS[1]), ok()]);
    const error = await failure(invokeStream(transport(fetch), { ...streamCall, failFast: true }));
    expect(calls).toHaveLength(1);
    expect(error.code).toBe("subrequest_limit");
    expect(failoverKind(error)).toBeUndefined();
  });
});

describe("timeouts", () => {
  it("a silent upstream ends in a clean 504", async () => {
    const hang = (_: RequestInfo | URL, init?: RequestInit) =>
      new Promise<Response>((_, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal!.reason)));
    const error = await failure(invokeJson(transport(hang as typeof fetch, { timeoutMs: 30 }), call));
    expect(error.status).toBe(504);
    expect(error.code).toBe("upstream_timeout");
    // The budget as it was set: 30 ms, not "0 s".
    expect(error.message).toBe("Bedrock did not answer within 30 ms (timeoutMs).");
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
    const { reader } = await invokeStream(transport(quiet as typeof fetch, { idleTimeoutMs: 30 }), streamCall);
    expect((await reader.read()).value).toEqual(new Uint8Array([1, 2, 3]));
    const error = await failure(reader.read());
    expect(error.status).toBe(504);
    expect(error.message).toMatch(/went silent for 30 ms \(idleTimeoutMs\)/);
    expect(signal?.aborted).toBe(true);
    // The stream failed; the caller did not end it: what the answer had said still goes out (hold39).
    expect(reader.signal?.aborted).toBe(false);
  });

  it("a read cut by the caller's abort fails with the caller's reason, not a lost connection, whatever error the body gives", async () => {
    // As undici's body does: on the fetch's signal it errors with an AbortError of its own.
    const undiciLike = async (_: RequestInfo | URL, init?: RequestInit) => {
      const signal = init?.signal;
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new Uint8Array([1]));
          signal?.addEventListener("abort", () =>
            controller.error(new DOMException("This operation was aborted", "AbortError")),
          );
        },
      });
      return new Response(body, { headers: { "content-type": "application/vnd.amazon.eventstream" } });
    };
    const caller = new AbortController();
    const { reader } = await invokeStream(transport(undiciLike as typeof fetch), {
      ...streamCall,
      signal: caller.signal,
    });
    await reader.read();
    const pending = reader.read();
    const reason = new Error("the caller left");
    caller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it("the reader's signal is the caller's end of the call: its abort, or cancel()", async () => {
    const open = async () =>
      new Response(new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(new Uint8Array([1])) }), {
        headers: { "content-type": "application/vnd.amazon.eventstream" },
      });
    const caller = new AbortController();
    const { reader } = await invokeStream(transport(open as typeof fetch), { ...streamCall, signal: caller.signal });
    await reader.read();
    const reason = new DOMException("gone", "AbortError");
    caller.abort(reason);
    expect(reader.signal?.reason).toBe(reason);
    const cancelled = await invokeStream(transport(open as typeof fetch), streamCall);
    await cancelled.reader.cancel(reason);
    expect(cancelled.reader.signal?.reason).toBe(reason);
  });

  it("idleTimeoutMs counts silence on the monotonic clock: a step of the wall clock neither cuts a stream early nor lets a silent one run on (timebounds17 #6)", async () => {
    // Fake timers move setTimeout, Date and performance together; setSystemTime then steps Date
    // alone, as NTP or a resumed VM steps the wall clock.
    vi.useFakeTimers();
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const open = async () => {
      const held = heldStream();
      const { reader } = await invokeStream(
        transport(scripted([held.answer]).fetch, { idleTimeoutMs: 1000 }),
        streamCall,
      );
      return { reader, send: (byte: number) => held.send(new Uint8Array([byte])) };
    };
    /** A read, and whether (and how) it ended so far. */
    const pending = (read: Promise<unknown>) => {
      const state: { ended?: string } = {};
      read.then(
        () => (state.ended = "read"),
        (error: unknown) => (state.ended = error instanceof BedrockEdgeError ? error.message : String(error)),
      );
      return state;
    };
    const SILENT = "Bedrock's stream went silent for 1 s (idleTimeoutMs).";

    // Forward: a frame at 500 ms and 1200 ms; the watchdog, first due at 1000 ms, is next due at
    // 1500 ms. The wall clock jumps 3 s at 1300 ms: 300 ms of silence at 1500 ms is not 1 s.
    const ahead = await open();
    let read = ahead.reader.read();
    await vi.advanceTimersByTimeAsync(500);
    ahead.send(1);
    await read;
    read = ahead.reader.read();
    await vi.advanceTimersByTimeAsync(700);
    ahead.send(2);
    await read;
    const afterJump = pending(ahead.reader.read());
    await vi.advanceTimersByTimeAsync(100);
    vi.setSystemTime(Date.now() + 3000);
    await vi.advanceTimersByTimeAsync(800);
    expect(afterJump.ended).toBeUndefined();
    await vi.advanceTimersByTimeAsync(100);
    expect(afterJump.ended).toBe(SILENT);

    // Back: silent from the start; the wall clock goes back an hour 200 ms in. Cut at 1 s still.
    const behind = await open();
    const silent = pending(behind.reader.read());
    await vi.advanceTimersByTimeAsync(200);
    vi.setSystemTime(Date.now() - 3_600_000);
    await vi.advanceTimersByTimeAsync(799);
    expect(silent.ended).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(silent.ended).toBe(SILENT);
  });

  it("timeoutMs bounds a stream until its answer begins, not the stream itself: frames past it still come", async () => {
    vi.useFakeTimers();
    try {
      const held = heldStream();
      const { reader } = await invokeStream(
        transport(scripted([held.answer]).fetch, { timeoutMs: 1000, idleTimeoutMs: 60_000 }),
        streamCall,
      );
      // Frames keep coming, each well within idleTimeoutMs, for ten times timeoutMs.
      for (let i = 0; i < 10; i++) {
        await vi.advanceTimersByTimeAsync(1000);
        held.send(new Uint8Array([i]));
        expect((await reader.read()).value).toEqual(new Uint8Array([i]));
      }
      held.close();
      expect((await reader.read()).done).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it("cancelling the stream aborts the upstream request", async () => {
    let signal: AbortSignal | undefined;
    const endless = async (_: RequestInfo | URL, init?: RequestInit) => {
      signal = init?.signal ?? undefined;
      return new Response(new ReadableStream({ pull: (c) => c.enqueue(new Uint8Array(1)) }), {
        headers: { "content-type": "application/vnd.amazon.eventstream" },
      });
    };
    const { reader } = await invokeStream(transport(endless as typeof fetch), streamCall);
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
    // On a fake clock (setTimeout and performance.now together): on a loaded machine a real 20 ms
    // pause can outlast the 50 ms limit.
    onFakeClock();
    const { reader } = await invokeStream(transport(paced as typeof fetch, { idleTimeoutMs: 50 }), streamCall);
    for (let i = 0; i < 3; i++) {
      const read = reader.read();
      await passMs(20);
      expect((await read).value).toEqual(new Uint8Array([i]));
    }
    let ended: BedrockEdgeError | undefined;
    const last = failure(reader.read()).then((error) => (ended = error));
    await passMs(49);
    expect(ended).toBeUndefined();
    await passMs(2);
    await last;
    expect(ended?.status).toBe(504);
  });

  it("readableFrom turns the reader back into a stream", async () => {
    const bytes = () =>
      new Response(new Uint8Array([7, 8]), { headers: { "content-type": "application/vnd.amazon.eventstream" } });
    const { reader } = await invokeStream(transport(scripted([bytes()]).fetch), streamCall);
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

describe("a credentials provider that is slow or never answers", () => {
  const never = () => new Promise<typeof CREDENTIALS>(() => undefined);
  const answeringAfter = (ms: number) => () =>
    new Promise<typeof CREDENTIALS>((resolve) => setTimeout(() => resolve(CREDENTIALS), ms));

  it("is left behind when the caller aborts: the abort's reason at once, nothing sent, no listener left", async () => {
    const { fetch, calls } = scripted([ok()]);
    const controller = new AbortController();
    const reason = new DOMException("gone", "AbortError");
    setTimeout(() => controller.abort(reason), 30);
    const started = Date.now();
    const pending = invokeJson(transport(fetch, { credentials: never }), { ...call, signal: controller.signal });
    await expect(pending).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(calls).toHaveLength(0);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("counts against timeoutMs, and the 504 says the credentials were what was pending", async () => {
    const { fetch, calls } = scripted([ok()]);
    const started = Date.now();
    const error = await failure(invokeJson(transport(fetch, { credentials: never, timeoutMs: 40 }), call));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(error.status).toBe(504);
    expect(error.code).toBe("upstream_timeout");
    expect(error.message).toBe("The credentials were still pending after 40 ms (timeoutMs): Bedrock was not called.");
    expect(calls).toHaveLength(0);
  });

  it("shares timeoutMs with the answer: the budget runs from the start of the attempt", async () => {
    // On a fake clock: timed on the machine's, a loaded run overshot any bound that tells 300 ms
    // from 500 apart. The time that counts is when the attempt's signal aborts the call. A first
    // call loads the signer (a module imported on first use) before the clock is faked.
    const { fetch } = scripted([ok()]);
    await invokeJson(transport(fetch, { credentials: answeringAfter(0) }), call);
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    try {
      const started = Date.now();
      let called = false;
      let abortedAfter: number | undefined;
      const hang = (_: RequestInfo | URL, init?: RequestInit) => {
        called = true;
        return new Promise<Response>((_, reject) =>
          init?.signal?.addEventListener("abort", () => {
            abortedAfter = Date.now() - started;
            reject(init.signal!.reason);
          }),
        );
      };
      const failed = failure(
        invokeJson(transport(hang as typeof fetch, { credentials: answeringAfter(200), timeoutMs: 300 }), call),
      );
      // The credentials come at 200 ms; the clock then stands still until the call is sent (the
      // signing is WebCrypto's, on the real event loop), and moves on past 300 ms.
      await vi.advanceTimersByTimeAsync(250);
      const deadline = performance.now() + 5000;
      while (!called && performance.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
      expect(called).toBe(true);
      await vi.advanceTimersByTimeAsync(100);
      // 200 ms for the credentials, then 100 ms of waiting for Bedrock: not 200 + 300.
      expect(abortedAfter).toBe(300);
      const error = await failed;
      expect(error.message).toBe("Bedrock did not answer within 300 ms (timeoutMs).");
    } finally {
      vi.useRealTimers();
    }
  });

  it("that answers in time is used as before, and its late failure after an abort is not reported", async () => {
    const { fetch, calls } = scripted([ok()]);
    const { json } = await invokeJson(transport(fetch, { credentials: answeringAfter(10), timeoutMs: 1000 }), call);
    expect(json).toEqual({ generation: "hi" });
    expect(calls).toHaveLength(1);

    const controller = new AbortController();
    const failing = () =>
      new Promise<typeof CREDENTIALS>((_, reject) => setTimeout(() => reject(new Error("late")), 20));
    setTimeout(() => controller.abort("stop"), 5);
    await expect(
      invokeJson(transport(fetch, { credentials: failing }), { ...call, signal: controller.signal }),
    ).rejects.toBe("stop");
    // The provider's rejection, after the abort, lands nowhere (an unhandled one would fail the run).
    await new Promise((resolve) => setTimeout(resolve, 30));
  });
});

describe("reading a plain answer", () => {
  /** An answer whose body comes a byte per read. */
  function byteByByte(text: string, headers: Record<string, string>): Response {
    const bytes = new TextEncoder().encode(text);
    let offset = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset < bytes.byteLength) controller.enqueue(bytes.subarray(offset, ++offset));
        else controller.close();
      },
    });
    return new Response(body, { headers: { "content-type": "application/json", ...headers } });
  }

  it("reads the same JSON with or without a declared length, and with a declared length that is not a number", async () => {
    const text = JSON.stringify({ generation: "hello" });
    const declared: Record<string, string>[] = [
      { "content-length": String(text.length) },
      {},
      { "content-length": "12abc" },
    ];
    for (const headers of declared) {
      const { json } = await invokeJson(transport(scripted([byteByByte(text, headers)]).fetch), call);
      expect(json, JSON.stringify(headers)).toEqual({ generation: "hello" });
    }
  });

  it("refuses an answer past 32 MiB with a 502, read only up to there, whether or not its declared length says so", async () => {
    const limit = 32 * 1024 * 1024;
    const chunk = new Uint8Array(1024 * 1024).fill(0x20);
    const declared: Record<string, string>[] = [{ "content-length": String(limit + chunk.byteLength) }, {}];
    for (const headers of declared) {
      let pulled = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (pulled > limit) return controller.close();
          pulled += chunk.byteLength;
          controller.enqueue(chunk);
        },
      });
      const answer = new Response(body, { headers: { "content-type": "application/json", ...headers } });
      const error = await failure(invokeJson(transport(scripted([answer]).fetch), { ...call, failFast: true }));
      expect([error.status, error.message]).toEqual([502, `Bedrock's answer is larger than ${limit} bytes.`]);
      expect(pulled).toBeLessThanOrEqual(limit + chunk.byteLength);
    }
  });
});
