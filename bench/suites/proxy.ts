/// <reference types="node" />
// Proxies: the latency each adds over calling the emulator directly (plain and streamed, one
// request in flight) and the requests per second each serves with 50 in flight. In workerd:
// ours, Portkey's gateway, and the floor (a bare pass-through Worker) in the same workerd; on
// Node: ours (createApp on @hono/node-server, as docs/RUNTIMES.md's Node server) and Portkey's Node
// build. What a proxy adds is measured against the operation it calls (ours and the floor:
// InvokeModel; Portkey: Converse), each round timing every path back to back, so ratios compare
// like moments. Also: stream
// chunks are forwarded as they arrive (slow frames: a buffering proxy would hold them back). And
// ours as a gateway (two deployments, a key with every limit) in the same rounds as the plain
// proxy: what routing and the limit checks add.
import type { Figure, Peer, SuiteResult } from "../lib/figure.ts";
import { childCpuMs, processCpuMs } from "../lib/process-cpu.ts";
import type { ChildServer } from "../lib/server.ts";
import { pairedRatios, percentile, summarise, type Summary } from "../lib/stats.ts";
import {
  directConverse,
  directInvoke,
  firstTextArrival,
  proxyRequest,
  runLoad,
  sseEvents,
  type Timing,
} from "../proxy/load.ts";
import { portkeyRequest } from "../proxy/portkey.ts";
import { GATEWAY_KEY } from "../proxy/proxy-settings.ts";
import { startWorkerdProxies } from "../proxy/workerd.ts";
import { PROMPT_TEXT } from "../proxy/load.ts";

export interface ProxyOptions {
  rounds: number;
  /** Requests per path per round, one in flight. */
  sequential: number;
  /** Requests per path per round for requests per second, 50 in flight. */
  concurrent: number;
}

/** The servers under test, started by the caller (the emulator, the Node proxies). */
export interface ProxyServers {
  emulator: ChildServer;
  oursNode?: ChildServer;
  portkeyNode?: ChildServer;
  /** Why Portkey is not measured, when it is not. */
  portkeyMissing?: string;
}

const GOALS = { vsPortkey: 0.7, vsFloor: 1.2 };
const CONCURRENCY = 50;
// The emulator's slow50 model sends a frame every 50 ms; half of that is "not held back".
const SLOW_FRAME_MS = 50;

type PathName =
  | "invoke"
  | "converse"
  | "workerd.ours"
  | "workerd.gateway"
  | "workerd.floor"
  | "workerd.floorJs"
  | "workerd.decode"
  | "workerd.library"
  | "workerd.portkey"
  | "node.ours"
  | "node.portkey";

interface Path {
  name: PathName;
  /** The direct call whose time this path's is compared with. */
  reference?: "invoke" | "converse";
  make(stream: boolean): Request | Promise<Request>;
  /** CPU ms of the process serving this path, now. */
  cpu?: () => number | undefined;
}

interface RoundStats {
  p50: number;
  p99: number;
  ttfb50: number;
}

function stats(timings: readonly Timing[]): RoundStats {
  const totals = timings.map((t) => t.totalMs);
  return {
    p50: percentile(totals, 0.5),
    p99: percentile(totals, 0.99),
    ttfb50: percentile(
      timings.map((t) => t.ttfbMs),
      0.5,
    ),
  };
}

async function prepareMany(path: Path, count: number, stream: boolean): Promise<Request[]> {
  const requests: Request[] = [];
  for (let i = 0; i < count; i++) requests.push(await path.make(stream));
  return requests;
}

type Kind = "plain" | "stream";
/** Per path, per kind: one entry per round. */
type Measured = Record<Kind, Map<PathName, RoundStats[]>> & { rps: Map<PathName, number[]> };

