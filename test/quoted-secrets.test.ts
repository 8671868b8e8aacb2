// A secret the library quotes in a message reaches the Worker's log line, /health and a tenant's
// 500 only whole, where the Worker's redaction (which finds known secrets and their shapes whole)
// removes it: the library cuts quoted text between words only, never through a key (secrets46
// #1, #2).
import { describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS, EMULATOR_SESSION_CREDENTIALS } from "../emulator/credentials.ts";
import { emulatorModelId } from "../emulator/model-id.ts";
import { createApp } from "../worker/app.ts";
import type { D1Statement } from "../worker/cloudflare.ts";
import type { LogLine } from "../worker/log.ts";
import { inProcessProxy } from "./helpers/in-process-proxy.ts";

// A key as `openssl rand -hex 32` makes one, with a prefix: 67 characters.
const KEY = `sk-${"0123456789abcdef".repeat(4)}`;
// A key as `openssl rand -hex 32` makes it, without a prefix.
const HEX_KEY = "fedcba9876543210".repeat(4);
const CHAT = { chat: `bedrock/converse/${emulatorModelId("qwen3")}` };
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

async function chatWith(field: string, value: string) {
  const proxy = inProcessProxy(CHAT, { PROXY_API_KEYS: KEY });
  const response = await proxy.app.request("http://proxy.test/v1/chat/completions", {
    method: "POST",
    headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "chat", messages: [{ role: "user", content: "Hi" }], [field]: value }),
  });
  const body = await response.text();
  await settle();
  return { status: response.status, body, line: proxy.lines.at(-1) };
}

describe("a key the client sends as a value: never its head in the log line", () => {
  for (const field of ["temperature", "service_tier", "reasoning_effort"]) {
    it(`the proxy's key as ${field}`, async () => {
      const { status, body, line } = await chatWith(field, KEY);
      expect(status).toBe(400);
      // The client is told the value's length: the message names the field and the fault.
      expect(body).toContain(`${field} must be`);
      expect(body).toMatch(/ a string of 67 characters\)?\./);
      expect(line?.error).toMatch(/ a string of 67 characters\)?\./);
      expect(JSON.stringify(line)).not.toContain(KEY.slice(0, 20));
    });
  }

  it("the proxy's own AWS secret access key (40 characters) as temperature: quoted whole, so redacted", async () => {
    const secret = EMULATOR_CREDENTIALS.secretAccessKey;
    expect(secret).toHaveLength(40);
    const { line } = await chatWith("temperature", secret);
    expect(line?.error).toBe('temperature must be a number between 0 and 2 (got "[redacted]").');
    expect(JSON.stringify(line)).not.toContain(secret.slice(0, 20));
  });

  it("a word, then the key: the word shown, none of the key", async () => {
    const { line } = await chatWith("temperature", `hot ${KEY}`);
    expect(line?.error).toBe('temperature must be a number between 0 and 2 (got "hot…").');
  });
});

describe("a MODELS value holding a secret: never its head in /health, the log or a tenant's 500", () => {
  const creds = EMULATOR_SESSION_CREDENTIALS;
  const TOKEN = creds.sessionToken ?? "";
  const aws = {
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
    AWS_SESSION_TOKEN: TOKEN,
  };

  async function healthAndCall(models: unknown) {
    const lines: LogLine[] = [];
    const app = createApp({
      env: { MODELS: JSON.stringify(models), PROXY_API_KEYS: "sk-test", ...aws },
      fetch: async () => new Response("{}"),
      log: (line) => lines.push(structuredClone(line)),
    });
    const auth = { authorization: "Bearer sk-test" };
    const health = await (await app.request("http://proxy.test/health", { headers: auth })).text();
    const call = await app.request("http://proxy.test/v1/chat/completions", {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "Hi" }] }),
    });
    await call.text();
    await settle();
    return { health, status: call.status, lines };
  }

  for (const field of ["service_tier", "reasoning_budget"]) {
    it(`MODELS["m"].${field} set to the session token`, async () => {
      const { health, status, lines } = await healthAndCall({
        m: { model: "bedrock/converse/amazon.nova-lite-v1:0", [field]: TOKEN },
      });
      expect(status).toBe(500);
      expect(health).toContain(`(got a string of ${TOKEN.length} characters)`);
      expect(health).not.toContain(TOKEN.slice(0, 16));
      expect(JSON.stringify(lines)).not.toContain(TOKEN.slice(0, 16));
    });
  }

  it("a key of API_KEYS that may call the model is not told the token's head in its 500", async () => {
    const app = createApp({
      env: {
        MODELS: JSON.stringify({ m: { model: "bedrock/converse/amazon.nova-lite-v1:0", service_tier: TOKEN } }),
        API_KEYS: JSON.stringify({ tenant: { key: "sk-tenant-0123456789", models: ["m"] } }),
        ...aws,
      },
      fetch: async () => new Response("{}"),
      log: () => undefined,
    });
    const response = await app.request("http://proxy.test/v1/chat/completions", {
      method: "POST",
      headers: { authorization: "Bearer sk-tenant-0123456789", "content-type": "application/json" },
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "Hi" }] }),
    });
    const text = await response.text();
    expect(response.status).toBe(500);
    expect(text).toContain("service_tier");
    expect(text).not.toContain(TOKEN.slice(0, 16));
  });
});

