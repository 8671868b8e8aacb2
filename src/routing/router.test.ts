import { afterEach, describe, expect, it, vi } from "vitest";
import { bedrockException } from "../bedrock-errors.ts";
import { badUpstream, BedrockEdgeError, invalidRequest, upstreamTimeout } from "../errors.ts";
import type { ModelDeployment, ModelDeployments } from "../model.ts";
import { type CooldownStore, memoryCooldownStore } from "./cooldowns.ts";
import { failoverKind } from "./failover.ts";
import { createRouter, type DeploymentEvent, type FailoverEvent } from "./router.ts";
import type { FailoverUsageEvent } from "./attempt-usage.ts";
import { makeUsage } from "../routes/usage.ts";

const throttled = () => bedrockException("ThrottlingException", "Too many requests", 429);
const notReady = () => bedrockException("ModelNotReadyException", "Model is not ready", 429);
const unavailable = () => bedrockException("ServiceUnavailableException", "unavailable", 503);
const internal = () => bedrockException("InternalServerException", "oops", 500);
const modelTimeout = () => bedrockException("ModelTimeoutException", "too slow", 408);
const invalid = () => bedrockException("ValidationException", "bad prompt", 400);

function model(count: number, routing: ModelDeployments["routing"] = "failover"): ModelDeployments {
  const deployments: ModelDeployment[] = Array.from({ length: count }, (_, index) => ({
    index,
    key: `key-${index}`,
    modelId: `model-${index}`,
    region: undefined,
    weight: 1,
  }));
  return { route: "llama", routing, deployments };
}

type Behaviour = "ok" | (() => Error);

/** A router over a memory store at a fixed time, and what each deployment does when called. */
function setup(behaviours: Behaviour[][], store: CooldownStore = memoryCooldownStore(() => 1000)) {
  const calls: { index: number; failFast: boolean }[] = [];
  const events: DeploymentEvent[] = [];
  const route = createRouter({ store, cooldownMs: 500, busy: () => 0, now: () => 1000 });
  const attempt = async (deployment: ModelDeployment, failFast: boolean) => {
    calls.push({ index: deployment.index, failFast });
    const script = behaviours[deployment.index]!;
    const next = script.length > 1 ? script.shift()! : script[0]!;
    if (next === "ok") return `served by ${deployment.index}`;
    throw next();
  };
  const run = (served = model(behaviours.length)) =>
    route("m", served, attempt, { onDeployment: (event) => events.push(event) });
  return { run, calls, events, store };
}

describe("failover", () => {
  it("moves on at once from throttling, 5xx and timeouts, and cools the failing copy down", async () => {
    for (const fault of [throttled, unavailable, internal, modelTimeout, () => upstreamTimeout("late")]) {
      const { run, calls, events, store } = setup([[fault], ["ok"]]);
      expect(await run()).toBe("served by 1");
      expect(calls).toEqual([
        { index: 0, failFast: true },
        { index: 1, failFast: false },
      ]);
      expect(events).toEqual([
        { index: 0, tried: 1 },
        { index: 1, tried: 2 },
      ]);
      expect(await store.cooling("m", ["key-0", "key-1"])).toEqual({ "key-0": 1500 });
    }
  });

  it("also moves on from the connection: unreachable, lost, a damaged answer", async () => {
    for (const code of ["upstream_unreachable", "upstream_connection_lost", "invalid_event_stream"]) {
      const { run } = setup([[() => badUpstream("x", code)], ["ok"]]);
      expect(await run()).toBe("served by 1");
    }
  });

  it("never moves on from the request's own faults or the configuration's", async () => {
    for (const fault of [
      invalid,
      () => invalidRequest("temperature must be a number"),
      () => new BedrockEdgeError({ status: 500, code: "missing_credentials", message: "no credentials" }),
      () => new DOMException("aborted", "AbortError"),
    ]) {
      const { run, calls } = setup([[fault], ["ok"]]);
      const error = await run().then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toBe(fault().message);
      expect(failoverKind(error)).toBeUndefined();
      expect(calls[0]).toEqual({ index: 0, failFast: true });
      expect(calls.filter((call) => call.index === 1)).toEqual([]);
    }
  });
});

