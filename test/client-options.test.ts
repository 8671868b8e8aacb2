// createBedrock's own options, checked when the client is created: a mistake is a TypeError that
// names the option, never a failure of every call that blames the request, Bedrock or the network.
// What the caller's own functions (fetch, signingCrypto, credentials) give back at call time fails
// as a BedrockEdgeError.
import { getEventListeners } from "node:events";
import { describe, expect, it, vi } from "vitest";
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { createTransport } from "../src/core.ts";
import { BedrockEdgeError, createBedrock } from "../src/index.ts";
import { emulated, model } from "./helpers/emulated.ts";
import { errorOf } from "./helpers/errors.ts";

const hello = { role: "user" as const, content: "Hello" };
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The TypeError createBedrock throws for these options. */
const refusal = (options: Parameters<typeof createBedrock>[0]) =>
  errorOf(() => createBedrock({ credentials: EMULATOR_CREDENTIALS, ...options }), TypeError).message;

describe("options in milliseconds", () => {
  const names = [
    "timeoutMs",
    "idleTimeoutMs",
    "modelReadyTimeoutMs",
    "retryBaseDelayMs",
    "retryMaxDelayMs",
    "cooldownMs",
  ] as const;

  it("are refused beyond the longest a timer can wait (setTimeout would fire them at once), naming the option", () => {
    for (const name of names) {
      for (const value of [MAX_TIMER_MS + 1, 3e9, 1e10]) {
        expect(refusal({ [name]: value }), `${name}: ${value}`).toBe(
          `${name} must be at most 2147483647 ms (about 24.8 days, the longest a timer can wait)`,
        );
      }
      expect(refusal({ [name]: -1 }), name).toBe(`${name} must be a non-negative number of milliseconds`);
      expect(refusal({ [name]: Number.NaN }), name).toBe(`${name} must be a non-negative number of milliseconds`);
    }
  });

  it("timeoutMs and idleTimeoutMs refuse 0, as the proxy's UPSTREAM_TIMEOUT_MS and IDLE_TIMEOUT_MS do (it was read as the default; types48 #4)", () => {
    for (const name of ["timeoutMs", "idleTimeoutMs"] as const) {
      expect(refusal({ [name]: 0 }), name).toBe(`${name} must be at least 1 ms`);
      expect(refusal({ [name]: 0.5 }), name).toBe(`${name} must be at least 1 ms`);
      expect(errorOf(() => createTransport({ [name]: 0 }), TypeError).message, name).toBe(
        `${name} must be at least 1 ms`,
      );
      expect(() => createBedrock({ credentials: EMULATOR_CREDENTIALS, [name]: 1 }), name).not.toThrow();
    }
    // The others take 0: no retry wait, no wait for a cold model, no cool-down.
    for (const name of ["modelReadyTimeoutMs", "retryBaseDelayMs", "retryMaxDelayMs", "cooldownMs"] as const) {
      expect(() => createBedrock({ credentials: EMULATOR_CREDENTIALS, [name]: 0 }), name).not.toThrow();
    }
  });

  it("are taken up to that longest wait, which then waits (no call ends at once)", async () => {
    const longest = Object.fromEntries(names.map((name) => [name, MAX_TIMER_MS]));
    const { bedrock } = emulated(longest);
    const completion = await bedrock.chat.completions.create({ model: model("llama"), messages: [hello] });
    expect(completion.choices[0]!.message.content).toMatch(/^Hello from/);
    const stream = await bedrock.chat.completions.create({
      model: model("llama", "long10"),
      messages: [hello],
      stream: true,
    });
    let chunks = 0;
    for await (const _chunk of stream) chunks++;
    expect(chunks).toBeGreaterThan(10);
  });
});

