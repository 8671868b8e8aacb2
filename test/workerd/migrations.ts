// The usage database's schema as `wrangler d1 migrations apply` writes it: every migration file of
// migrations/, in order, statement by statement (D1's prepare takes one at a time); or those up to
// one (`through`, a file's number), as a deployment that has not applied the later ones has it.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { D1Database } from "../../worker/cloudflare.ts";

const MIGRATIONS = fileURLToPath(new URL("../../migrations/", import.meta.url));

export async function applyMigrations(database: D1Database, through?: string): Promise<void> {
  for (const file of readdirSync(MIGRATIONS)
    .filter((name) => name.endsWith(".sql") && (through === undefined || name.slice(0, 4) <= through))
    .sort()) {
    const sql = readFileSync(`${MIGRATIONS}${file}`, "utf8").replace(/--.*$/gm, "");
    for (const statement of sql
      .split(";")
      .map((text) => text.trim())
      .filter(Boolean)) {
      await database.prepare(statement).run();
    }
  }
}
