// The usage report's paging and the rows' model, over a fake D1 that records what it is asked and
// answers what it is told: the SQL itself runs against a real D1 in test/workerd/usage.test.ts.
import { describe, expect, it } from "vitest";
import type { D1Database, D1Statement } from "./cloudflare.ts";
import type { LogLine } from "./log.ts";
import { USAGE_TIER_COLUMN_MISSING } from "./usage-table.ts";
import {
  readUsagePage,
  TIER_COLUMN_RETRY_MS,
  type UsageSummary,
  usageSummary,
  usageWriter,
  type UsageWriter,
} from "./usage.ts";

/**
 * A D1 whose every query answers `rows`; `asked` holds each statement's SQL and bound values. With
 * `tierColumn: false` its usage table is 0001's alone: D1's own refusal of an insert naming
 * service_tier, until it is set true (the migration applied).
 */
function fakeDatabase(rows: UsageSummary[] = [], schema = { tierColumn: true }) {
  const asked: { sql: string; values: unknown[] }[] = [];
  const statement = (sql: string, values: unknown[] = []): D1Statement => ({
    bind: (...bound) => statement(sql, bound),
    async run() {
      asked.push({ sql, values });
      if (!schema.tierColumn && sql.includes("service_tier")) {
        throw new Error("D1_ERROR: table usage has no column named service_tier: SQLITE_ERROR");
      }
      return {};
    },
    async all<Row>() {
      asked.push({ sql, values });
      return { results: rows as Row[] };
    },
  });
  const db: D1Database = { prepare: (sql) => statement(sql) };
  return { db, asked, schema };
}

/** Each row written, by its column names (the insert's own list). */
function rowsOf(asked: { sql: string; values: unknown[] }[]): Record<string, unknown>[] {
  return asked.map(({ sql, values }) => {
    const columns = /\(([^)]*)\)/
      .exec(sql)![1]!
      .split(",")
      .map((column) => column.trim());
    expect(columns).toHaveLength(values.length);
    return Object.fromEntries(columns.map((column, index) => [column, values[index]]));
  });
}

/** A writer that must not warn. */
function writer(db: D1Database): UsageWriter {
  return usageWriter(db, (message) => {
    throw new Error(`warned: ${message}`);
  });
}

function group(day: string, key: string, model: string | null): UsageSummary {
  return {
    day,
    key,
    model,
    requests: 1,
    errors: 0,
    input_tokens: 1,
    output_tokens: 1,
    requests_without_counts: 0,
    retries: 0,
    avg_duration_ms: 1,
    avg_ttft_ms: null,
  };
}

describe("GET /v1/usage's pages", () => {
  const groups = [group("2026-11-28", "a", null), group("2026-11-28", "a", "qwen"), group("2026-11-27", "b", "é/ü")];

  it("ask for one group more than a page: past it, has_more and where the next page starts", async () => {
    const { db, asked } = fakeDatabase(groups);
    const page = await usageSummary(db, { since: "2026-11-01", pageSize: 2 });
    expect(page.data).toEqual(groups.slice(0, 2));
    expect(page.has_more).toBe(true);
    expect(page.next_page).toMatch(/^[0-9a-f]+$/);
    expect(readUsagePage(page.next_page!)).toEqual({ day: "2026-11-28", key: "a", model: "qwen" });
    expect(asked[0]!.values).toEqual(["2026-11-01", null, null, null, 3]);
    expect(asked[0]!.sql).toMatch(/ORDER BY day DESC, key_name, model LIMIT \?5/);
  });

  it("start the next page after the group it names, a null model and any text included", async () => {
    const { db, asked } = fakeDatabase(groups.slice(2));
    const page = await usageSummary(db, {
      since: "2026-11-01",
      after: { day: "2026-11-28", key: "a", model: "qwen" },
      pageSize: 2,
    });
    expect(page).toEqual({ data: groups.slice(2), has_more: false, next_page: null });
    expect(asked[0]!.values).toEqual(["2026-11-01", "2026-11-28", "a", "qwen", 3]);
    for (const last of [group("2026-11-27", "b", null), group("2026-11-27", "b", 'a "model" é/ü\u0000')]) {
      const { db: full } = fakeDatabase([last, group("2026-11-26", "c", "m")]);
      const { next_page } = await usageSummary(full, { since: "2026-11-01", pageSize: 1 });
      expect(readUsagePage(next_page!)).toEqual({ day: last.day, key: last.key, model: last.model });
    }
  });

  it("of the default size hold 10,000 groups", async () => {
    const many = Array.from({ length: 10_001 }, (_, index) => group("2026-11-28", `k${index}`, null));
    const { db, asked } = fakeDatabase(many);
    const page = await usageSummary(db, { since: "2026-11-01" });
    expect(page.data).toHaveLength(10_000);
    expect(page.has_more).toBe(true);
    expect(asked[0]!.values.at(-1)).toBe(10_001);
  });

  it("refuse a page this endpoint did not give", () => {
    const hex = (text: string) =>
      Array.from(new TextEncoder().encode(text), (byte) => byte.toString(16).padStart(2, "0")).join("");
    for (const page of [
      "",
      "xyz",
      "abc",
      "ABCD",
      hex("not json"),
      hex('["2026-11-28","a"]'),
      hex('["2026-11-28",1,null]'),
      hex('{"day":"2026-11-28"}'),
      "c328",
      "ab".repeat(40_000),
    ]) {
      expect(readUsagePage(page)).toBeUndefined();
    }
  });
});

