/// <reference types="node" />
// The type contracts with the openai package (openai-types.test.ts, responses-types.test.ts) hold
// for two majors: tsconfig.json checks them against the pinned openai 6, and tsconfig.openai7.json
// against openai 7, the `openai-7` alias (which the client suites also run, in the newest-clients
// project; here it is read for its types). A mapping that stopped resolving would check 6 twice and pass,
// so this says which package each project's `openai` is, and that `npm run typecheck` runs both.
import { readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { TYPE_CHECKS } from "../scripts/checks.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CONTRACTS = ["test/openai-types.test.ts", "test/responses-types.test.ts"];

/** The version of the package whose declarations `openai` resolves to in a contract file, under `project`. */
function openaiVersionIn(project: string, contract: string): { version: string; from: string } {
  const { config } = ts.readConfigFile(join(ROOT, project), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, ROOT);
  const resolved = ts.resolveModuleName("openai", join(ROOT, contract), options, ts.sys).resolvedModule;
  if (!resolved) throw new Error(`openai does not resolve from ${contract} under ${project}`);
  let dir = dirname(resolved.resolvedFileName);
  while (!dir.endsWith("node_modules/openai") && !dir.endsWith("node_modules/openai-7")) dir = dirname(dir);
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string };
  return { version: manifest.version, from: relative(ROOT, dir) };
}

describe("the openai type contracts", () => {
  it.each(CONTRACTS)("%s is checked against openai 6 and openai 7", (contract) => {
    expect(openaiVersionIn("tsconfig.json", contract)).toEqual({
      version: expect.stringMatching(/^6\./),
      // Its own node_modules or one it links to (a worktree's): the package, not the alias.
      from: expect.stringMatching(/(^|\/)node_modules\/openai$/),
    });
    expect(openaiVersionIn("tsconfig.openai7.json", contract)).toEqual({
      version: expect.stringMatching(/^7\./),
      from: expect.stringMatching(/(^|\/)node_modules\/openai-7$/),
    });
  });

  it("npm run typecheck compiles both projects", () => {
    const projects = TYPE_CHECKS.map((check) => check.args[check.args.indexOf("-p") + 1]);
    expect(projects).toEqual(expect.arrayContaining(["tsconfig.json", "tsconfig.openai7.json"]));
    const { config } = ts.readConfigFile(join(ROOT, "tsconfig.openai7.json"), ts.sys.readFile);
    expect(config.files).toEqual(CONTRACTS);
  });

  it("imports openai for its types only, so neither major runs in them", () => {
    for (const contract of CONTRACTS) {
      const source = readFileSync(join(ROOT, contract), "utf8");
      const imports = source.match(/^import .* from "openai(?:\/[^"]*)?";$/gm) ?? [];
      expect(imports.length, contract).toBeGreaterThan(0);
      expect(
        imports.filter((line) => !line.startsWith("import type ")),
        contract,
      ).toEqual([]);
    }
  });
});
