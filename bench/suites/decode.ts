/// <reference types="node" />
// Figure 2, decode: MB/s of event-stream bytes -> chat.completion.chunk objects through the real
// client, against the bare AWS codec on the same bytes in the same process (children/decode.ts).
import { bundleForNode } from "../lib/build.ts";
import { runChild } from "../lib/child.ts";
import type { Figure, SuiteResult } from "../lib/figure.ts";
import { summarise } from "../lib/stats.ts";

const GOAL_RATIO = 0.8;
const LINEARITY_MAX = 1.25;

interface DecodeResult {
  bigBytes: number;
  bigFrames: number;
  smallBytes: number;
  smallRepeats: number;
  pieceBytes: number;
  chunks: number;
  converseBytes: number;
  /** Text deltas in the ConverseStream body: one token piece each. */
  converseTokens: number;
  samples: {
    ours: number[];
    bareAtob: number[];
    bareBuffer: number[];
    oursSmallBatch: number[];
    converseOurs: number[];
    converseBare: number[];
  };
}

const mbPerSecond = (bytes: number) => (ms: number) => bytes / 1e6 / (ms / 1000);

function pairedRatios(a: readonly number[], b: readonly number[]): number[] {
  return a.map((value, i) => value / b[i]!);
}

export async function runDecode(workDirectory: string, runs: number): Promise<SuiteResult> {
  const started = performance.now();
  const script = await bundleForNode("bench/children/decode.ts", `${workDirectory}/decode.mjs`);
  const { result } = await runChild(script, [`runs=${runs}`], ["--expose-gc"]);
  const r = result as DecodeResult;
  const rate = mbPerSecond(r.bigBytes);
  const ours = r.samples.ours.map(rate);
  const bare = r.samples.bareAtob.map(rate);
  const bareBuffer = r.samples.bareBuffer.map(rate);
  // Runs are interleaved, so each of ours is paired with the reference run right after it.
  const ratio = summarise(pairedRatios(ours, bare)).median;
  const perMbBig = r.samples.ours.map((ms) => ms / (r.bigBytes / 1e6));
  const smallTotal = r.smallBytes * r.smallRepeats;
  const perMbSmall = r.samples.oursSmallBatch.map((ms) => ms / (smallTotal / 1e6));
  const linearity = summarise(pairedRatios(perMbBig, perMbSmall)).median;
  const mb = (bytes: number) => (bytes / 1e6).toFixed(1);

  const tokensPerSecond = (ms: number) => r.converseTokens / (ms / 1000);
  const converseRatio = summarise(pairedRatios(r.samples.converseBare, r.samples.converseOurs)).median;

  const figures: Figure[] = [
    {
      id: "decode.throughput",
      name: `Decode ${mb(r.bigBytes)} MB stream -> chunks`,
      unit: "MB/s",
      ours: summarise(ours),
      reference: { label: "bare codec + atob", value: summarise(bare) },
      ratio,
      ratioLabel: "of bare",
      goal: `≥ ${GOAL_RATIO} of bare`,
      pass: ratio >= GOAL_RATIO,
      note: `${r.bigFrames} frames in ${r.pieceBytes / 1024} KiB reads, through createBedrock().chat.completions.create({stream:true})`,
    },
    {
      id: "decode.reference_native_base64",
      name: "Decode, bare codec with Buffer base64",
      unit: "MB/s",
      ours: summarise(ours),
      reference: { label: "bare codec + Buffer", value: summarise(bareBuffer) },
      ratio: summarise(pairedRatios(ours, bareBuffer)).median,
      ratioLabel: "of bare",
      goal: "(information: Node-only base64)",
      pass: null,
    },
    {
      id: "decode.converse",
      name: `Decode ${mb(r.converseBytes)} MB ConverseStream -> chunks`,
      unit: "tokens/s",
      ours: summarise(r.samples.converseOurs.map(tokensPerSecond)),
      reference: { label: "bare codec + JSON.parse", value: summarise(r.samples.converseBare.map(tokensPerSecond)) },
      ratio: converseRatio,
      ratioLabel: "of bare",
      goal: `≥ ${GOAL_RATIO} of bare`,
      pass: converseRatio >= GOAL_RATIO,
      note: `${r.converseTokens} text deltas, through the converse route (typed events, no base64); @ai-sdk/amazon-bedrock is not in the bench`,
    },
    {
      id: "decode.linearity",
      name: `Decode time per MB, ${mb(r.bigBytes)} MB vs ${mb(r.smallBytes)} MB streams`,
      unit: "ms/MB",
      ours: summarise(perMbBig),
      reference: { label: `${r.smallRepeats}× ${mb(r.smallBytes)} MB`, value: summarise(perMbSmall) },
      ratio: linearity,
      ratioLabel: "big/small",
      goal: `≤ ${LINEARITY_MAX} (linear)`,
      pass: linearity <= LINEARITY_MAX,
    },
  ];
  return { suite: "decode", figures, details: [], seconds: (performance.now() - started) / 1000 };
}
