// The usage report's paging and the rows' model, over a fake D1 that records what it is asked and
// answers what it is told: the SQL itself runs against a real D1 in test/workerd/usage.test.ts.
import { describe, expect, it } from "vitest";
import type { D1Database, D1Statement } from "./cloudflare.ts";
import type { LogLine } from "./log.ts";
import { readUsagePage, type UsageSummary, usageSummary, writeUsage } from "./usage.ts";

/** A D1 whose every query answers `rows`; `asked` holds each statement's SQL and bound values. */
function fakeDatabase(rows: UsageSummary[] = []) {
  const asked: { sql: string; values: unknown[] }[] = [];
  const statement = (sql: string, values: unknown[] = []): D1Statement => ({
    bind: (...bound) => statement(sql, bound),
    async run() {
      asked.push({ sql, values });
      return {};
    },
    async all<Row>() {
      asked.push({ sql, values });
      return { results: rows as Row[] };
    },
  });
  const db: D1Database = { prepare: (sql) => statement(sql) };
  return { db, asked };
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
    await writeUsage(db, line, undefined);
    await writeUsage(
      db,
      { ...line, model: "qwen", status: 200, error_code: undefined },
      { model: "qwen", route: "qwen3" },
    );
    const columns = /\(([^)]*)\)/
      .exec(asked[0]!.sql)![1]!
      .split(",")
      .map((column) => column.trim());
    const rows = asked.map(({ values }) => Object.fromEntries(columns.map((column, index) => [column, values[index]])));
    expect(rows[0]).toMatchObject({
      key_name: "alice",
      model: null,
      route: null,
      status: 404,
      error_code: "model_not_found",
    });
    expect(rows[1]).toMatchObject({ model: "qwen", route: "qwen3", status: 200 });
  });
});
