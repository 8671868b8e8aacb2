import { describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS } from "../../emulator/credentials.ts";
import { createEmulator } from "../../emulator/handler.ts";
import { emulatorModelId } from "../../emulator/model-id.ts";
import { createApp, type LogLine } from "../app.ts";
import type { ProxyBindings } from "../config.ts";

/** The proxy on Node with the emulator in process, a key with every limit, and these bindings. */
function proxyWith(bindings: Record<string, unknown>) {
  const emulator = createEmulator();
  const logs: LogLine[] = [];
  const env: ProxyBindings = {
    MODELS: JSON.stringify({ llama: `bedrock/llama/${emulatorModelId("llama")}` }),
    API_KEYS: JSON.stringify({
      team: { key: "sk-team-0123456789", rate_limit: "RATE", tokens_per_day: 1000, concurrent_streams: 2 },
    }),
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
    BEDROCK_ENDPOINT: "http://bedrock.emulator",
  };
  Object.assign(env, bindings);
  const app = createApp({
    env,
    fetch: (input, init) => emulator.fetch(new Request(input, init)),
    log: (line) => logs.push(line),
  });
  const chat = (stream = false) =>
    app.request("/v1/chat/completions", {
      method: "POST",
      headers: { authorization: "Bearer sk-team-0123456789", "content-type": "application/json" },
      body: JSON.stringify({ model: "llama", messages: [{ role: "user", content: "hi" }], stream }),
    });
  return { chat, logs };
}

const failing = async () => {
  throw new Error("the counter is down");
};

describe("a limit whose binding fails", () => {
  it("lets the request through, and its log line says which limits went unchecked", async () => {
    const { chat, logs } = proxyWith({
      RATE: { limit: failing },
      KEY_LIMITS: { idFromName: () => "id", get: () => ({ fetch: failing }) },
    });
    const response = await chat(true);
    expect(response.status).toBe(200);
    await response.text();
    expect(logs.at(-1)).toMatchObject({
      status: 200,
      key: "team",
      limits_unchecked: "rate_limit: the counter is down; tokens_per_day, concurrent_streams: the counter is down",
    });
    const plain = await chat();
    expect(plain.status).toBe(200);
    // The line is written once the answer has been read.
    await plain.text();
    expect(logs.at(-1)?.limits_unchecked).toBe("rate_limit: the counter is down; tokens_per_day: the counter is down");
  });

  it("the rate limiter's failure too", async () => {
    const admitted = async () => Response.json({ ok: true });
    const { chat, logs } = proxyWith({
      RATE: { limit: failing },
      KEY_LIMITS: { idFromName: () => "id", get: () => ({ fetch: admitted }) },
    });
    const response = await chat();
    expect(response.status).toBe(200);
    await response.text();
    expect(logs.at(-1)?.limits_unchecked).toBe("rate_limit: the counter is down");
  });
});
