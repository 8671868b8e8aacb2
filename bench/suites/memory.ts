/// <reference types="node" />
// Figure 5, memory: heap and RSS while streaming 10 MB and 100 MB through the client, each run
// in a fresh process (children/memory.ts). Constant memory means the 100 MB figures match the
// 10 MB ones.
import { bundleForNode } from "../lib/build.ts";
import { runChild } from "../lib/child.ts";
import type { Figure, SuiteResult } from "../lib/figure.ts";
import { summarise } from "../lib/stats.ts";

const MIB = 1024 * 1024;
const SMALL_MB = 10;
const LARGE_MB = 100;
const MAX_RETAINED_RATIO = 1.1;

interface MemoryResult {
  bytes: number;
  chunks: number;
  ms: number;
  baseline: { heapUsed: number; rss: number };
  peak: { heapUsed: number; rss: number };
  retainedHeapUsed: number;
  afterGc: { heapUsed: number; rss: number };
}

export async function runMemory(workDirectory: string, runs: number): Promise<SuiteResult> {
  const started = performance.now();
  const script = await bundleForNode("bench/children/memory.ts", `${workDirectory}/memory.mjs`);
  const results: Record<"peak" | "retained", Record<number, MemoryResult[]>> = {
    peak: { [SMALL_MB]: [], [LARGE_MB]: [] },
    retained: { [SMALL_MB]: [], [LARGE_MB]: [] },
  };
  for (let i = 0; i < runs; i++) {
    for (const mode of ["peak", "retained"] as const) {
      for (const mb of [SMALL_MB, LARGE_MB]) {
        const { result } = await runChild(script, [`mb=${mb}`, `mode=${mode}`], ["--expose-gc"]);
        results[mode][mb]!.push(result as MemoryResult);
      }
    }
  }
  const mib = (list: MemoryResult[], value: (r: MemoryResult) => number) => summarise(list.map((r) => value(r) / MIB));
  const row = (
    id: string,
    name: string,
    mode: "peak" | "retained",
    value: (r: MemoryResult) => number,
    goal: boolean,
    note: string,
  ): Figure => {
    const largeRuns = results[mode][LARGE_MB]!;
    const smallRuns = results[mode][SMALL_MB]!;
    const large = mib(largeRuns, value);
    const small = mib(smallRuns, value);
    // Runs alternate sizes, so each 100 MB run is paired with the 10 MB run just before it.
    const ratio = summarise(largeRuns.map((r, i) => value(r) / value(smallRuns[i]!))).median;
    return {
      id,
      name,
      unit: "MiB",
      ours: large,
      reference: { label: `same, ${SMALL_MB} MB stream`, value: small },
      ratio,
      ratioLabel: `${LARGE_MB}/${SMALL_MB} MB`,
      goal: goal ? `≤ ${MAX_RETAINED_RATIO}× (constant)` : "(information)",
      pass: goal ? ratio <= MAX_RETAINED_RATIO : null,
      note,
    };
  };
  const baseline = summarise(results.retained[LARGE_MB]!.map((r) => r.baseline.heapUsed / MIB)).median;
  const rate = summarise(results.peak[LARGE_MB]!.map((r) => r.bytes / 1e6 / (r.ms / 1000))).median;
  const figures: Figure[] = [
    row(
      "memory.retained_heap",
      `Heap held mid-stream, ${LARGE_MB} MB stream`,
      "retained",
      (r) => r.retainedHeapUsed,
      true,
      `heapUsed after a full GC at each quarter of the stream (process baseline ${baseline.toFixed(1)} MiB)`,
    ),
    row(
      "memory.peak_heap",
      `Peak heapUsed, ${LARGE_MB} MB stream`,
      "peak",
      (r) => r.peak.heapUsed,
      false,
      "no forced GC: peaks follow V8's collection policy, not what is held",
    ),
    row(
      "memory.peak_rss",
      `Peak RSS, ${LARGE_MB} MB stream`,
      "peak",
      (r) => r.peak.rss,
      false,
      `streamed at ${rate.toFixed(0)} MB/s while sampling`,
    ),
  ];
  return { suite: "memory", figures, details: [], seconds: (performance.now() - started) / 1000 };
}
