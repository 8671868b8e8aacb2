// Usage records in D1 (the USAGE_DB binding; the table is migrations/0001_usage.sql, 0002 adds
// its service_tier column, and 0003 the index SUMMARY's order walks): one row per request, made from its log line once the line is written,
// and the report GET /v1/usage answers, per day, key and model.
import type { D1Database } from "./cloudflare.ts";
import { type LogLine, requestDay } from "./log.ts";
import { isTierColumnMissing, USAGE_TIER_COLUMN_MISSING } from "./usage-table.ts";

/** What a row says of a request that reached a configured model: its public name and route. */
export interface ServedModel {
  model: string;
  route: string;
}

/**
 * The values of a row, in the order of INSERT_USAGE's columns, the tier that served last (the
 * column migrations/0002 adds). The model is the configured name the request was served under,
 * and null for any other (a 404 for a name that does not exist, a body refused before its model
 * was read): a client cannot add groups to the report by inventing names. The log line keeps the
 * name it sent.
 */
function usageRow(line: LogLine, served: ServedModel | undefined): (string | number | null)[] {
  return [
    line.time,
    requestDay(line),
    line.request_id,
    line.key ?? "",
    served?.model ?? null,
    served?.route ?? null,
    line.deployment ?? null,
    line.deployments_tried ?? null,
    line.path,
    line.stream ? 1 : 0,
    line.status,
    line.error_code ?? null,
    line.prompt_tokens ?? null,
    line.completion_tokens ?? null,
    line.ttft_ms ?? null,
    line.ms,
    line.retries ?? 0,
    line.service_tier ?? null,
  ];
}

// migrations/0001's columns; a database that has not applied 0002 has these alone.
const FIRST_COLUMNS = `time, day, request_id, key_name, model, route, deployment, deployments_tried,
  endpoint, stream, status, error_code, input_tokens, output_tokens, ttft_ms, duration_ms, retries`;
const INSERT_USAGE = `INSERT INTO usage (${FIRST_COLUMNS}, service_tier)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const INSERT_USAGE_WITHOUT_TIER = `INSERT INTO usage (${FIRST_COLUMNS})
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

// How long rows go without the tier, once the column was found missing, before it is tried again.
export const TIER_COLUMN_RETRY_MS = 60_000;

/** Writes the usage row of a request once its answer is out. */
export type UsageWriter = (line: LogLine, served: ServedModel | undefined) => Promise<void>;

/**
 * The row writer of one database, for the life of an isolate. A database that has not applied
 * migrations/0002 has no service_tier column, and D1 refuses an insert that names it: the row is
 * written without the tier then, never lost, and `warn` is told once in the isolate
 * (USAGE_TIER_COLUMN_MISSING). For TIER_COLUMN_RETRY_MS after, rows go without it at once (not a
 * refused statement before each); then the column is tried again, so that applying the migration
 * takes effect without a new deployment.
 */
export function usageWriter(db: D1Database, warn: (message: string) => void, now = Date.now): UsageWriter {
  let missingSince: number | undefined;
  let warned = false;
  return async (line, served) => {
    const row = usageRow(line, served);
    if (missingSince === undefined || now() - missingSince >= TIER_COLUMN_RETRY_MS) {
      try {
        await db
          .prepare(INSERT_USAGE)
          .bind(...row)
          .run();
        missingSince = undefined;
        return;
      } catch (error) {
        if (!isTierColumnMissing(error)) throw error;
        missingSince = now();
        if (!warned) {
          warned = true;
          warn(USAGE_TIER_COLUMN_MISSING);
        }
      }
    }
    await db
      .prepare(INSERT_USAGE_WITHOUT_TIER)
      .bind(...row.slice(0, -1))
      .run();
  };
}

/** One row of GET /v1/usage: a day, a key, a model. */
export interface UsageSummary {
  day: string;
  key: string;
  model: string | null;
  requests: number;
  /** Answers with a status of 400 or more (499: the client left). */
  errors: number;
  /** Bedrock's counts summed; a request without them (its row's are NULL) adds 0. */
  input_tokens: number;
  output_tokens: number;
  /**
   * Requests whose row has no counts: refused before Bedrock, refused by it (billed nothing), or
   * cut off before its counts came (a stream the client left: billed, but for how much is unknown).
   * tokens_per_day charged these an estimate, so its counter may be above the sums (daytwo49 #6).
   */
  requests_without_counts: number;
  /** The library's retries of Bedrock calls (a cold model's waits included), not failovers. */
  retries: number;
  avg_duration_ms: number;
  /** Over the streams that sent a first chunk; null when none did. */
  avg_ttft_ms: number | null;
}

