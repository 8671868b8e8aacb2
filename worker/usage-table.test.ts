// A USAGE_DB bound but never migrated (`wrangler d1 migrations apply` run without --remote): the
// admin's report, /health and the log of each lost record name the missing table and the step
// that creates it, in the same words; calls to models are served meanwhile.
import { afterEach, describe, expect, it, vi } from "vitest";
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { createEmulator } from "../emulator/handler.ts";
import { model } from "../test/helpers/emulated.ts";
import { createApp, type LogLine } from "./app.ts";
import type { D1Database, D1Statement } from "./cloudflare.ts";
import { USAGE_TABLE_MISSING, usageTableCheck } from "./usage-table.ts";

const STEP = "npx wrangler d1 migrations apply USAGE_DB --remote";

/** A D1 database that has its usage table once `migrated`: D1's own error until then. */
function database() {
  const state = { migrated: false, looks: 0, fails: undefined as Error | undefined };
  const statement = (sql: string): D1Statement => {
    const execute = async () => {
      if (sql.startsWith("SELECT 1 FROM usage")) state.looks++;
      if (state.fails) throw state.fails;
      if (!state.migrated) throw new Error("D1_ERROR: no such table: usage: SQLITE_ERROR");
    };
    return {
      bind: () => statement(sql),
      run: async () => {
        await execute();
        return {};
      },
      all: async <Row>() => {
        await execute();
        return { results: [] as Row[] };
      },
    };
  };
  const db: D1Database & { exec(): void } = { prepare: statement, exec: () => undefined };
  return { db, state };
}

