// Usage records in D1 (the USAGE_DB binding; the table is migrations/0001_usage.sql): one row
// per request, made from its log line once the line is written, and the report GET /v1/usage
// answers, per day, key and model.
import type { D1Database } from "./cloudflare.ts";
import type { LogLine } from "./log.ts";

/** The columns of a row, in the order of INSERT_USAGE's placeholders. */
function usageRow(line: LogLine, route: string | undefined): (string | number | null)[] {
  return [
    line.time,
    line.time.slice(0, 10),
    line.request_id,
    line.key ?? "",
    line.model ?? null,
    route ?? null,
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
  ];
}

const INSERT_USAGE = `INSERT INTO usage (time, day, request_id, key_name, model, route, deployment, deployments_tried,
  endpoint, stream, status, error_code, input_tokens, output_tokens, ttft_ms, duration_ms, retries)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export async function writeUsage(db: D1Database, line: LogLine, route: string | undefined): Promise<void> {
  await db
    .prepare(INSERT_USAGE)
    .bind(...usageRow(line, route))
    .run();
}

/** One row of GET /v1/usage: a day, a key, a model. */
export interface UsageSummary {
  day: string;
  key: string;
  model: string | null;
  requests: number;
  /** Answers with a status of 400 or more (499: the client left). */
  errors: number;
  input_tokens: number;
  output_tokens: number;
  retries: number;
  avg_duration_ms: number;
  /** Over the streams that sent a first chunk; null when none did. */
  avg_ttft_ms: number | null;
}

// A report is a few rows per day, key and model; the cap keeps an unbounded `since` cheap.
const MAX_ROWS = 10_000;

const SUMMARY = `SELECT day, key_name AS key, model, COUNT(*) AS requests,
  SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END) AS errors,
  COALESCE(SUM(input_tokens), 0) AS input_tokens, COALESCE(SUM(output_tokens), 0) AS output_tokens,
  SUM(retries) AS retries, CAST(ROUND(AVG(duration_ms)) AS INTEGER) AS avg_duration_ms,
  CAST(ROUND(AVG(ttft_ms)) AS INTEGER) AS avg_ttft_ms
  FROM usage WHERE day >= ? GROUP BY day, key_name, model ORDER BY day, key_name, model LIMIT ${MAX_ROWS}`;

export async function usageSummary(db: D1Database, since: string): Promise<UsageSummary[]> {
  return (await db.prepare(SUMMARY).bind(since).all<UsageSummary>()).results;
}
