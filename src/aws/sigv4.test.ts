// The signer against aws4fetch's own: the same headers, byte for byte, for random requests signed
// at the same instant, on WebCrypto, with the canonical parts and the derived keys cached or not.
// (The emulator's independent verifier checks the signatures themselves: sign.test.ts.)
import { AwsV4Signer } from "aws4fetch";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { operationHeaders, operationUrl } from "./operations.ts";
import { signV4 } from "./sigv4.ts";
import type { SigningKeyCache } from "./sign.ts";

const alnum = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789".split(""));
const idChar = fc.constantFrom(
  ..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:._/+-%!'()* ".split(""),
);

const requestArb = fc.record({
  region: fc.constantFrom("us-east-1", "eu-central-1", "us-gov-west-1", "cn-north-1"),
  base: fc.constantFrom(
    "https://bedrock-runtime.us-east-1.amazonaws.com",
    "http://127.0.0.1:4010",
    "https://vpce-0abc.bedrock-runtime.us-east-1.vpce.amazonaws.com/some//prefix",
  ),
  modelId: fc.tuple(alnum, fc.string({ unit: idChar, maxLength: 60 })).map(([a, b]) => a + b),
  body: fc.oneof(fc.string({ unit: "binary", maxLength: 300 }), fc.constant("")),
  operation: fc.constantFrom("invoke" as const, "converse" as const),
  stream: fc.boolean(),
  // Extra headers as a caller might give them: signed ones with awkward spacing, unsigned ones.
  extra: fc.dictionary(
    fc.constantFrom("x-amzn-bedrock-trace", "X-Custom", "user-agent", "x-amz-content-sha256", "host"),
    fc.constantFrom("  a   b ", "ENABLED", "UNSIGNED-PAYLOAD", "x", "bedrock.example", "", "   "),
    { maxKeys: 3 },
  ),
  accessKeyId: fc.constantFrom("AKIDEXAMPLE", "ASIAEXAMPLE2"),
  secretAccessKey: fc.oneof(fc.constantFrom("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), fc.string({ minLength: 1 })),
  sessionToken: fc.option(
    fc.oneof(fc.base64String({ minLength: 20, maxLength: 200 }), fc.constantFrom(" tok  en\t", "a\u00a0b")),
    { nil: undefined },
  ),
  instant: fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) }),
});

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined };

/** aws4fetch's headers for a POST of `body` to `url`, for Bedrock in `region`: what ours must equal. */
async function aws4fetchHeaders(
  url: string,
  headers: Record<string, string>,
  body: string,
  credentials: Credentials,
  region: string,
) {
  const signed = await new AwsV4Signer({
    method: "POST",
    url,
    headers,
    body,
    ...credentials,
    service: "bedrock",
    region,
  }).sign();
  return [...signed.headers.entries()];
}

describe("signV4 signs as aws4fetch does", () => {
  beforeAll(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
  });
  afterAll(() => {
    vi.useRealTimers();
  });

  it("the same headers, byte for byte, for 400 random requests, cached parts and keys or not", async () => {
    const cache: SigningKeyCache = new Map();
    await fc.assert(
      fc.asyncProperty(requestArb, async (sample) => {
        vi.setSystemTime(sample.instant);
        const url = operationUrl(sample.base, sample.modelId, sample.operation, sample.stream);
        const headers = { ...operationHeaders(sample.operation, sample.stream), ...sample.extra };
        const credentials = {
          accessKeyId: sample.accessKeyId,
          secretAccessKey: sample.secretAccessKey,
          sessionToken: sample.sessionToken,
        };
        const expected = await aws4fetchHeaders(url, headers, sample.body, credentials, sample.region);
        for (const keys of [new Map(), cache, cache]) {
          const ours = await signV4({ url, headers, body: sample.body }, credentials, sample.region, keys, undefined);
          // What fetch makes of the record: the Headers that are sent.
          expect([...new Headers(ours).entries()]).toEqual(expected);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("calls a second apart, within one minute, each with its own time (x-amz-date), as aws4fetch signs them", async () => {
    const url = operationUrl("https://bedrock-runtime.us-east-1.amazonaws.com", "timed", "invoke", false);
    const headers = operationHeaders("invoke", false);
    const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
    const dates: string[] = [];
    for (const second of [10, 10, 11, 40]) {
      vi.setSystemTime(Date.UTC(2026, 0, 2, 3, 4, second, 500));
      const theirs = await aws4fetchHeaders(url, headers, "{}", credentials, "us-east-1");
      const ours = await signV4({ url, headers, body: "{}" }, credentials, "us-east-1", new Map(), undefined);
      expect([...new Headers(ours).entries()]).toEqual(theirs);
      dates.push(ours["x-amz-date"]!);
    }
    expect(dates).toEqual(["20260102T030410Z", "20260102T030410Z", "20260102T030411Z", "20260102T030440Z"]);
  });

  it("the same URL signed with a session token and without (a process of two credentials): each as aws4fetch signs it", async () => {
    vi.setSystemTime(Date.UTC(2026, 0, 2, 3, 4, 5));
    const url = operationUrl("https://bedrock-runtime.us-east-1.amazonaws.com", "two-credentials", "invoke", false);
    const headers = operationHeaders("invoke", false);
    const keys = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
    for (const sessionToken of ["session-token-1", undefined, "session-token-1"]) {
      const credentials = { ...keys, sessionToken };
      const theirs = await aws4fetchHeaders(url, headers, "{}", credentials, "us-east-1");
      const ours = await signV4({ url, headers, body: "{}" }, credentials, "us-east-1", new Map(), undefined);
      expect([...new Headers(ours).entries()]).toEqual(theirs);
    }
  });
});
