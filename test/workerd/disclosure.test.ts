// What a caller without a proxy key learns, through the Worker in workerd: that the proxy is up
// or misconfigured, and how many problems it has; never the configuration itself (MODELS
// fragments, BEDROCK_ENDPOINT, model names). A key kept from some models learns no more of the
// problems than that. Operators get every problem at once, with an admin key or a key of
// PROXY_API_KEYS, and in the log; a key that may call every model, every problem of the models.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, modelString, startWorkerdProxy, TEST_KEYS, USER_HELLO, type WorkerdProxy } from "./harness.ts";

const PRIVATE_NAME = "acme-finetune-7b";
/** A key kept to one model, the same as an admin key, and a key that may call every model. */
const RESTRICTED_KEYS = JSON.stringify({
  team: { key: "sk-team-0001", models: ["public"] },
  ops: { key: "sk-ops-0001", models: ["public"], admin: true },
  all: { key: "sk-all-0001" },
});
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const PRIVATE_ENDPOINT = "https://vpce-0abc.bedrock-runtime.us-east-1.vpce.amazonaws.com/?x=1";

let proxy: WorkerdProxy;

beforeAll(async () => {
  proxy = await startWorkerdProxy({
    // MODELS that does not parse: V8 quotes the text around the fault in its message.
    badjson: { MODELS: `{ "${PRIVATE_NAME}": "${modelString("llama")}", oops }` },
    badendpoint: { BEDROCK_ENDPOINT: PRIVATE_ENDPOINT },
    many: {
      MODELS: JSON.stringify({
        [PRIVATE_NAME]: modelString("llama"),
        "bad-route": "bedrock/gpt/x",
        "bad-template": { model: modelString("llama"), template: "gpt" },
        "bad-jinja": { model: modelString("llama"), chat_template: "{% for %}" },
      }),
      BEDROCK_MAX_RETRIES: "lots",
    },
    nokeys: { PROXY_API_KEYS: undefined, MODELS: JSON.stringify({ x: "bedrock/gpt/x" }) },
    healthy: { MODELS: JSON.stringify({ [PRIVATE_NAME]: modelString("llama") }) },
    // The review's cases: a model kept from the "team" key, with a bad model string or a
    // chat_template that does not compile.
    "hidden-bad-entry": {
      MODELS: JSON.stringify({ public: modelString("llama"), [PRIVATE_NAME]: "bedrock/nope/x" }),
      API_KEYS: RESTRICTED_KEYS,
    },
    "hidden-bad-template": {
      MODELS: JSON.stringify({
        public: modelString("llama"),
        [PRIVATE_NAME]: { model: modelString("llama"), chat_template: "{% if %}" },
      }),
      API_KEYS: RESTRICTED_KEYS,
    },
    // tenancy19's tenants: each entry's problem names it, its limits or a binding.
    tenants: {
      MODELS: JSON.stringify({ public: modelString("llama"), [PRIVATE_NAME]: modelString("llama") }),
      API_KEYS: JSON.stringify({
        team: { key: "sk-team-0001", models: ["public"] },
        "acme-corp-prod": { key: "sk-acme-0001", models: [PRIVATE_NAME], tokens_per_day: 5000 },
        "globex-trial": { key: "sk-globex-0001", rate_limit: "RATE_TRIAL" },
        ops: { key: "sk-ops-0001", admin: true, rate_limit: "RATE_OPS" },
      }),
    },
  });
});
afterAll(() => proxy?.close());

const withKey = { authorization: `Bearer ${TEST_KEYS[0]}` };

