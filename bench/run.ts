/// <reference types="node" />
// npm run bench [-- --only=size,signing,decode,stream,plain,memory,cold,start,proxy,instructions,cpu,profile] [--quick | --full] [--write-results]
//
// Prints two tables: the peers side by side (ours, the AI SDK, the AWS SDK, Portkey's gateway and
// a bare pass-through Worker, each measured in the same run, with ratios) and every figure with
// its goal (PASS or MISS); then the details (size by module, CPU per request). Writes
// bench/results.json; --write-results also writes bench/RESULTS.md and the README's block of the
// side-by-side table.
// Every measured figure is a median of several interleaved runs, with min–max and, for ratios,
// how many runs fell on the same side of 1. CPU-bound figures run in fresh Node processes on
// esbuild bundles; the proxies run in workerd and Node. Everything stays on loopback.
import { execFile } from "node:child_process";
import { randomInt } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { bundleForNode, ROOT, workDir } from "./lib/build.ts";
import type { Figure, SuiteResult } from "./lib/figure.ts";
import { describeMachine } from "./lib/machine.ts";
import { renderPeerTable } from "./lib/peer-table.ts";
import { renderResults, withReadmeBlock } from "./lib/results-markdown.ts";
import { type ChildServer, startChildServer } from "./lib/server.ts";
import { renderTable } from "./lib/table.ts";
import { startPortkeyNode } from "./proxy/portkey.ts";
import { runColdStart } from "./suites/cold-start.ts";
import { runDecode } from "./suites/decode.ts";
import { runInstructions } from "./suites/instructions.ts";
import { runMemory } from "./suites/memory.ts";
import { runPlainCall } from "./suites/plain-call.ts";
import { runProfile } from "./suites/profile.ts";
import { runProxy } from "./suites/proxy.ts";
import { runSigning } from "./suites/signing.ts";
import { runSize } from "./suites/size.ts";
import { runStreamRate } from "./suites/stream-rate.ts";
import { runWorkerStart } from "./suites/worker-start.ts";

const SUITES = ["size", "signing", "decode", "stream", "plain", "memory", "cold", "start", "proxy"] as const;
// Run only when named in --only: instruction counts under callgrind take minutes and need valgrind;
// the serving thread's CPU time in workerd (the same Workers, no callgrind) takes a minute and a half;
// V8's profile of the proxies by module, a minute, with the inspector attached to workerd.
const OPT_IN = ["instructions", "cpu", "profile"] as const;
type SuiteName = (typeof SUITES)[number] | (typeof OPT_IN)[number];

function selectedSuites(): Set<SuiteName> {
  const only = process.argv.find((arg) => arg.startsWith("--only="))?.slice("--only=".length);
  if (!only) return new Set(SUITES);
  const known: readonly string[] = [...SUITES, ...OPT_IN];
  const names = only.split(",").map((name) => name.trim());
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length) throw new UsageError(`unknown suite(s) ${unknown.join(", ")}; choose from ${known.join(", ")}`);
  return new Set(names as SuiteName[]);
}

/** `--name=<whole number>`, or the fallback: the instructions suite's round sizes. */
function countOption(name: string, fallback: number): number {
  const found = process.argv.find((arg) => arg.startsWith(`--${name}=`));
  if (found === undefined) return fallback;
  const value = Number(found.slice(name.length + 3));
  if (!Number.isSafeInteger(value) || value < 1)
    throw new UsageError(`--${name} wants a whole number above 0: ${found}`);
  return value;
}

/** A mistyped option would otherwise run the whole default bench (benchfresh44 #5). */
const FLAGS = ["--quick", "--full", "--write-results"];
const VALUED = [
  "--only=",
  "--instr-warm-plain=",
  "--instr-warm-streams=",
  "--instr-rounds=",
  "--instr-plain=",
  "--instr-streams=",
  "--instr-v8-flags=",
];
function checkArguments(args: readonly string[]): void {
  const unknown = args.filter((arg) => !FLAGS.includes(arg) && !VALUED.some((prefix) => arg.startsWith(prefix)));
  if (unknown.length)
    throw new UsageError(
      `unknown option(s) ${unknown.join(" ")}; options: ${[...FLAGS, ...VALUED.map((prefix) => `${prefix}…`)].join(" ")}`,
    );
  if (args.includes("--quick") && args.includes("--full")) throw new UsageError("--quick and --full: choose one");
}