describe("where and as whom calls go", () => {
  const ARN = "arn:aws:bedrock:us-east-1:123456789012:imported-model/abc123def456";
  const WEST_ARN = "arn:aws:bedrock:us-west-2:123456789012:imported-model/abc123def456";

  it("region, credentials, apiKey, fetch and signingCrypto are checked when the client is created, naming the option", () => {
    const expected: Array<[Parameters<typeof createBedrock>[0], string]> = [
      [{ region: "US-EAST-1" }, 'region must look like us-east-1 (got "US-EAST-1")'],
      [{ region: 5 as unknown as string }, "region must look like us-east-1 (got 5)"],
      [{ region: "not a region" }, 'region must look like us-east-1 (got "not a region")'],
      // A value past 40 characters shows whole words only, or its length (secrets46 #1).
      [{ region: `us-east-1 ${"k".repeat(40)}` }, 'region must look like us-east-1 (got "us-east-1…")'],
      [
        { region: { key: "k".repeat(40) } as unknown as string },
        "region must look like us-east-1 (got a value of 50 characters)",
      ],
      [{ apiKey: 5 as unknown as string }, "apiKey must be a non-empty string"],
      [{ fetch: "nope" as unknown as typeof fetch }, "fetch must be a function"],
      [
        { signingCrypto: {} as never },
        "signingCrypto must be { sha256Hex, hmacSha256 } functions, as bedrock-edge/node's nodeSigningCrypto is",
      ],
      [
        { signingCrypto: { sha256Hex: () => "" } as never },
        "signingCrypto must be { sha256Hex, hmacSha256 } functions, as bedrock-edge/node's nodeSigningCrypto is",
      ],
    ];
    for (const [options, message] of expected) expect(refusal(options), JSON.stringify(options)).toBe(message);
  });

  it('region "" and apiKey "" are not set, as an empty environment variable is (AWS_REGION=): calls are signed with the credentials', async () => {
    // The emulator verifies SigV4 and refuses a Bearer key it does not know: a 200 was signed.
    const { bedrock, emulator } = emulated({ region: "", apiKey: "" });
    await bedrock.chat.completions.create({ model: model("llama"), messages: [{ role: "user", content: "Hi" }] });
    expect(emulator.stats.requests.at(-1)?.status).toBe(200);
    expect(() => createTransport({ region: "", apiKey: "" })).not.toThrow();
  });

  it("credentials in the wrong shape are refused without quoting them; the AWS SDK's credential objects are taken", () => {
    const secret = "AKIAEXAMPLEEXAMPLE12:wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    const shape = "credentials must be { accessKeyId, secretAccessKey, sessionToken? } or a function returning that";
    for (const wrong of [
      secret,
      { accessKeyId: "AKIAEXAMPLEEXAMPLE12" },
      { accessKeyId: "AKIAEXAMPLEEXAMPLE12", secretAccessKey: secret, sessionToken: 5 },
      null,
    ]) {
      expect(refusal({ credentials: wrong as never })).toBe(shape);
    }
    const fromSdk = {
      ...EMULATOR_CREDENTIALS,
      expiration: new Date(Date.now() + 3_600_000),
      accountId: "123456789012",
    };
    expect(() => createBedrock({ credentials: fromSdk })).not.toThrow();
  });

  it("createTransport (bedrock-edge/core) checks the same options", () => {
    expect(() => createTransport({ fetch: "nope" as unknown as typeof fetch })).toThrow(
      new TypeError("fetch must be a function"),
    );
  });

  it("a region that contradicts a listed model's ARN is refused, naming the entry, as the proxy refuses AWS_REGION", () => {
    expect(refusal({ region: "eu-west-1", models: { x: `bedrock/llama/${ARN}` } })).toBe(
      'models["x"]: its ARN is in us-east-1 but the region option is eu-west-1 (a model ARN can only be called in its own region: give it region "us-east-1")',
    );
    expect(
      refusal({
        region: "us-east-1",
        models: { x: { deployments: [{ model: `bedrock/llama/${ARN}` }, { model: `bedrock/llama/${WEST_ARN}` }] } },
      }),
    ).toBe(
      'models["x"].deployments[1]: its ARN is in us-west-2 but the region option is us-east-1 (a model ARN can only be called in its own region: give it region "us-west-2")',
    );
    // Any ARN, such as an application inference profile's, and the entry's own region as the way out.
    const profile =
      "bedrock/converse/arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/a1b2c3d4e5f6";
    expect(refusal({ region: "us-east-1", models: { team: profile } })).toBe(
      'models["team"]: its ARN is in eu-west-1 but the region option is us-east-1 (a model ARN can only be called in its own region: give it region "eu-west-1")',
    );
    // A model that says its region (its entry, or the openai route's model string) is not the client's.
    expect(() =>
      createBedrock({
        credentials: EMULATOR_CREDENTIALS,
        region: "us-east-1",
        models: {
          own: { model: `bedrock/llama/${WEST_ARN}`, region: "us-west-2" },
          routed: { deployments: [{ model: `bedrock/llama/${WEST_ARN}`, region: "us-west-2" }] },
          openai: `bedrock/openai/us-west-2/${WEST_ARN}`,
          same: `bedrock/llama/${ARN}`,
          bare: "bedrock/converse/amazon.nova-pro-v1:0",
        },
      }),
    ).not.toThrow();
  });

  it("a deployment's own credentials and key get the same checks as the client's", () => {
    expect(
      errorOf(
        () =>
          createBedrock({
            models: { x: { deployments: [{ model: `bedrock/llama/${ARN}`, credentials: "AKIA:secret" as never }] } },
          }),
        TypeError,
      ).message,
    ).toBe(
      'models["x"].deployments[0].credentials: deployments[0].credentials must be { accessKeyId, secretAccessKey, sessionToken? } or a function returning that.',
    );
  });
});

