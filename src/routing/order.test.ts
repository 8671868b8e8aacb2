import { describe, expect, it } from "vitest";
import type { ModelDeployment } from "../model.ts";
import { type OrderInput, orderDeployments } from "./order.ts";

function deployment(index: number, weight = 1): ModelDeployment {
  return { index, key: `d${index}`, modelId: `m${index}`, region: undefined, weight };
}

const three = [deployment(0), deployment(1), deployment(2)];
const input = (extra: Partial<OrderInput>): OrderInput => ({
  routing: "failover",
  cooling: {},
  now: 1000,
  busy: () => 0,
  random: () => 0,
  ...extra,
});
const indexes = (order: ModelDeployment[]) => order.map((d) => d.index);

describe("the order deployments are tried in", () => {
  it("failover: as listed", () => {
    expect(indexes(orderDeployments(three, input({})))).toEqual([0, 1, 2]);
  });

  it("puts deployments that cool down last, the soonest back first, and forgets ended cool-downs", () => {
    const cooling = { d0: 5000, d1: 3000, d2: 999 };
    expect(indexes(orderDeployments(three, input({ cooling })))).toEqual([2, 1, 0]);
    // A cool-down that ends now is over (mutation51), as the cool-down stores count it.
    expect(indexes(orderDeployments(three, input({ cooling: { d0: 1000 } })))).toEqual([0, 1, 2]);
  });

  it("least_busy: the fewest requests in flight first, ties as listed", () => {
    const busy = (key: string) => ({ d0: 2, d1: 0, d2: 1 })[key] ?? 0;
    expect(indexes(orderDeployments(three, input({ routing: "least_busy", busy })))).toEqual([1, 2, 0]);
    expect(indexes(orderDeployments(three, input({ routing: "least_busy" })))).toEqual([0, 1, 2]);
  });

  it("weighted: each pick in proportion to the weights left", () => {
    const weighted = [deployment(0, 1), deployment(1, 3)];
    // random() * 4: below 1 picks deployment 0, from 1 up deployment 1.
    expect(indexes(orderDeployments(weighted, input({ routing: "weighted", random: () => 0.2 })))).toEqual([0, 1]);
    expect(indexes(orderDeployments(weighted, input({ routing: "weighted", random: () => 0.3 })))).toEqual([1, 0]);
    let first = 0;
    const draws = 4000;
    let seed = 7;
    // A fixed pseudo-random sequence: the share is checked without depending on chance.
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let i = 0; i < draws; i++) {
      if (orderDeployments(weighted, input({ routing: "weighted", random }))[0]!.index === 1) first++;
    }
    expect(first / draws).toBeGreaterThan(0.72);
    expect(first / draws).toBeLessThan(0.78);
  });

  it("weighted, with one resting: the others by weight, the resting one last", () => {
    const weighted = [deployment(0, 5), deployment(1, 1), deployment(2, 1)];
    const order = orderDeployments(weighted, input({ routing: "weighted", cooling: { d0: 2000 }, random: () => 0.9 }));
    expect(indexes(order)).toEqual([2, 1, 0]);
  });
});