describe("onFailover", () => {
  it("tells each copy's failed try with its error, the last copy's too: its try is over before its cool-down is written (codereview35 #1)", async () => {
    const route = createRouter({
      store: memoryCooldownStore(() => 1000),
      cooldownMs: 500,
      busy: () => 0,
      now: () => 1000,
    });
    const faults = [throttled(), upstreamTimeout("late"), unavailable()];
    const told: FailoverEvent[] = [];
    const attempt = async (deployment: ModelDeployment) => {
      throw faults[deployment.index];
    };
    await expect(route("m", model(3), attempt, { onFailover: (event) => told.push(event) })).rejects.toBe(faults[2]);
    expect(told).toEqual([
      { index: 0, error: faults[0] },
      { index: 1, error: faults[1] },
      { index: 2, error: faults[2] },
    ]);
  });

  it("tells each failed try before its copy's cool-down is written, the last's as the others'", async () => {
    const order: string[] = [];
    const memory = memoryCooldownStore(() => 1000);
    const store: CooldownStore = {
      ...memory,
      async coolDown(name, key, until) {
        order.push(`cool-down ${key}`);
        await memory.coolDown(name, key, until);
      },
    };
    const route = createRouter({ store, cooldownMs: 500, busy: () => 0, now: () => 1000 });
    const attempt = async () => {
      throw throttled();
    };
    const onFailover = ({ index }: FailoverEvent) => order.push(`told ${index}`);
    await expect(route("m", model(2), attempt, { onFailover })).rejects.toMatchObject({ status: 429 });
    expect(order).toEqual(["told 0", "cool-down key-0", "told 1", "cool-down key-1"]);
  });

  it("tells a sleeping copy's ModelNotReady when the request comes back to it after the last copy failed", async () => {
    const route = createRouter({
      store: memoryCooldownStore(() => 1000),
      cooldownMs: 500,
      busy: () => 0,
      now: () => 1000,
    });
    const asleep = notReady();
    const throttle = throttled();
    let woken = false;
    const attempt = async (deployment: ModelDeployment) => {
      if (deployment.index === 1) throw throttle;
      if (woken) return "served by 0";
      woken = true;
      throw asleep;
    };
    const told: FailoverEvent[] = [];
    expect(await route("m", model(2), attempt, { onFailover: (event) => told.push(event) })).toBe("served by 0");
    expect(told).toEqual([
      { index: 0, error: asleep },
      { index: 1, error: throttle },
    ]);
  });
});

describe("sleeping copies", () => {
  it("are not waited for while another copy is warm", async () => {
    const { run, calls } = setup([[notReady], ["ok"]]);
    expect(await run()).toBe("served by 1");
    // A copy was found asleep, so even the last is tried fast: had it failed, the sleeper would be waited for.
    expect(calls).toEqual([
      { index: 0, failFast: true },
      { index: 1, failFast: true },
    ]);
  });

  it("are waited for, the first one found, when no copy is warm", async () => {
    const { run, calls, events } = setup([[notReady, "ok"], [notReady]]);
    expect(await run()).toBe("served by 0");
    expect(calls).toEqual([
      { index: 0, failFast: true },
      { index: 1, failFast: true },
      { index: 0, failFast: false },
    ]);
    // Two deployments tried: the wait is a second send to the first, not a third deployment.
    expect(events.map((event) => [event.index, event.tried])).toEqual([
      [0, 1],
      [1, 2],
      [0, 2],
    ]);
  });

  it("are waited for when the warm copies fail, and forgotten once awake", async () => {
    const { run, calls, store } = setup([[notReady, "ok"], [throttled]]);
    expect(await run()).toBe("served by 0");
    expect(calls.map((call) => call.index)).toEqual([0, 1, 0]);
    expect(await store.cooling("m", ["key-0", "key-1"])).toEqual({ "key-1": 1500 });
  });
});

describe("when every copy fails", () => {
  it("the last one gets the full patience and its error is the answer", async () => {
    const { run, calls } = setup([[throttled], [unavailable]]);
    const error = await run().then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(BedrockEdgeError);
    expect((error as BedrockEdgeError).status).toBe(503);
    expect(calls).toEqual([
      { index: 0, failFast: true },
      { index: 1, failFast: false },
    ]);
  });
});

