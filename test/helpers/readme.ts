/// <reference types="node" />
// The README's code blocks that tests run, read from README.md itself so it stays the only copy.
// A block is named by an HTML comment on the line above its fence (`<!-- snippet: first-run -->`),
// which GitHub does not show, and which tells whoever edits the block that a test runs it.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const README = fileURLToPath(new URL("../../README.md", import.meta.url));

export interface Snippet {
  /** The fence's info string: `sh`, `js`, `ts`, `jsonc`… */
  lang: string;
  code: string;
}

export function readmeSnippet(name: string, readme = readFileSync(README, "utf8")): Snippet {
  const marker = `<!-- snippet: ${name} -->\n`;
  const at = readme.indexOf(marker);
  if (at < 0) throw new Error(`README.md has no block marked ${marker.trim()}`);
  if (readme.indexOf(marker, at + 1) >= 0) throw new Error(`README.md marks two blocks ${marker.trim()}`);
  const fence = /^```(\w*)\n([\s\S]*?)^```$/m.exec(readme.slice(at + marker.length));
  if (fence?.index !== 0) throw new Error(`${marker.trim()} is not right above a code block`);
  return { lang: fence[1] ?? "", code: fence[2] ?? "" };
}

/** The command lines of a shell block: comments and blank lines dropped. */
export function commandLines(snippet: Snippet): string[] {
  return snippet.code
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"));
}
