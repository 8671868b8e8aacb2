/// <reference types="node" />
// The package's entries (package.json "exports") and the source each is built from: what the
// type tests compile (public-types, exact-optional-types) and what scripts/readme-types.ts maps
// `bedrock-edge` and its subpaths to, read in one place.
import { readFileSync } from "node:fs";
import { join, posix } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface PackageEntry {
  /** Its key in "exports": `.`, `./core`… */
  subpath: string;
  /** What a user imports: `bedrock-edge`, `bedrock-edge/core`… */
  specifier: string;
  /** The entry's source from the repository's root (`src/core.ts`). */
  source: string;
}

interface Manifest {
  name: string;
  exports: Record<string, string | { types: string; default: string }>;
}

/** Each entry of package.json's "exports" but plain files (`./package.json`), in its order. */
export function packageEntries(): PackageEntry[] {
  const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as Manifest;
  return Object.entries(manifest.exports).flatMap(([subpath, target]) =>
    typeof target === "string"
      ? []
      : // dist/<path>.js is built from <path>.ts (tsconfig.build.json).
        [
          {
            subpath,
            specifier: posix.join(manifest.name, subpath),
            source: `${target.default.slice("./dist/".length, -".js".length)}.ts`,
          },
        ],
  );
}