export async function runProxy(servers: ProxyServers, options: ProxyOptions): Promise<SuiteResult> {
  const started = performance.now();
  const emulatorUrl = servers.emulator.url;
  const withPortkey = servers.portkeyMissing === undefined;
  const workerd = await startWorkerdProxies(emulatorUrl, withPortkey);
  const workerdCpu = () => childCpuMs("workerd");
  const paths: Path[] = [
    { name: "invoke", make: (stream) => directInvoke(emulatorUrl, stream) },
    { name: "converse", make: (stream) => directConverse(emulatorUrl, stream) },
    {
      name: "workerd.ours",
      reference: "invoke",
      make: (stream) => proxyRequest(workerd.urls.ours!, stream),
      cpu: workerdCpu,
    },
    {
      name: "workerd.gateway",
      reference: "invoke",
      make: (stream) => proxyRequest(workerd.urls.gateway!, stream, "llama", GATEWAY_KEY),
      cpu: workerdCpu,
    },
    {
      name: "workerd.floor",
      reference: "invoke",
      make: (stream) => directInvoke(emulatorUrl, stream, "llama", workerd.urls.floor!),
      cpu: workerdCpu,
    },
    {
      name: "workerd.floorJs",
      reference: "invoke",
      make: (stream) => directInvoke(emulatorUrl, stream, "llama", workerd.urls.floorJs!),
      cpu: workerdCpu,
    },
    {
      name: "workerd.decode",
      reference: "invoke",
      make: (stream) => directInvoke(emulatorUrl, stream, "llama", workerd.urls.decode!),
      cpu: workerdCpu,
    },
    {
      name: "workerd.library",
      reference: "invoke",
      make: (stream) => proxyRequest(workerd.urls.library!, stream),
      cpu: workerdCpu,
    },
  ];
  if (workerd.urls.portkey) {
    const base = workerd.urls.portkey;
    paths.push({
      name: "workerd.portkey",
      reference: "converse",
      make: (stream) => portkeyRequest(base, emulatorUrl, stream, PROMPT_TEXT),
      cpu: workerdCpu,
    });
  }
  if (servers.oursNode) {
    const { url, pid } = servers.oursNode;
    paths.push({
      name: "node.ours",
      reference: "invoke",
      make: (stream) => proxyRequest(url, stream),
      cpu: () => processCpuMs(pid),
    });
  }
  if (servers.portkeyNode) {
    const { url, pid } = servers.portkeyNode;
    paths.push({
      name: "node.portkey",
      reference: "converse",
      make: (stream) => portkeyRequest(url, emulatorUrl, stream, PROMPT_TEXT),
      cpu: () => processCpuMs(pid),
    });
  }

  const measured: Measured = { plain: new Map(), stream: new Map(), rps: new Map() };
  const cpu = new Map<string, number[]>();
  const emulatorCpu = new Map<string, number[]>();
  const push = <K, V>(map: Map<K, V[]>, key: K, value: V) => map.set(key, [...(map.get(key) ?? []), value]);
  let buffering: Figure | undefined;
  let perChunk: Figure | undefined;
  try {
    // Warm-up: JIT everywhere, connection pools, each Worker's first-request setup.
    for (const path of paths) {
      for (const stream of [false, true]) await runLoad(await prepareMany(path, 30, stream), 1);
      await runLoad(await prepareMany(path, 100, false), CONCURRENCY);
    }
    for (let round = 0; round < options.rounds; round++) {
      // Rotate who goes first, so drifting load falls on every path alike.
      const order = paths.map((_, i) => paths[(i + round) % paths.length]!);
      for (const kind of ["plain", "stream"] as const) {
        for (const path of order) {
          const requests = await prepareMany(path, options.sequential, kind === "stream");
          const before = { own: path.cpu?.(), emulator: processCpuMs(servers.emulator.pid) };
          push(measured[kind], path.name, stats(await runLoad(requests, 1)));
          const own = path.cpu?.();
          const emulator = processCpuMs(servers.emulator.pid);
          if (own !== undefined && before.own !== undefined)
            push(cpu, `${path.name} ${kind}`, (own - before.own) / options.sequential);
          if (emulator !== undefined && before.emulator !== undefined)
            push(emulatorCpu, `${path.name} ${kind}`, (emulator - before.emulator) / options.sequential);
        }
      }
      for (const path of order) {
        const requests = await prepareMany(path, options.concurrent, false);
        const began = performance.now();
        await runLoad(requests, CONCURRENCY);
        push(measured.rps, path.name, options.concurrent / ((performance.now() - began) / 1000));
      }
    }
    buffering = await bufferingFigure(emulatorUrl, workerd.urls.ours!);
    // Off Linux (no /proc), workerd's CPU time cannot be read: the figure is left out, not the suite.
    if (workerdCpu() !== undefined)
      perChunk = await chunkCpuFigure(
        emulatorUrl,
        { ours: workerd.urls.ours!, floorJs: workerd.urls.floorJs! },
        workerdCpu,
        options.rounds,
      );
  } finally {
    await workerd.close();
  }

  const figures = [
    ...latencyFigures(paths, measured),
    ...gatewayFigures(measured),
    ...floorJsFigures(measured),
    ...ladderFigures(measured),
    ...throughputFigures(measured),
  ];
  if (buffering) figures.push(buffering);
  if (perChunk) figures.push(perChunk);
  const details = [
    `Proxies: ours is worker/index.ts bundled with esbuild (minified, as wrangler bundles it) in workerd via Miniflare (direct sockets, wrangler.toml's compatibility) and createApp() on @hono/node-server with bedrock-edge/node (nodeFetch, nodeSigningCrypto), as docs/RUNTIMES.md's Node server; the floor is bench/proxy/floor-worker.ts in the same workerd, with the rungs from it to ours: floor-js-worker.ts (the body through JavaScript), decode-worker.ts (our decoding alone), library-worker.ts (createBedrock() alone); Portkey is @portkey-ai/gateway 1.15.2's build/start-server.js, as published on Node and re-bundled as a Worker (bench/proxy/portkey.ts) under nodejs_compat. Upstream: the emulator in its own Node process at ${emulatorUrl}. Client: Node's fetch over loopback, ${options.sequential} requests per path per round one at a time, ${options.concurrent} at ${CONCURRENCY} in flight for req/s; ${options.rounds} rounds, paths in a rotating order.`,
    ...(servers.portkeyMissing ? [`Portkey not measured: ${servers.portkeyMissing}`] : []),
    "Gateway: ours again in the same workerd, its model two deployments (failover; the first, the plain proxy's model, serves) and its key every limit: per request a cool-down read (the DeploymentCooldowns Durable Object, at most once a second per isolate), the Rate Limiting binding, an admission and (after the answer) a settlement in the KeyLimits Durable Object. Usage records and traces are off: they are written after the answer.",
    "Medians per round, ms (p50 of the whole answer):",
    ...paths.map((path) => {
      const cell = (kind: Kind) => {
        const rounds = measured[kind].get(path.name) ?? [];
        const p50 = summarise(rounds.map((r) => r.p50)).median;
        const ttfb = summarise(rounds.map((r) => r.ttfb50)).median;
        return kind === "plain"
          ? `plain ${p50.toFixed(2)}`
          : `stream ${p50.toFixed(2)} (first byte ${ttfb.toFixed(2)})`;
      };
      const rps = summarise(measured.rps.get(path.name) ?? [0]).median;
      return `  ${path.name.padEnd(16)} ${cell("plain")}, ${cell("stream")}, ${rps.toFixed(0)} req/s at ${CONCURRENCY} in flight`;
    }),
    cpu.size
      ? "CPU per request (/proc, median of rounds; workerd serves all its Workers on one thread):"
      : "CPU per request: not measured (no readable /proc here).",
    ...[...cpu].map(
      ([key, values]) =>
        `  ${key.padEnd(24)} ${summarise(values).median.toFixed(2)} ms in the proxy, emulator ${summarise(emulatorCpu.get(key) ?? [0]).median.toFixed(2)} ms`,
    ),
    `  direct invoke: emulator ${summarise(emulatorCpu.get("invoke plain") ?? [0]).median.toFixed(2)} ms plain, ${summarise(emulatorCpu.get("invoke stream") ?? [0]).median.toFixed(2)} ms streamed; direct converse ${summarise(emulatorCpu.get("converse plain") ?? [0]).median.toFixed(2)} / ${summarise(emulatorCpu.get("converse stream") ?? [0]).median.toFixed(2)} ms`,
  ];
  return { suite: "proxy", figures, details, seconds: (performance.now() - started) / 1000 };
}

