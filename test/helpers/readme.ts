/// <reference types="node" />
// The docs' code blocks that tests run, read from the pages themselves so each stays the only copy:
// README.md and the reference pages in docs/ it links to for the rest. A block is named by an HTML
// comment on the line above its fence (`<!-- snippet: first-run -->`), which GitHub does not show,
// and which tells whoever edits the block that a test runs it.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** README.md, then every page of docs/, by their paths from the repository's root. */
export function docPages(): string[] {
  const docs = readdirSync(`${ROOT}docs`).filter((name) => name.endsWith(".md"));
  return ["README.md", ...docs.sort().map((name) => `docs/${name}`)];
}

/** The text of one page, by its path from the repository's root (`docs/PROXY-REFERENCE.md`). */
export function docPage(path: string): string {
  return readFileSync(`${ROOT}${path}`, "utf8");
}

/** A page of the docs: its path from the repository's root, and its text. */
export interface DocPage {
  page: string;
  text: string;
}

/** Every page of docPages(), with its text. */
export function docTexts(): DocPage[] {
  return docPages().map((page) => ({ page, text: docPage(page) }));
}

export interface Snippet {
  /** The fence's info string: `sh`, `js`, `ts`, `jsonc`… */
  lang: string;
  code: string;
  /** The page it is on (`README.md`, `docs/LIBRARY-REFERENCE.md`…). */
  page: string;
}

/**
 * The block marked `name`, on whichever page holds it; `readme`, when given, is the one text to
 * look in. Exactly one block in all the pages may carry a name.
 */
export function readmeSnippet(name: string, readme?: string): Snippet {
  const marker = `<!-- snippet: ${name} -->\n`;
  const pages = readme === undefined ? docTexts() : [{ page: "README.md", text: readme }];
  const holding = pages.filter(({ text }) => text.includes(marker));
  if (holding.length === 0)
    throw new Error(`no page (${pages.map(({ page }) => page).join(", ")}) has a block marked ${marker.trim()}`);
  const [{ page, text }] = holding as [DocPage];
  const at = text.indexOf(marker);
  if (holding.length > 1 || text.indexOf(marker, at + 1) >= 0) {
    throw new Error(`two blocks are marked ${marker.trim()} (${holding.map((held) => held.page).join(", ")})`);
  }
  const fence = /^```(\w*)\n([\s\S]*?)^```$/m.exec(text.slice(at + marker.length));
  if (fence?.index !== 0) throw new Error(`${page}: ${marker.trim()} is not right above a code block`);
  return { lang: fence[1] ?? "", code: fence[2] ?? "", page };
}

/** The command lines of a shell block: comments and blank lines dropped. */
export function commandLines(snippet: Pick<Snippet, "code">): string[] {
  return snippet.code
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"));
}
