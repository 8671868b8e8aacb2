// The proxy as a gateway for several tenants (tenancy19): what a key is told of a configuration
// with problems, which names other tenants' entries, limits and bindings.
import { describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { createEmulator } from "../emulator/handler.ts";
import { emulatorModelId } from "../emulator/model-id.ts";
import { createApp, type LogLine } from "./app.ts";
import type { ProxyBindings } from "./config.ts";

const LLAMA = `bedrock/llama/${emulatorModelId("llama")}`;
const OPERATOR = "sk-operator-0123456789";

function proxy(extra: Record<string, unknown>) {
  const emulator = createEmulator();
  const logs: LogLine[] = [];
  const env = {
    MODELS: JSON.stringify({ a: LLAMA, b: LLAMA }),
    PROXY_API_KEYS: OPERATOR,
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
    BEDROCK_ENDPOINT: "http://bedrock.emulator",
    ...extra,
  } as ProxyBindings;
  const app = createApp({
    env,
    fetch: (input, init) => emulator.fetch(new Request(input, init)),
    log: (line) => logs.push(line),
  });
  const call = async (path: string, key?: string, body?: unknown) => {
    const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
    if (body !== undefined) headers["content-type"] = "application/json";
    const init = body === undefined ? { headers } : { method: "POST", headers, body: JSON.stringify(body) };
    const response = await app.request(path, init);
    return { status: response.status, text: await response.text() };
  };
  return { call, logs };
}

type ErrorBody = { error: { code: string; message: string } };
const chat = (model: string) => ({ model, messages: [{ role: "user", content: "hi" }] });

/** The review's tenants: each entry's problem names it, its limits or its binding. */
const TENANTS = {
  MODELS: JSON.stringify({ a: LLAMA, b: LLAMA, c: "bedrock/nope/x" }),
  API_KEYS: JSON.stringify({
    alpha: { key: "sk-alpha-0123456789", models: ["a"] },
    "acme-corp-prod": { key: "sk-acme-0123456789", models: ["b"], tokens_per_day: 5000 },
    "globex-trial": { key: "sk-globex-0123456789", rate_limit: "RATE_TRIAL" },
    ops: { key: "sk-ops-0123456789", admin: true, rate_limit: "RATE_OPS" },
    all: { key: "sk-all-0123456789" },
  }),
};
const OTHER_TENANTS = /acme|globex|ops|RATE_|5000|tokens_per_day/;

describe("configuration problems told to a tenant's key (tenancy19 #1)", () => {
  it("are all told to a key of PROXY_API_KEYS, the operator's", async () => {
    const { call } = proxy(TENANTS);
    const health = JSON.parse((await call("/health", OPERATOR)).text) as { problems: string[] };
    expect(health.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^MODELS\["c"\]/),
        expect.stringMatching(/^API_KEYS\["globex-trial"\]\.rate_limit/),
        expect.stringMatching(/^API_KEYS\["acme-corp-prod"\]\.tokens_per_day/),
      ]),
    );
    const answer = JSON.parse((await call("/v1/chat/completions", OPERATOR, chat("a"))).text) as ErrorBody;
    expect(answer.error.message).toContain('API_KEYS["ops"].rate_limit');
  });

  it("never name another entry to a key kept from no model, which still reads the models' problems", async () => {
    const { call, logs } = proxy(TENANTS);
    const health = await call("/health", "sk-all-0123456789");
    expect(health.status).toBe(503);
    const body = JSON.parse(health.text) as { problem_count: number; problems: string[] };
    expect(body.problem_count).toBe(4);
    expect(body.problems).toEqual([expect.stringMatching(/^MODELS\["c"\]/)]);
    expect(health.text).not.toMatch(OTHER_TENANTS);
    const answer = await call("/v1/chat/completions", "sk-all-0123456789", chat("a"));
    expect(answer.status).toBe(500);
    expect(answer.text).toContain("proxy_misconfigured");
    expect((JSON.parse(answer.text) as ErrorBody).error.message).toContain('MODELS["c"]');
    expect(answer.text).not.toMatch(OTHER_TENANTS);
    // The log is the operator's: it lists them all.
    expect(logs.at(-1)?.error).toMatch(/globex-trial/);
  });

  it("tell a key with a models list the problems of its own entry, and none of another's", async () => {
    const { call } = proxy(TENANTS);
    const acme = JSON.parse((await call("/health", "sk-acme-0123456789")).text) as Record<string, unknown>;
    expect(acme).toMatchObject({
      status: "misconfigured",
      problem_count: 4,
      problems: [
        'API_KEYS["acme-corp-prod"].tokens_per_day needs the KEY_LIMITS Durable Object binding, which counts it',
      ],
    });
    const answer = await call("/v1/chat/completions", "sk-acme-0123456789", chat("b"));
    expect(answer.status).toBe(500);
    expect(answer.text).toContain("tokens_per_day needs the KEY_LIMITS");
    expect(answer.text).not.toMatch(/globex|ops|RATE_|MODELS/);
    // A key with nothing of its own to read is told how many, as before.
    const alpha = await call("/health", "sk-alpha-0123456789");
    expect(JSON.parse(alpha.text)).toEqual({ status: "misconfigured", problem_count: 4, message: expect.any(String) });
  });

  it("tell a key with a models list the problems of those models", async () => {
    const { call } = proxy({
      MODELS: JSON.stringify({ a: LLAMA, b: { model: LLAMA, chat_template: "{% if %}" } }),
      API_KEYS: JSON.stringify({ beta: { key: "sk-beta-0123456789", models: ["b"] } }),
    });
    const beta = JSON.parse((await call("/health", "sk-beta-0123456789")).text) as Record<string, unknown>;
    expect(beta).toMatchObject({ problems: [expect.stringMatching(/^MODELS\["b"\]\.chat_template/)] });
    const alpha = proxy({
      MODELS: JSON.stringify({ a: LLAMA, b: { model: LLAMA, chat_template: "{% if %}" } }),
      API_KEYS: JSON.stringify({ alpha: { key: "sk-alpha-0123456789", models: ["a"] } }),
    });
    expect(JSON.parse((await alpha.call("/health", "sk-alpha-0123456789")).text)).toEqual({
      status: "misconfigured",
      problem_count: 1,
      message: expect.any(String),
    });
  });
});

