// The library reference's parameter × route table (docs/LIBRARY-REFERENCE.md) is the matrix in test/helpers/parameter-matrix.ts, rendered,
// and this file runs it: each cell's request goes through the library to the emulator, and what
// became of the parameter is seen there (a 400 naming it, what reached Bedrock, the answer), never
// read from the matrix. Its rows are the properties of OpenAI's CreateChatCompletionRequest, as the
// spec in test/fixtures/openai-openapi/ has them, and the few extensions the library takes.
import { readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";
import { REQUEST_FIELDS } from "../src/openai/schema.ts";
import { schemaProblems } from "./conformance/openapi.ts";
import {
  chat,
  client,
  type Exchange,
  exchange,
  failures,
  HELLO,
  type Observation,
  TARGETS,
  verdictOf,
} from "./helpers/field-exchange.ts";
import { columnOf, type Mark, markOf, PARAMETER_GROUPS, parameterTable } from "./helpers/parameter-matrix.ts";
import { tableCells, tableStart } from "./helpers/markdown-table.ts";

interface SpecSchema {
  $ref?: string;
  allOf?: SpecSchema[];
  properties?: Record<string, unknown>;
}

const SPEC = JSON.parse(readFileSync(new URL("./fixtures/openai-openapi/schemas.json", import.meta.url), "utf8")) as {
  $defs: Record<string, SpecSchema>;
};

/** The properties of a schema of the spec, through its allOf and $refs. */
function specProperties(schema: SpecSchema): string[] {
  const own = Object.keys(schema.properties ?? {});
  const referenced = schema.$ref ? specProperties(SPEC.$defs[schema.$ref.replace("#/$defs/", "")]!) : [];
  return [...own, ...referenced, ...(schema.allOf ?? []).flatMap(specProperties)];
}

const ROWS = PARAMETER_GROUPS.flatMap((group) => group.rows.map((row) => ({ ...row, extension: group.extensions })));

describe("the parameter matrix", () => {
  it("has a row for each parameter of OpenAI's CreateChatCompletionRequest, and the library's extensions", () => {
    // model and messages are every request's: the model the rest goes to, and what it answers.
    const spec = new Set(specProperties(SPEC.$defs.CreateChatCompletionRequest!));
    spec.delete("model");
    spec.delete("messages");
    expect(spec.size).toBeGreaterThan(30);
    const openai = new Set(ROWS.filter((row) => !row.extension).map((row) => row.param));
    expect([...openai].sort()).toEqual([...spec].sort());
    for (const row of ROWS.filter((row) => row.extension)) {
      expect(spec.has(row.param), row.param).toBe(false);
      expect(REQUEST_FIELDS.has(row.param), row.param).toBe(true);
    }
  });

  it("sends values OpenAI's spec takes", () => {
    const problems = ROWS.flatMap((row) =>
      (["openai", "openai_completion"] as const).flatMap((column) =>
        [row.value, ...(row.noop === undefined ? [] : [row.noop])].flatMap((value) =>
          schemaProblems("CreateChatCompletionRequest", {
            model: "m",
            messages: HELLO,
            ...row.beside?.(column),
            [row.param]: value,
          }).map((problem) => `${row.param}: ${problem}`),
        ),
      ),
    );
    expect(problems).toEqual([]);
  });

  it("is the library reference's table, with its notes", () => {
    const [table, notes] = parameterTable().split("\n\n") as [string, string];
    const expected = tableCells(table);
    const readme = readFileSync(new URL("../docs/LIBRARY-REFERENCE.md", import.meta.url), "utf8").split("\n");
    const start = tableStart(readme, expected);
    expect(start, "the table's header row in docs/LIBRARY-REFERENCE.md").toBeGreaterThanOrEqual(0);
    const end = start + expected.length;
    expect(tableCells(readme.slice(start, end).join("\n"))).toEqual(expected);
    // The notes, as the paragraph after the table, wrapped as the docs' prose is.
    expect(readme[end]).toBe("");
    const after = readme.slice(end + 1);
    const paragraph = after.slice(0, after.indexOf("")).join("\n");
    expect(paragraph.replace(/\s+/g, " ")).toBe(notes.replace(/\s+/g, " "));
  });
});

/** What reached Bedrock: the calls (streamed or not) and the last body. */
const upstream = ({ streamed, body }: Observation) => ({ streamed, body });

describe("each cell of the parameter matrix, observed on its route", () => {
  it.each(TARGETS.map((target) => [target.name, target] as const))("%s", async (_name, target) => {
    const c = client(target);
    const column = columnOf(target.route, target.wire);
    const seen: string[] = [];
    const problems: string[] = [];
    for (const row of ROWS) {
      const name = row.label ?? row.param;
      const beside = row.beside?.(column) ?? {};
      const request = (fields: Record<string, unknown>) => chat(c)({ ...beside, ...fields });
      const asked = await exchange(c, request({ [row.param]: row.value }));
      const without = await exchange(c, request({}));
      const verdict = verdictOf(row.param, asked, without, problems);
      if (!verdict) continue;
      let mark: Mark = "✓";
      if (verdict.kind === "refused") {
        mark = "400";
        // Refused unless drop_params: under it, the request is the one without the parameter.
        const dropped = await exchange(c, request({ [row.param]: row.value, drop_params: true }));
        const plain = await exchange(c, request({ drop_params: true }));
        if (!dropped.ok || !plain.ok) problems.push(`${name}: under drop_params, ${failures(dropped, plain)}`);
        else if (!isDeepStrictEqual(dropped.observation, plain.observation))
          problems.push(`${name}: under drop_params, not the request without it`);
        if (row.noop !== undefined)
          problems.push(...noopProblems(name, await exchange(c, request({ [row.param]: row.noop })), without));
      } else if (verdict.kind === "unchanged") {
        mark = "ignored";
      } else if (
        asked.ok &&
        without.ok &&
        isDeepStrictEqual(upstream(asked.observation), upstream(without.observation))
      ) {
        // Honoured means sent to Bedrock, but for what only the answer can show.
        if (row.showsIn !== "answer") problems.push(`${name}: changed the answer, and nothing that reached Bedrock`);
      }
      seen.push(`${name}: ${mark}`);
    }
    expect(problems).toEqual([]);
    expect(seen).toEqual(ROWS.map((row) => `${row.label ?? row.param}: ${markOf(row, target.route, target.wire)}`));
  });
});

/** The problems of a no-op value: refused, or sending anything the request without it does not. */
function noopProblems(name: string, noop: Exchange, without: Exchange): string[] {
  if (!noop.ok) return [`${name}: its no-op value refused: ${String(noop.error)}`];
  if (!without.ok) return [];
  return isDeepStrictEqual(noop.observation, without.observation)
    ? []
    : [`${name}: its no-op value changed the request`];
}
