/// <reference types="node" />
// npm test: the static checks side by side (scripts/checks.ts), then every vitest project, then a
// scan of everything the run printed, and everything the servers under test answered or logged
// (test/helpers/output-log.ts), for the test secrets. A secret anywhere fails the run, even when
// every test passed.
//
// The checks run before vitest, not beside it: beside it at the lowest CPU priority (nice 19) the
// whole run was no faster on 2 cores (8 min 32 s, vitest 511 s against 435 on its own, the
// checks about 60 s alone): the idle time the tests leave is not where the checks could use it,
// and a lowered process still shares the caches and memory bandwidth with the tests.
//
// It says what runs from its first second, and ends with a summary (scripts/test-summary.ts)
// that it also writes to test-results/summary.md (gitignored); `npm test -- --record` writes it
// to docs/TESTS.md as well, when the whole suite ran and passed. Other arguments go to vitest.
//
// A run leaves the tree as it found it: a file it changed or added (outside .gitignore) is named
// in the summary, and fails the run under CI, where nobody edits while the tests run.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { TEST_SECRETS } from "../test/helpers/output-log.ts";
import { checkReport, LINTS, runChecks, TYPE_CHECKS } from "./checks.ts";
import { summaryMarkdown, type ProjectCounts, type Step } from "./test-summary.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const directory = mkdtempSync(join(tmpdir(), "bedrock-edge-test-"));
const outputLog = join(directory, "output.log");
const countsFile = join(directory, "counts.json");
writeFileSync(outputLog, "");
let printed = "";

function say(text: string): void {
  printed += `${text}\n`;
  console.log(text);
}

function run(command: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, BEDROCK_EDGE_OUTPUT_LOG: outputLog, BEDROCK_EDGE_TEST_COUNTS: countsFile },
      stdio: ["inherit", "pipe", "pipe"],
    });
    child.stdout.on("data", (data: Buffer) => {
      printed += data.toString();
      process.stdout.write(data);
    });
    child.stderr.on("data", (data: Buffer) => {
      printed += data.toString();
      process.stderr.write(data);
    });
    child.on("close", (code) => resolve(code ?? 1));
  });
}

function git(...args: string[]): string | undefined {
  try {
    return execFileSync("git", args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return undefined;
  }
}

/** `git status` lines, untracked files included and ignored ones not. */
function treeStatus(): Set<string> | undefined {
  const status = git("status", "--porcelain", "--untracked-files=all");
  return status === undefined ? undefined : new Set(status.split("\n").filter(Boolean));
}

const args = process.argv.slice(2);
const record = args.includes("--record");
const vitestArgs = args.filter((arg) => arg !== "--record");
const startedAt = new Date().toISOString();
const started = performance.now();
const loadAtStart = loadavg()[0] ?? 0;
const treeBefore = treeStatus();
const machine = `${availableParallelism()} cores (${cpus()[0]?.model.trim() ?? "unknown CPU"}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`;

say(`npm test on ${machine}, load average ${loadAtStart.toFixed(1)}`);
say(`1/3 ${LINTS.length} lints and ${TYPE_CHECKS.length} type-checks, side by side:`);
for (const check of [...LINTS, ...TYPE_CHECKS]) say(`  … ${check.name}`);
const checks = await runChecks([...LINTS, ...TYPE_CHECKS], (result) => say(checkReport(result)));
const steps: Step[] = checks.map(({ check, ok, ms }) => ({ name: check.name, result: ok ? "passed" : "failed", ms }));
let ok = checks.every((result) => result.ok);

if (ok) {
  say(
    "2/3 vitest: the node, node-isolated, workerd, newest-clients and runtimes projects, each file listed as it ends",
  );
  const vitestStarted = performance.now();
  const status = await run(join(ROOT, "node_modules", ".bin", "vitest"), ["run", ...vitestArgs]);
  steps.push({ name: "vitest", result: status === 0 ? "passed" : "failed", ms: performance.now() - vitestStarted });
  ok = status === 0;
} else {
  say("2/3 vitest: not run, a check failed");
  steps.push({ name: "vitest", result: "not run (a check failed)" });
}

let projects: Record<string, ProjectCounts> = {};
try {
  projects = JSON.parse(readFileSync(countsFile, "utf8")) as Record<string, ProjectCounts>;
} catch {
  // vitest did not run, or stopped before its end: the summary shows no counts.
}

say("3/3 the secret scan");
const everything = printed + readFileSync(outputLog, "utf8");
const leaked = TEST_SECRETS.filter((secret) => everything.includes(secret));
const scanned = `${Math.round(everything.length / 1024)} KiB of output and answers`;
rmSync(directory, { recursive: true, force: true });
if (leaked.length) {
  console.error(
    `\nSECRET LEAK: ${leaked.length} test secret(s) appeared in ${scanned}: ${leaked.map((s) => `${s.slice(0, 4)}…`).join(", ")}`,
  );
  ok = false;
}
steps.push({
  name: "secret scan",
  result: leaked.length
    ? `**${leaked.length} test secret(s) found** in ${scanned}`
    : `none of ${TEST_SECRETS.length} test secrets in ${scanned}`,
});

const treeAfter = treeStatus();
const head = git("rev-parse", "--short", "HEAD")?.trim();
let tree = head ? `${head}${treeBefore?.size ? " with uncommitted changes" : ""}` : "not a git checkout";
if (treeBefore && treeAfter) {
  const changed = [...treeAfter].filter((line) => !treeBefore.has(line));
  if (changed.length) {
    tree += `; changed during the run: ${changed.map((line) => line.slice(3)).join(", ")}`;
    if (process.env.CI) ok = false;
  }
}

const summary = summaryMarkdown({
  startedAt,
  machine: `${machine}; load average ${loadAtStart.toFixed(1)} at the start, ${(loadavg()[0] ?? 0).toFixed(1)} at the end`,
  tree,
  steps,
  projects,
  vitestArgs,
  ok,
  totalMs: performance.now() - started,
});
mkdirSync(join(ROOT, "test-results"), { recursive: true });
writeFileSync(join(ROOT, "test-results", "summary.md"), summary);
console.log(`\n${summary}\n(also in test-results/summary.md)`);
if (record && vitestArgs.length) {
  console.log("Not recorded: docs/TESTS.md holds whole runs only (no vitest arguments).");
} else if (record && ok) {
  mkdirSync(join(ROOT, "docs"), { recursive: true });
  const origin = "Written by `npm test -- --record`. Every run keeps its own summary in test-results/summary.md.\n";
  const recorded = join(ROOT, "docs", "TESTS.md");
  writeFileSync(recorded, `${summary}\n${origin}`);
  // Committed, so in Biome's form (its tables aligned), or the next lint would fail on it.
  execFileSync(join(ROOT, "node_modules", ".bin", "biome"), ["format", "--write", recorded], { stdio: "ignore" });
  console.log("Recorded in docs/TESTS.md.");
}
process.exit(ok ? 0 : 1);
