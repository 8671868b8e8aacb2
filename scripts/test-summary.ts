/// <reference types="node" />
// What npm test says at its end, and keeps in test-results/summary.md: each step's result and
// time, the files and tests of each vitest project, the secret scan, the machine and its load.
// The counts come from a vitest reporter (countsReporter, named in vitest.config.mts when
// npm test asks for it), so no number in this project's docs is typed by hand.
import { writeFileSync } from "node:fs";
import type { Reporter } from "vitest/node";

export interface ProjectCounts {
  files: number;
  /** Files that failed as a whole (an error while loading, a hook that threw). */
  failedFiles: number;
  tests: number;
  passed: number;
  failed: number;
  skipped: number;
}

/** The parts of vitest's TestModule read here. */
export interface ReportedModule {
  project: { name: string };
  state(): string;
  children: { allTests(): Iterable<{ result(): { state: string } }> };
}

export function countsByProject(modules: Iterable<ReportedModule>): Record<string, ProjectCounts> {
  const counts: Record<string, ProjectCounts> = {};
  for (const module of modules) {
    const project = counts[module.project.name] ?? {
      files: 0,
      failedFiles: 0,
      tests: 0,
      passed: 0,
      failed: 0,
      skipped: 0,
    };
    counts[module.project.name] = project;
    project.files++;
    if (module.state() === "failed") project.failedFiles++;
    for (const test of module.children.allTests()) {
      const { state } = test.result();
      project.tests++;
      if (state === "passed") project.passed++;
      else if (state === "failed") project.failed++;
      else project.skipped++;
    }
  }
  return counts;
}

/** Writes the counts of a vitest run to `file` as JSON. */
export function countsReporter(file: string): Reporter {
  return {
    onTestRunEnd: (modules) => writeFileSync(file, `${JSON.stringify(countsByProject(modules))}\n`),
  };
}

export interface Step {
  name: string;
  /** "passed", "failed", "not run" or a sentence (the secret scan's). */
  result: string;
  ms?: number;
}

export interface RunSummary {
  /** ISO time of the start. */
  startedAt: string;
  machine: string;
  /** The commit, and whether the tree differed from it. */
  tree: string;
  steps: Step[];
  projects: Record<string, ProjectCounts>;
  vitestArgs: readonly string[];
  ok: boolean;
  totalMs: number;
}

const seconds = (ms: number | undefined) => (ms === undefined ? "" : `${(ms / 1000).toFixed(1)} s`);

export function summaryMarkdown(summary: RunSummary): string {
  const minutes = Math.floor(summary.totalMs / 60_000);
  const rest = Math.round((summary.totalMs % 60_000) / 1000);
  const lines = [
    "# npm test: the last run",
    "",
    `${summary.ok ? "Passed" : "**Failed**"} in ${minutes} min ${rest} s, started ${summary.startedAt.replace("T", " ").replace(/\.\d+Z$/, " UTC")}.`,
    `Machine: ${summary.machine}. Tree: ${summary.tree}.`,
    ...(summary.vitestArgs.length ? [`vitest ran with \`${summary.vitestArgs.join(" ")}\`.`] : []),
    "",
    "| step | result | time |",
    "| --- | --- | --- |",
    ...summary.steps.map((step) => `| ${step.name} | ${step.result} | ${seconds(step.ms)} |`),
    "",
  ];
  const projects = Object.entries(summary.projects);
  if (projects.length) {
    const total = (field: keyof ProjectCounts) => projects.reduce((sum, [, counts]) => sum + counts[field], 0);
    lines.push(
      "| vitest project | files | tests | passed | failed | skipped |",
      "| --- | ---: | ---: | ---: | ---: | ---: |",
      ...projects.map(
        ([name, c]) =>
          `| ${name} | ${c.files}${c.failedFiles ? ` (${c.failedFiles} failed)` : ""} | ${c.tests} | ${c.passed} | ${c.failed} | ${c.skipped} |`,
      ),
      `| all | ${total("files")} | ${total("tests")} | ${total("passed")} | ${total("failed")} | ${total("skipped")} |`,
      "",
      ...(projects.length > 1 ? ["A file that two projects run is counted, with its tests, in each.", ""] : []),
    );
  }
  return `${lines.join("\n")}`;
}
