import { describe, expect, it, onTestFinished, vi } from "vitest";
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { chunkFrame } from "../emulator/frames.ts";
import { createEmulator } from "../emulator/handler.ts";
import { emulatorModelId } from "../emulator/model-id.ts";
import { createBedrock } from "../src/index.ts";
import { cutBody } from "../test/helpers/cut-body.ts";
import { bodyLocked, pacedBody, settledAfter, stalledBody } from "../test/helpers/stalled-body.ts";
import { createApp, type LogLine } from "./app.ts";
import { DRAIN_WINDOW_MS, MAX_DRAIN_MS, MAX_DRAINED_BYTES, READ_WINDOW_MS } from "./body.ts";
import type { ProxyEnv } from "./config.ts";
import { misconfiguredUnlisted } from "./http.ts";

/** Bindings whose MODELS cannot even be read: a setup failure nobody planned for. */
function unreadableEnv(reads: { count: number }): ProxyEnv {
  return {
    PROXY_API_KEYS: "sk-one",
    get MODELS(): string {
      reads.count++;
      throw new RangeError("the binding store is gone");
    },
  };
}

describe("a setup that fails unexpectedly", () => {
  it("is a configuration problem: /health 503, chat 500 proxy_misconfigured, each request logged, built once", async () => {
    const logs: LogLine[] = [];
    const reads = { count: 0 };
    const env = unreadableEnv(reads);
    const app = createApp({ log: (line) => logs.push(line) });

    const health = await app.request("/health", { headers: { authorization: "Bearer sk-one" } }, env);
    expect(health.status).toBe(503);
    const { problems } = (await health.json()) as { problems: string[] };
    expect(problems).toEqual([expect.stringMatching(/could not be set up.*the binding store is gone/)]);

    const chat = await app.request(
      "/v1/chat/completions",
      { method: "POST", headers: { authorization: "Bearer sk-one", "content-type": "application/json" }, body: "{}" },
      env,
    );
    expect(chat.status).toBe(500);
    expect(await chat.json()).toMatchObject({
      error: { code: "proxy_misconfigured", message: expect.stringMatching(/binding store is gone/) },
    });

    expect(logs.map((line) => [line.path, line.status, line.error_code])).toEqual([
      ["/health", 503, "proxy_misconfigured"],
      ["/v1/chat/completions", 500, "proxy_misconfigured"],
    ]);
    expect(logs[0]!.error).toMatch(/binding store is gone/);
    expect(reads.count).toBe(1);
  });

  it("is told without a secret or an AWS account id its failure quoted, in /health, the 500 and the log", async () => {
    const logs: LogLine[] = [];
    const env = {
      PROXY_API_KEYS: "sk-one",
      AWS_SECRET_ACCESS_KEY: "zzSecretAccessKey/SECRET+0001zzzzzzzzzz",
      get MODELS(): string {
        throw new RangeError(
          "store gone (secret zzSecretAccessKey/SECRET+0001zzzzzzzzzz, role arn:aws:iam::123456789012:role/x)",
        );
      },
    };
    const app = createApp({ env, log: (line) => logs.push(line) });
    const headers = { authorization: "Bearer sk-one", "content-type": "application/json" };
    const health = await app.request("/health", { headers });
    const chat = await app.request("/v1/chat/completions", { method: "POST", headers, body: "{}" });
    expect([health.status, chat.status]).toEqual([503, 500]);
    const said = [await health.text(), await chat.text(), ...logs.map((line) => JSON.stringify(line))].join("\n");
    expect(said).toMatch(/could not be set up \(RangeError: store gone/);
    expect(said).not.toContain("SECRET+0001");
    expect(said).not.toContain("123456789012");
  });

  it("with the bindings given to createApp, createApp itself does not throw", async () => {
    const app = createApp({ env: unreadableEnv({ count: 0 }), log: () => undefined });
    const health = await app.request("/health");
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: "misconfigured", problem_count: 1 });
  });
});

describe("MODELS checked against AWS_REGION while another binding is wrong", () => {
  const WEST = "arn:aws:bedrock:us-west-2:123456789012:imported-model/abc123def456";
  const EAST = "arn:aws:bedrock:us-east-1:123456789012:imported-model/abc123def456";
  const problemsOf = async (env: ProxyEnv) => {
    const answer = await createApp({ env, log: () => undefined }).request("/health", {
      headers: { authorization: "Bearer sk-one" },
    });
    return ((await answer.json()) as { problems: string[] }).problems;
  };
  const base = {
    PROXY_API_KEYS: "sk-one",
    AWS_ACCESS_KEY_ID: "AKIAEXAMPLEEXAMPLE12",
    AWS_SECRET_ACCESS_KEY: "secret",
    BEDROCK_MAX_RETRIES: "lots",
  };

  it("still has every entry's chat_template compiled, whatever region the entries are in", async () => {
    const models = {
      west: { model: `bedrock/llama/${WEST}`, chat_template: "{% for %}" },
      east: `bedrock/llama/${EAST}`,
      nova: "bedrock/converse/amazon.nova-pro-v1:0",
    };
    const unset = await problemsOf({ ...base, MODELS: JSON.stringify(models) });
    expect(unset).toEqual([
      'MODELS["nova"]: amazon.nova-pro-v1:0 names no region: set AWS_REGION, or this entry\'s "region"',
      'BEDROCK_MAX_RETRIES must be an integer >= 0 in decimal digits, got "lots"',
      expect.stringMatching(/^MODELS\["west"\]\.chat_template: /),
    ]);
    const east = await problemsOf({ ...base, MODELS: JSON.stringify(models), AWS_REGION: "us-east-1" });
    expect(east).toEqual([
      expect.stringMatching(/^MODELS\["west"\]: its ARN is in us-west-2 but AWS_REGION is us-east-1/),
      'BEDROCK_MAX_RETRIES must be an integer >= 0 in decimal digits, got "lots"',
    ]);
    const west = await problemsOf({ ...base, MODELS: JSON.stringify(models), AWS_REGION: "us-west-2" });
    expect(west).toEqual([
      expect.stringMatching(/^MODELS\["east"\]: its ARN is in us-east-1 but AWS_REGION is us-west-2/),
      'BEDROCK_MAX_RETRIES must be an integer >= 0 in decimal digits, got "lots"',
      expect.stringMatching(/^MODELS\["west"\]\.chat_template: /),
    ]);
  });
});

describe("what the operator is told to fix, on a Node, Deno or Bun server as in a Worker (firsthour22 #6)", () => {
  it("names a Worker's secrets and, elsewhere, environment variables; never only the Worker's vars or log", async () => {
    const logs: LogLine[] = [];
    // A Node server started with nothing set (examples/proxy/node.ts): env from process.env.
    const app = createApp({ env: { AWS_ACCESS_KEY_ID: "AKIAEXAMPLEEXAMPLE12" }, log: (line) => logs.push(line) });
    const chat = await app.request("/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }),
    });
    const health = await app.request("/health");
    const told = [
      ((await chat.json()) as { error: { message: string } }).error.message,
      ((await health.json()) as { message: string }).message,
      ...logs.map((line) => line.error ?? ""),
      misconfiguredUnlisted(2).message,
    ];
    expect(told[0]).toContain(
      "(a Worker secret: wrangler secret put PROXY_API_KEYS; elsewhere an environment variable)",
    );
    expect(told[1]).toBe("PROXY_API_KEYS is not set, so every call is refused; the proxy's log lists every problem.");
    const all = told.join("\n");
    expect(all).toContain(
      "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_BEARER_TOKEN_BEDROCK (each a Worker secret: wrangler secret put NAME; elsewhere an environment variable)",
    );
    expect(all).toContain("Fix its settings (a Worker's vars and secrets, elsewhere the environment;");
    expect(all).not.toMatch(/the Worker's (vars|log)|\(wrangler secret put[^;]*\)|\.dev\.vars/);
  });
});