/** Routing and the limit checks: the gateway against the plain proxy, round by round (ms added). */
function gatewayFigures(measured: Measured): Figure[] {
  const row = (kind: Kind, key: keyof RoundStats, what: string): Figure =>
    addedFigure(measured, {
      kind,
      key,
      path: "workerd.gateway",
      over: "workerd.ours",
      id: `gateway.workerd.${kind}.added_${key}`,
      name: `Gateway in workerd (routing, limits), ${what}`,
      label: "plain proxy",
      goal: "(information)",
    });
  if (!measured.plain.get("workerd.gateway")) return [];
  return [
    row("plain", "p50", "p50, plain"),
    row("stream", "p50", "p50, whole stream"),
    row("stream", "ttfb50", "p50 time to first byte"),
  ];
}

interface AddedRow {
  kind: Kind;
  key: keyof RoundStats;
  path: PathName;
  /** The path whose time `path` is compared with. */
  over: PathName;
  id: string;
  name: string;
  /** What `over` is called in the table. */
  label: string;
  goal: string;
}

/** One path's time against another's, round by round: the ms it adds (information). */
function addedFigure(measured: Measured, row: AddedRow): Figure {
  const extra = summarise(added(measured, row.kind, row.path, row.over, row.key));
  const own = (path: PathName) => summarise((measured[row.kind].get(path) ?? []).map((r) => r[row.key]));
  return {
    id: row.id,
    name: row.name,
    unit: "ms",
    ours: own(row.path),
    reference: { label: row.label, value: own(row.over) },
    ratio: extra.median,
    ratioLabel: "ms added",
    goal: row.goal,
    pass: null,
    note: `added per round ${extra.min.toFixed(2)}–${extra.max.toFixed(2)} ms`,
  };
}

