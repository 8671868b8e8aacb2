import { describe, expect, it } from "vitest";
import { TOOL_CALL_BEGIN, TOOL_CALL_END, TOOL_SEP } from "./prompts/special-tokens.ts";
import { deepseekToolSyntax, llamaJsonToolSyntax, qwenToolSyntax } from "./tool-syntax.ts";

// Numbers a double cannot hold, and forms JSON.stringify would rewrite (1.0, -0.0, 1E2, \u escapes),
// over several lines as a model may write them.
const ARGS = '{\n  "id": 1234567890123456789,\n  "ratio": 1.0, "big": 1e400, "neg0": -0.0, "e": 1E2, "s": "\\u00e9"\n}';

describe("a call's arguments are the model's own text", () => {
  it("Qwen: under arguments or parameters", () => {
    expect(qwenToolSyntax.parse(`\n{"name": "f", "arguments": ${ARGS}}\n`)).toEqual([{ name: "f", arguments: ARGS }]);
    expect(qwenToolSyntax.parse(`{"parameters": ${ARGS}, "name": "f"}`)).toEqual([{ name: "f", arguments: ARGS }]);
    // null arguments fall back to parameters, then to none: as before.
    expect(qwenToolSyntax.parse(`{"name": "f", "arguments": null, "parameters": ${ARGS}}`)).toEqual([
      { name: "f", arguments: ARGS },
    ]);
    expect(qwenToolSyntax.parse('{"name": "f"}')).toEqual([{ name: "f", arguments: "{}" }]);
  });

  it("Llama JSON: each of several calls", () => {
    expect(
      llamaJsonToolSyntax.parse(`<|python_tag|>{"name": "f", "parameters": ${ARGS}}; {"name": "g", "arguments": {}}`),
    ).toEqual([
      { name: "f", arguments: ARGS },
      { name: "g", arguments: "{}" },
    ]);
  });

  it("DeepSeek, as it already was", () => {
    const block = `<｜tool▁call▁begin｜>function<｜tool▁sep｜>f\n\`\`\`json\n${ARGS}\n\`\`\`<｜tool▁call▁end｜>`;
    expect(deepseekToolSyntax.parse(block)).toEqual([{ name: "f", arguments: ARGS }]);
  });

  it("the key JSON.parse reads: an escaped name, the last of a repeated key", () => {
    expect(qwenToolSyntax.parse('{"name": "f", "argu\\u006dents": {"a": 1}}')).toEqual([
      { name: "f", arguments: '{"a": 1}' },
    ]);
    expect(llamaJsonToolSyntax.parse('{"name": "f", "parameters": {"a": 1}, "parameters": {"b": 2}}')).toEqual([
      { name: "f", arguments: '{"b": 2}' },
    ]);
  });

  it("arguments written as a JSON string: the text the string holds, digits kept", () => {
    const inString = JSON.stringify('{"id": 1234567890123456789}');
    expect(qwenToolSyntax.parse(`{"name": "f", "arguments": ${inString}}`)).toEqual([
      { name: "f", arguments: '{"id": 1234567890123456789}' },
    ]);
    expect(llamaJsonToolSyntax.parse(`{"name": "f", "parameters": ${inString}}`)).toEqual([
      { name: "f", arguments: '{"id": 1234567890123456789}' },
    ]);
    expect(qwenToolSyntax.parse('{"name": "f", "arguments": "{not json"}')).toBeUndefined();
  });

  it("arguments that are no object are no call", () => {
    for (const args of ["[1]", "5", "true"]) {
      expect(qwenToolSyntax.parse(`{"name": "f", "arguments": ${args}}`), args).toBeUndefined();
      expect(llamaJsonToolSyntax.parse(`{"name": "f", "parameters": ${args}}`), args).toBeUndefined();
    }
    expect(llamaJsonToolSyntax.parse('{"name": "f"}')).toBeUndefined();
    expect(llamaJsonToolSyntax.parse('[{"name": "f", "parameters": {}}]')).toBeUndefined();
  });
});

// mutation51: these readings were left unpinned; each would let text the model wrote become a call.
describe("what is not a call, or not twice", () => {
  const r1Call = (kind: string, name: string, closed = true) =>
    `${TOOL_CALL_BEGIN}${kind}${TOOL_SEP}${name}\n\`\`\`json\n{}\n\`\`\`${closed ? TOOL_CALL_END : ""}`;

  it("DeepSeek: a call of a kind other than function", () => {
    expect(deepseekToolSyntax.parse(r1Call("retrieval", "f"))).toBeUndefined();
    expect(deepseekToolSyntax.parse(r1Call("function", "f"))).toEqual([{ name: "f", arguments: "{}" }]);
  });

  it("DeepSeek: a last call left unclosed after text between the calls is read once", () => {
    const block = `${r1Call("function", "f")}\nand now the second one:\n${r1Call("function", "g", false)}`;
    expect(deepseekToolSyntax.parse(block)).toEqual([
      { name: "f", arguments: "{}" },
      { name: "g", arguments: "{}" },
    ]);
  });

  it("Llama JSON: calls separated by ',' rather than ';'", () => {
    expect(
      llamaJsonToolSyntax.parse('{"name": "f", "parameters": {}}, {"name": "g", "parameters": {}}'),
    ).toBeUndefined();
    expect(llamaJsonToolSyntax.parse('{"name": "f", "parameters": {}}; {"name": "g", "parameters": {}}')).toHaveLength(
      2,
    );
  });

  it("a call whose name is empty", () => {
    expect(qwenToolSyntax.parse('{"name": "", "arguments": {}}')).toBeUndefined();
    expect(llamaJsonToolSyntax.parse('{"name": "", "parameters": {}}')).toBeUndefined();
  });
});
