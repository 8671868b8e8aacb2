// Usage records through the Worker in workerd, in a D1 database made from the repository's own
// migrations: one row per request a valid key makes to a model endpoint, written after the
// answer, and GET /v1/usage per day, key and model for admin keys.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorModelId } from "../../emulator/model-id.ts";
import type { D1Database } from "../../worker/cloudflare.ts";
import type { UsageSummary } from "../../worker/usage.ts";
import { errorOf } from "../helpers/errors.ts";
import { eventually, startWorkerdProxy, TEST_KEYS, TEST_MODELS, USER_HELLO, type WorkerdProxy } from "./harness.ts";

const MIGRATIONS = fileURLToPath(new URL("../../migrations/", import.meta.url));
const KEYS = {
  ops: { key: "sk-usage-ops-0001", admin: true },
  team: { key: "sk-usage-team-0001" },
  // Used by the report's test alone, so that its rows are known exactly.
  report: { key: "sk-usage-report-0001" },
};
const MODELS = {
  ...TEST_MODELS,
  copies: {
    deployments: [
      { model: `bedrock/llama/${emulatorModelId("llama", ["throttle"], "us-east-1", "300000000000")}` },
      { model: `bedrock/llama/${emulatorModelId("llama", [], "us-west-2", "300000000000")}` },
    ],
  },
};

let proxy: WorkerdProxy;
let db: D1Database;

