/// <reference types="node" />
// Whether npm start's local D1 database is migrated already, so that a start need not run
// `wrangler d1 migrations apply` again (about 3 s of a 7.6 s start: a wrangler and a workerd of
// its own).
//
// After it migrates, npm start writes a stamp in .wrangler/state/, beside the databases, so that
// deleting the local state deletes it too. It holds a digest of what the migration was made from
// (the migration files of every `migrations_dir` wrangler.toml names, wrangler.toml, the `.env`
// files wrangler reads, CLOUDFLARE_ENV, wrangler's version) and the database files wrangler left,
// each by its inode and creation time. A later start skips the migration only when all of that
// is unchanged. Where something cannot be known, it migrates, as every start did before: a
// wrangler.json(c) (read instead of wrangler.toml), a filesystem that keeps no creation time (a
// file made anew can take a deleted one's inode), no database where wrangler 4 keeps them.
// What the stamp cannot see is a table dropped by hand inside the same file; the proxy then says
// so itself (`usage_table_missing`, in /health and on the calls' log lines), and deleting
// .wrangler/state/bedrock-edge-migrated.json makes the next start migrate.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface MigrationStamp {
  /** A digest of what the migration was made from. */
  inputs: string;
  /** The local D1 database files (relative to the project), each by its inode and creation time. */
  databases: Record<string, string>;
}

const STATE = join(".wrangler", "state");
/** The stamp, relative to the project. */
export const STAMP = join(STATE, "bedrock-edge-migrated.json");
/** Where wrangler dev and `d1 migrations apply --local` keep local D1 databases (wrangler 4). */
const D1_STATE = join(STATE, "v3", "d1");
/** Bumped when what the stamp means changes: older stamps then migrate once. */
const STAMP_FORMAT = "1";

function fileText(path: string): string {
  return existsSync(path) ? readFileSync(path, "utf8") : "";
}

/**
 * A digest of what the migration is made from; undefined when that cannot be told (a
 * wrangler.json(c), which wrangler reads instead of wrangler.toml; an unreadable wrangler).
 */
export function migrationInputs(root: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (existsSync(join(root, "wrangler.json")) || existsSync(join(root, "wrangler.jsonc"))) return undefined;
  const toml = fileText(join(root, "wrangler.toml"));
  let version: unknown;
  try {
    version = (
      JSON.parse(readFileSync(join(root, "node_modules", "wrangler", "package.json"), "utf8")) as {
        version?: unknown;
      }
    ).version;
  } catch {
    return undefined;
  }
  const hash = createHash("sha256");
  hash.update(`${STAMP_FORMAT}\0wrangler ${String(version)}\0CLOUDFLARE_ENV ${env.CLOUDFLARE_ENV ?? ""}\0`);
  hash.update(`wrangler.toml\0${toml}\0`);
  // The .env files wrangler loads into its own environment (CLOUDFLARE_ENV among what they may set).
  for (const name of readdirSync(root)
    .filter((entry) => /^\.env(\..+)?$/.test(entry))
    .sort()) {
    hash.update(`${name}\0${fileText(join(root, name))}\0`);
  }
  const directories = [...toml.matchAll(/^\s*migrations_dir\s*=\s*["']([^"']+)["']/gm)].map((match) => match[1]!);
  for (const directory of [...new Set(directories.length ? directories : ["migrations"])].sort()) {
    const path = join(root, directory);
    const files = existsSync(path) ? readdirSync(path).filter((name) => name.endsWith(".sql")) : [];
    for (const name of files.sort()) hash.update(`${directory}/${name}\0${fileText(join(path, name))}\0`);
  }
  return hash.digest("hex");
}

/**
 * The local D1 database files now, each by its inode and creation time; none when wrangler made
 * none; undefined when a file's creation time is unknown (its filesystem keeps none).
 */
export function localDatabases(root: string): Record<string, string> | undefined {
  const state = join(root, D1_STATE);
  if (!existsSync(state)) return {};
  const databases: Record<string, string> = {};
  for (const name of readdirSync(state, { recursive: true, encoding: "utf8" })) {
    if (!name.endsWith(".sqlite")) continue;
    const path = join(D1_STATE, name);
    // Gone since it was listed (another wrangler at work in the checkout): not counted.
    const found = statSync(join(root, path), { throwIfNoEntry: false });
    if (!found) continue;
    if (!found.birthtimeMs) return undefined;
    databases[path] = `${found.ino} ${found.birthtimeMs}`;
  }
  return databases;
}

/** True when `stamp` was written for these inputs and its database files are all still the same. */
export function isMigrated(
  stamp: MigrationStamp | undefined,
  inputs: string | undefined,
  databases: Record<string, string> | undefined,
): boolean {
  if (!stamp || inputs === undefined || stamp.inputs !== inputs || !databases) return false;
  const files = Object.entries(stamp.databases);
  return files.length > 0 && files.every(([path, identity]) => databases[path] === identity);
}

export function readStamp(root: string): MigrationStamp | undefined {
  try {
    const stamp = JSON.parse(readFileSync(join(root, STAMP), "utf8")) as Partial<MigrationStamp>;
    return typeof stamp.inputs === "string" && stamp.databases && typeof stamp.databases === "object"
      ? { inputs: stamp.inputs, databases: stamp.databases }
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Written after a migration that succeeded, when what it was made from is what it was before
 * (`inputs`, taken then): a migration file changed meanwhile may not have been applied. Written
 * whole or not at all (a file renamed into place). False when there was nothing to write, or it
 * could not be written: the next start migrates again, no more.
 */
export function writeStamp(root: string, inputs: string | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  const databases = localDatabases(root);
  if (inputs === undefined || migrationInputs(root, env) !== inputs || !databases) return false;
  const stamp: MigrationStamp = { inputs, databases };
  const path = join(root, STAMP);
  try {
    writeFileSync(`${path}.${process.pid}`, `${JSON.stringify(stamp, null, 2)}\n`);
    renameSync(`${path}.${process.pid}`, path);
    return true;
  } catch {
    return false;
  }
}
