/// <reference types="node" />
// `npm run bench -- --write-results` writes the README's benchmark table between its markers
// (bench/lib/results-markdown.ts): the README must keep exactly one such block, in its Benchmarks
// section, while the account around it lives in docs/BENCHMARKS.md, and the writer replaces the
// block alone.
import { describe, expect, it } from "vitest";
import type { Machine } from "../bench/lib/machine.ts";
import { renderResults, withReadmeBlock } from "../bench/lib/results-markdown.ts";
import { docPage, docPages } from "./helpers/readme.ts";

const START = "<!-- bench:start (npm run bench -- --write-results writes this block) -->";
const END = "<!-- bench:end -->";

const machine: Machine = {
  date: "2026-12-01T00:00:00.000Z",
  cpu: "a CPU",
  nproc: 2,
  memoryGiB: 4,
  node: "v20.0.0",
  platform: "linux",
  loadAverage: 0.5,
};
const input = {
  machine,
  end: machine,
  mode: "default",
  seconds: 200,
  peerTable: ["| figure | bedrock-edge |", "| --- | --- |", "| a figure | 1 |"],
  goalTable: [],
  results: [],
};

describe("the README's benchmark block", () => {
  it("is in the README's Benchmarks section, once, and on no other page", () => {
    const readme = docPage("README.md");
    const section = readme.slice(readme.indexOf("\n## Benchmarks\n"), readme.indexOf("\n## Development\n"));
    expect(section.split(START)).toHaveLength(2);
    expect(section.split(END)).toHaveLength(2);
    expect(readme.split(START)).toHaveLength(2);
    expect(docPages().filter((page) => page !== "README.md" && docPage(page).includes(START))).toEqual([]);
  });

  it("is what --write-results replaces, and nothing around it", () => {
    const readme = docPage("README.md");
    const written = withReadmeBlock(readme, input);
    expect(written).toContain("| a figure | 1 |");
    expect(written.slice(0, readme.indexOf(START))).toBe(readme.slice(0, readme.indexOf(START)));
    const after = readme.slice(readme.indexOf(END));
    expect(written.endsWith(after)).toBe(true);
  });

  it("sends RESULTS.md's reader to the account of the misses, on the page that holds it", () => {
    expect(renderResults(input)).toContain("What the misses come down to: docs/BENCHMARKS.md.");
    expect(docPage("docs/BENCHMARKS.md")).toContain("## What the goals come down to\n");
  });
});
