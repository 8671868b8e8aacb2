/// <reference types="node" />
// Child: the time of one plain (non-streamed) call on Node, each client as its users call it,
// against the emulator over loopback HTTP/1.1 (its own process). Clients take turns in blocks,
// in a rotating order, so drifting load falls on all of them alike. Also the same calls with
// the network replaced by a canned answer: each client's own per-call work (validation,
// templating, signing, JSON), without any transport.
import { EMULATOR_CREDENTIALS } from "../../emulator/credentials.ts";
import { emulatorModelId } from "../../emulator/model-id.ts";
import { signedRequest } from "../../emulator/testing.ts";
import { createNodeFetch, nodeSigningCrypto } from "../../node/mod.ts";
import { createBedrock } from "../../src/index.ts";
import { aiSdkModel, aiSdkText } from "../peers/ai-sdk.ts";
import { awsSdkClient, awsSdkText, llamaPrompt } from "../peers/aws-sdk.ts";
import { collectGarbage, numberArg, report } from "../lib/report.ts";

const endpoint = process.argv[2];
if (!endpoint?.startsWith("http")) throw new Error("usage: plain-call.mjs <emulator url> [runs=N] [block=N]");
const runs = numberArg("runs", 5);
const BLOCK = numberArg("block", 40);
const BLOCKS_PER_RUN = numberArg("blocks", 3);

const TEXT = "Say hello to the benchmark.";
const MODEL_ID = emulatorModelId("llama");
const credentials = { ...EMULATOR_CREDENTIALS };
const EXPECTED = /^Hello from the Bedrock emulator \(llama\)\./;

/** Real answers of the emulator, replayed by the stubbed transports. */
async function cannedAnswer(
  operation: "invoke" | "converse",
  body: unknown,
): Promise<{ text: string; headers: Record<string, string> }> {
  const response = await fetch(await signedRequest(endpoint!, MODEL_ID, body, { operation }));
  if (!response.ok) throw new Error(`emulator ${operation}: ${response.status}`);
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name !== "connection" && name !== "keep-alive" && name !== "date") headers[name] = value;
  });
  return { text: await response.text(), headers };
}
const invokeAnswer = await cannedAnswer("invoke", { prompt: llamaPrompt(TEXT) });
const converseAnswer = await cannedAnswer("converse", { messages: [{ role: "user", content: [{ text: TEXT }] }] });
const cannedFetch = (answer: { text: string; headers: Record<string, string> }) => async () =>
  new Response(answer.text, { headers: answer.headers });

const model = `bedrock/llama/${MODEL_ID}`;
const messages = [{ role: "user" as const, content: TEXT }];
const ours = createBedrock({ endpoint, credentials });
const nodeFetch = createNodeFetch();
// bedrock-edge/node as its README shows it: node:http and SigV4's hashes on node:crypto.
const oursNode = createBedrock({ endpoint, credentials, fetch: nodeFetch, signingCrypto: nodeSigningCrypto });
const oursStub = createBedrock({ endpoint: "http://bench.invalid", credentials, fetch: cannedFetch(invokeAnswer) });
const oursNodeStub = createBedrock({
  endpoint: "http://bench.invalid",
  credentials,
  fetch: cannedFetch(invokeAnswer),
  signingCrypto: nodeSigningCrypto,
});
const aiSdk = aiSdkModel(endpoint, credentials, MODEL_ID);
const aiSdkStub = aiSdkModel("http://bench.invalid", credentials, MODEL_ID, cannedFetch(converseAnswer));
const awsSdk = awsSdkClient(endpoint, credentials, "http1");
const invokeBytes = new TextEncoder().encode(invokeAnswer.text);
const awsSdkStub = awsSdkClient("http://bench.invalid", credentials, {
  handle: async () => ({
    response: { statusCode: 200, reason: "OK", headers: { ...invokeAnswer.headers }, body: invokeBytes },
  }),
});

const check = (text: string | null | undefined) => {
  if (!EXPECTED.test(text ?? "")) throw new Error(`unexpected answer: ${String(text).slice(0, 80)}`);
};
const oursCall = (client: typeof ours) => async () =>
  check((await client.chat.completions.create({ model, messages })).choices[0]?.message.content);

const network = {
  ours: oursCall(ours),
  oursNode: oursCall(oursNode),
  aiSdk: async () => check(await aiSdkText(aiSdk, TEXT)),
  awsSdk: async () => check(await awsSdkText(awsSdk, MODEL_ID, llamaPrompt(TEXT))),
};
const stubbed = {
  oursStub: oursCall(oursStub),
  oursNodeStub: oursCall(oursNodeStub),
  aiSdkStub: async () => check(await aiSdkText(aiSdkStub, TEXT)),
  awsSdkStub: async () => check(await awsSdkText(awsSdkStub, MODEL_ID, llamaPrompt(TEXT))),
};
type Name = keyof typeof network | keyof typeof stubbed;
const all: Record<Name, () => Promise<void>> = { ...network, ...stubbed };

async function block(work: () => Promise<void>, calls: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < calls; i++) await work();
  return performance.now() - started;
}

/** µs per call of each contender, one value per run. */
async function alternate<N extends Name>(names: readonly N[], calls: number): Promise<Record<N, number[]>> {
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<N, number[]>;
  for (let warm = 0; warm < 2; warm++) for (const name of names) await block(all[name], calls);
  for (let run = 0; run < runs; run++) {
    collectGarbage();
    const spent = Object.fromEntries(names.map((name) => [name, 0])) as Record<N, number>;
    for (let b = 0; b < BLOCKS_PER_RUN; b++) {
      // Rotate who goes first: each block starts with another contender.
      const order = names.map((_, i) => names[(i + b + run) % names.length]!);
      for (const name of order) spent[name] += await block(all[name], calls);
    }
    for (const name of names) samples[name].push((spent[name] / (BLOCKS_PER_RUN * calls)) * 1000);
  }
  return samples;
}

const networkSamples = await alternate(Object.keys(network) as (keyof typeof network)[], BLOCK);
// Stubbed calls take a fraction of a network call: more of them for the same resolution.
const stubSamples = await alternate(Object.keys(stubbed) as (keyof typeof stubbed)[], BLOCK * 5);
nodeFetch.destroy();
awsSdk.destroy();
report({ block: BLOCK, blocksPerRun: BLOCKS_PER_RUN, samples: { ...networkSamples, ...stubSamples } });
