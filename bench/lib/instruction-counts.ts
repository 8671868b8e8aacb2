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
