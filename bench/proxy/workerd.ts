/// <reference types="node" />
// The proxies in one workerd (Miniflare), each Worker on its own loopback socket
// (unsafeDirectSockets: no Miniflare entry Worker in the path, as in production), the emulator
// as upstream: ours, bundled as wrangler bundles it; the floor, a bare pass-through Worker, and
// the same with every piece passed through JavaScript; the rungs between that and ours (our
// decoding alone, then the library alone); and Portkey's gateway re-bundled as a Worker. Log
// lines are kept out of the benchmark's output.
// Also ours as "gateway": the same bundle with routing across two deployments and a key with every
// limit (Durable Objects, a rate limiter), for what those add over the plain proxy.
import { Miniflare, type WorkerOptions } from "miniflare";
import { wranglerCompatibility } from "../../scripts/wrangler-compatibility.ts";
import { bundle, edgeOptions } from "../lib/build.ts";
import type { SourceMap } from "../lib/source-map.ts";
import { portkeyWorkerSource } from "./portkey.ts";
import { GATEWAY_CLOUDFLARE, gatewayBindings, portkeyBindings, proxyBindings } from "./proxy-settings.ts";

export type WorkerdProxyName = "ours" | "gateway" | "floor" | "floorJs" | "decode" | "library" | "portkey";

export interface WorkerdProxies {
  urls: Partial<Record<WorkerdProxyName, string>>;
  close(): Promise<void>;
}

/** `entry` bundled into one minified module, as wrangler bundles the Worker. */
export async function bundled(entry: string): Promise<string> {
  const built = await bundle({ ...edgeOptions("neutral"), entryPoints: [entry], outfile: "worker.js" });
  const [contents] = built.outputs.values();
  if (!contents) throw new Error(`${entry}: the bundle is empty`);
  return new TextDecoder().decode(contents);
}

/**
 * `entry` bundled as `bundled` does but unminified, where esbuild writes each module's path
 * before its code (the profile suite reads a sample's module from it), and its source map
 * (sources relative to the repository, no comment naming it in the code).
 */
export async function bundledWithSourceMap(entry: string): Promise<{ code: string; map: SourceMap }> {
  const built = await bundle({
    ...edgeOptions("neutral"),
    minify: false,
    sourcemap: "external",
    entryPoints: [entry],
    outfile: "worker.js",
  });
  const text = (suffix: string) => {
    const found = [...built.outputs].find(([path]) => path.endsWith(suffix));
    if (!found) throw new Error(`${entry}: no ${suffix} in the bundle's output`);
    return new TextDecoder().decode(found[1]);
  };
  return { code: text("worker.js"), map: JSON.parse(text("worker.js.map")) as SourceMap };
}

function worker(name: WorkerdProxyName, contents: string, rest: Partial<WorkerOptions>): WorkerOptions {
  return {
    name,
    modules: [{ type: "ESModule", path: `${name}.js`, contents }],
    unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
    ...rest,
  } as WorkerOptions;
}

/**
 * How a proxy runs in workerd: wrangler.toml's compatibility (Portkey's Worker needs
 * nodejs_compat instead) and its bindings, `upstream` the emulator's URL.
 */
export function runtimeOf(name: WorkerdProxyName, upstream: string): Partial<WorkerOptions> {
  const compatibility = wranglerCompatibility();
  switch (name) {
    case "ours":
    case "library":
      return { ...compatibility, bindings: proxyBindings(upstream) };
    case "gateway":
      return { ...compatibility, bindings: gatewayBindings(upstream), ...GATEWAY_CLOUDFLARE };
    case "floor":
    case "floorJs":
    case "decode":
      return { ...compatibility, bindings: { UPSTREAM: upstream } };
    case "portkey":
      return portkeyRuntime(upstream);
  }
}

/** How Portkey's Worker runs in workerd: wrangler.toml's date, nodejs_compat for its Node imports. */
export function portkeyRuntime(upstream: string): {
  compatibilityDate: string;
  compatibilityFlags: string[];
  bindings: Record<string, string>;
} {
  return {
    compatibilityDate: wranglerCompatibility().compatibilityDate,
    compatibilityFlags: ["nodejs_compat"],
    bindings: portkeyBindings(upstream),
  };
}

/** `withPortkey`: false when the emulator is not on a port Portkey can sign for (see children/emulator-server.ts). */
export async function startWorkerdProxies(emulatorUrl: string, withPortkey: boolean): Promise<WorkerdProxies> {
  const ours = await bundled("worker/index.ts");
  const workers: WorkerOptions[] = [
    worker("ours", ours, runtimeOf("ours", emulatorUrl)),
    worker("gateway", ours, runtimeOf("gateway", emulatorUrl)),
    worker("floor", await bundled("bench/proxy/floor-worker.ts"), runtimeOf("floor", emulatorUrl)),
    worker("floorJs", await bundled("bench/proxy/floor-js-worker.ts"), runtimeOf("floorJs", emulatorUrl)),
    worker("decode", await bundled("bench/proxy/decode-worker.ts"), runtimeOf("decode", emulatorUrl)),
    worker("library", await bundled("bench/proxy/library-worker.ts"), runtimeOf("library", emulatorUrl)),
  ];
  if (withPortkey) workers.push(worker("portkey", await portkeyWorkerSource(), runtimeOf("portkey", emulatorUrl)));
  const mf = new Miniflare({ structuredWorkerdLogs: true, handleStructuredLogs: () => undefined, workers });
  await mf.ready;
  const urls: WorkerdProxies["urls"] = {};
  for (const { name } of workers) {
    const proxy = name as WorkerdProxyName;
    urls[proxy] = (await mf.unsafeGetDirectURL(proxy)).origin;
  }
  return { urls, close: () => mf.dispose() };
}
