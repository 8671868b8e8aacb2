/// <reference types="node" />
// The README's table of contents, and those of the reference pages in docs/ that have one, are
// written by hand; this keeps them whole: every section and subsection (## and ###) listed, in
// order, each linked by the anchor GitHub gives its heading.
import { describe, expect, it } from "vitest";
import { anchorOf } from "./helpers/markdown-links.ts";
import { docPage, docPages } from "./helpers/readme.ts";

const README = docPage("README.md");
/** The docs pages with a table of contents: a page without one is short enough to need none. */
const WITH_TOC = docPages().filter((page) => page !== "README.md" && docPage(page).includes("<!-- toc -->"));

/** The table of contents the headings call for, outside code blocks, the title (#) left out. */
function expectedToc(markdown: string): string[] {
  const lines: string[] = [];
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) fenced = !fenced;
    const heading = fenced ? null : /^(##|###) (.+)$/.exec(line);
    if (!heading) continue;
    const [, level, text] = heading as unknown as [string, string, string];
    const base = anchorOf(text);
    // GitHub numbers a repeated anchor: the second "x" is "x-1".
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    const anchor = count ? `${base}-${count}` : base;
    lines.push(`${level === "##" ? "" : "  "}- [${text}](#${anchor})`);
  }
  return lines;
}

describe("the README's table of contents", () => {
  it("lists every section and subsection, in order, by GitHub's anchors", () => {
    const block = /<!-- toc -->\n([\s\S]*?)\n<!-- \/toc -->/.exec(README);
    expect(block, "README.md has a <!-- toc --> … <!-- /toc --> block").not.toBeNull();
    expect(block![1]!.split("\n")).toEqual(expectedToc(README));
  });
});

describe.runIf(WITH_TOC.length > 0)("a docs page's table of contents", () => {
  it.each(WITH_TOC)("%s: lists every section and subsection, in order, by GitHub's anchors", (page) => {
    const text = docPage(page);
    const block = /<!-- toc -->\n([\s\S]*?)\n<!-- \/toc -->/.exec(text);
    expect(block, `${page} has a <!-- toc --> … <!-- /toc --> block`).not.toBeNull();
    expect(block![1]!.split("\n")).toEqual(expectedToc(text));
  });
});
