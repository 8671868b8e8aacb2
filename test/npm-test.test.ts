/// <reference types="node" />
// The parts of `npm test` itself that can be tested from inside it: the static checks' runner
// (scripts/checks.ts) and the summary's counts and text (scripts/test-summary.ts).
import { describe, expect, it } from "vitest";
import { checkReport, runChecks, type Check } from "../scripts/checks.ts";
import { countsByProject, summaryMarkdown, type ReportedModule, type RunSummary } from "../scripts/test-summary.ts";

function module(project: string, state: string, tests: string[]): ReportedModule {
  return {
    project: { name: project },
    state: () => state,
    children: { allTests: () => tests.map((test) => ({ result: () => ({ state: test }) })) },
  };
}

describe("npm test's static checks", () => {
  it("run side by side, each reported with its time, and a failure with its output", async () => {
    const checks: Check[] = [
      { name: "passes", bin: "tsc", args: ["--version"] },
      { name: "fails", bin: "tsc", args: ["--no-such-flag"] },
      { name: "missing", bin: "no-such-binary", args: [] },
    ];
    const heard: string[] = [];
    const results = await runChecks(checks, (result) => heard.push(result.check.name));
    expect(results.map((result) => [result.check.name, result.ok])).toEqual([
      ["passes", true],
      ["fails", false],
      ["missing", false],
    ]);
    expect(heard.sort()).toEqual(["fails", "missing", "passes"]);
    expect(checkReport(results[0]!)).toMatch(/^ {2}✓ passes {2}\d+\.\d s$/);
    expect(checkReport(results[1]!)).toMatch(/^ {2}✗ fails {2}\d+\.\d s\n.*no-such-flag/s);
    expect(results[2]!.output).toContain("no-such-binary could not start");
  });
});

describe("npm test's summary", () => {
  it("counts files and tests per vitest project, failed files apart", () => {
    const counts = countsByProject([
      module("node", "passed", ["passed", "passed", "skipped"]),
      module("node", "failed", []),
      module("workerd", "failed", ["passed", "failed"]),
    ]);
    expect(counts).toEqual({
      node: { files: 2, failedFiles: 1, tests: 3, passed: 2, failed: 0, skipped: 1 },
      workerd: { files: 1, failedFiles: 1, tests: 2, passed: 1, failed: 1, skipped: 0 },
    });
  });

  it("reads as a page: the verdict, the time, the machine, each step, each project and the totals", () => {
    const summary: RunSummary = {
      startedAt: "2026-11-28T06:40:00.123Z",
      machine: "2 cores (AMD EPYC), 23.5 GiB, Node v20.20.2; load average 1.0 at the start, 2.0 at the end",
      tree: "abc1234",
      steps: [
        { name: "lint (biome check)", result: "passed", ms: 700 },
        { name: "secret scan", result: "none of 6 test secrets in 10 KiB of output and answers" },
      ],
      projects: {
        node: { files: 2, failedFiles: 0, tests: 10, passed: 9, failed: 0, skipped: 1 },
        runtimes: { files: 1, failedFiles: 1, tests: 0, passed: 0, failed: 0, skipped: 0 },
      },
      vitestArgs: [],
      ok: true,
      totalMs: 125_400,
    };
    const text = summaryMarkdown(summary);
    expect(text).toContain("Passed in 2 min 5 s, started 2026-11-28 06:40:00 UTC.");
    expect(text).toContain("Machine: 2 cores (AMD EPYC), 23.5 GiB, Node v20.20.2; load average 1.0");
    expect(text).toContain("| lint (biome check) | passed | 0.7 s |");
    expect(text).toContain("| secret scan | none of 6 test secrets in 10 KiB of output and answers |  |");
    expect(text).toContain("| node | 2 | 10 | 9 | 0 | 1 |");
    expect(text).toContain("| runtimes | 1 (1 failed) | 0 | 0 | 0 | 0 |");
    expect(text).toContain("| all | 3 | 10 | 9 | 0 | 1 |");
    expect(text).not.toContain("vitest ran with");
    const failed = summaryMarkdown({ ...summary, ok: false, vitestArgs: ["test/x.test.ts"], projects: {} });
    expect(failed).toContain("**Failed** in 2 min 5 s");
    expect(failed).toContain("vitest ran with `test/x.test.ts`.");
    expect(failed).not.toContain("vitest project");
  });
});
