/// <reference types="node" />
// Every error `code` the library (src/) and the proxy (worker/) can give a client, read from their
// source with the TypeScript parser, so that the docs' error tables cannot drift from it
// (test/readme-error-codes.test.ts). A code is written in one of two ways:
// - a `code` property beside a `status` or a `message` (an error's init, an error body, or a row
//   such as bedrock-errors.ts's table), or
// - an argument to a function with a parameter named `code` (invalidRequest, badUpstream,
//   refusal…), or that parameter's default when the call leaves it out.
// An expression this cannot read to string literals is reported, never skipped: a new way of
// writing a code must be taught here, not missed.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

export interface CodeSite {
  code: string;
  /** The HTTP status beside it, where the source says it as a number. */
  status: number | undefined;
  /** An explicit `type` beside it, where there is one. */
  type: string | undefined;
  where: string;
}

export interface CodeScan {
  sites: CodeSite[];
  /** Places where a code is given by an expression that is not read here. */
  unread: string[];
}

const ROOTS = ["src", "worker"];

function sourceFiles(root: string, dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(root, path);
    const isSource = entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") && !entry.name.endsWith(".d.ts");
    return isSource ? [path] : [];
  });
}

interface Helper {
  file: ts.SourceFile;
  codeIndex: number;
  codeDefault: string | undefined;
  statusIndex: number | undefined;
  /** The status its body gives an error, when a number there. */
  status: number | undefined;
  type: string | undefined;
}

function propertyNamed(object: ts.ObjectLiteralExpression, name: string): ts.ObjectLiteralElementLike | undefined {
  return object.properties.find((property) => property.name !== undefined && property.name.getText() === name);
}

function literalOf(element: ts.ObjectLiteralElementLike | undefined): ts.Expression | undefined {
  return element && ts.isPropertyAssignment(element) ? element.initializer : undefined;
}

function numberOf(expression: ts.Expression | undefined): number | undefined {
  return expression && ts.isNumericLiteral(expression) ? Number(expression.text) : undefined;
}

function stringOf(expression: ts.Expression | undefined): string | undefined {
  return expression && ts.isStringLiteral(expression) ? expression.text : undefined;
}

/** The function whose parameter `name` is, if it is one. */
function parameterOf(identifier: ts.Identifier): ts.ParameterDeclaration | undefined {
  for (let node: ts.Node | undefined = identifier.parent; node; node = node.parent) {
    if (ts.isFunctionLike(node)) {
      const parameter = node.parameters.find((p) => p.name.getText() === identifier.text);
      if (parameter) return parameter;
    }
  }
  return undefined;
}

/** A `const name = …` of the same file. */
function constantOf(file: ts.SourceFile, name: string): ts.Expression | undefined {
  let found: ts.Expression | undefined;
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && node.name.getText() === name && node.initializer) found = node.initializer;
    if (!found) ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/**
 * The codes an expression can be: its string literals through conditionals, `??` and `||`, and
 * constants of its file. `undefined` when it cannot be read. A parameter named `code` and a copy of
 * another error's code (`error.code`, `const { code } = …`) are read where they were written, so
 * they give none here.
 */
function codesOf(file: ts.SourceFile, expression: ts.Expression): string[] | undefined {
  if (ts.isStringLiteral(expression) || ts.isNoSubstitutionTemplateLiteral(expression)) return [expression.text];
  // null: no code; a number: a trace span's status code (OTLP), not an error's.
  if (expression.kind === ts.SyntaxKind.NullKeyword || ts.isNumericLiteral(expression)) return [];
  if (ts.isParenthesizedExpression(expression)) return codesOf(file, expression.expression);
  if (ts.isConditionalExpression(expression)) return both(file, expression.whenTrue, expression.whenFalse);
  if (ts.isBinaryExpression(expression)) {
    const operator = expression.operatorToken.kind;
    const alternative = operator === ts.SyntaxKind.QuestionQuestionToken || operator === ts.SyntaxKind.BarBarToken;
    return alternative ? both(file, expression.left, expression.right) : undefined;
  }
  if (ts.isPropertyAccessExpression(expression) && expression.name.text === "code") return [];
  if (ts.isIdentifier(expression)) {
    if (expression.text === "undefined") return [];
    if (parameterOf(expression)?.name.getText() === "code") return [];
    if (destructuredCode(file, expression.text)) return [];
    const value = constantOf(file, expression.text);
    return value ? codesOf(file, value) : undefined;
  }
  return undefined;
}

