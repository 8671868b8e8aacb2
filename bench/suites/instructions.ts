/// <reference types="node" />
// Work per request in workerd, measured where timing on a shared machine cannot tell changes
// apart. The `workerd` package's binary serves the proxy suite's Workers with their bindings
// (the floor, the floor through a stream of its own, our decoding alone, the library alone, ours;
// Portkey's too when the emulator is where it can sign for it) from a config of its own (no
// Miniflare), the emulator as upstream in its own process, and the suite reads what the thread
// that serves requests spent per plain request and per stream of the proxy suite's llama
// requests, after a warm-up, in windows around each Worker's requests, the Workers' windows
// interleaved round by round. Two measures, both opt-in (`--only=instructions`, `--only=cpu`):
// - instructions: workerd under valgrind's callgrind (--separate-threads=yes: V8's compiling and
//   marking threads apart), windows opened and closed with callgrind_control (-z, then -d). A
//   count barely moves with the machine's load; it takes minutes and needs valgrind.
// - cpu: workerd run directly, each thread's CPU time read from /proc before and after each
//   window (Linux only). What the time goals pay for, user and system time alike, with nothing
//   slowed down: the counts do not predict it (docs/BENCHMARK-HISTORY.md, cpu44).
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { wranglerCompatibility } from "../../scripts/wrangler-compatibility.ts";
import { type ConfigWorker, parseCallgrindDump, workerdConfig } from "../lib/callgrind.ts";
import type { Figure, SuiteResult } from "../lib/figure.ts";
import { countFlags, countRows, millions, perRequest, renderCountTable } from "../lib/instruction-counts.ts";
import { cpuSince, threadCpuNs } from "../lib/thread-cpu.ts";
import { failure, listening, spawned, WORKERD, WORKERD_ARGS } from "../lib/workerd-process.ts";
import type { ChildServer } from "../lib/server.ts";
import { summarise, type Summary } from "../lib/stats.ts";
import { directInvoke, PROMPT_TEXT, proxyRequest, runLoad } from "../proxy/load.ts";
import { portkeyRequest, portkeyWorkerSource } from "../proxy/portkey.ts";
import { proxyBindings } from "../proxy/proxy-settings.ts";
import { bundled, portkeyRuntime } from "../proxy/workerd.ts";

const run = promisify(execFile);
// The warm-up's requests in flight at once: workerd is always busy while the client and the
// emulator prepare the next ones (nothing is counted then). Counted windows have one at a time.
const WARM_CONCURRENCY = 4;
/** Warm-up requests prepared (and signed) at once. */
const WARM_BATCH = 100;
/** How many times a counted window is tried before the suite fails. */
const WINDOW_ATTEMPTS = 3;

export interface InstructionOptions {
  /** Plain requests and streams each Worker serves before anything is counted. */
  warmPlain: number;
  warmStreams: number;
  /** Counted windows per Worker and kind, interleaved; medians over them. */
  rounds: number;
  /** Requests in each counted window. */
  plainPerRound: number;
  streamsPerRound: number;
  /**
   * V8 flags for every isolate (workerd's config passes them on). None by default: with
   * --predictable --single-threaded, V8's optimizing compiles and its marking run on the thread
   * that serves requests, and the rounds spread more (docs/BENCHMARK-HISTORY.md, instr43).
   */
  v8Flags: readonly string[];
}

/** What a window reads: instructions counted under callgrind, or CPU time. */
export type Measure = "instructions" | "cpu";

type WorkerName = "floor" | "floorJs" | "decode" | "library" | "ours" | "portkey";
type Kind = "plain" | "stream";

/**
 * The Workers from the least work to the most, each doing all the one before does. The floor
 * through its own stream is not among them: our decoding alone parses a plain answer and writes
 * it whole, through no stream, so it need not cost more than that floor.
 */
const NESTING: readonly WorkerName[] = ["floor", "decode", "library", "ours"];

const LABELS: Record<WorkerName, string> = {
  floor: "the floor (bare pass-through)",
  floorJs: "the floor through its own stream",
  decode: "our decoding alone",
  library: "the library alone",
  ours: "our Worker",
  portkey: "Portkey",
};

interface Served {
  name: WorkerName;
  make(stream: boolean): Request | Promise<Request>;
}

/** Why the suite cannot run here, or undefined when valgrind and callgrind_control answer. */
async function missingValgrind(): Promise<string | undefined> {
  try {
    await run("valgrind", ["--version"]);
    await run("callgrind_control", ["--version"]);
    return undefined;
  } catch {
    return "valgrind (with callgrind_control) is not installed: on Debian or Ubuntu, `sudo apt-get install valgrind`; elsewhere, your system's valgrind package";
  }
}

