/// <reference types="node" />
// Worker start: what a Worker's code costs each time workerd starts an isolate for it, which is
// what the Worker's size stands for. One Miniflare runs COPIES isolates of the same Worker and
// is timed until ready; the bare pass-through Worker is timed the same way in the same round,
// and ((Worker) − (bare)) / COPIES is one isolate's start beyond workerd's own work. Ours is
// worker/index.ts as wrangler bundles it; Portkey's is its gateway re-bundled as a Worker (the
// proxy suite's). Rounds rotate the order; a first round warms the disk cache and is dropped.
import type { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { Miniflare, type WorkerOptions } from "miniflare";
import type { Figure, SuiteResult } from "../lib/figure.ts";
import { pairedRatios, summarise } from "../lib/stats.ts";
import { portkeyWorkerSource } from "../proxy/portkey.ts";
import { bundled, runtimeOf } from "../proxy/workerd.ts";

const COPIES = 8;
// Never called: starting an isolate reads no binding, but the Workers expect theirs.
const UPSTREAM = "http://127.0.0.1:9";

type Variant = "floor" | "ours" | "portkey";

export async function runWorkerStart(rounds: number): Promise<SuiteResult> {
  const started = performance.now();
  const sources: Record<Variant, string> = {
    floor: await bundled("bench/proxy/floor-worker.ts"),
    ours: await bundled("worker/index.ts"),
    portkey: await portkeyWorkerSource(),
  };
  const variants: Variant[] = ["floor", "ours", "portkey"];
  // Made before any timing: the COPIES isolates of each Worker.
  const copies = Object.fromEntries(
    variants.map((variant) => {
      const runtime = runtimeOf(variant, UPSTREAM);
      const modules = [{ type: "ESModule", path: `${variant}.js`, contents: sources[variant] }];
      return [
        variant,
        Array.from(
          { length: COPIES },
          (_, copy) => ({ name: `${variant}${copy}`, modules, ...runtime }) as WorkerOptions,
        ),
      ];
    }),
  ) as Record<Variant, WorkerOptions[]>;
  const perIsolate: Record<Exclude<Variant, "floor">, number[]> = { ours: [], portkey: [] };
  for (let round = -1; round < rounds; round++) {
    const readyMs = {} as Record<Variant, number>;
    for (let i = 0; i < variants.length; i++) {
      const variant = variants[(i + Math.max(round, 0)) % variants.length]!;
      const t = performance.now();
      const mf = new Miniflare({
        handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
          stdout.resume();
          stderr.resume();
        },
        workers: copies[variant],
      });
      await mf.ready;
      readyMs[variant] = performance.now() - t;
      await mf.dispose();
    }
    if (round < 0) continue;
    perIsolate.ours.push((readyMs.ours - readyMs.floor) / COPIES);
    perIsolate.portkey.push((readyMs.portkey - readyMs.floor) / COPIES);
  }
  const gzipKiB = (source: string) => (gzipSync(source).byteLength / 1024).toFixed(1);
  const ratios = pairedRatios(perIsolate.ours, perIsolate.portkey);
  const figures: Figure[] = [
    {
      id: "worker_start.vs_portkey",
      name: "Worker start in workerd, per isolate, beyond the bare Worker",
      unit: "ms",
      ours: summarise(perIsolate.ours),
      reference: { label: "Portkey", value: summarise(perIsolate.portkey) },
      ratio: summarise(ratios).median,
      ratioRuns: ratios,
      ratioLabel: "×",
      goal: "(information: what the Worker's size costs)",
      pass: null,
      note: `one workerd with ${COPIES} isolates of each Worker, timed to ready against the bare Worker's in the same round; one module each: ours ${gzipKiB(sources.ours)} KiB gzip, Portkey's ${gzipKiB(sources.portkey)} (under nodejs_compat, which it needs)`,
      peer: { row: "Worker start in workerd, ms per isolate beyond the bare Worker", peer: "portkey" },
    },
  ];
  return { suite: "worker start", figures, details: [], seconds: (performance.now() - started) / 1000 };
}
