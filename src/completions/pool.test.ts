import { describe, expect, it } from "vitest";
import { mapPooled } from "./pool.ts";

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe("mapPooled", () => {
  it("runs at most `limit` at once, and gives the results in the items' order", async () => {
    let open = 0;
    let peak = 0;
    const results = await mapPooled([5, 1, 4, 2, 3, 0, 6], 3, async (item) => {
      peak = Math.max(peak, ++open);
      for (let i = 0; i < item; i++) await tick();
      open--;
      return item * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 0, 60]);
    expect(peak).toBe(3);
  });

  it("rejects with the first failure and starts nothing after it", async () => {
    const started: number[] = [];
    const run = mapPooled([0, 1, 2, 3, 4, 5], 2, async (item) => {
      started.push(item);
      await tick();
      if (item === 1) throw new Error(`failed ${item}`);
      return item;
    });
    await expect(run).rejects.toThrow("failed 1");
    await tick();
    await tick();
    expect(started).toEqual([0, 1, 2]);
  });

  it("takes no items, and a limit larger than them", async () => {
    expect(await mapPooled([], 6, async () => 1)).toEqual([]);
    expect(await mapPooled(["a"], 6, async (item) => item.toUpperCase())).toEqual(["A"]);
  });
});
