// bench/RESULTS.md: one whole run's tables and details as `npm run bench -- --write-results`
// printed them, with the machine and its load, so the README can link figures that are
// generated rather than copied by hand.
import type { SuiteResult } from "./figure.ts";
import type { Machine } from "./machine.ts";

export interface ResultsInput {
  machine: Machine;
  end: Machine;
  mode: string;
  seconds: number;
  peerTable: string[];
  goalTable: string[];
  results: readonly SuiteResult[];
}

export function renderResults({ machine, end, mode, seconds, peerTable, goalTable, results }: ResultsInput): string {
  const lines = [
    "# Benchmark results",
    "",
    "Written by `npm run bench -- --write-results` (bench/run.ts); do not edit by hand. Every",
    "measured figure is the median of several runs, interleaved with the peer it is compared with;",
    "a ratio is ours ÷ the peer's (the median of per-run ratios) with how many runs fell on the same",
    "side of 1. What the misses come down to: README.md, Benchmarks.",
    "",
    `Run of ${machine.date.slice(0, 16).replace("T", " ")} UTC (${mode}, ${Math.round(seconds)} s): ${machine.cpu}, ${machine.nproc} cores, ${machine.memoryGiB} GiB, Node ${machine.node}; load average ${machine.loadAverage.toFixed(2)} at start, ${end.loadAverage.toFixed(2)} at end (the machine is shared: figures that time requests move with it).`,
    "",
    "## Side by side",
    "",
    ...peerTable,
    "",
    "## Every figure and its goal",
    "",
    ...goalTable,
  ];
  for (const result of results) {
    if (!result.details.length) continue;
    lines.push("", `## Details: ${result.suite}`, "", "```", ...result.details, "```");
  }
  return `${lines.join("\n")}\n`;
}
