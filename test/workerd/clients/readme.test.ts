// The proxy reference's compatibility table (docs/PROXY-REFERENCE.md) is the matrix the client suites run, rendered: it cannot
// drift from what is tested. And the matrix covers exactly the models `npm start` serves.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { demoModels } from "../../../scripts/dev-env.ts";
import { compatibilityTable, DEMO_MODELS } from "./matrix.ts";
import { tableCells, tableStart } from "../../helpers/markdown-table.ts";

describe("the client matrix", () => {
  it("covers every demo chat model, and no other", () => {
    // The embed and image routes' demos answer embeddings and images only (test/workerd/embeddings.test.ts
    // and images.test.ts have their clients).
    const chat = Object.entries(demoModels())
      .filter(([, entry]) => !(typeof entry === "object" && /^bedrock\/(?:embed|image)\//.test(entry.model ?? "")))
      .map(([name]) => name);
    expect(chat).not.toContain("demo-embed");
    expect(chat).not.toContain("demo-image");
    expect(Object.keys(DEMO_MODELS).sort()).toEqual(chat.sort());
  });

  it("is the proxy reference's compatibility table", () => {
    const expected = tableCells(compatibilityTable());
    const readme = readFileSync(new URL("../../../docs/PROXY-REFERENCE.md", import.meta.url), "utf8").split("\n");
    const start = tableStart(readme, expected);
    expect(start, "the table's header row in docs/PROXY-REFERENCE.md").toBeGreaterThanOrEqual(0);
    expect(tableCells(readme.slice(start, start + expected.length).join("\n"))).toEqual(expected);
  });
});
