import { describe, expect, it } from "vitest";
import { bedrockException } from "../src/bedrock-errors.ts";
import { BedrockEdgeError, badUpstream, configurationError, invalidRequest, upstreamTimeout } from "../src/errors.ts";
import {
  asProxyError,
  errorResponse,
  maskAwsIds,
  methodNotAllowed,
  misconfigured,
  misconfiguredUnlisted,
  LONGEST_HONOURED_RETRY_AFTER_S,
  retryAfterSeconds,
} from "./http.ts";

const PRINCIPAL = "arn:aws:sts::123456789012:assumed-role/BedrockCaller/session-42";
const MODEL = "arn:aws:bedrock:us-east-1:123456789012:imported-model/abc123";
const DENIED = `User: ${PRINCIPAL} is not authorized to perform: bedrock:InvokeModel on resource: ${MODEL} because no identity-based policy allows the bedrock:InvokeModel action`;

async function bodyOf(response: Response): Promise<{ error: { message: string; code: string | null; type: string } }> {
  return (await response.json()) as { error: { message: string; code: string | null; type: string } };
}

describe("ARNs in what clients are told", () => {
  it("an AccessDenied from Bedrock is a 502 upstream_auth_failed naming no account, no principal, no model ARN", async () => {
    const response = errorResponse(asProxyError(bedrockException("AccessDeniedException", DENIED, 403)));
    expect(response.status).toBe(502);
    const { error } = await bodyOf(response);
    expect(error.code).toBe("upstream_auth_failed");
    expect(error.message).not.toContain("123456789012");
    expect(error.message).not.toContain("BedrockCaller");
    expect(error.message).toContain(
      "User: arn:… is not authorized to perform: bedrock:InvokeModel on resource: arn:… because",
    );
  });

  it("any other error's message is shortened the same way", async () => {
    const invalid = bedrockException("ValidationException", `Model ${MODEL}, "${MODEL}", 'x' failed`, 400);
    const { error } = await bodyOf(errorResponse(asProxyError(invalid)));
    expect(error.message).toBe(`Model arn:…, "arn:…", 'x' failed`);
    expect(error.code).toBe("invalid_request");
  });

  it("the log keeps the whole message: operators need to know which principal was refused", () => {
    const mapped = asProxyError(bedrockException("AccessDeniedException", DENIED, 403));
    expect(mapped.code).toBe("upstream_auth_failed");
    expect(mapped.message).toContain(PRINCIPAL);
  });

  it("a bare account id in an upstream message is masked too", async () => {
    const denied = bedrockException(
      "AccessDeniedException",
      "Account 123456789012 is not authorized to invoke models owned by 210987654321.",
      403,
    );
    const { error } = await bodyOf(errorResponse(asProxyError(denied)));
    expect(error.message).toContain(
      "(AccessDeniedException: Account … is not authorized to invoke models owned by ….)",
    );
    expect(error.message).not.toMatch(/\d{12}/);
  });

  it("maskAwsIds leaves text without ARNs or account ids alone, and 'bedrock:InvokeModel' is not an ARN", () => {
    expect(maskAwsIds("not authorized to perform: bedrock:InvokeModel")).toBe(
      "not authorized to perform: bedrock:InvokeModel",
    );
    expect(maskAwsIds("max_tokens 1000000 of 12345678901234 tokens, id abc123456789012")).toBe(
      "max_tokens 1000000 of 12345678901234 tokens, id abc123456789012",
    );
    expect(maskAwsIds(`bedrock/llama/${MODEL}`)).toBe("bedrock/llama/arn:…");
    const plain = new BedrockEdgeError({ status: 404, message: "nothing here", code: "x" });
    expect(asProxyError(plain)).toBe(plain);
  });
});

