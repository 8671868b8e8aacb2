/// <reference types="node" />
// npm start: the proxy in the local Workers runtime (`wrangler dev`) on http://127.0.0.1:8787.
//
// - No AWS credentials (neither in .dev.vars nor in the shell): the Bedrock emulator is served
//   on 127.0.0.1:4010 and the proxy points at it, with one demo model per route and the dev key
//   sk-local-dev, through a generated env file under .wrangler/ (.dev.vars is left alone).
// - Credentials in .dev.vars: plain `wrangler dev` against real Bedrock (it reads .dev.vars).
// - Credentials in the shell only: passed to wrangler in a private env file, removed on exit.
//
// `npm start -- --emulator` uses the emulator even when credentials exist. PORT and
// EMULATOR_PORT move the two ports. Ctrl-C stops wrangler, then the emulator.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serveEmulator } from "../emulator/node.ts";
import {
  bannerText,
  chooseMode,
  DEFAULT_EMULATOR_PORT,
  DEFAULT_HOST,
  DEFAULT_PORT,
  DEV_KEY,
  emulatorBindings,
  envFileText,
  parseDotenv,
  wranglerArgs,
  type Mode,
} from "./dev-env.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 5_000;

type Cleanup = () => Promise<void> | void;

interface Upstream {
  /** `--env-file` arguments, in order (later files win). */
  envFiles: string[];
  description: string;
  key: string | undefined;
  /** Where `key` comes from, said in the banner (which shows only its last characters). */
  keySource: string;
  cleanups: Cleanup[];
}

async function main(): Promise<void> {
  const host = DEFAULT_HOST;
  const port = portFromEnv("PORT", DEFAULT_PORT);
  const devVarsPath = join(ROOT, ".dev.vars");
  const devVars = existsSync(devVarsPath) ? parseDotenv(readFileSync(devVarsPath, "utf8")) : undefined;
  const mode: Mode = process.argv.includes("--emulator") ? { kind: "emulator" } : chooseMode(devVars, process.env);
  const upstream = await prepareUpstream(mode, host, devVars, devVarsPath);
  const url = `http://${host}:${port}`;

  const wrangler = startWrangler(wranglerArgs(host, port, upstream.envFiles));
  const stop = stopper(wrangler, upstream.cleanups);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(signal, () => void stop(0));
  wrangler.once("exit", (code) => void stop(code ?? 1, "wrangler dev exited"));

  await waitUntilServing(url, wrangler);
  const models = await listModels(url, upstream.key);
  console.log(
    bannerText({ url, upstream: upstream.description, key: upstream.key, keySource: upstream.keySource, models }),
  );
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
  devVars: Record<string, string> | undefined,
  devVarsPath: string,
): Promise<Upstream> {
  if (mode.kind === "dev-vars") {
    // Plain wrangler dev: it reads .dev.vars on its own.
    return {
      envFiles: [],
      description: "Amazon Bedrock (credentials from .dev.vars)",
      key: firstKey(devVars?.PROXY_API_KEYS),
      keySource: "the first of PROXY_API_KEYS in .dev.vars",
      cleanups: [],
    };
  }
  if (mode.kind === "shell") {
    const file = writeEnvFile("bedrock-from-shell.env", mode.vars);
    return {
      // With --env-file wrangler skips .dev.vars, so it is named first (the shell wins).
      envFiles: [...(devVars ? [devVarsPath] : []), file],
      description: "Amazon Bedrock (credentials from the shell environment)",
      key: firstKey(mode.vars.PROXY_API_KEYS ?? devVars?.PROXY_API_KEYS),
      keySource: `the first of PROXY_API_KEYS in ${mode.vars.PROXY_API_KEYS ? "the shell environment" : ".dev.vars"}`,
      cleanups: [() => rmSync(file, { force: true })],
    };
  }
  const served = await serveEmulator({
    port: portFromEnv("EMULATOR_PORT", DEFAULT_EMULATOR_PORT),
    hostname: host,
  }).catch((error: unknown) => {
    throw new Error(
      `Could not start the Bedrock emulator: ${error instanceof Error ? error.message : String(error)} (is EMULATOR_PORT free?)`,
    );
  });
  return {
    envFiles: [writeEnvFile("emulator.env", emulatorBindings(served.url))],
    description: `${served.url}, the Bedrock emulator (no AWS credentials found; put them in .dev.vars for real Bedrock)`,
    key: DEV_KEY,
    keySource: "the dev key of emulator mode",
    cleanups: [() => served.close()],
  };
}

function firstKey(keys: string | undefined): string | undefined {
  return keys
    ?.split(",")
    .map((key) => key.trim())
    .find(Boolean);
}

/** Under .wrangler/ (gitignored), readable by this user only: it may hold credentials. */
function writeEnvFile(name: string, vars: Record<string, string>): string {
  const dir = join(ROOT, ".wrangler");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, envFileText(vars), { mode: 0o600 });
  return file;
}

function startWrangler(args: string[]): ChildProcess {
  // The local wrangler's JS entry, run by this Node: no npx shell in between to swallow signals.
  const bin = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
  if (!existsSync(bin)) throw new Error("wrangler is not installed: run npm install");
  return spawn(process.execPath, [bin, ...args], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
}

/** Stops wrangler (politely, then firmly) and then everything else, once. */
function stopper(wrangler: ChildProcess, cleanups: Cleanup[]): (code: number, why?: string) => Promise<void> {
  let stopping = false;
  // If this process dies some other way, wrangler must not outlive it.
  process.once("exit", () => {
    if (wrangler.exitCode === null && wrangler.signalCode === null) wrangler.kill("SIGKILL");
  });
  return async (code, why) => {
    if (stopping) return;
    stopping = true;
    if (why) console.error(why);
    await stopChild(wrangler);
    for (const cleanup of cleanups) await cleanup();
    process.exit(code);
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

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

async function listModels(url: string, key: string | undefined): Promise<string[]> {
  if (!key) return [];
  try {
    const response = await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
    if (!response.ok) return [];
    const body = (await response.json()) as { data?: { id: string }[] };
    return (body.data ?? []).map((model) => model.id);
  } catch {
    return [];
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
