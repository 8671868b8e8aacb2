/// <reference types="node" />
// The repository itself: what git tracks and what it ignores must not contradict each other. A
// tracked file that matches .gitignore looks fine in a checkout, yet its next version is easy to
// lose (`git add .` skips it) and tools that honour .gitignore (Biome, packers) skip it silently.
import { execFileSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { TYPE_CHECKS } from "../scripts/checks.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

function git(...args: string[]): string {
  return execFileSync("git", args, { cwd: ROOT, encoding: "utf8" });
}

describe("the repository", () => {
  it("tracks no file that .gitignore ignores (examples/routes.ts among them)", () => {
    expect(git("ls-files", "--cached", "--ignored", "--exclude-standard")).toBe("");
    expect(git("ls-files", "examples/routes.ts").trim()).toBe("examples/routes.ts");
  });

  it("ignores what builds and runs write", () => {
    const generated = ["dist/src/index.js", "node_modules/x", ".wrangler/emulator-8787.env", "test-results/summary.md"];
    expect(
      git("check-ignore", "--no-index", ...generated)
        .trim()
        .split("\n"),
    ).toEqual(generated);
  });

  // bench/ is type-checked as part of tsconfig.json rather than by a tsc run of its own (one
  // program instead of two over the same src/); this keeps every tracked file in some project.
  it("type-checks every TypeScript file it tracks: each is in a project that npm run typecheck compiles", () => {
    const checked = new Set<string>();
    for (const check of TYPE_CHECKS) {
      const at = check.args.indexOf("-p");
      if (at < 0) continue;
      const project = resolve(ROOT, check.args[at + 1]!);
      const { config } = ts.readConfigFile(project, ts.sys.readFile);
      const { fileNames } = ts.parseJsonConfigFileContent(config, ts.sys, dirname(project));
      for (const file of fileNames) checked.add(resolve(file));
    }
    const tracked = git("ls-files", "*.ts", "*.mts").trim().split("\n");
    expect(tracked.length).toBeGreaterThan(500);
    expect(tracked.filter((file) => !checked.has(resolve(ROOT, file)))).toEqual([]);
  });
});