describe("answers that tell the client when or how to try again", () => {
  it("a 405 names the allowed methods in Allow and in an OpenAI error body", async () => {
    const response = errorResponse(methodNotAllowed("GET", "/v1/chat/completions", ["POST"]));
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
    expect((await bodyOf(response)).error).toMatchObject({
      type: "invalid_request_error",
      code: "method_not_allowed",
      message: "GET is not allowed on /v1/chat/completions: use POST.",
    });
  });

  it("Retry-After is upstream's when it said, rounded up to whole seconds, else a default", () => {
    const throttled = (retryAfterMs?: number) =>
      bedrockException("ThrottlingException", "Too many requests", 429, { retryAfterMs });
    expect(retryAfterSeconds(throttled(2500))).toBe(3);
    expect(retryAfterSeconds(throttled(10))).toBe(1);
    // Bedrock's "retry-after: 0" is at least a second: 0 would have a client that obeys it retry at once, in a loop.
    expect(retryAfterSeconds(throttled(0))).toBe(1);
    expect(retryAfterSeconds(throttled())).toBe(5);
    expect(retryAfterSeconds(bedrockException("ModelNotReadyException", "warming", 429))).toBe(30);
    expect(retryAfterSeconds(undefined)).toBe(5);
  });

  it("Retry-After is upstream's for at most 59 s, however long it asked; the proxy's own limits say theirs whole (injection12 #6, docsdrift18 #1)", () => {
    const throttled = (retryAfterMs: number) =>
      bedrockException("ThrottlingException", "Too many requests", 429, { retryAfterMs });
    expect(retryAfterSeconds(throttled(58_100))).toBe(59);
    expect(retryAfterSeconds(throttled(59_000))).toBe(59);
    // 60 s was the cap until the AI SDK was found to ignore it: now the cap is 59 s.
    expect(retryAfterSeconds(throttled(59_500))).toBe(59);
    expect(retryAfterSeconds(throttled(60_000))).toBe(59);
    expect(retryAfterSeconds(throttled(60_001))).toBe(59);
    // A year, and a number of milliseconds whose seconds are past any integer a header holds.
    expect(retryAfterSeconds(throttled(31_536_000_000))).toBe(59);
    expect(retryAfterSeconds(throttled(1e308))).toBe(59);
    const tokensPerDay = new BedrockEdgeError({
      status: 429,
      code: "tokens_per_day_exceeded",
      message: "over a limit",
      retryAfterMs: 9000 * 1000,
    });
    expect(retryAfterSeconds(tokensPerDay)).toBe(9000);
  });
});

describe("the 500 proxy_misconfigured", () => {
  // Two of the problems parseConfig writes, each a sentence that ends in its own full stop.
  const problems = [
    'MAX_BODY_BYTES must be at most 8388608 (8 MiB, the most one request may hold in a Worker\'s 128 MB), got "16777216": set it to 8388608 or less (earlier versions took more); a body larger than that, its media too, is refused with a 413.',
    'MODELS["l"].max_n: max_n must be a whole number from 1 to 128 (got 0).',
  ];

  it("lists the problems with one stop between them and one at the end, not two", () => {
    const { message } = misconfigured(problems);
    expect(message).toContain("is refused with a 413; MODELS[");
    expect(message).toContain("(got 0). Fix its settings");
    expect(message).not.toMatch(/\.[.;]/);
  });

  it("tells a tenant its own problems the same way", () => {
    const { message } = misconfiguredUnlisted(3, problems);
    expect(message).toContain("is refused with a 413; MODELS[");
    expect(message).toContain("(got 0). The proxy's log");
    expect(message).not.toMatch(/\.[.;]/);
  });
});

