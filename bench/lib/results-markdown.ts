// bench/RESULTS.md: one whole run's tables and details as `npm run bench -- --write-results`
// printed them, with the machine and its load; and the README's block of the same run's
// side-by-side table. Figures in the docs are generated, never copied by hand.
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

/** The run in one sentence: when, how, on what, under which load. */
function runLine({ machine, end, mode, seconds }: ResultsInput): string {
  return `Run of ${machine.date.slice(0, 16).replace("T", " ")} UTC (${mode}, ${Math.round(seconds)} s): ${machine.cpu}, ${machine.nproc} cores, ${machine.memoryGiB} GiB, Node ${machine.node}; load average ${machine.loadAverage.toFixed(2)} at start, ${end.loadAverage.toFixed(2)} at end (the machine is shared: figures that time requests move with it).`;
}

const README_START = "<!-- bench:start (npm run bench -- --write-results writes this block) -->";
const README_END = "<!-- bench:end -->";

/** README.md with its benchmark block replaced by this run's side-by-side table. */
export function withReadmeBlock(readme: string, input: ResultsInput): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`README.md has no block between ${README_START} and ${README_END}`);
  const block = [README_START, "", runLine(input), "", ...input.peerTable, "", README_END];
  return readme.slice(0, start) + block.join("\n") + readme.slice(end + README_END.length);
}

export function renderResults(input: ResultsInput): string {
  const { peerTable, goalTable, results } = input;
  const lines = [
    "# Benchmark results",
    "",
    "Written by `npm run bench -- --write-results` (bench/run.ts); do not edit by hand. Every",
    "measured figure is the median of several runs, interleaved with the peer it is compared with;",
    "a ratio is ours ÷ the peer's (the median of per-run ratios) with how many runs fell on the same",
    "side of 1. What the misses come down to: docs/BENCHMARKS.md.",
    "",
    runLine(input),
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
