import { afterEach, describe, expect, it, vi } from "vitest";
import type { DurableObjectState } from "../cloudflare.ts";
import { KeyLimits, LEASE_RENEW_MS } from "./key-limits.ts";

/** A Durable Object's storage in memory, as much of it as KeyLimits uses. */
function memoryStorage(): DurableObjectState["storage"] {
  const entries = new Map<string, unknown>();
  return {
    get: (async (key: string | string[]) =>
      Array.isArray(key)
        ? new Map(key.filter((name) => entries.has(name)).map((name) => [name, entries.get(name)]))
        : entries.get(key)) as DurableObjectState["storage"]["get"],
    async put(values) {
      for (const [name, value] of Object.entries(values)) entries.set(name, value);
    },
    async delete(keys) {
      return keys.filter((name) => entries.delete(name)).length;
    },
    list: (async ({ prefix }: { prefix: string }) =>
      new Map([...entries].filter(([name]) => name.startsWith(prefix)))) as DurableObjectState["storage"]["list"],
  };
}

function keyLimits() {
  const object = new KeyLimits({ storage: memoryStorage() });
  return async (method: string, args: unknown) =>
    (
      await object.fetch(
        new Request(`https://durable-object/${method}`, { method: "POST", body: JSON.stringify(args) }),
      )
    ).json();
}

const LEASE_MS = 3 * LEASE_RENEW_MS;

afterEach(() => {
  vi.useRealTimers();
});

describe("a stream's lease", () => {
  it("holds its place for as long as it is renewed, and lapses LEASE_MS after the last renewal", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const call = keyLimits();
    expect(await call("admit", { concurrentStreams: 1, lease: "req_a" })).toEqual({ ok: true });
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