describe("x-should-retry: false, where a client's retry cannot succeed", () => {
  const limit = (code: string, retryAfterS: number) =>
    new BedrockEdgeError({ status: 429, code, message: "over a limit", retryAfterMs: retryAfterS * 1000 });

  it.each([
    ["a key's tokens for the day used up", limit("tokens_per_day_exceeded", 9000)],
    [
      "a key's tokens for the day used up, longer than the SDKs wait from 00:00 UTC",
      limit("tokens_per_day_exceeded", 61),
    ],
    [
      "Bedrock refusing the proxy's credentials, whatever retry-after it sends",
      bedrockException("AccessDeniedException", DENIED, 403, { retryAfterMs: 1000 }),
    ],
    ["the proxy's configuration", misconfigured(["MODELS is not valid JSON"])],
    ["the proxy's configuration, told to a key kept from some models", misconfiguredUnlisted(2)],
    ["Bedrock refusing the proxy's credentials", bedrockException("AccessDeniedException", DENIED, 403)],
    ["Bedrock refusing an expired session token", bedrockException("ExpiredTokenException", "expired", 401)],
    // An account's or a day's quota: the library retries it no more (awsfidelity46 #1), nor should a client.
    ["a quota of Bedrock's used up", bedrockException("ServiceQuotaExceededException", "Too many tokens per day", 400)],
    ["an endpoint that redirects", badUpstream("a redirect", "upstream_redirect")],
    ["a model's settings", configurationError("does not compile", "invalid_model_config")],
    ["no usable credentials", configurationError("none", "missing_credentials")],
    ["a signer that fails", configurationError("no WebCrypto", "signing_failed")],
    ["a fetch that gives no Response", configurationError("not a Response", "invalid_fetch")],
  ])("%s", (_, error) => {
    expect(errorResponse(error).headers.get("x-should-retry")).toBe("false");
  });

  it.each([
    ["a throttle", bedrockException("ThrottlingException", "slow down", 429)],
    ["a model still waking up", bedrockException("ModelNotReadyException", "warming", 429)],
    ["Bedrock's 500", bedrockException("InternalServerException", "oops", 500)],
    ["Bedrock's 503", bedrockException("ServiceUnavailableException", "busy", 503)],
    ["a model's timeout", bedrockException("ModelTimeoutException", "slow", 408)],
    ["the library's own timeout", upstreamTimeout("too slow")],
    ["Bedrock unreachable", badUpstream("no route", "upstream_unreachable")],
    ["a connection lost", badUpstream("lost", "upstream_connection_lost")],
    ["a broken answer", badUpstream("not JSON")],
    ["a model's broken tool call", new BedrockEdgeError({ status: 500, code: "invalid_tool_call", message: "x" })],
    ["the proxy failing unexpectedly", new Error("boom")],
    ["a key's request rate", limit("request_rate_exceeded", 60)],
    ["a key's tokens held by requests in flight", limit("tokens_per_day_in_flight", 2)],
    ["a key's streams all open", limit("concurrent_streams_exceeded", 2)],
    // The retry the SDKs make after waiting its Retry-After (60 s at most) begins the new day.
    ["a key's tokens for the day used up, a minute from 00:00 UTC", limit("tokens_per_day_exceeded", 60)],
    ["a key's tokens for the day used up, a second from 00:00 UTC", limit("tokens_per_day_exceeded", 1)],
    ["a bad request, which clients do not retry anyway", invalidRequest("bad", "temperature")],
  ])("not on %s", (_, error) => {
    expect(errorResponse(error).headers.has("x-should-retry")).toBe(false);
  });
});

// Each client's test of a Retry-After it waits for, in milliseconds, as its code reads (a client
// that refuses a hint backs off on its own, seconds apart, well inside the window that refused it).
const WAITS_FOR: Record<string, (ms: number) => boolean> = {
  // node_modules/ai, getRetryDelayInMs: `ms < 60 * 1e3` (or shorter than its own backoff).
  "the AI SDK": (ms) => ms >= 0 && ms < 60_000,
  // node_modules/openai-7/client.js, retryRequest: falls back past `60 * 1000`.
  "openai-node 7": (ms) => ms >= 0 && ms <= 60_000,
  // node_modules/@langchain/core, classifyRateLimitError: waits `<= RETRY_AFTER_AUTO_RETRY_THRESHOLD_MS` (60 s).
  LangChain: (ms) => ms >= 0 && ms <= 60_000,
  // openai-python, _calculate_retry_timeout: `0 < retry_after <= 60`.
  "openai-python": (ms) => ms > 0 && ms <= 60_000,
  // node_modules/openai/client.js (6), retryRequest: whatever the header says.
  "openai-node 6": (ms) => ms >= 0,
};

describe("the longest Retry-After the proxy sends (docsdrift18 #1)", () => {
  it.each(Object.entries(WAITS_FOR))("is one %s waits for", (_client, waits) => {
    const longest = Math.max(
      retryAfterSeconds(bedrockException("ThrottlingException", "Too many requests", 429, { retryAfterMs: 1e308 })),
      LONGEST_HONOURED_RETRY_AFTER_S,
    );
    expect(waits(longest * 1000)).toBe(true);
  });

  it("is the longest every one of them waits for, in the whole seconds a header holds", () => {
    const allWait = (seconds: number) => Object.values(WAITS_FOR).every((waits) => waits(seconds * 1000));
    expect(allWait(LONGEST_HONOURED_RETRY_AFTER_S)).toBe(true);
    expect(allWait(LONGEST_HONOURED_RETRY_AFTER_S + 1)).toBe(false);
  });
});