/** A report's groups, newest day first, and where the next page starts when there is more. */
export interface UsagePage {
  data: UsageSummary[];
  has_more: boolean;
  /** The `page` that asks for the groups after these (older days), or null on the last page. */
  next_page: string | null;
}

/** Where a page starts: after this group, in the report's order. */
interface Group {
  day: string;
  key: string;
  model: string | null;
}

// A page is a few groups per day, key and model: the cap keeps an unbounded `since` cheap. Past
// it the answer says so (has_more) and the next page carries on, never dropping a group.
const USAGE_PAGE_SIZE = 10_000;

// The token sums are TOTAL()s, floats, which never overflow as SUM()'s integers do (rows written
// before Bedrock's counts were bounded, at 2^62 each, made the report a 500 for good: numbers43
// #1), kept at MAX_SAFE_INTEGER, so that a sum past it reads as a whole number, never as null,
// Infinity or a number JSON cannot carry exactly. 0 for a group with no counts, as before: its
// requests_without_counts tells those apart from requests of 0 tokens.
const MAX_REPORTED_TOKENS = Number.MAX_SAFE_INTEGER;

// Newest days first, so that a capped answer holds the latest. A page after a group starts at the
// next one in this order (keyset paging: rows added meanwhile, today's, never shift it), and NULL
// models come first among a day's and a key's, as SQLite sorts NULL first. migrations/0003's index
// is in this order: without it, every page sorted all rows since `since` (amplify48b #1).
export const SUMMARY = `SELECT day, key_name AS key, model, COUNT(*) AS requests,
  SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END) AS errors,
  CAST(MIN(TOTAL(input_tokens), ${MAX_REPORTED_TOKENS}) AS INTEGER) AS input_tokens,
  CAST(MIN(TOTAL(output_tokens), ${MAX_REPORTED_TOKENS}) AS INTEGER) AS output_tokens,
  SUM(CASE WHEN input_tokens IS NULL OR output_tokens IS NULL THEN 1 ELSE 0 END) AS requests_without_counts,
  SUM(retries) AS retries, CAST(ROUND(AVG(duration_ms)) AS INTEGER) AS avg_duration_ms,
  CAST(ROUND(AVG(ttft_ms)) AS INTEGER) AS avg_ttft_ms
  FROM usage WHERE day >= ?1 AND (?2 IS NULL OR day < ?2 OR (day = ?2 AND (key_name > ?3
    OR (key_name = ?3 AND (model > ?4 OR (?4 IS NULL AND model IS NOT NULL))))))
  GROUP BY day, key_name, model ORDER BY day DESC, key_name, model LIMIT ?5`;

export interface UsageQuery {
  since: string;
  /** A next_page of an earlier answer (decoded by readUsagePage). */
  after?: Group;
  /** Groups per page (tests use a few). */
  pageSize?: number;
}

export async function usageSummary(db: D1Database, query: UsageQuery): Promise<UsagePage> {
  const { since, after, pageSize = USAGE_PAGE_SIZE } = query;
  // One more than a page: whether there is more, without a count.
  const rows = (
    await db
      .prepare(SUMMARY)
      .bind(since, after?.day ?? null, after?.key ?? null, after?.model ?? null, pageSize + 1)
      .all<UsageSummary>()
  ).results;
  const data = rows.slice(0, pageSize);
  const last = data.at(-1);
  const has_more = rows.length > pageSize && last !== undefined;
  return { data, has_more, next_page: has_more ? pageAfter(last) : null };
}

// A page is the group it follows, as hex of its JSON: opaque, and safe in a query string unencoded.
function pageAfter({ day, key, model }: Group): string {
  return Array.from(new TextEncoder().encode(JSON.stringify([day, key, model])), (byte) =>
    byte.toString(16).padStart(2, "0"),
  ).join("");
}

/** The group a `page` this endpoint gave follows; undefined for anything else. */
export function readUsagePage(page: string): Group | undefined {
  // Bounded for junk, far above any group's (a key's name is 64 characters, a model's a name).
  if (page.length > 65_536 || !/^(?:[0-9a-f]{2})+$/.test(page)) return undefined;
  let value: unknown;
  try {
    const bytes = Uint8Array.from(page.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length !== 3) return undefined;
  const [day, key, model] = value as unknown[];
  if (typeof day !== "string" || typeof key !== "string" || (model !== null && typeof model !== "string")) {
    return undefined;
  }
  return { day, key, model };
}
