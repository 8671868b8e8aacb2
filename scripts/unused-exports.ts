/// <reference types="node" />
// The export check of `npm run lint`: an export that no other file imports is dead code, or a
// keyword that makes a module's surface look wider than it is. Counted as imported:
// - everything the entries export (package.json "exports", wrangler.toml's `main`, and the
//   vitest config, which vitest loads by name);
// - everything a file loaded by its path exports (a string naming it, as bundles and child
//   processes are started);
// - an exported type its own module uses: it names part of an exported signature.
// Everything else must be imported by another file of the project (a test counts). Built on the
// compiler's own symbol resolution, so re-exports, `import type`, namespace and dynamic imports
// are followed as the compiler follows them.
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

export interface UnusedExport {
  /** Relative to the project root, with a 1-based line: `src/x.ts:12`. */
  where: string;
  name: string;
  /** "unused": nothing uses it; "local": only its own file does, so `export` can go. */
  kind: "unused" | "local";
}

const VITEST_CONFIG = "vitest.config.mts";

/** The source files of the entries: package.json "exports", wrangler.toml's `main`, vitest's config. */
function publicEntries(root: string): string[] {
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    exports?: Record<string, string | { import?: string; default?: string }>;
  };
  const entries: string[] = [];
  for (const target of Object.values(manifest.exports ?? {})) {
    const built = typeof target === "string" ? target : (target.import ?? target.default);
    // dist/<path>.js is built from <path>.ts (tsconfig.build.json mirrors the source tree).
    if (built?.startsWith("./dist/") && built.endsWith(".js")) entries.push(`${built.slice(7, -3)}.ts`);
  }
  const wrangler = join(root, "wrangler.toml");
  const main = existsSync(wrangler) ? /^main\s*=\s*"([^"]+)"/m.exec(readFileSync(wrangler, "utf8"))?.[1] : undefined;
  if (main) entries.push(main);
  // vitest loads its config by name: the files it names (global setups, reporters) are used.
  if (existsSync(join(root, VITEST_CONFIG))) entries.push(VITEST_CONFIG);
  return entries.map((entry) => join(root, entry));
}

/** The files of the tsconfig projects as one program, so that imports across them resolve. */
function projectProgram(root: string, configs: readonly string[]): ts.Program {
  const files = new Set<string>();
  let options: ts.CompilerOptions | undefined;
  for (const config of configs) {
    const parsed = ts.getParsedCommandLineOfConfigFile(
      join(root, config),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
          throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
        },
      },
    );
    if (!parsed) throw new Error(`cannot read ${config}`);
    options ??= parsed.options;
    for (const file of parsed.fileNames) files.add(file);
  }
  return ts.createProgram([...files], { ...options, noEmit: true });
}

const TYPE_ONLY = ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias;

