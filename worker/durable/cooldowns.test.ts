import { describe, expect, it } from "vitest";
import type { DurableObjectNamespace, DurableObjectState } from "../cloudflare.ts";
import { DeploymentCooldowns, durableCooldownStore } from "./cooldowns.ts";

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

describe("a read that never answers (isolation51 #1)", () => {
  // workerd cancels an ended request's I/O: a read started by a request that gave up on it (the
  // router waits 1 s) never settles. Later requests must not wait on it for the isolate's life.
  it("is given up once older than the copy's life: the next request reads afresh", async () => {
    let now = 1000;
    let reads = 0;
    const namespace: DurableObjectNamespace = {
      idFromName: (name) => name,
      get: () => ({
        fetch(input: string) {
          const method = new URL(input).pathname.slice(1);
          if (method === "cooling" && reads++ === 0) return new Promise<Response>(() => undefined);
          return Promise.resolve(Response.json(method === "cooling" ? { a: 5000 } : null));
        },
      }),
    };
    const store = durableCooldownStore(namespace, () => now);
    void store.cooling("m", ["a", "b"]);
    // Learnt while the dead read is on its way: kept by the read that replaces it.
    await store.coolDown("m", "b", 4000);
    now = 1999;
    // Still young: joined, not read again.
    void store.cooling("m", ["a", "b"]);
    expect(reads).toBe(1);
    now = 2000;
    expect(await store.cooling("m", ["a", "b"])).toEqual({ a: 5000, b: 4000 });
    expect(reads).toBe(2);
    // Answered from that copy now, not from the dead read.
    expect(await store.cooling("m", ["a", "b"])).toEqual({ a: 5000, b: 4000 });
    expect(reads).toBe(2);
  });

  it("a late answer to a replaced read neither drops the newer read's entry nor its copy", async () => {
    let now = 1000;
    const { answers, namespace } = heldReads();
    const store = durableCooldownStore(namespace, () => now);
    const old = store.cooling("m", ["a"]);
    now = 2100;
    const newer = store.cooling("m", ["a"]);
    expect(answers).toHaveLength(2);
    answers[1]!(Response.json({ a: 9000 }));
    expect(await newer).toEqual({ a: 9000 });
    // The replaced read answers late, with what the object held back then.
    answers[0]!(Response.json({}));
    expect(await old).toEqual({});
    now = 2200;
    expect(await store.cooling("m", ["a"])).toEqual({ a: 9000 });
    expect(answers).toHaveLength(2);
  });

  it("a replaced read answering while its successor is still on its way leaves the successor for the next requests to join", async () => {
    let now = 1000;
    const { answers, namespace } = heldReads();
    const store = durableCooldownStore(namespace, () => now);
    const old = store.cooling("m", ["a"]);
    now = 2100;
    const newer = store.cooling("m", ["a"]);
    expect(answers).toHaveLength(2);
    // The replaced read answers first; the newer one is still on its way.
    answers[0]!(Response.json({}));
    expect(await old).toEqual({});
    now = 2200;
    const joined = store.cooling("m", ["a"]);
    expect(answers).toHaveLength(2);
    answers[1]!(Response.json({ a: 9000 }));
    expect(await newer).toEqual({ a: 9000 });
    expect(await joined).toEqual({ a: 9000 });
  });
});

describe("the DeploymentCooldowns object", () => {
  it("answers the cool-downs still running, and deletes the ended ones it finds from its storage", async () => {
    const data = new Map<string, unknown>([
      ["until:ended", Date.now() - 1000],
      ["until:running", Date.now() + 60_000],
    ]);
    const storage = {
      get: async (keys: string[]) => new Map(keys.filter((key) => data.has(key)).map((key) => [key, data.get(key)])),
      put: async (entries: Record<string, unknown>) => {
        for (const [key, value] of Object.entries(entries)) data.set(key, value);
      },
      delete: async (keys: string[]) => keys.filter((key) => data.delete(key)).length,
      list: async () => new Map(),
    };
    const object = new DeploymentCooldowns({ storage } as unknown as DurableObjectState);
    const answer = await object.fetch(
      new Request("http://object/cooling", {
        method: "POST",
        body: JSON.stringify({ keys: ["ended", "running", "never"] }),
      }),
    );
    expect(Object.keys((await answer.json()) as Record<string, number>)).toEqual(["running"]);
    expect([...data.keys()]).toEqual(["until:running"]);
  });
});

/** Objects whose cool-down reads wait until the test answers them, in the order they were asked. */
function heldReads(): { answers: ((value: Response) => void)[]; namespace: DurableObjectNamespace } {
  const answers: ((value: Response) => void)[] = [];
  const namespace: DurableObjectNamespace = {
    idFromName: (name) => name,
    get: () => ({
      fetch: (input: string) =>
        new URL(input).pathname === "/cooling"
          ? new Promise<Response>((resolve) => answers.push(resolve))
          : Promise.resolve(Response.json(null)),
    }),
  };
  return { answers, namespace };
}
