// A USAGE_DB whose usage table was never created: its migrations applied to wrangler's local copy
// only (`migrations apply` without --remote), or not at all. D1 then refuses every statement on
// it ("no such table: usage"). The proxy says so in the same words wherever it shows: GET
// /v1/usage's error, /health's problems, and the log line of each usage record it loses. And a
// table made before migrations/0002: it has no service_tier column, so rows are written without.
import type { D1Database } from "./cloudflare.ts";

export const USAGE_TABLE_MISSING =
  "USAGE_DB's database has no usage table: create it with `npx wrangler d1 migrations apply USAGE_DB --remote`";

/** D1's refusal of a statement on a usage table that does not exist. */
export function isUsageTableMissing(error: unknown): boolean {
  return error instanceof Error && /\bno such table: usage\b/i.test(error.message);
}

/**
 * A usage table made before migrations/0002_usage_service_tier.sql was applied: its rows are
 * written without the tier that served (usage.ts usageWriter), and a line says so once per isolate.
 */
export const USAGE_TIER_COLUMN_MISSING =
  "USAGE_DB's usage table has no service_tier column: usage records are written without the tier that served until it is added with `npx wrangler d1 migrations apply USAGE_DB --remote`";

/** D1's refusal of an insert that names the service_tier column, on a table that has none. */
export function isTierColumnMissing(error: unknown): boolean {
  return error instanceof Error && /\b(?:has no column named|no such column:) service_tier\b/i.test(error.message);
}

/** A failed usage write as the log tells it: the missing table in USAGE_TABLE_MISSING's words. */
export function explainUsageFailure(error: unknown): unknown {
  return isUsageTableMissing(error) ? new Error(USAGE_TABLE_MISSING, { cause: error }) : error;
}

/**
 * How long concurrent /health requests share one look. workerd cancels an ended request's I/O, so
 * a look started by a /health whose client left may never settle: one older than this is given up
 * for a new one, rather than awaited by every later /health of the isolate. D1 answers such a
 * statement in milliseconds.
 */
const LOOK_SHARED_MS = 1000;

/**
 * /health's look for the table: one statement that reads no row. Once the table is there it is
 * not looked for again in this isolate; while it is missing (or the look fails), the next /health
 * looks again, so that applying the migrations clears the problem without a new deployment.
 * Calls to models never look: their records are written after the answer, and a lost one says
 * why in its own log line.
 */
export function usageTableCheck(db: D1Database, now: () => number = Date.now): () => Promise<string[]> {
  let found = false;
  let looking: { at: number; problems: Promise<string[]> } | undefined;
  const look = async (): Promise<string[]> => {
    try {
      await db.prepare("SELECT 1 FROM usage LIMIT 0").all();
      found = true;
      return [];
    } catch (error) {
      // Only the missing table is the deployment's problem; D1 failing for a moment is not one.
      return isUsageTableMissing(error) ? [USAGE_TABLE_MISSING] : [];
    }
  };
  const check = (): Promise<string[]> => {
    if (found) return Promise.resolve([]);
    const at = now();
    // Concurrent /health requests share one look; the next one after it looks afresh.
    if (looking && at - looking.at < LOOK_SHARED_MS) return joined(looking.problems, looking.at + LOOK_SHARED_MS - at);
    const problems = look().finally(() => {
      // Only its own entry: a look given up may answer after its successor started.
      if (looking?.problems === problems) looking = undefined;
    });
    looking = { at, problems };
    return problems;
  };
  // A /health that joins a look waits for it only while it is shared: the look may be one a
  // cancelled request left that never settles, and then this request looks for itself.
  const joined = (shared: Promise<string[]>, left: number): Promise<string[]> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const afresh = new Promise<string[]>((resolve) => {
      timer = setTimeout(() => resolve(check()), left);
    });
    return Promise.race([shared, afresh]).finally(() => clearTimeout(timer));
  };
  return check;
}
