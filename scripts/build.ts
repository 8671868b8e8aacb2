/// <reference types="node" />
// npm run build: dist/ for the npm package. tsc emits JavaScript (relative `.ts` imports
// rewritten to `.js`) and declarations for the entries in tsconfig.build.json, mirroring the
// source tree. Declarations keep `.ts` specifiers as written; they are rewritten to `.js` here
// so every consumer's TypeScript setup (not only the newest) resolves them.
//
// It is also the package's `prepare` script, which npm runs on `npm install` in a clone, before
// `npm pack`, and when it installs the package from git or links it from a path. So that these
// (and the package tests) share one build rather than repeat it, a build whose inputs hash the
// same as the last one's is reused; `--force` rebuilds anyway.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "dist");
// Under node_modules/: never committed, never packed, gone with a clean install.
const stampFile = join(root, "node_modules", ".cache", "bedrock-edge", "build.json");

/** Everything tsc reads to write dist/ (more is harmless: it only costs a rebuild). */
const INPUT_FOLDERS = ["src", "node", "worker", "emulator"];
const INPUT_FILES = ["package.json", "package-lock.json", "tsconfig.json", "tsconfig.build.json", "scripts/build.ts"];

// Relative specifiers only: `from "./x.ts"`, `import("../y.ts")`; package names stay untouched.
const RELATIVE_TS_SPECIFIER = /((?:from|import)\s*\(?\s*["'])(\.{1,2}\/[^"']+)\.ts(["'])/g;

export interface BuildResult {
  /** Every file under dist/, absolute paths. */
  files: string[];
  /** True when the last build's output was reused (same inputs). */
  reused: boolean;
}

interface Stamp {
  inputs: string;
  /** Relative to the project root. */
  files: string[];
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(folder, entry.name)) : [join(folder, entry.name)],
  );
}

/** A hash of every input's path and content, in a stable order. */
function inputsHash(): string {
  const hash = createHash("sha256");
  const files = [
    ...INPUT_FOLDERS.flatMap((folder) => filesUnder(join(root, folder))),
    ...INPUT_FILES.map((file) => join(root, file)).filter((file) => existsSync(file)),
  ].sort();
  for (const file of files) {
    hash.update(`${relative(root, file)}\0`);
    hash.update(readFileSync(file));
    hash.update("\0");
  }
  return hash.digest("hex");
}

function readStamp(): Stamp | undefined {
  try {
    return JSON.parse(readFileSync(stampFile, "utf8")) as Stamp;
  } catch {
    return undefined;
  }
}

export function build({ force = false }: { force?: boolean } = {}): BuildResult {
  const inputs = inputsHash();
  const stamp = readStamp();
  if (!force && stamp?.inputs === inputs && stamp.files.every((file) => existsSync(join(root, file)))) {
    return { files: stamp.files.map((file) => join(root, file)), reused: true };
  }
  // A clean slate: a file deleted from the sources must not live on in the package.
  rmSync(stampFile, { force: true });
  rmSync(dist, { recursive: true, force: true });
  execFileSync(join(root, "node_modules/.bin/tsc"), ["-p", join(root, "tsconfig.build.json")], {
    cwd: root,
    stdio: "inherit",
  });
  const files = filesUnder(dist);
  for (const file of files.filter((name) => name.endsWith(".d.ts"))) {
    const text = readFileSync(file, "utf8");
    const rewritten = text.replace(RELATIVE_TS_SPECIFIER, "$1$2.js$3");
    if (rewritten !== text) writeFileSync(file, rewritten);
  }
  mkdirSync(dirname(stampFile), { recursive: true });
  const written: Stamp = { inputs, files: files.map((file) => relative(root, file)) };
  writeFileSync(stampFile, `${JSON.stringify(written)}\n`);
  return { files, reused: false };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = performance.now();
  const { files, reused } = build({ force: process.argv.includes("--force") });
  const how = reused
    ? "unchanged sources: the last build reused (--force rebuilds)"
    : `built in ${((performance.now() - started) / 1000).toFixed(1)} s`;
  console.log(`dist/: ${files.length} files, ${how}`);
}
