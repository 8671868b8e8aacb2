/// <reference types="node" />
// Child: SigV4 signatures per second. Ours is authorise() from src/aws/sign.ts with a client's
// shared signing-key cache; the reference is aws4fetch's AwsV4Signer called directly on the same
// request, with a cache (like for like) and without one (what a naive caller pays).
import { AwsV4Signer } from "aws4fetch";
import { EMULATOR_CREDENTIALS } from "../../emulator/credentials.ts";
import { authorise, type SigningKeyCache } from "../../src/aws/sign.ts";
import { createBedrock } from "../../src/index.ts";
import { collectGarbage, numberArg, report } from "../lib/report.ts";

const runs = numberArg("runs", 7);
const callsPerRun = numberArg("calls", 1000);

const MODEL_ARN = "arn:aws:bedrock:us-east-1:123456789012:imported-model/abcdefgh1234";
const URL_ = `https://bedrock-runtime.us-east-1.amazonaws.com/model/${encodeURIComponent(MODEL_ARN)}/invoke-with-response-stream`;
// A typical request body: a rendered Llama 3 prompt of a short conversation (about 1.5 KB).
const PROMPT = Array.from(
  { length: 12 },
  (_, i) =>
    `<|start_header_id|>${i % 2 ? "assistant" : "user"}<|end_header_id|>\n\nMessage ${i}: the quick brown fox jumps over the lazy dog, twice over.<|eot_id|>`,
).join("");
const BODY = JSON.stringify({
  prompt: `<|begin_of_text|>${PROMPT}<|start_header_id|>assistant<|end_header_id|>\n\n`,
  max_gen_len: 512,
  temperature: 0.7,
});
const HEADERS = { "content-type": "application/json", "x-amzn-bedrock-accept": "application/json" };
const AUTH = { kind: "sigv4", credentials: { ...EMULATOR_CREDENTIALS } } as const;

function rawSigner(cache: Map<string, ArrayBuffer> | undefined): AwsV4Signer {
  return new AwsV4Signer({
    method: "POST",
    url: URL_,
    headers: HEADERS,
    body: BODY,
    accessKeyId: AUTH.credentials.accessKeyId,
    secretAccessKey: AUTH.credentials.secretAccessKey,
    service: "bedrock",
    region: "us-east-1",
    cache,
  });
}

const ourCache: SigningKeyCache = new Map();
const rawCache = new Map<string, ArrayBuffer>();

const contenders = {
  ours: async () => {
    const headers = await authorise({ url: URL_, headers: HEADERS, body: BODY }, AUTH, "us-east-1", ourCache);
    if (!headers.authorization) throw new Error("unsigned");
  },
  rawCached: async () => {
    const signed = await rawSigner(rawCache).sign();
    if (!signed.headers.has("authorization")) throw new Error("unsigned");
  },
  rawUncached: async () => {
    const signed = await rawSigner(undefined).sign();
    if (!signed.headers.has("authorization")) throw new Error("unsigned");
  },
};

// The whole non-streamed request path of the client with the network stubbed: validate, render
// the prompt, sign, fetch (a canned answer), map the answer. Shows what signing weighs in it.
const answer = JSON.stringify({
  generation: "Hello.",
  prompt_token_count: 40,
  generation_token_count: 2,
  stop_reason: "stop",
});
const bedrock = createBedrock({
  credentials: EMULATOR_CREDENTIALS,
  fetch: async () => new Response(answer, { headers: { "content-type": "application/json" } }),
});
const messages = Array.from({ length: 12 }, (_, i) => ({
  role: i % 2 ? ("assistant" as const) : ("user" as const),
  content: `Message ${i}: the quick brown fox jumps over the lazy dog, twice over.`,
}));
const requestPath = async () => {
  const completion = await bedrock.chat.completions.create({
    model: `bedrock/llama/${MODEL_ARN}`,
    messages,
    max_tokens: 512,
  });
  if (!completion.choices[0]) throw new Error("no answer");
};

type Name = keyof typeof contenders | "requestPath";
const all: Record<Name, () => Promise<void>> = { ...contenders, requestPath };

// Contenders alternate every BLOCK calls: WebCrypto in Node runs on the libuv thread pool, and
// its latency drifts with the machine's load faster than a coarser alternation could cancel.
// The goal's pair (ours, raw cached) alternates on its own: a third contender in the rotation
// (new keys, other buffers) changes the pool's state for whichever runs after it.
const BLOCK = 100;
const blocksPerRun = Math.max(1, Math.round(callsPerRun / BLOCK));

async function block(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < BLOCK; i++) await work();
  return performance.now() - started;
}

async function alternate<N extends Name>(names: readonly N[], blocks: number): Promise<Record<N, number[]>> {
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<N, number[]>;
  // Warm-up: let the JIT settle on every path, alternating as the runs will.
  for (let b = 0; b < 4; b++) for (const name of b % 2 ? [...names].reverse() : names) await block(all[name]);
  for (let run = 0; run < runs; run++) {
    collectGarbage();
    const spent = Object.fromEntries(names.map((name) => [name, 0])) as Record<N, number>;
    for (let b = 0; b < blocks; b++) {
      const order = b % 2 ? [...names].reverse() : names;
      for (const name of order) spent[name] += await block(all[name]);
    }
    for (const name of names) samples[name].push((blocks * BLOCK) / (spent[name] / 1000));
  }
  return samples;
}

const goal = await alternate(["ours", "rawCached"] as const, blocksPerRun);
// Information only: half the calls, to keep the whole benchmark short.
const information = await alternate(["rawUncached", "requestPath"] as const, Math.max(1, Math.round(blocksPerRun / 2)));
report({ callsPerRun: blocksPerRun * BLOCK, bodyBytes: BODY.length, samples: { ...goal, ...information } });
