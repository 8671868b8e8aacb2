// The README's compatibility table is the matrix the client suites run, rendered: it cannot
// drift from what is tested. And the matrix covers exactly the models `npm start` serves.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { demoModels } from "../../../scripts/dev-env.ts";
import { compatibilityTable, DEMO_MODELS } from "./matrix.ts";

/** A markdown table's cells, whatever its padding (the formatter aligns the README's tables). */
function cells(table: string): string[][] {
  return table.split("\n").map((line) =>
    line
      .split("|")
      .slice(1, -1)
      .map((cell) => cell.trim().replace(/^(:?)-+(:?)$/, "$1-$2")),
  );
}

describe("the client matrix", () => {
  it("covers every demo model, and no other", () => {
    expect(Object.keys(DEMO_MODELS).sort()).toEqual(Object.keys(demoModels()).sort());
  });

  it("is the README's compatibility table", () => {
    const expected = cells(compatibilityTable());
    const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8").split("\n");
    const start = readme.findIndex((line) => cells(line)[0]?.join("|") === expected[0]?.join("|"));
    expect(start, "the table's header row in README.md").toBeGreaterThanOrEqual(0);
    expect(cells(readme.slice(start, start + expected.length).join("\n"))).toEqual(expected);
  });
});