/** A wrong command line: said in one line, without a stack. */
class UsageError extends Error {}

// --quick: fewer repetitions, to check the harness itself; its figures are not for the README.
// --full: more repetitions, for figures that move with the machine's load (about twice as long).
const quick = process.argv.includes("--quick");
const full = process.argv.includes("--full");
const writeResults = process.argv.includes("--write-results");
const mode = quick ? "quick" : full ? "full" : "default";
const plan = {
  quick: {
    decodeRuns: 3,
    signingRuns: 3,
    memoryRuns: 1,
    coldStarts: 3,
    workerStarts: 2,
    streamRuns: 3,
    plainRuns: 3,
    proxy: { rounds: 2, sequential: 40, concurrent: 100 },
    instructions: { warmPlain: 100, warmStreams: 30, rounds: 3, plainPerRound: 20, streamsPerRound: 10 },
    cpu: { warmPlain: 100, warmStreams: 30, rounds: 3, plainPerRound: 20, streamsPerRound: 10 },
    profile: { warmPlain: 100, warmStreams: 30, plain: 200, streams: 30 },
  },
  default: {
    // Seven: at five, the ConverseStream figure's ratio to the bare codec ranged from 0.66 to 0.99
    // in four runs of one afternoon (2026-11-30), missing its goal in two. Signing takes five: at
    // seven the default run had taken 303 s (load 0.4 to 1.5), past the 5 minutes issue 15 allows.
    decodeRuns: 7,
    signingRuns: 5,
    memoryRuns: 3,
    coldStarts: 9,
    workerStarts: 7,
    streamRuns: 5,
    plainRuns: 5,
    proxy: { rounds: 5, sequential: 100, concurrent: 200 },
    instructions: { warmPlain: 500, warmStreams: 150, rounds: 5, plainPerRound: 60, streamsPerRound: 20 },
    // Time moves with the load where a count does not, and a window takes in a collection of
    // V8's old generation or not: more rounds, and windows long enough to hold several.
    cpu: { warmPlain: 500, warmStreams: 150, rounds: 9, plainPerRound: 200, streamsPerRound: 60 },
    profile: { warmPlain: 400, warmStreams: 80, plain: 1500, streams: 300 },
  },
  full: {
    decodeRuns: 11,
    signingRuns: 11,
    memoryRuns: 5,
    coldStarts: 21,
    workerStarts: 15,
    streamRuns: 9,
    plainRuns: 9,
    proxy: { rounds: 9, sequential: 200, concurrent: 300 },
    instructions: { warmPlain: 1000, warmStreams: 300, rounds: 7, plainPerRound: 100, streamsPerRound: 40 },
    cpu: { warmPlain: 1000, warmStreams: 300, rounds: 15, plainPerRound: 300, streamsPerRound: 100 },
    profile: { warmPlain: 800, warmStreams: 160, plain: 3000, streams: 600 },
  },
}[mode];
// Each of the instructions and cpu suites' sizes can be set: --instr-warm-plain=N, --instr-rounds=N, …
function windowOptions(sizes: (typeof plan)["instructions"]) {
  return {
    warmPlain: countOption("instr-warm-plain", sizes.warmPlain),
    warmStreams: countOption("instr-warm-streams", sizes.warmStreams),
    rounds: countOption("instr-rounds", sizes.rounds),
    plainPerRound: countOption("instr-plain", sizes.plainPerRound),
    streamsPerRound: countOption("instr-streams", sizes.streamsPerRound),
    // --instr-v8-flags=--predictable,--single-threaded: V8 flags for its workerd, none by default.
    v8Flags: (process.argv.find((arg) => arg.startsWith("--instr-v8-flags="))?.slice("--instr-v8-flags=".length) ?? "")
      .split(",")
      .filter((flag) => flag !== ""),
  };
}

/**
 * The emulator on port 80 of a loopback address of its own (127.x.y.z), where one is free:
 * Portkey signs the host without its port, so only there do its signatures match the Host
 * header. Elsewhere (no right to bind port 80), any free port, and Portkey is left out.
 */