/** What a path adds over its direct call, per round (ms). */
function added(measured: Measured, kind: Kind, path: PathName, reference: PathName, key: keyof RoundStats): number[] {
  const own = measured[kind].get(path) ?? [];
  const direct = measured[kind].get(reference) ?? [];
  return own.map((r, i) => r[key] - direct[i]![key]);
}

function latencyFigures(paths: readonly Path[], measured: Measured): Figure[] {
  const figures: Figure[] = [];
  const has = (name: PathName) => paths.some((p) => p.name === name);
  for (const runtime of ["workerd", "node"] as const) {
    const ours = `${runtime}.ours` as PathName;
    if (!has(ours)) continue;
    const where = runtime === "workerd" ? "in workerd" : "on Node";
    for (const kind of ["plain", "stream"] as const) {
      const what = kind === "plain" ? "added p50, plain" : "added p50, whole stream";
      const oursAdded = added(measured, kind, ours, "invoke", "p50");
      const compare = (peerPath: PathName, peer: Peer, reference: "invoke" | "converse", goal?: number): Figure => {
        const peerAdded = added(measured, kind, peerPath, reference, "p50");
        const ratios = pairedRatios(oursAdded, peerAdded);
        const ratio = summarise(ratios).median;
        return {
          id: `proxy.${runtime}.${kind}.added_p50.vs_${peer}`,
          name: `Proxy ${where}, ${what}`,
          unit: "ms",
          ours: summarise(oursAdded),
          reference: { label: peer === "floor" ? "bare Worker" : "Portkey", value: summarise(peerAdded) },
          ratio,
          ratioRuns: ratios,
          ratioLabel: "×",
          goal: goal === undefined ? "(information)" : `≤ ${goal}×`,
          pass: goal === undefined ? null : ratio <= goal,
          peer: { row: `proxy ${where}, ${what}, ms`, peer },
        };
      };
      if (has(`${runtime}.portkey` as PathName)) {
        figures.push(
          compare(
            `${runtime}.portkey` as PathName,
            "portkey",
            "converse",
            runtime === "workerd" ? GOALS.vsPortkey : undefined,
          ),
        );
      }
      if (runtime === "workerd") figures.push(floorFigure(measured, kind, oursAdded));
      if (kind === "stream") {
        const ttfb = added(measured, kind, ours, "invoke", "ttfb50");
        figures.push({
          id: `proxy.${runtime}.stream.added_first_byte`,
          name: `Proxy ${where}, added p50 time to first byte`,
          unit: "ms",
          ours: summarise(ttfb),
          reference: {
            label: "emulator direct",
            value: summarise((measured.stream.get("invoke") ?? []).map((r) => r.ttfb50)),
          },
          goal: "(information)",
          pass: null,
        });
      }
    }
  }
  return figures;
}

