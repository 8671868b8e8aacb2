/// <reference types="node" />
// Every type a public signature names must be importable from one of the package's entries: a
// user who writes a wrapper, a test double or a declaration file must be able to name what
// `new BedrockEdgeError(init)`, `createMessageSplitter(options)` or `createApp()` take and give,
// not only reach it through `Parameters<…>`. Walked with the compiler over the entries' sources
// (package.json "exports"), the way a consumer's compiler sees their declarations.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, describe, expect, expectTypeOf, it } from "vitest";
import type { AppEnv, ProxyState } from "../worker/mod.ts";
import { compilerOptions } from "./helpers/compiler-options.ts";
import { packageEntries } from "./helpers/package-entries.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * Types the walk names but does not enter, each for its reason. A Hono app's type carries its
 * context's variables (`Hono<AppEnv>`): what `c.get(name)` gives a route added to the app is
 * public and must be nameable, but what the proxy's middleware state holds (its key finder, its
 * body limits, its key-limit client, its log's outcomes…) is the app's own wiring.
 */
const NOT_ENTERED = new Set(["worker/state.ts: ProxyState", "worker/state.ts: Ready", "worker/log.ts: RequestLog"]);

/**
 * The package as a project that installed it has it, and that project's program: a module
 * importing each entry (`import * as entry1 from "bedrock-edge/core"`), compiled once for both
 * checks below (codereview48 #7: this file took 11 to 13 s and 490 to 650 MB with a compile
 * each, 9 s and 325 MB so).
 *
 * The package is the sources, under node_modules/bedrock-edge as symlinks the compiler keeps
 * (preserveSymlinks), its "exports" pointing at them; its dependencies sit beside it, as npm
 * hoists them. Declarations are asked of the program, as a project that emits them does.
 */
interface Installed {
  program: ts.Program;
  options: ts.CompilerOptions;
  /** The importing module, and its text. */
  scratch: string;
  imports: string;
  /** Where the package's files are: node_modules/bedrock-edge. */
  packageDir: string;
  /** Each entry's module, in package.json's order, with its specifier. */
  entries: { specifier: string; module: ts.Symbol }[];
}

let installed: Installed | undefined;
let installedDir: string | undefined;
afterAll(() => {
  if (installedDir) rmSync(installedDir, { recursive: true, force: true });
  // The program (some 150 MB) is not kept for the files after this one in the process.
  installed = undefined;
});

function installedPackage(): Installed {
  if (installed) return installed;
  const dir = mkdtempSync(join(tmpdir(), "bedrock-edge-declarations-"));
  installedDir = dir;
  const modules = join(dir, "node_modules");
  const packageDir = join(modules, "bedrock-edge");
  mkdirSync(packageDir, { recursive: true });
  for (const name of readdirSync(join(ROOT, "node_modules"))) {
    if (name !== "bedrock-edge") symlinkSync(join(ROOT, "node_modules", name), join(modules, name));
  }
  const entries = packageEntries();
  const exports: Record<string, { types: string; default: string }> = {};
  const folders = new Set<string>();
  for (const { subpath, source } of entries) {
    exports[subpath] = { types: `./${source}`, default: `./${source}` };
    folders.add(source.split("/")[0]!);
  }
  for (const folder of folders) symlinkSync(join(ROOT, folder), join(packageDir, folder));
  writeFileSync(join(packageDir, "package.json"), JSON.stringify({ name: "bedrock-edge", type: "module", exports }));

  const options: ts.CompilerOptions = {
    ...compilerOptions(),
    noEmit: false,
    declaration: true,
    emitDeclarationOnly: true,
    preserveSymlinks: true,
  };
  const scratch = join(dir, "reexports.ts");
  const imports = entries.map(({ specifier }, i) => `import * as entry${i} from "${specifier}";\n`).join("");
  writeFileSync(scratch, imports);
  const program = ts.createProgram([scratch], options);
  const checker = program.getTypeChecker();
  const statements = program.getSourceFile(scratch)!.statements;
  installed = {
    program,
    options,
    scratch,
    imports,
    packageDir,
    entries: entries.map(({ specifier }, i) => {
      const module = checker.getSymbolAtLocation((statements[i] as ts.ImportDeclaration).moduleSpecifier);
      if (!module) throw new Error(`${specifier} does not resolve`);
      return { specifier, module };
    }),
  };
  return installed;
}

/**
 * `file: Name` of every project type that the entries' exports reach and no entry exports, and
 * the types of NOT_ENTERED the walk met.
 */
