// How a custom chat_template reads a message's `content`: as one string (most text models'
// templates: `message.content | trim`, `'\n' + message.content`, `message.content is string`), or
// as OpenAI's list of parts, which it loops over (vision models' templates). Handing parts to a
// template that expects a string renders nothing, their JSON or an error; so, as vLLM does
// (its "string" and "openai" content formats), the template's syntax tree decides: a template
// that loops over a message's content gets the parts, any other gets the text.
//
// The tree is @huggingface/jinja's, read by the names of its node types, so this module does not
// import the engine (jinja.ts loads it on first use).

/** `openai`: the template loops over a message's content parts; `string`: it reads content as text. */
export type ContentFormat = "string" | "openai";

/** A node of @huggingface/jinja's syntax tree, as far as this module reads it. */
export interface Node {
  type: string;
  [field: string]: unknown;
}

export function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string";
}

/** Every node of `type` under `root`, in document order (Jinja's `find_all`). */
export function findAll(root: unknown, type: string): Node[] {
  const found: Node[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
    } else if (value instanceof Map) {
      for (const [key, item] of value) {
        visit(key);
        visit(item);
      }
    } else if (isNode(value)) {
      if (value.type === type) found.push(value);
      for (const field of Object.values(value)) visit(field);
    }
  };
  visit(root);
  return found;
}

function isVariable(node: unknown, name: string): boolean {
  return isNode(node) && node.type === "Identifier" && node.value === name;
}

/** `name.key` or `name['key']`. */
function isAttribute(node: unknown, name: string, key: string): boolean {
  if (!isNode(node) || node.type !== "MemberExpression" || !isVariable(node.object, name)) return false;
  const property = node.property;
  if (!isNode(property)) return false;
  return node.computed
    ? property.type === "StringLiteral" && property.value === key
    : property.type === "Identifier" && property.value === key;
}

/**
 * Whether `node` is `name` (or `name.key`) itself or seen through what keeps its elements: a
 * filter (`messages | selectattr(…)`), a test, a slice (`messages[1:]`), a loop's `if`
 * (`for m in messages if …`).
 */
function readsElementsOf(node: unknown, name: string, key?: string): boolean {
  if (!isNode(node)) return false;
  switch (node.type) {
    case "FilterExpression":
    case "TestExpression":
      return readsElementsOf(node.operand, name, key);
    case "SelectExpression":
      return readsElementsOf(node.lhs, name, key);
    case "MemberExpression":
      if (isNode(node.property) && node.property.type === "SliceExpression") {
        return readsElementsOf(node.object, name, key);
      }
  }
  return key === undefined ? isVariable(node, name) : isAttribute(node, name, key);
}

/** `name`, and the variables `{% set %}` makes of it (`{% set loop_messages = messages[1:] %}`), transitively. */
function aliasesOf(root: unknown, name: string): string[] {
  const names = [name];
  const assignments = findAll(root, "Set");
  for (let i = 0; i < names.length; i++) {
    for (const assignment of assignments) {
      const target = assignment.assignee;
      if (!isNode(target) || target.type !== "Identifier" || typeof target.value !== "string") continue;
      if (readsElementsOf(assignment.value, names[i]!) && !names.includes(target.value)) names.push(target.value);
    }
  }
  return names;
}

/** The loop variables of `{% for x in <one of names>[.key] %}` loops. */
function loopVariablesOver(root: unknown, names: readonly string[], key?: string): string[] {
  const variables: string[] = [];
  for (const loop of findAll(root, "For")) {
    const target = loop.loopvar;
    if (!isNode(target) || target.type !== "Identifier" || typeof target.value !== "string") continue;
    if (names.some((name) => readsElementsOf(loop.iterable, name, key))) variables.push(target.value);
  }
  return variables;
}

/**
 * `openai` when the template has a `{% for part in message.content %}` loop (or
 * `message['content']`, through filters or slices) over a message of a loop over `messages` (or
 * a variable set from it), or a loop over a variable named `content` (a macro's parameter, as in
 * Qwen3.5's `render_content(content)`, which vLLM reads the same way); otherwise `string`. Like
 * vLLM's detection, it follows `{% set %}` of `messages` but not of a message's content, and
 * ignores scopes.
 */
export function detectContentFormat(program: unknown): ContentFormat {
  const messageVariables = loopVariablesOver(program, aliasesOf(program, "messages"));
  const overContent =
    loopVariablesOver(program, messageVariables, "content").length > 0 ||
    loopVariablesOver(program, ["content"]).length > 0;
  return overContent ? "openai" : "string";
}

/** `name.content` or `name['content']` for any name, or a variable named `content`. */
function isContent(node: unknown): boolean {
  if (isVariable(node, "content")) return true;
  if (!isNode(node) || node.type !== "MemberExpression" || !isNode(node.object)) return false;
  return node.object.type === "Identifier" && isAttribute(node, String(node.object.value), "content");
}

/**
 * Whether the template tests a content for none (`message['content'] is none`, as the
 * DeepSeek-R1-Distill template does to tell a tool-call turn from a text one). Such a template
 * needs a missing assistant content as null; a text-reading one that does not gets "", as vLLM
 * gives it (its "string" format joins no parts to ""), since it may call string methods on it
 * (QwQ-32B's `message.content.split('</think>')`).
 */
export function testsContentForNone(program: unknown): boolean {
  return findAll(program, "TestExpression").some((test) => isVariable(test.test, "none") && isContent(test.operand));
}