/**
 * Ours against the floor: the whole request's p50, both through workerd. (What the floor adds
 * over a direct call is a fraction of a millisecond, and for a stream it can be nothing at all,
 * as workerd joins frames the client would otherwise read one by one: a ratio of added times
 * would divide by noise.)
 */
function floorFigure(measured: Measured, kind: Kind, oursAdded: number[]): Figure {
  const total = (path: PathName) => (measured[kind].get(path) ?? []).map((r) => r.p50);
  const ratios = pairedRatios(total("workerd.ours"), total("workerd.floor"));
  const ratio = summarise(ratios).median;
  const floorAdded = added(measured, kind, "workerd.floor", "invoke", "p50");
  const what = kind === "plain" ? "plain" : "whole stream";
  return {
    id: `proxy.workerd.${kind}.p50.vs_floor`,
    name: `Proxy in workerd, p50 ${what} (whole request)`,
    unit: "ms",
    ours: summarise(total("workerd.ours")),
    reference: { label: "bare Worker", value: summarise(total("workerd.floor")) },
    ratio,
    ratioRuns: ratios,
    ratioLabel: "×",
    goal: `≤ ${GOALS.vsFloor}×`,
    pass: ratio <= GOALS.vsFloor,
    note: `added over the direct call: ours ${summarise(oursAdded).median.toFixed(2)} ms, the bare Worker ${summarise(floorAdded).median.toFixed(2)} ms`,
    peer: { row: `proxy in workerd, p50 ${what}, whole request, ms`, peer: "floor" },
  };
}

/**
 * The floor with every piece passed through JavaScript, against the bare floor: what forwarding
 * a body through a Worker's own stream costs before any work is done on it (information).
 */
function floorJsFigures(measured: Measured): Figure[] {
  return (["plain", "stream"] as const).map((kind) => {
    const total = (path: PathName) => (measured[kind].get(path) ?? []).map((r) => r.p50);
    const ratios = pairedRatios(total("workerd.floorJs"), total("workerd.floor"));
    return {
      id: `proxy.workerd.${kind}.floor_js.vs_floor`,
      name: `Pass-through Worker with the body through JavaScript, p50 ${kind === "plain" ? "plain" : "whole stream"}`,
      unit: "ms",
      ours: summarise(total("workerd.floorJs")),
      reference: { label: "bare Worker", value: summarise(total("workerd.floor")) },
      ratio: summarise(ratios).median,
      ratioRuns: ratios,
      ratioLabel: "×",
      goal: "(information: the floor of a proxy that reads what it forwards)",
      pass: null,
    };
  });
}

/**
 * From the JavaScript floor up to our proxy, one rung at a time, round by round (ms added, as
 * for the gateway): our decoding of Bedrock's answer; the library's request path around it; the
 * Worker's own parts around the library. Where the proxy's time over the floor goes (information).
 */
