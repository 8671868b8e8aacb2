/// <reference types="node" />
// What wrangler.toml declares that the proxy reads, as wrangler itself reads the file (its [env]
// sections, its defaults): npm run check-config and npm start share it.
import { unstable_readConfig } from "wrangler";

/** What wrangler.toml declares that the proxy reads: its [vars] and the names of its bindings. */
export interface DeclaredBindings {
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

/** wrangler.toml's (or `--env <name>`'s) declarations; throws wrangler's error, which may quote the file. */
export function declaredIn(configPath: string, env: string | undefined): DeclaredBindings {
  const config: WranglerConfig = unstable_readConfig({ config: configPath, env });
  return {
    vars: { ...config.vars },
    durableObjects: config.durable_objects.bindings.map((binding) => binding.name),
    databases: config.d1_databases.map((database) => database.binding),
    rateLimiters: (config.ratelimits ?? []).map((limiter) => limiter.name),
  };
}

/** [vars]' string values: a binding the proxy reads is text, and a JSON var is no MODELS. */
export function stringsOf(vars: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(vars).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
  );
}
