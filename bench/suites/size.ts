/// <reference types="node" />
// Size: the library bundled as a browser or Worker build bundles it, the Worker as `wrangler
// deploy` uploads it, and the AWS SDK's and the AI SDK's Bedrock clients bundled like the
// library in the same run; then where the bytes come from, module by module (esbuild metafiles),
// and how much of the Worker is prose.
import { mkdirSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import type { Metafile, Plugin } from "esbuild";
import { bundle, type Bundle, bundleForNode, edgeOptions } from "../lib/build.ts";
import { runChild } from "../lib/child.ts";
import type { Figure, SuiteResult } from "../lib/figure.ts";
import { type Prose, proseOf } from "../lib/prose.ts";
import { exact } from "../lib/stats.ts";
import { wranglerUpload } from "../lib/wrangler.ts";

const KIB = 1024;
const LIBRARY_GOAL_KIB = 16;
const WORKER_GOAL_KIB = 40;

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

const baseName = (path: string) => path.replace(/^.*\//, "");

/** The output file of a module that is an entry point of its own (the entry, or a lazily imported module). */
function chunkOf(outputs: Metafile["outputs"], module: string): string {
  const found = Object.keys(outputs).find((path) => outputs[path]!.entryPoint === module);
  if (!found) throw new Error(`size: no chunk for ${module}`);
  return found;
}

/**
 * What a caller of a split build loads first: the entry chunk and the chunks it imports
 * statically (lazily imported ones aside); and every chunk together.
 */
function entryAndTotal(built: Bundle): { entry: Sized; all: Sized; eager: string[] } {
  const outputs = built.metafile.outputs;
  // The chunk of src/index.ts itself: lazily imported modules are entry points of their own chunks.
  const entryPath = chunkOf(outputs, "src/index.ts");
  const eager = new Set<string>();
  const pending = [entryPath];
  while (pending.length) {
    const path = pending.pop()!;
    if (eager.has(path)) continue;
    eager.add(path);
    for (const imported of outputs[path]?.imports ?? []) {
      if (imported.kind === "import-statement" && !imported.external) pending.push(imported.path);
    }
  }
  const sizes = [...built.outputs].map(([path, contents]) => ({ path, size: sizeOf(contents) }));
  const names = new Set([...eager].map(baseName));
  const loaded = sizes.filter(({ path }) => names.has(baseName(path)));
  if (!loaded.length) throw new Error(`size: no output file for ${entryPath}`);
  return { entry: total(loaded.map((s) => s.size)), all: total(sizes.map((s) => s.size)), eager: [...eager] };
}

interface FirstCall {
  size: Sized;
  /** The lazily imported modules it loaded. */
  lazy: string[];
}

/**
 * What a first call of the library loads, measured: the split build is written once with a line
 * atop each chunk that records the chunk's name when it is evaluated, and a fresh child process
 * per call imports the entry and makes one llama call, plain or streamed, against an in-process
 * emulator (children/first-call-chunks.ts).
 */
async function firstCalls(built: Bundle, workDirectory: string): Promise<Record<"plain" | "stream", FirstCall>> {
  const folder = `${workDirectory}/first-call`;
  mkdirSync(folder, { recursive: true });
  for (const [path, contents] of built.outputs) {
    const record = `globalThis.__benchChunks?.push(${JSON.stringify(baseName(path))});\n`;
    writeFileSync(`${folder}/${baseName(path)}`, record + new TextDecoder().decode(contents));
  }
  const outputs = built.metafile.outputs;
  const entry = baseName(chunkOf(outputs, "src/index.ts"));
  const child = await bundleForNode("bench/children/first-call-chunks.ts", `${workDirectory}/first-call-chunks.mjs`);
  const measure = async (mode: "plain" | "stream"): Promise<FirstCall> => {
    const { result } = await runChild(child, [`${folder}/${entry}`, mode]);
    const names = new Set((result as { chunks: string[] }).chunks);
    if (!names.has(entry)) throw new Error("size: the first call's child did not load the entry chunk");
    const lazy = Object.keys(outputs)
      .filter(
        (path) =>
          names.has(baseName(path)) && outputs[path]!.entryPoint && outputs[path]!.entryPoint !== "src/index.ts",
      )
      .map((path) => outputs[path]!.entryPoint!)
      .sort();
    const size = total(
      [...built.outputs].filter(([path]) => names.has(baseName(path))).map(([, bytes]) => sizeOf(bytes)),
    );
    return { size, lazy };
  };
  return { plain: await measure("plain"), stream: await measure("stream") };
}

function single(built: Bundle): Sized {
  const [contents] = built.outputs.values();
  if (!contents) throw new Error("size: empty build");
  return sizeOf(contents);
}

/** A module's name in a breakdown: its package, or its path in this repository. */
function moduleName(input: string): string {
  return /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? input;
}

/** Minified bytes per module (package or own file) in the given outputs, largest first. */
function modules(metafile: Metafile, outputPaths: readonly string[]): Array<{ name: string; bytes: number }> {
  const byName = new Map<string, number>();
  for (const path of outputPaths) {
    for (const [input, { bytesInOutput }] of Object.entries(metafile.outputs[path]?.inputs ?? {})) {
      const name = moduleName(input);
      byName.set(name, (byName.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...byName].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

const kib = (bytes: number) => bytes / KIB;

/**
 * The per-module table: minified bytes and a gzip share estimated pro rata (gzip works across
 * module boundaries, so no exact per-module gzip exists; the package costs below are exact).
 */
function breakdown(
  title: string,
  list: Array<{ name: string; bytes: number }>,
  gzipBytes: number,
  top: number,
): string[] {
  const minified = list.reduce((n, c) => n + c.bytes, 0);
  const lines = [`${title}: ${list.length} modules, ${minified} B minified, ${kib(gzipBytes).toFixed(1)} KiB gzip`];
  const row = (name: string, bytes: number) => {
    const share = bytes / minified;
    return `  ${name.padEnd(52)} ${String(bytes).padStart(7)} B  ${(share * 100).toFixed(1).padStart(5)}%  ~${kib(share * gzipBytes).toFixed(2)} KiB gz`;
  };
  for (const { name, bytes } of list.slice(0, top)) lines.push(row(name, bytes));
  const rest = list.slice(top);
  if (rest.length)
    lines.push(
      row(
        `(${rest.length} more)`,
        rest.reduce((n, c) => n + c.bytes, 0),
      ),
    );
  // Our own code by folder, so a feature's weight shows in one line.
  const folders = new Map<string, number>();
  for (const { name, bytes } of list) {
    if (name.includes("node_modules") || !/^(src|worker)\//.test(name)) continue;
    const folder = name.replace(/\/[^/]+$/, "/");
    folders.set(folder, (folders.get(folder) ?? 0) + bytes);
  }
  if (folders.size) {
    lines.push("  our code by folder:");
    for (const [folder, bytes] of [...folders].sort((a, b) => b[1] - a[1]))
      lines.push(`  ${row(folder, bytes).slice(2)}`);
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
    "Exact gzip cost of each package in the library's main chunk (rebuilt with it emptied, its callers kept):",
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
    lines.push(`  ${name.padEnd(52)} ${(saved / KIB).toFixed(2)} KiB gz`);
  }
  return lines;
}

/** What the Worker's messages and descriptions weigh, and what its code weighs without them. */
function proseLine(uploaded: ReadonlyMap<string, Uint8Array>): string {
  const decoder = new TextDecoder();
  const prose = [...uploaded.values()].map((contents) => proseOf(decoder.decode(contents)));
  const sum = (pick: (p: Prose) => number) => prose.reduce((total, p) => total + pick(p), 0);
  return `Worker upload's prose (the text of string and template literals of three words or more, found by parsing): ${sum((p) => p.literals)} literals, ${kib(sum((p) => p.gzip)).toFixed(1)} KiB gzip on their own; the upload with them emptied: ${kib(sum((p) => p.withoutGzip)).toFixed(1)} KiB gzip`;
}

export async function runSize(workDirectory: string): Promise<SuiteResult> {
  const started = performance.now();
  const neutral = edgeOptions("neutral");
  // The SDKs resolve their browser code through package.json's `browser` map, which esbuild
  // applies on the browser platform; on `neutral` they pull in node:* modules.
  const browser = edgeOptions("browser");
  const [library, librarySplit, sdk, aiSdk, upload] = await Promise.all([
    bundle({ ...neutral, entryPoints: ["src/index.ts"], outfile: `${workDirectory}/library.js` }),
    bundle({ ...neutral, entryPoints: ["src/index.ts"], splitting: true, outdir: `${workDirectory}/library-split` }),
    bundle({ ...browser, entryPoints: ["bench/entries/sdk-client.ts"], outfile: `${workDirectory}/sdk.js` }),
    bundle({ ...browser, entryPoints: ["bench/entries/ai-sdk-client.ts"], outfile: `${workDirectory}/ai-sdk.js` }),
    wranglerUpload(`${workDirectory}/wrangler`),
  ]);
  const libraryOne = single(library);
  const split = entryAndTotal(librarySplit);
  const sdkOne = single(sdk);
  const aiSdkOne = single(aiSdk);
  const workerModules = [...upload.modules].map(([name, contents]) => ({ name, size: sizeOf(contents) }));
  const worker = total(workerModules.map((m) => m.size));

  const mainKib = kib(split.entry.gzip);
  const peers = [
    { peer: "awsSdk" as const, id: "aws_sdk", label: "AWS SDK client", size: sdkOne },
    { peer: "aiSdk" as const, id: "ai_sdk", label: "AI SDK provider", size: aiSdkOne },
  ];
  const figures: Figure[] = peers.map(({ peer, id, label, size }) => ({
    id: `size.library.main.vs_${id}`,
    name: "Library, main chunk (gzip)",
    unit: "KiB",
    ours: exact(mainKib),
    reference: { label, value: exact(kib(size.gzip)) },
    ratio: split.entry.gzip / size.gzip,
    ratioLabel: "×",
    goal: `≤ ${LIBRARY_GOAL_KIB} KiB`,
    pass: mainKib <= LIBRARY_GOAL_KIB,
    note:
      peer === "awsSdk"
        ? "esbuild --splitting: the entry chunk and what it imports statically; lazily imported chunks load on first use"
        : undefined,
    peer: { row: "browser bundle, main chunk, gzip, KiB", peer },
  }));
  const { plain: firstPlain, stream: firstStream } = await firstCalls(librarySplit, workDirectory);
  const streamAdds = firstStream.lazy.filter((module) => !firstPlain.lazy.includes(module));
  figures.push(
    {
      id: "size.library.first_llama_call",
      name: "Library, loaded by a first llama call (gzip)",
      unit: "KiB",
      ours: exact(kib(firstPlain.size.gzip)),
      reference: { label: "AWS SDK client", value: exact(kib(sdkOne.gzip)) },
      ratio: firstPlain.size.gzip / sdkOne.gzip,
      ratioLabel: "×",
      goal: "(information)",
      pass: null,
      note: `measured (a child records each chunk it evaluates): the main chunk, then ${firstPlain.lazy.join(", ")} with their shared chunks; a first streamed call adds ${streamAdds.join(", ") || "nothing"}: ${kib(firstStream.size.gzip).toFixed(1)} KiB`,
    },
    {
      id: "size.library.total",
      name: "Library, all chunks (gzip)",
      unit: "KiB",
      ours: exact(kib(split.all.gzip)),
      reference: { label: "AWS SDK client", value: exact(kib(sdkOne.gzip)) },
      ratio: split.all.gzip / sdkOne.gzip,
      ratioLabel: "×",
      goal: "(information)",
      pass: null,
      note: `${Object.keys(librarySplit.metafile.outputs).length} chunks; one file without --splitting: ${kib(libraryOne.gzip).toFixed(1)} KiB`,
    },
    {
      id: "size.worker",
      name: "Worker, as wrangler uploads it (gzip, all modules)",
      unit: "KiB",
      ours: exact(kib(worker.gzip)),
      reference: { label: "AWS SDK client", value: exact(kib(sdkOne.gzip)) },
      ratio: worker.gzip / sdkOne.gzip,
      ratioLabel: "×",
      goal: `≤ ${WORKER_GOAL_KIB} KiB`,
      pass: kib(worker.gzip) <= WORKER_GOAL_KIB,
      note: `wrangler deploy --dry-run: ${workerModules.map((m) => `${m.name} ${kib(m.size.gzip).toFixed(1)} KiB`).join(", ")} (source maps, ${kib(upload.sourceMapBytes).toFixed(0)} KiB, not counted)`,
    },
  );

  const mainModules = modules(librarySplit.metafile, split.eager);
  const packages = mainModules.filter(({ name }) => !/^(src|worker)\//.test(name) && name !== "<runtime>").slice(0, 4);
  const workerOutputs = Object.keys(upload.metafile.outputs).filter((path) => !path.endsWith(".map"));
  const details = [
    `Bundles: esbuild --bundle --minify --format=esm --platform=neutral --conditions=workerd,worker,browser --main-fields=browser,module,main; gzip level 6. SDK entries (bench/entries/sdk-client.ts, ai-sdk-client.ts) on --platform=browser (their package.json browser maps); minified: AWS SDK ${kib(sdkOne.bytes).toFixed(1)} KiB, AI SDK ${kib(aiSdkOne.bytes).toFixed(1)} KiB.`,
    ...breakdown("Library main chunk, by module", mainModules, split.entry.gzip, 24),
    ...(await packageCosts(
      packages.map((p) => p.name),
      split.entry.gzip,
      workDirectory,
    )),
    ...breakdown("Worker upload, by module", modules(upload.metafile, workerOutputs), worker.gzip, 24),
    proseLine(upload.modules),
  ];
  return { suite: "size", figures, details, seconds: (performance.now() - started) / 1000 };
}
