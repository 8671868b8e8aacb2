/// <reference types="node" />
// Child: text pieces per second of one long streamed answer, each client reading it as its
// users do, from the same emulator-made bytes replayed in 16 KiB reads (no network): ours and
// the AWS SDK on InvokeModelWithResponseStream, the AI SDK on ConverseStream (the operation it
// speaks), both answers carrying the same pieces. Clients take turns, in a rotating order.
import { Readable } from "node:stream";
import { EMULATOR_CREDENTIALS } from "../../emulator/credentials.ts";
import { createEmulator } from "../../emulator/handler.ts";
import { emulatorModelId } from "../../emulator/model-id.ts";
import { signedRequest } from "../../emulator/testing.ts";
import { createBedrock } from "../../src/index.ts";
import { bodyOf, EVENT_STREAM, piecesOf } from "../fixtures/event-stream.ts";
import { aiSdkModel, aiSdkStream } from "../peers/ai-sdk.ts";
import { awsSdkClient, awsSdkStream, llamaPrompt } from "../peers/aws-sdk.ts";
import { collectGarbage, numberArg, report } from "../lib/report.ts";

const runs = numberArg("runs", 5);
const tokens = numberArg("tokens", 4000);
const READ_BYTES = 16 * 1024;
const MODEL_ID = emulatorModelId("llama", [`long${tokens}`]);
const TEXT = "Benchmark.";

async function streamBytes(operation: "invoke-with-response-stream" | "converse-stream"): Promise<Uint8Array[]> {
  const body =
    operation === "converse-stream" ? { messages: [{ role: "user", content: [{ text: TEXT }] }] } : { prompt: TEXT };
  const response = await createEmulator().fetch(
    await signedRequest("http://bench.emulator", MODEL_ID, body, { operation }),
  );
  if (!response.ok) throw new Error(`emulator ${operation}: ${response.status}`);
  return piecesOf(new Uint8Array(await response.arrayBuffer()), READ_BYTES);
}
const invokePieces = await streamBytes("invoke-with-response-stream");
const conversePieces = await streamBytes("converse-stream");
const eventStream = (pieces: readonly Uint8Array[]) => async () =>
  new Response(bodyOf(pieces), { headers: { "content-type": EVENT_STREAM } });

const ours = createBedrock({
  endpoint: "http://bench.invalid",
  credentials: EMULATOR_CREDENTIALS,
  fetch: eventStream(invokePieces),
});
const aiSdk = aiSdkModel("http://bench.invalid", EMULATOR_CREDENTIALS, MODEL_ID, eventStream(conversePieces));
const awsSdk = awsSdkClient("http://bench.invalid", EMULATOR_CREDENTIALS, {
  handle: async () => ({
    response: {
      statusCode: 200,
      reason: "OK",
      headers: { "content-type": EVENT_STREAM },
      body: Readable.from(invokePieces, { objectMode: false }),
    },
  }),
});

interface Read {
  deltas: number;
  chars: number;
}
const contenders: Record<"ours" | "aiSdk" | "awsSdk", () => Promise<Read>> = {
  async ours() {
    let deltas = 0;
    let chars = 0;
    const stream = await ours.chat.completions.create({
      model: `bedrock/llama/${MODEL_ID}`,
      messages: [{ role: "user", content: TEXT }],
      stream: true,
    });
    for await (const chunk of stream) {
      const content = chunk.choices[0]?.delta.content;
      if (content) {
        deltas++;
        chars += content.length;
      }
    }
    return { deltas, chars };
  },
  aiSdk: () => aiSdkStream(aiSdk, TEXT),
  awsSdk: () => awsSdkStream(awsSdk, MODEL_ID, llamaPrompt(TEXT)),
};
type Name = keyof typeof contenders;
const names = Object.keys(contenders) as Name[];

// All three must read the same text: the rate is of the same answer.
const expected = await contenders.awsSdk();
if (expected.deltas < tokens) throw new Error(`the AWS SDK read ${expected.deltas} pieces of ${tokens}`);
for (const name of names) {
  const read = await contenders[name]();
  if (read.chars !== expected.chars)
    throw new Error(`${name} read ${read.chars} characters, the AWS SDK ${expected.chars}`);
}

const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<Name, number[]>;
for (let run = 0; run < runs; run++) {
  for (let i = 0; i < names.length; i++) {
    const name = names[(i + run) % names.length]!;
    collectGarbage();
    const started = performance.now();
    const read = await contenders[name]();
    samples[name].push(read.deltas / ((performance.now() - started) / 1000));
  }
}
report({ tokens: expected.deltas, bytes: invokePieces.reduce((n, p) => n + p.byteLength, 0), samples });
