// The instructions suite's arithmetic: a window's dump to a count per request, the rounds to
// medians and spreads, each Worker less the floor round by round, and the table printed.
import { summarise, type Summary } from "./stats.ts";

export type CountKind = "plain" | "stream";

/** One Worker's counts per request (instructions), one entry per round, in round order. */
export interface WorkerCounts {
  name: string;
  label: string;
  plain: readonly number[];
  stream: readonly number[];
}

export interface CountRow {
  name: string;
  label: string;
  plain: Summary;
  stream: Summary;
  /** Each round's count less the floor's in the same round; absent for the floor itself. */
  plainOverFloor?: Summary;
  streamOverFloor?: Summary;
}

/**
 * A window's instructions per request: the serving thread's count over the window's requests,
 * and what the other threads did meanwhile (with V8's --single-threaded, next to nothing).
 */
export function perRequest(
  byThread: ReadonlyMap<number, number>,
  servingThread: number,
  requests: number,
): { serving: number; others: number } {
  if (!byThread.has(servingThread)) throw new Error(`no count for thread ${servingThread}`);
  let others = 0;
  for (const [thread, count] of byThread) if (thread !== servingThread) others += count;
  return { serving: byThread.get(servingThread)! / requests, others: others / requests };
}

/** Medians and spreads of every Worker's rounds, and each less the floor (`floor` names it) round by round. */
export function countRows(workers: readonly WorkerCounts[], floor: string): CountRow[] {
  const base = workers.find((worker) => worker.name === floor);
  if (!base) throw new Error(`countRows: no ${floor} among the Workers`);
  const over = (values: readonly number[], kind: CountKind) => {
    const floorValues = base[kind];
    if (values.length !== floorValues.length)
      throw new Error(`countRows: ${values.length} rounds against the floor's ${floorValues.length}`);
    return summarise(values.map((value, round) => value - floorValues[round]!));
  };
  return workers.map((worker) => ({
    name: worker.name,
    label: worker.label,
    plain: summarise(worker.plain),
    stream: summarise(worker.stream),
    ...(worker.name === floor
      ? {}
      : { plainOverFloor: over(worker.plain, "plain"), streamOverFloor: over(worker.stream, "stream") }),
  }));
}

/** "1.234 (1.200–1.300)": millions of instructions, the median then the rounds' range. */
export function millions(summary: Summary): string {
  const m = (value: number) => (value / 1e6).toFixed(3);
  return summary.min === summary.max ? m(summary.median) : `${m(summary.median)} (${m(summary.min)}–${m(summary.max)})`;
}

/** The printed table (Markdown, padded): a row per Worker, M instructions per request. */
export function renderCountTable(rows: readonly CountRow[]): string[] {
  const header = ["Worker", "plain request", "plain, over floor", "stream", "stream, over floor"];
  const cells = rows.map((row) => [
    row.label,
    millions(row.plain),
    row.plainOverFloor ? millions(row.plainOverFloor) : "",
    millions(row.stream),
    row.streamOverFloor ? millions(row.streamOverFloor) : "",
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((row) => row[column]!.length)));
  const line = (values: readonly string[]) => `| ${values.map((value, i) => value.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(header), `|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`, ...cells.map(line)];
}

/** A run whose counts say a Worker was counted in another mode than usual for some rounds. */
export interface CountFlag {
  /** "order": a Worker counts more than one that does all it does; "spread": rounds far apart. */
  reason: "order" | "spread";
  kind: CountKind;
  /** The Workers' names: the inner then the outer for "order", the one for "spread". */
  workers: string[];
  /** The line printed and recorded. */
  message: string;
}

const KIND_WORDS: Record<CountKind, string> = { plain: "a plain request", stream: "a stream" };

/**
 * What in a run's rows cannot be taken as it stands. `nesting` names Workers from the least to the
 * most work, each doing what the one before does and more (floor ⊂ our decoding ⊂ the library ⊂
 * ours), so a median above the next one's beyond `tolerance` (a fraction) is a Worker counted in
 * another mode for the whole run, which medians over rounds cannot remove (codereview43 #2: our
 * decoding alone 13.08M a stream against the library's 6.16M). A Worker whose rounds range over
 * more than its median had rounds in another mode inside the run.
 */
export function countFlags(
  rows: readonly CountRow[],
  nesting: readonly string[],
  tolerance = 0.05,
  unit: "M" | "ms" = "M",
): CountFlag[] {
  const flags: CountFlag[] = [];
  // Instructions are counted; CPU time (the cpu suite's, read in nanoseconds: millions are ms) is spent.
  const verb = unit === "M" ? "counts" : "spends";
  const m = (value: number) => (value / 1e6).toFixed(3);
  const nested = nesting.map((name) => {
    const row = rows.find((candidate) => candidate.name === name);
    if (!row) throw new Error(`countFlags: no ${name} among the rows`);
    return row;
  });
  for (const kind of ["plain", "stream"] as const) {
    for (let i = 0; i + 1 < nested.length; i++) {
      const inner = nested[i]!;
      const outer = nested[i + 1]!;
      if (inner[kind].median <= outer[kind].median * (1 + tolerance)) continue;
      flags.push({
        reason: "order",
        kind,
        workers: [inner.name, outer.name],
        message: `${inner.label} ${verb} ${m(inner[kind].median)} ${unit} ${KIND_WORDS[kind]}, more than ${outer.label} (${m(outer[kind].median)} ${unit}), which does all it does: this run's figures per ${kind === "plain" ? "plain request" : "stream"} for ${inner.label} and ${outer.label} are not comparable; run again`,
      });
    }
    for (const row of rows) {
      const { median, min, max } = row[kind];
      if (max - min <= median) continue;
      flags.push({
        reason: "spread",
        kind,
        workers: [row.name],
        message: `the rounds of ${row.label} per ${kind === "plain" ? "plain request" : "stream"} range over more than their median (${m(min)}–${m(max)} ${unit} against ${m(median)} ${unit}): some rounds were measured in another mode; its median holds only if few were, so run again to compare it`,
      });
    }
  }
  return flags;
}
