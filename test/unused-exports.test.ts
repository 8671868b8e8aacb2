// The export check of `npm run lint` (scripts/unused-exports.ts), on a small project made here:
// it must find every export nothing imports, and nothing else.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findUnusedExports } from "../scripts/unused-exports.ts";

const PROJECT: Record<string, string> = {
  "package.json": JSON.stringify({ exports: { ".": { import: "./dist/src/index.js" } } }),
  "wrangler.toml": 'main = "src/worker.ts"\n',
  "tsconfig.json": JSON.stringify({
    compilerOptions: {
      module: "ESNext",
      moduleResolution: "Bundler",
      allowImportingTsExtensions: true,
      noEmit: true,
      strict: true,
      lib: ["ES2022"],
      types: [],
    },
    include: ["src", "test", "vitest.config.mts"],
  }),
  // vitest loads its config by name, and the config names its global setup by path.
  "vitest.config.mts": [
    'import { reporter } from "./test/reporter.ts";',
    'export default { test: { globalSetup: ["test/setup.ts"], reporters: [reporter] } };',
    "",
  ].join("\n"),
  "test/setup.ts": "export default function setup(): void {}\n",
  "test/reporter.ts": "export const reporter = {};\n",
  // The public entries: what they export counts as imported.
  "src/index.ts": 'export { publicThing } from "./things.ts";\nexport type * from "./types.ts";\n',
  "src/worker.ts": 'import { helper } from "./helpers.ts";\nexport default { fetch: () => helper() };\n',
  "src/types.ts": "export interface PublicType { a: number }\n",
  "src/things.ts": [
    "export function publicThing(options: Options): number { return localOnly + options.n; }",
    // A type its own module uses in an exported signature: fine.
    "export interface Options { n: number }",
    // A value only its own module uses: the export keyword can go.
    "export const localOnly = 1;",
    // Nothing uses these at all.
    "export const deadValue = 2;",
    "export type DeadType = string;",
    // Used through a shorthand property only.
    "export const shorthand = 3;",
    "export const bag = { shorthand };",
    "",
  ].join("\n"),
  "src/helpers.ts": [
    "export function helper(): string { return 'ok'; }",
    // Re-exported under another name, and nobody imports it by that name.
    "export { helper as renamed };",
    "",
  ].join("\n"),
  // `export *` that some import goes through, and one that nobody does.
  "src/barrel.ts": 'export * from "./barrel-part.ts";\n',
  "src/barrel-part.ts": "export const viaBarrel = 1;\n",
  "src/dead-barrel.ts": 'export * from "./types.ts";\n',
  // Imports of every kind: named, type-only, namespace, dynamic, and a file named by its path.
  "test/uses.test.ts": [
    'import { viaBarrel } from "../src/barrel.ts";',
    'import type { Typed } from "../src/typed.ts";',
    'import * as everything from "../src/namespace.ts";',
    'import { bag } from "../src/things.ts";',
    "export const spawned = 'src/spawned.ts';",
    "const t: Typed = { viaBarrel, bag, everything, later: import('../src/dynamic.ts') };",
    "void t;",
    "",
  ].join("\n"),
  "src/typed.ts": "export type Typed = Record<string, unknown>;\n",
  "src/namespace.ts": "export const inNamespace = 1;\n",
  "src/dynamic.ts": "export const loadedLater = 1;\n",
  "src/spawned.ts": "export const run = () => 1;\n",
};

describe("the unused-export check", () => {
  let root: string;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "bedrock-edge-exports-"));
    for (const [path, text] of Object.entries(PROJECT)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("finds every export nothing imports, and only those", () => {
    expect(findUnusedExports(root, ["tsconfig.json"])).toEqual([
      { where: "src/dead-barrel.ts:1", name: '* from "./types.ts"', kind: "unused" },
      { where: "src/helpers.ts:2", name: "renamed", kind: "unused" },
      { where: "src/things.ts:3", name: "localOnly", kind: "local" },
      { where: "src/things.ts:4", name: "deadValue", kind: "unused" },
      { where: "src/things.ts:5", name: "DeadType", kind: "unused" },
      { where: "src/things.ts:6", name: "shorthand", kind: "local" },
      { where: "test/uses.test.ts:5", name: "spawned", kind: "unused" },
    ]);
  }, 30_000);

  it("refuses a public entry that is not part of the project", () => {
    writeFileSync(join(root, "wrangler.toml"), 'main = "src/missing.ts"\n');
    expect(() => findUnusedExports(root, ["tsconfig.json"])).toThrow(/src\/missing\.ts is not part of the project/);
  }, 30_000);
});
