/// <reference types="node" />
// The type check of the docs' TypeScript samples (scripts/readme-types.ts, run by npm run
// typecheck): it takes every ```ts block of README.md and docs/*.md and nothing else, reports
// errors at the pages' lines, and
// fails on a block broken as the first library example once was (`choices[0].message` under
// noUncheckedIndexedAccess) while the block as the README has it compiles.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { TYPE_CHECKS } from "../scripts/checks.ts";
import { checkDocSamples, readmeLocations, tsSamples } from "../scripts/readme-types.ts";
import { docPages, readmeSnippet } from "./helpers/readme.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
// Beside the check's own folder, where bedrock-edge's dependencies and @types/node resolve.
const CACHE = join(ROOT, "node_modules/.cache/bedrock-edge");
mkdirSync(CACHE, { recursive: true });
const dir = mkdtempSync(join(CACHE, "readme-types-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A markdown text: a title, then each block after a line of text. */
function markdown(...blocks: Array<{ lang: string; code: string }>): string {
  return ["# Title", "", ...blocks.flatMap(({ lang, code }) => ["Some text.", `\`\`\`${lang}`, code, "```", ""])].join(
    "\n",
  );
}

describe("the README samples' type check", () => {
  it("is one of npm run typecheck's checks, so npm test and CI run it", () => {
    expect(TYPE_CHECKS.filter((check) => check.args.includes("scripts/readme-types.ts"))).toEqual([
      expect.objectContaining({ bin: "tsx", args: ["scripts/readme-types.ts"] }),
    ]);
  });

  it("takes every ts block, each with the README line its code begins on, and no other block", () => {
    const text = markdown(
      { lang: "sh", code: "npm test" },
      { lang: "ts", code: "const a = 1;\nconst b = 2;" },
      { lang: "js", code: "const c = 3;" },
      { lang: "ts", code: "const d = 4;" },
    );
    expect(tsSamples(text)).toEqual([
      { line: 10, code: "const a = 1;\nconst b = 2;" },
      { line: 21, code: "const d = 4;" },
    ]);
    expect(text.split("\n")[10 - 1]).toBe("const a = 1;");
    expect(text.split("\n")[21 - 1]).toBe("const d = 4;");
  });

  it("reports tsc's errors at README lines", () => {
    const output = "node_modules/.cache/bedrock-edge/readme-samples/README-L74.ts(15,13): error TS2532: Object…";
    expect(readmeLocations(output)).toBe("README.md:88:13: error TS2532: Object…");
  });

  it("reports tsc's errors at a docs page's lines", () => {
    const output =
      "node_modules/.cache/bedrock-edge/readme-samples/docs__LIBRARY-REFERENCE-L120.ts(3,7): error TS2322: Type…";
    expect(readmeLocations(output)).toBe("docs/LIBRARY-REFERENCE.md:122:7: error TS2322: Type…");
  });

  it("reads README.md and every page of docs/", () => {
    const pages = docPages();
    expect(pages[0]).toBe("README.md");
    expect(pages).toContain("docs/TESTS.md");
    expect(pages.slice(1).every((page) => /^docs\/[^/]+\.md$/.test(page))).toBe(true);
  });

  it("fails on a broken block, at its page's lines, and passes the same block as the README has it", async () => {
    const { code } = readmeSnippet("first-library");
    const broken = code.replaceAll("choices[0]?.message", "choices[0].message");
    expect(broken).not.toBe(code);
    // A fragment too: `bedrock` comes from the samples' context, as the README's text gives it.
    const fragment =
      'const r1 = await bedrock.chat.completions.create({ model: "m", messages: [] });\nr1.choices[0].index;';
    const text = markdown({ lang: "ts", code }, { lang: "ts", code: broken });
    const page = markdown({ lang: "ts", code: fragment });
    const [, brokenAt] = tsSamples(text).map((sample) => sample.line);
    const [fragmentAt] = tsSamples(page).map((sample) => sample.line);
    const lineOf = (block: string, start: number, needle: string) =>
      start + block.split("\n").findIndex((line) => line.includes(needle));

    const result = await checkDocSamples(
      [
        { page: "README.md", text },
        { page: "docs/REFERENCE.md", text: page },
      ],
      dir,
    );
    expect(result.ok).toBe(false);
    expect(result.samples).toBe(3);
    expect(result.output.trim().split("\n").sort()).toEqual(
      [
        `README.md:${lineOf(broken, brokenAt!, "reasoning_content")}:13: error TS2532: Object is possibly 'undefined'.`,
        `README.md:${lineOf(broken, brokenAt!, "message.content")}:13: error TS2532: Object is possibly 'undefined'.`,
        `docs/REFERENCE.md:${lineOf(fragment, fragmentAt!, "r1.choices")}:1: error TS2532: Object is possibly 'undefined'.`,
      ].sort(),
    );
  }, 120_000);
});
