/// <reference types="node" />
// npm run bench [-- --only=size,signing,decode,memory,cold,proxy] [--quick]
//
// Prints one table (ours, the reference measured in the same run, the ratio, the goal, PASS or
// MISS) and writes bench/results.json. Every measured figure is the median of several runs with
// min–max. CPU-bound figures run in fresh Node processes on esbuild bundles; the proxy runs in
// workerd. Inputs are deterministic and everything stays on loopback.
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { bundleForNode, ROOT, workDir } from "./lib/build.ts";
import type { Figure, SuiteResult } from "./lib/figure.ts";
import { describeMachine } from "./lib/machine.ts";
import { startChildServer } from "./lib/server.ts";
import { renderTable } from "./lib/table.ts";
import { runColdStart } from "./suites/cold-start.ts";
import { runDecode } from "./suites/decode.ts";
import { runMemory } from "./suites/memory.ts";
import { runProxy } from "./suites/proxy.ts";
import { runSigning } from "./suites/signing.ts";
import { runSize } from "./suites/size.ts";

const SUITES = ["size", "signing", "decode", "memory", "cold", "proxy"] as const;
type SuiteName = (typeof SUITES)[number];

function selectedSuites(): Set<SuiteName> {
  const only = process.argv.find((arg) => arg.startsWith("--only="))?.slice("--only=".length);
  if (!only) return new Set(SUITES);
  const names = only.split(",").map((name) => name.trim());
  const unknown = names.filter((name) => !(SUITES as readonly string[]).includes(name));
  if (unknown.length) throw new Error(`unknown suite(s) ${unknown.join(", ")}; choose from ${SUITES.join(", ")}`);
  return new Set(names as SuiteName[]);
}

// --quick: fewer repetitions, to check the harness itself; its figures are not for the README.
const quick = process.argv.includes("--quick");
const plan = {
  decodeRuns: quick ? 3 : 7,
  signingRuns: quick ? 3 : 7,
  memoryRuns: quick ? 1 : 3,
  coldStarts: quick ? 5 : 15,
  proxy: quick ? { rounds: 2, sequential: 60, concurrent: 150 } : { rounds: 5, sequential: 150, concurrent: 300 },
};

async function main(): Promise<void> {
  const suites = selectedSuites();
  const machine = describeMachine();
  const header = [
    `bedrock-edge benchmarks — ${machine.date}`,
    `${machine.cpu}, nproc ${machine.nproc}, ${machine.memoryGiB} GiB, Node ${machine.node} (${machine.platform}), load average ${machine.loadAverage.toFixed(2)} at start${quick ? ", QUICK run" : ""}`,
  ];
  console.log(header.join("\n"));
  const directory = await workDir("run");
  const results: SuiteResult[] = [];
  const failures: Array<{ suite: string; error: string }> = [];
  // One suite failing (a port, a crashed child) must not cost the figures of the others.
  const attempt = async (suite: string, run: () => Promise<SuiteResult>) => {
    try {
      const result = await run();
      results.push(result);
      console.log(`  ${result.suite}: ${result.figures.length} figures in ${result.seconds.toFixed(1)} s`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      failures.push({ suite, error: message });
      console.error(`  ${suite}: FAILED: ${message}`);
    }
  };
  try {
    if (suites.has("size")) await attempt("size", () => runSize(directory));
    if (suites.has("signing")) await attempt("signing", () => runSigning(directory, plan.signingRuns));
    if (suites.has("decode")) await attempt("decode", () => runDecode(directory, plan.decodeRuns));
    if (suites.has("memory")) await attempt("memory", () => runMemory(directory, plan.memoryRuns));
    if (suites.has("cold") || suites.has("proxy")) {
      const emulator = await startChildServer(
        await bundleForNode("bench/children/emulator-server.ts", join(directory, "emulator-server.mjs")),
      );
      try {
        if (suites.has("cold")) await attempt("cold", () => runColdStart(directory, emulator.url, plan.coldStarts));
        if (suites.has("proxy")) await attempt("proxy", () => runProxy(emulator.url, plan.proxy));
      } finally {
        await emulator.stop();
      }
    }
  } finally {
    await rm(directory, { recursive: true, force: true });
  }

  const figures: Figure[] = results.flatMap((result) => result.figures);
  const end = describeMachine();
  console.log(["", ...renderTable(figures)].join("\n"));
  for (const result of results) if (result.details.length) console.log(["", ...result.details].join("\n"));
  const missed = figures.filter((figure) => figure.pass === false);
  const met = figures.filter((figure) => figure.pass === true);
  console.log(
    `\nGoals met: ${met.length}, missed: ${missed.length}. Load average at end ${end.loadAverage.toFixed(2)}.`,
  );
  for (const { suite, error } of failures) console.log(`Suite ${suite} FAILED: ${error}`);

  const output = {
    machine,
    loadAverageAtEnd: end.loadAverage,
    quick,
    seconds: results.reduce((n, r) => n + r.seconds, 0),
    figures: figures.map((figure) => ({
      ...figure,
      reference: figure.reference ? { label: figure.reference.label, ...figure.reference.value } : undefined,
    })),
    details: Object.fromEntries(results.map((r) => [r.suite, r.details])),
    failures,
  };
  await writeFile(join(ROOT, "bench", "results.json"), `${JSON.stringify(output, null, 2)}\n`);
  console.log("Wrote bench/results.json");
  if (failures.length) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
