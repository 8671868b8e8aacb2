/// <reference types="node" />
// npm run build: dist/ for the npm package. tsc emits JavaScript (relative `.ts` imports
// rewritten to `.js`) and declarations for the entries in tsconfig.build.json, mirroring the
// source tree. Declarations keep `.ts` specifiers as written; they are rewritten to `.js` here
// so every consumer's TypeScript setup (not only the newest) resolves them.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "dist");

// Relative specifiers only: `from "./x.ts"`, `import("../y.ts")`; package names stay untouched.
const RELATIVE_TS_SPECIFIER = /((?:from|import)\s*\(?\s*["'])(\.{1,2}\/[^"']+)\.ts(["'])/g;

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(folder, entry.name)) : [join(folder, entry.name)],
  );
}

export function build(): string[] {
  // A clean slate: a file deleted from the sources must not live on in the package.
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
  return files;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const files = build();
  console.log(`dist/: ${files.length} files`);
}