describe("cool-downs", () => {
  it("send requests to rested copies first, and back to a cooling one only as a last resort", async () => {
    const store = memoryCooldownStore(() => 1000);
    await store.coolDown("m", "key-0", 1400);
    const first = setup([["ok"], ["ok"]], store);
    expect(await first.run()).toBe("served by 1");
    const second = setup([["ok"], [throttled]], store);
    expect(await second.run()).toBe("served by 0");
    expect(second.calls.map((call) => call.index)).toEqual([1, 0]);
    // Deployment 0 served again, so it rests no more; deployment 1 now does.
    expect(await store.cooling("m", ["key-0", "key-1"])).toEqual({ "key-1": 1500 });
  });

  it("end: the memory store forgets a cool-down once it is over", async () => {
    let now = 1000;
    const store = memoryCooldownStore(() => now);
    await store.coolDown("m", "key-0", 1500);
    expect(await store.cooling("m", ["key-0"])).toEqual({ "key-0": 1500 });
    expect(await store.cooling("other", ["key-0"])).toEqual({});
    now = 1500;
    expect(await store.cooling("m", ["key-0"])).toEqual({});
  });

  it("are not asked for a model of one deployment, and a store that fails never fails a request", async () => {
    let asked = 0;
    const broken: CooldownStore = {
      cooling: async () => {
        asked++;
        throw new Error("store down");
      },
      coolDown: async () => {
        asked++;
        throw new Error("store down");
      },
      recover: async () => {
        asked++;
        throw new Error("store down");
      },
    };
    const single = setup([["ok"]], broken);
    expect(await single.run()).toBe("served by 0");
    expect(asked).toBe(0);
    const pair = setup([[throttled], ["ok"]], broken);
    expect(await pair.run()).toBe("served by 1");
    expect(asked).toBe(2);
  });
});

describe("an abort while a failed copy's cool-down is written (codereview34 #2)", () => {
  it("ends the request: the next copy is neither tried nor told to onDeployment", async () => {
    const controller = new AbortController();
    const store: CooldownStore = {
      ...memoryCooldownStore(() => 1000),
      coolDown: async () => controller.abort(new Error("the caller gave up")),
    };
    const calls: number[] = [];
    const route = createRouter({ store, cooldownMs: 500, busy: () => 0, now: () => 1000 });
    const told: DeploymentEvent[] = [];
    const attempt = async (deployment: ModelDeployment) => {
      calls.push(deployment.index);
      if (deployment.index === 0) throw throttled();
      return "served by 1";
    };
    await expect(
      route("m", model(2), attempt, { signal: controller.signal, onDeployment: (event) => told.push(event) }),
    ).rejects.toThrow("the caller gave up");
    expect(calls).toEqual([0]);
    expect(told).toEqual([{ index: 0, tried: 1 }]);
  });
});

// A failover whose final error is not a BedrockEdgeError (an abort's reason) lost what the failed
// copies had cost: those counts are told to onFailoverUsage, as when a copy serves.
describe("a request that ends in an error of no counts after a copy failed", () => {
  it("tells what the failed copy cost to onFailoverUsage, an abort during its cool-down's write too", async () => {
    const controller = new AbortController();
    const store: CooldownStore = {
      ...memoryCooldownStore(() => 1000),
      coolDown: async () => controller.abort(new Error("the caller gave up")),
    };
    const route = createRouter({ store, cooldownMs: 500, busy: () => 0, now: () => 1000 });
    const billed: FailoverUsageEvent[] = [];
    const attempt = async () => {
      const error = throttled();
      error.usage = makeUsage(12, 3);
      throw error;
    };
    await expect(
      route("m", model(2), attempt, { signal: controller.signal, onFailoverUsage: (event) => billed.push(event) }),
    ).rejects.toThrow("the caller gave up");
    expect(billed).toEqual([{ usage: makeUsage(12, 3) }]);
  });

  it("tells nothing when the failed copies cost nothing", async () => {
    const route = createRouter({
      store: memoryCooldownStore(() => 1000),
      cooldownMs: 500,
      busy: () => 0,
      now: () => 1000,
    });
    const billed: FailoverUsageEvent[] = [];
    let tries = 0;
    const attempt = async () => {
      if (tries++ === 0) throw throttled();
      throw new TypeError("a fault of no counts");
    };
    await expect(route("m", model(2), attempt, { onFailoverUsage: (event) => billed.push(event) })).rejects.toThrow(
      "a fault of no counts",
    );
    expect(billed).toEqual([]);
  });
});

