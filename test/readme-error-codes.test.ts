/// <reference types="node" />
// The docs' error tables (every table of README.md and docs/*.md whose last columns are
// `status | type | code`, most of them on the reference pages) against
// the codes src/ and worker/ give clients, read from their source (helpers/error-codes.ts): every
// code has a row with the status and type the source gives it, and no row names a code the source
// no longer gives (docsdrift18 #2: ten Bedrock codes and twelve of the proxy's were in no row).
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { typeForStatus } from "../src/errors.ts";
import { type CodeSite, scanErrorCodes } from "./helpers/error-codes.ts";
import { docPage, docPages } from "./helpers/readme.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

interface Row {
  statuses: number[];
  type: string | undefined;
  codes: string[];
  /** Where the row is: `docs/LIBRARY-REFERENCE.md:120`. */
  at: string;
}

// A code: lower-case words joined by underscores, as every code is (checked below), so that
// other names in backticks (`error`, `modelReadyTimeoutMs`) are not taken for one.
const CODE = /`([a-z][a-z0-9]*(?:_[a-z0-9]+)+)`/g;

function cellsOf(line: string): string[] {
  return line
    .slice(1, line.lastIndexOf("|"))
    .split("|")
    .map((cell) => cell.trim());
}

/** The rows of every table of a page whose last three columns are status, type and code. */
function errorRows(page: string, readme: string): Row[] {
  const lines = readme.split("\n");
  const rows: Row[] = [];
  let inTable = false;
  lines.forEach((line, index) => {
    if (!line.startsWith("|")) {
      inTable = false;
      return;
    }
    const cells = cellsOf(line);
    if (cells.slice(-3).join(",") === "status,type,code") {
      inTable = true;
      return;
    }
    if (!inTable || /^-+$/.test(cells[0] ?? "")) return;
    const [status = "", type = "", code = ""] = cells.slice(-3);
    rows.push({
      statuses: [...status.matchAll(/\b\d{3}\b/g)].map((match) => Number(match[0])),
      type: /^`([a-z_]+)`$/.exec(type)?.[1],
      codes: [...code.matchAll(CODE)].map((match) => match[1]!),
      at: `${page}:${index + 1}`,
    });
  });
  return rows;
}

const rows = docPages().flatMap((page) => errorRows(page, docPage(page)));
const { sites, unread } = scanErrorCodes(ROOT);
const emitted = new Set(sites.map((site) => site.code));

/** Where the docs are wrong about a site: undefined when they are right. */
function driftOf(site: CodeSite): string | undefined {
  const named = rows.filter((row) => row.codes.includes(site.code));
  if (named.length === 0) return `${site.code} (${site.where}) is in no row of the docs' error tables`;
  if (site.status === undefined) return undefined;
  const type = site.type ?? typeForStatus(site.status);
  const right = named.some((row) => row.statuses.includes(site.status!) && row.type === type);
  return right
    ? undefined
    : `${site.code} (${site.where}) is ${site.status} ${type}; its rows (${named.map((row) => row.at).join(", ")}) say otherwise`;
}

describe("the docs' error tables", () => {
  it("are found, with codes in their rows", () => {
    expect(rows.length).toBeGreaterThan(30);
    expect(rows.every((row) => row.codes.length > 0)).toBe(true);
  });

  it("every code is read from the source, none given in a form the scan cannot read", () => {
    expect(unread).toEqual([]);
    expect(emitted.size).toBeGreaterThan(50);
    // The form CODE looks for in the docs.
    expect([...emitted].filter((code) => !/^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$/.test(code))).toEqual([]);
  });

  it("list every code the library and the proxy give, with its status and type", () => {
    expect(sites.map(driftOf).filter((drift) => drift !== undefined)).toEqual([]);
  });

  it("name no code the source does not give", () => {
    const stale = rows.flatMap((row) =>
      row.codes.filter((code) => !emitted.has(code)).map((code) => `${code} (${row.at})`),
    );
    expect(stale).toEqual([]);
  });
});
