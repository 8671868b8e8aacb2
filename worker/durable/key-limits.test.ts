import { afterEach, describe, expect, it, vi } from "vitest";
import { memoryStorage } from "../../test/helpers/memory-storage.ts";
import { KeyLimits, LEASE_RENEW_MS } from "./key-limits.ts";

/** A KeyLimits object on memory storage: its methods, called as the proxy calls them. */
function keyLimits(storage = memoryStorage()) {
  const object = new KeyLimits({ storage });
  return async (method: string, args: unknown) =>
    (
      await object.fetch(
        new Request(`https://durable-object/${method}`, { method: "POST", body: JSON.stringify(args) }),
      )
    ).json();
}

/**
 * docs/PROXY-REFERENCE.md's times, pinned here rather than read from the module: a place left behind "frees
 * itself within 15 minutes", and a settled request's mark is kept "for a minute" (longer than the
 * proxy's tries again, inside ctx.waitUntil's 30 s).
 */
const LEASE_MS = 15 * 60_000;
const SETTLED_MS = 60_000;

/** An admission, on today's day (whatever the clock says; the tests of days below name theirs). */
/**
 * Where the tests that run for an hour or more of fake time start: far from 00:00 UTC, so that no
 * such test crosses into a new day (a clean-clone run begun at 23:45 did, and a lapsed
 * reservation's day was told ended).
 */
const MIDDAY = "2026-11-28T12:00:00Z";

const ADMITTED = { ok: true, day: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) };

afterEach(() => {
  vi.useRealTimers();
});

describe("a stream's lease", () => {
  it("holds its place for as long as it is renewed, and lapses 15 minutes (LEASE_MS) after the last renewal", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(MIDDAY));
    const call = keyLimits();
    expect(await call("admit", { concurrentStreams: 1, lease: "req_a" })).toEqual(ADMITTED);
    // An hour-long stream, renewed every LEASE_RENEW_MS, keeps its place all along.
    for (let minute = 0; minute < 60; minute += LEASE_RENEW_MS / 60_000) {
      vi.advanceTimersByTime(LEASE_RENEW_MS);
      await call("renew", { lease: "req_a" });
      expect(await call("read", {}), `after ${minute} minutes`).toMatchObject({ streams: 1 });
      expect(await call("admit", { concurrentStreams: 1, lease: "req_b" })).toMatchObject({ ok: false });
    }
    vi.advanceTimersByTime(LEASE_MS - 1);
    expect(await call("read", {})).toMatchObject({ streams: 1 });
    vi.advanceTimersByTime(1);
    expect(await call("read", {})).toMatchObject({ streams: 0 });
  });

  it("returned, or lapsed, is not brought back by a late renewal", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(MIDDAY));
    const call = keyLimits();
    await call("admit", { concurrentStreams: 2, lease: "req_a" });
    await call("settle", { lease: "req_a" });
    await call("renew", { lease: "req_a" });
    expect(await call("read", {})).toMatchObject({ streams: 0 });
    await call("admit", { concurrentStreams: 2, lease: "req_b" });
    vi.advanceTimersByTime(LEASE_MS);
    await call("renew", { lease: "req_b" });
    expect(await call("read", {})).toMatchObject({ streams: 0 });
  });
});

