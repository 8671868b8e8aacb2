/// <reference types="node" />
// Every relative link and #anchor in the docs resolves: text moved from one file to another keeps
// the paths it had where it was written (docs/ once linked docs/docs/…), and a renamed heading
// leaves its links dead, with nothing else to say so.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { anchorsOf, isExternal, linksOf } from "./helpers/markdown-links.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
// Every Markdown file the repository holds, as git lists them: no list kept by hand to forget one.
const DOCS = execFileSync("git", ["ls-files", "*.md"], { cwd: ROOT, encoding: "utf8" }).split("\n").filter(Boolean);
// The files whose comments and messages send a reader to a docs page (`docs/PROXY-REFERENCE.md#usage-records`);
// the tests, which make up pages of their own, left out.
const SOURCES = execFileSync("git", ["ls-files", "*.ts", "wrangler.toml"], { cwd: ROOT, encoding: "utf8" })
  .split("\n")
  .filter((name) => name && !name.startsWith("test/fixtures/") && !name.endsWith(".test.ts"));

const anchors = new Map<string, Set<string>>();
function anchorsIn(file: string): Set<string> {
  const known = anchors.get(file);
  if (known) return known;
  const found = anchorsOf(readFileSync(file, "utf8"));
  anchors.set(file, found);
  return found;
}

/** What is wrong with a link from `file`, or undefined when it resolves. */
function deadLink(file: string, target: string): string | undefined {
  const hash = target.indexOf("#");
  const path = decodeURI(hash < 0 ? target : target.slice(0, hash));
  const anchor = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
  const to = path ? resolve(dirname(file), path) : file;
  const inRepo = relative(ROOT, to);
  if (inRepo.startsWith("..") || inRepo.split(sep).includes("node_modules")) return "outside the repository";
  if (!existsSync(to)) return `no file ${inRepo}`;
  if (anchor === undefined) return undefined;
  if (!statSync(to).isFile() || !to.endsWith(".md")) return `an anchor into ${inRepo}, which is no Markdown file`;
  return anchorsIn(to).has(anchor) ? undefined : `no anchor #${anchor} in ${inRepo}`;
}

describe("the docs' links", () => {
  it.each(DOCS)("%s: every relative link and #anchor resolves", (name) => {
    const file = join(ROOT, name);
    const links = linksOf(readFileSync(file, "utf8")).filter((link) => !isExternal(link.target));
    const dead = links.flatMap(({ line, target }) => {
      const problem = deadLink(file, target);
      return problem ? [`${name}:${line}: (${target}) ${problem}`] : [];
    });
    expect(dead).toEqual([]);
  });

  it("named in the source, a message's or a comment's (docs/X.md#anchor), name a page and an anchor it has", () => {
    const named = SOURCES.flatMap((name) =>
      [...readFileSync(join(ROOT, name), "utf8").matchAll(/\bdocs\/[A-Za-z0-9_-]+\.md(?:#[a-z0-9_-]+)?/g)].map(
        (match) => ({ name, target: match[0] }),
      ),
    );
    expect(named.length).toBeGreaterThan(10);
    const dead = named.flatMap(({ name, target }) => {
      const problem = deadLink(join(ROOT, "README.md"), target);
      return problem ? [`${name}: (${target}) ${problem}`] : [];
    });
    expect(dead).toEqual([]);
  });

  it("are found where they are, and not in code", () => {
    const markdown = [
      "# Title",
      "## A `code` heading: (again)",
      "## A `code` heading: (again)",
      '<a id="kept"></a>See [it](#title) and [that](other.md#x "a title").',
      "`[not](a-link.md)` and ``[nor](this.md)``",
      "```md",
      "[nor](in-a-fence.md)",
      "```",
      "![image](<pic ture.png>)",
    ].join("\n");
    expect(linksOf(markdown)).toEqual([
      { line: 4, target: "#title" },
      { line: 4, target: "other.md#x" },
      { line: 9, target: "pic ture.png" },
    ]);
    expect([...anchorsOf(markdown)]).toEqual(["title", "a-code-heading-again", "a-code-heading-again-1", "kept"]);
  });
});
