/// <reference types="node" />
// What a Markdown file links to and what it can be linked to, as GitHub renders it: the docs'
// links are written by hand, and a section renamed or a file moved leaves them dead.

/** GitHub's anchor for a heading: lower case, punctuation dropped but `-` and `_`, spaces as `-`. */
export function anchorOf(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/ /g, "-");
}

/** The file's lines outside fenced code blocks, with their line numbers (from 1). */
function proseLines(markdown: string): { line: number; text: string }[] {
  const lines: { line: number; text: string }[] = [];
  let fence: string | undefined;
  for (const [index, text] of markdown.split("\n").entries()) {
    const opening = /^\s*(`{3,}|~{3,})/.exec(text)?.[1];
    if (opening && (fence === undefined || opening.startsWith(fence))) {
      fence = fence === undefined ? opening : undefined;
      continue;
    }
    if (fence === undefined) lines.push({ line: index + 1, text });
  }
  return lines;
}

/**
 * Every anchor the file has: its headings' (a repeated one numbered, "x", "x-1", as GitHub does,
 * over headings of every level) and its explicit `<a id>`/`<a name>`s.
 */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text } of proseLines(markdown)) {
    for (const [, id] of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(id as string);
    const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(text)?.[1];
    if (heading === undefined) continue;
    // What GitHub renders: a link's text, no tags.
    const shown = heading.replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/<[^>]+>/g, "");
    const base = anchorOf(shown);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count ? `${base}-${count}` : base);
  }
  return anchors;
}

export interface Link {
  line: number;
  target: string;
}

/** The targets of the file's inline links and images, outside code blocks and code spans. */
export function linksOf(markdown: string): Link[] {
  const links: Link[] = [];
  for (const { line, text } of proseLines(markdown)) {
    // A code span may hold `[x](y)` as an example of Markdown, not a link.
    const prose = text.replace(/(`+)[\s\S]*?\1/g, "");
    for (const [, target] of prose.matchAll(/\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+"[^"]*")?\s*\)/g)) {
      links.push({ line, target: (target as string).replace(/^<|>$/g, "") });
    }
  }
  return links;
}

/** A link to a page elsewhere (https:, mailto:…), which this check leaves alone. */
export function isExternal(target: string): boolean {
  return /^[a-z][a-z\d+.-]*:/i.test(target);
}
