/// <reference types="node" />
// npm run check-config: the proxy's configuration problems, read before a deployment rather than
// from /health after one. The bindings are those the Worker would get: wrangler.toml's [vars]
// (and a stand-in for each Durable Object, D1 database and rate limiter it declares), then
// .dev.vars (or the file given with `--dev-vars <path>`), then the shell's values of the names
// the proxy reads. `--env <name>` reads wrangler.toml's [env.<name>] as `wrangler deploy --env
// <name>` does (its vars are not inherited from the top level). They go through the proxy's own reader (worker/state.ts, what /health reports),
// so this check cannot drift from it. Exit 0 and "ok" with the model and key counts, or every
// problem (free of secrets, as /health's are) and exit 1. No binding's value is printed.
//
// wrangler.toml and .dev.vars are read from the current directory, as wrangler reads them.
import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { unstable_readConfig } from "wrangler";
import { plural } from "../worker/http.ts";
import { stateCache } from "../worker/state.ts";
import type { ProxyBindings } from "../worker/config.ts";
import { parseDotenv, shellBindings, stringsOf } from "./dev-env.ts";

/** What wrangler.toml declares that the proxy reads: its [vars] and the names of its bindings. */
interface DeclaredBindings {
  vars: Record<string, unknown>;
  durableObjects: string[];
  databases: string[];
  rateLimiters: string[];
}

/** The part of wrangler's reading of wrangler.toml used here: its own types reach this project as `any`. */
interface WranglerConfig {
  vars: Record<string, unknown>;
  durable_objects: { bindings: { name: string }[] };
  d1_databases: { binding: string }[];
  ratelimits?: { name: string }[];
}

function declaredIn(configPath: string, env: string | undefined): DeclaredBindings {
  const config: WranglerConfig = unstable_readConfig({ config: configPath, env });
  return {
    vars: { ...config.vars },
    durableObjects: config.durable_objects.bindings.map((binding) => binding.name),
    databases: config.d1_databases.map((database) => database.binding),
    rateLimiters: (config.ratelimits ?? []).map((limiter) => limiter.name),
  };
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
      lines: [`${plural(problems.length, "problem")}:`, ...problems.map((problem) => `- ${problem}`)],
      code: 1,
    };
  }
  const models = Object.keys(state.ready?.config.models ?? {}).length;
  const keys = state.keys.count;
  return { lines: [`ok: ${plural(models, "model")}, ${plural(keys, "key")}`], code: 0 };
}

const USAGE = "usage: npm run check-config [-- --env <name>] [--dev-vars <path>]";

/** A failure to read the inputs: exit 2, apart from problems' 1, in one line that quotes no file. */
function unreadable(line: string): never {
  console.error(`check-config: ${line}`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values: { env?: string | undefined; "dev-vars"?: string | undefined };
  try {
    // Not --env-file: Node takes that one for itself before the script runs.
    ({ values } = parseArgs({ options: { env: { type: "string" }, "dev-vars": { type: "string" } } }));
  } catch {
    unreadable(USAGE);
  }
  const envPath = values["dev-vars"] ?? ".dev.vars";
  if (values["dev-vars"] !== undefined && !existsSync(envPath)) unreadable(`no file ${envPath}`);
  const envFile = existsSync(envPath) ? parseDotenv(readText(envPath)) : {};
  let declared: DeclaredBindings;
  try {
    declared = declaredIn("wrangler.toml", values.env);
  } catch (error) {
    // wrangler's error quotes the file, whose [vars] may hold what should have been a secret.
    unreadable(
      `wrangler.toml could not be read (${error instanceof Error ? error.name : "an error"}); \`npx wrangler deploy --dry-run\` says where.`,
    );
  }
  // MODELS in [vars] names deployment credentials too, which the shell may hold.
  const env = bindingsFor(declared, envFile, shellBindings(process.env, envFile, stringsOf(declared.vars)));
  const { lines, code } = await checkBindings(env);
  console.log(lines.join("\n"));
  process.exitCode = code;
}

/** A file's text, or exit 2 saying it could not be read (a directory, no permission). */
function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    unreadable(
      `${path} could not be read (${error instanceof Error && "code" in error ? String(error.code) : "an error"})`,
    );
  }
}

await main();
