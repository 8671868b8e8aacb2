/// <reference types="node" />
// Whether npm start's local D1 database is migrated already, so that a start need not run
// `wrangler d1 migrations apply` again (3.3 s of a 7 s start, a wrangler and a workerd of its own).
//
// After it migrates, npm start writes a stamp under .wrangler/: what the migration was made from
// (migrations/'s files, wrangler.toml, wrangler's version) and the database files wrangler left,
// each with its inode and creation time. A later start skips the migration only when all of that
// is unchanged: a migration added or edited, another database_id, another wrangler, or the local
// state deleted or made anew (another file, though it may reuse a deleted one's inode) migrates
// again. What the stamp cannot see is a table dropped by hand
// inside the same file; the proxy then says so itself (`usage_table_missing`, in /health and on
// the calls' log lines), and deleting .wrangler/ or the stamp makes the next start migrate.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface MigrationStamp {
  /** A digest of what the migration was made from. */
  inputs: string;
  /** The local D1 database files (relative to the project), each by its inode and creation time. */
  databases: Record<string, string>;
}

const STAMP = join(".wrangler", "bedrock-edge-migrated.json");
/** Where wrangler dev and `d1 migrations apply --local` keep local D1 databases (wrangler 4). */
const D1_STATE = join(".wrangler", "state", "v3", "d1");

function fileText(path: string): string {
  return existsSync(path) ? readFileSync(path, "utf8") : "";
}

/** A digest of migrations/'s files (names and contents), wrangler.toml and wrangler's version. */
export function migrationInputs(root: string): string {
  const hash = createHash("sha256");
  const migrations = join(root, "migrations");
  const files = existsSync(migrations) ? readdirSync(migrations).filter((name) => name.endsWith(".sql")) : [];
  for (const name of files.sort()) hash.update(`${name}\0${fileText(join(migrations, name))}\0`);
  hash.update(`wrangler.toml\0${fileText(join(root, "wrangler.toml"))}\0`);
  const wrangler = fileText(join(root, "node_modules", "wrangler", "package.json"));
  hash.update(`wrangler\0${wrangler ? String((JSON.parse(wrangler) as { version?: unknown }).version) : ""}`);
  return hash.digest("hex");
}

/** The local D1 database files now, each by its inode and creation time; none when wrangler made none. */
export function localDatabases(root: string): Record<string, string> {
  const state = join(root, D1_STATE);
  if (!existsSync(state)) return {};
  const databases: Record<string, string> = {};
  for (const name of readdirSync(state, { recursive: true, encoding: "utf8" })) {
    if (!name.endsWith(".sqlite")) continue;
    const path = join(D1_STATE, name);
    // Gone since it was listed (another wrangler at work in the checkout): not counted.
    const found = statSync(join(root, path), { throwIfNoEntry: false });
    if (found) databases[path] = `${found.ino} ${found.birthtimeMs}`;
  }
  return databases;
}

/** True when `stamp` was written for these inputs and its database files are all still the same. */
export function isMigrated(
  stamp: MigrationStamp | undefined,
  inputs: string,
  databases: Record<string, string>,
): boolean {
  if (!stamp || stamp.inputs !== inputs) return false;
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

/** Written after a migration that succeeded: what it was made from and the files it left. */
export function writeStamp(root: string, inputs: string): void {
  const stamp: MigrationStamp = { inputs, databases: localDatabases(root) };
  writeFileSync(join(root, STAMP), `${JSON.stringify(stamp, null, 2)}\n`);
}