/** workerd serving the Workers, and what its threads spent in a window. */
interface Meter {
  pid: number;
  ports: Map<string, number>;
  /** A window starts: what is read next counts from here. */
  zero(): Promise<void>;
  /** What each thread spent since the last zero (callgrind's numbering: 1 serves requests). */
  dump(): Promise<Map<number, number>>;
  /** What workerd and valgrind last wrote to stderr, and whether the process is gone. */
  state(): string;
  stop(): Promise<void>;
}

/** workerd serving `config` under callgrind, up once every socket listens. */
async function startCallgrind(directory: string, config: string, sockets: number): Promise<Meter> {
  const out = join(directory, "callgrind");
  await mkdir(out);
  const started = spawned(
    "valgrind",
    [
      "--tool=callgrind",
      "--separate-threads=yes",
      // Only totals are read: no per-line or per-instruction tables to write at each dump.
      "--dump-line=no",
      "--dump-instr=no",
      `--callgrind-out-file=${join(out, "callgrind.out.%p")}`,
      WORKERD,
      ...WORKERD_ARGS(config),
    ],
    directory,
  );
  const ports = await listening(started.child, sockets, "workerd under callgrind", started.stderr);
  const pid = started.child.pid!;
  const prefix = `callgrind.out.${pid}.`;
  return {
    pid,
    ports,
    zero: async () => {
      await run("callgrind_control", ["-z", String(pid)]);
    },
    dump: async () => {
      await run("callgrind_control", ["-d", String(pid)]);
      const counts = new Map<number, number>();
      for (const file of await readdir(out)) {
        if (!file.startsWith(prefix)) continue;
        const { thread, instructions } = parseCallgrindDump(await readFile(join(out, file), "utf8"));
        counts.set(thread, (counts.get(thread) ?? 0) + instructions);
        await rm(join(out, file));
      }
      if (!counts.size) throw new Error("callgrind_control -d wrote no dump");
      return counts;
    },
    state: started.state,
    stop: started.stop,
  };
}

/** workerd serving `config` as it is, each thread's CPU time read around a window. */
async function startTimed(directory: string, config: string, sockets: number): Promise<Meter> {
  const started = spawned(WORKERD, WORKERD_ARGS(config), directory);
  const ports = await listening(started.child, sockets, "workerd", started.stderr);
  const pid = started.child.pid!;
  let before = threadCpuNs(pid);
  return {
    pid,
    ports,
    zero: async () => {
      before = threadCpuNs(pid);
    },
    dump: async () => cpuSince(before, threadCpuNs(pid), pid),
    state: started.state,
    stop: started.stop,
  };
}

async function prepared(served: Served, count: number, stream: boolean): Promise<Request[]> {
  const requests: Request[] = [];
  for (let i = 0; i < count; i++) requests.push(await served.make(stream));
  return requests;
}

/**
 * Ours ÷ Portkey's, round by round, their median and range, plain and per stream: whole (the
 * goal's ratio in these terms: a direct call spends none of workerd's, so all that a proxy
 * spends is added to it, the floor's share included; codereview44 #3) and over the floor (what
 * each does beyond forwarding, further from 1). Nothing when Portkey was not measured.
 */
function overPortkey(counts: Record<Kind, Map<WorkerName, number[]>>): string[] {
  if (!counts.plain.has("portkey")) return [];
  const ratio = (kind: Kind, less: (round: number) => number) => {
    const ours = counts[kind].get("ours")!;
    const portkey = counts[kind].get("portkey")!;
    const { median, min, max } = summarise(
      ours.map((value, round) => (value - less(round)) / (portkey[round]! - less(round))),
    );
    return `${median.toFixed(2)} (${min.toFixed(2)}–${max.toFixed(2)})`;
  };
  const whole = () => 0;
  const floor = (kind: Kind) => (round: number) => counts[kind].get("floor")![round]!;
  return [
    `Ours ÷ Portkey's, round by round: plain ${ratio("plain", whole)}, per stream ${ratio("stream", whole)} (the goal's ratio, all of a proxy's work being added to a direct call); over the floor, plain ${ratio("plain", floor("plain"))}, per stream ${ratio("stream", floor("stream"))}.`,
    "",
  ];
}

/** The thread that serves requests: workerd's main thread, callgrind's thread 1. */
const SERVING_THREAD = 1;

function inMillions(summary: Summary): Summary {
  return { ...summary, median: summary.median / 1e6, min: summary.min / 1e6, max: summary.max / 1e6 };
}

/** How each measure reads, prints and names what it measured. */
const MEASURES: Record<
  Measure,
  {
    title: string;
    unit: Figure["unit"];
    tableUnit: "M" | "ms";
    figure: string;
    how: (options: InstructionOptions) => string;
  }
