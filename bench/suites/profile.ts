/// <reference types="node" />
// Where a proxy's JavaScript time goes in workerd (issue 15, goal 2: per request and per chunk):
// V8's sampling profiler, through workerd's inspector, on ours, the library alone, the floor and
// Portkey's Worker. The first three are bundled unminified, so that a sample's line in the bundle
// names its module (esbuild's `// path` comments). After a warm-up, each Worker is profiled over
// plain requests one at a time, then over streams; samples are counted by module and by function
// (bench/lib/cpu-profile.ts). Opt-in (`--only=profile`): it takes about a minute, and its samples
// are shares to compare, not times (the inspector attached changes what some calls cost).
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { wranglerCompatibility } from "../../scripts/wrangler-compatibility.ts";
import { bundleForNode } from "../lib/build.ts";
import { type ConfigWorker, workerdConfig } from "../lib/callgrind.ts";
import { runChild } from "../lib/child.ts";
import { attributeProfile, bundleModules, type CpuProfile, type Locator, sourceLocator } from "../lib/cpu-profile.ts";
import type { Figure, SuiteResult } from "../lib/figure.ts";
import {
  busyPer,
  cpuPer,
  KINDS,
  type ProfiledWindow,
  type ProfiledWorker,
  type ProfileKind,
  renderProfile,
} from "../lib/profile-report.ts";
import { type ChildServer, freePort } from "../lib/server.ts";
import { exact } from "../lib/stats.ts";
import { cpuSince, threadCpuNs } from "../lib/thread-cpu.ts";
import { failure, listening, spawned, WORKERD, WORKERD_ARGS } from "../lib/workerd-process.ts";
import { directInvoke, PROMPT_TEXT, proxyRequest, runLoad } from "../proxy/load.ts";
import { portkeyRequest, portkeyWorkerSource } from "../proxy/portkey.ts";
import { proxyBindings } from "../proxy/proxy-settings.ts";
import { bundledWithSourceMap, portkeyRuntime } from "../proxy/workerd.ts";

export interface ProfileOptions {
  /** Plain requests and streams each Worker serves (4 at once) before any is profiled. */
  warmPlain: number;
  warmStreams: number;
  /** Plain requests, then streams, each Worker serves one at a time while profiled. */
  plain: number;
  streams: number;
}

/** V8's sampling interval, µs: its default is 1,000; at 100 a plain request of ours holds a few dozen. */
const INTERVAL_US = 100;
const WARM_CONCURRENCY = 4;
/** workerd's main thread, which serves requests (numbered as bench/lib/thread-cpu.ts numbers it). */
const SERVING_THREAD = 1;
/** Warm-up requests prepared (and signed) at once. */
const WARM_BATCH = 100;

type WorkerName = "floor" | "library" | "ours" | "portkey";

const LABELS: Record<WorkerName, string> = {
  floor: "the floor (bare pass-through)",
  library: "the library alone",
  ours: "our Worker",
  portkey: "Portkey",
};

interface Profiled {
  name: WorkerName;
  /** The bundle's module of each line (empty for Portkey's, minified: only its total is read). */
  lineModules: string[];
  /** A function's source file and line, from the bundle's source map (none for Portkey's). */
  locate: Locator | undefined;
  make(stream: boolean): Request | Promise<Request>;
}