async function health(variant: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${proxy.url(variant)}/health`, { headers });
  return { status: response.status, text: await response.text(), id: response.headers.get("x-request-id") };
}

function expectNothingPrivate(text: string): void {
  expect(text).not.toContain(PRIVATE_NAME);
  expect(text).not.toContain("vpce");
  expect(text).not.toContain("oops");
  expect(text).not.toContain("MODELS[");
  expect(text).not.toContain("arn:");
}

describe("without a proxy key", () => {
  it.each(["badjson", "badendpoint", "many"])(
    "/health of a misconfigured proxy (%s) says how many problems, not which",
    async (variant) => {
      const { status, text } = await health(variant);
      expect(status).toBe(503);
      const body = JSON.parse(text) as { status: string; problem_count: number; problems?: unknown };
      expect(body.status).toBe("misconfigured");
      expect(body.problem_count).toBeGreaterThan(0);
      expect(body.problems).toBeUndefined();
      expectNothingPrivate(text);
    },
  );

  it("a wrong key is the same as none", async () => {
    const { text } = await health("badjson", { authorization: "Bearer sk-guess" });
    expectNothingPrivate(text);
  });

  it("every other call is a plain 401, on a misconfigured proxy too", async () => {
    for (const variant of ["badjson", "badendpoint", "healthy"]) {
      for (const [path, init] of [
        [
          "/v1/chat/completions",
          { method: "POST", body: JSON.stringify({ model: PRIVATE_NAME, messages: USER_HELLO }) },
        ],
        ["/v1/models", {}],
        [`/v1/models/${PRIVATE_NAME}`, {}],
      ] as const) {
        const response = await fetch(`${proxy.url(variant)}${path}`, init);
        const text = await response.text();
        expect(response.status, `${variant} ${path}`).toBe(401);
        expectNothingPrivate(text);
      }
    }
  });
});

describe("with a proxy key, and in the log", () => {
  it("/health lists every problem at once: each bad MODELS entry, each binding, each chat_template", async () => {
    const { status, text, id } = await health("many", withKey);
    expect(status).toBe(503);
    const { problems } = JSON.parse(text) as { problems: string[] };
    expect(problems).toEqual([
      expect.stringMatching(/^MODELS\["bad-route"\]: Unknown model/),
      expect.stringMatching(/^MODELS\["bad-template"\]\.template: template must be one of/),
      expect.stringMatching(/^BEDROCK_MAX_RETRIES must be an integer/),
      expect.stringMatching(/^MODELS\["bad-jinja"\]\.chat_template: /),
    ]);
    const line = await eventually(() => proxy.logs.find((entry) => entry.request_id === id), 2000, "the line");
    expect(line).toMatchObject({ status: 503, error_code: "proxy_misconfigured" });
    for (const name of ["bad-route", "bad-template", "bad-jinja", "BEDROCK_MAX_RETRIES"])
      expect(line.error).toContain(name);
  });

  it("a chat call names the configuration's problems", async () => {
    const response = await fetch(`${proxy.url("badjson")}/v1/chat/completions`, {
      method: "POST",
      headers: { ...withKey, "content-type": "application/json" },
      body: JSON.stringify({ model: PRIVATE_NAME, messages: USER_HELLO }),
    });
    expect(response.status).toBe(500);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("proxy_misconfigured");
    expect(error.message).toMatch(/MODELS is not valid JSON/);
  });

  it("with no keys configured nobody can ask, so the log lists every problem, the missing keys included", async () => {
    const { status, text, id } = await health("nokeys");
    expect(status).toBe(503);
    expect(JSON.parse(text)).toMatchObject({
      problem_count: 2,
      message: expect.stringMatching(/PROXY_API_KEYS is not set/),
    });
    const line = await eventually(() => proxy.logs.find((entry) => entry.request_id === id), 2000, "the line");
    expect(line.error).toMatch(/MODELS\["x"\].*PROXY_API_KEYS is not set/);
  });
});

describe("a key kept from some models", () => {
  const team = bearer("sk-team-0001");

  it.each(["hidden-bad-entry", "hidden-bad-template"])(
    "gets what a caller without a key gets from /health (%s): how many problems, not which",
    async (variant) => {
      const anonymous = await health(variant);
      const restricted = await health(variant, team);
      expect(restricted.status).toBe(503);
      expect(JSON.parse(restricted.text)).toEqual(JSON.parse(anonymous.text));
      expect(JSON.parse(restricted.text)).toEqual({
        status: "misconfigured",
        problem_count: 1,
        message: expect.stringMatching(
          /log lists the problems; so does GET \/health with an admin key or a key of PROXY_API_KEYS/,
        ),
      });
      expectNothingPrivate(restricted.text);
      // The log line still says what is wrong.
      const line = await eventually(
        () => proxy.logs.find((entry) => entry.request_id === restricted.id),
        2000,
        "the line",
      );
      expect(line.error).toContain(PRIVATE_NAME);
    },
  );

  it("is answered 500 proxy_misconfigured on every call, naming no model; the log line lists the problems", async () => {
    for (const [path, init] of [
      ["/v1/chat/completions", { method: "POST", body: JSON.stringify({ model: "public", messages: USER_HELLO }) }],
      ["/v1/models", {}],
    ] as const) {
      const response = await fetch(`${proxy.url("hidden-bad-entry")}${path}`, {
        ...init,
        headers: { ...team, "content-type": "application/json" },
      });
      const text = await response.text();
      expect(response.status, path).toBe(500);
      expect(JSON.parse(text)).toMatchObject({
        error: {
          code: "proxy_misconfigured",
          type: "server_error",
          message: expect.stringMatching(/^The proxy's configuration is invalid \(1 problem\)/),
        },
      });
      expectNothingPrivate(text);
      const id = response.headers.get("x-request-id");
      const line = await eventually(() => proxy.logs.find((entry) => entry.request_id === id), 2000, "the line");
      expect(line).toMatchObject({ status: 500, key: "team", error_code: "proxy_misconfigured" });
      expect(line.error).toMatch(new RegExp(`MODELS\\["${PRIVATE_NAME}"\\]: Unknown model`));
    }
  });

  it("still calls its own models while another model's chat_template does not compile", async () => {
    const response = await fetch(`${proxy.url("hidden-bad-template")}/v1/chat/completions`, {
      method: "POST",
      headers: { ...team, "content-type": "application/json" },
      body: JSON.stringify({ model: "public", messages: USER_HELLO }),
    });
    expect(response.status).toBe(200);
    expectNothingPrivate(await response.text());
  });

  it("an admin key, and a key kept from no model, are told every problem", async () => {
    for (const key of ["sk-ops-0001", "sk-all-0001"]) {
      const { status, text } = await health("hidden-bad-template", bearer(key));
      expect(status).toBe(503);
      expect(JSON.parse(text)).toEqual({
        status: "misconfigured",
        problems: [expect.stringMatching(new RegExp(`^MODELS\\["${PRIVATE_NAME}"\\]\\.chat_template: `))],
      });
      const response = await fetch(`${proxy.url("hidden-bad-entry")}/v1/chat/completions`, {
        method: "POST",
        headers: { ...bearer(key), "content-type": "application/json" },
        body: JSON.stringify({ model: "public", messages: USER_HELLO }),
      });
      expect(response.status).toBe(500);
      expect(((await response.json()) as { error: { message: string } }).error.message).toContain(
        `MODELS["${PRIVATE_NAME}"]: Unknown model`,
      );
    }
  });
});

describe("a tenant's key, while other entries of API_KEYS have problems (tenancy19 #1, #2)", () => {
  const chat = (key: string) =>
    fetch(`${proxy.url("tenants")}/v1/chat/completions`, {
      method: "POST",
      headers: { ...bearer(key), "content-type": "application/json" },
      body: JSON.stringify({ model: "public", messages: USER_HELLO }),
    });

  it("is told how many problems there are, never another entry's name, limits or binding", async () => {
    const team = await health("tenants", bearer("sk-team-0001"));
    expect(JSON.parse(team.text)).toEqual({ status: "misconfigured", problem_count: 3, message: expect.any(String) });
    const answer = await chat("sk-team-0001");
    expect(answer.status).toBe(500);
    expect(await answer.text()).not.toMatch(/acme|globex|ops|RATE_|5000/);
  });

  it("whose own entry is broken is answered 500 proxy_misconfigured with its own problem, not 401", async () => {
    const answer = await chat("sk-globex-0001");
    expect(answer.status).toBe(500);
    const { error } = (await answer.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("proxy_misconfigured");
    expect(error.message).toContain('API_KEYS["globex-trial"].rate_limit');
    expect(error.message).not.toMatch(/acme|RATE_OPS|"ops"/);
  });

  it("of the operator (PROXY_API_KEYS, or an admin entry even when broken) reads every problem", async () => {
    for (const key of [TEST_KEYS[0], "sk-ops-0001"]) {
      const { status, text } = await health("tenants", bearer(key));
      expect(status).toBe(503);
      expect((JSON.parse(text) as { problems: string[] }).problems).toHaveLength(3);
      expect(text).toContain("acme-corp-prod");
    }
  });
});
