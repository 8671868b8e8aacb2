/// <reference types="node" />
// The heaviest request bodies sent at once to one proxy process with an isolate's heap
// (docs/SECURITY.md, "Bounded cost per request"): 4 MiB of text holding 99,000 special tokens
// each, the emulator in a process of its own so that its heap is not counted.
//   npx tsx emulator/cli.ts --port 4010 &
//   node --max-old-space-size=128 --import tsx scripts/bodies-in-flight.ts <count> [in-flight bytes]
// Prints each answer's status and code; a process out of heap dies with V8's fatal error instead.
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { emulatorModelId } from "../emulator/model-id.ts";
import { createApp } from "../worker/mod.ts";

const count = Number(process.argv[2] ?? "4");
const inFlight = process.argv[3];
const endpoint = process.env.EMULATOR_URL ?? "http://127.0.0.1:4010";

const app = createApp({
  env: {
    MODELS: JSON.stringify({ m: `bedrock/llama/${emulatorModelId("llama", [])}` }),
    PROXY_API_KEYS: "sk-heavy",
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
    BEDROCK_ENDPOINT: endpoint,
    MAX_BODY_BYTES_IN_FLIGHT: inFlight,
  },
  log: () => undefined,
});

const TOKENS = 99_000;
const BYTES = 4 * 1024 * 1024 - 200;
const token = "<|eot_id|>";
const text = token.repeat(TOKENS) + "x".repeat(BYTES - token.length * TOKENS);
const body = JSON.stringify({ model: "m", max_tokens: 16, messages: [{ role: "user", content: text }] });

const started = performance.now();
const answers = await Promise.all(
  Array.from({ length: count }, async () => {
    const answer = await app.fetch(
      new Request("http://proxy/v1/chat/completions", {
        method: "POST",
        headers: { authorization: "Bearer sk-heavy", "content-type": "application/json" },
        body,
      }),
    );
    const json = (await answer.json()) as { error?: { code: string | null } };
    return `${answer.status}${json.error ? ` ${json.error.code}` : ""}`;
  }),
);
const heap = process.memoryUsage().heapUsed / 2 ** 20;
console.log(
  `${count} at once, MAX_BODY_BYTES_IN_FLIGHT ${inFlight ?? "default"}: ${answers.join(", ")} (${Math.round(performance.now() - started)} ms, heap now ${heap.toFixed(0)} MiB)`,
);
