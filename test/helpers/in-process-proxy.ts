// The proxy in-process on a fresh emulator, as the official openai client reaches it: its app,
// the emulator (its stats and bodies), the log lines it wrote, and a client for a key.
import OpenAI from "openai";
import { EMULATOR_CREDENTIALS } from "../../emulator/credentials.ts";
import { createEmulator } from "../../emulator/handler.ts";
import { createApp } from "../../worker/app.ts";
import type { LogLine } from "../../worker/log.ts";

/** The proxy serving `models` (its MODELS) with the key `sk-test`; `env` adds or overrides its settings. */
export function inProcessProxy(models: Record<string, unknown>, env: Record<string, string> = {}) {
  const emulator = createEmulator();
  const lines: LogLine[] = [];
  const app = createApp({
    env: {
      MODELS: JSON.stringify(models),
      PROXY_API_KEYS: "sk-test",
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
      BEDROCK_ENDPOINT: "http://bedrock.emulator",
      ...env,
    },
    fetch: (input, init) => emulator.fetch(new Request(input, init)),
    log: (line) => lines.push(structuredClone(line)),
  });
  const clientFor = (apiKey = "sk-test") =>
    new OpenAI({
      apiKey,
      baseURL: "http://proxy.test/v1",
      maxRetries: 0,
      fetch: async (url, init) => app.request(String(url), init),
    });
  return { app, emulator, lines, client: clientFor(), clientFor };
}