async function startEmulator(script: string): Promise<{ emulator: ChildServer; portkeyMissing?: string }> {
  const host = `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
  try {
    return { emulator: await startChildServer(script, [`host=${host}`, "port=80"]) };
  } catch (error) {
    const why = error instanceof Error ? error.message.split("\n").find((l) => /E[A-Z]+/.test(l)) : undefined;
    return {
      emulator: await startChildServer(script),
      portkeyMissing: `the emulator could not listen on ${host}:80 (${why ?? "refused"}); Portkey signs the host without its port`,
    };
  }
}

async function main(): Promise<void> {
  checkArguments(process.argv.slice(2));
  const suites = selectedSuites();
  // Sizes checked now, not when their suite comes after minutes of others.
  windowOptions(plan.instructions);
  windowOptions(plan.cpu);
  const machine = describeMachine();
  console.log(
    [
      `bedrock-edge benchmarks — ${machine.date}`,
      `${machine.cpu}, nproc ${machine.nproc}, ${machine.memoryGiB} GiB, Node ${machine.node} (${machine.platform}), load average ${machine.loadAverage.toFixed(2)} at start, ${mode} run`,
    ].join("\n"),
  );
  const directory = await workDir("run");
  const results: SuiteResult[] = [];
  const failures: Array<{ suite: string; error: string }> = [];
  // One suite failing (a port, a crashed child) must not cost the figures of the others.
  const attempt = async (suite: string, run: () => Promise<SuiteResult>) => {
    try {
      // Named as --only names it, in the progress lines, results.json and RESULTS.md alike (a
      // failure already is): "cold", not the suite's own "cold start".
      const result = { ...(await run()), suite };
      results.push(result);
      console.log(`  ${suite}: ${result.figures.length} figures in ${result.seconds.toFixed(1)} s`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      failures.push({ suite, error: message });
      console.error(`  ${suite}: FAILED: ${message}`);
    }
  };
  const started = performance.now();
  // Why Portkey's columns are empty, when they are (the emulator could not take port 80).
  let leftOut: string | undefined;
  try {
    if (suites.has("size")) await attempt("size", () => runSize(directory));
    if (suites.has("signing")) await attempt("signing", () => runSigning(directory, plan.signingRuns));
    if (suites.has("decode")) await attempt("decode", () => runDecode(directory, plan.decodeRuns));
    if (suites.has("stream")) await attempt("stream", () => runStreamRate(directory, plan.streamRuns));
    if (suites.has("memory")) await attempt("memory", () => runMemory(directory, plan.memoryRuns));
    if (suites.has("start")) await attempt("start", () => runWorkerStart(plan.workerStarts));
    const withEmulator = ["plain", "cold", "proxy", "instructions", "cpu", "profile"] as const;
    if (withEmulator.some((suite) => suites.has(suite))) {
      const { emulator, portkeyMissing } = await startEmulator(
        await bundleForNode("bench/children/emulator-server.ts", join(directory, "emulator-server.mjs")),
      );
      leftOut = portkeyMissing;
      if (portkeyMissing) console.log(`  Portkey left out: ${portkeyMissing}`);
      try {
        if (suites.has("plain")) await attempt("plain", () => runPlainCall(directory, emulator.url, plan.plainRuns));
        if (suites.has("cold")) await attempt("cold", () => runColdStart(directory, emulator.url, plan.coldStarts));
        if (suites.has("proxy")) await attempt("proxy", () => proxySuite(directory, emulator, portkeyMissing));
        if (suites.has("instructions"))
          await attempt("instructions", () =>
            runInstructions(directory, emulator, portkeyMissing, windowOptions(plan.instructions)),
          );
        if (suites.has("cpu"))
          await attempt("cpu", () =>
            runInstructions(directory, emulator, portkeyMissing, windowOptions(plan.cpu), "cpu"),
          );
        if (suites.has("profile"))
          await attempt("profile", () => runProfile(directory, emulator, portkeyMissing, plan.profile));
      } finally {
        await emulator.stop();
      }
    }
  } finally {
    await rm(directory, { recursive: true, force: true });
  }

  const figures: Figure[] = results.flatMap((result) => result.figures);
  const end = describeMachine();
  const seconds = (performance.now() - started) / 1000;
  const peerTable = renderPeerTable(figures);
  const goalTable = renderTable(figures);
  if (peerTable.length) console.log(["", "Side by side (ratio = ours ÷ peer, same run):", "", ...peerTable].join("\n"));
  console.log(["", ...goalTable].join("\n"));
  for (const result of results) if (result.details.length) console.log(["", ...result.details].join("\n"));
  const missed = figures.filter((figure) => figure.pass === false);
  const met = figures.filter((figure) => figure.pass === true);
  console.log(
    `\nGoals met: ${met.length}, missed: ${missed.length}. ${seconds.toFixed(0)} s. Load average at end ${end.loadAverage.toFixed(2)}.`,
  );
  for (const { suite, error } of failures) console.log(`Suite ${suite} FAILED: ${error}`);
  if (leftOut) console.log(`Portkey was left out of this run: ${leftOut}.`);
  for (const { suite, flags } of results)
    if (flags?.length)
      console.log(`Suite ${suite} FLAGGED ${flags.length} time(s): see its FLAG lines above; run it again`);

  const output = {
    machine,
    loadAverageAtEnd: end.loadAverage,
    mode,
    seconds,
    figures: figures.map((figure) => ({
      ...figure,
      reference: figure.reference ? { label: figure.reference.label, ...figure.reference.value } : undefined,
    })),
    details: Object.fromEntries(results.map((r) => [r.suite, r.details])),
    // Present, by suite, only when a suite found its own figures not comparable.
    flags: Object.fromEntries(results.filter((r) => r.flags?.length).map((r) => [r.suite, r.flags])),
    failures,
    // Present only when Portkey could not be measured, and why.
    ...(leftOut ? { portkeyMissing: leftOut } : {}),
  };
  await writeFile(join(ROOT, "bench", "results.json"), `${JSON.stringify(output, null, 2)}\n`);
  console.log("Wrote bench/results.json");
  if (writeResults) {
    // The README's table is a whole run's (default or --full), Portkey's columns included
    // (benchfresh44 #1, #3).
    const missing = SUITES.filter((suite) => !suites.has(suite));
    const why = [
      ...(quick ? ["--quick"] : []),
      ...(failures.length ? [`failed: ${failures.map((failure) => failure.suite).join(", ")}`] : []),
      ...(missing.length ? [`not run: ${missing.join(", ")}`] : []),
      ...(leftOut ? [`Portkey left out (${leftOut})`] : []),
    ];
    if (why.length) {
      console.log(
        `Not writing bench/RESULTS.md or the README's table (${why.join("; ")}): only a whole default run, every suite measured with its peers, is recorded.`,
      );
    } else {
      const input = { machine, end, mode, seconds, peerTable, goalTable, results };
      await writeFile(join(ROOT, "bench", "RESULTS.md"), renderResults(input));
      const readme = join(ROOT, "README.md");
      await writeFile(readme, withReadmeBlock(await readFile(readme, "utf8"), input));
      // In Biome's form (tables padded), as npm run lint wants every tracked Markdown file.
      await promisify(execFile)(
        join(ROOT, "node_modules", ".bin", "biome"),
        ["format", "--write", "bench/RESULTS.md", "README.md"],
        {
          cwd: ROOT,
        },
      );
      console.log("Wrote bench/RESULTS.md and the README's benchmark block");
    }
  }
  if (failures.length) process.exitCode = 1;
}

/** The Node proxies run beside the emulator for the proxy suite only. */
async function proxySuite(directory: string, emulator: ChildServer, portkeyMissing?: string): Promise<SuiteResult> {
  const oursNode = await startChildServer(
    await bundleForNode("bench/children/proxy-server.ts", join(directory, "proxy-server.mjs")),
    [emulator.url],
  );
  const portkeyNode = portkeyMissing ? undefined : await startPortkeyNode(emulator.url);
  try {
    return await runProxy({ emulator, oursNode, portkeyNode, portkeyMissing }, plan.proxy);
  } finally {
    await Promise.all([oursNode.stop(), portkeyNode?.stop()]);
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) console.error(`npm run bench: ${error.message}`);
  else console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
