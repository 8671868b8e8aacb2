/// <reference types="node" />
// Cold start: fresh Node processes importing the library, the AWS SDK client or the AI SDK's
// Bedrock provider (all as esbuild bundles, so module resolution costs the same) and making a
// first request to the emulator over loopback. Processes take turns, in a rotating order.
import { bundleForNode } from "../lib/build.ts";
import { runChild } from "../lib/child.ts";
import type { Figure, SuiteResult } from "../lib/figure.ts";
import { pairedRatios, summarise } from "../lib/stats.ts";
import { emulatorModelId } from "../../emulator/model-id.ts";

interface ColdStartResult {
  importMs: number;
  requestMs: number;
  totalMs: number;
  sinceStartMs: number;
}

type Contender = "library" | "awsSdk" | "aiSdk";
const ENTRIES: Record<Contender, string> = {
  library: "bench/entries/cold-library.ts",
  awsSdk: "bench/entries/cold-sdk.ts",
  aiSdk: "bench/entries/cold-ai-sdk.ts",
};
const LABELS: Record<Exclude<Contender, "library">, string> = { awsSdk: "AWS SDK client", aiSdk: "AI SDK provider" };

export async function runColdStart(workDirectory: string, emulatorUrl: string, starts: number): Promise<SuiteResult> {
  const started = performance.now();
  const minified = { minify: true };
  const names = Object.keys(ENTRIES) as Contender[];
  const loader = await bundleForNode("bench/children/cold-start.ts", `${workDirectory}/cold-start.mjs`);
  const bundles = Object.fromEntries(
    await Promise.all(
      names.map(async (name) => [
        name,
        await bundleForNode(ENTRIES[name], `${workDirectory}/cold-${name}.mjs`, minified),
      ]),
    ),
  ) as Record<Contender, string>;
  const modelId = emulatorModelId("llama");
  const runs = Object.fromEntries(names.map((name) => [name, [] as ColdStartResult[]])) as Record<
    Contender,
    ColdStartResult[]
  >;
  for (let i = 0; i < starts; i++) {
    // Rotate who goes first, so none always follows another's disk-cache warm-up.
    for (let j = 0; j < names.length; j++) {
      const name = names[(i + j) % names.length]!;
      const { result } = await runChild(loader, [bundles[name], emulatorUrl, modelId]);
      runs[name].push(result as ColdStartResult);
    }
  }
  const pick = (name: Contender, key: keyof ColdStartResult) => summarise(runs[name].map((r) => r[key]));
  const figures: Figure[] = [];
  for (const peer of ["awsSdk", "aiSdk"] as const) {
    for (const key of ["importMs", "totalMs"] as const) {
      // Each start is paired with the peer's start of the same round (same moment, same disk cache).
      const ratios = pairedRatios(
        runs.library.map((r) => r[key]),
        runs[peer].map((r) => r[key]),
      );
      figures.push({
        id: `cold_start.${key === "importMs" ? "import" : "first_request"}.vs_${peer === "awsSdk" ? "aws_sdk" : "ai_sdk"}`,
        name: key === "importMs" ? "Cold start: import bundle" : "Cold start: import + first request",
        unit: "ms",
        ours: pick("library", key),
        reference: { label: LABELS[peer], value: pick(peer, key) },
        ratio: summarise(ratios).median,
        ratioRuns: ratios,
        ratioLabel: "×",
        goal: "(information)",
        pass: null,
        ...(key === "totalMs" ? { peer: { row: "cold start, import + first call, ms", peer } } : {}),
      });
    }
  }
  const details = [
    `Cold start: ${starts} fresh processes each; Node boot to answer (median): ours ${pick("library", "sinceStartMs").median.toFixed(0)} ms, AWS SDK ${pick("awsSdk", "sinceStartMs").median.toFixed(0)} ms, AI SDK ${pick("aiSdk", "sinceStartMs").median.toFixed(0)} ms.`,
  ];
  return { suite: "cold start", figures, details, seconds: (performance.now() - started) / 1000 };
}
