/// <reference types="node" />
// How much of a bundle is prose: the text of its string and template literals that read as
// words (error messages, descriptions), measured by parsing the bundle, so that a regular
// expression's or a template's text is never mistaken for a string. The same bundle with that
// text emptied shows what the code alone weighs.
import { gzipSync } from "node:zlib";
import ts from "typescript";

export interface Prose {
  /** Literals counted as prose. */
  literals: number;
  /** Their text, one per line, gzipped on its own. */
  gzip: number;
  /** The bundle with every such literal emptied, gzipped. */
  withoutGzip: number;
}

/** Three words or more: a message or a description, not a header name or a key. */
const isProse = (text: string) => /\S\s+\S+\s+\S/.test(text);

/** Where a literal's text lies within its token: after its opening delimiter, before its closing one. */
function textSpan(node: ts.Node, source: ts.SourceFile): [number, number] | undefined {
  const start = node.getStart(source);
  switch (node.kind) {
    case ts.SyntaxKind.StringLiteral:
    case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
    case ts.SyntaxKind.TemplateHead:
      // `"…"`, `` `…` ``, `` `…${ ``
      return [start + 1, node.end - (node.kind === ts.SyntaxKind.TemplateHead ? 2 : 1)];
    case ts.SyntaxKind.TemplateMiddle:
      return [start + 1, node.end - 2];
    case ts.SyntaxKind.TemplateTail:
      return [start + 1, node.end - 1];
    default:
      return undefined;
  }
}

export function proseOf(code: string, level = 6): Prose {
  const source = ts.createSourceFile("bundle.js", code, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const spans: Array<[number, number]> = [];
  const visit = (node: ts.Node): void => {
    const span = textSpan(node, source);
    if (span && isProse((node as ts.LiteralLikeNode).text)) spans.push(span);
    ts.forEachChild(node, visit);
  };
  visit(source);
  spans.sort((a, b) => a[0] - b[0]);
  const kept: string[] = [];
  let at = 0;
  for (const [from, to] of spans) {
    kept.push(code.slice(at, from));
    at = to;
  }
  kept.push(code.slice(at));
  const gzip = (text: string) => gzipSync(text, { level }).byteLength;
  return {
    literals: spans.length,
    gzip: gzip(spans.map(([from, to]) => code.slice(from, to)).join("\n")),
    withoutGzip: gzip(kept.join("")),
  };
}
