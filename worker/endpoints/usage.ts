// GET /v1/usage?since=YYYY-MM-DD (admin keys only): requests, errors, tokens and times per day,
// key and model, from the usage records in D1, newest day first. Without since: the last 30 days,
// today's included.
// A page holds at most USAGE_PAGE_SIZE groups; past it, has_more and next_page (OpenAI's usage
// API's words) say where the next page starts: ask again with page=<next_page> and the same since.
// Any other parameter is a 400 naming it: ignored, `?key=team-a` or `?until=…` answered every
// key's and every day's figures, which a script summing them would bill to one tenant (daytwo49 #9).
import { invalidRequest, shownText } from "../../src/core.ts";
import type { AppContext } from "../context.ts";
import { jsonResponse, refusal } from "../http.ts";
import { readUsagePage, usageSummary } from "../usage.ts";
import { isUsageTableMissing, USAGE_TABLE_MISSING } from "../usage-table.ts";

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DEFAULT_DAYS = 30;
const DAY_MS = 86_400_000;
const PARAMETERS = ["since", "page"];
// As long a name as the 400 quotes whole and names as its param. A longer one is no param: the
// 400 quotes its first words that fit, or, when its first word alone is longer (a key pasted as a
// name, which has no spaces), tells it by its length alone (shownText).
const NAME_SHOWN = 40;

/** A day that exists, YYYY-MM-DD: Date.parse alone reads 2026-02-30 as March 2nd. */
function isDay(text: string): boolean {
  if (!DAY.test(text)) return false;
  const time = Date.parse(text);
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === text;
}

export async function usage(c: AppContext): Promise<Response> {
  const db = c.get("ready").config.usageDb;
  if (!db) {
    throw refusal(
      404,
      "Usage is not recorded here: bind a D1 database as USAGE_DB (see docs/PROXY-REFERENCE.md#usage-records).",
      "usage_not_configured",
    );
  }
  const unknown = Object.keys(c.req.queries()).find((name) => !PARAMETERS.includes(name));
  if (unknown !== undefined) {
    const shown = shownText(unknown, NAME_SHOWN, "a name", false);
    throw invalidRequest(
      `${shown} is not a parameter of GET /v1/usage, which takes ${PARAMETERS.join(" and ")}: filter the answer's data by key and day (see docs/PROXY-REFERENCE.md#usage-records).`,
      shown === unknown ? unknown : null,
      "unknown_parameter",
    );
  }
  // since is inclusive: the last DEFAULT_DAYS days are today's and the DEFAULT_DAYS - 1 before.
  const since = c.req.query("since") ?? new Date(Date.now() - (DEFAULT_DAYS - 1) * DAY_MS).toISOString().slice(0, 10);
  if (!isDay(since)) {
    throw invalidRequest(`since must be a day like 2026-11-01 (got ${shownText(since, 40)}).`, "since");
  }
  const page = c.req.query("page");
  const after = page === undefined ? undefined : readUsagePage(page);
  if (page !== undefined && !after) {
    throw invalidRequest("page must be a next_page this endpoint answered (or left out for the first page).", "page");
  }
  const summary = await usageSummary(db, { since, after }).catch((error: unknown) => {
    throw isUsageTableMissing(error) ? refusal(503, `${USAGE_TABLE_MISSING}.`, "usage_table_missing") : error;
  });
  return jsonResponse({ object: "list", since, ...summary });
}
