/// <reference types="node" />
// Stream decoding through each client (children/stream-rate.ts): text pieces per second of one
// long answer, ours against the AWS SDK and the AI SDK, on the same emulator-made bytes.
import { bundleForNode } from "../lib/build.ts";
import { runChild } from "../lib/child.ts";
import type { Figure, SuiteResult } from "../lib/figure.ts";
import { pairedRatios, summarise } from "../lib/stats.ts";

interface StreamRateResult {
  tokens: number;
  bytes: number;
  samples: { ours: number[]; aiSdk: number[]; awsSdk: number[] };
}

const ROW = "stream decode, tokens/s";

export async function runStreamRate(workDirectory: string, runs: number): Promise<SuiteResult> {
  const started = performance.now();
  const script = await bundleForNode("bench/children/stream-rate.ts", `${workDirectory}/stream-rate.mjs`);
  const { result } = await runChild(script, [`runs=${runs}`], ["--expose-gc"]);
  const { samples, tokens, bytes } = result as StreamRateResult;
  const figure = (peer: "awsSdk" | "aiSdk", label: string): Figure => {
    const ratios = pairedRatios(samples.ours, samples[peer]);
    const ratio = summarise(ratios).median;
    return {
      id: `stream_rate.vs_${peer === "awsSdk" ? "aws_sdk" : "ai_sdk"}`,
      name: `Stream decode, ${tokens} pieces`,
      unit: "tokens/s",
      ours: summarise(samples.ours),
      reference: { label, value: summarise(samples[peer]) },
      ratio,
      ratioRuns: ratios,
      ratioLabel: "×",
      goal: "≥ 1× (faster)",
      pass: ratio >= 1,
      peer: { row: ROW, peer },
    };
  };
  const figures = [figure("awsSdk", "AWS SDK"), figure("aiSdk", "AI SDK")];
  const details = [
    `Stream decode (children/stream-rate.ts): ${tokens} text pieces (${(bytes / 1e6).toFixed(1)} MB of InvokeModelWithResponseStream; the AI SDK reads the ConverseStream of the same pieces) replayed from memory in 16 KiB reads through each client's public API: ours createBedrock().chat.completions.create({stream: true}), the AWS SDK's InvokeModelWithResponseStreamCommand with each chunk's JSON parsed, the AI SDK's streamText().textStream.`,
  ];
  return { suite: "stream rate", figures, details, seconds: (performance.now() - started) / 1000 };
}
