/// <reference types="node" />
// esbuild bundles for the web runtimes (workerd, browsers): browser/worker export conditions
// pick smithy's ESM web builds (its Node builds are CommonJS and ~6x larger), and nothing may
// be left to import at run time: no node:* module, no bare package.
import { build, type Metafile } from "esbuild";
import { ROOT } from "./child-process.ts";

const WEB_CONDITIONS = ["workerd", "worker", "browser"];

export interface WebBundle {
  code: string;
  metafile: Metafile;
}

export async function bundleForWeb(
  entry: string,
  options: { minify?: boolean; format?: "esm" | "iife" } = {},
): Promise<WebBundle> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [entry],
    bundle: true,
    format: options.format ?? "esm",
    platform: "browser",
    target: "es2022",
    conditions: WEB_CONDITIONS,
    minify: options.minify ?? false,
    metafile: true,
    write: false,
    logLevel: "silent",
  });
  const code = result.outputFiles[0]?.text ?? "";
  return { code, metafile: result.metafile };
}

/** Imports the bundle still makes (esbuild marks them external): should be none. */
export function unresolvedImports(metafile: Metafile): string[] {
  return Object.values(metafile.outputs).flatMap((output) =>
    output.imports.filter((i) => i.external).map((i) => i.path),
  );
}