function walkPublicTypes(): { unnameable: string[]; skipped: string[] } {
  const { program, packageDir, entries } = installedPackage();
  const checker = program.getTypeChecker();
  // The package's own files, by their paths in it (`src/errors.ts`), not its dependencies'.
  const ours = (declaration: ts.Declaration | undefined) => {
    const file = declaration?.getSourceFile().fileName ?? "";
    return file.startsWith(`${packageDir}/`) && !relative(packageDir, file).includes("node_modules");
  };
  const nameOf = (symbol: ts.Symbol | undefined) => {
    const file = symbol?.declarations?.[0]?.getSourceFile().fileName;
    return file ? `${relative(packageDir, file)}: ${symbol!.getName()}` : "";
  };
  const resolve = (symbol: ts.Symbol) =>
    symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;

  const exported = new Set<ts.Symbol>();
  const roots: ts.Symbol[] = [];
  for (const { module } of entries) {
    for (const symbol of checker.getExportsOfModule(module)) {
      exported.add(resolve(symbol));
      roots.push(resolve(symbol));
    }
  }

  const found = new Set<string>();
  const skipped = new Set<string>();
  const seen = new Set<ts.Type>();
  const NAMED = ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias | ts.SymbolFlags.Class | ts.SymbolFlags.Enum;
  function visit(type: ts.Type): void {
    if (seen.has(type)) return;
    seen.add(type);
    const symbol = type.aliasSymbol ?? type.getSymbol();
    const declaration = symbol?.declarations?.[0];
    if (symbol && symbol.flags & NAMED && ours(declaration) && !exported.has(symbol)) {
      found.add(nameOf(symbol));
    }
    if (NOT_ENTERED.has(nameOf(symbol))) {
      skipped.add(nameOf(symbol));
      return;
    }
    for (const argument of type.aliasTypeArguments ?? []) visit(argument);
    if (type.flags & ts.TypeFlags.Object && (type as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference) {
      for (const argument of checker.getTypeArguments(type as ts.TypeReference)) visit(argument);
    }
    // Beyond its type arguments, a type of the DOM, Node or a dependency is theirs to name.
    if (symbol && declaration && !ours(declaration) && !(symbol.flags & ts.SymbolFlags.TypeLiteral)) return;
    if (type.isUnionOrIntersection()) for (const member of type.types) visit(member);
    for (const signature of [...type.getCallSignatures(), ...type.getConstructSignatures()]) {
      for (const parameter of signature.getParameters()) visit(checker.getTypeOfSymbol(parameter));
      visit(signature.getReturnType());
    }
    if (type.flags & ts.TypeFlags.Object) {
      for (const property of type.getProperties()) {
        const where = property.valueDeclaration ?? property.declarations?.[0];
        if (ours(where)) visit(checker.getTypeOfSymbol(property));
      }
    }
    const index = type.getStringIndexType();
    if (index) visit(index);
  }
  for (const symbol of roots) {
    if (symbol.flags & ts.SymbolFlags.Value) visit(checker.getTypeOfSymbol(symbol));
    if (symbol.flags & NAMED) visit(checker.getDeclaredTypeOfSymbol(symbol));
  }
  return { unnameable: [...found].sort(), skipped: [...skipped] };
}

/**
 * The declaration errors of a project that installed the package and re-exports each value export
 * of each entry as it is (`export const name = entry.name`), as a project that emits declarations
 * and infers from the package's values does. The walk above sees named types only; here the
 * compiler itself must write every inferred type with what the entries export, or it gives TS2742
 * ("cannot be named without a reference to …/node_modules/bedrock-edge/…"): a value typed
 * `typeof` a function no entry exports fails here and not there.
 */
function declarationErrorsOfReexports(): string[] {
  const { program: entriesOnly, options, scratch, imports, entries } = installedPackage();
  const checker = entriesOnly.getTypeChecker();
  const lines = entries.flatMap(({ module }, i) =>
    checker
      .getExportsOfModule(module)
      .filter(
        (symbol) =>
          (symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol).flags &
          ts.SymbolFlags.Value,
      )
      .map((symbol) => `export const entry${i}_${symbol.getName()} = entry${i}.${symbol.getName()};\n`),
  );
  expect(lines.length).toBeGreaterThan(entries.length);
  // The imports' program again, with every one re-exported: every other file is the one it parsed.
  const host = ts.createCompilerHost(options);
  const parse = host.getSourceFile;
  host.getSourceFile = (file, ...rest) =>
    file === scratch
      ? ts.createSourceFile(file, imports + lines.join(""), options.target ?? ts.ScriptTarget.ESNext, true)
      : (entriesOnly.getSourceFile(file) ?? parse(file, ...rest));
  const program = ts.createProgram([scratch], options, host, entriesOnly);
  // The message names the export (`entry1_builtInRenderers`) and the module it cannot reach.
  return program
    .getDeclarationDiagnostics(program.getSourceFile(scratch))
    .map((diagnostic) => `TS${diagnostic.code}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")}`);
}

describe("the package's public types", () => {
  it("are all exported: every type an entry's signatures name can be imported by name", () => {
    const { unnameable, skipped } = walkPublicTypes();
    expect(unnameable).toEqual([]);
    // An exception that no longer applies goes from the list.
    expect(skipped.sort()).toEqual([...NOT_ENTERED].sort());
  }, 60_000);

  it("can be re-exported by a project that emits declarations: every value export's inferred type is nameable", () => {
    expect(declarationErrorsOfReexports()).toEqual([]);
  }, 60_000);

  // Checked by the type-checker (npm test runs tsc over this file). Hono's MiddlewareHandler
  // defaults to an environment of `any`, which would reach a route's `c.get("state").cors`.
  it("carry no `any` of Hono's defaults: ProxyState.cors takes the app's own context", () => {
    type CorsContext = Parameters<NonNullable<ProxyState["cors"]>>[0];
    expectTypeOf<CorsContext["env"]>().not.toBeAny();
    expectTypeOf<CorsContext["env"]>().toEqualTypeOf<AppEnv["Bindings"]>();
  });
});