function proxy() {
  const { db, state } = database();
  const emulator = createEmulator();
  const logs: LogLine[] = [];
  const app = createApp({
    env: {
      MODELS: JSON.stringify({ llama: model("llama") }),
      API_KEYS: JSON.stringify({ ops: { key: "sk-table-ops", admin: true }, team: { key: "sk-table-team" } }),
      AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
      BEDROCK_ENDPOINT: "http://bedrock.emulator",
      USAGE_DB: db,
    },
    fetch: async (input, init) => emulator.fetch(new Request(input, init)),
    log: (line) => logs.push(line),
  });
  const get = (path: string, key?: string) =>
    app.request(path, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  const chat = () =>
    app.request("/v1/chat/completions", {
      method: "POST",
      headers: { authorization: "Bearer sk-table-team", "content-type": "application/json" },
      body: JSON.stringify({ model: "llama", messages: [{ role: "user", content: "hi" }] }),
    });
  /** A call to the model, its answer read to its end (its record is written then): its status. */
  const served = async () => {
    const answer = await chat();
    await answer.text();
    return answer.status;
  };
  return { get, chat, served, logs, state };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("a USAGE_DB without its usage table", () => {
  it("GET /v1/usage answers 503 usage_table_missing naming the table and the step, not a bare 500", async () => {
    const { get, logs } = proxy();
    const answer = await get("/v1/usage", "sk-table-ops");
    expect(answer.status).toBe(503);
    expect(answer.headers.get("x-should-retry")).toBe("false");
    expect(await answer.json()).toEqual({
      error: { message: `${USAGE_TABLE_MISSING}.`, type: "server_error", param: null, code: "usage_table_missing" },
    });
    expect(USAGE_TABLE_MISSING).toContain("no usage table");
    expect(USAGE_TABLE_MISSING).toContain(STEP);
    expect(logs.at(-1)).toMatchObject({ status: 503, error_code: "usage_table_missing" });
  });

  it("a call to a model is served, and its lost record's log line says why in the same words", async () => {
    const printed = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const { chat, logs } = proxy();
    const answer = await chat();
    expect(answer.status).toBe(200);
    // The record is written once the answer is out, its body read.
    await answer.text();
    // Its own line: what an earlier file's leftover work prints lands here too (vitest.config.mts).
    const requestId = logs.at(-1)?.request_id;
    const text = await vi.waitFor(() => {
      const found = printed.mock.calls
        .map(([printedText]) => String(printedText))
        .find((t) => t.includes(`${requestId}`));
      expect(found).toBeDefined();
      return found;
    });
    const line = JSON.parse(String(text)) as Record<string, unknown>;
    expect(line).toMatchObject({
      request_id: requestId,
      failed: "the usage record",
      error: USAGE_TABLE_MISSING,
    });
  });

  it("is a problem /health reports, looked for again on a later /health until found, then never again", async () => {
    const { get, served, state, logs } = proxy();
    const seen = await get("/health", "sk-table-ops");
    expect(seen.status).toBe(503);
    expect(await seen.json()).toEqual({ status: "misconfigured", problems: [USAGE_TABLE_MISSING] });
    // Its log line, what `wrangler tail` shows, names the step, not an invalid configuration
    // (codereview16 #4): calls are served meanwhile.
    expect(logs.at(-1)).toMatchObject({ status: 503, error_code: "usage_table_missing" });
    expect(logs.at(-1)?.error).toBe(
      `${USAGE_TABLE_MISSING}. Calls are served meanwhile; their usage records are lost.`,
    );
    const counted = await get("/health");
    expect(counted.status).toBe(503);
    expect(await counted.json()).toMatchObject({ status: "misconfigured", problem_count: 1 });
    expect(state.looks).toBe(2);

    // Calls to models never look for it, while it is missing or once it is there.
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    expect(await served()).toBe(200);
    expect(state.looks).toBe(2);

    state.migrated = true;
    expect(await (await get("/health")).json()).toEqual({ status: "ok" });
    expect(state.looks).toBe(3);
    for (let i = 0; i < 3; i++) expect((await get("/health")).status).toBe(200);
    expect(await served()).toBe(200);
    expect(state.looks).toBe(3);
  });

  it("D1 failing for another reason is no problem of the deployment's: /health is ok, and looks again next time", async () => {
    const { get, state } = proxy();
    state.fails = new Error("D1_ERROR: Network connection lost.");
    expect((await get("/health")).status).toBe(200);
    state.fails = undefined;
    expect((await get("/health")).status).toBe(503);
    expect(state.looks).toBe(2);
  });
});

describe("/health's look for the table, shared by concurrent /health requests (isolation51 #1)", () => {
  /** A database whose first look never answers (its request cancelled) and whose later ones find no table. */
  function firstLookNeverAnswers(): D1Database & { looks: number } {
    const db = { looks: 0, prepare: () => statement };
    const statement: D1Statement = {
      bind: () => statement,
      run: async () => ({}),
      all: <Row>() =>
        db.looks++ === 0
          ? new Promise<{ results: Row[] }>(() => undefined)
          : Promise.reject(new Error("D1_ERROR: no such table: usage: SQLITE_ERROR")),
    };
    return db;
  }

  // workerd cancels an ended request's I/O: a look started by a /health whose client left never
  // settles. Later /health requests must not wait on it for the isolate's life.
  it("a look that never answers is given up a second later: the next /health looks afresh", async () => {
    let now = 1000;
    const db = firstLookNeverAnswers();
    const problems = usageTableCheck(db, () => now);
    void problems();
    now = 1999;
    void problems();
    expect(db.looks).toBe(1);
    now = 2000;
    expect(await problems()).toEqual([USAGE_TABLE_MISSING]);
    expect(db.looks).toBe(2);
  });

  it("a /health that joins a look that never answers waits no longer than the look is shared, then looks afresh", async () => {
    vi.useFakeTimers();
    try {
      const db = firstLookNeverAnswers();
      const problems = usageTableCheck(db);
      void problems();
      vi.advanceTimersByTime(400);
      let answer: string[] | undefined;
      void problems().then((found) => {
        answer = found;
      });
      expect(db.looks).toBe(1);
      await vi.advanceTimersByTimeAsync(599);
      expect(answer).toBeUndefined();
      await vi.advanceTimersByTimeAsync(1);
      expect(answer).toEqual([USAGE_TABLE_MISSING]);
      expect(db.looks).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it("a given-up look that answers late leaves its successor for the next /health requests to share", async () => {
    let now = 1000;
    const answers: ((failure: Error) => void)[] = [];
    const statement: D1Statement = {
      bind: () => statement,
      run: async () => ({}),
      all: <Row>() => new Promise<{ results: Row[] }>((_, reject) => answers.push(reject)),
    };
    const problems = usageTableCheck({ prepare: () => statement }, () => now);
    const old = problems();
    now = 2100;
    const newer = problems();
    expect(answers).toHaveLength(2);
    // The given-up look answers while its successor is still on its way.
    answers[0]!(new Error("D1_ERROR: no such table: usage: SQLITE_ERROR"));
    expect(await old).toEqual([USAGE_TABLE_MISSING]);
    now = 2200;
    const shared = problems();
    expect(answers).toHaveLength(2);
    answers[1]!(new Error("D1_ERROR: no such table: usage: SQLITE_ERROR"));
    expect(await newer).toEqual([USAGE_TABLE_MISSING]);
    expect(await shared).toEqual([USAGE_TABLE_MISSING]);
  });
});