describe("an image model's 200 answer echoing the call's credentials: never in the client's error or the log", () => {
  const creds = EMULATOR_SESSION_CREDENTIALS;
  const TOKEN = creds.sessionToken ?? "";

  async function generate(answer: unknown) {
    const lines: LogLine[] = [];
    const app = createApp({
      env: {
        MODELS: JSON.stringify({ pictures: "bedrock/image/amazon.nova-canvas-v1:0" }),
        PROXY_API_KEYS: "sk-test",
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: creds.accessKeyId,
        AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
        AWS_SESSION_TOKEN: TOKEN,
        BEDROCK_ENDPOINT: "http://bedrock.emulator",
      },
      fetch: async () => new Response(JSON.stringify(answer), { headers: { "content-type": "application/json" } }),
      log: (line) => lines.push(structuredClone(line)),
    });
    const response = await app.request("http://proxy.test/v1/images/generations", {
      method: "POST",
      headers: { authorization: "Bearer sk-test", "content-type": "application/json" },
      body: JSON.stringify({ model: "pictures", prompt: "hills" }),
    });
    const text = await response.text();
    await settle();
    return { status: response.status, text, line: lines.at(-1) };
  }

  it("the client's 502 holds neither the secret key nor the session token", async () => {
    const { status, text } = await generate({
      images: [],
      error: `failed for ${creds.accessKeyId} ${creds.secretAccessKey} X-Amz-Security-Token: ${TOKEN}`,
    });
    expect(status).toBe(502);
    expect(text).toContain("The image model answered without 1 images: failed for [redacted]");
    for (const secret of [creds.accessKeyId, creds.secretAccessKey, TOKEN]) expect(text).not.toContain(secret);
  });

  it("a token across the 300-character cut: never its head in the log", async () => {
    // The message's lead is 43 characters: the token starts 30 characters before the cut.
    const pad = "x ".repeat((300 - 43 - 30) / 2);
    const { line } = await generate({ images: [], error: `${pad}${TOKEN}` });
    expect(line?.error).toMatch(/^The image model answered without 1 images: (x )+/);
    expect(line?.error).not.toContain(TOKEN.slice(0, 16));
  });
});

describe("an API_KEYS entry named by its key: never the key in the log, /health or usage", () => {
  const NAMED = `sk-${"0123456789abcdef".repeat(2)}01234567`;

  it("the entry is a configuration problem, and its calls log its position, not its name", async () => {
    const proxy = inProcessProxy(CHAT, {
      PROXY_API_KEYS: "sk-admin",
      API_KEYS: JSON.stringify({ [NAMED]: { key: NAMED } }),
    });
    const health = await (
      await proxy.app.request("http://proxy.test/health", { headers: { authorization: "Bearer sk-admin" } })
    ).text();
    expect(health).toContain("API_KEYS (entry 1, its name not shown): its name is a key");
    const response = await proxy.app.request("http://proxy.test/v1/models", {
      headers: { authorization: `Bearer ${NAMED}` },
    });
    await response.text();
    await settle();
    expect(response.status).toBe(500);
    const line = proxy.lines.at(-1);
    expect(line?.key).toBe("API_KEYS (entry 1, its name not shown)");
    expect(JSON.stringify(proxy.lines)).not.toContain(NAMED.slice(0, 16));
    expect(health).not.toContain(NAMED.slice(0, 16));
  });

  it("a rotated-out key kept as a stray field is told by its length in /health, and redacted", async () => {
    const OLD = `sk-${"fedcba9876543210".repeat(4)}`;
    const proxy = inProcessProxy(CHAT, {
      PROXY_API_KEYS: "sk-admin",
      API_KEYS: JSON.stringify({ team: { key: NAMED.replace("sk-", "sk-t"), [OLD]: "revoked" } }),
    });
    const health = await (
      await proxy.app.request("http://proxy.test/health", { headers: { authorization: "Bearer sk-admin" } })
    ).text();
    expect(health).toContain('API_KEYS[\\"team\\"]: has a field (a name of 67 characters, not shown)');
    expect(health).not.toContain(OLD.slice(0, 16));
  });
});

