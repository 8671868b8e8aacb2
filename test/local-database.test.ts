// npm start's check that its local D1 database is migrated already (scripts/local-database.ts),
// on a project laid out as wrangler leaves one. That the layout is wrangler's own is checked by a
// real npm start in test/workerd/start.test.ts.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  isMigrated,
  localDatabases,
  migrationInputs,
  readStamp,
  STAMP,
  writeStamp,
} from "../scripts/local-database.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const D1 = join(".wrangler", "state", "v3", "d1", "miniflare-D1DatabaseObject");

/** A project with two migrations, a wrangler.toml and wrangler 4.1.0, migrated (its databases made). */
function project(): string {
  const root = mkdtempSync(join(tmpdir(), "bedrock-edge-local-db-"));
  dirs.push(root);
  mkdirSync(join(root, "migrations"));
  writeFileSync(join(root, "migrations", "0001_usage.sql"), "CREATE TABLE usage (id TEXT);");
  writeFileSync(join(root, "migrations", "0002_more.sql"), "ALTER TABLE usage ADD COLUMN tier TEXT;");
  writeFileSync(join(root, "wrangler.toml"), 'name = "proxy"\n');
  mkdirSync(join(root, "node_modules", "wrangler"), { recursive: true });
  writeFileSync(join(root, "node_modules", "wrangler", "package.json"), '{"version":"4.1.0"}');
  makeDatabases(root);
  return root;
}

function makeDatabases(root: string): void {
  mkdirSync(join(root, D1), { recursive: true });
  writeFileSync(join(root, D1, "9ba2.sqlite"), "db");
  writeFileSync(join(root, D1, "9ba2.sqlite-wal"), "");
  writeFileSync(join(root, D1, "metadata.sqlite"), "meta");
}

const write = (root: string, path: string, text: string) => writeFileSync(join(root, path), text);

/** What npm start decides now, in a shell of `env`: true when it skips the migration. */
const skips = (root: string, env: NodeJS.ProcessEnv = {}) =>
  isMigrated(readStamp(root), migrationInputs(root, env), localDatabases(root));

describe("npm start's local database", () => {
  it("is migrated at the first start (no stamp), and not again while nothing changed", () => {
    const root = project();
    expect(skips(root)).toBe(false);
    expect(writeStamp(root, migrationInputs(root, {}), {})).toBe(true);
    expect(Object.keys(readStamp(root)?.databases ?? {}).sort()).toEqual([
      join(D1, "9ba2.sqlite"),
      join(D1, "metadata.sqlite"),
    ]);
    expect(skips(root)).toBe(true);
    // Rows written since, as the proxy writes them: the same file.
    writeFileSync(join(root, D1, "9ba2.sqlite"), "db with rows");
    expect(skips(root)).toBe(true);
  });

  it.each([
    ["a migration added", (root: string) => write(root, "migrations/0003_index.sql", "CREATE INDEX i ON usage (id);")],
    ["a migration edited", (root: string) => write(root, "migrations/0002_more.sql", "-- edited")],
    [
      "wrangler.toml edited (another database_id)",
      (root: string) => write(root, "wrangler.toml", 'database_id = "b"\n'),
    ],
    ["another wrangler", (root: string) => write(root, "node_modules/wrangler/package.json", '{"version":"4.2.0"}')],
    ["an .env file wrangler reads edited", (root: string) => write(root, ".env", "CLOUDFLARE_ENV=staging\n")],
    ["a wrangler.json beside it (wrangler reads it instead)", (root: string) => write(root, "wrangler.json", "{}")],
    ["the local state deleted", (root: string) => rmSync(join(root, ".wrangler", "state"), { recursive: true })],
    [
      "the local state deleted and made anew, the stamp with it",
      (root: string) => {
        rmSync(join(root, ".wrangler", "state"), { recursive: true });
        makeDatabases(root);
      },
    ],
    [
      "a database file made anew in the same state (it may reuse the old inode)",
      async (root: string) => {
        rmSync(join(root, D1, "9ba2.sqlite"));
        // Another creation time, whatever the clock's grain.
        await new Promise((resolve) => setTimeout(resolve, 20));
        write(root, join(D1, "9ba2.sqlite"), "db");
      },
    ],
  ])("is migrated again after %s", async (_, change: (root: string) => unknown) => {
    const root = project();
    expect(writeStamp(root, migrationInputs(root, {}), {})).toBe(true);
    expect(skips(root)).toBe(true);
    await change(root);
    expect(skips(root)).toBe(false);
  });

  it("is migrated again in another wrangler environment (CLOUDFLARE_ENV: another database)", () => {
    const root = project();
    writeStamp(root, migrationInputs(root, {}), {});
    expect(skips(root)).toBe(true);
    expect(skips(root, { CLOUDFLARE_ENV: "staging" })).toBe(false);
  });

  it("reads migrations_dir from wrangler.toml: a migration added there migrates again", () => {
    const root = project();
    write(root, "wrangler.toml", '[[d1_databases]]\nmigrations_dir = "db/migrations"\n');
    mkdirSync(join(root, "db", "migrations"), { recursive: true });
    writeStamp(root, migrationInputs(root, {}), {});
    expect(skips(root)).toBe(true);
    write(root, "db/migrations/0001_usage.sql", "CREATE TABLE usage (id TEXT);");
    expect(skips(root)).toBe(false);
  });

  it("is not stamped when a migration file changed while it ran: that one may not have been applied", () => {
    const root = project();
    const before = migrationInputs(root, {});
    write(root, "migrations/0003_index.sql", "CREATE INDEX i ON usage (id);");
    expect(writeStamp(root, before, {})).toBe(false);
    expect(readStamp(root)).toBeUndefined();
  });

  it("is always migrated when wrangler left no database where it keeps them (another layout), or the stamp is unreadable", () => {
    const root = project();
    rmSync(join(root, ".wrangler", "state"), { recursive: true });
    mkdirSync(join(root, ".wrangler", "state"), { recursive: true });
    expect(writeStamp(root, migrationInputs(root, {}), {})).toBe(true);
    expect(readStamp(root)?.databases).toEqual({});
    expect(skips(root)).toBe(false);
    write(root, STAMP, "{ not json");
    expect(readStamp(root)).toBeUndefined();
    expect(skips(root)).toBe(false);
  });
});
