// The npm package as users get it: `npm run build`, then `npm pack --dry-run` must list only
// dist/ (with a declaration for every export) and the docs, no test and no secret; a consumer
// project must type-check against the declarations and plain Node must run the built entries.
import { execFile } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { promisify } from "node:util";
import { transformSync } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS, EMULATOR_SESSION_CREDENTIALS } from "../../../emulator/credentials.ts";
import { isExternal, linksOf } from "../../helpers/markdown-links.ts";
import { readmeSnippet } from "../../helpers/readme.ts";
import { build } from "../../../scripts/build.ts";
import { localBin, ROOT } from "../child-process.ts";
import { CJS_CONSUMER_SOURCE, CONSUMER_SOURCE } from "./consumer-source.ts";

const run = promisify(execFile);

/** The docs/ pages reachable from README.md by relative links, as `docs/X.md`. */
function linkedDocsPages(): string[] {
  const found = new Set<string>();
  const queue = ["README.md"];
  for (let page = queue.shift(); page !== undefined; page = queue.shift()) {
    for (const { target } of linksOf(readFileSync(join(ROOT, page), "utf8"))) {
      if (isExternal(target)) continue;
      const path = target.split("#")[0] ?? "";
      if (!path) continue;
      const resolved = posix.normalize(posix.join(posix.dirname(page), path));
      if (!/^docs\/[^/]+\.md$/.test(resolved) || found.has(resolved)) continue;
      found.add(resolved);
      queue.push(resolved);
    }
  }
  return [...found].sort();
}

interface PackResult {
  name: string;
  files: Array<{ path: string; size: number }>;
  unpackedSize: number;
  size: number;
}

interface ExportTarget {
  types: string;
  default: string;
}

const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  name: string;
  exports: Record<string, ExportTarget | string>;
  typesVersions: unknown;
};
const ENTRIES = [
  "bedrock-edge",
  "bedrock-edge/core",
  "bedrock-edge/node",
  "bedrock-edge/worker",
  "bedrock-edge/emulator",
  "bedrock-edge/emulator/node",
];
// AWS access key ids; only the emulator's fixed test ones may appear anywhere in the package.
const ACCESS_KEY_ID = /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g;

