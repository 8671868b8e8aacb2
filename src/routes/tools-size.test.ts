import { describe, expect, it } from "vitest";
import { errorOf } from "../../test/helpers/errors.ts";
import { emulated, model } from "../../test/helpers/emulated.ts";
import { BedrockEdgeError } from "../errors.ts";
import type { FunctionTool } from "../openai/types.ts";
import { pythonJsonDumps } from "./prompts/python.ts";
import { checkWrittenToolsSize, indentedJsonLength, MAX_WRITTEN_TOOLS_LENGTH } from "./tools-size.ts";

/** Values of every JSON kind, nested, with the characters JSON escapes and some it does not. */
const SHAPES: unknown[] = [
  null,
  true,
  0,
  -12.5,
  1e-7,
  123456789012345680000,
  "",
  'a "quoted" \\ path\n\ttab \u0001 bell é 漢字 😀',
  [],
  {},
  [[[]], [{}], [1, [2, [3, [4]]]]],
  {
    type: "object",
    properties: { a: { type: "array", items: { type: "string", enum: ["x", "y"] } } },
    required: ["a"],
  },
  { deep: JSON.parse(`${"[".repeat(40)}0, 1, "two"${"]".repeat(40)}`) as unknown, 'key "q"\n': { "": [null, false] } },
];

function nestedZeros(depth: number, zeros: number): FunctionTool {
  const nested = JSON.parse(`${"[".repeat(depth)}[${Array(zeros).fill("0").join(",")}]${"]".repeat(depth)}`) as unknown;
  return { type: "function", function: { name: "f", parameters: { type: "object", properties: {}, x: nested } } };
}

describe("indentedJsonLength: a tool's length written by tojson(indent=4), counted without writing it", () => {
  it("is never below what json.dumps(value, indent=4) writes, and close above it", () => {
    for (const value of SHAPES) {
      const written = pythonJsonDumps(value, 4).length;
      const counted = indentedJsonLength(value, 0, Number.POSITIVE_INFINITY);
      expect(counted, JSON.stringify(value)).toBeGreaterThanOrEqual(written);
      // Only escapes and numbers are counted at their widest.
      expect(counted, JSON.stringify(value)).toBeLessThanOrEqual(written + 64);
    }
    // A real schema is counted within a few percent.
    const tool = SHAPES[11];
    const written = pythonJsonDumps(tool, 4).length;
    expect(indentedJsonLength(tool, 0, Number.POSITIVE_INFINITY)).toBe(written);
  });

  it("grows with depth as the writing does: two bytes of body at depth 56 are ~245 characters", () => {
    const tool = nestedZeros(56, 1000);
    const written = pythonJsonDumps(tool, 4).length;
    expect(written).toBeGreaterThan(1000 * 56 * 4);
    expect(indentedJsonLength(tool, 0, Number.POSITIVE_INFINITY)).toBe(written);
  });

  it("stops counting once past its budget", () => {
    const tool = nestedZeros(56, 100_000);
    const counted = indentedJsonLength(tool, 0, 10_000);
    expect(counted).toBeGreaterThan(10_000);
    // Over by a line and a closing bracket a level at most (59 levels here), not by the rest.
    expect(counted).toBeLessThan(10_000 + 59 * (2 * (60 * 4) + 4));
    expect(pythonJsonDumps(tool, 4).length).toBeGreaterThan(20_000_000);
  });
});

describe("checkWrittenToolsSize", () => {
  it("refuses tools that would be written past the bound (a 400 naming tools), and takes ordinary large ones", () => {
    const error = errorOf(() => checkWrittenToolsSize([nestedZeros(56, 190_000)]), BedrockEdgeError);
    expect(error).toMatchObject({ status: 400, param: "tools", code: "tools_too_large" });
    expect(error.message).toContain(`more than ${MAX_WRITTEN_TOOLS_LENGTH} characters`);
    // 300 tools with schemas nested eight levels, 0.75 MB written: taken.
    const tools = Array.from({ length: 300 }, (_, at): FunctionTool => {
      let schema: Record<string, unknown> = { type: "string", description: "a leaf ".repeat(20) };
      for (let level = 0; level < 8; level++) schema = { type: "object", properties: { [`p${level}`]: schema } };
      return { type: "function", function: { name: `tool_${at}`, description: "does a thing", parameters: schema } };
    });
    expect(() => checkWrittenToolsSize(tools)).not.toThrow();
    expect(tools.map((tool) => pythonJsonDumps(tool, 4)).join("").length).toBeGreaterThan(700_000);
    expect(() => checkWrittenToolsSize(undefined)).not.toThrow();
  });

  it("the template routes refuse such tools before rendering or sending anything (inputcost34 #1)", async () => {
    const { emulator, bedrock } = emulated();
    // A 380 KB body that the Llama template would have written as a 46 MB prompt.
    const tools = [nestedZeros(56, 190_000)];
    expect(JSON.stringify(tools).length).toBeLessThan(400_000);
    for (const route of ["llama", "qwen3", "qwen2", "deepseek_r1"] as const) {
      const error = await bedrock.chat.completions
        .create({ model: model(route), messages: [{ role: "user", content: "hi" }], tools })
        .then(
          () => undefined,
          (failure: unknown) => failure,
        );
      expect(error, route).toMatchObject({ status: 400, param: "tools", code: "tools_too_large" });
    }
    expect(emulator.stats.requests).toHaveLength(0);
  });
});
