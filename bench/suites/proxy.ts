/// <reference types="node" />
// Figure 4, proxy overhead: latency added by the Worker in workerd over calling the emulator
// directly, at 1 and 50 requests in flight, plain and streamed; and proof that stream chunks are
// forwarded as they arrive (slow frames: a buffering proxy would hold the first one back). At 1
// in flight, the same rounds also time the gateway (a model of two deployments, a key with every
// limit): what routing and the limit checks add over the plain proxy.
import type { Figure, SuiteResult } from "../lib/figure.ts";
import { childCpuMs } from "../lib/process-cpu.ts";
import { percentile, summarise, type Summary } from "../lib/stats.ts";
import { firstTextArrival, prepare, runLoad, type Path, type Timing } from "../proxy/load.ts";
import { startWorkerdProxy } from "../proxy/workerd.ts";

const MAX_ADDED_MS = 1;
// The emulator's slow50 model sends a frame every 50 ms; half of that is "not held back".
const SLOW_FRAME_MS = 50;

export interface ProxyOptions {
  rounds: number;
  /** Requests per round at concurrency 1. */
  sequential: number;
  /** Requests per round at concurrency 50. */
  concurrent: number;
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

type Scenario = { concurrency: number; stream: boolean };
const SCENARIOS: Scenario[] = [
  { concurrency: 1, stream: false },
  { concurrency: 1, stream: true },
  { concurrency: 50, stream: false },
  { concurrency: 50, stream: true },
];

async function prepareMany(path: Path, base: string, count: number, stream: boolean): Promise<Request[]> {
  const requests: Request[] = [];
  for (let i = 0; i < count; i++) requests.push(await prepare(path, base, stream));
  return requests;
}

export async function runProxy(emulatorUrl: string, options: ProxyOptions): Promise<SuiteResult> {
  const started = performance.now();
  const proxy = await startWorkerdProxy(emulatorUrl);
  const bases: Record<Path, string> = { direct: emulatorUrl, proxy: proxy.url, gateway: proxy.gatewayUrl };
  const figures: Figure[] = [];
  const cpuLines: string[] = [];
  try {
    // Warm-up: JIT on both sides, connection pools, the Worker's first-request setup.
    for (const path of ["direct", "proxy", "gateway"] as const) {
      for (const stream of [false, true]) {
        await runLoad(await prepareMany(path, bases[path], 40, stream), 1);
        await runLoad(await prepareMany(path, bases[path], 100, stream), 50);
      }
    }

    for (const scenario of SCENARIOS) {
      const count = scenario.concurrency === 1 ? options.sequential : options.concurrent;
      const rounds: Record<Path, RoundStats[]> = { direct: [], proxy: [], gateway: [] };
      const cpu = { workerd: [] as number[], emulator: [] as number[] };
      // The gateway at 1 in flight only: its figure is latency added per request, not throughput.
      const paths: Path[] = scenario.concurrency === 1 ? ["direct", "proxy", "gateway"] : ["direct", "proxy"];
      for (let round = 0; round < options.rounds; round++) {
        // Each path first in turn, so that drifting load falls on all of them alike.
        const order = paths.map((_, i) => paths[(i + round) % paths.length]!);
        for (const path of order) {
          const requests = await prepareMany(path, bases[path], count, scenario.stream);
          const before = { workerd: childCpuMs("workerd"), emulator: childCpuMs("node") };
          rounds[path].push(stats(await runLoad(requests, scenario.concurrency)));
          const workerd = childCpuMs("workerd");
          const emulator = childCpuMs("node");
          if (path === "proxy" && workerd !== undefined && before.workerd !== undefined)
            cpu.workerd.push((workerd - before.workerd) / count);
          if (path === "direct" && emulator !== undefined && before.emulator !== undefined)
            cpu.emulator.push((emulator - before.emulator) / count);
        }
      }
      figures.push(...scenarioFigures(scenario, rounds, count));
      if (rounds.gateway.length) figures.push(...gatewayFigures(scenario, rounds, count));
      if (cpu.workerd.length && cpu.emulator.length) {
        cpuLines.push(
          `  ${scenario.stream ? "stream" : "plain "}, ${String(scenario.concurrency).padStart(2)} in flight: workerd ${summarise(cpu.workerd).median.toFixed(2)} ms CPU per proxied request; emulator ${summarise(cpu.emulator).median.toFixed(2)} ms per request`,
        );
      }
    }

    figures.push(await bufferingFigure(bases));
  } finally {
    await proxy.close();
  }
  const details = [
    "Proxy: worker/index.ts bundled with esbuild, in workerd via Miniflare (direct socket, wrangler.toml compatibility); upstream: the emulator in its own Node process. Client: Node's fetch over loopback. Direct requests are signed before the clock starts, so the proxy's own signing counts as overhead.",
    "Gateway: the same bundle as a second Worker in the same workerd, its model two deployments (failover; the first, the plain proxy's model, serves) and its key every limit (a Rate Limiting binding, tokens per day, concurrent streams): per request a cool-down read from the DeploymentCooldowns Durable Object, the rate check, an admission and (after the answer) a settlement in the KeyLimits Durable Object. Usage records and traces are off: they are written after the answer.",
    ...(cpuLines.length
      ? [
          "CPU per request (/proc; workerd serves every proxied request on one thread, so 50 in flight queue behind it):",
          ...cpuLines,
        ]
      : []),
  ];
  return { suite: "proxy", figures, details, seconds: (performance.now() - started) / 1000 };
}

function scenarioFigures(scenario: Scenario, rounds: Record<Path, RoundStats[]>, count: number): Figure[] {
  const kind = scenario.stream ? "stream" : "plain";
  const prefix = `proxy.${kind}.c${scenario.concurrency}`;
  const label = `Proxy ${kind}, ${scenario.concurrency} in flight`;
  const added = (key: keyof RoundStats): Summary =>
    summarise(rounds.proxy.map((r, i) => r[key] - rounds.direct[i]![key]));
  const row = (key: keyof RoundStats, what: string, goal: boolean): Figure => {
    const extra = added(key);
    return {
      id: `${prefix}.${key}`,
      name: `${label}: ${what}`,
      unit: "ms",
      ours: summarise(rounds.proxy.map((r) => r[key])),
      reference: { label: "emulator direct", value: summarise(rounds.direct.map((r) => r[key])) },
      ratio: extra.median,
      ratioLabel: "ms added",
      goal: goal ? `added ≤ ${MAX_ADDED_MS} ms` : "(information)",
      pass: goal ? extra.median <= MAX_ADDED_MS : null,
      note: `${count} requests per round; added per round ${extra.min.toFixed(2)}–${extra.max.toFixed(2)} ms`,
    };
  };
  const figures = [row("p50", "p50 latency", true), row("p99", "p99 latency", false)];
  if (scenario.stream) figures.push(row("ttfb50", "p50 time to first byte", true));
  return figures;
}

/** Routing and the limit checks: the gateway against the plain proxy, round by round. */
function gatewayFigures(scenario: Scenario, rounds: Record<Path, RoundStats[]>, count: number): Figure[] {
  const kind = scenario.stream ? "stream" : "plain";
  const row = (key: keyof RoundStats, what: string): Figure => {
    const extra = summarise(rounds.gateway.map((r, i) => r[key] - rounds.proxy[i]![key]));
    return {
      id: `gateway.${kind}.c1.${key}`,
      name: `Gateway ${kind} (routing, limits), 1 in flight: ${what}`,
      unit: "ms",
      ours: summarise(rounds.gateway.map((r) => r[key])),
      reference: { label: "plain proxy", value: summarise(rounds.proxy.map((r) => r[key])) },
      ratio: extra.median,
      ratioLabel: "ms added",
      goal: "(information)",
      pass: null,
      note: `${count} requests per round; added per round ${extra.min.toFixed(2)}–${extra.max.toFixed(2)} ms`,
    };
  };
  return scenario.stream
    ? [row("p50", "p50 latency"), row("ttfb50", "p50 time to first byte")]
    : [row("p50", "p50 latency")];
}

async function bufferingFigure(bases: Record<Path, string>): Promise<Figure> {
  const samples: Record<"direct" | "proxy", { firstMs: number; totalMs: number }[]> = { direct: [], proxy: [] };
  for (let i = 0; i < 3; i++) {
    for (const path of ["direct", "proxy"] as const) {
      samples[path].push(await firstTextArrival(path, await prepare(path, bases[path], true, "llama-slow")));
    }
  }
  const first = (path: "direct" | "proxy") => summarise(samples[path].map((s) => s.firstMs));
  const total = summarise(samples.proxy.map((s) => s.totalMs));
  const lag = first("proxy").median - first("direct").median;
  return {
    id: "proxy.stream.first_text_slow_frames",
    name: `Proxy stream: first text, frames ${SLOW_FRAME_MS} ms apart`,
    unit: "ms",
    ours: first("proxy"),
    reference: { label: "emulator direct", value: first("direct") },
    ratio: lag,
    ratioLabel: "ms added",
    goal: `added < ${SLOW_FRAME_MS / 2} ms (unbuffered)`,
    pass: lag < SLOW_FRAME_MS / 2 && first("proxy").median < total.median / 2,
    note: `whole stream through the proxy: ${total.median.toFixed(0)} ms; a buffering proxy would deliver the first text then`,
  };
}
