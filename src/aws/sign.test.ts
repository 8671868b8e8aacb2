// Signatures are checked by an independent SigV4 implementation (@smithy/signature-v4, inside
// the emulator's verifier), for many random requests: unicode bodies, awkward model ids,
// session tokens, several regions and partitions, every operation plain and streamed.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { authenticate } from "../../emulator/auth.ts";
import type { Auth } from "./credentials.ts";
import { bedrockBaseUrl } from "./endpoint.ts";
import { operationHeaders, operationUrl } from "./operations.ts";
import { authorise, type SigningKeyCache } from "./sign.ts";

const REGIONS = [
  "us-east-1",
  "us-west-2",
  "eu-central-1",
  "ap-southeast-2",
  "us-gov-west-1",
  "cn-north-1",
  "me-central-1",
  "eusc-de-east-1",
  "us-iso-east-1",
];
const idChar = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:._/+-".split(""));
const alnum = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789".split(""));

const requestArb = fc.record({
  region: fc.constantFrom(...REGIONS),
  modelId: fc.oneof(
    fc.tuple(alnum, fc.string({ unit: idChar, maxLength: 80 })).map(([a, b]) => a + b),
    fc
      .string({ unit: alnum, minLength: 12, maxLength: 12 })
      .map((id) => `arn:aws:bedrock:us-east-1:123456789012:imported-model/${id}`),
  ),
  body: fc.string({ unit: "binary", maxLength: 400 }).map((text) => JSON.stringify({ prompt: text })),
  operation: fc.constantFrom("invoke" as const, "converse" as const),
  stream: fc.boolean(),
  accessKeyId: fc
    .string({ unit: fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".split("")), minLength: 16, maxLength: 16 })
    .map((k) => `AKIA${k}`),
  secretAccessKey: fc.string({
    unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/".split("")),
    minLength: 40,
    maxLength: 40,
  }),
  sessionToken: fc.option(fc.base64String({ minLength: 20, maxLength: 300 }), { nil: undefined }),
  endpoint: fc.option(
    fc.constantFrom("http://127.0.0.1:4010", "https://vpce-0abc.bedrock-runtime.us-east-1.vpce.amazonaws.com"),
    { nil: undefined },
  ),
});

type Sample = typeof requestArb extends fc.Arbitrary<infer T> ? T : never;

async function signed(sample: Sample, cache: SigningKeyCache = new Map()) {
  const base = sample.endpoint ?? bedrockBaseUrl(sample.region);
  const url = operationUrl(base, sample.modelId, sample.operation, sample.stream);
  const credentials = {
    accessKeyId: sample.accessKeyId,
    secretAccessKey: sample.secretAccessKey,
    sessionToken: sample.sessionToken,
  };
  const auth: Auth = { kind: "sigv4", credentials };
  const headers = await authorise(
    { url, headers: operationHeaders(sample.operation, sample.stream), body: sample.body },
    auth,
    sample.region,
    cache,
  );
  return { request: new Request(url, { method: "POST", headers, body: sample.body }), credentials };
}

async function verify(
  request: Request,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  body?: string,
) {
  const bytes = new TextEncoder().encode(body ?? (await request.clone().text()));
  return authenticate(request, new URL(request.url), bytes, { credentials: [credentials], apiKeys: [], now: Date.now });
}

describe("SigV4 signatures verify with an independent implementation", () => {
  it("for 300 random requests", async () => {
    await fc.assert(
      fc.asyncProperty(requestArb, async (sample) => {
        const { request, credentials } = await signed(sample);
        const result = await verify(request, credentials);
        expect(result).toEqual({ ok: true, kind: "sigv4", region: sample.region });
        expect(request.headers.get("x-amz-security-token") ?? undefined).toBe(sample.sessionToken);
      }),
      { numRuns: 300 },
    );
  });

  it("and fail when anything signed changes: the body, the path, the secret", async () => {
    await fc.assert(
      fc.asyncProperty(requestArb, async (sample) => {
        const { request, credentials } = await signed(sample);
        expect((await verify(request, credentials, `${sample.body} `)).ok).toBe(false);
        expect(
          (await verify(request, { ...credentials, secretAccessKey: `${credentials.secretAccessKey.slice(1)}x` })).ok,
        ).toBe(false);
        const moved = new Request(request.url.replace("/model/", "/model/x"), {
          method: "POST",
          headers: request.headers,
          body: sample.body,
        });
        expect((await verify(moved, credentials)).ok).toBe(false);
      }),
      { numRuns: 50 },
    );
  });

  it("with the signing-key cache reused across requests and days' keys", async () => {
    const cache: SigningKeyCache = new Map();
    await fc.assert(
      fc.asyncProperty(requestArb, async (sample) => {
        const { request, credentials } = await signed(sample, cache);
        expect((await verify(request, credentials)).ok).toBe(true);
      }),
      { numRuns: 100 },
    );
    expect(cache.size).toBeLessThanOrEqual(33);
  });
});

describe("values the runtime's Headers refuse", () => {
  // The headers go to fetch as a record: what Headers.set refused while signing (a credential
  // that cannot be a header value) is still refused while signing, not later by fetch.
  const url = operationUrl("http://127.0.0.1:4010", "my-model", "invoke", false);
  const unsigned = { url, headers: operationHeaders("invoke", false), body: "{}" };
  const keys = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
  const sigv4 = (credentials: Auth & { kind: "sigv4" }) => authorise(unsigned, credentials, "us-east-1", new Map());

  it("fail the signing: a session token or an access key with a line break, an API key with one", async () => {
    await expect(sigv4({ kind: "sigv4", credentials: { ...keys, sessionToken: "to\nken" } })).rejects.toThrow(
      TypeError,
    );
    await expect(sigv4({ kind: "sigv4", credentials: { ...keys, accessKeyId: "AKID\r\nX-Evil: 1" } })).rejects.toThrow(
      TypeError,
    );
    await expect(
      authorise(unsigned, { kind: "apiKey", apiKey: "key\nX-Evil: 1" }, "us-east-1", new Map()),
    ).rejects.toThrow(TypeError);
  });

  it("are sent as Headers hold them: a token's spaces at its ends trimmed, and signed so", async () => {
    const credentials = { ...keys, sessionToken: " token \t" };
    const headers = await sigv4({ kind: "sigv4", credentials });
    expect(headers["x-amz-security-token"]).toBe("token");
    const request = new Request(url, { method: "POST", headers, body: "{}" });
    const result = await authenticate(request, new URL(url), new TextEncoder().encode("{}"), {
      // The token the verifier knows is the one sent.
      credentials: [{ ...credentials, sessionToken: "token" }],
      apiKeys: [],
      now: Date.now,
    });
    expect(result.ok).toBe(true);
  });
});

describe("headers the authorisation sets replace the request's own, in any case", () => {
  // A record goes to fetch, whose Headers would join two spellings of one name into one value
  // ("Bearer a, Bearer b"): what authorise sets must leave no other spelling of its names behind.
  const url = operationUrl("http://127.0.0.1:4010", "my-model", "invoke", false);
  const namesOf = (headers: Record<string, string>) => Object.keys(headers).map((name) => name.toLowerCase());

  it("an API key's Authorization: the request's own goes, whatever its case", async () => {
    const headers = await authorise(
      { url, headers: { ...operationHeaders("invoke", false), Authorization: "Bearer old" }, body: "{}" },
      { kind: "apiKey", apiKey: "new-key" },
      "us-east-1",
      new Map(),
    );
    expect(namesOf(headers).filter((name) => name === "authorization")).toHaveLength(1);
    expect(new Headers(headers).get("authorization")).toBe("Bearer new-key");
  });

  it("SigV4's Host, X-Amz-Date, X-Amz-Security-Token and Authorization: the request's own go, whatever their case", async () => {
    const credentials = {
      accessKeyId: "AKIDEXAMPLE",
      secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
      sessionToken: "new-token",
    };
    const given = {
      ...operationHeaders("invoke", false),
      Host: "elsewhere.example",
      "X-Amz-Date": "19700101T000000Z",
      "X-Amz-Security-Token": "old-token",
    };
    const headers = await authorise(
      { url, headers: { ...given, Authorization: "Bearer old" }, body: "{}" },
      { kind: "sigv4", credentials },
      "us-east-1",
      new Map(),
    );
    const names = namesOf(headers);
    expect(names).not.toContain("host");
    expect(names.filter((name) => name === "x-amz-date" || name === "authorization")).toHaveLength(2);
    expect(names.filter((name) => name === "x-amz-security-token")).toHaveLength(1);
    expect(new Headers(headers).get("x-amz-security-token")).toBe("new-token");
    const request = new Request(url, { method: "POST", headers, body: "{}" });
    expect((await verify(request, credentials)).ok).toBe(true);
  });
});