export async function runProfile(
  runDirectory: string,
  emulator: ChildServer,
  portkeyMissing: string | undefined,
  options: ProfileOptions,
): Promise<SuiteResult> {
  const started = performance.now();
  const directory = join(runDirectory, "profile");
  await mkdir(directory);
  const upstream = emulator.url;
  const compatibility = wranglerCompatibility();
  const ownBundles = {
    floor: await bundledWithSourceMap("bench/proxy/floor-worker.ts"),
    library: await bundledWithSourceMap("bench/proxy/library-worker.ts"),
    ours: await bundledWithSourceMap("worker/index.ts"),
  };
  const sources: Array<[WorkerName, string, Omit<ConfigWorker, "name" | "module">]> = [
    ["floor", ownBundles.floor.code, { ...compatibility, bindings: { UPSTREAM: upstream } }],
    ["library", ownBundles.library.code, { ...compatibility, bindings: proxyBindings(upstream) }],
    ["ours", ownBundles.ours.code, { ...compatibility, bindings: proxyBindings(upstream) }],
  ];
  if (!portkeyMissing) sources.push(["portkey", await portkeyWorkerSource(), portkeyRuntime(upstream)]);
  const workers: ConfigWorker[] = [];
  for (const [name, source] of sources) await writeFile(join(directory, `${name}.js`), source);
  for (const [name, , runtime] of sources) workers.push({ name, module: `${name}.js`, ...runtime });
  const configFile = join(directory, "profile.capnp");
  await writeFile(configFile, workerdConfig(workers, []));
  const child = await bundleForNode("bench/children/profile.ts", join(directory, "profile.mjs"));
  // Node 20 has a global WebSocket only under this flag; later versions have it without.
  const childFlags = typeof WebSocket === "undefined" ? ["--experimental-websocket"] : [];

  // The serving thread's CPU time around each profile, where /proc has it (Linux).
  const onLinux = existsSync("/proc/self/task");
  const inspectorPort = await freePort();
  const served = spawned(
    WORKERD,
    [...WORKERD_ARGS(configFile), `--inspector-addr=127.0.0.1:${inspectorPort}`],
    directory,
    "ignore",
  );
  const profiled: Array<Profiled & { url: string }> = [];
  const results = new Map<WorkerName, Partial<ProfiledWorker>>();
  try {
    const ports = await listening(served.child, workers.length, "workerd", served.stderr);
    const pid = served.child.pid!;
    for (const [name, source] of sources) {
      const url = `http://127.0.0.1:${ports.get(name)}`;
      const make = (stream: boolean): Request | Promise<Request> =>
        name === "floor"
          ? directInvoke(upstream, stream, "llama", url)
          : name === "portkey"
            ? portkeyRequest(url, upstream, stream, PROMPT_TEXT)
            : proxyRequest(url, stream);
      const locate = name === "portkey" ? undefined : sourceLocator(ownBundles[name].map);
      profiled.push({ name, url, make, lineModules: name === "portkey" ? [] : bundleModules(source), locate });
    }
    for (const worker of profiled) {
      for (const [count, stream] of [
        [options.warmPlain, false],
        [options.warmStreams, true],
      ] as const) {
        for (let done = 0; done < count; done += WARM_BATCH) {
          const batch: Request[] = [];
          for (let i = 0; i < Math.min(WARM_BATCH, count - done); i++) batch.push(await worker.make(stream));
          await runLoad(batch, WARM_CONCURRENCY);
        }
      }
    }
    const warmed = (performance.now() - started) / 1000;
    console.log(`  profile: workerd warmed up (${warmed.toFixed(0)} s since the suite started)`);
    for (const kind of KINDS) {
      const count = kind === "plain" ? options.plain : options.streams;
      for (const worker of profiled) {
        const out = join(directory, `${worker.name}-${kind}.cpuprofile`);
        const before = onLinux ? threadCpuNs(pid) : undefined;
        await runChild(
          child,
          [
            `ws://127.0.0.1:${inspectorPort}/${worker.name}`,
            worker.name,
            worker.url,
            upstream,
            `count=${count}`,
            `stream=${kind === "stream" ? 1 : 0}`,
            `interval=${INTERVAL_US}`,
            `out=${out}`,
          ],
          childFlags,
        );
        const cpuNs = before ? cpuSince(before, threadCpuNs(pid), pid).get(SERVING_THREAD)! : undefined;
        const profile = JSON.parse(await readFile(out, "utf8")) as CpuProfile;
        const attribution = attributeProfile(profile, `${worker.name}.js`, worker.lineModules, worker.locate);
        results.set(worker.name, {
          ...results.get(worker.name),
          [kind]: { attribution, requests: count, ...(cpuNs === undefined ? {} : { cpuMs: cpuNs / 1e6 }) },
        });
      }
    }
  } catch (error) {
    // A failed fetch says nothing of why: workerd's own last words do.
    throw new Error(`${failure(error)}; ${served.state()}`);
  } finally {
    await served.stop();
  }

  const rows: ProfiledWorker[] = profiled.map(({ name }) => {
    const { plain, stream } = results.get(name)!;
    return { name, label: LABELS[name], plain: plain!, stream: stream! };
  });
  const portkey = rows.find((row) => row.name === "portkey");
  // Samples, and the serving thread's CPU time where /proc has it: ours against Portkey's in both.
  const figures: Figure[] = rows.flatMap((row) =>
    KINDS.flatMap((kind: ProfileKind): Figure[] => {
      const what = `${kind === "plain" ? "plain request" : "stream"} in workerd, ${row.label}`;
      const { attribution, requests } = row[kind];
      const against = (per: (window: ProfiledWindow) => number | undefined) => {
        const value = per(row[kind]);
        const compared = row.name === "ours" && portkey ? per(portkey[kind]) : undefined;
        if (value === undefined || compared === undefined) return {};
        return {
          reference: { label: "Portkey", value: exact(compared) },
          ratio: value / compared,
          ratioLabel: "× Portkey's",
        };
      };
      const cpu = cpuPer(row[kind]);
      return [
        {
          id: `profile.${kind}.${row.name}`,
          name: `V8 samples per ${what}`,
          unit: "samples",
          ours: exact(busyPer(row[kind])),
          ...against(busyPer),
          goal: "(information)",
          pass: null,
          note: `${attribution.busy} samples (idle left out) over ${requests} ${kind === "plain" ? "requests" : "streams"}; V8's profiler, asked for one every ${INTERVAL_US} µs`,
        },
        ...(cpu === undefined
          ? []
          : [
              {
                id: `profile.${kind}.${row.name}.cpu`,
                name: `CPU ms per ${what}, profiled`,
                unit: "ms" as const,
                ours: exact(cpu),
                ...against(cpuPer),
                goal: "(information)",
                pass: null,
                note: "the serving thread's CPU time over the profiled window (/proc), the profiler's own cost included",
              },
            ]),
      ];
    }),
  );
  const details = [
    ...renderProfile(rows, {
      intervalUs: INTERVAL_US,
      ours: "ours",
      portkey: "portkey",
      moduleRows: 20,
      functionRows: 8,
    }),
    `workerd (${WORKERD}) run directly with --inspector-addr, V8's profiler at ${INTERVAL_US} µs. Warm-up ${options.warmPlain} plain requests and ${options.warmStreams} streams per Worker (${WARM_CONCURRENCY} in flight); then each Worker profiled over ${options.plain} plain requests, then ${options.streams} streams, one in flight.${portkeyMissing ? ` Portkey not measured: ${portkeyMissing}.` : ""}`,
  ];
  return { suite: "profile", figures, details, seconds: (performance.now() - started) / 1000 };
}
