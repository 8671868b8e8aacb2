// One structured log line per request, as workerd prints it (Miniflare hands us the Worker's
// console output): model, status, latency, tokens; never a secret, never a prompt by default.
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorOf } from "../helpers/errors.ts";
import { EMULATOR_SESSION_CREDENTIALS } from "../../emulator/credentials.ts";
import type { LogLine } from "../../worker/log.ts";
import { eventually, startWorkerdProxy, TEST_KEYS, USER_HELLO, type WorkerdProxy } from "./harness.ts";

const SESSION = {
  AWS_ACCESS_KEY_ID: EMULATOR_SESSION_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: EMULATOR_SESSION_CREDENTIALS.secretAccessKey,
  AWS_SESSION_TOKEN: EMULATOR_SESSION_CREDENTIALS.sessionToken,
};
const WRONG_SECRET = "wrongSecretKey/EXAMPLE+doesNotMatchAnything0";
const SECRETS = [
  ...TEST_KEYS,
  SESSION.AWS_SECRET_ACCESS_KEY,
  SESSION.AWS_SESSION_TOKEN!,
  SESSION.AWS_ACCESS_KEY_ID,
  WRONG_SECRET,
];
const PROMPT = "My very private question about the weather";

let proxy: WorkerdProxy;
let lines: LogLine[];

beforeAll(async () => {
  proxy = await startWorkerdProxy({
    session: SESSION,
    wrongsecret: { ...SESSION, AWS_SECRET_ACCESS_KEY: WRONG_SECRET },
    prompts: { LOG_PROMPTS: "true" },
  });
  const client = proxy.client("session");
  const messages = [{ role: "user" as const, content: PROMPT }];
  // Sequential, so the lines come in a known order.
  await client.chat.completions.create({ model: "llama", messages });
  const stream = await client.chat.completions.create({ model: "qwen2", messages, stream: true });
  for await (const _chunk of stream);
  await client.chat.completions.create({ model: "no-such-model", messages }).catch(() => undefined);
  await proxy
    .client("session", { apiKey: "sk-wrong" })
    .chat.completions.create({ model: "llama", messages })
    .catch(() => undefined);
  await client.models.list();
  await fetch(`${proxy.url("session")}/health`);
  await fetch(`${proxy.url("session")}/nowhere`);
  const midstream = await client.chat.completions.create({ model: "midstream-error", messages, stream: true });
  await (async () => {
    for await (const _chunk of midstream);
  })().catch(() => undefined);
  await proxy
    .client("wrongsecret")
    .chat.completions.create({ model: "llama", messages })
    .catch(() => undefined);
  await proxy.client("prompts").chat.completions.create({ model: "llama", messages });
  lines = await eventually(() => proxy.logs.length >= 10 && proxy.logs, 2000, "ten log lines");
  // A moment more, to see that no request logged twice.
  await new Promise((resolve) => setTimeout(resolve, 200));
});
afterAll(() => proxy?.close());

describe("one log line per request", () => {
  it("exactly one line for each of the ten requests, in order", () => {
    expect(proxy.logs).toHaveLength(10);
    expect(lines.map((line) => [line.method, line.path, line.status])).toEqual([
      ["POST", "/v1/chat/completions", 200],
      ["POST", "/v1/chat/completions", 200],
      ["POST", "/v1/chat/completions", 404],
      ["POST", "/v1/chat/completions", 401],
      ["GET", "/v1/models", 200],
      ["GET", "/health", 200],
      ["GET", "/nowhere", 404],
      ["POST", "/v1/chat/completions", 424],
      ["POST", "/v1/chat/completions", 502],
      ["POST", "/v1/chat/completions", 200],
    ]);
  });

  it("a completion's line has the model, the latency and the tokens", () => {
    const [plain, streamed] = lines;
    expect(plain).toMatchObject({ model: "llama", stream: false, status: 200 });
    expect(plain!.prompt_tokens).toBeGreaterThan(0);
    expect(plain!.completion_tokens).toBeGreaterThan(0);
    expect(plain!.ms).toBeGreaterThanOrEqual(0);
    expect(Date.parse(plain!.time)).not.toBeNaN();
    // The client did not ask for usage; the proxy still logs it.
    expect(streamed).toMatchObject({ model: "qwen2", stream: true, status: 200 });
    expect(streamed!.completion_tokens).toBeGreaterThan(0);
  });

  it("errors are logged with their code", () => {
    expect(lines[2]).toMatchObject({ model: "no-such-model", error_code: "model_not_found" });
    expect(lines[3]).toMatchObject({ error_code: "invalid_api_key" });
    expect(lines[7]).toMatchObject({ model: "midstream-error", stream: true, error_code: "model_stream_error" });
    expect(lines[8]).toMatchObject({ error_code: "upstream_auth_failed" });
    expect(lines[8]!.error).toMatch(/InvalidSignatureException/);
  });

  it("never a secret: not the keys, not the AWS secret, not the session token", () => {
    const everything = proxy.output.join("\n");
    for (const secret of SECRETS) expect(everything).not.toContain(secret);
    expect(everything).not.toMatch(/Signature=[0-9a-f]/);
  });

  it("prompts only with LOG_PROMPTS=true", () => {
    expect(lines.slice(0, 9).some((line) => JSON.stringify(line).includes(PROMPT))).toBe(false);
    expect(lines[9]!.messages).toEqual([{ role: "user", content: PROMPT }]);
  });
});

describe("the proxy's own AWS credentials refused", () => {
  it("is a 502 upstream_auth_failed, not the client's 401, and names no secret", async () => {
    const failed = await errorOf(
      () => proxy.client("wrongsecret").chat.completions.create({ model: "llama", messages: USER_HELLO }),
      OpenAI.InternalServerError,
    );
    expect(failed).not.toBeInstanceOf(OpenAI.AuthenticationError);
    expect(failed.status).toBe(502);
    expect(failed.code).toBe("upstream_auth_failed");
    expect(failed.message).toMatch(/AWS_\*/);
    expect(JSON.stringify(failed.error)).not.toContain(WRONG_SECRET);
  });
});
