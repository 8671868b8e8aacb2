import { afterEach, describe, expect, it, vi } from "vitest";
import { EMULATOR_CREDENTIALS } from "../../emulator/credentials.ts";
import { emulatorModelId } from "../../emulator/model-id.ts";
import { createApp } from "../app.ts";
import type { D1Statement } from "../cloudflare.ts";

/** The proxy with an admin key and a USAGE_DB that answers no rows and records the `since` each query binds. */
function proxyWithUsage() {
  const bound: unknown[] = [];
  const statement = (values: unknown[] = []): D1Statement => ({
    bind: (...bind) => statement(bind),
    run: async () => ({}),
    async all<Row>() {
      bound.push(values[0]);
      return { results: [] as Row[] };
    },
  });
  const app = createApp({
    env: {
      MODELS: JSON.stringify({ llama: `bedrock/llama/${emulatorModelId("llama")}` }),
      API_KEYS: JSON.stringify({ boss: { key: "sk-boss-0123456789", admin: true } }),
      AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
      BEDROCK_ENDPOINT: "http://bedrock.emulator",
      USAGE_DB: { prepare: () => statement(), exec: async () => undefined },
    },
    log: () => undefined,
  });
  const report = async (query: string) => {
    const answer = await app.request(`/v1/usage${query}`, { headers: { authorization: "Bearer sk-boss-0123456789" } });
    return {
      status: answer.status,
      body: (await answer.json()) as { since?: string; error?: { param: string | null; message: string } },
    };
  };
  return { report, bound };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("GET /v1/usage's since (timebounds17 #4)", () => {
  it("by default covers the last 30 days, today's included", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-11-29T12:00:00Z"));
    const { report, bound } = proxyWithUsage();
    expect(await report("")).toMatchObject({ status: 200, body: { since: "2026-10-31" } });
    // 2026-10-31 to 2026-11-29, both included: 30 days.
    expect(bound).toEqual(["2026-10-31"]);
    // Across a month and a year, and on a leap day.
    vi.setSystemTime(new Date("2027-01-29T23:59:59.999Z"));
    expect((await report("")).body.since).toBe("2026-12-31");
    vi.setSystemTime(new Date("2028-03-29T00:00:00Z"));
    expect((await report("")).body.since).toBe("2028-02-29");
  });

  it.each(["2026-02-29", "2026-02-30", "2026-02-31", "2026-04-31", "2026-13-01", "2026-00-10", "2026-11-00"])(
    "refuses %s, a day that does not exist, with a 400 naming since",
    async (day) => {
      const { report, bound } = proxyWithUsage();
      const { status, body } = await report(`?since=${day}`);
      expect(status).toBe(400);
      expect(body.error).toMatchObject({
        param: "since",
        message: `since must be a day like 2026-11-01 (got "${day}").`,
      });
      expect(bound).toEqual([]);
    },
  );

  it.each(["2028-02-29", "2026-04-30", "2026-12-31", "2026-01-01"])(
    "takes %s, a day that exists, as given",
    async (day) => {
      const { report, bound } = proxyWithUsage();
      expect(await report(`?since=${day}`)).toMatchObject({ status: 200, body: { since: day } });
      expect(bound).toEqual([day]);
    },
  );
});

describe("GET /v1/usage's query (daytwo49 #9)", () => {
  it.each([
    ["?key=team-a", "key"],
    ["?since=2026-11-30&until=2026-11-30", "until"],
    ["?date=2026-11-30", "date"],
    ["?since=2026-11-30&key=team-a", "key"],
  ])(
    "refuses %s, a parameter it does not take, with a 400 naming it, rather than every key's and day's figures",
    async (query, name) => {
      const { report, bound } = proxyWithUsage();
      const { status, body } = await report(query);
      expect(status).toBe(400);
      expect(body.error).toMatchObject({
        param: name,
        message: `${name} is not a parameter of GET /v1/usage, which takes since and page: filter the answer's data by key and day (see docs/PROXY-REFERENCE.md#usage-records).`,
      });
      // Refused before the database is asked.
      expect(bound).toEqual([]);
    },
  );

  it("never quotes a long word it does not take as a name (a key pasted as one), nor names it as the param", async () => {
    const { report } = proxyWithUsage();
    const name = `sk-${"a".repeat(80)}`;
    const { status, body } = await report(`?${name}=1`);
    expect(status).toBe(400);
    expect(body.error?.param).toBeNull();
    expect(body.error?.message).not.toContain("aaaa");
    expect(body.error?.message).toContain("a name of 83 characters is not a parameter of GET /v1/usage");
  });

  it("takes since and page, and no query at all, as before", async () => {
    const { report, bound } = proxyWithUsage();
    expect((await report("?since=2026-11-01")).status).toBe(200);
    expect((await report("")).status).toBe(200);
    expect(bound).toHaveLength(2);
  });
});
