/// <reference types="node" />
// Which release of each client the suites in this folder run. The workerd project runs the ones
// package.json pins (for Node 20); the newest-clients project (vitest.config.mts) runs them again
// with each client's newest release (a new major of openai and the AI SDK, a new minor of
// @langchain/openai), installed beside the pinned one under an npm alias and put in its place by
// vitest's resolve.alias, for the imports of the test files and of the repository's modules they
// load, not inside node_modules.
import { readFileSync } from "node:fs";

/** Each client's package, and the alias (package.json's devDependencies) of its newest release. */
export const NEWEST_ALIASES = {
  openai: "openai-7",
  ai: "ai-7",
  "@ai-sdk/openai": "ai-sdk-openai-4",
  "@ai-sdk/openai-compatible": "ai-sdk-openai-compatible-3",
  "@langchain/openai": "langchain-openai-1.6",
} as const;

export type ClientPackage = keyof typeof NEWEST_ALIASES;

/** Set by the newest-clients project. */
export const NEWEST_CLIENTS = process.env.BEDROCK_EDGE_NEWEST_CLIENTS === "1";

/** The version of `name` this run's suites load, as package.json pins it (`npm:<name>@<version>` for an alias). */
export function releaseOf(name: ClientPackage): string {
  // Read here, not on import: vitest.config.mts imports the aliases.
  const { devDependencies } = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as {
    devDependencies: Record<string, string>;
  };
  const installed = NEWEST_CLIENTS ? NEWEST_ALIASES[name] : name;
  const spec = devDependencies[installed];
  if (!spec) throw new Error(`package.json's devDependencies name no ${installed}`);
  return spec.slice(spec.lastIndexOf("@") + 1);
}
