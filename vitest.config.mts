/// <reference types="node" />
import { availableParallelism } from "node:os";
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

// What a project of the Worker in workerd needs: its setup, and its time.
const IN_WORKERD = {
  globalSetup: ["test/workerd/global-setup.ts"],
  setupFiles: ["test/workerd/connections.ts"],
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
          include: [
            "test/**/*.test.ts",
            "src/**/*.test.ts",
            "emulator/**/*.test.ts",
            "worker/**/*.test.ts",
            "node/**/*.test.ts",
          ],
          exclude: ["test/workerd/**", "test/runtimes/**", "node_modules/**"],
          testTimeout: 20_000,
        },
      },
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
