/// <reference types="node" />
// npm start: the proxy in the local Workers runtime (`wrangler dev`) on http://127.0.0.1:8787,
// with wrangler.toml's Durable Objects, rate limiter and D1 database all local (the database is
// migrated first, from migrations/): no Cloudflare account is needed.
//
// - No AWS credentials (neither in .dev.vars nor in the shell): the Bedrock emulator is served
//   on 127.0.0.1:4010 and the proxy points at it, with one demo model per route and the dev key
//   sk-local-dev, through generated env files under .wrangler/, .dev.vars read between them
//   (named for PORT: two `npm start` in one checkout each keep their own).
// - Credentials in .dev.vars: `wrangler dev` against real Bedrock (it reads .dev.vars).
// - Credentials in the shell only: passed to wrangler in a private env file, removed on exit (or,
//   after a kill that left no exit, by the next start: each file names its start's pid).
//
// In every mode .dev.vars is read, over the demo's bindings, and the proxy's bindings set in the
// shell (CORS_ORIGINS, LOG_PROMPTS, MODELS, the bindings MODELS' deployments name…) win over both,
// except the emulator's address, credentials and region in emulator mode (EMULATOR_OWNED); the
// banner names what it took from each, and what it left out.
//
// `npm start -- --emulator` uses the emulator even when credentials exist. PORT and
// EMULATOR_PORT move the two ports; a port in use is reported before anything starts.
// Wrangler's output is passed through but for its own request log lines (the Worker writes one
// JSON line per request) and its telemetry notice. Ctrl-C stops wrangler, then the emulator.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";
import { serveEmulator } from "../emulator/node.ts";
import { isMigrated, localDatabases, migrationInputs, readStamp, writeStamp } from "./local-database.ts";
import { killProcessTree, stopProcessTree } from "./process-tree.ts";
import {
  bannerText,
  type BusyPort,
  busyPortMessage,
  chooseMode,
  DEFAULT_EMULATOR_PORT,
  DEFAULT_HOST,
  DEFAULT_PORT,
  DEV_KEY,
  emulatorBannerLines,
  devVarsForEmulator,
  emulatorModeBindings,
  envFileName,
  envFileText,
  placeBindings,
  firstKey,
  isWranglerRequestLog,
  isWranglerTelemetryNotice,
  MIGRATE_ARGS,
  parseDotenv,
  profileNotes,
  realBedrockNotes,
  realBedrockPlan,
  shellBindings,
  staleEnvFiles,
  stringsOf,
  wranglerArgs,
  wranglerEnv,
  type Banner,
  type Mode,
} from "./dev-env.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 5_000;

type Cleanup = () => Promise<void> | void;

interface Upstream {
  /** `--env-file` arguments, in order (later files win). */
  envFiles: string[];
  /** `--var` arguments: what no env file can keep (placeBindings). */
  commandLine: Record<string, string>;
  description: string;
  key: string | undefined;
  /** Where `key` comes from, said in the banner (which shows only its last characters). */
  keySource: string;
  /** The names taken from .dev.vars, when it exists. */
  devVars: Banner["devVars"];
  shell: NonNullable<Banner["shell"]>;
  /** More banner lines, given the proxy's URL. */
  extra?: (url: string) => string[];
  /** The env files written for wrangler: they may hold secrets, and go first when the proxy stops. */
  written: string[];
  cleanups: Cleanup[];
}

async function main(): Promise<void> {
  const host = DEFAULT_HOST;
  const port = portFromEnv("PORT", DEFAULT_PORT);
  const devVarsPath = join(ROOT, ".dev.vars");
  const devVars = existsSync(devVarsPath) ? parseDotenv(readFileSync(devVarsPath, "utf8")) : undefined;
  const mode: Mode = process.argv.includes("--emulator")
    ? { kind: "emulator", asked: true }
    : chooseMode(devVars, process.env);
  // Only emulator mode serves the emulator: its port is read, and checked, for it alone.
  const emulatorPort = mode.kind === "emulator" ? portFromEnv("EMULATOR_PORT", DEFAULT_EMULATOR_PORT) : undefined;
  if (emulatorPort === port) throw new Error(`PORT and EMULATOR_PORT are both ${port}: give them different ports`);
  const ports = { PORT: port, ...(emulatorPort === undefined ? {} : { EMULATOR_PORT: emulatorPort }) };
  await ensurePortsFree(host, ports, mode.kind === "emulator" && mode.asked ? ["--emulator"] : []);
  removeStaleEnvFiles();
  const upstream = await prepareUpstream(mode, host, port, emulatorPort ?? DEFAULT_EMULATOR_PORT, devVars, devVarsPath);
  const url = `http://${host}:${port}`;

  await migrateLocalDatabase();
  const wrangler = startWrangler(wranglerArgs(host, port, upstream.envFiles, upstream.commandLine));
  const stop = stopper(wrangler, upstream.written, upstream.cleanups);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(signal, () => void stop(0));
  wrangler.once("exit", (code) => void stop(code ?? 1, "wrangler dev exited"));

  await waitUntilServing(url, wrangler);
  const { models, misconfigured } = await readProxy(url, upstream.key);
  const { description, key, keySource, devVars: fromDevVars, shell, extra } = upstream;
  const banner = { url, upstream: description, key, keySource, models, misconfigured, shell, extra: extra?.(url) };
  console.log(bannerText({ ...banner, devVars: fromDevVars }));
}