/** `const { code } = …`: a copy of another error's code, read where that one was written. */
function destructuredCode(file: ts.SourceFile, name: string): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (
      ts.isBindingElement(node) &&
      node.name.getText() === name &&
      (node.propertyName ?? node.name).getText() === "code"
    ) {
      found = true;
    }
    if (!found) ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

function both(file: ts.SourceFile, a: ts.Expression, b: ts.Expression): string[] | undefined {
  const left = codesOf(file, a);
  const right = codesOf(file, b);
  return left && right ? [...left, ...right] : undefined;
}

/** Functions with a parameter named `code`, by name: where their callers give it, and what status they give it. */
function helpersIn(files: ts.SourceFile[]): Map<string, Helper[]> {
  const helpers = new Map<string, Helper[]>();
  for (const file of files) {
    const visit = (node: ts.Node): void => {
      if (ts.isFunctionDeclaration(node) && node.name) {
        const names = node.parameters.map((p) => p.name.getText());
        const codeIndex = names.indexOf("code");
        if (codeIndex >= 0) {
          const statusIndex = names.indexOf("status");
          const made = errorInitIn(node);
          const same = helpers.get(node.name.text) ?? [];
          helpers.set(node.name.text, same);
          same.push({
            file,
            codeIndex,
            codeDefault: stringOf(node.parameters[codeIndex]?.initializer),
            statusIndex: statusIndex >= 0 ? statusIndex : undefined,
            status: numberOf(literalOf(made && propertyNamed(made, "status"))),
            type: stringOf(literalOf(made && propertyNamed(made, "type"))),
          });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return helpers;
}

/** The object literal with a `code` property in a helper's body: the error it makes. */
function errorInitIn(node: ts.Node): ts.ObjectLiteralExpression | undefined {
  let found: ts.ObjectLiteralExpression | undefined;
  const visit = (child: ts.Node): void => {
    if (ts.isObjectLiteralExpression(child) && propertyNamed(child, "code")) found = child;
    if (!found) ts.forEachChild(child, visit);
  };
  visit(node);
  return found;
}

/** Functions declared in a file, by name, whether or not they take a code. */
function declaredIn(file: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionDeclaration(node) && node.name) names.add(node.name.text);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return names;
}

/**
 * The helper a call by that name in `file` reaches: the file's own function of that name when it
 * has one (worker/body.ts's overLimit takes no code, limits.ts's does), else the one of another
 * file, imported.
 */
function helperCalled(
  helpers: Map<string, Helper[]>,
  file: ts.SourceFile,
  declared: Set<string>,
  name: string,
): Helper | undefined {
  const candidates = helpers.get(name) ?? [];
  if (declared.has(name)) return candidates.find((helper) => helper.file === file);
  return candidates.find((helper) => helper.file !== file);
}

export function scanErrorCodes(root: string): CodeScan {
  const files = ROOTS.flatMap((dir) => sourceFiles(root, dir)).map((path) =>
    ts.createSourceFile(path, readFileSync(join(root, path), "utf8"), ts.ScriptTarget.Latest, true),
  );
  const helpers = helpersIn(files);
  const sites: CodeSite[] = [];
  const unread: string[] = [];
  for (const file of files) {
    const declared = declaredIn(file);
    const where = (node: ts.Node) => `${file.fileName}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
    const add = (node: ts.Node, codes: string[] | undefined, status: number | undefined, type: string | undefined) => {
      if (!codes) unread.push(`${where(node)}: ${node.getText().slice(0, 80)}`);
      else for (const code of codes) sites.push({ code, status, type, where: where(node) });
    };
    const visit = (node: ts.Node): void => {
      if (ts.isObjectLiteralExpression(node) && (propertyNamed(node, "status") || propertyNamed(node, "message"))) {
        const code = propertyNamed(node, "code");
        const value = code && (ts.isShorthandPropertyAssignment(code) ? code.name : literalOf(code));
        if (code && value) {
          const status = numberOf(literalOf(propertyNamed(node, "status")));
          add(code, codesOf(file, value), status, stringOf(literalOf(propertyNamed(node, "type"))));
        }
      }
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
        const helper = helperCalled(helpers, file, declared, node.expression.text);
        if (helper) {
          const argument = node.arguments[helper.codeIndex];
          const codes = argument ? codesOf(file, argument) : helper.codeDefault ? [helper.codeDefault] : [];
          const status =
            helper.statusIndex === undefined ? helper.status : numberOf(node.arguments[helper.statusIndex]);
          add(argument ?? node, codes, status, helper.type);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return { sites, unread };
}