describe("a store that is slow or never answers (aborts5)", () => {
  afterEach(() => {
    vi.useRealTimers();
  });
  const never = new Promise<never>(() => undefined);
  /** A store whose one method never answers; the others are a memory store's. */
  const stalled = (method: keyof CooldownStore): CooldownStore => {
    const memory = memoryCooldownStore(() => 1000);
    return { ...memory, [method]: () => never };
  };
  /** Settles `promise` on fake time: how long it took, and its outcome. */
  async function timed<T>(promise: Promise<T>, step = 100) {
    const outcome: { value?: T; error?: unknown; at?: number } = {};
    const started = Date.now();
    promise.then(
      (value) => Object.assign(outcome, { value, at: Date.now() - started }),
      (error: unknown) => Object.assign(outcome, { error, at: Date.now() - started }),
    );
    for (let waited = 0; outcome.at === undefined && waited < 10_000; waited += step) {
      await vi.advanceTimersByTimeAsync(step);
    }
    return outcome;
  }

  for (const [method, behaviours, servedBy] of [
    ["cooling", [["ok"], ["ok"]], "served by 0"],
    ["coolDown", [[throttled], ["ok"]], "served by 1"],
    ["recover", [["ok"], ["ok"]], "served by 0"],
  ] as const) {
    it(`${method}: the request goes on after a second, as if the store had failed, or at once when it is aborted`, async () => {
      vi.useFakeTimers();
      const stalledStore = stalled(method);
      // recover is asked of a copy that was resting, and served.
      const store: CooldownStore =
        method === "recover"
          ? { ...stalledStore, cooling: async () => ({ "key-0": 1400, "key-1": 1400 }) }
          : stalledStore;
      const route = createRouter({ store, cooldownMs: 500, busy: () => 0, now: () => 1000 });
      const script = behaviours.map((steps) => [...steps]);
      const attempt = async (deployment: ModelDeployment) => {
        const next = script[deployment.index]![0]!;
        if (next === "ok") return `served by ${deployment.index}`;
        throw next();
      };
      const late = await timed(route("m", model(2), attempt));
      expect(late).toEqual({ value: servedBy, at: 1000 });

      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error("the caller gave up")), 100);
      const aborted = await timed(route("m", model(2), attempt, { signal: controller.signal }), 10);
      // Nothing was sent yet while the store was read, nor the next copy while a cool-down was
      // written: the abort ends the request (codereview34 #2). A served copy's recovery: the
      // abort ends the wait, and the answer is the caller's.
      if (method === "recover") expect(aborted).toEqual({ value: servedBy, at: 100 });
      else expect(aborted).toMatchObject({ error: new Error("the caller gave up"), at: 100 });
    });
  }
});

// codereview47 #2: a hook that throws after a copy served was told again by the catch that tells
// a request ending in an error of no counts.
describe("onFailoverUsage", () => {
  it("is called once, even when it throws", async () => {
    const route = createRouter({
      store: memoryCooldownStore(() => 1000),
      cooldownMs: 500,
      busy: () => 0,
      now: () => 1000,
    });
    let told = 0;
    let tries = 0;
    const attempt = async () => {
      if (tries++ > 0) return "served";
      const error = throttled();
      error.usage = makeUsage(12, 3);
      throw error;
    };
    const onFailoverUsage = () => {
      told++;
      throw new Error("the hook failed");
    };
    await expect(route("m", model(2), attempt, { onFailoverUsage })).rejects.toThrow("the hook failed");
    expect(told).toBe(1);
  });
});
