// A key's limits change no request's 400 (codereview45 #3, codereview45b #1-#3): the same request
// on a key without limits and on keys with each limit gets the same 400, since every check the
// proxy asks before admission is asked in its endpoint's order (its stream flags, a plain answer's
// size, then the library's parse); and a 400 the endpoint can tell is told before a reservation.
import { describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS } from "../../emulator/credentials.ts";
import { createEmulator } from "../../emulator/handler.ts";
import { emulatorModelId } from "../../emulator/model-id.ts";
import { createApp } from "../app.ts";
import type { ProxyBindings } from "../config.ts";

const hi = [{ role: "user", content: "hi" }];

const KEYS = {
  free: { key: "sk-free-0123456789" },
  rated: { key: "sk-rated-0123456789", rate_limit: "RATE_REFUSES" },
  streams: { key: "sk-streams-0123456789", concurrent_streams: 1 },
  tokens: { key: "sk-tokens-0123456789", tokens_per_day: 10_000_000 },
  spent: { key: "sk-spent-0123456789", tokens_per_day: 10 },
};
type KeyName = keyof typeof KEYS;

/** KEY_LIMITS admitting every key but "spent", whose day is used up; its admissions recorded. */
function limitsBinding() {
  const admitted: string[] = [];
  const binding = {
    idFromName: (name: string) => name,
    get: (id: string) => ({
      async fetch(input: string, init?: RequestInit) {
        const method = new URL(input).pathname.slice(1);
        if (method !== "admit") return Response.json(null);
        admitted.push(id);
        if (id === "spent") return Response.json({ ok: false, limit: "tokens_per_day", used: 10, retryAfterS: 60 });
        const { day } = JSON.parse(String(init?.body)) as { day: string };
        return Response.json({ ok: true, day });
      },
    }),
  };
  return { binding, admitted };
}

function proxy() {
  const emulator = createEmulator();
  const limits = limitsBinding();
  const env = {
    MODELS: JSON.stringify({
      llama: `bedrock/llama/${emulatorModelId("llama")}`,
      "capped-n": { model: `bedrock/llama/${emulatorModelId("llama")}`, max_n: 2 },
      openai: `bedrock/openai/${emulatorModelId("openai")}`,
    }),
    API_KEYS: JSON.stringify(KEYS),
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
    BEDROCK_ENDPOINT: "http://bedrock.emulator",
    KEY_LIMITS: limits.binding,
    RATE_REFUSES: { limit: async () => ({ success: false }) },
  } as ProxyBindings;
  const app = createApp({ env, fetch: (input, init) => emulator.fetch(new Request(input, init)), log: () => {} });
  /** The answer's status, its error's param and code. */
  const post = async (name: KeyName, path: string, body: unknown): Promise<string> => {
    const response = await app.request(path, {
      method: "POST",
      headers: { authorization: `Bearer ${KEYS[name].key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const { error } = (await response.json()) as { error?: { param?: string | null; code?: string | null } };
    return `${response.status} ${error?.param ?? "-"} ${error?.code ?? "-"}`;
  };
  return { post, admitted: limits.admitted };
}

// Each breaks a rule an endpoint checks itself and, but for the plain answer's size, another
// rule the library's parse checks first (its field order), so that asking them out of the
// endpoint's order gives another 400.
const CASES: Array<[string, string, Record<string, unknown>]> = [
  [
    "chat: include_usage not a boolean, messages not a list",
    "/v1/chat/completions",
    { model: "llama", messages: 5, stream: true, stream_options: { include_usage: "yes" } },
  ],
  [
    "chat: stream not a boolean, messages not a list",
    "/v1/chat/completions",
    { model: "llama", messages: 5, stream: "yes" },
  ],
  [
    "chat: stream_options without stream, messages not a list",
    "/v1/chat/completions",
    { model: "llama", messages: 5, stream_options: {} },
  ],
  [
    "chat: stream_options without stream, n past the library's bounds",
    "/v1/chat/completions",
    { model: "llama", messages: hi, n: 1000, stream_options: {} },
  ],
  [
    "chat: a stream past its model's max_n, include_usage not a boolean, messages not a list",
    "/v1/chat/completions",
    { model: "capped-n", messages: 5, n: 3, stream: true, stream_options: { include_usage: "yes" } },
  ],
  [
    "completions: include_usage not a boolean, prompt not a text",
    "/v1/completions",
    { model: "llama", prompt: 5, stream: true, stream_options: { include_usage: "yes" } },
  ],
  ["responses: stream not a boolean, input not a text", "/v1/responses", { model: "llama", input: 5, stream: "yes" }],
  [
    "chat: a plain answer too large to build (n 2 × max_tokens 600000, no model limit)",
    "/v1/chat/completions",
    { model: "openai", messages: hi, n: 2, max_tokens: 600_000 },
  ],
];

describe("a key's limits and a request's 400", () => {
  it.each(CASES)("%s: the same 400 on every key, told before any admission", async (_, path, body) => {
    const { post, admitted } = proxy();
    const free = await post("free", path, body);
    expect(free).toMatch(/^400 /);
    for (const name of ["rated", "streams", "tokens", "spent"] as const) {
      expect({ name, answer: await post(name, path, body) }).toEqual({ name, answer: free });
    }
    expect(admitted).toEqual([]);
  });
});
