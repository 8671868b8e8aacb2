// A key's body limits are made once per its list of models and kept (perf52): each key still gets
// its own models' limits, and a new environment (a new deployment's MODELS) is read afresh, never
// the limits an earlier one's keys were given.
import { describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { createEmulator } from "../emulator/handler.ts";
import { emulatorModelId } from "../emulator/model-id.ts";
import { createApp } from "./app.ts";
import type { ProxyEnv } from "./config.ts";

const BIG_KEY = "sk-big-limits-0123456789";
const SMALL_KEY = "sk-small-limits-0123456789";

function envWith(bigLimit: number): ProxyEnv {
  const model = `bedrock/llama/${emulatorModelId("llama")}`;
  return {
    MODELS: JSON.stringify({ big: { model, max_body_bytes: bigLimit }, small: model }),
    MAX_BODY_BYTES: 2048,
    API_KEYS: JSON.stringify({
      "team-big": { key: BIG_KEY, models: ["big"] },
      "team-small": { key: SMALL_KEY, models: ["small"] },
    }),
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
    BEDROCK_ENDPOINT: "http://bedrock.emulator",
  };
}

describe("body limits kept per key's models", () => {
  it("each key its own models' limit, and a new environment's limits, not the last one's", async () => {
    const emulator = createEmulator();
    const app = createApp({ log: () => undefined, fetch: (input, init) => emulator.fetch(new Request(input, init)) });
    const status = async (env: ProxyEnv, key: string, model: string) => {
      // About 3000 bytes: over MAX_BODY_BYTES (2048), within big's own 8192.
      const body = JSON.stringify({ model, max_tokens: 5, messages: [{ role: "user", content: "x".repeat(3000) }] });
      const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
      const response = await app.request("/v1/chat/completions", { method: "POST", headers, body }, env);
      await response.text();
      return response.status;
    };
    const roomy = envWith(8192);
    const tight = envWith(2048);
    for (let round = 0; round < 2; round++) {
      expect(await status(roomy, BIG_KEY, "big")).toBe(200);
      expect(await status(roomy, SMALL_KEY, "small")).toBe(413);
      // A model the key may not call has no limit of its own for it.
      expect(await status(roomy, SMALL_KEY, "big")).toBe(413);
      expect(await status(tight, BIG_KEY, "big")).toBe(413);
    }
  });
});
