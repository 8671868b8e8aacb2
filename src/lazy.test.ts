import { describe, expect, it } from "vitest";
import { lazy } from "./lazy.ts";

describe("lazy", () => {
  it("loads once, on first use, and hands out the same promise after", async () => {
    let loads = 0;
    const load = lazy(async () => ({ n: ++loads }));
    expect(loads).toBe(0);
    const first = load();
    expect(load()).toBe(first);
    expect(await first).toEqual({ n: 1 });
    expect(await load()).toEqual({ n: 1 });
    expect(loads).toBe(1);
  });

  it("tries again after a failed load", async () => {
    let loads = 0;
    const load = lazy(async () => {
      loads++;
      if (loads === 1) throw new Error("offline");
      return "module";
    });
    await expect(load()).rejects.toThrow("offline");
    expect(await load()).toBe("module");
    expect(loads).toBe(2);
  });
});