describe("a MODELS entry with a <region>/ segment (firsthour22 #13)", () => {
  it("on a route other than openai: /health ok beside another AWS_REGION, the call signed for the segment's region", async () => {
    const emulator = createEmulator();
    const scopes: string[] = [];
    const west = emulatorModelId("llama", [], "eu-west-1");
    const app = createApp({
      env: {
        MODELS: JSON.stringify({ west: `bedrock/llama/eu-west-1/${west}` }),
        PROXY_API_KEYS: "sk-one",
        AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
        AWS_REGION: "us-east-1",
        BEDROCK_ENDPOINT: "http://bedrock.emulator",
      },
      fetch: (input, init) => {
        const request = new Request(input, init);
        scopes.push(/Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(request.headers.get("authorization") ?? "")?.[1] ?? "");
        return emulator.fetch(request);
      },
      log: () => undefined,
    });
    const headers = { authorization: "Bearer sk-one", "content-type": "application/json" };
    const health = await app.request("/health", { headers });
    expect(await health.json()).toEqual({ status: "ok", models: 1 });
    const answer = await app.request("/v1/chat/completions", {
      method: "POST",
      headers,
      body: JSON.stringify({ model: "west", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ choices: [{ message: { content: expect.stringMatching(/^Hello/) } }] });
    expect(scopes).toEqual(["eu-west-1"]);
  });
});

describe("createApp's own options in milliseconds", () => {
  it("are checked as the bindings are: a keepAliveMs no timer can wait is a configuration problem naming it", async () => {
    const env = {
      PROXY_API_KEYS: "sk-one",
      MODELS: JSON.stringify({ m: "bedrock/llama/arn:aws:bedrock:us-east-1:123456789012:imported-model/abc123def456" }),
      AWS_ACCESS_KEY_ID: "AKIAEXAMPLEEXAMPLE12",
      AWS_SECRET_ACCESS_KEY: "secret",
    };
    const health = async (options: { keepAliveMs?: number; retryBaseDelayMs?: number }) => {
      const answer = await createApp({ env, log: () => undefined, ...options }).request("/health", {
        headers: { authorization: "Bearer sk-one" },
      });
      return { status: answer.status, problems: ((await answer.json()) as { problems?: string[] }).problems };
    };
    expect((await health({ keepAliveMs: 2 ** 31 - 1 })).status).toBe(200);
    expect(await health({ keepAliveMs: 3e9 })).toEqual({
      status: 503,
      problems: [
        "the proxy could not be set up (TypeError: keepAliveMs must be at most 2147483647 ms (about 24.8 days, the longest a timer can wait))",
      ],
    });
    // As SSE_KEEPALIVE_MS: below 10 ms the comments would be noise.
    expect((await health({ keepAliveMs: 5 })).problems).toEqual([
      "the proxy could not be set up (TypeError: keepAliveMs must be at least 10 ms)",
    ]);
    expect((await health({ retryBaseDelayMs: 3e9 })).problems).toEqual([
      expect.stringContaining("retryBaseDelayMs must be at most 2147483647 ms"),
    ]);
  });
});

describe("Retry-After from upstream", () => {
  /** What the proxy tells a client whose chat request Bedrock throttled with these headers. */
  async function throttledWith(headers: Record<string, string>): Promise<Response> {
    const app = createApp({
      env: {
        PROXY_API_KEYS: "sk-one",
        MODELS: JSON.stringify({ llama: "bedrock/llama/arn:aws:bedrock:us-east-1:123456789012:imported-model/x" }),
        AWS_ACCESS_KEY_ID: "AKIAEXAMPLEEXAMPLE12",
        AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        BEDROCK_MAX_RETRIES: "0",
      },
      fetch: async () =>
        new Response(JSON.stringify({ message: "Too many requests, please wait before trying again." }), {
          status: 429,
          headers: { "x-amzn-errortype": "ThrottlingException", ...headers },
        }),
      log: () => undefined,
    });
    return app.request("/v1/chat/completions", {
      method: "POST",
      headers: { authorization: "Bearer sk-one", "content-type": "application/json" },
      body: JSON.stringify({ model: "llama", messages: [{ role: "user", content: "hi" }] }),
    });
  }

  it("Bedrock's own retry-after reaches the client, rounded up to whole seconds", async () => {
    const response = await throttledWith({ "retry-after-ms": "6500" });
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("7");
    expect(await response.json()).toMatchObject({ error: { code: "rate_limit_exceeded" } });
  });

  it("an upstream hint in none of RFC 9110's forms is no hint: the proxy's default, not a retry at once nor in years (timebounds17 #3)", async () => {
    const asked: Record<string, string>[] = [
      { "retry-after": "-1" },
      { "retry-after": "soon 5" },
      { "retry-after": "abc 2030" },
      { "retry-after": "0x3c" },
      { "retry-after-ms": "" },
      { "retry-after-ms": "0x10" },
    ];
    for (const headers of asked) {
      const response = await throttledWith(headers);
      await response.text();
      // 5 s: worker/http.ts's DEFAULT_RETRY_AFTER_S, what a throttled call without a hint is told.
      expect([headers, response.headers.get("retry-after")]).toEqual([headers, "5"]);
    }
  });

  it("an upstream's absurd retry-after: at most 59 s (the longest the AI SDK waits for, docsdrift18 #1), and an integer, never Infinity, and never shorter for a longer hint (injection12 #6, codereview25 #1)", async () => {
    const told: Record<string, string | null> = {};
    // Whole seconds are digits only (RFC 9110's delay-seconds), so the powers of ten are written out.
    const tenTo = (power: bigint) => (10n ** power).toString();
    const asked: Array<[string, Record<string, string>]> = [
      ["retry-after 10^305", { "retry-after": tenTo(305n) }],
      ["retry-after 10^306", { "retry-after": tenTo(306n) }],
      ["retry-after 10^308", { "retry-after": tenTo(308n) }],
      ["retry-after 31536000000", { "retry-after": "31536000000" }],
      ["retry-after-ms 10^308", { "retry-after-ms": tenTo(308n) }],
      ["retry-after 61", { "retry-after": "61" }],
      ["retry-after 60", { "retry-after": "60" }],
    ];
    for (const [name, headers] of asked) {
      const response = await throttledWith(headers);
      await response.text();
      told[name] = `${response.status} ${response.headers.get("retry-after")}`;
    }
    // 10^306 and 10^308 seconds are more milliseconds than a number holds: kept as very long hints,
    // so the cap, as for 10^305 (a longer hint never tells the client to come back sooner).
    expect(told).toEqual({
      "retry-after 10^305": "429 59",
      "retry-after 10^306": "429 59",
      "retry-after 10^308": "429 59",
      "retry-after 31536000000": "429 59",
      "retry-after-ms 10^308": "429 59",
      "retry-after 61": "429 59",
      "retry-after 60": "429 59",
    });
  });
});

describe("configuration problems never quote a secret put in the wrong field", () => {
  const LLAMA = "bedrock/llama/arn:aws:bedrock:us-east-1:123456789012:imported-model/abc123def456";
  const base = {
    PROXY_API_KEYS: "sk-zzproxy-SECRET-0006",
    AWS_ACCESS_KEY_ID: "AKIAZZSECRETAKID0001",
    AWS_SECRET_ACCESS_KEY: "zzSecretAccessKey/SECRET+0001zzzzzzzzzz",
    AWS_REGION: "us-east-1",
  };
  const secondCopy = (fields: Record<string, unknown>) =>
    JSON.stringify({ m: { deployments: [{ model: LLAMA }, { model: LLAMA, region: "us-west-2", ...fields }] } });

  /** /health and a chat call with a key that may read the problems, and every log line they wrote. */
  async function everythingSaid(env: ProxyEnv): Promise<{ problems: string[]; said: string }> {
    const logs: LogLine[] = [];
    const app = createApp({ env, log: (line) => logs.push(line) });
    const headers = { authorization: "Bearer sk-zzproxy-SECRET-0006", "content-type": "application/json" };
    const health = await app.request("/health", { headers });
    expect(health.status).toBe(503);
    const healthText = await health.text();
    const chat = await app.request("/v1/chat/completions", {
      method: "POST",
      headers,
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(chat.status).toBe(500);
    const chatText = await chat.text();
    expect(logs).toHaveLength(2);
    const { problems } = JSON.parse(healthText) as { problems: string[] };
    return { problems, said: [healthText, chatText, ...logs.map((line) => JSON.stringify(line))].join("\n") };
  }

  // The review's three cases (secrets2, finding 2), then a secret the proxy knows.
  it("a Bedrock API key as a deployment's api_key", async () => {
    const { problems, said } = await everythingSaid({
      ...base,
      MODELS: secondCopy({ api_key: "ABSKzzWESTBEARERSECRET0005" }),
    });
    expect(problems).toEqual([expect.stringMatching(/^MODELS\["m"\]\.deployments\[1\]\.api_key: names no binding/)]);
    expect(said).not.toContain("ABSKzz");
  });

  it("an access key id as a deployment's credentials.access_key_id", async () => {
    const { problems, said } = await everythingSaid({
      ...base,
      MODELS: secondCopy({
        credentials: { access_key_id: "AKIAZZWESTSECRET0003", secret_access_key: "AWS_SECRET_ACCESS_KEY_WEST" },
      }),
      // A binding of the operator's own naming: no field of ProxyEnv.
      ...{ AWS_SECRET_ACCESS_KEY_WEST: "zzWestSecretKey/SECRET+0003zzzzzzzzzzzzz" },
    });
    expect(problems).toEqual([
      expect.stringMatching(/^MODELS\["m"\]\.deployments\[1\]\.credentials\.access_key_id: names no binding/),
    ]);
    expect(said).not.toMatch(/AKIAZZWEST|SECRET/);
  });

  it("API_KEYS keyed by the key", async () => {
    const { problems, said } = await everythingSaid({
      ...base,
      MODELS: JSON.stringify({ m: LLAMA }),
      API_KEYS: JSON.stringify({ "sk-zzteam-SECRET-0008": { models: ["m"] } }),
    });
    expect(problems).toEqual([
      expect.stringMatching(/^API_KEYS \(entry 1, its name not shown\)\.key: must be the key/),
    ]);
    expect(said).not.toContain("SECRET");
  });

  it("an entry that forgot its key, named as a model is, leaves that name readable in every problem", async () => {
    const { problems } = await everythingSaid({
      ...base,
      MODELS: JSON.stringify({ m: LLAMA, qwen: "bedrock/nonsense-route/x" }),
      // "qwen" is written in MODELS, refused or not (docsdrift49a S1): "qwen-2" is the name missing.
      API_KEYS: JSON.stringify({ qwen: { models: ["qwen", "qwen-2"] } }),
    });
    expect(problems).toEqual([
      expect.stringMatching(/^MODELS\["qwen"\]: Unknown model .*qwen3, qwen2/),
      expect.stringMatching(/^API_KEYS \(entry 1, its name not shown\)\.key: must be the key/),
      'API_KEYS (entry 1, its name not shown).models: "qwen-2" is not a MODELS name',
    ]);
    expect(problems.join("\n")).not.toContain("[redacted]");
  });

  it("an AWS secret access key swapped with the region it was meant to sit beside (config5, finding 1)", async () => {
    const secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYzzSECRETzz";
    const { problems, said } = await everythingSaid({
      ...base,
      MODELS: JSON.stringify({ m: LLAMA }),
      AWS_REGION: secret,
      AWS_SECRET_ACCESS_KEY: "eu-west-2",
    });
    expect(problems).toEqual(["AWS_REGION must be an AWS region like us-east-1, got [redacted: 40 characters]"]);
    for (const part of [secret.slice(0, 10), secret.slice(15, 25), secret.slice(-10)]) expect(said).not.toContain(part);
  });

  it.each([
    ["AWS_REGION", "sk-live-zzPROXYSECRET00000000000001"],
    ["BEDROCK_MAX_RETRIES", "sk-live-zzPROXYSECRET00000000000001"],
    ["MAX_BODY_BYTES", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYzzSECRETzz"],
    ["UPSTREAM_TIMEOUT_MS", "sk-live-zzPROXYSECRET00000000000001"],
    ["MODEL_READY_TIMEOUT_MS", "123e4567-e89b-12d3-a456-426614174000"],
    ["DEPLOYMENT_COOLDOWN_MS", "sk-short1"],
    ["DROP_PARAMS", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYzzSECRETzz"],
    ["CORS_ORIGINS", "sk-live-zzPROXYSECRET00000000000001"],
    ["CORS_ORIGINS", "https://sk-live-zzPROXYSECRET00000000000001.com/"],
    ["BEDROCK_ENDPOINT", "sk-live-zzPROXYSECRET00000000000001"],
    ["BEDROCK_ENDPOINT", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYzzSECRETzz"],
    ["BEDROCK_ENDPOINT", "zzSecretKeyWithAColon:wJalrXUtnFEMI/K7MDENG+bPx"],
  ])("a secret nobody holds in %s reads [redacted: <length> characters]", async (binding, secret) => {
    const { problems, said } = await everythingSaid({
      ...base,
      MODELS: JSON.stringify({ m: LLAMA }),
      [binding]: secret,
    });
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^${binding}\\b.*\\[redacted: \\d+ characters\\]`))]);
    for (const part of [secret.slice(0, 9), secret.slice(-9)]) expect(said).not.toContain(part);
  });

  it("a secret the proxy holds, quoted as a binding's name, is cut from /health and the 500 as from the log", async () => {
    // A client key given where the Bedrock API key's binding belongs: it reads as a name.
    const { problems, said } = await everythingSaid({
      ...base,
      PROXY_API_KEYS: "sk-zzproxy-SECRET-0006,teamalphakey",
      MODELS: secondCopy({ api_key: "teamalphakey" }),
    });
    expect(problems).toEqual([
      'MODELS["m"].deployments[1].api_key: the binding [redacted] is not set (a Worker secret: wrangler secret put [redacted]; elsewhere an environment variable)',
    ]);
    expect(said).not.toContain("teamalphakey");
  });

  // Every secret binding's value is known, trimmed as a binding put from a file ends in a newline,
  // and so are the credentials a deployment names, the configuration right or wrong.
  it.each<[string, Record<string, unknown>, string]>([
    ["AWS_SESSION_TOKEN", { AWS_SESSION_TOKEN: "zzsessiontoken0001" }, "zzsessiontoken0001"],
    ["AWS_SESSION_TOKEN, put with a newline", { AWS_SESSION_TOKEN: "zzsessiontoken0001\n" }, "zzsessiontoken0001"],
    ["AWS_BEARER_TOKEN_BEDROCK", { AWS_BEARER_TOKEN_BEDROCK: "zzbearertoken0001" }, "zzbearertoken0001"],
    [
      "OTEL_EXPORTER_OTLP_HEADERS",
      {
        OTEL_EXPORTER_OTLP_HEADERS: "x-api-key=zzotlpheader0001",
        OTEL_EXPORTER_OTLP_ENDPOINT: "https://otlp.example.com",
      },
      "zzotlpheader0001",
    ],
    [
      "AWS_ACCESS_KEY_ID, of another SigV4 server",
      { AWS_ACCESS_KEY_ID: "zzaccesskeyid0001", BEDROCK_ENDPOINT: "http://localhost:4566" },
      "zzaccesskeyid0001",
    ],
    [
      "another entry's deployment credentials",
      {
        west: {
          deployments: [
            { model: LLAMA, credentials: { access_key_id: "KEY_ID_WEST", secret_access_key: "SECRET_WEST" } },
          ],
        },
        KEY_ID_WEST: "AKIAZZWESTKEYID00001",
        SECRET_WEST: "zzwestsecret0001",
      },
      "zzwestsecret0001",
    ],
  ])(
    "a secret of %s, quoted as a binding's name, is cut from /health, the 500 and the log",
    async (_, given, secret) => {
      const { west, ...bindings } = given;
      const models = { ...(JSON.parse(secondCopy({ api_key: secret })) as object), ...(west ? { west } : {}) };
      const { problems, said } = await everythingSaid({ ...base, MODELS: JSON.stringify(models), ...bindings });
      expect(problems).toEqual([
        'MODELS["m"].deployments[1].api_key: the binding [redacted] is not set (a Worker secret: wrangler secret put [redacted]; elsewhere an environment variable)',
      ]);
      expect(said).not.toContain(secret);
    },
  );

  it("a secret of the same entry's other deployment, whose entry fails to resolve, is cut as well (pins50)", async () => {
    // The entry's failure drops its resolved credentials; the bindings its deployments name are
    // still secrets, read from MODELS as written.
    const secret = "zzsameentrysecret0001";
    const models = {
      m: {
        deployments: [
          { model: LLAMA, credentials: { access_key_id: "KEY_ID_M", secret_access_key: "SECRET_M" } },
          { model: LLAMA, region: "us-west-2", api_key: secret },
        ],
      },
    };
    const env: ProxyEnv & Record<string, string> = {
      ...base,
      MODELS: JSON.stringify(models),
      KEY_ID_M: "AKIAZZSAMEENTRY00001",
      SECRET_M: secret,
    };
    const { problems, said } = await everythingSaid(env);
    expect(problems).toEqual([
      'MODELS["m"].deployments[1].api_key: the binding [redacted] is not set (a Worker secret: wrangler secret put [redacted]; elsewhere an environment variable)',
    ]);
    expect(said).not.toContain(secret);
  });

  it("a chat_template that does not compile, in an entry named by a key, is told without the key", async () => {
    const WEST = "arn:aws:bedrock:us-west-2:123456789012:imported-model/abc123def456";
    const key = "sk-zzproxy-SECRET-0006";
    const app = createApp({
      env: {
        ...base,
        AWS_REGION: "us-west-2",
        MODELS: JSON.stringify({ [key]: { model: `bedrock/llama/${WEST}`, chat_template: `{% for ${key} %}` } }),
      },
      log: () => undefined,
    });
    const health = await app.request("/health", { headers: { authorization: `Bearer ${key}` } });
    const text = await health.text();
    expect(health.status).toBe(503);
    expect((JSON.parse(text) as { problems: string[] }).problems).toEqual([expect.stringMatching(/chat_template: /)]);
    expect(text).not.toContain("SECRET-0006");
  });
});

describe("a [vars] value written without quotes (config5, finding 3)", () => {
  const env = {
    PROXY_API_KEYS: "sk-one",
    MODELS: JSON.stringify({ m: "bedrock/llama/arn:aws:bedrock:us-east-1:123456789012:imported-model/abc123def456" }),
    AWS_ACCESS_KEY_ID: "AKIAEXAMPLEEXAMPLE12",
    AWS_SECRET_ACCESS_KEY: "zzSecretAccessKey/SECRET+0001zzzzzzzzzz",
  };

  it("CORS_ORIGINS as a list of origins: preflights from them are answered", async () => {
    const app = createApp({ env: { ...env, CORS_ORIGINS: ["https://app.example.com"] }, log: () => undefined });
    const health = await app.request("/health", { headers: { authorization: "Bearer sk-one" } });
    expect(health.status).toBe(200);
    const preflight = await app.request("/v1/chat/completions", {
      method: "OPTIONS",
      headers: { origin: "https://app.example.com", "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
  });

  it("OTEL_EXPORTER_OTLP_HEADERS as a table: a problem, and neither its values nor any other secret quoted", async () => {
    const logs: LogLine[] = [];
    const app = createApp({
      env: {
        ...env,
        PROXY_API_KEYS: "sk-one,teamalphakey",
        // A key where a binding's name belongs: only the proxy's list of its secrets cuts it.
        MODELS: JSON.stringify({
          m: {
            deployments: [
              { model: "bedrock/llama/arn:aws:bedrock:us-east-1:123456789012:imported-model/abc123def456" },
              {
                model: "bedrock/llama/arn:aws:bedrock:us-east-1:123456789012:imported-model/abc",
                api_key: "teamalphakey",
              },
            ],
          },
        }),
        OTEL_EXPORTER_OTLP_ENDPOINT: "https://otlp.example.com",
        OTEL_EXPORTER_OTLP_HEADERS: { "x-api-key": "k-otel-123" } as never,
      },
      log: (line) => logs.push(line),
    });
    const health = await app.request("/health", { headers: { authorization: "Bearer sk-one" } });
    expect(health.status).toBe(503);
    const text = await health.text();
    expect((JSON.parse(text) as { problems: string[] }).problems).toEqual([
      'MODELS["m"].deployments[1].api_key: the binding [redacted] is not set (a Worker secret: wrangler secret put [redacted]; elsewhere an environment variable)',
      "OTEL_EXPORTER_OTLP_HEADERS must be a string, got an object (in wrangler.toml's [vars], put the value in quotes)",
    ]);
    expect(`${text}${JSON.stringify(logs)}`).not.toMatch(/teamalphakey|k-otel-123/);
  });
});

describe("a number binding that is only whitespace (config5, finding 5)", () => {
  it('is its default: BEDROCK_MAX_RETRIES " " retries a model throttled twice, as an unset one does', async () => {
    const emulator = createEmulator();
    const app = createApp({
      env: {
        MODELS: JSON.stringify({ llama: `bedrock/llama/${emulatorModelId("llama", ["throttle2"])}` }),
        PROXY_API_KEYS: "sk-one",
        AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
        BEDROCK_ENDPOINT: "http://bedrock.emulator",
        BEDROCK_MAX_RETRIES: " ",
      },
      fetch: (input, init) => emulator.fetch(new Request(input, init)),
      retryBaseDelayMs: 1,
      log: () => undefined,
    });
    const answer = await app.request("/v1/chat/completions", {
      method: "POST",
      headers: { authorization: "Bearer sk-one", "content-type": "application/json" },
      body: JSON.stringify({ model: "llama", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(answer.status).toBe(200);
    await answer.text();
  });
});

describe("a step of the wall clock during a request (NTP, a VM resumed: Node, Deno, Bun) (timebounds17 #6)", () => {
  it("does not show in the log line's ms and ttft_ms: those are the monotonic clock's", async () => {
    const wallClock = Date.now;
    // The step the next call to Bedrock makes, and the step made so far.
    let step = 0;
    let stepMs = 0;
    const stepped = vi.spyOn(Date, "now").mockImplementation(() => wallClock() + stepMs);
    onTestFinished(() => {
      stepped.mockRestore();
    });
    // The emulator keeps the true time: the signature was made before the step.
    const emulator = createEmulator({ now: () => wallClock() });
    const logs: LogLine[] = [];
    const app = createApp({
      env: {
        MODELS: JSON.stringify({ llama: `bedrock/llama/${emulatorModelId("llama")}` }),
        PROXY_API_KEYS: "sk-one",
        AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
        BEDROCK_ENDPOINT: "http://bedrock.emulator",
      },
      fetch: async (input, init) => {
        const request = new Request(input, init);
        stepMs = step;
        return emulator.fetch(request);
      },
      log: (line) => logs.push(line),
    });
    for (step of [3_600_000, -3_600_000]) {
      stepMs = 0;
      logs.length = 0;
      const answer = await app.request("/v1/chat/completions", {
        method: "POST",
        headers: { authorization: "Bearer sk-one", "content-type": "application/json" },
        body: JSON.stringify({ model: "llama", messages: [{ role: "user", content: "hi" }], stream: true }),
      });
      expect(answer.status).toBe(200);
      await answer.text();
      await vi.waitFor(() => expect(logs).toHaveLength(1));
      const [line] = logs;
      expect([step, line!.status]).toEqual([step, 200]);
      expect(line!.ms).toBeGreaterThanOrEqual(0);
      expect(line!.ms).toBeLessThan(60_000);
      expect(Number.isInteger(line!.ms)).toBe(true);
      expect(line!.ttft_ms).toBeGreaterThanOrEqual(0);
      expect(line!.ttft_ms).toBeLessThanOrEqual(line!.ms);
    }
  });
});

/** A proxy of one imported model, for the tests below: its key, and AWS credentials that are secrets too. */
const ONE_MODEL = {
  MODELS: JSON.stringify({ llama: "bedrock/llama/arn:aws:bedrock:us-east-1:123456789012:imported-model/abc123def456" }),
  PROXY_API_KEYS: "sk-model-swap-0001",
  AWS_ACCESS_KEY_ID: "AKIAZZMODELSWAPAKID1",
  AWS_SECRET_ACCESS_KEY: "zzModelSwapSecretAccessKey000000000000",
};

describe("a chat stream Bedrock ends cleanly before the model's stop reason", () => {
  it("reaches the client as its text, then an incomplete_stream error event, never [DONE]; logged a 502", async () => {
    const frames = [
      chunkFrame({ generation: "Once", stop_reason: null }, 0),
      chunkFrame({ generation: " upon", stop_reason: null }, 1),
    ];
    const body = new Uint8Array(frames[0]!.byteLength + frames[1]!.byteLength);
    body.set(frames[0]!);
    body.set(frames[1]!, frames[0]!.byteLength);
    const logs: LogLine[] = [];
    const app = createApp({
      env: ONE_MODEL,
      fetch: async () =>
        new Response(body.slice(), { headers: { "content-type": "application/vnd.amazon.eventstream" } }),
      log: (line) => logs.push(line),
    });
    const answer = await app.request("/v1/chat/completions", {
      method: "POST",
      headers: { authorization: `Bearer ${ONE_MODEL.PROXY_API_KEYS}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "llama", messages: [{ role: "user", content: "Tell me" }], stream: true }),
    });
    const events = (await answer.text()).split("\n\n").filter(Boolean);
    const data = events.map((event) => JSON.parse(event.slice("data: ".length)) as Record<string, unknown>);
    const texts = data.map(
      (event) => (event.choices as Array<{ delta: { content?: string } }> | undefined)?.[0]?.delta.content,
    );
    expect(texts.join("")).toBe("Once upon");
    expect(data.at(-1)).toMatchObject({ error: { code: "incomplete_stream", type: "server_error" } });
    expect(events).not.toContain("data: [DONE]");
    expect(logs.map((line) => [line.status, line.error_code])).toEqual([[502, "incomplete_stream"]]);
  });
});

describe("a client that stops sending its request body", () => {
  it("is logged as having left (499), not as the proxy's fault, whatever its runtime says of the read", async () => {
    const logs: LogLine[] = [];
    const answer = await createApp({ env: ONE_MODEL, log: (line) => logs.push(line) }).request("/v1/chat/completions", {
      method: "POST",
      headers: {
        authorization: `Bearer ${ONE_MODEL.PROXY_API_KEYS}`,
        "content-type": "application/json",
        "content-length": "9000",
      },
      // What Deno's read gives when the connection goes mid-upload; its request.signal stays quiet.
      body: cutBody(),
      duplex: "half",
    } as RequestInit);
    expect(answer.status).toBe(400);
    await answer.text();
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ status: 499, error: "the client stopped sending its request body" });
  });
});

/**
 * The app, its state built first; then only timers are faked (a key's digest and setImmediate stay
 * real), for the tests of bodies that stall or come slowly.
 */
async function appOnFakeTimers(logs: LogLine[], env: ProxyEnv = ONE_MODEL) {
  const app = createApp({ env, log: (line) => logs.push(line) });
  await (await app.request("/health")).text();
  logs.length = 0;
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  onTestFinished(() => {
    vi.useRealTimers();
  });
  return app;
}

describe("a request body that stalls, on an answer that does not read it (codereview28 #1)", () => {
  /** A preflight, whose 204 is no refusal, carrying `body`. */
  const preflight = (body: ReadableStream<Uint8Array>) =>
    ({
      method: "OPTIONS",
      headers: { origin: "https://app.example.com", "access-control-request-method": "POST" },
      body,
      duplex: "half",
    }) as RequestInit;

  it("an answer that is no refusal (a preflight's 204) goes when the first window is up, the body given up (codereview29 #2)", async () => {
    const logs: LogLine[] = [];
    const app = await appOnFakeTimers(logs, { ...ONE_MODEL, CORS_ORIGINS: "https://app.example.com" });
    const sent = stalledBody();
    const answer = Promise.resolve(app.request("/v1/chat/completions", preflight(sent.body)));
    await bodyLocked(sent.body);
    expect(await settledAfter(answer, DRAIN_WINDOW_MS - 1)).toBe(false);
    expect(await settledAfter(answer, 1)).toBe(true);
    expect((await answer).status).toBe(204);
    expect(sent.cancelled()).toBe(true);
  });

  it("a refusal made before the body is read (401, 404) goes when the first window is up, the body given up", async () => {
    const logs: LogLine[] = [];
    const app = await appOnFakeTimers(logs, { ...ONE_MODEL, CORS_ORIGINS: "https://app.example.com" });
    for (const [path, headers, status] of [
      ["/v1/chat/completions", {}, 401],
      ["/v1/nothing", { authorization: `Bearer ${ONE_MODEL.PROXY_API_KEYS}` }, 404],
    ] as const) {
      const sent = stalledBody();
      const answer = Promise.resolve(
        app.request(path, { method: "POST", headers, body: sent.body, duplex: "half" } as RequestInit),
      );
      await bodyLocked(sent.body);
      expect(await settledAfter(answer, DRAIN_WINDOW_MS)).toBe(true);
      expect((await answer).status).toBe(status);
      // The body given up, its connection goes with the answer (runtimes47 #3).
      expect((await answer).headers.get("connection")).toBe("close");
      await (await answer).text();
      expect(sent.cancelled()).toBe(true);
    }
    expect(logs.map((line) => line.status)).toEqual([401, 404]);
  });

  it("an upload at 10 Mbit/s that outlasts a window is read to its end first: a 401, and a preflight's 204 (codereview29 #1, #2)", async () => {
    const logs: LogLine[] = [];
    const app = await appOnFakeTimers(logs, { ...ONE_MODEL, CORS_ORIGINS: "https://app.example.com" });
    const total = 3_000_000;
    for (const [init, status] of [
      [(body: ReadableStream<Uint8Array>) => ({ method: "POST", body, duplex: "half" }) as RequestInit, 401],
      [preflight, 204],
    ] as const) {
      // 64 KiB every 52 ms: 3 MB take 2.4 s.
      const sent = pacedBody({ piece: 64 * 1024, everyMs: 52, total });
      const answer = Promise.resolve(app.request("/v1/chat/completions", init(sent.body)));
      await bodyLocked(sent.body);
      expect(await settledAfter(answer, DRAIN_WINDOW_MS)).toBe(false);
      expect(await settledAfter(answer, 1000)).toBe(true);
      expect((await answer).status).toBe(status);
      expect((await answer).headers.get("connection")).toBeNull();
      await (await answer).text();
      expect(sent.cancelled()).toBe(false);
      expect(sent.sent()).toBe(total);
    }
  });
});

describe("a request body read by the proxy: bounded by its progress, not by a fixed time (leftovers #2, codereview30)", () => {
  function post(app: ReturnType<typeof createApp>, body: ReadableStream<Uint8Array>, declared?: number) {
    const length: Record<string, string> = declared === undefined ? {} : { "content-length": String(declared) };
    return Promise.resolve(
      app.request("/v1/chat/completions", {
        method: "POST",
        headers: { authorization: `Bearer ${ONE_MODEL.PROXY_API_KEYS}`, "content-type": "application/json", ...length },
        body,
        duplex: "half",
      } as RequestInit),
    );
  }

  it("one that stalls is answered 408 request_body_timeout when its first window is up, logged as such, the body cancelled and no timer left", async () => {
    const logs: LogLine[] = [];
    const app = await appOnFakeTimers(logs);
    const sent = stalledBody();
    const answer = post(app, sent.body);
    await bodyLocked(sent.body);
    expect(await settledAfter(answer, READ_WINDOW_MS - 1)).toBe(false);
    expect(await settledAfter(answer, 1)).toBe(true);
    const response = await answer;
    expect(response.status).toBe(408);
    // Bun keeps the connection of a client that trickles on unless told (runtimes47 #3).
    expect(response.headers.get("connection")).toBe("close");
    expect(await response.json()).toEqual({
      error: {
        type: "invalid_request_error",
        code: "request_body_timeout",
        param: null,
        message:
          "The request body came too slowly (less than 16 KiB in 10 s, or not all of it within 240 s): send the whole body at once, without pausing.",
      },
    });
    expect(sent.cancelled()).toBe(true);
    expect(logs.map((line) => [line.status, line.error_code])).toEqual([[408, "request_body_timeout"]]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("an honest 4 MB within the 4 MiB default at 512 kbit/s (61 s), by its Content-Length: read to its end and parsed (codereview30 #2)", async () => {
    const logs: LogLine[] = [];
    const app = await appOnFakeTimers(logs);
    const total = 4_000_000;
    // 16 KiB every 250 ms.
    const sent = pacedBody({ piece: 16 * 1024, everyMs: 250, total, model: "llama" });
    const answer = post(app, sent.body, total);
    await bodyLocked(sent.body);
    expect(await settledAfter(answer, 61_000)).toBe(false);
    expect(await settledAfter(answer, 1_000)).toBe(true);
    const response = await answer;
    // Parsed, and refused for what it holds (no messages): not a 408.
    expect(response.status).toBe(400);
    expect(response.headers.get("connection")).toBeNull();
    expect(await response.json()).toMatchObject({ error: { type: "invalid_request_error", param: "messages" } });
    expect(sent.sent()).toBe(total);
    expect(sent.cancelled()).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  // codereview47 #3: one declared past what the proxy drains is not read at all, and Bun kept its
  // connection while the client uploaded on.
  it("one declared past what the proxy drains: its 413 at once, and its connection goes with it", async () => {
    const app = await appOnFakeTimers([]);
    const sent = stalledBody();
    const response = await post(app, sent.body, MAX_DRAINED_BYTES + 1);
    expect(response.status).toBe(413);
    expect(response.headers.get("connection")).toBe("close");
    expect(await response.json()).toMatchObject({ error: { code: "request_too_large" } });
    expect(vi.getTimerCount()).toBe(0);
  });

  it("6 MB over the 4 MiB default at 1.2 Mbit/s (40 s), by its Content-Length: its 413 when the drain's bound is up, never a 408 (codereview30 #1)", async () => {
    const logs: LogLine[] = [];
    const app = await appOnFakeTimers(logs);
    const total = 6_000_000;
    // 15,000 bytes every 100 ms.
    const sent = pacedBody({ piece: 15_000, everyMs: 100, total });
    const answer = post(app, sent.body, total);
    await bodyLocked(sent.body);
    expect(await settledAfter(answer, MAX_DRAIN_MS - 1)).toBe(false);
    expect(await settledAfter(answer, 1)).toBe(true);
    const response = await answer;
    expect(response.status).toBe(413);
    // The drain gave up at its bound, 40 s of body unsent: the connection goes too.
    expect(response.headers.get("connection")).toBe("close");
    expect(await response.json()).toMatchObject({ error: { code: "request_too_large" } });
    expect(logs.map((line) => [line.status, line.error_code])).toEqual([[413, "request_too_large"]]);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("a secret sent as the model's name (the third fuzzing review)", () => {
  it("is not in the log line, whose model the trace and the usage row read too", async () => {
    const logs: LogLine[] = [];
    const app = createApp({ env: ONE_MODEL, log: (line) => logs.push(line) });
    const long = `${"x".repeat(100)}sk-model-swap-0001`;
    for (const model of [
      "sk-model-swap-0001",
      "zzModelSwapSecretAccessKey000000000000",
      "AKIAZZOTHERAKID00001",
      long,
    ]) {
      const answer = await app.request("/v1/chat/completions", {
        method: "POST",
        headers: { authorization: "Bearer sk-model-swap-0001", "content-type": "application/json" },
        body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
      });
      expect(answer.status).toBe(404);
      await answer.text();
    }
    // A name as long as a model's can be is redacted; a longer one is told by its length
    // (json-body.test.ts).
    expect(logs.map((line) => line.model)).toEqual([
      "[redacted]",
      "[redacted]",
      "[redacted]",
      `${"x".repeat(100)}[redacted]`,
    ]);
    expect(JSON.stringify(logs)).not.toMatch(/sk-mo|zzModelSwapSecret|AKIAZZ/);
  });

  it("a configured model's name is kept, whatever a secret spells (a session token, a trace header's dataset)", async () => {
    const logs: LogLine[] = [];
    const env = { ...ONE_MODEL, AWS_SESSION_TOKEN: "llama" };
    const answer = await createApp({ env, log: (line) => logs.push(line) }).request("/v1/chat/completions", {
      method: "POST",
      headers: { authorization: "Bearer sk-model-swap-0001", "content-type": "application/json" },
      body: JSON.stringify({ model: "llama" }),
    });
    expect(answer.status).toBe(400);
    await answer.text();
    expect(logs[0]).toMatchObject({ model: "llama", status: 400 });
  });
});

describe("a 401 (httpsem20 #3)", () => {
  it("carries WWW-Authenticate with the Bearer challenge, as RFC 9110 requires: no key, a wrong key, no keys configured", async () => {
    const app = createApp({ env: ONE_MODEL, log: () => undefined });
    const keyless = createApp({ env: { ...ONE_MODEL, PROXY_API_KEYS: undefined }, log: () => undefined });
    const challenges = [];
    for (const [proxy, headers] of [
      [app, {}],
      [app, { authorization: "Bearer sk-wrong" }],
      [app, { "x-api-key": "sk-wrong" }],
      [keyless, { authorization: `Bearer ${ONE_MODEL.PROXY_API_KEYS}` }],
    ] as const) {
      const answer = await proxy.request("/v1/models", { headers });
      expect(answer.status).toBe(401);
      await answer.text();
      challenges.push(answer.headers.get("www-authenticate"));
    }
    expect(challenges).toEqual([
      'Bearer realm="bedrock-edge"',
      'Bearer realm="bedrock-edge", error="invalid_token"',
      'Bearer realm="bedrock-edge", error="invalid_token"',
      'Bearer realm="bedrock-edge"',
    ]);
    // Only a 401 asks for credentials.
    const served = await app.request("/v1/models", {
      headers: { authorization: `Bearer ${ONE_MODEL.PROXY_API_KEYS}` },
    });
    expect(served.status).toBe(200);
    expect(served.headers.get("www-authenticate")).toBeNull();
  });
});

describe("a secret in the URL's path (httpsem20 #6)", () => {
  it("is not in the log line, and a path of any length makes a line of bounded size", async () => {
    const logs: LogLine[] = [];
    const app = createApp({ env: ONE_MODEL, log: (line) => logs.push(line) });
    const paths = [
      `/${ONE_MODEL.PROXY_API_KEYS}/v1/chat/completions`,
      `/v1/models/${ONE_MODEL.AWS_SECRET_ACCESS_KEY}`,
      `/v1/models/${encodeURIComponent(`team/${ONE_MODEL.PROXY_API_KEYS}`)}`,
      `/v1/${"a".repeat(60_000)}`,
    ];
    for (const path of paths) {
      const answer = await app.request(path, { headers: { authorization: `Bearer ${ONE_MODEL.PROXY_API_KEYS}` } });
      expect(answer.status).toBe(404);
      await answer.text();
    }
    expect(logs.map((line) => line.path)).toEqual([
      "/[redacted]/v1/chat/completions",
      "/v1/models/[redacted]",
      "/v1/models/team%2F[redacted]",
      `/v1/${"a".repeat(196)}`,
    ]);
    expect(JSON.stringify(logs)).not.toMatch(/sk-model-swap|zzModelSwapSecret/);
    expect(JSON.stringify(logs.at(-1)).length).toBeLessThan(1000);
  });
  it("is not in the line's path nor its error when the URL encodes only some of its characters (codereview28 #3)", async () => {
    const logs: LogLine[] = [];
    const secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYzzSECRET07";
    const app = createApp({ env: { ...ONE_MODEL, AWS_SECRET_ACCESS_KEY: secret }, log: (line) => logs.push(line) });
    // Python's urllib.parse.quote (`/` kept, `+` encoded), and a client that encodes `/` alone.
    for (const path of [
      "/v1/wJalrXUtnFEMI/K7MDENG%2BbPxRfiCYzzSECRET07",
      "/v1/wJalrXUtnFEMI%2fK7MDENG+bPxRfiCYzzSECRET07",
    ]) {
      const answer = await app.request(path, { headers: { authorization: `Bearer ${ONE_MODEL.PROXY_API_KEYS}` } });
      expect(answer.status).toBe(404);
      await answer.text();
    }
    expect(logs.map((line) => [line.path, line.error])).toEqual([
      ["/v1/[redacted]", "No route for GET /v1/[redacted]."],
      ["/v1/[redacted]", "No route for GET /v1/[redacted]."],
    ]);
    expect(JSON.stringify(logs)).not.toMatch(/wJalrXUtnFEMI|SECRET07/);
  });
  it("is in no part in the line's error when it crosses the 200th character of the path (codereview29 #4)", async () => {
    const logs: LogLine[] = [];
    const secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYzzSECRET07";
    const app = createApp({ env: { ...ONE_MODEL, AWS_SECRET_ACCESS_KEY: secret }, log: (line) => logs.push(line) });
    const headers = { authorization: `Bearer ${ONE_MODEL.PROXY_API_KEYS}` };
    // Unknown paths (404), a name asked of /v1/models (404) and a known path with another method (405).
    const asked: [string, string][] = [];
    for (const pad of [170, 190]) {
      asked.push(["GET", `/v1/${"a".repeat(pad)}/${secret}`], ["GET", `/v1/models/${"a".repeat(pad)}${secret}`]);
      asked.push(["GET", `/v1/${"a".repeat(pad)}/${secret.replace("+", "%2B")}`]);
      asked.push(["POST", `/v1/models/${"a".repeat(pad)}${secret}`]);
    }
    for (const [method, path] of asked) {
      const answer = await app.request(path, { method, headers });
      expect(answer.status).toBe(method === "GET" ? 404 : 405);
      await answer.text();
    }
    // No run of 5 of the secret's characters, wherever a cut might have fallen.
    const text = JSON.stringify(logs);
    for (let start = 0; start + 5 <= secret.length; start++) expect(text).not.toContain(secret.slice(start, start + 5));
    const errors = logs.map((line) => line.error);
    expect(errors.filter((error) => /\(a (?:path|name) of \d+ characters\)/.test(String(error)))).toHaveLength(
      asked.length,
    );
  });
  it("is quoted whole in the answer when the path is short, and only counted when it is long", async () => {
    const app = createApp({ env: ONE_MODEL, log: () => undefined });
    const headers = { authorization: `Bearer ${ONE_MODEL.PROXY_API_KEYS}` };
    const messageOf = async (path: string, method = "GET") => {
      const answer = await app.request(path, { method, headers });
      return ((await answer.json()) as { error: { message: string } }).error.message;
    };
    const short = `/v1/${"a".repeat(196)}`;
    expect(await messageOf(short)).toBe(`No route for GET ${short}.`);
    expect(await messageOf(`${short}b`)).toBe("No route for GET (a path of 201 characters).");
    expect(await messageOf(`/v1/models/${"m".repeat(201)}`)).toBe(
      'The model "(a name of 201 characters)" does not exist here; GET /v1/models lists the configured names.',
    );
    // A name past the 128 characters any model's may be is only counted, as a body's model is
    // (json-body.ts), though its path is quoted whole up to 200 (codereview49 #4).
    expect(await messageOf(`/v1/models/${"m".repeat(129)}`)).toBe(
      'The model "(a name of 129 characters)" does not exist here; GET /v1/models lists the configured names.',
    );
    expect(await messageOf(`/v1/models/${"m".repeat(128)}`)).toBe(
      `The model "${"m".repeat(128)}" does not exist here; GET /v1/models lists the configured names.`,
    );
    expect(await messageOf(`/v1/models/${"m".repeat(201)}`, "POST")).toBe(
      `POST is not allowed on (a path of ${"/v1/models/".length + 201} characters): use GET or HEAD.`,
    );
  });
});

describe("error messages that quote a client's value cut in the middle of an emoji (unicode5)", () => {
  const env: ProxyEnv = {
    PROXY_API_KEYS: "sk-one",
    AWS_ACCESS_KEY_ID: "AKIAEXAMPLEEXAMPLE12",
    AWS_SECRET_ACCESS_KEY: "secret/EXAMPLE",
    MODELS: JSON.stringify({ m: "bedrock/qwen3/arn:aws:bedrock:us-east-1:123456789012:imported-model/abc123def456" }),
  };
  const post = async (path: string, body: unknown) => {
    const app = createApp({ env, log: () => undefined });
    const answer = await app.request(path, {
      method: "POST",
      headers: { authorization: "Bearer sk-one", "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: answer.status, message: ((await answer.json()) as { error: { message: string } }).error.message };
  };
  // An emoji across the 128th UTF-16 unit: a cut there would split it.
  const name = `${"g".repeat(127)}😀g`;

  it("come out well-formed, no cut inside a character: Python's client prints them", async () => {
    const chat = await post("/v1/chat/completions", {
      model: "m",
      messages: [{ role: "user", content: "Hi" }],
      tools: [{ type: "function", function: { name: "f", parameters: { type: "object" } } }],
      tool_choice: { type: "function", function: { name } },
    });
    const responses = await post("/v1/responses", { model: "m", input: "Hi", include: [`${"i".repeat(79)}😀i`] });
    for (const { status, message } of [chat, responses]) {
      expect(status).toBe(400);
      expect(message.isWellFormed()).toBe(true);
    }
    // Cut between words only since secrets46 #1: a word past the cut, this one, is told by its
    // length (in code points: 128 letters and an emoji are 129, 80 and one 81), and no cut falls inside a character.
    expect(chat.message).toContain("tool_choice names the function a name of 129 characters,");
    expect(responses.message).toContain("include a value of 81 characters is not available");
  });

  // left49 #2: param names a client's key whole where it is short, a lone half of an emoji too.
  it("a param naming a key the client sent comes out well-formed, a lone surrogate replaced", async () => {
    const answer = await createApp({ env, log: () => undefined }).request("/v1/chat/completions", {
      method: "POST",
      headers: { authorization: "Bearer sk-one", "content-type": "application/json" },
      body: '{"model":"m","messages":[{"role":"user","content":"Hi"}],"metadata":{"a\\ud83d":5}}',
    });
    expect(answer.status).toBe(400);
    const text = await answer.text();
    expect(text).not.toMatch(/\\ud83d/i);
    const { param } = (JSON.parse(text) as { error: { param: string } }).error;
    expect(param).toBe("metadata.a\ufffd");
  });
});

// codereview46 #7: Bedrock's message is capped at 1000 characters (redactSecrets), and may hold a
// lone surrogate of its own (JSON's "\ud83d"): the client's message is well-formed all the same.
describe("a Bedrock error message with an emoji at its cap, or half of one, reaches the client well-formed", () => {
  const bedrockSays = async (message: string) => {
    const app = createApp({
      env: {
        PROXY_API_KEYS: "sk-one",
        AWS_ACCESS_KEY_ID: "AKIAEXAMPLEEXAMPLE12",
        AWS_SECRET_ACCESS_KEY: "secret/EXAMPLE",
        MODELS: JSON.stringify({ m: `bedrock/converse/${emulatorModelId("qwen3")}` }),
        BEDROCK_ENDPOINT: "http://bedrock.emulator",
      },
      fetch: async () =>
        new Response(JSON.stringify({ message }), {
          status: 400,
          headers: { "content-type": "application/json", "x-amzn-errortype": "ValidationException" },
        }),
      log: () => undefined,
    });
    const answer = await app.request("/v1/chat/completions", {
      method: "POST",
      headers: { authorization: "Bearer sk-one", "content-type": "application/json" },
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "Hi" }] }),
    });
    expect(answer.status).toBe(400);
    return ((await answer.json()) as { error: { message: string } }).error.message;
  };

  it("the cap falls before the emoji, not between its halves", async () => {
    const message = await bedrockSays(`${"x".repeat(999)}😀 more`);
    expect(message.isWellFormed()).toBe(true);
    expect(message).toContain(`${"x".repeat(999)}…`);
    expect(message).not.toContain("\ufffd");
  });

  it("a lone surrogate Bedrock sent is replaced (http.ts toWellFormed)", async () => {
    const message = await bedrockSays("bad input \ud83d here");
    expect(message.isWellFormed()).toBe(true);
    expect(message).toContain("bad input \ufffd here");
  });
});

describe("a Response goes out as the Responses API's JSON", () => {
  it("without output_text, plain or in a streamed event: the openai SDK computes its own; the library's carries it", async () => {
    const emulator = createEmulator();
    const fetch = (input: RequestInfo | URL, init?: RequestInit) => emulator.fetch(new Request(input, init));
    const llama = `bedrock/llama/${emulatorModelId("llama")}`;
    const app = createApp({
      env: {
        MODELS: JSON.stringify({ llama }),
        PROXY_API_KEYS: "sk-one",
        AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
        BEDROCK_ENDPOINT: "http://bedrock.emulator",
      },
      fetch,
      log: () => undefined,
    });
    const post = (stream: boolean) =>
      app.request("/v1/responses", {
        method: "POST",
        headers: { authorization: "Bearer sk-one", "content-type": "application/json" },
        body: JSON.stringify({ model: "llama", input: "Hi", stream }),
      });
    const plain = (await (await post(false)).json()) as Record<string, unknown>;
    expect(plain).toMatchObject({ object: "response", status: "completed" });
    expect(Object.keys(plain)).not.toContain("output_text");
    const datas = (await (await post(true)).text()).split("\n").filter((line) => line.startsWith("data: "));
    const nested = datas.flatMap((line) => {
      const event = JSON.parse(line.slice("data: ".length)) as { response?: Record<string, unknown> };
      return event.response ? [event.response] : [];
    });
    expect(nested.map((response) => response.status)).toEqual(["in_progress", "in_progress", "completed"]);
    for (const response of nested) expect(Object.keys(response)).not.toContain("output_text");
    // The library's own Response, from the same model, does carry it.
    const bedrock = createBedrock({ endpoint: "http://bedrock.emulator", credentials: EMULATOR_CREDENTIALS, fetch });
    const own = await bedrock.responses.create({ model: llama, input: "Hi" });
    expect(own.output_text).toMatch(/^Hello from/);
  });
});

describe("answers a shared cache in front might store (retries6 #1)", () => {
  it("are no-store, whatever the key was sent in: the model list, a model, usage, health, errors, a chat answer", async () => {
    const emulator = createEmulator();
    const KEY = "sk-cache-test";
    const app = createApp({
      env: {
        MODELS: JSON.stringify({ llama: `bedrock/llama/${emulatorModelId("llama")}` }),
        API_KEYS: JSON.stringify({ admin: { key: KEY, admin: true } }),
        AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
        BEDROCK_ENDPOINT: "http://bedrock.emulator",
      },
      fetch: (input, init) => emulator.fetch(new Request(input, init)),
      log: () => undefined,
    });
    const headers = { "x-api-key": KEY, "content-type": "application/json" };
    const chat = JSON.stringify({ model: "llama", messages: [{ role: "user", content: "Hi" }] });
    const answers = [
      await app.request("/v1/models", { headers }),
      await app.request("/v1/models/llama", { headers }),
      await app.request("/v1/models/unknown", { headers }),
      await app.request("/v1/models"),
      await app.request("/v1/usage", { headers }),
      await app.request("/health"),
      await app.request("/v1/chat/completions", { method: "POST", headers, body: chat }),
      await app.request("/v1/chat/completions", { method: "GET", headers }),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 404, 401, 404, 200, 200, 405]);
    for (const answer of answers) expect(answer.headers.get("cache-control"), answer.url).toBe("no-store");
  });
});

describe("a stop of only whitespace on Claude (which Bedrock refuses with a 400)", () => {
  it("is applied by the proxy: the answer ends before it, plain and streamed, finish_reason stop", async () => {
    const logs: LogLine[] = [];
    const emulator = createEmulator();
    const app = createApp({
      env: {
        MODELS: JSON.stringify({ claude: "bedrock/converse/anthropic.claude-3-5-haiku-20241022-v1:0+echo" }),
        PROXY_API_KEYS: "sk-one",
        AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
        AWS_REGION: "us-east-1",
        BEDROCK_ENDPOINT: "http://bedrock.emulator",
      },
      fetch: (input, init) => emulator.fetch(new Request(input, init)),
      log: (line) => logs.push(line),
    });
    const headers = { authorization: "Bearer sk-one", "content-type": "application/json" };
    const request = { model: "claude", messages: [{ role: "user", content: "Line one\nLine two" }], stop: ["\n"] };
    const plain = await app.request("/v1/chat/completions", { method: "POST", headers, body: JSON.stringify(request) });
    expect(plain.status).toBe(200);
    expect(await plain.json()).toMatchObject({
      choices: [{ finish_reason: "stop", message: { content: "Line one" } }],
    });
    const streamed = await app.request("/v1/chat/completions", {
      method: "POST",
      headers,
      body: JSON.stringify({ ...request, stream: true }),
    });
    const events = (await streamed.text()).split("\n\n").filter((event) => event.startsWith("data: "));
    expect(events.at(-1)).toBe("data: [DONE]");
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event.slice("data: ".length)) as ChunkJson);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("")).toBe("Line one");
    expect(chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.finish_reason)).filter(Boolean)).toEqual([
      "stop",
    ]);
    expect(logs.map((line) => [line.status, line.finish_reasons])).toEqual([
      [200, ["stop"]],
      [200, ["stop"]],
    ]);
  });
});

type ChunkJson = { choices: Array<{ delta: { content?: string }; finish_reason: string | null }> };

describe("a body with a transfer coding other than chunked (http50 #5)", () => {
  it("is a 415 unsupported_content_encoding at the app, as a Content-Encoding is, not a 400 calling its JSON broken", async () => {
    const app = createApp({
      env: {
        MODELS: JSON.stringify({ llama: `bedrock/llama/${emulatorModelId("llama")}` }),
        PROXY_API_KEYS: "sk-one",
        AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
        BEDROCK_ENDPOINT: "http://bedrock.emulator",
      },
      fetch: () => Promise.reject(new Error("no call expected")),
      log: () => undefined,
    });
    const json = JSON.stringify({ model: "llama", messages: [{ role: "user", content: "hi" }] });
    const gzipped = await new Response(
      new Blob([json]).stream().pipeThrough(new CompressionStream("gzip")),
    ).arrayBuffer();
    const answer = await app.request("/v1/chat/completions", {
      method: "POST",
      headers: {
        authorization: "Bearer sk-one",
        "content-type": "application/json",
        "transfer-encoding": "gzip, chunked",
      },
      body: gzipped,
    });
    expect(answer.status).toBe(415);
    expect(await answer.json()).toMatchObject({
      error: { type: "invalid_request_error", code: "unsupported_content_encoding" },
    });
  });
});
