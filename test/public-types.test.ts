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
import { describe, expect, expectTypeOf, it } from "vitest";
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
 * `file: Name` of every project type that the entries' exports reach and no entry exports, and
 * the types of NOT_ENTERED the walk met.
 */
function walkPublicTypes(): { unnameable: string[]; skipped: string[] } {
  const entries = packageEntries().map(({ source }) => join(ROOT, source));
  const program = ts.createProgram(entries, { ...compilerOptions(), noEmit: true });
  const checker = program.getTypeChecker();
  const ours = (declaration: ts.Declaration | undefined) => {
    const file = declaration?.getSourceFile().fileName ?? "";
    return file.startsWith(ROOT) && !file.includes("/node_modules/");
  };
  const nameOf = (symbol: ts.Symbol | undefined) => {
    const file = symbol?.declarations?.[0]?.getSourceFile().fileName;
    return file ? `${relative(ROOT, file)}: ${symbol!.getName()}` : "";
  };
  const resolve = (symbol: ts.Symbol) =>
    symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;

  const exported = new Set<ts.Symbol>();
  const roots: ts.Symbol[] = [];
  for (const entry of entries) {
    const module = checker.getSymbolAtLocation(program.getSourceFile(entry)!);
    for (const symbol of module ? checker.getExportsOfModule(module) : []) {
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
 *
 * The package is the sources, under node_modules/bedrock-edge as symlinks the compiler keeps
 * (preserveSymlinks), its "exports" pointing at them; its dependencies sit beside it, as npm
 * hoists them.
 */
function declarationErrorsOfReexports(): string[] {
  const dir = mkdtempSync(join(tmpdir(), "bedrock-edge-declarations-"));
  try {
    const modules = join(dir, "node_modules");
    const packageDir = join(modules, "bedrock-edge");
    mkdirSync(packageDir, { recursive: true });
    for (const name of readdirSync(join(ROOT, "node_modules"))) {
      if (name !== "bedrock-edge") symlinkSync(join(ROOT, "node_modules", name), join(modules, name));
    }
    const specifiers: string[] = [];
    const exports: Record<string, { types: string; default: string }> = {};
    const folders = new Set<string>();
    for (const { subpath, specifier, source } of packageEntries()) {
      exports[subpath] = { types: `./${source}`, default: `./${source}` };
      specifiers.push(specifier);
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
    const imports = specifiers.map((specifier, i) => `import * as entry${i} from "${specifier}";\n`).join("");
    // First the imports alone, to read each entry's value exports; then every one re-exported.
    writeFileSync(scratch, imports);
    const entriesOnly = ts.createProgram([scratch], options);
    const checker = entriesOnly.getTypeChecker();
    const lines = specifiers.flatMap((specifier, i) => {
      const statement = entriesOnly.getSourceFile(scratch)!.statements[i] as ts.ImportDeclaration;
      const module = checker.getSymbolAtLocation(statement.moduleSpecifier);
      if (!module) throw new Error(`${specifier} does not resolve`);
      return checker
        .getExportsOfModule(module)
        .filter(
          (symbol) =>
            (symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol).flags &
            ts.SymbolFlags.Value,
        )
        .map((symbol) => `export const entry${i}_${symbol.getName()} = entry${i}.${symbol.getName()};\n`);
    });
    expect(lines.length).toBeGreaterThan(specifiers.length);
    writeFileSync(scratch, imports + lines.join(""));
    const program = ts.createProgram([scratch], options, undefined, entriesOnly);
    // The message names the export (`entry1_builtInRenderers`) and the module it cannot reach.
    return program
      .getDeclarationDiagnostics(program.getSourceFile(scratch))
      .map((diagnostic) => `TS${diagnostic.code}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
