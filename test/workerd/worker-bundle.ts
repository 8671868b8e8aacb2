/// <reference types="node" />
// worker/index.ts as wrangler would bundle it: ESM, workerd/browser conditions, no Node built-ins.
// Built once per run by global-setup.ts and handed to every test file (harness.ts).
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export async function bundleWorkerScript(): Promise<string> {
  const result = await build({
    entryPoints: [`${ROOT}worker/index.ts`],
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
