// The printed table: one row per figure, "median (min–max)" for measured values, the ratio as
// its goal states it, and PASS / MISS (or "info" for figures without a goal).
import type { Figure, Unit } from "./figure.ts";
import { describeSides, type Summary } from "./stats.ts";

const DECIMALS: Record<Unit, number> = {
  KiB: 1,
  "MB/s": 1,
  "tokens/s": 0,
  µs: 0,
  ms: 2,
  "ms/MB": 2,
  "sig/s": 0,
  "req/s": 0,
  MiB: 1,
  x: 2,
  "%": 1,
  "M instr": 3,
  samples: 2,
};

function number(value: number, unit: Unit): string {
  const decimals =
    unit === "ms" && Math.abs(value) >= 100 ? 0 : unit === "ms" && Math.abs(value) >= 10 ? 1 : DECIMALS[unit];
  return value.toFixed(decimals);
}

function formatSummary(summary: Summary, unit: Unit): string {
  const median = `${number(summary.median, unit)} ${unit}`;
  if (summary.runs === 1 || summary.min === summary.max) return median;
  return `${median} (${number(summary.min, unit)}–${number(summary.max, unit)})`;
}

function formatRatio(figure: Figure): string {
  if (figure.ratio === undefined) return "";
  const label = figure.ratioLabel ?? "";
  if (label === "ms added") return `${figure.ratio >= 0 ? "+" : ""}${figure.ratio.toFixed(2)} ms`;
  if (label === "M instr added") return `${figure.ratio >= 0 ? "+" : ""}${figure.ratio.toFixed(3)}M instr`;
  if (label === "% overhead") return `${figure.ratio >= 0 ? "+" : ""}${figure.ratio.toFixed(1)}%`;
  const sides = figure.ratioRuns && figure.ratioRuns.length > 1 ? ` (${describeSides(figure.ratioRuns)})` : "";
  return `${figure.ratio.toFixed(2)} ${label}${sides}`.trim();
}

function verdict(pass: boolean | null): string {
  return pass === null ? "info" : pass ? "PASS" : "MISS";
}

export function renderTable(figures: readonly Figure[]): string[] {
  const header = ["#", "Figure", "Ours", "Reference (same run)", "Ratio", "Goal", "Result"];
  const rows = figures.map((figure, i) => [
    String(i + 1),
    figure.name,
    formatSummary(figure.ours, figure.unit),
    figure.reference ? `${figure.reference.label}: ${formatSummary(figure.reference.value, figure.unit)}` : "",
    formatRatio(figure),
    figure.goal,
    verdict(figure.pass),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  // Markdown, padded: the same lines read in a terminal and in bench/RESULTS.md.
  const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(" | ")} |`;
  const lines = [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`];
  for (const row of rows) lines.push(line(row));
  const notes = figures.flatMap((figure, i) => (figure.note ? [`- [${i + 1}] ${figure.note}`] : []));
  if (notes.length) lines.push("", "Notes:", ...notes);
  return lines;
}
