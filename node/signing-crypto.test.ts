/// <reference types="node" />
// nodeSigningCrypto against aws4fetch on WebCrypto: the same Authorization header, byte for byte,
// for random requests signed at the same instant; and the emulator's independent SigV4 check
// (@smithy/signature-v4 inside its verifier) accepts it, through createBedrock too.
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { authenticate } from "../emulator/auth.ts";
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { emulatorModelId } from "../emulator/model-id.ts";
import { type ServedEmulator, serveEmulator } from "../emulator/node.ts";
import type { Auth } from "../src/aws/credentials.ts";
import { bedrockBaseUrl } from "../src/aws/endpoint.ts";
import { operationHeaders, operationUrl } from "../src/aws/operations.ts";
import { authorise, type SigningKeyCache } from "../src/aws/sign.ts";
import { createBedrock } from "../src/index.ts";
import { nodeSigningCrypto } from "./signing-crypto.ts";

const alnum = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789".split(""));
const idChar = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:._/+-".split(""));
const key = (chars: string, length: number) =>
  fc.string({ unit: fc.constantFrom(...chars.split("")), minLength: length, maxLength: length });

const requestArb = fc.record({
  region: fc.constantFrom("us-east-1", "eu-central-1", "us-gov-west-1", "cn-north-1", "ap-southeast-2"),
  modelId: fc.oneof(
    fc.tuple(alnum, fc.string({ unit: idChar, maxLength: 80 })).map(([a, b]) => a + b),
    key("abcdefghijklmnopqrstuvwxyz0123456789", 12).map(
      (id) => `arn:aws:bedrock:us-east-1:123456789012:imported-model/${id}`,
    ),
  ),
  // Any UTF-16 text, lone surrogates too: both sides must hash the same UTF-8.
  body: fc.oneof(
    fc.string({ unit: "binary", maxLength: 400 }).map((text) => JSON.stringify({ prompt: text })),
    fc.string({ unit: "grapheme", maxLength: 200 }),
    fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)), maxLength: 4 }),
  ),
  operation: fc.constantFrom("invoke" as const, "converse" as const),
  stream: fc.boolean(),
  accessKeyId: key("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16).map((k) => `AKIA${k}`),
  // Non-ASCII secrets too: the first key of the chain is made from the secret's UTF-8.
  secretAccessKey: fc.oneof(
    key("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/", 40),
    fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }),
  ),
  sessionToken: fc.option(fc.base64String({ minLength: 20, maxLength: 300 }), { nil: undefined }),
  endpoint: fc.option(
    fc.constantFrom("http://127.0.0.1:4010", "https://vpce-0abc.bedrock-runtime.us-east-1.vpce.amazonaws.com"),
    {
      nil: undefined,
    },
  ),
  instant: fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) }),
});
type Sample = typeof requestArb extends fc.Arbitrary<infer T> ? T : never;

function request(sample: Sample) {
  const base = sample.endpoint ?? bedrockBaseUrl(sample.region);
  const url = operationUrl(base, sample.modelId, sample.operation, sample.stream);
  const credentials = {
    accessKeyId: sample.accessKeyId,
    secretAccessKey: sample.secretAccessKey,
    sessionToken: sample.sessionToken,
  };
  return {
    url,
    credentials,
    unsigned: { url, headers: operationHeaders(sample.operation, sample.stream), body: sample.body },
  };
}

/** The headers fetch sends of what authorise gives (a record). */
const entries = (headers: Record<string, string>) => [...new Headers(headers).entries()];

describe("nodeSigningCrypto signs as aws4fetch on WebCrypto does", () => {
  beforeAll(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
  });
  afterAll(() => {
    vi.useRealTimers();
  });

  it("the same headers, byte for byte, for 300 random requests, with and without cached keys", async () => {
    const webCache: SigningKeyCache = new Map();
    const nodeCache: SigningKeyCache = new Map();
    await fc.assert(
      fc.asyncProperty(requestArb, async (sample) => {
        vi.setSystemTime(sample.instant);
        const { credentials, unsigned } = request(sample);
        const auth: Auth = { kind: "sigv4", credentials };
        const web = await authorise(unsigned, auth, sample.region, new Map());
        const node = await authorise(unsigned, auth, sample.region, new Map(), nodeSigningCrypto);
        expect(entries(node)).toEqual(entries(web));
        expect(node.authorization).toMatch(/ Signature=[0-9a-f]{64}$/);
        // Caches filled by either path serve the other: the cached keys are the same bytes.
        const webCached = await authorise(unsigned, auth, sample.region, nodeCache);
        const nodeCached = await authorise(unsigned, auth, sample.region, webCache, nodeSigningCrypto);
        expect(entries(webCached)).toEqual(entries(web));
        expect(entries(nodeCached)).toEqual(entries(web));
      }),
      { numRuns: 300 },
    );
  });

  it("a signature the emulator's independent verifier accepts, and refuses once the body changes", async () => {
    vi.useRealTimers();
    try {
      await fc.assert(
        fc.asyncProperty(requestArb, async (sample) => {
          const { url, credentials, unsigned } = request(sample);
          const headers = await authorise(
            unsigned,
            { kind: "sigv4", credentials },
            sample.region,
            new Map(),
            nodeSigningCrypto,
          );
          const signed = new Request(url, { method: "POST", headers, body: sample.body });
          const verify = (body: string) =>
            authenticate(signed, new URL(url), new TextEncoder().encode(body), {
              credentials: [credentials],
              apiKeys: [],
              now: Date.now,
            });
          expect(await verify(sample.body)).toEqual({ ok: true, kind: "sigv4", region: sample.region });
          expect((await verify(`${sample.body} `)).ok).toBe(false);
        }),
        { numRuns: 100 },
      );
    } finally {
      vi.useFakeTimers({ toFake: ["Date"] });
    }
  });
});

describe("createBedrock({ signingCrypto: nodeSigningCrypto })", () => {
  let emulator: ServedEmulator;
  beforeAll(async () => {
    emulator = await serveEmulator();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  afterAll(async () => {
    await emulator.close();
  });

  it("answers from the emulator, which checks the signature, without WebCrypto", async () => {
    const subtle = vi.spyOn(crypto.subtle, "digest");
    const hmac = vi.spyOn(crypto.subtle, "sign");
    const bedrock = createBedrock({
      endpoint: emulator.url,
      credentials: { ...EMULATOR_CREDENTIALS },
      signingCrypto: nodeSigningCrypto,
    });
    const model = `bedrock/llama/${emulatorModelId("llama")}`;
    for (let i = 0; i < 2; i++) {
      const completion = await bedrock.chat.completions.create({
        model,
        messages: [{ role: "user", content: "Hi ☃" }],
      });
      expect(completion.choices[0]?.message.content).toMatch(/^Hello from the Bedrock emulator \(llama\)/);
    }
    expect(subtle).not.toHaveBeenCalled();
    expect(hmac).not.toHaveBeenCalled();
  });
});
