/// <reference types="node" />
// Every type a public signature names must be importable from one of the package's entries: a
// user who writes a wrapper, a test double or a declaration file must be able to name what
// `new BedrockEdgeError(init)`, `createMessageSplitter(options)` or `createApp()` take and give,
// not only reach it through `Parameters<…>`. Walked with the compiler over the entries' sources
// (package.json "exports"), the way a consumer's compiler sees their declarations.
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * Properties whose types the walk leaves alone, each for its reason. A Hono app's type carries its
 * context's variables (`Hono<AppEnv>`): the proxy's middleware state (its log, its key finder, its
 * body limits, its key-limit client…), which is the app's own wiring. A user names the app as
 * `ProxyApp` or `AppEnv`, never piece by piece.
 */
const NOT_WALKED = new Set(["worker/context.ts: AppEnv.Variables"]);

/** The source file of each entry: dist/<path>.js is built from <path>.ts (tsconfig.build.json). */
function entrySources(): string[] {
  const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    exports: Record<string, string | { default: string }>;
  };
  return Object.values(manifest.exports).flatMap((target) =>
    typeof target === "string" ? [] : [join(ROOT, `${target.default.slice("./dist/".length, -".js".length)}.ts`)],
  );
}

/**
 * `file: Name` of every project type that the entries' exports reach and no entry exports, and
 * the properties of NOT_WALKED the walk met.
 */
function walkPublicTypes(): { unnameable: string[]; skipped: string[] } {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, "tsconfig.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
      },
    },
  );
  if (!config) throw new Error("cannot read tsconfig.json");
  const entries = entrySources();
  const program = ts.createProgram(entries, { ...config.options, types: ["node"], noEmit: true });
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
        const name = `${nameOf(symbol)}.${property.getName()}`;
        if (NOT_WALKED.has(name)) skipped.add(name);
        else if (ours(where)) visit(checker.getTypeOfSymbol(property));
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

describe("the package's public types", () => {
  it("are all exported: every type an entry's signatures name can be imported by name", () => {
    const { unnameable, skipped } = walkPublicTypes();
    expect(unnameable).toEqual([]);
    // An exception that no longer applies goes from the list.
    expect(skipped.sort()).toEqual([...NOT_WALKED].sort());
  }, 60_000);
});
