/// <reference types="node" />
// What `wrangler deploy` uploads, without deploying: `wrangler deploy --dry-run --outdir`, with
// wrangler.toml as it is (its minify and its bundling rules), and esbuild's metafile of that
// build. Every module of the upload is counted; source maps are listed apart (Cloudflare does
// not count them against a Worker's size).
import { execFile } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Metafile } from "esbuild";
import { ROOT } from "./build.ts";

export interface WorkerUpload {
  /** Module file name -> bytes, as uploaded. */
  modules: Map<string, Uint8Array>;
  /** Bytes of the source maps uploaded beside them. */
  sourceMapBytes: number;
  metafile: Metafile;
}

export async function wranglerUpload(outDirectory: string): Promise<WorkerUpload> {
  const metafilePath = join(outDirectory, "metafile.json");
  const bundleDirectory = join(outDirectory, "bundle");
  await promisify(execFile)(
    join(ROOT, "node_modules", ".bin", "wrangler"),
    ["deploy", "--dry-run", "--outdir", bundleDirectory, "--metafile", metafilePath],
    { cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" }, maxBuffer: 16 * 1024 * 1024 },
  );
  const modules = new Map<string, Uint8Array>();
  let sourceMapBytes = 0;
  for (const name of await readdir(bundleDirectory)) {
    if (name === "README.md") continue;
    const contents = await readFile(join(bundleDirectory, name));
    if (name.endsWith(".map")) sourceMapBytes += contents.byteLength;
    else modules.set(name, new Uint8Array(contents));
  }
  const metafile = JSON.parse(await readFile(metafilePath, "utf8")) as Metafile;
  return { modules, sourceMapBytes, metafile };
}
