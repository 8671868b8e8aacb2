/// <reference types="node" />
// worker/index.ts as wrangler would bundle it: ESM, workerd/browser conditions, no Node built-ins.
// Built once per run by global-setup.ts and handed to every test file (harness.ts). A test's own
// helper Worker is bundled the same way from its entry.
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** `entry` (a path from the repository's root) bundled as a Worker module. */
export async function bundleWorkerScript(entry = "worker/index.ts"): Promise<string> {
  const result = await build({
    entryPoints: [`${ROOT}${entry}`],
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["browser", "module", "main"],
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}
