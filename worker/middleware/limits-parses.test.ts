// How many times a request is parsed on its way through the key's limits (adm45 #2): the library's
// chat parse counted around the module, which both the library's call and the proxy's own check
// read it from. A valid request is parsed once, by its call, except a stream that takes a
// concurrent_streams place (parsed first, so that an invalid one takes none) and a request past
// its model's bounds (run through the library up to its send before it is admitted).
import { expect, it, vi } from "vitest";
import { EMULATOR_CREDENTIALS } from "../../emulator/credentials.ts";
import { createEmulator } from "../../emulator/handler.ts";
import { emulatorModelId } from "../../emulator/model-id.ts";
import { model } from "../../test/helpers/emulated.ts";
import { createApp } from "../app.ts";
import type { ProxyBindings } from "../config.ts";

const parses = vi.hoisted(() => ({ chat: 0 }));

vi.mock("../../src/openai/schema.ts", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../src/openai/schema.ts")>();
  return {
    ...original,
    parseChatRequest(input: unknown) {
      parses.chat += 1;
      return original.parseChatRequest(input);
    },
  };
});

/** The chat parses of one request of `limits`' key, and its status. */
async function parsed(limits: Record<string, unknown>, body: Record<string, unknown>) {
  const emulator = createEmulator();
  const binding = {
    idFromName: () => "id",
    get: () => ({
      async fetch(input: string, init?: RequestInit) {
        const args = JSON.parse(String(init?.body)) as { day?: string };
        return Response.json(new URL(input).pathname === "/admit" ? { ok: true, day: args.day } : null);
      },
    }),
  };
  const env: ProxyBindings = {
    MODELS: JSON.stringify({ llama: `bedrock/llama/${emulatorModelId("llama")}`, claude: model("converse") }),
    API_KEYS: JSON.stringify({ team: { key: "sk-team-0123456789", ...limits } }),
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
    BEDROCK_ENDPOINT: "http://bedrock.emulator",
    KEY_LIMITS: binding,
  } as ProxyBindings;
  const app = createApp({ env, fetch: (input, init) => emulator.fetch(new Request(input, init)), log: () => {} });
  parses.chat = 0;
  const response = await app.request("/v1/chat/completions", {
    method: "POST",
    headers: { authorization: "Bearer sk-team-0123456789", "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  await response.text();
  return { status: response.status, parses: parses.chat };
}

const hi = { model: "llama", messages: [{ role: "user", content: "hi" }], max_tokens: 10 };

it("a valid request is parsed once, by its call; a stream that takes a concurrent_streams place twice", async () => {
  const counts = {
    noLimits: await parsed({}, hi),
    tokensPlain: await parsed({ tokens_per_day: 100_000 }, hi),
    tokensStream: await parsed({ tokens_per_day: 100_000 }, { ...hi, stream: true }),
    streamsPlain: await parsed({ concurrent_streams: 2 }, hi),
    streamsStream: await parsed({ concurrent_streams: 2 }, { ...hi, stream: true }),
    // Past its model's bounds (n on Converse) but served (drop_params drops n): built once before
    // admission, to ask the library, then by its call.
    pastButServed: await parsed({ tokens_per_day: 100_000 }, { ...hi, model: "claude", n: 2, drop_params: true }),
  };
  expect(counts).toEqual({
    noLimits: { status: 200, parses: 1 },
    tokensPlain: { status: 200, parses: 1 },
    tokensStream: { status: 200, parses: 1 },
    streamsPlain: { status: 200, parses: 1 },
    streamsStream: { status: 200, parses: 2 },
    pastButServed: { status: 200, parses: 2 },
  });
});
