/// <reference types="node" />
import { readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { countsReporter } from "./scripts/test-summary.ts";
import { NEWEST_ALIASES } from "./test/workerd/clients/client-releases.ts";

// npm test (scripts/test.ts) names a file for the counts of its summary.
const countsFile = process.env.BEDROCK_EDGE_TEST_COUNTS;

// The AWS SDK, a reference some tests compare against (never a dependency of the library), warns
// on Node 20 that its releases from 2027 on will need Node 22: the warning is about the SDK's
// future, not about what these tests check, and it filled the run's output four times. Set here,
// the workers vitest forks inherit it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

// The suites that drive the Worker with real clients (all of clients/ but the one that checks the
// docs' table), and the two that hold what the openai client makes of the proxy's errors (its error
// classes, what it retries): run once more with each client's newest release.
const CLIENT_SUITES = [
  "test/workerd/clients/*.test.ts",
  "test/workerd/errors.test.ts",
  "test/workerd/client-retries.test.ts",
];
const NOT_CLIENT_SUITES = ["test/workerd/clients/readme.test.ts"];
const escaped = (name: string) => name.replace(/[/.]/g, (character) => `\\${character}`);

// The node project's files: what runs in Node alone (the Worker's own suites run in workerd).
const ROOT = fileURLToPath(new URL(".", import.meta.url));
const NODE_ROOTS = ["test", "src", "emulator", "worker", "node"];
const NOT_NODE_SUITES = ["test/workerd/**", "test/runtimes/**", "node_modules/**"];

/**
 * The test files that replace a module or reload them (`vi.mock`, `vi.doMock`, `vi.resetModules`
 * and their undoing): a replacement reaches only the modules loaded after it, so the node
 * project's such files need a module graph of their own (the node-isolated project), and the
 * Worker's projects, whose files share one too, must have none. Found by reading the files, so
 * that a new one is not forgotten (a replacement made by a helper module is not seen).
 */
function suitesReplacingModules(): string[] {
  const found = NODE_ROOTS.flatMap((root) =>
    readdirSync(join(ROOT, root), { recursive: true, encoding: "utf8" })
      .map((name) => `${root}/${name.replaceAll("\\", "/")}`)
      .filter((path) => path.endsWith(".test.ts") && !path.startsWith("test/runtimes/"))
      .filter((path) =>
        /\bvi\.(mock|doMock|unmock|doUnmock|resetModules)\b/.test(readFileSync(join(ROOT, path), "utf8")),
      ),
  );
  const inWorkerd = found.filter((path) => path.startsWith("test/workerd/"));
  if (inWorkerd.length) {
    throw new Error(`${inWorkerd.join(", ")}: the workerd projects' files share their modules; replace none`);
  }
  return found;
}
const REPLACING_MODULES = suitesReplacingModules();

// What a project of the Worker in workerd needs: its setup, and its time.
const IN_WORKERD = {
  globalSetup: ["test/workerd/global-setup.ts"],
  // As the node project's files (below): a worker's files share its process and modules (vitest
  // shares a worker between files of one project only; the workerd project took 177 s against
  // 230). Each file still starts a workerd and an emulator of its own. A file here must not
  // replace a module (vi.mock): suitesReplacingModules() refuses one.
  isolate: false,
  setupFiles: ["test/workerd/connections.ts", "test/helpers/shared-process.ts"],
  testTimeout: 20_000,
  // A file's beforeAll bundles the Worker, starts workerd and the emulator: a second or two on an
  // idle machine, more than 30 s under load, and a failed start skips the whole file.
  hookTimeout: 120_000,
};

export default defineConfig({
  test: {
    reporters: countsFile ? ["default", countsReporter(countsFile)] : ["default"],
    // vitest's default, a worker per core but one, leaves a 2-core machine a single worker,
    // though many files here mostly wait (on Deno, Bun, npm, wrangler, timers). Two workers ran
    // the whole suite there in 90 s against 110 s, at the same load.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      {
        test: {
          name: "node",
          include: NODE_ROOTS.map((root) => `${root}/**/*.test.ts`),
          exclude: [...NOT_NODE_SUITES, ...REPLACING_MODULES],
          // Its 200-odd files share a worker's process and loaded modules instead of each loading
          // its own: vitest's isolation cost most of a second a file, a third of the project's
          // time (230 s against 147 on 2 cores). The setup file puts back what a file changed in
          // the process's globals.
          isolate: false,
          setupFiles: ["test/helpers/shared-process.ts"],
          testTimeout: 20_000,
        },
      },
      // With none, no project: one that finds no file fails the run.
      ...(REPLACING_MODULES.length
        ? [{ test: { name: "node-isolated", include: REPLACING_MODULES, testTimeout: 20_000 } }]
        : []),
      {
        // The Worker bundle in workerd (Miniflare) + the emulator on loopback: test/workerd/README.md.
        test: {
          name: "workerd",
          include: ["test/workerd/**/*.test.ts"],
          ...IN_WORKERD,
          // The pinned clients (test/workerd/clients/client-releases.ts), whatever a shell exported.
          env: { BEDROCK_EDGE_NEWEST_CLIENTS: "0" },
        },
      },
      {
        // The client suites once more, with each client's newest release (npm aliases in
        // package.json, test/workerd/clients/client-releases.ts): openai 7, ai 7 with
        // @ai-sdk/openai 4 and @ai-sdk/openai-compatible 3, @langchain/openai 1.6 (which brings
        // openai 7 of its own). Their packages ask for Node 22, and run here on the Node the suite
        // runs on. The aliases apply to the imports of the test files and of this repository's
        // modules they load (harness.ts's openai among them), not inside node_modules: the clients'
        // imports of their dependencies resolve as installed.
        resolve: {
          // A subpath too (`openai/version`): only the package's name is replaced.
          alias: Object.entries(NEWEST_ALIASES).map(([name, alias]) => ({
            find: new RegExp(`^${escaped(name)}(/.*)?$`),
            replacement: `${alias}$1`,
          })),
        },
        test: {
          name: "newest-clients",
          include: CLIENT_SUITES,
          exclude: NOT_CLIENT_SUITES,
          ...IN_WORKERD,
          env: { BEDROCK_EDGE_NEWEST_CLIENTS: "1" },
        },
      },
      {
        // The same scenario in Node, workerd, Deno, Bun and Chromium; the proxy under Deno, Bun
        // and Node; the npm package and the browser bundle: test/runtimes/README.md.
        test: {
          name: "runtimes",
          include: ["test/runtimes/**/*.test.ts"],
          globalSetup: ["test/runtimes/global-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
