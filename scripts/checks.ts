/// <reference types="node" />
// The static checks, which npm test runs first and all at once: Biome over the repo, the unused
// export check (scripts/unused-exports.ts), tsc over the three projects (the whole repo with
// Node's types, bench/ among it; src/ alone without them; the openai type contracts against
// openai 7), and over the docs' TypeScript samples (scripts/readme-types.ts).
// Each check's output is held until it ends, so side by side they never interleave.
//
// `tsx scripts/checks.ts [lint|types]` runs them from a shell (`npm run lint`, `npm run typecheck`).
// tsc keeps what it learnt under node_modules/.cache (--incremental), so a second run over
// unchanged files takes a fraction of the first.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CACHE = "node_modules/.cache/bedrock-edge";

export interface Check {
  name: string;
  /** A binary of node_modules/.bin. */
  bin: string;
  args: readonly string[];
}

export interface CheckResult {
  check: Check;
  ok: boolean;
  ms: number;
  /** stdout and stderr, in the order written. */
  output: string;
}

function typeCheck(name: string, project: string, cacheName: string): Check {
  const buildInfo = `${CACHE}/tsc-${cacheName}.tsbuildinfo`;
  return { name, bin: "tsc", args: ["-p", project, "--noEmit", "--incremental", "--tsBuildInfoFile", buildInfo] };
}

export const LINTS: readonly Check[] = [
  { name: "lint: biome check", bin: "biome", args: ["check", "."] },
  { name: "lint: unused exports (scripts/unused-exports.ts)", bin: "tsx", args: ["scripts/unused-exports.ts"] },
];

export const TYPE_CHECKS: readonly Check[] = [
  typeCheck("types: the whole repo (tsconfig.json)", "tsconfig.json", "repo"),
  typeCheck("types: src/ alone, web APIs only (tsconfig.lib.json)", "tsconfig.lib.json", "lib"),
  typeCheck("types: the openai contracts against openai 7 (tsconfig.openai7.json)", "tsconfig.openai7.json", "openai7"),
  {
    name: "types: the TypeScript samples of README.md and docs/ (scripts/readme-types.ts)",
    bin: "tsx",
    args: ["scripts/readme-types.ts"],
  },
];

function runCheck(check: Check): Promise<CheckResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(join(ROOT, "node_modules", ".bin", check.bin), check.args, {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (data: Buffer) => (output += data.toString()));
    child.stderr.on("data", (data: Buffer) => (output += data.toString()));
    const end = (ok: boolean, more = "") =>
      resolve({ check, ok, ms: performance.now() - started, output: output + more });
    child.once("error", (error) => end(false, `${check.bin} could not start: ${error.message}\n`));
    child.once("close", (code) => end(code === 0));
  });
}

/** Every check at once; `onEnd` hears each as it finishes, the result keeps their order. */
export function runChecks(
  checks: readonly Check[],
  onEnd: (result: CheckResult) => void = () => undefined,
): Promise<CheckResult[]> {
  return Promise.all(
    checks.map(async (check) => {
      const result = await runCheck(check);
      onEnd(result);
      return result;
    }),
  );
}

/** One line per check, and the output of those that failed. */
export function checkReport({ check, ok, ms, output }: CheckResult): string {
  const line = `  ${ok ? "✓" : "✗"} ${check.name}  ${(ms / 1000).toFixed(1)} s`;
  return ok ? line : `${line}\n${output.trimEnd()}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const which = process.argv[2];
  const checks = which === "lint" ? LINTS : which === "types" ? TYPE_CHECKS : [...LINTS, ...TYPE_CHECKS];
  const results = await runChecks(checks, (result) => console.log(checkReport(result)));
  process.exit(results.every((result) => result.ok) ? 0 : 1);
}
