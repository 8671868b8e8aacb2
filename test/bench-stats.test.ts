// How the bench says on which side of 1 a ratio's runs fell (benchcheck44 #4: a run at exactly 1
// was on neither side, and "0 of 3 runs < 1, 0 > 1" was printed for three such runs).
import { describe, expect, it } from "vitest";
import { describeSides } from "../bench/lib/stats.ts";

describe("describeSides", () => {
  it("says all runs on one side as n/n", () => {
    expect(describeSides([0.8, 0.9, 0.95])).toBe("3/3 runs < 1");
    expect(describeSides([1.2, 1.01])).toBe("2/2 runs > 1");
  });

  it("counts runs at exactly 1 apart, never as on either side", () => {
    expect(describeSides([1, 1, 1])).toBe("3/3 runs at 1");
    expect(describeSides([0.9, 1, 0.8])).toBe("2 of 3 runs < 1, 0 > 1, 1 at 1");
    expect(describeSides([0.9, 1.1, 0.8])).toBe("2 of 3 runs < 1, 1 > 1");
  });
});