describe("tokens reserved by requests in flight", () => {
  const LIMIT = 300;
  const admit = (lease: string, reserve: number) => ({ tokensPerDay: LIMIT, reserve, lease });

  it("admit while the tokens used and reserved are below the limit, the last one's own reservation need not fit", async () => {
    const call = keyLimits();
    expect(await call("admit", admit("req_a", 100))).toEqual(ADMITTED);
    expect(await call("admit", admit("req_b", 150))).toEqual(ADMITTED);
    // 250 reserved: room for one more, however large.
    expect(await call("admit", admit("req_c", 5000))).toEqual(ADMITTED);
    expect(await call("read", {})).toMatchObject({ tokens: 0, reserved: 5250, requests: 3, streams: 0 });
    expect(await call("admit", admit("req_d", 1))).toEqual({
      ok: false,
      limit: "tokens_in_flight",
      used: 0,
      reserved: 5250,
      requests: 3,
      retryAfterS: 2,
    });
  });

  it("a reservation is replaced by what its request used, when it settles", async () => {
    const call = keyLimits();
    await call("admit", admit("req_a", 250));
    await call("admit", admit("req_b", 100));
    expect(await call("admit", admit("req_c", 10))).toMatchObject({ ok: false, limit: "tokens_in_flight" });
    await call("settle", { lease: "req_a", tokens: 40 });
    expect(await call("read", {})).toMatchObject({ tokens: 40, reserved: 100, requests: 1 });
    expect(await call("admit", admit("req_c", 10))).toEqual(ADMITTED);
    // One that used nothing (refused, failed before its first byte) returns its reservation all the same.
    await call("settle", { lease: "req_b" });
    await call("settle", { lease: "req_c", tokens: 10 });
    expect(await call("read", {})).toMatchObject({ tokens: 50, reserved: 0, requests: 0 });
  });

  it("a settlement whose count it cannot take is refused, its reservation returned all the same (numbers43 #1)", async () => {
    const object = new KeyLimits({ storage: memoryStorage() });
    const send = (method: string, args: unknown) =>
      object.fetch(new Request(`https://durable-object/${method}`, { method: "POST", body: JSON.stringify(args) }));
    const read = async () => (await send("read", {})).json();
    // Infinity and NaN arrive as null in JSON.
    for (const [index, tokens] of [null, -1, "40", Number.POSITIVE_INFINITY].entries()) {
      const lease = `req_${index}`;
      expect(await (await send("admit", admit(lease, LIMIT))).json()).toEqual(ADMITTED);
      const settled = await send("settle", { lease, tokens });
      expect({ tokens, status: settled.status, said: await settled.text() }).toEqual({
        tokens,
        status: 400,
        said: "tokens must be a number",
      });
      // Not held until the lease lapses: the next request is admitted at once.
      expect(await read()).toMatchObject({ tokens: 0, reserved: 0, requests: 0 });
    }
  });

  it("a day used up is refused as such, not for requests in flight", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-11-28T23:00:00Z"));
    const call = keyLimits();
    await call("admit", admit("req_a", 100));
    await call("settle", { lease: "req_a", tokens: LIMIT });
    await call("admit", { concurrentStreams: 5, lease: "req_stream" });
    expect(await call("admit", admit("req_b", 1))).toEqual({
      ok: false,
      limit: "tokens_per_day",
      used: LIMIT,
      retryAfterS: 3600,
    });
  });

  it("a day's tokens used up: Retry-After reaches 00:00 UTC, never a second short of it", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    // Half a second past noon, 43,199.5 s before midnight: a client told 43,199 would ask again
    // at 23:59:59.5 and be refused a second time.
    vi.setSystemTime(new Date(Date.parse(MIDDAY) + 500));
    const call = keyLimits();
    await call("settle", { tokens: LIMIT });
    expect(await call("admit", admit("req_a", 1))).toEqual({
      ok: false,
      limit: "tokens_per_day",
      used: LIMIT,
      retryAfterS: 43_200,
    });
  });

  it("what the day has used counts with what is reserved: requests in flight cannot spend more than the day has left", async () => {
    const call = keyLimits();
    // 200 of 300 used today; two requests in flight reserve 50 each: the rest of the day is spoken
    // for, however far below the whole day the reservations alone are.
    await call("settle", { tokens: 200 });
    expect(await call("admit", admit("req_a", 50))).toEqual(ADMITTED);
    expect(await call("admit", admit("req_b", 50))).toEqual(ADMITTED);
    expect(await call("admit", admit("req_c", 50))).toEqual({
      ok: false,
      limit: "tokens_in_flight",
      used: 200,
      reserved: 100,
      requests: 2,
      retryAfterS: 2,
    });
  });

  it("the requests an in-flight refusal names are those holding tokens, not a stream that reserves none", async () => {
    const call = keyLimits();
    // A stream admitted before the key had tokens_per_day: its lease holds a place, no tokens.
    await call("admit", { concurrentStreams: 5, lease: "req_stream" });
    await call("admit", admit("req_big", LIMIT));
    expect(await call("admit", admit("req_c", 1))).toEqual({
      ok: false,
      limit: "tokens_in_flight",
      used: 0,
      reserved: LIMIT,
      requests: 1,
      retryAfterS: 2,
    });
  });

  it("a plain request's lease holds tokens but no stream's place; a stream's holds both", async () => {
    const call = keyLimits();
    expect(await call("admit", admit("req_plain", 100))).toEqual(ADMITTED);
    expect(await call("admit", { ...admit("req_stream", 100), concurrentStreams: 1 })).toEqual(ADMITTED);
    expect(await call("read", {})).toMatchObject({ reserved: 200, requests: 2, streams: 1 });
    expect(await call("admit", { concurrentStreams: 1, lease: "req_other" })).toMatchObject({
      ok: false,
      limit: "concurrent_streams",
      open: 1,
    });
  });

  it("without tokens_per_day a request reserves nothing, whatever it says", async () => {
    const call = keyLimits();
    await call("admit", { concurrentStreams: 2, lease: "req_a", reserve: 1000 });
    expect(await call("read", {})).toMatchObject({ reserved: 0, streams: 1 });
  });

  it("an admission under no limit holds nothing, whatever lease it names", async () => {
    const call = keyLimits();
    expect(await call("admit", { lease: "req_a", reserve: 100 })).toEqual(ADMITTED);
    expect(await call("read", {})).toMatchObject({ reserved: 0, streams: 0, requests: 0 });
  });

  it("a stream's admission must name its lease: its place is held under it", async () => {
    const refused = await new KeyLimits({ storage: memoryStorage() }).fetch(
      new Request("https://durable-object/admit", { method: "POST", body: JSON.stringify({ concurrentStreams: 1 }) }),
    );
    expect(refused.status).toBe(400);
  });

  it("an admission without a lease (older callers) is checked, and holds nothing", async () => {
    const call = keyLimits();
    await call("admit", admit("req_a", LIMIT));
    expect(await call("admit", { tokensPerDay: LIMIT })).toMatchObject({ ok: false, limit: "tokens_in_flight" });
    await call("settle", { lease: "req_a", tokens: 10 });
    expect(await call("admit", { tokensPerDay: LIMIT })).toEqual(ADMITTED);
    expect(await call("read", {})).toMatchObject({ reserved: 0, requests: 0 });
  });

  it("a reservation is kept while it is renewed, and lapses 15 minutes (LEASE_MS) after the last renewal (its isolate died)", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(MIDDAY));
    const call = keyLimits();
    await call("admit", admit("req_a", LIMIT));
    for (let renewal = 0; renewal < 6; renewal++) {
      vi.advanceTimersByTime(LEASE_RENEW_MS);
      await call("renew", { lease: "req_a" });
      expect(await call("admit", admit("req_b", 1))).toMatchObject({ ok: false, limit: "tokens_in_flight" });
    }
    vi.advanceTimersByTime(LEASE_MS - 1);
    expect(await call("read", {})).toMatchObject({ reserved: LIMIT, requests: 1 });
    vi.advanceTimersByTime(1);
    expect(await call("read", {})).toMatchObject({ reserved: 0, requests: 0 });
    expect(await call("admit", admit("req_b", 1))).toEqual(ADMITTED);
    // A late settlement counts what it used and brings nothing back.
    await call("settle", { lease: "req_a", tokens: 20 });
    expect(await call("read", {})).toMatchObject({ tokens: 20, reserved: 1, requests: 1 });
  });
});

