// Extracts the component schemas the conformance tests validate against from OpenAI's official
// OpenAPI document (github.com/openai/openai-openapi, openapi.yaml) into one JSON Schema 2020-12
// file, test/fixtures/openai-openapi/schemas.json, so the tests run on a fresh clone without it.
//
//   npx tsx scripts/extract-openapi-schemas.ts <path to openapi.yaml> [commit]
//
// What it keeps: each root below and every schema it references, with `$ref`s pointing into
// `$defs`. What it changes, and why (OpenAPI is not quite JSON Schema):
// - `nullable: true`, OpenAPI 3.0's way to allow null (left in a few 3.1 schemas), becomes
//   `anyOf: [<the schema>, {"type": "null"}]`: what its authors meant, in JSON Schema terms;
// - `discriminator` is only a hint for code generators: the `oneOf`/`anyOf` beside it does the
//   validating, so it is dropped; so are `x-*` extensions;
// - draft 2019-09's `$recursiveAnchor` / `$recursiveRef: "#"` (a filter made of filters) become a
//   plain `$ref` to the schema itself, which is what they mean there;
// - descriptions and examples are dropped (documentation only, most of the file's size).
// `format` values (unixtime, float, uri) stay: JSON Schema 2020-12 treats them as annotations.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

const ROOTS = [
  "Response",
  "ResponseStreamEvent",
  "CreateChatCompletionResponse",
  "CreateChatCompletionStreamResponse",
  "CreateChatCompletionRequest",
  "ErrorResponse",
];

const OUT = fileURLToPath(new URL("../test/fixtures/openai-openapi/schemas.json", import.meta.url));
const DROPPED = new Set(["description", "example", "examples", "discriminator", "$recursiveAnchor"]);
const COMPONENT_REF = /^#\/components\/schemas\/(.+)$/;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: Json): value is { [key: string]: Json } {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function refName(ref: string): string {
  const match = COMPONENT_REF.exec(ref);
  if (!match) throw new Error(`unexpected $ref ${ref}`);
  return match[1]!;
}

/** Schema `self` as JSON Schema 2020-12 (see the header), noting every schema it references. */
function convert(value: Json, refs: Set<string>, self: string): Json {
  if (Array.isArray(value)) return value.map((item) => convert(item, refs, self));
  if (!isObject(value)) return value;
  const out: { [key: string]: Json } = {};
  for (const [key, child] of Object.entries(value)) {
    if (DROPPED.has(key) || key.startsWith("x-") || key === "nullable") continue;
    if (key === "$ref" && typeof child === "string") {
      const name = refName(child);
      refs.add(name);
      out[key] = `#/$defs/${name}`;
    } else if (key === "$recursiveRef" && child === "#") {
      out.$ref = `#/$defs/${self}`;
    } else if (key === "properties" && isObject(child)) {
      // Property names are data, not keywords: `description` may well be one of them.
      out[key] = Object.fromEntries(Object.entries(child).map(([name, schema]) => [name, convert(schema, refs, self)]));
    } else {
      out[key] = convert(child, refs, self);
    }
  }
  return value.nullable === true ? { anyOf: [out, { type: "null" }] } : out;
}

function main(): void {
  const [source, commit = "f85dbe223d40e1a31cba812ab2d755c7e98a92a3"] = process.argv.slice(2);
  if (!source) throw new Error("usage: tsx scripts/extract-openapi-schemas.ts <openapi.yaml> [commit]");
  const document = parse(readFileSync(source, "utf8")) as {
    info: { version: string };
    components: { schemas: Record<string, Json> };
  };
  const all = document.components.schemas;
  const defs: Record<string, Json> = {};
  const queue = [...ROOTS];
  while (queue.length) {
    const name = queue.shift()!;
    if (name in defs) continue;
    const schema = all[name];
    if (schema === undefined) throw new Error(`no schema ${name}`);
    const refs = new Set<string>();
    defs[name] = convert(schema, refs, name);
    queue.push(...refs);
  }
  const sorted = Object.fromEntries(Object.entries(defs).sort(([a], [b]) => a.localeCompare(b)));
  const out = {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://bedrock-edge.test/openai-openapi.json",
    $comment: `OpenAI's official OpenAPI document, github.com/openai/openai-openapi at commit ${commit} (openapi.yaml, info.version ${document.info.version}, MIT licence): the schemas ${ROOTS.join(", ")} and all they reference, converted by scripts/extract-openapi-schemas.ts.`,
    $defs: sorted,
  };
  writeFileSync(OUT, `${JSON.stringify(out, null, 1)}\n`);
  console.log(`${Object.keys(sorted).length} schemas -> ${OUT}`);
}

main();
