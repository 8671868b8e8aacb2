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
 * Types the walk names but does not enter, each for its reason. A Hono app's type carries its
 * context's variables (`Hono<AppEnv>`): what `c.get(name)` gives a route added to the app is
 * public and must be nameable, but what the proxy's middleware state holds (its key finder, its
 * body limits, its key-limit client, its log's outcomes…) is the app's own wiring.
 */
const NOT_ENTERED = new Set(["worker/state.ts: ProxyState", "worker/state.ts: Ready", "worker/log.ts: RequestLog"]);

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
 * the types of NOT_ENTERED the walk met.
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

describe("the package's public types", () => {
  it("are all exported: every type an entry's signatures name can be imported by name", () => {
    const { unnameable, skipped } = walkPublicTypes();
    expect(unnameable).toEqual([]);
    // An exception that no longer applies goes from the list.
    expect(skipped.sort()).toEqual([...NOT_ENTERED].sort());
  }, 60_000);
});