// wrangler.toml's [vars] as wrangler reads them, written as JSON on the last line (wrangler may warn before it).
const READ_VARS = `import { unstable_readConfig } from "wrangler";
process.stdout.write("\\n" + JSON.stringify(unstable_readConfig({ config: "wrangler.toml" }).vars ?? {}));`;

/**
 * wrangler.toml's [vars]; none when wrangler cannot read the file, which wrangler dev then reports.
 * Read in a child process: wrangler's module, imported, answers SIGINT and SIGTERM itself by
 * exiting, before npm start has stopped the wrangler dev it runs (left running, an orphan); and
 * it takes over a second to load, which emulator mode need not wait.
 */
function wranglerTomlVars(): Record<string, string> {
  const read = spawnSync(process.execPath, ["--input-type=module", "-e", READ_VARS], {
    cwd: ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
  try {
    return stringsOf(JSON.parse(read.stdout.slice(read.stdout.lastIndexOf("\n") + 1)) as Record<string, unknown>);
  } catch {
    return {};
  }
}

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${name} must be a port number, got ${raw}`);
  return port;
}

async function prepareUpstream(
  mode: Mode,
  host: string,
  /** The proxy's: it names this instance's env files (envFileName). */
  port: number,
  emulatorPort: number,
  devVars: Record<string, string> | undefined,
  devVarsPath: string,
): Promise<Upstream> {
  // With real Bedrock, MODELS may be wrangler.toml's, naming deployment credentials the shell holds.
  const shell = shellBindings(process.env, devVars, mode.kind === "emulator" ? undefined : wranglerTomlVars());
  if (mode.kind !== "emulator") {
    const { shellFile, description, key, keySource } = realBedrockPlan(shell, devVars);
    // Without --env-file wrangler reads .dev.vars itself; with one it does not, so .dev.vars is
    // named first and the shell's file after it (the shell wins).
    const placed = placeBindings(shellFile ? [shellFile] : []);
    const file = placed.files[0] && writeEnvFile(envFileName("bedrock-from-shell", port), placed.files[0]);
    return {
      envFiles: file ? [...(devVars ? [devVarsPath] : []), file] : [],
      commandLine: placed.commandLine,
      description,
      key,
      keySource,
      devVars: devVars && { used: Object.keys(devVars), ignored: [] },
      shell: { used: Object.keys(shell), ignored: [] },
      extra: () => realBedrockNotes(mode, shell, devVars),
      written: file ? [file] : [],
      cleanups: [],
    };
  }
  const served = await serveEmulator({ port: emulatorPort, hostname: host }).catch((error: unknown) => {
    throw new Error(
      `Could not start the Bedrock emulator: ${error instanceof Error ? error.message : String(error)} (is EMULATOR_PORT free?)`,
    );
  });
  const layered = devVarsForEmulator(devVars, mode.asked === true);
  const planned = emulatorModeBindings(served.url, shell, layered);
  // The demo's file, .dev.vars, then what wins over it (EmulatorModeBindings.files).
  const placed = placeBindings(planned.files.map((file) => (file === "dev-vars" ? (layered ?? {}) : file)));
  const envFiles = planned.files.map((file, index) =>
    file === "dev-vars"
      ? devVarsPath
      : writeEnvFile(envFileName(index ? "emulator-over" : "emulator", port), placed.files[index]!),
  );
  const key = firstKey(planned.bindings.PROXY_API_KEYS);
  const keyFrom = shell.PROXY_API_KEYS ? "the shell environment" : ".dev.vars";
  return {
    envFiles,
    description: `${served.url}, the Bedrock emulator (${mode.asked ? `asked for with --emulator: credentials, if any, are not used${devVars && !layered ? ", nor .dev.vars, which holds some" : ""}` : "no AWS credentials found; put them in .dev.vars for real Bedrock"})`,
    key,
    keySource: key === DEV_KEY ? "the dev key of emulator mode" : `the first of PROXY_API_KEYS in ${keyFrom}`,
    commandLine: placed.commandLine,
    devVars: planned.devVars,
    shell: { used: planned.fromShell, ignored: planned.ignored },
    extra: (url) => [...emulatorBannerLines(url, planned.demoInUse), ...profileNotes(mode, process.env)],
    // The generated files may hold .dev.vars' and the shell's values: gone with the proxy.
    written: envFiles.filter((file) => file !== devVarsPath),
    cleanups: [() => served.close()],
  };
}

/**
 * Refuses ports another process listens on, all of them at once: each named with the variable
 * that moves it and a free port (never one of the others asked for) to move it to.
 */
async function ensurePortsFree(
  host: string,
  ports: Partial<Record<BusyPort["name"], number>>,
  args: readonly string[],
): Promise<void> {
  const wanted = new Set(Object.values(ports));
  const busy: BusyPort[] = [];
  for (const [name, port] of Object.entries(ports) as Array<[BusyPort["name"], number]>) {
    if (!(await portInUse(host, port))) continue;
    let free: number | undefined;
    for (let next = port + 1; free === undefined && next <= Math.min(port + 20, 65535); next++)
      if (!wanted.has(next) && !(await portInUse(host, next))) free = next;
    if (free !== undefined) wanted.add(free);
    busy.push({ name, port, free });
  }
  if (!busy.length) return;
  // The ports set in the environment and free, kept as they are in the command to run instead.
  const kept = Object.fromEntries(
    Object.entries(ports).filter(([name]) => process.env[name] && !busy.some((port) => port.name === name)),
  );
  throw new Error(busyPortMessage(host, busy, args, kept));
}

function portInUse(host: string, port: number): Promise<boolean> {
  const probe = createServer();
  return new Promise((resolve, reject) => {
    probe.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") resolve(true);
      else reject(error);
    });
    probe.listen(port, host, () => probe.close(() => resolve(false)));
  });
}

const ENV_DIR = join(ROOT, ".wrangler");

/**
 * Under .wrangler/ (gitignored), readable by this user only: it may hold credentials. Its first
 * line names this process, for a later start to tell whether it still runs (staleEnvFiles).
 */
function writeEnvFile(name: string, vars: Record<string, string>): string {
  mkdirSync(ENV_DIR, { recursive: true });
  const file = join(ENV_DIR, name);
  writeFileSync(file, envFileText(vars, process.pid), { mode: 0o600 });
  return file;
}

/** Removes the env files a killed `npm start` left (staleEnvFiles); a running one's stay. */
function removeStaleEnvFiles(): void {
  if (!existsSync(ENV_DIR)) return;
  const files = readdirSync(ENV_DIR)
    .filter((name) => name.endsWith(".env"))
    .map((name) => ({ name, text: readOrEmpty(join(ENV_DIR, name)) }));
  for (const name of staleEnvFiles(files, isRunning)) rmSync(join(ENV_DIR, name), { force: true });
}

/** A file's text; nothing for one another start removed meanwhile. */
function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

/** Whether a process runs: signal 0 checks without sending; EPERM is one of another user's. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function spawnWrangler(args: readonly string[]): ChildProcess {
  // The local wrangler's JS entry, run by this Node: no npx shell in between to swallow signals.
  const bin = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
  if (!existsSync(bin)) throw new Error("wrangler is not installed: run npm install");
  // Piped, wrangler would drop its colours; a terminal behind this process keeps them.
  const colour = process.stdout.isTTY ? { FORCE_COLOR: "1" } : {};
  return spawn(process.execPath, [bin, ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: wranglerEnv({ ...colour, ...process.env }),
  });
}

function startWrangler(args: string[]): ChildProcess {
  const wrangler = spawnWrangler(args);
  forwardLines(wrangler.stdout!, process.stdout);
  forwardLines(wrangler.stderr!, process.stderr);
  return wrangler;
}

/**
 * The local D1 database of usage records (under .wrangler/, where wrangler dev finds it), made
 * or brought up to date from migrations/: no Cloudflare account is involved. Its output is
 * shown only when it fails. Skipped when nothing it depends on changed since the last start
 * migrated it (scripts/local-database.ts).
 */
async function migrateLocalDatabase(): Promise<void> {
  const inputs = migrationInputs(ROOT);
  if (isMigrated(readStamp(ROOT), inputs, localDatabases(ROOT))) return;
  const migrate = spawnWrangler(MIGRATE_ARGS);
  let output = "";
  migrate.stdout?.on("data", (data: Buffer) => (output += data.toString()));
  migrate.stderr?.on("data", (data: Buffer) => (output += data.toString()));
  const code = await new Promise<number | null>((resolve) => migrate.once("exit", resolve));
  if (code !== 0) throw new Error(`wrangler ${MIGRATE_ARGS.join(" ")} failed:\n${output}`);
  writeStamp(ROOT, inputs);
}

/** Copies output line by line, but for wrangler's own request log lines and its telemetry notice. */
function forwardLines(from: Readable, to: Writable): void {
  let partial = "";
  const forward = (line: string) => {
    const plain = stripVTControlCharacters(line);
    if (!isWranglerRequestLog(plain) && !isWranglerTelemetryNotice(plain)) to.write(`${line}\n`);
  };
  from.setEncoding("utf8");
  from.on("data", (text: string) => {
    const lines = (partial + text).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) forward(line);
  });
  from.on("end", () => {
    if (partial) forward(partial);
  });
}

/** Stops wrangler (politely, then firmly) and then everything else, once. */
function stopper(
  wrangler: ChildProcess,
  written: string[],
  cleanups: Cleanup[],
): (code: number, why?: string) => Promise<void> {
  let stopping = false;
  // Wrangler read them when it started. Removed at once, before anything that waits: `npm start`
  // runs under tsx, whose parent kills this process 60 ms after relaying a Ctrl-C it was not told
  // of in time, and stopping wrangler takes longer than that.
  const removeWritten = () => {
    for (const file of written) rmSync(file, { force: true });
  };
  // If this process dies some other way, wrangler must not outlive it, nor what it started: the
  // kill first, which a removal that threw would otherwise skip.
  process.once("exit", () => {
    if (wrangler.exitCode === null && wrangler.signalCode === null) killProcessTree(wrangler);
    removeWritten();
  });
  return async (code, why) => {
    if (stopping) return;
    stopping = true;
    removeWritten();
    if (why) console.error(why);
    await stopProcessTree(wrangler, STOP_TIMEOUT_MS);
    for (const cleanup of cleanups) await cleanup();
    process.exit(code);
  };
}

// The Worker logs this probe's requests, and readProxy's, as any others (docs/PROXY-REFERENCE.md, `npm start` in full):
// they stay in the output, as with a configuration problem their lines are the first to list it.
async function waitUntilServing(url: string, wrangler: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (wrangler.exitCode !== null) throw new Error("wrangler dev exited before it was ready");
    // Any answer will do: /health is 503 when the configuration still needs fixing.
    if (
      await fetch(`${url}/health`).then(
        () => true,
        () => false,
      )
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`wrangler dev did not answer on ${url} within ${READY_TIMEOUT_MS / 1000} s`);
}

const MODEL_LIST_TRIES = 3;

/**
 * The model names the proxy lists, and whether it says its configuration has problems: /health
 * answers 503 then (even without a key), and /v1/models a 500 when no model can be served.
 */
async function readProxy(url: string, key: string | undefined): Promise<{ models: string[]; misconfigured: boolean }> {
  const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
  const health = await fetch(`${url}/health`, { headers }).catch(() => undefined);
  await health?.body?.cancel();
  const misconfigured = health?.status === 503;
  const models: string[] = [];
  // A few tries: once, on a loaded machine (a clean-clone CI run, 2026-11-29), the list did not
  // come back though the same start lists its models when run alone; one failed read should not
  // make the banner say no model is listed and send the user looking for a mistake in MODELS.
  for (let tries = 0; key && tries < MODEL_LIST_TRIES; tries++) {
    if (tries > 0) await new Promise((resolve) => setTimeout(resolve, 500));
    try {
      const response = await fetch(`${url}/v1/models`, { headers });
      const body = (await response.json()) as { data?: { id: string }[] };
      if (response.ok) return { models: (body.data ?? []).map((model) => model.id), misconfigured };
      // A 500 is the configuration's own answer (no model can be served): asking again changes nothing.
      if (response.status >= 500) return { models, misconfigured: true };
    } catch {
      // No list this time.
    }
  }
  return { models, misconfigured };
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