describe("onlyListedModels", () => {
  it("refuses a name not in models with a 404 that points at the models option, not at the proxy's GET /v1/models (firsthour48 F5)", async () => {
    const { bedrock, emulator } = emulated({ models: { mine: model("llama") }, onlyListedModels: true });
    const raw = model("qwen3");
    const error = await errorOf(
      () => bedrock.chat.completions.create({ model: raw, messages: [hello] }),
      BedrockEdgeError,
    );
    expect(error).toMatchObject({ status: 404, code: "model_not_found", param: "model" });
    expect(error.message).toBe(
      `The model "${raw}" is not in this client's models option, and onlyListedModels is set.`,
    );
    expect(emulator.stats.requests).toHaveLength(0);
    // The listed name is served.
    await bedrock.chat.completions.create({ model: "mine", messages: [hello] });
    expect(emulator.stats.requests.at(-1)?.status).toBe(200);
  });
});

describe("what a caller's own functions give back, at call time", () => {
  it("a signingCrypto that fails is a BedrockEdgeError naming no secret, not a bare error", async () => {
    const secretEcho = {
      sha256Hex: () => "0".repeat(64),
      hmacSha256: (key: string | ArrayBuffer) => {
        throw new TypeError(`bad key ${String(key)}`);
      },
    };
    const { bedrock, emulator } = emulated({ signingCrypto: secretEcho });
    const error = await errorOf(
      () => bedrock.chat.completions.create({ model: model("llama"), messages: [hello] }),
      BedrockEdgeError,
    );
    expect([error.status, error.code, error.message]).toEqual([
      500,
      "signing_failed",
      "The request could not be signed.",
    ]);
    expect(JSON.stringify({ ...error, cause: error.cause })).not.toContain(EMULATOR_CREDENTIALS.secretAccessKey);
    expect(emulator.stats.requests).toHaveLength(0);
  });

  it("a fetch that resolves to something that is not a Response is a BedrockEdgeError, and the call is released", async () => {
    const controller = new AbortController();
    const { bedrock } = emulated({ fetch: (async () => ({ ok: true })) as unknown as typeof fetch });
    const call = () =>
      errorOf(
        () =>
          bedrock.chat.completions.create({ model: model("llama"), messages: [hello] }, { signal: controller.signal }),
        BedrockEdgeError,
      );
    // The first call loads what it needs; the second is counted.
    await call();
    // The call's own timers, not the process's: other files' timers run in this process too (vitest.config.mts).
    const set = vi.spyOn(globalThis, "setTimeout");
    const cleared = vi.spyOn(globalThis, "clearTimeout");
    const error = await call();
    expect([error.status, error.code]).toEqual([500, "invalid_fetch"]);
    // Released: its timer (timeoutMs) stopped; the signal keeps the one listener it has for every call.
    const made = set.mock.results.map((result) => result.value as unknown);
    expect(made.length).toBeGreaterThan(0);
    expect(made.filter((timer) => !cleared.mock.calls.some(([stopped]) => stopped === timer))).toEqual([]);
    set.mockRestore();
    cleared.mockRestore();
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
  });

  it("a credentials function that gives back the wrong shape is a BedrockEdgeError (missing_credentials)", async () => {
    const { bedrock } = emulated({ credentials: async () => ({ accessKeyId: 5 }) as never });
    const error = await errorOf(
      () => bedrock.chat.completions.create({ model: model("llama"), messages: [hello] }),
      BedrockEdgeError,
    );
    expect([error.status, error.code]).toEqual([500, "missing_credentials"]);
  });
});
