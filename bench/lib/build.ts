/// <reference types="node" />
// esbuild helpers. Sizes are measured on bundles made the way a Worker build makes them; the
// runnable benchmarks (children) are bundled for Node so no TypeScript loader sits in the
// measured process and module resolution costs the same for us and for the AWS SDK.
import { build, type BuildOptions, type Metafile } from "esbuild";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)), "..");

/** A fresh directory for this run's bundles (outside the repository). */
export function workDir(name: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `bedrock-edge-bench-${name}-`));
}

/**
 * The edge build: minified ESM with the workerd/worker/browser conditions, as wrangler bundles.
 * `neutral` is the platform of a Worker; `mainFields` must then be named (wrangler's order).
 */
export function edgeOptions(platform: "neutral" | "browser"): BuildOptions {
  return {
    bundle: true,
    minify: true,
    format: "esm",
    platform,
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["browser", "module", "main"],
    target: "es2022",
    legalComments: "none",
    logLevel: "silent",
  };
}

export interface Bundle {
  /** Output path -> bytes. */
  outputs: Map<string, Uint8Array>;
  metafile: Metafile;
}

export async function bundle(options: BuildOptions): Promise<Bundle> {
  const result = await build({ ...options, write: false, metafile: true, absWorkingDir: ROOT });
  const outputs = new Map<string, Uint8Array>();
  for (const file of result.outputFiles ?? []) outputs.set(file.path, file.contents);
  return { outputs, metafile: result.metafile ?? { inputs: {}, outputs: {} } };
}

/** Bundles a benchmark child (TypeScript) into one runnable Node ESM file. */
export async function bundleForNode(entry: string, outfile: string, extra: BuildOptions = {}): Promise<string> {
  await build({
    entryPoints: [resolve(ROOT, entry)],
    outfile,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    // ESM entry points (dist-es) where a package has them, as for the edge build.
    mainFields: ["module", "main"],
    // Some CommonJS dependencies require() Node built-ins: give the ESM bundle a require.
    banner: {
      js: 'import { createRequire as __benchRequire } from "node:module"; const require = __benchRequire(import.meta.url);',
    },
    logLevel: "silent",
    absWorkingDir: ROOT,
    ...extra,
  });
  return outfile;
}
