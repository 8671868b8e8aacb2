// The profile suite's printed details: busy samples per plain request and per stream of each
// Worker, ours ÷ Portkey's, our Worker by module and its largest functions, from the
// attributions of bench/lib/cpu-profile.ts. Markdown tables, as the other suites print.
import { type Attribution, largest } from "./cpu-profile.ts";

export type ProfileKind = "plain" | "stream";

/** One profiled window: its samples and the requests (plain) or streams it served. */
export interface ProfiledWindow {
  attribution: Attribution;
  requests: number;
  /** The serving thread's CPU time over the window, ms (where /proc has it), the profiler's own cost included. */
  cpuMs?: number;
}

export interface ProfiledWorker {
  name: string;
  label: string;
  plain: ProfiledWindow;
  stream: ProfiledWindow;
}

export const KINDS: readonly ProfileKind[] = ["plain", "stream"];
const PER: Record<ProfileKind, string> = { plain: "per plain request", stream: "per stream" };

/** Busy samples per request (or stream) of a window. */
export function busyPer(window: ProfiledWindow): number {
  return window.attribution.busy / window.requests;
}

/** The serving thread's CPU ms per request (or stream) of a window, where it was read. */
export function cpuPer(window: ProfiledWindow): number | undefined {
  return window.cpuMs === undefined ? undefined : window.cpuMs / window.requests;
}

function table(header: readonly string[], rows: readonly string[][]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(" | ")} |`;
  return [line(header), `|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`, ...rows.map(line)];
}

const percent = (part: number, whole: number) => `${whole ? ((100 * part) / whole).toFixed(1) : "0.0"}%`;

/**
 * Our modules, plain and per stream side by side: the `count` rows with the largest share in
 * either, largest first, then the rest in one row, so that each column adds up to its busy total.
 */
function moduleTable(ours: ProfiledWorker, count: number): string[] {
  const share = (kind: ProfileKind, module: string) =>
    (ours[kind].attribution.modules.get(module) ?? 0) / (ours[kind].attribution.busy || 1);
  const names = new Set(KINDS.flatMap((kind) => [...ours[kind].attribution.modules.keys()]));
  const ranked = [...names].sort(
    (a, b) =>
      Math.max(share("plain", b), share("stream", b)) - Math.max(share("plain", a), share("stream", a)) ||
      a.localeCompare(b),
  );
  const shown = ranked.slice(0, count);
  const cells = (kind: ProfileKind, samples: number) => {
    const { attribution, requests } = ours[kind];
    return [(samples / requests).toFixed(3), percent(samples, attribution.busy)];
  };
  const sumOf = (kind: ProfileKind, modules: readonly string[]) =>
    modules.reduce((sum, module) => sum + (ours[kind].attribution.modules.get(module) ?? 0), 0);
  const rows = shown.map((module) => [
    module,
    ...cells("plain", sumOf("plain", [module])),
    ...cells("stream", sumOf("stream", [module])),
  ]);
  const rest = ranked.slice(count);
  if (rest.length)
    rows.push([
      `${rest.length} other rows`,
      ...cells("plain", sumOf("plain", rest)),
      ...cells("stream", sumOf("stream", rest)),
    ]);
  return table(["module", "plain", "share", "stream", "share"], rows);
}

/** A kind's `count` functions with the most samples of their own (their native callees' included). */
function functionTable(ours: ProfiledWorker, kind: ProfileKind, count: number): string[] {
  const { attribution, requests } = ours[kind];
  const rows = largest(attribution.functions, count).map(([name, samples]) => [
    name,
    (samples / requests).toFixed(3),
    percent(samples, attribution.busy),
  ]);
  return table([`function (source), ${kind}`, PER[kind].replace("per ", "a "), "share"], rows);
}

export interface ProfileReportOptions {
  /** The sampling interval asked of V8, µs. */
  intervalUs: number;
  /** The Worker broken down by module (ours), and the one it is compared with (Portkey), if profiled. */
  ours: string;
  portkey: string;
  /** Rows of the module table, and of each function table. */
  moduleRows: number;
  functionRows: number;
}

export function renderProfile(workers: readonly ProfiledWorker[], options: ProfileReportOptions): string[] {
  const ours = workers.find((worker) => worker.name === options.ours);
  if (!ours) throw new Error(`renderProfile: no ${options.ours} among the Workers`);
  const portkey = workers.find((worker) => worker.name === options.portkey);
  // Ours only: a Worker with little JavaScript a request (the floor) has most of its samples
  // after an idle gap, which says nothing of the sampler.
  const spacings = KINDS.map((kind) => ours[kind].attribution.medianSpacingUs);
  const spacing = spacings.every((value) => value !== undefined)
    ? ` (asked every ${options.intervalUs} µs; in our Worker's profiles taken a median ${spacings.map((value) => value.toFixed(0)).join(" and ")} µs apart, plain and streamed)`
    : "";
  const timed = workers.every((worker) => KINDS.every((kind) => worker[kind].cpuMs !== undefined));
  const totalCells = (window: ProfiledWindow) => {
    const samples = busyPer(window).toFixed(2);
    if (!timed) return [samples];
    const cpu = cpuPer(window)!;
    return [samples, cpu.toFixed(3), (window.attribution.busy / window.cpuMs!).toFixed(2)];
  };
  const totals = table(
    [
      "Worker",
      ...KINDS.flatMap((kind) =>
        timed ? [`samples ${PER[kind]}`, "CPU ms", "samples a CPU ms"] : [`samples ${PER[kind]}`],
      ),
    ],
    workers.map((worker) => [worker.label, ...totalCells(worker.plain), ...totalCells(worker.stream)]),
  );
  const ratio = (kind: ProfileKind, per: (window: ProfiledWindow) => number) =>
    portkey ? (per(ours[kind]) / per(portkey[kind])).toFixed(2) : "";
  const cpuRatio = (kind: ProfileKind) => ratio(kind, (window) => cpuPer(window)!);
  return [
    `V8 CPU profile in workerd, busy samples per plain request and per stream. A sample is ~${options.intervalUs} µs of JavaScript on the isolate's thread${spacing}, with the inspector attached, which makes console.log dearer (the log line's share is overstated): shares compare, absolute times do not. Counted by sample, (idle) left out${timed ? "; beside them, the serving thread's CPU time over the same window (/proc, the profiler's own cost included) and the samples taken per ms of it" : ""}:`,
    "",
    ...totals,
    "",
    ...(portkey
      ? [
          `Ours ÷ Portkey's: samples plain ${ratio("plain", busyPer)}, per stream ${ratio("stream", busyPer)}${timed ? `; CPU time plain ${cpuRatio("plain")}, per stream ${cpuRatio("stream")}` : ""}.`,
          "",
        ]
      : []),
    ...(timed
      ? [
          "Samples a CPU ms differ between Workers (only JavaScript under the isolate's lock is sampled, not a Worker's native work) and between runs of one Worker (up to 3× on a loaded machine): compare the Workers by CPU time, our modules by share.",
          "",
        ]
      : []),
    `${ours.label[0]!.toUpperCase()}${ours.label.slice(1)} by module (a native frame's samples charged to its nearest JavaScript caller's module; (program) and (garbage collector) are V8's own), samples a request and share of the busy ones:`,
    "",
    ...moduleTable(ours, options.moduleRows),
    "",
    ...KINDS.flatMap((kind) => [...functionTable(ours, kind, options.functionRows), ""]),
  ];
}
