/// <reference types="node" />
// What wrangler.toml declares that the proxy reads, as wrangler itself reads the file (its [env]
// sections, its defaults), for npm run check-config. Imported, wrangler's module answers SIGINT
// and SIGTERM by exiting: npm start, which must stop the wrangler dev it runs, reads [vars] in a child.
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