describe("a key whose own API_KEYS entry has a problem (tenancy19 #2)", () => {
  it("is told the configuration is wrong (500), with its entry's problem, not that its key is", async () => {
    const { call, logs } = proxy(TENANTS);
    const answer = await call("/v1/chat/completions", "sk-globex-0123456789", chat("a"));
    expect(answer.status).toBe(500);
    const { error } = JSON.parse(answer.text) as ErrorBody;
    expect(error.code).toBe("proxy_misconfigured");
    expect(error.message).toContain(
      'API_KEYS["globex-trial"].rate_limit: no Rate Limiting binding is named RATE_TRIAL',
    );
    expect(error.message).not.toMatch(/acme|RATE_OPS|"ops"/);
    expect(logs.at(-1)).toMatchObject({ status: 500, key: "globex-trial", error_code: "proxy_misconfigured" });
    // An entry left out may have meant a models list it misspelt: it reads its own problem alone.
    const health = await call("/health", "sk-globex-0123456789");
    expect(JSON.parse(health.text)).toMatchObject({
      problem_count: 4,
      problems: [expect.stringMatching(/^API_KEYS\["globex-trial"\]/)],
    });
    expect(health.text).not.toMatch(/acme|RATE_OPS|"ops"/);
    // A key near it is still a wrong key.
    expect((await call("/v1/chat/completions", "sk-globex-012345678", chat("a"))).status).toBe(401);
  });

  it("whose models field is misspelt, reads no model's problems: its list may have been meant (codereview27 #1)", async () => {
    const { call } = proxy({
      MODELS: TENANTS.MODELS,
      API_KEYS: JSON.stringify({ beta: { key: "sk-beta-0123456789", model: ["a"] } }),
    });
    const health = JSON.parse((await call("/health", "sk-beta-0123456789")).text) as Record<string, unknown>;
    expect(health).toMatchObject({ problem_count: 2, problems: [expect.stringMatching(/^API_KEYS\["beta"\]\.model/)] });
    expect(JSON.stringify(health)).not.toContain('MODELS["c"]');
  });

  it("written where its entry's name or the entry goes, is told the configuration is wrong, never named by it (codereview27 #3)", async () => {
    const { call, logs } = proxy({
      API_KEYS: JSON.stringify({ team: "sk-team-0123456789", "sk-named-0123456789": { models: ["a"] } }),
    });
    for (const key of ["sk-team-0123456789", "sk-named-0123456789"]) {
      const answer = await call("/v1/chat/completions", key, chat("a"));
      expect(answer.status, key).toBe(500);
      expect((JSON.parse(answer.text) as ErrorBody).error.code).toBe("proxy_misconfigured");
      expect(answer.text).not.toContain(key);
      expect(logs.at(-1)?.key).not.toContain("sk-");
    }
    expect((await call("/v1/chat/completions", "sk-guess-0123456789", chat("a"))).status).toBe(401);
  });

  it("is told every problem when its entry says admin, and still reaches nothing", async () => {
    const { call } = proxy(TENANTS);
    const health = JSON.parse((await call("/health", "sk-ops-0123456789")).text) as Record<string, unknown>;
    expect(health).toEqual({ status: "misconfigured", problems: expect.any(Array) });
    expect(health.problems).toHaveLength(4);
    for (const path of ["/v1/usage", "/v1/models"]) {
      const answer = await call(path, "sk-ops-0123456789");
      expect(answer.status, path).toBe(500);
      expect((JSON.parse(answer.text) as ErrorBody).error.code).toBe("proxy_misconfigured");
    }
  });

  it("is answered 500 for an admin that is not true or false", async () => {
    const { call } = proxy({ API_KEYS: JSON.stringify({ ops: { key: "sk-ops-0123456789", admin: "yes" } }) });
    const answer = await call("/v1/models", "sk-ops-0123456789");
    expect(answer.status).toBe(500);
    expect((JSON.parse(answer.text) as ErrorBody).error.message).toContain(
      'API_KEYS["ops"].admin: must be true or false',
    );
  });

  it("in an API_KEYS that is not valid JSON, is answered 500 (with PROXY_API_KEYS or without)", async () => {
    const API_KEYS =
      '{"alpha": {"key": "sk-alpha-0123456789", "models": ["a"]}, "ops": {"key": "sk-ops-0123456789", "admin": true},}';
    for (const PROXY_API_KEYS of [undefined, OPERATOR]) {
      const { call } = proxy({ API_KEYS, PROXY_API_KEYS });
      for (const key of ["sk-alpha-0123456789", "sk-ops-0123456789"]) {
        const answer = await call("/v1/models", key);
        expect(answer.status, `${PROXY_API_KEYS} ${key}`).toBe(500);
        expect((JSON.parse(answer.text) as ErrorBody).error.message).toContain("API_KEYS is not valid JSON");
      }
      const wrong = JSON.parse((await call("/v1/models", "sk-guess-0123456789")).text) as ErrorBody;
      expect(wrong.error.code).toBe("invalid_api_key");
    }
  });

  it("commented out in an API_KEYS that is not valid JSON, is told 401 as any wrong key, and never shown (codereview27 #4)", async () => {
    const API_KEYS = [
      "{",
      '  "alpha": {"note": "https://wiki.example/alpha", "key": "sk-alpha-0123456789", "models": ["a"]},',
      '  // "mallory": {"key": "sk-revoked-0123456789"},',
      '  /* "old": {"key": "sk-old-0123456789"}, */',
      "}",
    ].join("\n");
    const { call, logs } = proxy({ API_KEYS });
    const live = await call("/v1/chat/completions", "sk-alpha-0123456789", chat("a"));
    expect(live.status).toBe(500);
    expect((JSON.parse(live.text) as ErrorBody).error.code).toBe("proxy_misconfigured");
    const random = await call("/v1/chat/completions", "sk-guess-0123456789", chat("a"));
    for (const key of ["sk-revoked-0123456789", "sk-old-0123456789"]) {
      const answer = await call("/v1/chat/completions", key, chat("a"));
      expect(answer, key).toEqual(random);
    }
    expect(logs).toHaveLength(4);
    expect(JSON.stringify(logs)).not.toMatch(/sk-revoked|sk-old/);
  });

  it("in JSON5 text, after a string continued onto a line with a URL, or written with JSON5's escapes, is answered 500 and never shown (codereview29 #6)", async () => {
    const API_KEYS = [
      "{",
      "  alpha: {note: 'rotated monthly, see \\",
      "  https://wiki.example/keys', key: 'sk-alpha-0123456789', models: ['a']},",
      '  beta: {key: "sk-beta-\\x41\\\'s-0123456789"},',
      "}",
    ].join("\n");
    const { call, logs } = proxy({ API_KEYS });
    for (const key of ["sk-alpha-0123456789", "sk-beta-A's-0123456789"]) {
      const answer = await call("/v1/chat/completions", key, chat("a"));
      expect(answer.status, key).toBe(500);
      expect((JSON.parse(answer.text) as ErrorBody).error.code).toBe("proxy_misconfigured");
    }
    await call("/v1/models/sk-beta-A's-0123456789", OPERATOR);
    expect(logs).toHaveLength(3);
    expect(JSON.stringify(logs)).not.toMatch(/sk-alpha|sk-beta/);
  });
});

