/// <reference types="node" />
// Figure 1, size: the library and the Worker bundled as a Worker build bundles them, gzipped,
// against the AWS SDK's Bedrock Runtime client bundled the same way in the same run.
import { gzipSync } from "node:zlib";
import type { Plugin } from "esbuild";
import { bundle, edgeOptions, type Bundle } from "../lib/build.ts";
import type { Figure, SuiteResult } from "../lib/figure.ts";
import { exact } from "../lib/stats.ts";

const KIB = 1024;
const LIBRARY_GOAL_KIB = 16;
const WORKER_GOAL_KIB = 30;

interface Sized {
  /** Minified bytes. */
  bytes: number;
  gzip: number;
}

function sizeOf(contents: Uint8Array): Sized {
  return { bytes: contents.byteLength, gzip: gzipSync(contents).byteLength };
}

function total(sizes: Sized[]): Sized {
  return sizes.reduce((a, b) => ({ bytes: a.bytes + b.bytes, gzip: a.gzip + b.gzip }), { bytes: 0, gzip: 0 });
}

/**
 * What a caller of a split build loads first (the entry chunk and the chunks it imports
 * statically; lazily imported ones aside), and every chunk together.
 */
function entryAndTotal(built: Bundle): { entry: Sized; all: Sized; entryPath: string } {
  const outputs = Object.entries(built.metafile.outputs).filter(([path]) => path.endsWith(".js"));
  const entryPath = outputs.find(([, output]) => output.entryPoint !== undefined)?.[0];
  if (!entryPath) throw new Error("size: no entry chunk in the build");
  const eager = new Set<string>();
  const pending = [entryPath];
  while (pending.length) {
    const path = pending.pop()!;
    if (eager.has(path)) continue;
    eager.add(path);
    for (const imported of built.metafile.outputs[path]?.imports ?? []) {
      if (imported.kind === "import-statement") pending.push(imported.path);
    }
  }
  const sizes = new Map<string, Sized>();
  for (const [path, contents] of built.outputs) sizes.set(path, sizeOf(contents));
  const names = new Set([...eager].map((path) => path.replace(/^.*\//, "")));
  const loaded = [...sizes].filter(([path]) => names.has(path.replace(/^.*\//, "")));
  if (!loaded.length) throw new Error(`size: no output file for ${entryPath}`);
  return { entry: total(loaded.map(([, size]) => size)), all: total([...sizes.values()]), entryPath };
}

function single(built: Bundle): Sized {
  const [contents] = built.outputs.values();
  if (!contents) throw new Error("size: empty build");
  return sizeOf(contents);
}

/** Minified bytes per package (or per source folder) in one output, largest first. */
function contributors(built: Bundle, outputPath?: string, byFolder = false): Array<{ name: string; bytes: number }> {
  const outputs = Object.entries(built.metafile.outputs);
  const output = (
    outputPath ? outputs.find(([path]) => path === outputPath) : outputs.find(([, o]) => o.entryPoint)
  )?.[1];
  if (!output) return [];
  const byName = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1];
    const name = pkg ?? (byFolder ? input.replace(/\/[^/]+$/, "/") : input);
    byName.set(name, (byName.get(name) ?? 0) + bytesInOutput);
  }
  return [...byName].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

const kib = (bytes: number) => bytes / KIB;

function contributorLines(
  title: string,
  built: Bundle,
  gzipBytes: number,
  top: number,
  outputPath?: string,
  byFolder = false,
): string[] {
  const list = contributors(built, outputPath, byFolder);
  const minified = list.reduce((n, c) => n + c.bytes, 0);
  const lines = [`${title} (minified bytes; gzip share estimated pro rata of ${kib(gzipBytes).toFixed(1)} KiB):`];
  for (const { name, bytes } of list.slice(0, top)) {
    const share = bytes / minified;
    lines.push(
      `  ${name.padEnd(48)} ${String(bytes).padStart(7)} B  ${(share * 100).toFixed(1).padStart(5)}%  ~${kib(share * gzipBytes).toFixed(1)} KiB gz`,
    );
  }
  return lines;
}

/** Replaces one package by an empty CommonJS module (named imports stay legal): what is left without it. */
function withoutPackage(name: string): Plugin {
  return {
    name: `without-${name}`,
    setup(build) {
      const filter = new RegExp(`^${name.replace(/[/\\^$.*+?()[\]{}|-]/g, "\\$&")}(/|$)`);
      build.onResolve({ filter }, (args) => ({ path: args.path, namespace: "removed" }));
      build.onLoad({ filter: /.*/, namespace: "removed" }, () => ({ contents: "module.exports = {};", loader: "js" }));
    },
  };
}

/** Exact gzip bytes of the library's main chunk that each package costs (main chunk rebuilt without it). */
async function packageCosts(packages: readonly string[], mainGzip: number, workDirectory: string): Promise<string[]> {
  const lines = [
    "Exact gzip cost of each package in the main chunk (rebuilt with the package emptied, its callers kept):",
  ];
  for (const name of packages) {
    const built = await bundle({
      ...edgeOptions("neutral"),
      entryPoints: ["src/index.ts"],
      splitting: true,
      outdir: `${workDirectory}/without`,
      plugins: [withoutPackage(name)],
    });
    const saved = mainGzip - entryAndTotal(built).entry.gzip;
    lines.push(`  ${name.padEnd(48)} ${(saved / KIB).toFixed(2)} KiB gz`);
  }
  return lines;
}

export async function runSize(workDirectory: string): Promise<SuiteResult> {
  const started = performance.now();
  const neutral = edgeOptions("neutral");
  const [library, librarySplit, worker, sdk] = await Promise.all([
    bundle({ ...neutral, entryPoints: ["src/index.ts"], outfile: `${workDirectory}/library.js` }),
    bundle({ ...neutral, entryPoints: ["src/index.ts"], splitting: true, outdir: `${workDirectory}/library-split` }),
    bundle({ ...neutral, entryPoints: ["worker/index.ts"], outfile: `${workDirectory}/worker.js` }),
    // The SDK resolves its browser runtime config only through package.json's `browser` map,
    // which esbuild applies on the browser platform; on `neutral` it pulls in node:* modules.
    bundle({
      ...edgeOptions("browser"),
      entryPoints: ["bench/entries/sdk-client.ts"],
      outfile: `${workDirectory}/sdk.js`,
    }),
  ]);
  const libraryOne = single(library);
  const split = entryAndTotal(librarySplit);
  const workerOne = single(worker);
  const sdkOne = single(sdk);
  const sdkSummary = exact(kib(sdkOne.gzip));
  const reference = { label: "AWS SDK client", value: sdkSummary };

  const mainRatio = split.entry.gzip / sdkOne.gzip;
  const figures: Figure[] = [
    {
      id: "size.library.main",
      name: "Library, main chunk (gzip)",
      unit: "KiB",
      ours: exact(kib(split.entry.gzip)),
      reference,
      ratio: mainRatio,
      ratioLabel: "of SDK",
      goal: `≤ ${LIBRARY_GOAL_KIB} KiB and ≤ 0.25 of SDK`,
      pass: kib(split.entry.gzip) <= LIBRARY_GOAL_KIB && mainRatio <= 0.25,
      note: "--splitting: the lazily imported Jinja engine is a separate chunk",
    },
    {
      id: "size.library.total",
      name: "Library, all chunks (gzip)",
      unit: "KiB",
      ours: exact(kib(split.all.gzip)),
      reference,
      ratio: split.all.gzip / sdkOne.gzip,
      ratioLabel: "of SDK",
      goal: "(information)",
      pass: null,
      note: `single file without --splitting: ${kib(libraryOne.gzip).toFixed(1)} KiB`,
    },
    {
      id: "size.worker",
      name: "Worker, one file (gzip)",
      unit: "KiB",
      ours: exact(kib(workerOne.gzip)),
      reference,
      ratio: workerOne.gzip / sdkOne.gzip,
      ratioLabel: "of SDK",
      goal: `≤ ${WORKER_GOAL_KIB} KiB`,
      pass: kib(workerOne.gzip) <= WORKER_GOAL_KIB,
      note: "what wrangler uploads: the Jinja chunk is inlined",
    },
  ];
  const packages = contributors(librarySplit, split.entryPath)
    // Packages only (src/ files are ours to trim), and only those with code of their own.
    .filter(({ name, bytes }) => !name.startsWith("src/") && bytes >= 512)
    .slice(0, 4)
    .map(({ name }) => name);
  const details = [
    `Bundles: esbuild --bundle --minify --format=esm --platform=neutral --conditions=workerd,worker,browser --main-fields=browser,module,main; gzip level 6. SDK entry: bench/entries/sdk-client.ts on --platform=browser (its package.json browser map; minified ${kib(sdkOne.bytes).toFixed(1)} KiB).`,
    ...contributorLines(`Library main chunk, top contributors`, librarySplit, split.entry.gzip, 14, split.entryPath),
    ...(await packageCosts(packages, split.entry.gzip, workDirectory)),
    ...contributorLines(`Worker, top contributors (by package or folder)`, worker, workerOne.gzip, 8, undefined, true),
  ];
  return { suite: "size", figures, details, seconds: (performance.now() - started) / 1000 };
}
