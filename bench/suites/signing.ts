/// <reference types="node" />
// Figure 3, signing: signatures/s of our request signing against raw aws4fetch (children/signing.ts).
import { bundleForNode } from "../lib/build.ts";
import { runChild } from "../lib/child.ts";
import type { Figure, SuiteResult } from "../lib/figure.ts";
import { summarise } from "../lib/stats.ts";

const MAX_OVERHEAD = 0.1;

interface SigningResult {
  callsPerRun: number;
  bodyBytes: number;
  samples: { ours: number[]; rawCached: number[]; rawUncached: number[]; requestPath: number[] };
}

/** Per run, how much slower ours is than the reference measured alongside (0.05 = 5 % slower). */
function overheads(ours: readonly number[], reference: readonly number[]): number[] {
  return ours.map((rate, i) => reference[i]! / rate - 1);
}

export async function runSigning(workDirectory: string, runs: number): Promise<SuiteResult> {
  const started = performance.now();
  const script = await bundleForNode("bench/children/signing.ts", `${workDirectory}/signing.mjs`);
  const { result } = await runChild(script, [`runs=${runs}`], ["--expose-gc"]);
  const { samples, callsPerRun, bodyBytes } = result as SigningResult;
  const cachedOverhead = summarise(overheads(samples.ours, samples.rawCached)).median;
  // The information rows are measured in a phase of their own: compare medians.
  const uncachedOverhead = summarise(samples.rawUncached).median / summarise(samples.ours).median - 1;
  const ours = summarise(samples.ours);
  const figures: Figure[] = [
    {
      id: "signing.cached",
      name: "SigV4 signing (authorise, key cache)",
      unit: "sig/s",
      ours,
      reference: { label: "AwsV4Signer + cache", value: summarise(samples.rawCached) },
      ratio: cachedOverhead * 100,
      ratioLabel: "% overhead",
      goal: `overhead ≤ ${MAX_OVERHEAD * 100}%`,
      pass: cachedOverhead <= MAX_OVERHEAD,
      note: `${bodyBytes}-byte body; each run: ${callsPerRun} calls per contender, alternating every 100`,
    },
    {
      id: "signing.uncached",
      name: "SigV4 signing vs AwsV4Signer without cache",
      unit: "sig/s",
      ours,
      reference: { label: "AwsV4Signer, no cache", value: summarise(samples.rawUncached) },
      ratio: uncachedOverhead * 100,
      ratioLabel: "% overhead",
      goal: "(information)",
      pass: null,
    },
    {
      id: "signing.request_path",
      name: "Whole request path, fetch stubbed",
      unit: "req/s",
      ours: summarise(samples.requestPath),
      reference: { label: "AwsV4Signer + cache", value: summarise(samples.rawCached) },
      ratio: (summarise(samples.rawCached).median / summarise(samples.requestPath).median - 1) * 100,
      ratioLabel: "% overhead",
      goal: "(information)",
      pass: null,
      note: "validate, render prompt, sign, canned fetch, map answer (compared as calls/s with the signer alone)",
    },
  ];
  return { suite: "signing", figures, details: [], seconds: (performance.now() - started) / 1000 };
}