describe("a usage row", () => {
  const line: LogLine = {
    time: "2026-11-28T10:00:00.000Z",
    request_id: "req_1",
    method: "POST",
    path: "/v1/chat/completions",
    status: 404,
    ms: 3,
    key: "alice",
    model: "m00042",
    error: "The model does not exist",
    error_code: "model_not_found",
  };

  it("names the model and route it was served under, and no model for a name that is none of the proxy's", async () => {
    const { db, asked } = fakeDatabase();
    const write = writer(db);
    await write(line, undefined);
    await write({ ...line, model: "qwen", status: 200, error_code: undefined }, { model: "qwen", route: "qwen3" });
    const rows = rowsOf(asked);
    expect(rows[0]).toMatchObject({
      key_name: "alice",
      model: null,
      route: null,
      status: 404,
      error_code: "model_not_found",
    });
    expect(rows[1]).toMatchObject({ model: "qwen", route: "qwen3", status: 200 });
  });

  it("holds the service tier that served, as the log line says it, and null when Bedrock named none", async () => {
    const { db, asked } = fakeDatabase();
    const write = writer(db);
    await write({ ...line, status: 200, service_tier: "flex" }, { model: "nova", route: "converse" });
    await write(line, undefined);
    expect(rowsOf(asked).map((row) => row.service_tier)).toEqual(["flex", null]);
  });
});

describe("a usage table without the service_tier column (migrations/0002 not applied)", () => {
  const line: LogLine = {
    time: "2026-11-28T10:00:00.000Z",
    request_id: "req_1",
    method: "POST",
    path: "/v1/chat/completions",
    status: 200,
    ms: 3,
    key: "alice",
    service_tier: "priority",
  };
  const served = { model: "nova", route: "converse" };

  function unmigrated() {
    const database = fakeDatabase([], { tierColumn: false });
    const warnings: string[] = [];
    const clock = { now: 1_000_000 };
    const write = usageWriter(
      database.db,
      (message) => warnings.push(message),
      () => clock.now,
    );
    return { ...database, warnings, clock, write };
  }

  it("gets every row without the tier, none lost, and one warning in the isolate naming the step", async () => {
    const { asked, warnings, write } = unmigrated();
    await write(line, served);
    await write({ ...line, request_id: "req_2" }, served);
    const written = asked.filter(({ sql }) => !sql.includes("service_tier"));
    expect(rowsOf(written).map((row) => row.request_id)).toEqual(["req_1", "req_2"]);
    expect(rowsOf(written)[0]).toMatchObject({ key_name: "alice", model: "nova", route: "converse", status: 200 });
    expect(warnings).toEqual([USAGE_TIER_COLUMN_MISSING]);
    expect(USAGE_TIER_COLUMN_MISSING).toContain("npx wrangler d1 migrations apply USAGE_DB --remote");
    // Found missing, the column is not tried before each row: one refused insert, not one per row.
    expect(asked.filter(({ sql }) => sql.includes("service_tier"))).toHaveLength(1);
  });

  it("is tried again after a while, so that applying the migration takes effect without a new deployment", async () => {
    const { asked, schema, clock, warnings, write } = unmigrated();
    await write(line, served);
    schema.tierColumn = true;
    clock.now += TIER_COLUMN_RETRY_MS - 1;
    await write({ ...line, request_id: "req_2" }, served);
    expect(rowsOf(asked).at(-1)).not.toHaveProperty("service_tier");
    clock.now += 1;
    await write({ ...line, request_id: "req_3" }, served);
    await write({ ...line, request_id: "req_4" }, served);
    expect(rowsOf(asked.slice(-2))).toEqual([
      expect.objectContaining({ request_id: "req_3", service_tier: "priority" }),
      expect.objectContaining({ request_id: "req_4", service_tier: "priority" }),
    ]);
    expect(warnings).toHaveLength(1);
  });

  it("any other failure is the write's, as before: no second insert, no warning", async () => {
    const missingTable = new Error("D1_ERROR: no such table: usage: SQLITE_ERROR");
    const db: D1Database = {
      prepare: () => ({
        bind() {
          return this;
        },
        run: () => Promise.reject(missingTable),
        all: () => Promise.reject(missingTable),
      }),
    };
    const warnings: string[] = [];
    await expect(usageWriter(db, (message) => warnings.push(message))(line, served)).rejects.toBe(missingTable);
    expect(warnings).toEqual([]);
  });
});
