/// <reference types="node" />
// The repository itself: what git tracks and what it ignores must not contradict each other. A
// tracked file that matches .gitignore looks fine in a checkout, yet its next version is easy to
// lose (`git add .` skips it) and tools that honour .gitignore (Biome, packers) skip it silently.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

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
});