function ladderFigures(measured: Measured): Figure[] {
  const rungs: Array<[PathName, PathName, string, string]> = [
    ["workerd.decode", "workerd.floorJs", "Our decoding alone in a Worker", "pass-through through JavaScript"],
    ["workerd.library", "workerd.decode", "The library alone in a Worker", "our decoding alone"],
    ["workerd.ours", "workerd.library", "Proxy in workerd", "the library alone"],
  ];
  const figures: Figure[] = [];
  for (const kind of ["plain", "stream"] as const) {
    for (const [upper, lower, name, label] of rungs) {
      if (!measured[kind].get(upper) || !measured[kind].get(lower)) continue;
      figures.push(
        addedFigure(measured, {
          kind,
          key: "p50",
          path: upper,
          over: lower,
          id: `proxy.workerd.${kind}.ladder.${upper.slice("workerd.".length)}`,
          name: `${name}, p50 ${kind === "plain" ? "plain" : "whole stream"} (rung over ${label})`,
          label,
          goal: "(information: where the proxy's time over the floor goes)",
        }),
      );
    }
  }
  return figures;
}

function throughputFigures(measured: Measured): Figure[] {
  const figures: Figure[] = [];
  const rps = (name: PathName) => measured.rps.get(name);
  for (const runtime of ["workerd", "node"] as const) {
    const ours = rps(`${runtime}.ours` as PathName);
    if (!ours) continue;
    const where = runtime === "workerd" ? "in workerd" : "on Node";
    const peers: Array<[PathName, Peer, string]> = [[`${runtime}.portkey` as PathName, "portkey", "Portkey"]];
    if (runtime === "workerd") peers.push(["workerd.floor", "floor", "bare Worker"]);
    for (const [name, peer, label] of peers) {
      const theirs = rps(name);
      if (!theirs) continue;
      const ratios = pairedRatios(ours, theirs);
      figures.push({
        id: `proxy.${runtime}.plain.rps.vs_${peer}`,
        name: `Proxy ${where}, plain, req/s at ${CONCURRENCY} in flight`,
        unit: "req/s",
        ours: summarise(ours),
        reference: { label, value: summarise(theirs) },
        ratio: summarise(ratios).median,
        ratioRuns: ratios,
        ratioLabel: "×",
        goal: "(information)",
        pass: null,
        peer: { row: `proxy ${where}, req/s plain, ${CONCURRENCY} in flight`, peer },
      });
    }
  }
  return figures;
}

async function bufferingFigure(emulatorUrl: string, proxyUrl: string): Promise<Figure> {
  const direct: Array<{ firstMs: number; totalMs: number }> = [];
  const proxied: Array<{ firstMs: number; totalMs: number }> = [];
  for (let i = 0; i < 3; i++) {
    direct.push(await firstTextArrival("event-stream", await directInvoke(emulatorUrl, true, "llama-slow")));
    proxied.push(await firstTextArrival("sse", proxyRequest(proxyUrl, true, "llama-slow")));
  }
  const first = (list: typeof direct): Summary => summarise(list.map((s) => s.firstMs));
  const total = summarise(proxied.map((s) => s.totalMs));
  const lag = first(proxied).median - first(direct).median;
  return {
    id: "proxy.workerd.stream.first_text_slow_frames",
    name: `Proxy in workerd, stream: first text, frames ${SLOW_FRAME_MS} ms apart`,
    unit: "ms",
    ours: first(proxied),
    reference: { label: "emulator direct", value: first(direct) },
    ratio: lag,
    ratioLabel: "ms added",
    goal: `added < ${SLOW_FRAME_MS / 2} ms (unbuffered)`,
    pass: lag < SLOW_FRAME_MS / 2 && first(proxied).median < total.median / 2,
    note: `whole stream through the proxy: ${total.median.toFixed(0)} ms; a buffering proxy would deliver the first text then`,
  };
}

/** The Workers Free plan's CPU time per request (Cloudflare's limits page). */
const FREE_PLAN_CPU_MS = 10;

/**
 * What a streamed answer's CPU grows by per chunk in workerd: streams of the bench's short
 * answer and of a 500-token one, in alternating batches, their CPU per stream apart divided by
 * their chunks apart (and the long answer's CPU plain, for comparison). A Worker is billed, and on
 * the Free plan cut, by CPU time, so this says how long a stream fits a plan's limit (on this
 * machine's CPU, not Cloudflare's). The reference is the JavaScript floor (floor-js-worker.ts)
 * relaying the same two answers' event streams in the same rounds: what any Worker that reads
 * what it forwards pays per piece, whatever it does with it.
 */