> = {
  instructions: {
    title: "Instructions in workerd, M per request",
    unit: "M instr",
    tableUnit: "M",
    figure: "Instructions per",
    how: (options) =>
      `workerd (${WORKERD}) directly under valgrind --tool=callgrind --separate-threads=yes, ${options.v8Flags.length ? `V8 ${options.v8Flags.join(" ")}` : "no V8 flags"}; the serving thread's count`,
  },
  cpu: {
    title: "CPU time in workerd, ms per request (user and system, from /proc/<pid>/task/<tid>/schedstat)",
    unit: "ms",
    tableUnit: "ms",
    figure: "CPU ms per",
    how: (options) =>
      `workerd (${WORKERD}) run directly, ${options.v8Flags.length ? `V8 ${options.v8Flags.join(" ")}` : "no V8 flags"}; the serving thread's CPU time`,
  },
};

/** Why `measure` cannot run here, or undefined. */
async function missingFor(measure: Measure): Promise<string | undefined> {
  if (measure === "instructions") return missingValgrind();
  return existsSync("/proc/self/task") ? undefined : "no /proc/<pid>/task here (Linux only)";
}

export async function runInstructions(
  runDirectory: string,
  emulator: ChildServer,
  portkeyMissing: string | undefined,
  options: InstructionOptions,
  measure: Measure = "instructions",
): Promise<SuiteResult> {
  const started = performance.now();
  const { title, unit, tableUnit, figure: figureName, how } = MEASURES[measure];
  const missing = await missingFor(measure);
  if (missing) {
    console.log(`  ${measure}: skipped: ${missing}`);
    return { suite: measure, figures: [], details: [`${title}: skipped: ${missing}`], seconds: 0 };
  }
  const directory = join(runDirectory, measure);
  await mkdir(directory);
  const upstream = emulator.url;
  const compatibility = wranglerCompatibility();
  const plainRuntime = { ...compatibility, bindings: { UPSTREAM: upstream } };
  const sources: Array<[WorkerName, string, Omit<ConfigWorker, "name" | "module">]> = [
    ["floor", await bundled("bench/proxy/floor-worker.ts"), plainRuntime],
    ["floorJs", await bundled("bench/proxy/floor-js-worker.ts"), plainRuntime],
    ["decode", await bundled("bench/proxy/decode-worker.ts"), plainRuntime],
    [
      "library",
      await bundled("bench/proxy/library-worker.ts"),
      { ...compatibility, bindings: proxyBindings(upstream) },
    ],
    ["ours", await bundled("worker/index.ts"), { ...compatibility, bindings: proxyBindings(upstream) }],
  ];
  if (!portkeyMissing) sources.push(["portkey", await portkeyWorkerSource(), portkeyRuntime(upstream)]);
  const workers: ConfigWorker[] = [];
  for (const [name, source, runtime] of sources) {
    await writeFile(join(directory, `${name}.js`), source);
    workers.push({ name, module: `${name}.js`, ...runtime });
  }
  const configFile = join(directory, `${measure}.capnp`);
  await writeFile(configFile, workerdConfig(workers, options.v8Flags));

  const meter = await (measure === "instructions" ? startCallgrind : startTimed)(directory, configFile, workers.length);
  const url = (name: WorkerName) => `http://127.0.0.1:${meter.ports.get(name)}`;
  // The proxy suite's requests: the pass-through Workers get the emulator's own signed call.
  const requestTo: Record<WorkerName, (worker: WorkerName, stream: boolean) => Request | Promise<Request>> = {
    floor: (worker, stream) => directInvoke(upstream, stream, "llama", url(worker)),
    floorJs: (worker, stream) => directInvoke(upstream, stream, "llama", url(worker)),
    decode: (worker, stream) => directInvoke(upstream, stream, "llama", url(worker)),
    library: (worker, stream) => proxyRequest(url(worker), stream),
    ours: (worker, stream) => proxyRequest(url(worker), stream),
    portkey: (worker, stream) => portkeyRequest(url(worker), upstream, stream, PROMPT_TEXT),
  };
  const served: Served[] = workers.map(({ name }) => {
    const worker = name as WorkerName;
    return { name: worker, make: (stream) => requestTo[worker](worker, stream) };
  });
  const counts: Record<Kind, Map<WorkerName, number[]>> = { plain: new Map(), stream: new Map() };
  const others: number[] = [];
  const windows: Array<{ kind: Kind; size: number }> = [
    { kind: "plain", size: options.plainPerRound },
    { kind: "stream", size: options.streamsPerRound },
  ];
  // Under callgrind and a loaded machine, workerd can stall long enough for the client to give
  // up on a connection now and then ("fetch failed"). The warm-up goes on past it; a counted
  // window with a failed request is counted again, since its count is not that of `size`.
  async function warm(worker: Served, count: number, stream: boolean): Promise<void> {
    for (let done = 0; done < count; done += WARM_BATCH) {
      const batch = Math.min(WARM_BATCH, count - done);
      await runLoad(await prepared(worker, batch, stream), WARM_CONCURRENCY).catch((error: unknown) =>
        console.log(`  ${measure}: a warm-up request to ${worker.name} failed (${failure(error)}); going on`),
      );
    }
  }
  async function counted(worker: Served, size: number, kind: Kind): Promise<Map<number, number>> {
    for (let attempt = 1; ; attempt++) {
      const requests = await prepared(worker, size, kind === "stream");
      await meter.zero();
      try {
        await runLoad(requests, 1);
      } catch (error) {
        if (attempt === WINDOW_ATTEMPTS) throw error;
        console.log(`  ${measure}: a request to ${worker.name} failed (${failure(error)}); measuring its window again`);
        continue;
      }
      return meter.dump();
    }
  }
  async function measureAll(): Promise<void> {
    const warmed = performance.now();
    for (const worker of served) {
      await warm(worker, options.warmPlain, false);
      await warm(worker, options.warmStreams, true);
    }
    const warmSeconds = (performance.now() - warmed) / 1000;
    console.log(
      `  ${measure}: workerd${measure === "instructions" ? " under callgrind" : ""} warmed up in ${warmSeconds.toFixed(0)} s`,
    );
    for (let round = 0; round < options.rounds; round++) {
      // Rotate who goes first, as the proxy suite does.
      const order = served.map((_, i) => served[(i + round) % served.length]!);
      for (const { kind, size } of windows) {
        for (const worker of order) {
          const { serving, others: rest } = perRequest(await counted(worker, size, kind), SERVING_THREAD, size);
          counts[kind].set(worker.name, [...(counts[kind].get(worker.name) ?? []), serving]);
          others.push(rest);
        }
      }
    }
  }
  try {
    await measureAll();
  } catch (error) {
    // A failed fetch says nothing of why: workerd's own last words do.
    throw new Error(`${failure(error)}; ${meter.state()}`);
  } finally {
    await meter.stop();
  }

  const rows = countRows(
    served.map(({ name }) => ({
      name,
      label: LABELS[name],
      plain: counts.plain.get(name)!,
      stream: counts.stream.get(name)!,
    })),
    "floor",
  );
  const floor = rows.find((row) => row.name === "floor")!;
  const figures: Figure[] = rows.flatMap((row) =>
    windows.flatMap(({ kind }): Figure[] => {
      const over = kind === "plain" ? row.plainOverFloor : row.streamOverFloor;
      if (!over) return [];
      return [
        {
          id: `${measure}.${kind}.${row.name}`,
          name: `${figureName} ${kind === "plain" ? "plain request" : "stream"} in workerd, ${row.label}`,
          unit,
          ours: inMillions(row[kind]),
          reference: { label: "floor", value: inMillions(floor[kind]) },
          ratio: over.median / 1e6,
          ratioLabel: `${unit} added`,
          goal: "(information)",
          pass: null,
          note: `${measure === "instructions" ? "callgrind" : "/proc"}, the serving thread; added: the median of each round's figure less the floor's (${millions(over)} ${tableUnit})`,
        },
      ];
    }),
  );
  // A Worker counted in another mode for a whole run (codereview43 #2) leaves medians a warm-up
  // and rounds cannot fix: said under the table and kept in results.json, not left to be read.
  const flags = countFlags(rows, NESTING, undefined, tableUnit).map((flag) => flag.message);
  const details = [
    `${title} (median of the rounds, their range; over floor: each round's figure less the floor's in the same round):`,
    "",
    ...renderCountTable(rows),
    "",
    ...overPortkey(counts),
    ...(flags.length ? [...flags.map((flag) => `FLAG: ${flag}.`), ""] : []),
    `${how(options)} (the other threads: ${millions(summarise(others))} ${tableUnit} a request). Warm-up ${options.warmPlain} plain requests and ${options.warmStreams} streams per Worker; ${options.rounds} rounds of ${options.plainPerRound} plain requests and ${options.streamsPerRound} streams per Worker, one request in flight, the Workers interleaved.${portkeyMissing ? ` Portkey not measured: ${portkeyMissing}.` : ""}`,
  ];
  return { suite: measure, figures, details, flags, seconds: (performance.now() - started) / 1000 };
}