describe("a settlement tried again (its first answer lost, after the object applied it: leases45 #1)", () => {
  const LIMIT = 1000;
  const admit = (lease: string, reserve: number) => ({ tokensPerDay: LIMIT, reserve, lease, concurrentStreams: 1 });

  it("counts its tokens once, and the place and reservation it returned stay returned", async () => {
    const call = keyLimits();
    await call("admit", admit("req_a", 300));
    await call("settle", { lease: "req_a", tokens: 40 });
    await call("settle", { lease: "req_a", tokens: 40 });
    expect(await call("read", {})).toMatchObject({ tokens: 40, reserved: 0, streams: 0, requests: 0 });
    await call("renew", { lease: "req_a" });
    expect(await call("read", {})).toMatchObject({ tokens: 40, reserved: 0, streams: 0, requests: 0 });
    // What it leaves holds nothing: the key's next stream takes the place.
    expect(await call("admit", admit("req_b", 300))).toEqual(ADMITTED);
    expect(await call("read", {})).toMatchObject({ reserved: 300, streams: 1, requests: 1 });
  });

  it("of a lease never stored (its admission failed): counted once all the same", async () => {
    const call = keyLimits();
    await call("settle", { lease: "req_unchecked", tokens: 25 });
    await call("settle", { lease: "req_unchecked", tokens: 25 });
    expect(await call("read", {})).toMatchObject({ tokens: 25, reserved: 0, streams: 0, requests: 0 });
  });

  it("of a lease stored by older code (an object, or a number): counted once", async () => {
    const storage = memoryStorage();
    const until = Date.now() + LEASE_MS;
    await storage.put({ "lease:req_object": { until, tokens: 200, stream: true }, "lease:req_number": until });
    const call = keyLimits(storage);
    expect(await call("read", {})).toMatchObject({ reserved: 200, streams: 2, requests: 2 });
    for (const lease of ["req_object", "req_number", "req_object", "req_number"]) {
      await call("settle", { lease, tokens: 7 });
    }
    expect(await call("read", {})).toMatchObject({ tokens: 14, reserved: 0, streams: 0, requests: 0 });
  });

  it("what a settlement leaves lapses a minute (SETTLED_MS) later, lies apart from the leases and is pruned by a later settlement", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(MIDDAY));
    const storage = memoryStorage();
    const call = keyLimits(storage);
    await call("admit", admit("req_a", 300));
    await call("settle", { lease: "req_a", tokens: 40 });
    expect(await storage.get("lease:req_a")).toBeUndefined();
    vi.advanceTimersByTime(SETTLED_MS - 1);
    expect(await storage.get("settled:req_a")).toBeDefined();
    await call("settle", { lease: "req_a", tokens: 40 });
    expect(await call("read", {})).toMatchObject({ tokens: 40, requests: 0 });
    vi.advanceTimersByTime(1);
    await call("settle", { lease: "req_b", tokens: 1 });
    expect(await storage.get("settled:req_a")).toBeUndefined();
    expect(await storage.get("settled:req_b")).toBeDefined();
    expect(await call("read", {})).toMatchObject({ tokens: 41 });
  });

  it("leases lapsed by the hundred (an isolate that died with its requests) are all deleted, and the key admits", async () => {
    const storage = memoryStorage();
    const lapsed = Date.now() - 1;
    const left: Record<string, unknown> = {};
    for (let i = 0; i < 300; i++) left[`lease:req_${i}`] = { until: lapsed, tokens: 10, stream: true };
    for (const names = Object.keys(left); names.length; ) {
      await storage.put(Object.fromEntries(names.splice(0, 128).map((name) => [name, left[name]])));
    }
    const call = keyLimits(storage);
    expect(await call("admit", admit("req_new", 300))).toEqual(ADMITTED);
    expect(await call("read", {})).toMatchObject({ reserved: 300, streams: 1, requests: 1 });
    expect([...(await storage.list({ prefix: "lease:" })).keys()]).toEqual(["lease:req_new"]);
  });

  it("many marks lapsed at once are all pruned (storage deletes 128 keys a call)", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(MIDDAY));
    const storage = memoryStorage();
    const call = keyLimits(storage);
    for (let i = 0; i < 300; i++) await call("settle", { lease: `req_${i}`, tokens: 1 });
    vi.advanceTimersByTime(SETTLED_MS);
    await call("settle", { lease: "req_last", tokens: 1 });
    const left = [...(await storage.list({ prefix: "settled:" })).keys()];
    expect(left).toEqual(["settled:req_last"]);
  });
});