/** The statements of every migration file, in order, as `wrangler d1 migrations apply` runs them. */
async function migrate(database: D1Database): Promise<void> {
  for (const file of readdirSync(MIGRATIONS)
    .filter((name) => name.endsWith(".sql"))
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

beforeAll(async () => {
  const bindings = { MODELS: JSON.stringify(MODELS), API_KEYS: JSON.stringify(KEYS) };
  proxy = await startWorkerdProxy({ main: bindings, nodb: bindings }, { main: { d1Databases: { USAGE_DB: "usage" } } });
  db = (await proxy.miniflare.getD1Database("USAGE_DB", "main")) as unknown as D1Database;
  await migrate(db);
});
afterAll(() => proxy?.close());

interface Row {
  request_id: string;
  time: string;
  day: string;
  key_name: string;
  model: string | null;
  route: string | null;
  deployment: number | null;
  deployments_tried: number | null;
  endpoint: string;
  stream: number;
  status: number;
  error_code: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  ttft_ms: number | null;
  duration_ms: number;
  retries: number;
}

async function rowOf(requestId: string | null): Promise<Row> {
  return eventually(
    async () =>
      (
        await db
          .prepare("SELECT * FROM usage WHERE request_id = ?")
          .bind(requestId ?? "")
          .all<Row>()
      ).results[0],
    3000,
    `the row of ${requestId}`,
  );
}

const team = () => proxy.client("main", { apiKey: KEYS.team.key });

describe("usage records", () => {
  it("a plain call: key name, model, route, deployment, status, tokens, duration", async () => {
    const { data, response } = await team()
      .chat.completions.create({ model: "qwen3", messages: USER_HELLO })
      .withResponse();
    const row = await rowOf(response.headers.get("x-request-id"));
    expect(row).toMatchObject({
      key_name: "team",
      model: "qwen3",
      route: "qwen3",
      deployment: 0,
      deployments_tried: 1,
      endpoint: "/v1/chat/completions",
      stream: 0,
      status: 200,
      error_code: null,
      input_tokens: data.usage!.prompt_tokens,
      output_tokens: data.usage!.completion_tokens,
      ttft_ms: null,
      retries: 0,
    });
    expect(row.day).toBe(row.time.slice(0, 10));
    expect(row.duration_ms).toBeGreaterThanOrEqual(0);
  });

  it("a stream: its time to first token and the usage Bedrock reported", async () => {
    const { data: stream, response } = await team()
      .chat.completions.create({ model: "llama", messages: USER_HELLO, stream: true })
      .withResponse();
    for await (const _chunk of stream);
    const row = await rowOf(response.headers.get("x-request-id"));
    expect(row).toMatchObject({ stream: 1, status: 200, route: "llama" });
    expect(row.ttft_ms).toBeGreaterThanOrEqual(0);
    expect(row.ttft_ms).toBeLessThanOrEqual(row.duration_ms);
    expect(row.input_tokens).toBeGreaterThan(0);
  });

  it("a request that moved to another deployment, and one that was retried", async () => {
    const moved = await team().chat.completions.create({ model: "copies", messages: USER_HELLO }).withResponse();
    expect(await rowOf(moved.response.headers.get("x-request-id"))).toMatchObject({
      deployment: 1,
      deployments_tried: 2,
    });
    const retried = await team()
      .chat.completions.create({ model: "throttled-once", messages: USER_HELLO })
      .withResponse();
    expect(await rowOf(retried.response.headers.get("x-request-id"))).toMatchObject({ retries: 1, status: 200 });
  });

  it("a refused request: its status and code, no tokens", async () => {
    const error = await errorOf(
      () => team().chat.completions.create({ model: "llama", messages: USER_HELLO, temperature: 9 }),
      OpenAI.BadRequestError,
    );
    const row = await rowOf(error.requestID ?? null);
    expect(row).toMatchObject({ status: 400, error_code: null, input_tokens: null, key_name: "team" });
    const upstream = await errorOf(
      () => team().chat.completions.create({ model: "throttled-always", messages: USER_HELLO }),
      OpenAI.RateLimitError,
    );
    expect(await rowOf(upstream.requestID ?? null)).toMatchObject({ status: 429, error_code: "rate_limit_exceeded" });
  });

  it("none for a request without a valid key, and never a key in any row", async () => {
    const before = await count();
    const refused = await errorOf(
      () =>
        proxy.client("main", { apiKey: "sk-wrong" }).chat.completions.create({ model: "llama", messages: USER_HELLO }),
      OpenAI.AuthenticationError,
    );
    expect(refused.requestID).toMatch(/\S/);
    // A record is written once its request's line is: a stray one would have begun by now,
    // before the valid request below was even sent.
    const line = await eventually(
      () => proxy.logs.find((entry) => entry.request_id === refused.requestID),
      3000,
      "the refused request's line",
    );
    expect(line).toMatchObject({ status: 401 });
    const { response } = await team().chat.completions.create({ model: "llama", messages: USER_HELLO }).withResponse();
    await rowOf(response.headers.get("x-request-id"));
    expect(await count()).toBe(before + 1);
    const all = JSON.stringify((await db.prepare("SELECT * FROM usage").all<Row>()).results);
    for (const key of [...TEST_KEYS, ...Object.values(KEYS).map(({ key }) => key), "sk-wrong"])
      expect(all).not.toContain(key);
  });
});

async function count(): Promise<number> {
  return (await db.prepare("SELECT COUNT(*) AS n FROM usage").all<{ n: number }>()).results[0]!.n;
}

async function report(query = "", apiKey: string = KEYS.ops.key, variant = "main") {
  const response = await fetch(`${proxy.url(variant)}/v1/usage${query}`, {
    headers: { authorization: `Bearer ${apiKey}` },
  });
  return {
    status: response.status,
    body: (await response.json()) as { since: string; data: UsageSummary[] } & {
      error?: { code: string; param: string | null };
    },
  };
}

describe("GET /v1/usage", () => {
  it("answers per day, key and model, for admin keys", async () => {
    // Two requests by the admin key itself, so its row is known exactly.
    for (let i = 0; i < 2; i++) {
      await proxy
        .client("main", { apiKey: KEYS.ops.key })
        .chat.completions.create({ model: "qwen2", messages: USER_HELLO });
    }
    // A stream and a refused request by a key of this test's own: one of each in its row.
    const reporter = proxy.client("main", { apiKey: KEYS.report.key });
    const { data: stream, response } = await reporter.chat.completions
      .create({ model: "llama", messages: USER_HELLO, stream: true })
      .withResponse();
    for await (const _chunk of stream);
    const { ttft_ms } = await rowOf(response.headers.get("x-request-id"));
    await errorOf(
      () => reporter.chat.completions.create({ model: "llama", messages: USER_HELLO, temperature: 9 }),
      OpenAI.BadRequestError,
    );
    const today = new Date().toISOString().slice(0, 10);
    const { status, body } = await eventually(
      async () => {
        const answer = await report();
        const both =
          answer.body.data.some((row) => row.key === "ops" && row.requests === 2) &&
          answer.body.data.some((row) => row.key === "report" && row.requests === 2);
        return both && answer;
      },
      3000,
      "this test's four requests in the report",
    );
    expect(status).toBe(200);
    const ops = body.data.find((row) => row.key === "ops")!;
    expect(ops).toMatchObject({ day: today, key: "ops", model: "qwen2", requests: 2, errors: 0, retries: 0 });
    expect(ops.input_tokens).toBeGreaterThan(0);
    expect(ops.avg_ttft_ms).toBeNull();
    const reported = body.data.filter((row) => row.key === "report");
    expect(reported).toEqual([expect.objectContaining({ day: today, model: "llama", requests: 2, errors: 1 })]);
    // Over the one stream: the refused request had no first token.
    expect(ttft_ms).not.toBeNull();
    expect(reported[0]!.avg_ttft_ms).toBe(ttft_ms);
    // Grouped: one row per day, key and model.
    const groups = body.data.map((row) => `${row.day}/${row.key}/${row.model}`);
    expect(new Set(groups).size).toBe(groups.length);
  });

  it("since filters by day, and must be a day", async () => {
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    expect((await report(`?since=${tomorrow}`)).body).toEqual({ object: "list", since: tomorrow, data: [] });
    const bad = await report("?since=last-week");
    expect(bad.status).toBe(400);
    expect(bad.body.error?.param).toBe("since");
  });

  it("refuses keys without admin: true, and says when no D1 database is bound", async () => {
    expect((await report("", KEYS.team.key)).status).toBe(403);
    expect((await report("", TEST_KEYS[0])).body.error?.code).toBe("admin_key_required");
    const unbound = await report("", KEYS.ops.key, "nodb");
    expect(unbound.status).toBe(404);
    expect(unbound.body.error?.code).toBe("usage_not_configured");
    // Without D1 the proxy works as before.
    const completion = await proxy
      .client("nodb", { apiKey: KEYS.team.key })
      .chat.completions.create({ model: "llama", messages: USER_HELLO });
    expect(completion.choices[0]!.finish_reason).toBe("stop");
  });
});
