// npm start's check that its local D1 database is migrated already (scripts/local-database.ts),
// on a project laid out as wrangler leaves one. That the layout is wrangler's own is checked by a
// real npm start in test/workerd/start.test.ts.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isMigrated, localDatabases, migrationInputs, readStamp, writeStamp } from "../scripts/local-database.ts";

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

/** What npm start decides now: true when it skips the migration. */
const skips = (root: string) => isMigrated(readStamp(root), migrationInputs(root), localDatabases(root));

describe("npm start's local database", () => {
  it("is migrated at the first start (no stamp), and not again while nothing changed", () => {
    const root = project();
    expect(skips(root)).toBe(false);
    writeStamp(root, migrationInputs(root));
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
    [
      "a migration added",
      (root: string) => writeFileSync(join(root, "migrations", "0003_index.sql"), "CREATE INDEX i ON usage (id);"),
    ],
    ["a migration edited", (root: string) => writeFileSync(join(root, "migrations", "0002_more.sql"), "-- edited")],
    [
      "wrangler.toml edited (another database_id)",
      (root: string) => writeFileSync(join(root, "wrangler.toml"), 'database_id = "b"\n'),
    ],
    [
      "another wrangler",
      (root: string) => writeFileSync(join(root, "node_modules", "wrangler", "package.json"), '{"version":"4.2.0"}'),
    ],
    ["the local state deleted", (root: string) => rmSync(join(root, ".wrangler", "state"), { recursive: true })],
    [
      "the local state deleted and made anew (the files may reuse the old inodes)",
      (root: string) => {
        rmSync(join(root, ".wrangler", "state"), { recursive: true });
        makeDatabases(root);
      },
    ],
  ])("is migrated again after %s", (_, change) => {
    const root = project();
    writeStamp(root, migrationInputs(root));
    expect(skips(root)).toBe(true);
    change(root);
    expect(skips(root)).toBe(false);
  });

  it("is always migrated when wrangler left no database where it keeps them (another layout), or the stamp is unreadable", () => {
    const root = project();
    rmSync(join(root, ".wrangler", "state"), { recursive: true });
    mkdirSync(join(root, ".wrangler"), { recursive: true });
    writeStamp(root, migrationInputs(root));
    expect(readStamp(root)?.databases).toEqual({});
    expect(skips(root)).toBe(false);
    writeFileSync(join(root, ".wrangler", "bedrock-edge-migrated.json"), "{ not json");
    expect(readStamp(root)).toBeUndefined();
    expect(skips(root)).toBe(false);
  });
});
