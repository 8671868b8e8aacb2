import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH } from "../openai/depth.ts";
import { containerEnd, elementTexts, memberText } from "./json-text.ts";

describe("memberText: a member's value as written", () => {
  it("keeps numbers, spacing and escapes that parsing and writing again would change", () => {
    const value = '{\n  "id": 1234567890123456789,\n  "x": [1.0, 1e400, -0.0, "\\u00e9\\/"]\n}';
    expect(memberText(`{"name": "f", "arguments": ${value}}`, "arguments")).toBe(value);
  });

  it("finds the member after values of every kind, and reads keys as JSON.parse does", () => {
    const text =
      ' \n{ "s" : "a}\\"," , "n":-1.5E+3,"t":true,"z":null,"o":{"arguments":{"no":1}},"l":[{"]":"["}] , "argu\\u006dents" :{"yes":2} }';
    expect(JSON.parse(text).arguments).toEqual({ yes: 2 });
    expect(memberText(text, "arguments")).toBe('{"yes":2}');
    expect(memberText(text, "n")).toBe("-1.5E+3");
    expect(memberText(text, "s")).toBe('"a}\\","');
    expect(memberText(text, "l")).toBe('[{"]":"["}]');
  });

  it("gives a repeated key's last value, the one JSON.parse keeps", () => {
    const text = '{"arguments": {"a": 1}, "name": "f", "arguments": {"b": 2}}';
    expect(memberText(text, "arguments")).toBe('{"b": 2}');
  });

  it("is undefined for a missing key or text that is not an object", () => {
    expect(memberText('{"name": "f"}', "arguments")).toBeUndefined();
    expect(memberText("{}", "arguments")).toBeUndefined();
    expect(memberText('[{"arguments": {}}]', "arguments")).toBeUndefined();
  });

  it("is undefined, never a loop, for a value nested past the depth limit", () => {
    const deep = `${"[".repeat(MAX_JSON_DEPTH + 1)}${"]".repeat(MAX_JSON_DEPTH + 1)}`;
    expect(memberText(`{"a": ${deep}, "arguments": {}}`, "arguments")).toBeUndefined();
  });
});

describe("elementTexts: an array's elements as written", () => {
  it("gives each element's text, values of every kind, in order", () => {
    const text = ' [ {"input": {"id": 1234567890123456789}} , "a]\\",", 1e400,[1.10, {"]": "["}],true ,null,-0.0 ] ';
    expect(elementTexts(text)).toEqual([
      '{"input": {"id": 1234567890123456789}}',
      '"a]\\","',
      "1e400",
      '[1.10, {"]": "["}]',
      "true",
      "null",
      "-0.0",
    ]);
    expect(elementTexts("[]")).toEqual([]);
    expect(elementTexts(" [ ] ")).toEqual([]);
  });

  it("is undefined for text that is not an array, or an element nested past the depth limit", () => {
    expect(elementTexts('{"a": [1]}')).toBeUndefined();
    expect(elementTexts('"[1]"')).toBeUndefined();
    const deep = `${"[".repeat(MAX_JSON_DEPTH + 1)}${"]".repeat(MAX_JSON_DEPTH + 1)}`;
    expect(elementTexts(`[1, ${deep}, 2]`)).toBeUndefined();
  });
});

describe("containerEnd", () => {
  it("ends an object or an array past brackets inside strings", () => {
    const text = 'x{"a": "}]\\"}"}; rest';
    expect(containerEnd(text, 1)).toBe(text.indexOf(";"));
    expect(containerEnd('[1, "]"] tail', 0)).toBe(8);
  });

  it("is -1 where no container starts, when it never closes, or past the depth limit", () => {
    expect(containerEnd('"a"', 0)).toBe(-1);
    expect(containerEnd('{"a": [1}', 0)).toBe(-1);
    expect(containerEnd('{"a": "}', 0)).toBe(-1);
    expect(containerEnd("[".repeat(MAX_JSON_DEPTH) + "]".repeat(MAX_JSON_DEPTH), 0)).toBe(2 * MAX_JSON_DEPTH);
    expect(containerEnd("[".repeat(MAX_JSON_DEPTH + 1) + "]".repeat(MAX_JSON_DEPTH + 1), 0)).toBe(-1);
  });
});
