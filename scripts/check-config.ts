/// <reference types="node" />
// npm run check-config: the proxy's configuration problems, read before a deployment rather than
// from /health after one. The bindings are those the Worker would get: wrangler.toml's [vars]
// (and a stand-in for each Durable Object, D1 database and rate limiter it declares), then
// .dev.vars (or the file given with `--env-file <path>`), then the shell's values of the names
// the proxy reads. They go through the proxy's own reader (worker/state.ts, what /health reports),
// so this check cannot drift from it. Exit 0 and "ok" with the model and key counts, or every
// problem (free of secrets, as /health's are) and exit 1. No binding's value is printed.
//
// wrangler.toml and .dev.vars are read from the current directory, as wrangler reads them.
import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { unstable_readConfig } from "wrangler";
import { stateCache } from "../worker/state.ts";
import type { ProxyBindings } from "../worker/config.ts";
import { parseDotenv, shellBindings } from "./dev-env.ts";

/** What wrangler.toml declares that the proxy reads: its [vars] and the names of its bindings. */
interface DeclaredBindings {
  vars: Record<string, unknown>;
  durableObjects: string[];
  databases: string[];
  rateLimiters: string[];
}

/**
 * The bindings as the deployed Worker would get them: [vars], the env file over them, the shell
 * over both. The declared bindings are stand-ins that the proxy recognises (it reads them only to
 * see that they are bound) and that refuse any use: the check makes no call.
 */
function bindingsFor(
  declared: DeclaredBindings,
  envFile: Record<string, string>,
  shell: Record<string, string>,
): ProxyBindings {
  const unused = () => {
    throw new Error("npm run check-config makes no call to a binding");
  };
  const standIns = {
    ...Object.fromEntries(declared.durableObjects.map((name) => [name, { idFromName: unused, get: unused }])),
    ...Object.fromEntries(declared.databases.map((name) => [name, { prepare: unused, exec: unused }])),
    ...Object.fromEntries(declared.rateLimiters.map((name) => [name, { limit: unused }])),
  };
  return { ...declared.vars, ...standIns, ...envFile, ...shell } as ProxyBindings;
}

/** What the check prints, and its exit code: the proxy's problems, or its counts. */
async function checkBindings(env: ProxyBindings): Promise<{ lines: string[]; code: number }> {
  const state = stateCache(env, {})(env);
  const problems = await state.problems;
  if (problems.length > 0) {
    return {
      lines: [
        `${problems.length} problem${problems.length === 1 ? "" : "s"}:`,
        ...problems.map((problem) => `- ${problem}`),
      ],
      code: 1,
    };
  }
  const models = Object.keys(state.ready?.config.models ?? {}).length;
  const keys = state.keys.count;
  return { lines: [`ok: ${models} model${models === 1 ? "" : "s"}, ${keys} key${keys === 1 ? "" : "s"}`], code: 0 };
}

/** The part of wrangler's reading of wrangler.toml used here: its own types reach this project as `any`. */
interface WranglerConfig {
  vars: Record<string, unknown>;
  durable_objects: { bindings: { name: string }[] };
  d1_databases: { binding: string }[];
  ratelimits?: { name: string }[];
}

function declaredIn(configPath: string): DeclaredBindings {
  const config: WranglerConfig = unstable_readConfig({ config: configPath });
  return {
    vars: { ...config.vars },
    durableObjects: config.durable_objects.bindings.map((binding) => binding.name),
    databases: config.d1_databases.map((database) => database.binding),
    rateLimiters: (config.ratelimits ?? []).map((limiter) => limiter.name),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { "env-file": { type: "string" } } });
  const envPath = values["env-file"] ?? ".dev.vars";
  if (values["env-file"] !== undefined && !existsSync(envPath)) {
    console.error(`check-config: no file ${envPath}`);
    process.exit(2);
  }
  const envFile = existsSync(envPath) ? parseDotenv(readFileSync(envPath, "utf8")) : {};
  const env = bindingsFor(declaredIn("wrangler.toml"), envFile, shellBindings(process.env, envFile));
  const { lines, code } = await checkBindings(env);
  console.log(lines.join("\n"));
  process.exitCode = code;
}

await main();