describe("a client's request id that is a secret: logged as [redacted] (secrets46 #5)", () => {
  for (const [header, value, what] of [
    ["x-client-request-id", KEY, "the proxy's key"],
    ["x-request-id", EMULATOR_CREDENTIALS.accessKeyId, "the proxy's AWS access key id"],
    ["x-request-id", "AKIAABCDEFGHIJKLMNOP", "an access key id's shape"],
    ["x-client-request-id", `req-ABSK${"QmVkcm9ja0FQSUtleS1".repeat(2)}`, "a Bedrock API key's shape"],
    [
      "x-client-request-id",
      `bedrock-api-key-${"YmVkcm9jay5hbWF6b25hd3M".repeat(2)}`,
      "a short-term Bedrock API key's shape",
    ],
    ["x-client-request-id", HEX_KEY, "the proxy's key of 64 hex digits"],
  ] as const) {
    it(`${header}: ${what}`, async () => {
      const proxy = inProcessProxy(CHAT, { PROXY_API_KEYS: `${KEY},${HEX_KEY}` });
      const response = await proxy.app.request("http://proxy.test/v1/models", {
        headers: { authorization: `Bearer ${KEY}`, [header]: value },
      });
      await response.text();
      await settle();
      const line = proxy.lines.at(-1);
      expect(line?.client_request_id).toBe("[redacted]");
      expect(JSON.stringify(line)).not.toContain(value);
    });
  }

  it("an id that is no secret is kept as sent", async () => {
    const proxy = inProcessProxy(CHAT, { PROXY_API_KEYS: KEY });
    const response = await proxy.app.request("http://proxy.test/v1/models", {
      headers: { authorization: `Bearer ${KEY}`, "x-client-request-id": "trace-42" },
    });
    await response.text();
    await settle();
    expect(proxy.lines.at(-1)?.client_request_id).toBe("trace-42");
  });

  // codereview46 #6: a digest's 64 hex digits are a signature's shape to redaction, and were redacted.
  it("an id that is a SHA-256 digest (no secret) is kept as sent", async () => {
    const digest = "59258e47b8e9ab3a85ec60b1b5d0d4c9b0e72f4a3c8d9e1f2a3b4c5d6e7fc057";
    const proxy = inProcessProxy(CHAT, { PROXY_API_KEYS: `${KEY},${HEX_KEY}` });
    const response = await proxy.app.request("http://proxy.test/v1/models", {
      headers: { authorization: `Bearer ${KEY}`, "x-client-request-id": digest },
    });
    await response.text();
    await settle();
    expect(proxy.lines.at(-1)?.client_request_id).toBe(digest);
  });
});

// codereview46 #1-#3: text the Worker cut itself before quoting it (a multipart field's name, /v1/usage's
// since, a MODELS name given twice) kept a head of the key pasted there.
describe("client and configuration text the Worker quotes: whole or by its length, never cut", () => {
  it("a multipart field named by the key: its length in the log, none of the key", async () => {
    const proxy = inProcessProxy({ pictures: "bedrock/image/amazon.nova-canvas-v1:0" }, { PROXY_API_KEYS: KEY });
    const form = new FormData();
    form.set("model", "pictures");
    form.set("prompt", "a door");
    form.set("image", new File([new Uint8Array([137, 80, 78, 71])], "a.png", { type: "image/png" }));
    form.set(KEY, "x");
    const response = await proxy.app.request("http://proxy.test/v1/images/edits", {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}` },
      body: form,
    });
    const body = await response.text();
    await settle();
    expect(response.status).toBe(400);
    expect(body).toContain("a name of 67 characters is not a parameter of image edits");
    expect(JSON.stringify(proxy.lines)).not.toContain(KEY.slice(0, 20));
  });

  it("GET /v1/usage?since=<the key>: its length in the log, none of the key", async () => {
    const lines: LogLine[] = [];
    const statement = (): D1Statement => ({
      bind: () => statement(),
      run: async () => ({}),
      all: async <Row>() => ({ results: [] as Row[] }),
    });
    const app = createApp({
      env: {
        MODELS: JSON.stringify({ llama: `bedrock/llama/${emulatorModelId("llama")}` }),
        API_KEYS: JSON.stringify({ boss: { key: KEY, admin: true } }),
        AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
        BEDROCK_ENDPOINT: "http://bedrock.emulator",
        USAGE_DB: { prepare: () => statement(), exec: async () => undefined },
      },
      log: (line) => lines.push(structuredClone(line)),
    });
    const answer = await app.request(`/v1/usage?since=${encodeURIComponent(KEY)}`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(answer.status).toBe(400);
    expect(await answer.text()).toContain("(got a string of 67 characters)");
    await settle();
    expect(JSON.stringify(lines)).not.toContain(KEY.slice(0, 20));
  });

  it("a MODELS name, the session token, given twice: its length in /health, none of the token", async () => {
    // A session token's shape, longer than the 100 characters the name was cut to.
    const token = `IQoJb3JpZ2luX2VjEMULATOR//////////wEaCXVzLWVhc3QtMSJHMEUCIQD${"x".repeat(100)}-tok`;
    const model = `bedrock/converse/${emulatorModelId("qwen3")}`;
    const MODELS = `{"chat": "${model}", "${token}": "${model}", "${token}": "${model}"}`;
    const proxy = inProcessProxy({}, { MODELS, AWS_SESSION_TOKEN: token, PROXY_API_KEYS: "sk-test" });
    const health = await (
      await proxy.app.request("http://proxy.test/health", { headers: { authorization: "Bearer sk-test" } })
    ).text();
    expect(health).toContain(`MODELS[a string of ${token.length} characters]: the name is given twice`);
    expect(health).not.toContain(token.slice(0, 16));
  });
});