describe("a lease stored as a number (a stream's, before reservations)", () => {
  /** Storage holding such a lease, as older code wrote it: the time it lapses. */
  function withOldLease(until: number) {
    const storage = memoryStorage();
    void storage.put({ "lease:req_old": until });
    return keyLimits(storage);
  }

  it("holds its stream's place and no tokens, is renewed, and lapses", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(MIDDAY));
    const call = withOldLease(Date.now() + LEASE_MS);
    expect(await call("read", {})).toMatchObject({ streams: 1, reserved: 0, requests: 1 });
    expect(await call("admit", { concurrentStreams: 1, lease: "req_new" })).toMatchObject({
      ok: false,
      limit: "concurrent_streams",
    });
    expect(await call("admit", { tokensPerDay: 10, reserve: 5, lease: "req_plain" })).toEqual(ADMITTED);
    vi.advanceTimersByTime(LEASE_RENEW_MS);
    await call("renew", { lease: "req_old" });
    vi.advanceTimersByTime(LEASE_MS - 1);
    expect(await call("read", {})).toMatchObject({ streams: 1 });
    vi.advanceTimersByTime(1);
    expect(await call("read", {})).toMatchObject({ streams: 0, reserved: 0, requests: 0 });
  });

  it("is returned by its settlement", async () => {
    const call = withOldLease(Date.now() + LEASE_MS);
    await call("settle", { lease: "req_old", tokens: 12 });
    expect(await call("read", {})).toMatchObject({ tokens: 12, streams: 0, requests: 0 });
  });
});

