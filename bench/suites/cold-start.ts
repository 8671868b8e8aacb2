/// <reference types="node" />
// Figure 6, cold start: fresh Node processes importing the library or the AWS SDK client (both
// as esbuild bundles, so module resolution costs the same) and making a first request to the
// emulator over loopback. Processes alternate between the two.
import { bundleForNode } from "../lib/build.ts";
import { runChild } from "../lib/child.ts";
import type { Figure, SuiteResult } from "../lib/figure.ts";
import { summarise } from "../lib/stats.ts";
import { emulatorModelId } from "../../emulator/model-id.ts";

interface ColdStartResult {
  importMs: number;
  requestMs: number;
  totalMs: number;
  sinceStartMs: number;
}

export async function runColdStart(workDirectory: string, emulatorUrl: string, starts: number): Promise<SuiteResult> {
  const started = performance.now();
  const minified = { minify: true };
  const [loader, library, sdk] = await Promise.all([
    bundleForNode("bench/children/cold-start.ts", `${workDirectory}/cold-start.mjs`),
    bundleForNode("bench/entries/cold-library.ts", `${workDirectory}/cold-library.mjs`, minified),
    bundleForNode("bench/entries/cold-sdk.ts", `${workDirectory}/cold-sdk.mjs`, minified),
  ]);
  const modelId = emulatorModelId("llama");
  const runs = { library: [] as ColdStartResult[], sdk: [] as ColdStartResult[] };
  for (let i = 0; i < starts; i++) {
    // Alternate which goes first, so neither always follows the other's disk-cache warm-up.
    const order = i % 2 ? (["sdk", "library"] as const) : (["library", "sdk"] as const);
    for (const which of order) {
      const { result } = await runChild(loader, [which === "library" ? library : sdk, emulatorUrl, modelId]);
      runs[which].push(result as ColdStartResult);
    }
  }
  const pick = (list: ColdStartResult[], key: keyof ColdStartResult) => summarise(list.map((r) => r[key]));
  // Each library start is paired with the SDK start next to it (same moment, same disk cache).
  const ratio = (key: keyof ColdStartResult) =>
    summarise(runs.library.map((r, i) => r[key] / runs.sdk[i]![key])).median;
  const figures: Figure[] = [
    {
      id: "cold_start.import",
      name: "Cold start: import bundle",
      unit: "ms",
      ours: pick(runs.library, "importMs"),
      reference: { label: "AWS SDK client", value: pick(runs.sdk, "importMs") },
      ratio: ratio("importMs"),
      ratioLabel: "of SDK",
      goal: "(information)",
      pass: null,
    },
    {
      id: "cold_start.first_request",
      name: "Cold start: import + first request",
      unit: "ms",
      ours: pick(runs.library, "totalMs"),
      reference: { label: "AWS SDK client", value: pick(runs.sdk, "totalMs") },
      ratio: ratio("totalMs"),
      ratioLabel: "of SDK",
      goal: "(information)",
      pass: null,
      note: `${starts} fresh processes each; Node boot to answer: ${pick(runs.library, "sinceStartMs").median.toFixed(0)} vs ${pick(runs.sdk, "sinceStartMs").median.toFixed(0)} ms`,
    },
  ];
  return { suite: "cold start", figures, details: [], seconds: (performance.now() - started) / 1000 };
}