describe("the npm package", () => {
  let packed: PackResult;
  let consumerDir: string;

  beforeAll(async () => {
    build();
    // dist/ is fresh: --ignore-scripts spares npm its prepare script (which would find it so too).
    const { stdout } = await run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT });
    packed = (JSON.parse(stdout) as PackResult[])[0]!;
    // A consumer project whose node_modules/bedrock-edge is this package (as npm link does).
    consumerDir = mkdtempSync(join(tmpdir(), "bedrock-edge-consumer-"));
    mkdirSync(join(consumerDir, "node_modules"));
    symlinkSync(ROOT, join(consumerDir, "node_modules", manifest.name), "dir");
  }, 60_000);
  afterAll(() => {
    if (consumerDir) rmSync(consumerDir, { recursive: true, force: true });
  });

  it("is built once per change: an unchanged tree reuses dist/ (prepare, npm pack, these tests)", () => {
    const again = build();
    expect(again.reused).toBe(true);
    expect(again.files.map((file) => file.slice(ROOT.length)).sort()).toEqual(
      packed.files
        .map((file) => file.path)
        .filter((path) => path.startsWith("dist/"))
        .sort(),
    );
  });

  it("holds dist/ and the docs, nothing else", () => {
    const paths = packed.files.map((file) => file.path);
    const outside = paths.filter(
      (path) =>
        !path.startsWith("dist/") &&
        !/^docs\/[^/]+\.md$/.test(path) &&
        !["package.json", "README.md", "LICENSE"].includes(path),
    );
    expect(outside).toEqual([]);
    expect(
      paths.filter((path) => /\.test\.|\/test\/|testing\.|\.map$|\.tsbuildinfo$|\.dev\.vars|\.env/.test(path)),
    ).toEqual([]);
    expect(paths.filter((path) => path.startsWith("dist/") && !/\.(js|d\.ts)$/.test(path))).toEqual([]);
    expect(paths).toContain("README.md");
    expect(paths).toContain("LICENSE");
  });

  it("ships every docs page the README links to, and the pages those link to (docs48: the README's detail moved there)", () => {
    const paths = new Set(packed.files.map((file) => file.path));
    const linked = linkedDocsPages();
    expect(linked).toEqual(expect.arrayContaining(["docs/PROXY-REFERENCE.md", "docs/LIBRARY-REFERENCE.md"]));
    expect(linked.filter((page) => !paths.has(page))).toEqual([]);
  });

  it("has the JavaScript and the declarations of every export", () => {
    const paths = new Set(packed.files.map((file) => file.path));
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      if (typeof target === "string") continue;
      expect(paths, `${subpath} types`).toContain(target.types.replace(/^\.\//, ""));
      expect(Object.keys(target), subpath).toEqual(["types", "default"]);
      expect(paths, `${subpath} default`).toContain(target.default.replace(/^\.\//, ""));
      expect(target.types.replace(/\.d\.ts$/, ""), subpath).toBe(target.default.replace(/\.js$/, ""));
    }
    expect(Object.keys(manifest.exports).sort()).toEqual([
      ".",
      "./core",
      "./emulator",
      "./emulator/node",
      "./node",
      "./package.json",
      "./worker",
    ]);
  });

  it("carries no credentials but the emulator's fixed test ones", () => {
    const allowed = new Set([EMULATOR_CREDENTIALS.accessKeyId, EMULATOR_SESSION_CREDENTIALS.accessKeyId]);
    const found = packed.files.flatMap(
      (file) => readFileSync(join(ROOT, file.path), "utf8").match(ACCESS_KEY_ID) ?? [],
    );
    expect(found.filter((key) => !allowed.has(key))).toEqual([]);
    const library = packed.files.filter((file) => file.path.startsWith("dist/src/"));
    for (const file of library)
      expect(readFileSync(join(ROOT, file.path), "utf8"), file.path).not.toContain(
        EMULATOR_CREDENTIALS.secretAccessKey,
      );
  });

  it("declarations import only packed declarations", () => {
    const paths = new Set(packed.files.map((file) => file.path));
    const broken: string[] = [];
    for (const file of packed.files.filter((f) => f.path.endsWith(".d.ts"))) {
      const text = readFileSync(join(ROOT, file.path), "utf8");
      for (const match of text.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)) {
        const target = posix.join(posix.dirname(file.path), match[1]!).replace(/\.js$/, ".d.ts");
        if (!paths.has(target)) broken.push(`${file.path} -> ${match[1]}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("maps every subpath's types for TypeScript's older resolution too (typesVersions, as exports says)", () => {
    const subpaths = Object.entries(manifest.exports).flatMap(([subpath, target]) =>
      typeof target === "string" || subpath === "." ? [] : [[subpath.slice("./".length), [target.types]] as const],
    );
    expect(subpaths.length).toBeGreaterThan(0);
    expect(manifest.typesVersions).toEqual({ "*": Object.fromEntries(subpaths) });
  });

  // skipLibCheck: the declarations' own imports are checked above; checking all of @types/node
  // and hono again would triple this test's time, so only the project of Node's types without
  // the DOM does (TypeScript's default, skipLibCheck false): a name that only the DOM lib declares
  // (ReadableStreamReadResult was one) fails it. "node10" is TypeScript's older resolution
  // ("moduleResolution": "node"), which reads no `exports`: the subpaths' types come from
  // typesVersions. Here the package's root holds its sources too, as an npm link does: without
  // typesVersions, bedrock-edge/worker would even resolve to worker/index.ts.
  it.each([
    ["moduleResolution NodeNext", { module: "NodeNext", moduleResolution: "NodeNext" }],
    ["moduleResolution node10", { module: "ES2022", moduleResolution: "node10" }],
    [
      "Node's types, no DOM, declarations checked",
      { module: "NodeNext", moduleResolution: "NodeNext", lib: ["ES2023"], skipLibCheck: false },
    ],
  ])(
    "type-checks in a consumer project (strict, %s)",
    async (name, options) => {
      writeFileSync(
        join(consumerDir, "package.json"),
        JSON.stringify({ name: "consumer", private: true, type: "module" }),
      );
      writeFileSync(join(consumerDir, "consumer.ts"), CONSUMER_SOURCE);
      const tsconfig = join(consumerDir, `tsconfig.${name.replace(/\W+/g, "-")}.json`);
      writeFileSync(
        tsconfig,
        JSON.stringify({
          compilerOptions: {
            target: "ES2022",
            strict: true,
            noEmit: true,
            skipLibCheck: true,
            types: ["node"],
            typeRoots: [join(ROOT, "node_modules/@types")],
            lib: ["ES2023", "DOM"],
            ...options,
          },
          files: ["consumer.ts"],
        }),
      );
      const result = await run(localBin("tsc"), ["-p", tsconfig], { cwd: consumerDir }).catch(
        (error: { stdout?: string }) => ({ stdout: error.stdout ?? String(error) }),
      );
      expect(result.stdout).toBe("");
    },
    60_000,
  );

  // A project that emits declarations (a library, a monorepo package, `composite`) must name the
  // type of everything it exports: `export default createApp()` names the app's type through
  // bedrock-edge/worker, or fails with TS2742 ("cannot be named without a reference to …").
  it("lets a project that emits declarations export the README's Worker entry (createApp's type named by the entry)", async () => {
    const project = join(consumerDir, "declarations");
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "declaring-consumer", type: "module" }));
    writeFileSync(join(project, "worker.ts"), readmeSnippet("worker-entry").code);
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          skipLibCheck: true,
          declaration: true,
          emitDeclarationOnly: true,
          outDir: "out",
          types: [],
          lib: ["ES2023", "DOM"],
        },
        files: ["worker.ts"],
      }),
    );
    const compiled = await run(localBin("tsc"), ["-p", project], { cwd: project }).catch(
      (error: { stdout?: string }) => ({ stdout: error.stdout ?? String(error) }),
    );
    expect(compiled.stdout).toBe("");
    const declared = readFileSync(join(project, "out", "worker.d.ts"), "utf8");
    expect(declared).toContain('import("bedrock-edge/worker").ProxyApp');
  }, 60_000);

  // `exports` gives each entry a `default` target, not only an `import` one: without it, tsc
  // accepts a CommonJS import that Node then refuses (ERR_PACKAGE_PATH_NOT_EXPORTED).
  it("loads through require() in CommonJS, every entry, as import() does (no top-level await)", async () => {
    const script = join(consumerDir, "require-entries.cjs");
    writeFileSync(
      script,
      `const names = (module) => Object.keys(module).sort();
(async () => {
  const loaded = {};
  for (const entry of ${JSON.stringify(ENTRIES)})
    loaded[entry] = { required: names(require(entry)), imported: names(await import(entry)) };
  console.log(JSON.stringify(loaded));
})();
`,
    );
    const { stdout, stderr } = await run(process.execPath, [script], { cwd: consumerDir, timeout: 20_000 });
    expect(stderr).toBe("");
    const loaded = JSON.parse(stdout) as Record<string, { required: string[]; imported: string[] }>;
    expect(Object.keys(loaded)).toEqual(ENTRIES);
    for (const [entry, { required, imported }] of Object.entries(loaded)) {
      expect(imported.length, entry).toBeGreaterThan(0);
      expect(required, entry).toEqual(imported);
    }
  });

  it('type-checks and runs in a CommonJS TypeScript project (no "type": "module", module NodeNext)', async () => {
    const project = join(consumerDir, "commonjs");
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "commonjs-consumer", private: true }));
    writeFileSync(join(project, "consumer.ts"), CJS_CONSUMER_SOURCE);
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          skipLibCheck: true,
          outDir: "out",
          types: ["node"],
          typeRoots: [join(ROOT, "node_modules/@types")],
          lib: ["ES2023", "DOM"],
        },
        files: ["consumer.ts"],
      }),
    );
    const compiled = await run(localBin("tsc"), ["-p", project], { cwd: project }).catch(
      (error: { stdout?: string }) => ({ stdout: error.stdout ?? String(error) }),
    );
    expect(compiled.stdout).toBe("");
    const emitted = readFileSync(join(project, "out", "consumer.js"), "utf8");
    expect(emitted).toContain('require("bedrock-edge")');
    const { stdout } = await run(process.execPath, [join(project, "out", "consumer.js")], {
      cwd: project,
      timeout: 20_000,
    });
    expect(JSON.parse(stdout)).toEqual({
      content: expect.stringMatching(/^Hello from the Bedrock emulator \(llama\)/),
      route: "llama",
      others: ["function", "function"],
    });
  }, 60_000);

  it("runs from dist/ in plain Node, every entry imported by its package name", async () => {
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", consumerScript()], {
      cwd: ROOT,
      timeout: 20_000,
    });
    const result = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as Record<string, unknown>;
    expect(result).toEqual({
      content: expect.stringMatching(/^Hello from the Bedrock emulator \(llama\)/),
      modelsStatus: 200,
      models: expect.stringContaining('"demo"'),
      inProcessEmulator: "function",
      isError: false,
      route: "llama",
    });
    expect(ENTRIES.every((entry) => consumerScript().includes(`"${entry}"`))).toBe(true);
  });
});

/** The consumer as JavaScript, for plain Node (which cannot strip types in v20). Imports stay as written. */
function consumerScript(): string {
  return transformSync(CONSUMER_SOURCE, { loader: "ts", format: "esm" }).code;
}
