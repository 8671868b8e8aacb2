import { describe, expect, it } from "vitest";
import type { DurableObjectNamespace } from "../cloudflare.ts";
import { durableCooldownStore } from "./cooldowns.ts";

/**
 * A namespace that records the calls made to its objects and answers `cooling` from a table,
 * after `delay` when one is given (an object in another location).
 */
function recordingNamespace(cooling: Record<string, number>, delay?: () => Promise<void>) {
  const calls: string[] = [];
  const namespace: DurableObjectNamespace = {
    idFromName: (name) => name,
    get: (id) => ({
      async fetch(input: string, init?: RequestInit) {
        const method = new URL(input).pathname.slice(1);
        calls.push(`${String(id)} ${method} ${String(init?.body)}`);
        if (method === "cooling") await delay?.();
        return Response.json(method === "cooling" ? { ...cooling } : null);
      },
    }),
  };
  return { namespace, calls };
}

describe("the Durable Object cool-down store", () => {
  it("reads a model's cool-downs from its object at most once a second, and answers from that copy", async () => {
    let now = 1000;
    const { namespace, calls } = recordingNamespace({ a: 5000 });
    const store = durableCooldownStore(namespace, () => now);
    expect(await store.cooling("m", ["a", "b"])).toEqual({ a: 5000 });
    now = 1999;
    expect(await store.cooling("m", ["a", "b"])).toEqual({ a: 5000 });
    expect(calls).toEqual(['m cooling {"keys":["a","b"]}']);
    now = 2000;
    await store.cooling("m", ["a", "b"]);
    expect(calls).toHaveLength(2);
  });

  it("puts what this isolate learns into its copy at once, and into the object", async () => {
    let now = 1000;
    const { namespace, calls } = recordingNamespace({});
    const store = durableCooldownStore(namespace, () => now);
    expect(await store.cooling("m", ["a", "b"])).toEqual({});
    await store.coolDown("m", "b", 3000);
    expect(await store.cooling("m", ["a", "b"])).toEqual({ b: 3000 });
    await store.recover("m", "b");
    expect(await store.cooling("m", ["a", "b"])).toEqual({});
    now = 1500;
    await store.coolDown("m", "a", 1600);
    now = 1600;
    // Ended: no longer cooling, even from the copy.
    expect(await store.cooling("m", ["a", "b"])).toEqual({});
    expect(calls).toEqual([
      'm cooling {"keys":["a","b"]}',
      'm coolDown {"key":"b","until":3000}',
      'm recover {"key":"b"}',
      'm coolDown {"key":"a","until":1600}',
    ]);
  });

  it("is read once for requests that arrive together, not once each (concurrency6)", async () => {
    let now = 1000;
    let answer: () => void = () => undefined;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const { namespace, calls } = recordingNamespace({ a: 5000 }, () => answered);
    const store = durableCooldownStore(namespace, () => now);
    const together = Array.from({ length: 40 }, () => store.cooling("m", ["a", "b"]));
    answer();
    expect(await Promise.all(together)).toEqual(Array(40).fill({ a: 5000 }));
    expect(calls).toEqual(['m cooling {"keys":["a","b"]}']);
    // Stale a second later: the next burst reads again, once.
    now = 2000;
    await Promise.all(Array.from({ length: 40 }, () => store.cooling("m", ["a", "b"])));
    expect(calls).toHaveLength(2);
  });

  it("keeps what the isolate learns while a read is on its way, over what the read brings back", async () => {
    let answer: () => void = () => undefined;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const { namespace } = recordingNamespace({ a: 5000 }, () => answered);
    const store = durableCooldownStore(namespace, () => 1000);
    const reading = store.cooling("m", ["a", "b"]);
    await store.coolDown("m", "b", 3000);
    await store.recover("m", "a");
    answer();
    expect(await reading).toEqual({ b: 3000 });
    expect(await store.cooling("m", ["a", "b"])).toEqual({ b: 3000 });
  });
});
