// The Worker in workerd with a D1 database whose migrations were never applied, as after
// `wrangler d1 migrations apply USAGE_DB` without --remote: D1's own error is recognised, so the
// report, /health and the lost record's log line name the table and the step; applying the
// migrations then clears /health without a new deployment.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { D1Database } from "../../worker/cloudflare.ts";
import { USAGE_TABLE_MISSING } from "../../worker/usage-table.ts";
import { eventually, startWorkerdProxy, type WorkerdProxy } from "./harness.ts";
import { applyMigrations } from "./migrations.ts";

const KEYS = { ops: { key: "sk-table-ops-0001", admin: true } };

let proxy: WorkerdProxy;
let db: D1Database;

beforeAll(async () => {
  proxy = await startWorkerdProxy(
    { main: { API_KEYS: JSON.stringify(KEYS) } },
    { main: { d1Databases: { USAGE_DB: "unmigrated" } } },
  );
  db = (await proxy.miniflare.getD1Database("USAGE_DB", "main")) as unknown as D1Database;
});
afterAll(() => proxy?.close());

const get = (path: string, key = KEYS.ops.key) =>
  fetch(`${proxy.url()}${path}`, { headers: { authorization: `Bearer ${key}` } });

describe("a USAGE_DB whose migrations were not applied", () => {
  it("answers GET /v1/usage with the missing table and the step, serves calls, and logs each lost record so", async () => {
    const report = await get("/v1/usage");
    expect(report.status).toBe(503);
    expect(await report.json()).toMatchObject({
      error: { code: "usage_table_missing", message: `${USAGE_TABLE_MISSING}.` },
    });

    const completion = await proxy.client().chat.completions.create({
      model: "llama",
      messages: [{ role: "user", content: "Hello" }],
    });
    expect(completion.choices[0]?.message.content).toBeTruthy();
    const lost = await eventually(() =>
      proxy.output.find((message) => message.includes('"failed":"the usage record"')),
    );
    expect(JSON.parse(lost)).toMatchObject({ failed: "the usage record", error: USAGE_TABLE_MISSING });
  });

  it("is a problem on /health until the migrations are applied, then /health is ok", async () => {
    const before = await get("/health");
    expect(before.status).toBe(503);
    expect(await before.json()).toEqual({ status: "misconfigured", problems: [USAGE_TABLE_MISSING] });

    await applyMigrations(db);
    const after = await get("/health");
    expect(await after.json()).toEqual({ status: "ok", models: expect.any(Number) });
    expect((await get("/v1/usage")).status).toBe(200);
  });
});
