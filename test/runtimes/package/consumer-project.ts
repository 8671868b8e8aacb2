/// <reference types="node" />
// A fresh project that installs bedrock-edge as a user would, but without asking a registry.
//
// `npm install --offline <tarball or git URL>` takes every package from npm's cache, yet it still
// needs each dependency's registry metadata to pick a version, and a clean machine's cache holds
// none: the project's own install read only tarballs, by the integrity in its package-lock.json.
// So each consumer starts with a lockfile cut from this project's: the entries the package's
// dependencies (and the peers the README names) need, at the versions and the places this
// project installed them. npm then resolves nothing and fetches nothing; it only unpacks.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../child-process.ts";

/** One `packages` entry of a v3 package-lock.json (the fields read here; others are kept as they are). */
export interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [field: string]: unknown;
}

interface Lockfile {
  packages: Record<string, LockEntry>;
}

interface Manifest {
  dependencies?: Record<string, string>;
}

/** Where Node would find `name` from the package at `from` (`""` is the root): the nearest node_modules up. */
function resolveIn(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let folder = from;
  for (;;) {
    const candidate = folder ? `${folder}/node_modules/${name}` : `node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!folder) return undefined;
    const parent = folder.lastIndexOf("/node_modules/");
    folder = parent < 0 ? "" : folder.slice(0, parent);
  }
}

/**
 * The entries `roots` need, transitively, at the same paths as in `packages` (so every lookup
 * resolves as it does there). Dependency flags (`dev`, `peer`…) are dropped: npm recomputes them.
 * An optional dependency this platform did not install is left out, as npm would.
 */
function lockfileClosure(packages: Record<string, LockEntry>, roots: readonly string[]): Record<string, LockEntry> {
  const picked: Record<string, LockEntry> = {};
  const visit = (from: string, name: string, optional: boolean) => {
    const path = resolveIn(packages, from, name);
    if (!path) {
      if (optional) return;
      throw new Error(`package-lock.json has no ${name} for ${from || "the root"}`);
    }
    if (picked[path]) return;
    const { dev, devOptional, peer, optional: _optional, extraneous, ...entry } = packages[path]!;
    picked[path] = entry;
    for (const dependency of Object.keys(entry.dependencies ?? {})) visit(path, dependency, false);
    for (const dependency of Object.keys(entry.optionalDependencies ?? {})) visit(path, dependency, true);
    for (const dependency of Object.keys(entry.peerDependencies ?? {}))
      visit(path, dependency, entry.peerDependenciesMeta?.[dependency]?.optional === true);
  };
  for (const root of roots) visit("", root, false);
  return picked;
}

/**
 * A consumer project in `dir`: package.json with the given peers as devDependencies (at this
 * project's installed versions), and the lockfile that lets bedrock-edge and them install offline.
 */
export function writeConsumerProject(dir: string, peers: readonly string[] = []): void {
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as Lockfile;
  const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as Manifest;
  const devDependencies: Record<string, string> = {};
  for (const peer of peers) {
    const version = lock.packages[`node_modules/${peer}`]?.version;
    if (!version) throw new Error(`${peer} is not installed in this project`);
    devDependencies[peer] = version;
  }
  const closure = lockfileClosure(lock.packages, [...Object.keys(manifest.dependencies ?? {}), ...peers]);
  const root = { name: "consumer", version: "1.0.0", private: true, type: "module", devDependencies };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(root, null, 2)}\n`);
  const lockfile = {
    name: "consumer",
    version: "1.0.0",
    lockfileVersion: 3,
    requires: true,
    packages: { "": { name: "consumer", version: "1.0.0", devDependencies }, ...closure },
  };
  writeFileSync(join(dir, "package-lock.json"), `${JSON.stringify(lockfile, null, 2)}\n`);
}