describe("one day per request (usage6 #4)", () => {
  const LIMIT = 1000;
  const DAY = "2026-11-28";
  const NEXT = "2026-11-29";
  const admit = (lease: string, reserve: number, day: string) => ({ tokensPerDay: LIMIT, reserve, lease, day });

  it("a request that ends after 00:00 UTC counts on the day it began, and reserves nothing of the next", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(`${DAY}T23:59:59.900Z`));
    const storage = memoryStorage();
    const call = keyLimits(storage);
    // It reserves the whole day; another request of that day waits for it.
    expect(await call("admit", admit("req_late", LIMIT, DAY))).toEqual({ ok: true, day: DAY });
    expect(await call("admit", admit("req_same_day", 1, DAY))).toMatchObject({ ok: false, limit: "tokens_in_flight" });
    vi.setSystemTime(new Date(`${NEXT}T00:00:00.400Z`));
    // Still running: it holds nothing against the new day's tokens, which it will not be counted on.
    expect(await call("read", {})).toMatchObject({ day: NEXT, tokens: 0, reserved: 0, requests: 1 });
    expect(await call("admit", admit("req_new_day", 10, NEXT))).toEqual({ ok: true, day: NEXT });
    await call("settle", { lease: "req_late", tokens: 81, day: DAY });
    await call("settle", { lease: "req_new_day", tokens: 7, day: NEXT });
    expect(await storage.get(`tokens:${DAY}`)).toBe(81);
    expect(await storage.get(`tokens:${NEXT}`)).toBe(7);
    expect(await call("read", {})).toMatchObject({ day: NEXT, tokens: 7, reserved: 0, requests: 0 });
  });

  it("a request of a spent day that reaches the object after 00:00 UTC is asked against the new day, and counted there (codereview15 #1, timebounds17 #1)", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(`${NEXT}T00:00:00.300Z`));
    const storage = memoryStorage();
    await storage.put({ [`tokens:${DAY}`]: LIMIT });
    const call = keyLimits(storage);
    // Refused, it would have been told to wait a whole day (Retry-After 86400) for what a retry
    // a moment later gets at once.
    const admission = await call("admit", admit("req_at_midnight", 10, DAY));
    expect(admission).toEqual({ ok: true, day: NEXT });
    expect(await call("read", {})).toMatchObject({ day: NEXT, reserved: 10, requests: 1 });
    await call("settle", { lease: "req_at_midnight", tokens: 12, day: (admission as { day: string }).day });
    // Not counted on the day that is over (which this settlement, the new day's first, prunes).
    expect(await storage.get(`tokens:${DAY}`)).toBeUndefined();
    expect(await call("read", {})).toMatchObject({ day: NEXT, tokens: 12, reserved: 0, requests: 0 });
  });

  it("requests of a spent day admitted one after another after 00:00 UTC spend the new day's tokens, not more (timebounds17 #1)", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(`${NEXT}T00:00:05Z`));
    const storage = memoryStorage();
    await storage.put({ [`tokens:${DAY}`]: LIMIT });
    const call = keyLimits(storage);
    // Each settled naming the day it began, as the proxy did before admit() answered a day: its
    // lease, which reserved on the new day, counts it there. Counted on the day they began, 50 of
    // them were served: 45,000 tokens charged to a day no admission reads.
    let served = 0;
    for (let request = 0; request < 50; request++) {
      const admission = (await call("admit", admit(`req_${request}`, 900, DAY))) as { ok: boolean };
      if (!admission.ok) break;
      await call("settle", { lease: `req_${request}`, tokens: 900, day: DAY });
      served += 900;
    }
    // The new day's limit, over by the last request admitted.
    expect(served).toBe(1800);
    expect(await storage.get(`tokens:${DAY}`)).toBeUndefined();
    expect(await call("read", {})).toMatchObject({ day: NEXT, tokens: 1800, reserved: 0, requests: 0 });
  });

  it("a day's count is kept while it is the day just counted or a later one, and pruned once past", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(`${NEXT}T00:00:01Z`));
    const storage = memoryStorage();
    await storage.put({ "tokens:2026-11-27": 5 });
    const call = keyLimits(storage);
    // An isolate whose clock runs ahead counts on a day that has not begun here yet.
    await call("settle", { tokens: 3, day: "2026-11-30" });
    await call("settle", { tokens: 81, day: DAY });
    expect(await storage.get("tokens:2026-11-27")).toBeUndefined();
    expect(await storage.get(`tokens:${DAY}`)).toBe(81);
    expect(await storage.get("tokens:2026-11-30")).toBe(3);
    vi.setSystemTime(new Date("2026-11-30T00:00:01Z"));
    await call("settle", { tokens: 1 });
    expect(await storage.get(`tokens:${DAY}`)).toBeUndefined();
    expect(await storage.get("tokens:2026-11-30")).toBe(4);
  });

  it("a reservation stored without a day (before days were) holds against any day's tokens", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(`${NEXT}T12:00:00Z`));
    const storage = memoryStorage();
    await storage.put({ "lease:req_old": { until: Date.now() + LEASE_MS, tokens: LIMIT, stream: false } });
    const call = keyLimits(storage);
    expect(await call("read", {})).toMatchObject({ reserved: LIMIT, requests: 1 });
    expect(await call("admit", admit("req_new", 1, NEXT))).toMatchObject({ ok: false, limit: "tokens_in_flight" });
  });

  it("a request counted on a later day (its isolate's clock runs ahead) is asked against that day's tokens", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(`${DAY}T23:59:59.900Z`));
    const storage = memoryStorage();
    await storage.put({ [`tokens:${DAY}`]: LIMIT });
    const call = keyLimits(storage);
    expect(await call("admit", admit("req_today", 1, DAY))).toMatchObject({ ok: false, limit: "tokens_per_day" });
    expect(await call("admit", admit("req_ahead", 1, NEXT))).toEqual({ ok: true, day: NEXT });
  });

  it("a later day's count is kept by the first pruning, whichever day that settlement counts on", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(`${NEXT}T00:00:01Z`));
    const storage = memoryStorage();
    // Counted by an isolate whose clock runs ahead, before this object (new, never pruned) ran.
    await storage.put({ "tokens:2026-11-30": 3, "tokens:2026-11-27": 5 });
    const call = keyLimits(storage);
    await call("settle", { tokens: 81, day: DAY });
    expect(await storage.get("tokens:2026-11-27")).toBeUndefined();
    expect(await storage.get("tokens:2026-11-30")).toBe(3);
  });

  it("without a day (older callers), today's; anything but a day is refused", async () => {
    const call = keyLimits();
    await call("settle", { tokens: 3 });
    expect(await call("read", {})).toMatchObject({ tokens: 3 });
    const refused = await new KeyLimits({ storage: memoryStorage() }).fetch(
      new Request("https://durable-object/settle", {
        method: "POST",
        body: JSON.stringify({ tokens: 1, day: "tomorrow" }),
      }),
    );
    expect(refused.status).toBe(400);
  });
});
