// Usage records through the Worker in workerd, in a D1 database made from the repository's own
// migrations: one row per request a valid key makes to a model endpoint, written after the
// answer, and GET /v1/usage per day, key and model for admin keys.
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorModelId } from "../../emulator/model-id.ts";
import type { D1Database } from "../../worker/cloudflare.ts";
import { readUsagePage, SUMMARY, type UsagePage, type UsageSummary, usageSummary } from "../../worker/usage.ts";
import { errorOf } from "../helpers/errors.ts";
import { commandLines, docPage, readmeSnippet } from "../helpers/readme.ts";
import {
  awayFromMidnight,
  eventually,
  modelString,
  startWorkerdProxy,
  TEST_KEYS,
  TEST_MODELS,
  USER_HELLO,
  type WorkerdProxy,
} from "./harness.ts";
import { applyMigrations } from "./migrations.ts";

const KEYS = {
  ops: { key: "sk-usage-ops-0001", admin: true },
  team: { key: "sk-usage-team-0001" },
  // Used by the report's test alone, so that its rows are known exactly.
  report: { key: "sk-usage-report-0001" },
  // May call llama alone: any other model, configured or not, is a 404 to it.
  narrow: { key: "sk-usage-narrow-0001", models: ["llama"] },
};
const MODELS = {
  ...TEST_MODELS,
  converse: modelString("converse"),
  copies: {
    deployments: [
      { model: `bedrock/llama/${emulatorModelId("llama", ["throttle"], "us-east-1", "300000000000")}` },
      { model: `bedrock/llama/${emulatorModelId("llama", [], "us-west-2", "300000000000")}` },
    ],
  },
};

let proxy: WorkerdProxy;
let db: D1Database;