async function chunkCpuFigure(
  emulatorUrl: string,
  urls: { ours: string; floorJs: string },
  cpu: () => number | undefined,
  rounds: number,
): Promise<Figure> {
  const STREAMS = 10;
  const perChunkUs: number[] = [];
  const floorPerChunkUs: number[] = [];
  const shortMs: number[] = [];
  const longMs: number[] = [];
  // The same long answer unstreamed: its relay is one body, whatever its length.
  const longPlainMs: number[] = [];
  const chunks = { short: 0, long: 0 };
  type Answer = "llama" | "llama-long";
  const cpuOf = async (requests: readonly Request[], read: (request: Request) => Promise<unknown>) => {
    const before = cpu();
    for (const request of requests) await read(request);
    const after = cpu();
    if (before === undefined || after === undefined) throw new Error("workerd's CPU time is not readable");
    return (after - before) / requests.length;
  };
  const batch = async (model: Answer, stream = true): Promise<{ ms: number; events: number }> => {
    const requests = Array.from({ length: STREAMS }, () => proxyRequest(urls.ours, stream, model));
    let events = 0;
    const ms = await cpuOf(requests, async (request) => {
      if (stream) events += await sseEvents(request);
      else await runLoad([request], 1);
    });
    return { ms, events: events / STREAMS };
  };
  // Signed before the clock starts, as every direct request of the benchmark is.
  const floorBatch = async (model: Answer): Promise<number> => {
    const requests = await Promise.all(
      Array.from({ length: STREAMS }, () => directInvoke(emulatorUrl, true, model, urls.floorJs)),
    );
    return cpuOf(requests, (request) => runLoad([request], 1));
  };
  await batch("llama-long");
  await floorBatch("llama-long");
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 ? (["llama-long", "llama"] as const) : (["llama", "llama-long"] as const);
    const [first, second] = [await batch(order[0]), await batch(order[1])];
    const [short, long] = order[0] === "llama" ? [first, second] : [second, first];
    chunks.short = short.events;
    chunks.long = long.events;
    shortMs.push(short.ms);
    longMs.push(long.ms);
    const apart = long.events - short.events;
    perChunkUs.push(((long.ms - short.ms) / apart) * 1000);
    // One frame per SSE chunk: the floor relays as many pieces more as the proxy writes chunks more.
    const [floorFirst, floorSecond] = [await floorBatch(order[0]), await floorBatch(order[1])];
    const [floorShort, floorLong] = order[0] === "llama" ? [floorFirst, floorSecond] : [floorSecond, floorFirst];
    floorPerChunkUs.push(((floorLong - floorShort) / apart) * 1000);
    longPlainMs.push((await batch("llama-long", false)).ms);
  }
  const ours = summarise(perChunkUs);
  const floor = summarise(floorPerChunkUs);
  const base = summarise(shortMs).median - (chunks.short * ours.median) / 1000;
  const fitting = Math.floor(((FREE_PLAN_CPU_MS - base) * 1000) / ours.median);
  return {
    id: "proxy.workerd.stream.cpu_per_chunk",
    name: "Proxy in workerd, CPU per streamed chunk",
    unit: "µs",
    ours,
    reference: { label: "the JavaScript floor, per frame relayed", value: floor },
    // Per round, as every ratio here: load that drifts between rounds cancels out.
    ratio: summarise(perChunkUs.map((us, round) => us - floorPerChunkUs[round]!)).median,
    ratioLabel: "µs added",
    goal: `(information: a Worker's CPU time limit, ${FREE_PLAN_CPU_MS} ms on the Free plan)`,
    pass: null,
    note: `CPU per stream: ${summarise(shortMs).median.toFixed(2)} ms for ${chunks.short} SSE events, ${summarise(longMs).median.toFixed(1)} ms for ${chunks.long}; the same answer plain, ${summarise(longPlainMs).median.toFixed(2)} ms; about ${fitting} chunks fit ${FREE_PLAN_CPU_MS} ms at this machine's speed`,
  };
}
