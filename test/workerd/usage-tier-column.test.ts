// The Worker in workerd with a D1 database migrated before migrations/0002_usage_service_tier.sql,
// as a deployment that updated the Worker and not its database: D1 refuses an insert naming the
// new column, so each row is written without the tier, none lost, and one line says why and what
// to run.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { D1Database } from "../../worker/cloudflare.ts";
import { USAGE_TIER_COLUMN_MISSING } from "../../worker/usage-table.ts";
import { eventually, modelString, startWorkerdProxy, USER_HELLO, type WorkerdProxy } from "./harness.ts";
import { applyMigrations } from "./migrations.ts";

const KEYS = { team: { key: "sk-tier-column-team-0001" } };

let proxy: WorkerdProxy;
let db: D1Database;

beforeAll(async () => {
  proxy = await startWorkerdProxy(
    {
      main: {
        API_KEYS: JSON.stringify(KEYS),
        MODELS: JSON.stringify({ converse: modelString("converse"), llama: modelString("llama") }),
      },
    },
    { main: { d1Databases: { USAGE_DB: "before-0002" } } },
  );
  db = (await proxy.miniflare.getD1Database("USAGE_DB", "main")) as unknown as D1Database;
  await applyMigrations(db, "0001");
});
afterAll(() => proxy?.close());

async function rows(): Promise<{ request_id: string; model: string; status: number }[]> {
  return (await db.prepare("SELECT request_id, model, status FROM usage ORDER BY id").all<never>()).results;
}

describe("a usage table made before migrations/0002 (no service_tier column)", () => {
  it("gets every row without the tier, and the isolate's one line names the column and the step", async () => {
    const client = proxy.client("main", { apiKey: KEYS.team.key });
    const ids: (string | null)[] = [];
    for (const model of ["converse", "llama", "converse"]) {
      const { response } = await client.chat.completions
        .create({ model, messages: USER_HELLO, service_tier: model === "converse" ? "flex" : undefined })
        .withResponse();
      ids.push(response.headers.get("x-request-id"));
    }
    const written = await eventually(async () => {
      const found = await rows();
      return found.length === 3 && found;
    }, 3000);
    expect(written).toEqual([
      { request_id: ids[0], model: "converse", status: 200 },
      { request_id: ids[1], model: "llama", status: 200 },
      { request_id: ids[2], model: "converse", status: 200 },
    ]);
    // Told before the first row went without it; the log reaches the test on its own time.
    await eventually(() => proxy.output.some((message) => message.includes("no service_tier column")), 3000);
    const warnings = proxy.output.filter((message) => message.includes("no service_tier column"));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0]!)).toEqual({ time: expect.any(String), warning: USAGE_TIER_COLUMN_MISSING });
    expect(proxy.output.some((message) => message.includes('"failed":"the usage record"'))).toBe(false);
  });
});