beforeAll(async () => {
  const bindings = { MODELS: JSON.stringify(MODELS), API_KEYS: JSON.stringify(KEYS) };
  proxy = await startWorkerdProxy({ main: bindings, nodb: bindings }, { main: { d1Databases: { USAGE_DB: "usage" } } });
  db = (await proxy.miniflare.getD1Database("USAGE_DB", "main")) as unknown as D1Database;
  await applyMigrations(db);
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
  service_tier: string | null;
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

  it("the service tier that served (migrations/0002), and none where Bedrock named none", async () => {
    const { data, response } = await team()
      .chat.completions.create({ model: "converse", messages: USER_HELLO, service_tier: "flex" })
      .withResponse();
    expect(data.service_tier).toBe("flex");
    expect(await rowOf(response.headers.get("x-request-id"))).toMatchObject({
      route: "converse",
      service_tier: "flex",
    });
    const plain = await team().chat.completions.create({ model: "llama", messages: USER_HELLO }).withResponse();
    expect(await rowOf(plain.response.headers.get("x-request-id"))).toMatchObject({
      route: "llama",
      service_tier: null,
    });
    // The row is whole: no warning of a missing column on a migrated database.
    expect(proxy.output.some((message) => message.includes("no service_tier column"))).toBe(false);
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

  it("a model that is not a configured name the key may call: no model in the row, the name in the log line (observe5 #1)", async () => {
    // Were the name kept, one key could make a report group of every name it invents.
    const unknown = await errorOf(
      () => team().chat.completions.create({ model: "m00042-made-up", messages: USER_HELLO }),
      OpenAI.NotFoundError,
    );
    expect(await rowOf(unknown.requestID ?? null)).toMatchObject({
      key_name: "team",
      model: null,
      route: null,
      status: 404,
      error_code: "model_not_found",
    });
    const line = proxy.logs.find((entry) => entry.request_id === unknown.requestID);
    expect(line).toMatchObject({ model: "m00042-made-up", status: 404 });
    const narrow = proxy.client("main", { apiKey: KEYS.narrow.key });
    const kept = await errorOf(
      () => narrow.chat.completions.create({ model: "qwen3", messages: USER_HELLO }),
      OpenAI.NotFoundError,
    );
    expect(await rowOf(kept.requestID ?? null)).toMatchObject({ key_name: "narrow", model: null, route: null });
    // The same key's own model is named, even when the request is refused after it was read.
    const refused = await errorOf(
      () => narrow.chat.completions.create({ model: "llama", messages: USER_HELLO, temperature: 9 }),
      OpenAI.BadRequestError,
    );
    expect(await rowOf(refused.requestID ?? null)).toMatchObject({ model: "llama", route: "llama", status: 400 });
  });

  it("a request refused while its body was built: no deployment in the row, the header or the line (observe5 #2)", async () => {
    const error = await errorOf(
      () => team().chat.completions.create({ model: "llama", messages: USER_HELLO, n: 2 }),
      OpenAI.BadRequestError,
    );
    expect(error.param).toBe("n");
    expect(error.headers.get("x-bedrock-edge-deployment")).toBeNull();
    expect(await rowOf(error.requestID ?? null)).toMatchObject({
      model: "llama",
      deployment: null,
      deployments_tried: null,
      status: 400,
    });
    expect(proxy.logs.find((entry) => entry.request_id === error.requestID)).not.toHaveProperty("deployment");
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
    body: (await response.json()) as { since: string; data: UsageSummary[] } & Partial<
      Pick<UsagePage, "has_more" | "next_page">
    > & {
        error?: { code: string; param: string | null; message: string };
      },
  };
}

describe("GET /v1/usage", () => {
  // Each row's day is its request's UTC day, and these tests compare rows with today: they start
  // more than 120 s (their five 20 s timeouts) before a midnight. Called, not passed: vitest reads
  // a hook's first parameter as its fixtures.
  beforeAll(() => awayFromMidnight(120_000), 130_000);

  it("answers per day, key and model, for admin keys", async () => {
    const today = new Date().toISOString().slice(0, 10);
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
    expect(ops).toMatchObject({
      day: today,
      key: "ops",
      model: "qwen2",
      requests: 2,
      errors: 0,
      retries: 0,
      requests_without_counts: 0,
    });
    expect(ops.input_tokens).toBeGreaterThan(0);
    expect(ops.avg_ttft_ms).toBeNull();
    const reported = body.data.filter((row) => row.key === "report");
    // The refused request has no counts: told apart from a request of 0 tokens (daytwo49 #6).
    expect(reported).toEqual([
      expect.objectContaining({ day: today, model: "llama", requests: 2, errors: 1, requests_without_counts: 1 }),
    ]);
    // Over the one stream: the refused request had no first token.
    expect(ttft_ms).not.toBeNull();
    expect(reported[0]!.avg_ttft_ms).toBe(ttft_ms);
    // Grouped: one row per day, key and model.
    const groups = body.data.map((row) => `${row.day}/${row.key}/${row.model}`);
    expect(new Set(groups).size).toBe(groups.length);
  });

  it("since filters by day, and must be a day", async () => {
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    expect((await report(`?since=${tomorrow}`)).body).toEqual({
      object: "list",
      since: tomorrow,
      data: [],
      has_more: false,
      next_page: null,
    });
    for (const notADay of ["last-week", "2026-02-30"]) {
      const bad = await report(`?since=${notADay}`);
      expect(bad.status, notADay).toBe(400);
      expect(bad.body.error?.param).toBe("since");
    }
  });

  it("refuses keys without admin: true, and says when no D1 database is bound", async () => {
    expect((await report("", KEYS.team.key)).status).toBe(403);
    expect((await report("", TEST_KEYS[0])).body.error?.code).toBe("admin_key_required");
    const unbound = await report("", KEYS.ops.key, "nodb");
    expect(unbound.status).toBe(404);
    expect(unbound.body.error?.code).toBe("usage_not_configured");
    // It names the page that says how (docs48: "see the README" once sent a reader to a README
    // that no longer held it; test/doc-links.test.ts checks the anchor).
    expect(unbound.body.error?.message).toContain("(see docs/PROXY-REFERENCE.md#usage-records)");
    // Without D1 the proxy works as before.
    const completion = await proxy
      .client("nodb", { apiKey: KEYS.team.key })
      .chat.completions.create({ model: "llama", messages: USER_HELLO });
    expect(completion.choices[0]!.finish_reason).toBe("stop");
  });
  it("past a page of 10,000 groups: the newest days first, has_more, and every group once over the pages (observe5 #1)", async () => {
    // 12,000 rows in early 2001, five days, seven keys, most with a model of their own: more
    // groups than a page holds, all older than the other tests' (today's).
    await db
      .prepare(
        `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 11999)
        INSERT INTO usage (time, day, request_id, key_name, model, endpoint, status, duration_ms, input_tokens)
        SELECT '2001-01-0' || (1 + i % 5) || 'T00:00:00.000Z', '2001-01-0' || (1 + i % 5), 'req_old_' || i,
          'k' || (i % 7), CASE WHEN i % 11 = 0 THEN NULL ELSE 'm' || i END, '/v1/chat/completions', 200, 1, 2
        FROM n`,
      )
      .run();
    const expected = (
      await db
        .prepare(
          "SELECT day, key_name AS key, model FROM usage WHERE day < '2002' GROUP BY day, key_name, model ORDER BY day DESC, key_name, model",
        )
        .all<{ day: string; key: string; model: string | null }>()
    ).results;
    expect(expected.length).toBeGreaterThan(10_000);
    const first = await report("?since=2001-01-01");
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(10_000);
    expect(first.body.has_more).toBe(true);
    // Newest first: today's groups (the other tests') lead; what is left over is of the oldest day.
    expect(first.body.data[0]!.day).toBe(new Date().toISOString().slice(0, 10));
    const days = first.body.data.map((row) => row.day);
    expect(days).toEqual([...days].sort().reverse());
    const second = await report(`?since=2001-01-01&page=${first.body.next_page}`);
    expect(second.body.has_more).toBe(false);
    expect(second.body.next_page).toBeNull();
    expect(second.body.data.length).toBeGreaterThan(0);
    expect(new Set(second.body.data.map((row) => row.day))).toEqual(new Set(["2001-01-01"]));
    const old = [...first.body.data, ...second.body.data]
      .filter((row) => row.day < "2002")
      .map(({ day, key, model }) => ({ day, key, model }));
    // Every group once, in the report's order, null models first within a day and key.
    expect(old).toEqual(expected);
    expect(second.body.data.every((row) => row.input_tokens === 2 * row.requests)).toBe(true);
    const bad = await report("?since=2001-01-01&page=not-a-page");
    expect(bad.status).toBe(400);
    expect(bad.body.error?.param).toBe("page");
  });
  it("a page walks an index in its own order: no sort of every row since `since` (amplify48b #1)", async () => {
    // Without an index in ORDER BY's order (day DESC, then key and model ascending), SQLite groups
    // every row from `since` on in a temporary B-tree before LIMIT takes a page: each page read the
    // whole table since then. The first page and a later one (after a group) alike.
    for (const after of [
      [null, null, null],
      ["2026-01-01", "team", "llama"],
    ]) {
      const plan = await db
        .prepare(`EXPLAIN QUERY PLAN ${SUMMARY}`)
        .bind("1970-01-01", ...after, 10_001)
        .all<{ detail: string }>();
      const steps = plan.results.map((step) => step.detail);
      expect(steps.join("; ")).toMatch(/USING (?:COVERING )?INDEX usage_by_day_desc/);
      expect(steps.filter((step) => step.includes("TEMP B-TREE"))).toEqual([]);
    }
  });

  it("pages start right after the group they follow, a null model's included, in D1's own SQL", async () => {
    // A day of its own, in the future so no other row is as new; a page of one group each time.
    const groups = [
      ["k0", null],
      ["k0", "a"],
      ["k0", "b"],
      ["k1", null],
      ["k1", "a"],
      ["k2", "a"],
    ] as const;
    for (const [index, [key, model]] of groups.entries()) {
      await db
        .prepare(
          "INSERT INTO usage (time, day, request_id, key_name, model, endpoint, status, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind("2999-01-01T00:00:00.000Z", "2999-01-01", `req_future_${index}`, key, model, "/v1/completions", 200, 1)
        .run();
    }
    const seen: [string, string | null][] = [];
    let after: ReturnType<typeof readUsagePage>;
    for (let pages = 0; pages < groups.length + 1; pages++) {
      const page = await usageSummary(db, { since: "2999-01-01", after, pageSize: 1 });
      seen.push(...page.data.map((row): [string, string | null] => [row.key, row.model]));
      if (!page.has_more) break;
      after = readUsagePage(page.next_page!);
    }
    expect(seen).toEqual(groups);
  });

  it("says how many of a group's requests have no counts, which its sums read as 0 (daytwo49 #6)", async () => {
    // A day of its own: a stream the client left (no counts), a throttle (none), two counted.
    const rows: [string, number, number | null, number | null][] = [
      ["left", 499, null, null],
      ["throttled", 429, null, null],
      ["one", 200, 10, 4],
      ["two", 200, 7, 3],
    ];
    for (const [id, status, input, output] of rows) {
      await db
        .prepare(
          "INSERT INTO usage (time, day, request_id, key_name, model, endpoint, status, duration_ms, input_tokens, output_tokens) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(
          "2997-01-01T00:00:00.000Z",
          "2997-01-01",
          `req_uncounted_${id}`,
          "uncounted",
          "llama",
          "/v1/chat/completions",
          status,
          1,
          input,
          output,
        )
        .run();
    }
    const { status, body } = await report("?since=2997-01-01");
    expect(status).toBe(200);
    expect(body.data.filter((row) => row.key === "uncounted")).toEqual([
      expect.objectContaining({
        requests: 4,
        errors: 2,
        input_tokens: 17,
        output_tokens: 7,
        requests_without_counts: 2,
      }),
    ]);
  });

  it("sums past SQLite's integers (rows of counts from before they were bounded) report, not a 500 (numbers43 #1)", async () => {
    // A day of its own, before the paging test's; two rows of 2^62 made SUM() raise "integer
    // overflow", and two of 1e308 (stored as REAL) summed to Infinity, null in JSON.
    const rows: [string, string | null, number, number | null][] = [
      ["a", "big", 2 ** 62, 1],
      ["b", "big", 2 ** 62, 2],
      ["c", "huge", 1e308, null],
      ["d", "huge", 1e308, null],
      ["e", "none", 3, null],
    ];
    for (const [id, model, input, output] of rows) {
      await db
        .prepare(
          "INSERT INTO usage (time, day, request_id, key_name, model, endpoint, status, duration_ms, input_tokens, output_tokens) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(
          "2998-01-01T00:00:00.000Z",
          "2998-01-01",
          `req_overflow_${id}`,
          "overflow",
          model,
          "/v1/chat/completions",
          200,
          1,
          input,
          output,
        )
        .run();
    }
    const { status, body } = await report("?since=2998-01-01");
    expect(status).toBe(200);
    const ours = body.data.filter((row) => row.key === "overflow");
    expect(ours.map(({ model, input_tokens, output_tokens }) => ({ model, input_tokens, output_tokens }))).toEqual([
      { model: "big", input_tokens: Number.MAX_SAFE_INTEGER, output_tokens: 3 },
      { model: "huge", input_tokens: Number.MAX_SAFE_INTEGER, output_tokens: 0 },
      { model: "none", input_tokens: 3, output_tokens: 0 },
    ]);
  });
});

describe("the proxy reference's queries of the usage table (daytwo49 #9)", () => {
  /** The SQL of the page's `wrangler d1 execute … --command "…"`, one command alone. */
  function documentedQuery(): string {
    const lines = commandLines(readmeSnippet("usage-by-model"));
    expect(lines).toHaveLength(1);
    const sql = /^npx wrangler d1 execute USAGE_DB --remote --command "([^"]+)"$/.exec(lines[0]!)?.[1];
    if (!sql) throw new Error(`not a wrangler d1 execute --command: ${lines[0]}`);
    return sql;
  }

  it("tenant X's tokens yesterday by model: runs on the migrations' schema, and sums that key's day alone", async () => {
    const sql = documentedQuery();
    expect(sql).toContain("key_name = 'team-a'");
    // Yesterday's rows as D1 reckons yesterday (date('now', '-1 day'), as the query does), and
    // rows it must leave out: today's, another key's.
    const rows: [string, string, string, number | null, number | null][] = [
      ["y1", "team-a", "llama", 10, 4],
      ["y2", "team-a", "llama", 6, 2],
      ["y3", "team-a", "qwen", null, null],
      ["y4", "team-b", "llama", 100, 100],
    ];
    for (const [id, key, model, input, output] of rows) {
      await db
        .prepare(
          `INSERT INTO usage (time, day, request_id, key_name, model, endpoint, status, duration_ms, input_tokens, output_tokens)
          VALUES (date('now', '-1 day') || 'T12:00:00.000Z', date('now', '-1 day'), ?, ?, ?, '/v1/chat/completions', ?, 1, ?, ?)`,
        )
        .bind(`req_doc_${id}`, key, model, input === null ? 499 : 200, input, output)
        .run();
    }
    await db
      .prepare(
        `INSERT INTO usage (time, day, request_id, key_name, model, endpoint, status, duration_ms, input_tokens, output_tokens)
        VALUES (date('now') || 'T00:00:01.000Z', date('now'), 'req_doc_today', 'team-a', 'llama', '/v1/chat/completions', 200, 1, 1000, 1000)`,
      )
      .run();
    const { results } = await db.prepare(sql).all<Record<string, unknown>>();
    expect(results).toEqual([
      { model: "llama", requests: 2, input_tokens: 16, output_tokens: 6, requests_without_counts: 0 },
      { model: "qwen", requests: 1, input_tokens: null, output_tokens: null, requests_without_counts: 1 },
    ]);
  });

  it("the last hour's failures: the page's condition runs on the same schema", async () => {
    const page = docPage("docs/PROXY-REFERENCE.md");
    const condition = /`(status >= 500 AND time >= strftime\([^`]+\))`/.exec(page.replace(/\n/g, " "))?.[1];
    if (!condition) throw new Error("the proxy reference's last hour's failures");
    await db
      .prepare(
        `INSERT INTO usage (time, day, request_id, key_name, model, endpoint, status, duration_ms)
        VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 minute'), date('now'), 'req_doc_failed', 'team-a', 'llama', '/v1/chat/completions', 503, 1)`,
      )
      .run();
    const { results } = await db
      .prepare(`SELECT request_id FROM usage WHERE ${condition} AND request_id LIKE 'req_doc_%'`)
      .all<{ request_id: string }>();
    expect(results).toEqual([{ request_id: "req_doc_failed" }]);
  });
});
