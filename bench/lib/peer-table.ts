// The comparison table of issue 15: one row per figure, ours and each peer's value measured in
// the same run, with the ratio (ours ÷ peer, the median of per-run ratios) and how many runs fell
// on the same side of 1. Rows come from the figures that name a `peer` cell.
import { type Figure, PEER_LABELS, type Peer } from "./figure.ts";
import { describeSides } from "./stats.ts";

const COLUMNS: readonly Peer[] = ["aiSdk", "awsSdk", "portkey", "floor"];

function value(median: number, unit: string): string {
  const digits = unit === "KiB" ? 1 : unit === "ms" ? (Math.abs(median) >= 10 ? 1 : 2) : 0;
  return median.toFixed(digits);
}

/** Markdown rows, the same text printed and written to bench/RESULTS.md. */
export function renderPeerTable(figures: readonly Figure[]): string[] {
  const rows = new Map<string, { ours: string; cells: Partial<Record<Peer, string>> }>();
  for (const figure of figures) {
    if (!figure.peer || !figure.reference) continue;
    const { row, peer } = figure.peer;
    const entry = rows.get(row) ?? { ours: value(figure.ours.median, figure.unit), cells: {} };
    const sides = figure.ratioRuns && figure.ratioRuns.length > 1 ? `, ${describeSides(figure.ratioRuns)}` : "";
    const ratio = figure.ratio === undefined ? "" : ` (${figure.ratio.toFixed(2)}×${sides})`;
    entry.cells[peer] = `${value(figure.reference.value.median, figure.unit)}${ratio}`;
    rows.set(row, entry);
  }
  // A run of suites with no peer (--only=cpu, size alone…) has no table to print.
  if (rows.size === 0) return [];
  const used = COLUMNS.filter((peer) => [...rows.values()].some((row) => row.cells[peer] !== undefined));
  const header = ["figure", "bedrock-edge", ...used.map((peer) => PEER_LABELS[peer])];
  const lines = [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`];
  for (const [row, { ours, cells }] of rows) {
    lines.push(`| ${[row, ours, ...used.map((peer) => cells[peer] ?? "–")].join(" | ")} |`);
  }
  return lines;
}
