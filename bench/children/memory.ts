/// <reference types="node" />
// Child: streams `mb` MB through the client and samples process.memoryUsage() after every 1 MB
// of reads. Run with --expose-gc, one size per process, so the baseline is a clean heap.
// mode=peak: never forces a collection, so the peak is what V8's own GC policy lets it reach.
// mode=retained: forces a full collection at each quarter of the stream and records what
// survives it: what the pipeline really holds mid-stream (constant if nothing accumulates).
import { EMULATOR_CREDENTIALS } from "../../emulator/credentials.ts";
import { createBedrock } from "../../src/index.ts";
import { EVENT_STREAM } from "../fixtures/event-stream.ts";
import { endlessBody, type EndlessBody } from "../fixtures/frames.ts";
import { collectGarbage, numberArg, report } from "../lib/report.ts";

const MB = 1e6;
const totalBytes = numberArg("mb", 10) * MB;
const pieceBytes = 16 * 1024;
const samplesEvery = Math.round(MB / pieceBytes);
const retainedMode = process.argv.includes("mode=retained");
const checkpointEvery = Math.round(totalBytes / 4 / pieceBytes);

let pieces = 0;
let peakHeap = 0;
let peakRss = 0;
let retained = 0;
const sample = () => {
  const { heapUsed, rss } = process.memoryUsage();
  peakHeap = Math.max(peakHeap, heapUsed);
  peakRss = Math.max(peakRss, rss);
};
const makeBody = await endlessBody(totalBytes, pieceBytes, () => {
  pieces++;
  if (retainedMode && pieces % checkpointEvery === 0) {
    collectGarbage();
    retained = Math.max(retained, process.memoryUsage().heapUsed);
  } else if (pieces % samplesEvery === 0) sample();
});

let body: EndlessBody | undefined;
const bedrock = createBedrock({
  endpoint: "http://bedrock.bench.invalid",
  credentials: EMULATOR_CREDENTIALS,
  fetch: async () => {
    body = makeBody();
    return new Response(body.stream, { headers: { "content-type": EVENT_STREAM } });
  },
});

// Warm up on a short stream so code and caches exist before the baseline is taken.
const warm = await endlessBody(MB, pieceBytes, () => undefined);
const warmClient = createBedrock({
  endpoint: "http://bedrock.bench.invalid",
  credentials: EMULATOR_CREDENTIALS,
  fetch: async () => new Response(warm().stream, { headers: { "content-type": EVENT_STREAM } }),
});
const request = {
  model: "bedrock/llama/arn:aws:bedrock:us-east-1:123456789012:imported-model/benchmark",
  messages: [{ role: "user" as const, content: "Benchmark." }],
  stream: true as const,
};
for await (const _ of await warmClient.chat.completions.create(request));

collectGarbage();
collectGarbage();
const baseline = process.memoryUsage();
peakHeap = baseline.heapUsed;
peakRss = baseline.rss;
const started = performance.now();
let chunks = 0;
for await (const chunk of await bedrock.chat.completions.create(request)) if (chunk.choices[0]?.delta.content) chunks++;
const ms = performance.now() - started;
sample();
collectGarbage();
const after = process.memoryUsage();

report({
  bytes: body?.sent() ?? 0,
  chunks,
  ms,
  baseline: { heapUsed: baseline.heapUsed, rss: baseline.rss },
  peak: { heapUsed: peakHeap, rss: peakRss },
  retainedHeapUsed: retained,
  afterGc: { heapUsed: after.heapUsed, rss: after.rss },
});