describe("an API_KEYS with no key to read and no PROXY_API_KEYS (codereview27 #3)", () => {
  it("is told to the operator's log as such, not as API_KEYS unset", async () => {
    const unreadable = proxy({ PROXY_API_KEYS: undefined, API_KEYS: '{"team": {"models": ["a"]},}' });
    await unreadable.call("/health");
    expect(unreadable.logs.at(-1)?.error).toContain(
      "API_KEYS holds no key that can be read, and PROXY_API_KEYS is not set",
    );
    const unset = proxy({ PROXY_API_KEYS: undefined });
    await unset.call("/health");
    expect(unset.logs.at(-1)?.error).toContain("PROXY_API_KEYS is not set (nor API_KEYS)");
  });
});

describe("GET /health of a working proxy (tenancy19 #5)", () => {
  it("tells how many models there are only to a key that operates the proxy", async () => {
    const { call } = proxy({
      API_KEYS: JSON.stringify({
        alpha: { key: "sk-alpha-0123456789", models: ["a"] },
        all: { key: "sk-all-0123456789" },
        ops: { key: "sk-ops-0123456789", admin: true, models: ["a"] },
      }),
    });
    for (const key of [undefined, "sk-alpha-0123456789", "sk-all-0123456789", "sk-wrong-0123456789"]) {
      const health = await call("/health", key);
      expect(health.status, key).toBe(200);
      expect(JSON.parse(health.text), key).toEqual({ status: "ok" });
    }
    for (const key of [OPERATOR, "sk-ops-0123456789"]) {
      expect(JSON.parse((await call("/health", key)).text), key).toEqual({ status: "ok", models: 2 });
    }
  });
});