export function findUnusedExports(root: string, configs: readonly string[]): UnusedExport[] {
  const program = projectProgram(root, configs);
  const checker = program.getTypeChecker();
  const ownFiles = program
    .getSourceFiles()
    .filter((file) => !file.isDeclarationFile && !relative(root, file.fileName).startsWith(".."))
    .filter((file) => !file.fileName.includes("/node_modules/"));
  const fileNames = new Set(ownFiles.map((file) => file.fileName));
  const entries = new Set(publicEntries(root));
  for (const entry of entries) {
    if (!fileNames.has(entry)) throw new Error(`the public entry ${relative(root, entry)} is not part of the project`);
  }

  const used = new Set<ts.Symbol>();
  // Files whose `export * from` some import went through.
  const starUsed = new Set<ts.SourceFile>();
  // Per file, the symbols its own code refers to.
  const usedInFile = new Map<ts.SourceFile, Set<ts.Symbol>>();

  /** Marks a symbol and every re-export it passes through on the way to its declaration. */
  function markUsed(symbol: ts.Symbol | undefined): void {
    let current = symbol;
    while (current && !used.has(current)) {
      used.add(current);
      current = current.flags & ts.SymbolFlags.Alias ? checker.getImmediateAliasedSymbol(current) : undefined;
    }
  }

  function fileOf(module: ts.Symbol | undefined): ts.SourceFile | undefined {
    const declaration = module?.valueDeclaration;
    return declaration && ts.isSourceFile(declaration) ? declaration : undefined;
  }

  function markAllOf(module: ts.Symbol | undefined): void {
    if (!module) return;
    for (const symbol of checker.getExportsOfModule(module)) markUsed(symbol);
    const file = fileOf(module);
    if (file) starUsed.add(file);
  }

  /** An imported name: the module's own export, or one it passes on through `export *`. */
  function markImported(local: ts.Identifier, module: ts.Symbol | undefined): void {
    const symbol = checker.getSymbolAtLocation(local);
    markUsed(symbol);
    const target = symbol && symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : undefined;
    const file = fileOf(module);
    if (target && file && target.declarations?.[0]?.getSourceFile() !== file) starUsed.add(file);
  }

  /** Marks what a file imports, and records in `inFile` what its own code refers to among `names` (its exports). */
  function visit(node: ts.Node, file: ts.SourceFile, names: Set<string>, inFile: Set<ts.Symbol>): void {
    if (ts.isImportDeclaration(node)) {
      const module = checker.getSymbolAtLocation(node.moduleSpecifier);
      const clause = node.importClause;
      if (clause?.name) markImported(clause.name, module);
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) markAllOf(module);
      if (bindings && ts.isNamedImports(bindings))
        for (const spec of bindings.elements) markImported(spec.name, module);
      return;
    }
    if (ts.isExportDeclaration(node) && node.moduleSpecifier && !node.exportClause && entries.has(file.fileName)) {
      markAllOf(checker.getSymbolAtLocation(node.moduleSpecifier));
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [specifier] = node.arguments;
      if (specifier && ts.isStringLiteralLike(specifier)) markAllOf(checker.getSymbolAtLocation(specifier));
    } else if (ts.isImportTypeNode(node)) {
      if (node.qualifier) markUsed(checker.getSymbolAtLocation(node.qualifier));
      else if (ts.isLiteralTypeNode(node.argument)) markAllOf(checker.getSymbolAtLocation(node.argument.literal));
    } else if (ts.isStringLiteralLike(node) && node.text.endsWith(".ts") && !node.text.startsWith(".")) {
      // A file named by its path from the root is loaded by it (bundled, spawned): its exports
      // are its interface.
      const named = program.getSourceFile(join(root, node.text));
      if (named && named !== file) markAllOf(checker.getSymbolAtLocation(named));
    } else if (ts.isIdentifier(node) && names.has(node.text) && !isDeclarationName(node)) {
      const symbol = ts.isShorthandPropertyAssignment(node.parent)
        ? checker.getShorthandAssignmentValueSymbol(node.parent)
        : checker.getSymbolAtLocation(node);
      if (symbol) inFile.add(symbol);
    }
    ts.forEachChild(node, (child) => visit(child, file, names, inFile));
  }

  for (const file of ownFiles) {
    const module = checker.getSymbolAtLocation(file);
    const names = new Set(module ? checker.getExportsOfModule(module).map((symbol) => symbol.getName()) : []);
    const inFile = new Set<ts.Symbol>();
    usedInFile.set(file, inFile);
    visit(file, file, names, inFile);
  }
  for (const entry of entries) markAllOf(checker.getSymbolAtLocation(program.getSourceFile(entry)!));

  /** For `export { x }` of a local `x`: the local's symbol, whose uses count as the export's. */
  function localTarget(declaration: ts.Declaration): ts.Symbol | undefined {
    return ts.isExportSpecifier(declaration) && !declaration.parent.parent.moduleSpecifier
      ? checker.getExportSpecifierLocalTargetSymbol(declaration)
      : undefined;
  }

  const unused: UnusedExport[] = [];
  const where = (node: ts.Node) => {
    const file = node.getSourceFile();
    return `${relative(root, file.fileName)}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  };
  for (const file of ownFiles) {
    const module = checker.getSymbolAtLocation(file);
    if (!module || entries.has(file.fileName)) continue;
    const inFile = usedInFile.get(file)!;
    for (const symbol of checker.getExportsOfModule(module)) {
      const declaration = symbol.declarations?.[0];
      // Exports passed on by `export *` are checked where they are declared.
      if (!declaration || declaration.getSourceFile() !== file || used.has(symbol)) continue;
      const local = inFile.has(symbol) || inFile.has(localTarget(declaration) ?? symbol);
      if (local && symbol.flags & TYPE_ONLY) continue;
      unused.push({ where: where(declaration), name: symbol.getName(), kind: local ? "local" : "unused" });
    }
    for (const statement of file.statements) {
      if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && !statement.exportClause) {
        if (!starUsed.has(file))
          unused.push({
            where: where(statement),
            name: `* from ${statement.moduleSpecifier.getText()}`,
            kind: "unused",
          });
      }
    }
  }
  return unused.sort((a, b) => a.where.localeCompare(b.where, "en", { numeric: true }));
}

/** The name in a declaration (`function f`, `const x`, `interface T`, `export { x }`), which is not a use. */
function isDeclarationName(node: ts.Identifier): boolean {
  const parent = node.parent;
  return (
    ts.isExportSpecifier(parent) ||
    ((ts.isFunctionDeclaration(parent) ||
      ts.isVariableDeclaration(parent) ||
      ts.isInterfaceDeclaration(parent) ||
      ts.isTypeAliasDeclaration(parent) ||
      ts.isClassDeclaration(parent) ||
      ts.isEnumDeclaration(parent)) &&
      parent.name === node)
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const found = findUnusedExports(root, ["tsconfig.json", "bench/tsconfig.json"]);
  for (const { where, name, kind } of found) {
    console.error(
      kind === "local"
        ? `${where}: ${name} is exported, but only its own file uses it: drop the export`
        : `${where}: ${name} is exported, but nothing uses it: remove it`,
    );
  }
  if (found.length) {
    console.error(`\n${found.length} unused export(s); public API goes through src/index.ts or src/core.ts.`);
    process.exit(1);
  }
}
