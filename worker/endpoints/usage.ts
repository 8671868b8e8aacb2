// GET /v1/usage?since=YYYY-MM-DD (admin keys only): requests, errors, tokens and times per day,
// key and model, from the usage records in D1. Without since: the last 30 days.
import { invalidRequest } from "../../src/core.ts";
import type { AppContext } from "../context.ts";
import { jsonResponse, refusal } from "../http.ts";
import { usageSummary } from "../usage.ts";

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DEFAULT_DAYS = 30;

export async function usage(c: AppContext): Promise<Response> {
  const db = c.get("ready").config.usageDb;
  if (!db) {
    throw refusal(
      404,
      "Usage is not recorded here: bind a D1 database as USAGE_DB (see the README).",
      "usage_not_configured",
    );
  }
  const since = c.req.query("since") ?? new Date(Date.now() - DEFAULT_DAYS * 86_400_000).toISOString().slice(0, 10);
  if (!DAY.test(since) || Number.isNaN(Date.parse(since))) {
    throw invalidRequest(`since must be a day like 2026-11-01 (got "${since.slice(0, 40)}").`, "since");
  }
  return jsonResponse({ object: "list", since, data: await usageSummary(db, since) });
}
