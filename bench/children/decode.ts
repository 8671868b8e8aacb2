/// <reference types="node" />
// Child: decode throughput of our stream pipeline vs the bare AWS codec, on the same bytes in
// the same process, runs interleaved so both see the same machine state. Also the per-MB time
// at 1 MB vs 16 MB (a decoder that re-copies its buffer per chunk grows with the stream), and
// ConverseStream (typed events, JSON payloads) through the converse route against the same codec.
import { atobBytes, decodeBare, decodeBareConverse, type Base64Decoder, type Decoded } from "../decode/bare.ts";
import { streamingClient } from "../decode/ours.ts";
import { CONVERSE_BENCH_MODEL, piecesOf, streamOfAtLeast } from "../fixtures/event-stream.ts";
import { collectGarbage, numberArg, report } from "../lib/report.ts";

const MIB = 1024 * 1024;
const runs = numberArg("runs", 7);
const pieceBytes = numberArg("piece", 16 * 1024);

const big = await streamOfAtLeast(16 * MIB);
const small = await streamOfAtLeast(1 * MIB);
const bigPieces = piecesOf(big.body, pieceBytes);
const smallPieces = piecesOf(small.body, pieceBytes);
// 1 MB streams are timed in batches that add up to the big stream, so timer resolution and
// per-call costs weigh the same per MB as they would in a long answer.
const smallRepeats = Math.max(1, Math.round(big.body.byteLength / small.body.byteLength));

const client = streamingClient();

// Base64: Node's Buffer is native, but the library is web-only; the bare reference uses what a
// web-only decoder has (atob), and Buffer is measured too, to show what native decoding costs.
const nodeBase64: Base64Decoder = (text) => Buffer.from(text, "base64");

async function time(work: () => Promise<Decoded> | Decoded): Promise<{ ms: number; decoded: Decoded }> {
  collectGarbage();
  const started = performance.now();
  const decoded = await work();
  return { ms: performance.now() - started, decoded };
}

function same(a: Decoded, b: Decoded, what: string): void {
  if (a.chars !== b.chars) throw new Error(`${what}: decoded ${a.chars} characters, the reference ${b.chars}`);
}

// ConverseStream: 4 MB is enough for a rate; its frames are smaller than InvokeModel's.
const converse = await streamOfAtLeast(4 * MIB, "converse");
const conversePieces = piecesOf(converse.body, pieceBytes);
const converseClient = streamingClient(`bedrock/converse/${CONVERSE_BENCH_MODEL}`);

const samples = {
  ours: [] as number[],
  bareAtob: [] as number[],
  bareBuffer: [] as number[],
  oursSmallBatch: [] as number[],
  converseOurs: [] as number[],
  converseBare: [] as number[],
};
// Warm-up: let the JIT settle on every path before anything is recorded.
for (let i = 0; i < 2; i++) {
  await client.decode(bigPieces);
  decodeBare(bigPieces, atobBytes);
  decodeBare(bigPieces, nodeBase64);
  for (let r = 0; r < smallRepeats; r++) await client.decode(smallPieces);
  await converseClient.decode(conversePieces);
  decodeBareConverse(conversePieces);
}
let converseTokens = 0;
let expected: Decoded | undefined;
for (let i = 0; i < runs; i++) {
  const ours = await time(() => client.decode(bigPieces));
  const atobRun = await time(() => decodeBare(bigPieces, atobBytes));
  const bufferRun = await time(() => decodeBare(bigPieces, nodeBase64));
  const smallRun = await time(async () => {
    let total: Decoded = { chunks: 0, chars: 0 };
    for (let r = 0; r < smallRepeats; r++) {
      const one = await client.decode(smallPieces);
      total = { chunks: total.chunks + one.chunks, chars: total.chars + one.chars };
    }
    return total;
  });
  expected ??= atobRun.decoded;
  same(ours.decoded, atobRun.decoded, "our pipeline");
  same(bufferRun.decoded, atobRun.decoded, "bare decode with Buffer");
  samples.ours.push(ours.ms);
  samples.bareAtob.push(atobRun.ms);
  samples.bareBuffer.push(bufferRun.ms);
  samples.oursSmallBatch.push(smallRun.ms);
  const converseOurs = await time(() => converseClient.decode(conversePieces));
  const converseBare = await time(() => decodeBareConverse(conversePieces));
  same(converseOurs.decoded, converseBare.decoded, "our ConverseStream pipeline");
  if (converseOurs.decoded.chunks !== converseBare.decoded.chunks) {
    throw new Error(
      `ConverseStream: ${converseOurs.decoded.chunks} chunks, the reference ${converseBare.decoded.chunks}`,
    );
  }
  converseTokens = converseBare.decoded.chunks;
  samples.converseOurs.push(converseOurs.ms);
  samples.converseBare.push(converseBare.ms);
}

report({
  bigBytes: big.body.byteLength,
  bigFrames: big.frames,
  smallBytes: small.body.byteLength,
  smallRepeats,
  pieceBytes,
  chunks: expected?.chunks ?? 0,
  converseBytes: converse.body.byteLength,
  converseTokens,
  samples,
});
