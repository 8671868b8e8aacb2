import { describe, expect, it } from "vitest";
import { repeatedNames } from "./json-names.ts";

describe("the names a JSON object gives twice", () => {
  it("are found at the top level, each once, whatever their spelling in JSON", () => {
    expect(repeatedNames('{"a": 1, "b": 2}')).toEqual([]);
    expect(repeatedNames('{"a": 1, "b": 2, "a": 3, "a": 4}')).toEqual(["a"]);
    expect(repeatedNames('{"llama": 1, "\\u006clama": 2}')).toEqual(["llama"]);
    expect(repeatedNames(' \n{"a\\"b": 1, "a\\"b": 2, "a\\\\": 3, "a\\\\": 4}')).toEqual(['a"b', "a\\"]);
    expect(repeatedNames('{"": 1, "": 2}')).toEqual([""]);
  });

  it("are not confused by values: nested objects and lists, strings holding quotes, braces or commas", () => {
    const text = JSON.stringify({
      a: { x: 1, inner: { a: "a" }, list: [{ b: 1 }, '"b": 1, {', "}", "\\"] },
      b: '", "a": "',
      c: [",", "{", "[", "]"],
    });
    expect(repeatedNames(text)).toEqual([]);
    expect(repeatedNames(`${text.slice(0, -1)}, "c": 0, "a": 0}`)).toEqual(["c", "a"]);
    // A repeat inside an entry is that entry's business (the library checks its fields).
    expect(repeatedNames('{"a": {"model": 1, "model": 2}}')).toEqual([]);
  });

  it("are none in what is not an object", () => {
    for (const text of ['["a", "a"]', '"a"', "1", "null", '[{"a": 1, "a": 2}]'])
      expect(repeatedNames(text)).toEqual([]);
  });

  it("are found in one pass over a large table of long, escaped names", () => {
    // In the text, each name is 50 escaped backslash-and-quote pairs and a number.
    const escaped = (i: number) => `${String.raw`\\\"`.repeat(50)}${i}`;
    const entries = Array.from({ length: 20_000 }, (_, i) => `"${escaped(i)}": {"v": "${String.raw`\\`.repeat(20)}"}`);
    entries.push(`"${escaped(7)}": 0`);
    const text = `{${entries.join(",")}}`;
    expect(Object.keys(JSON.parse(text))).toHaveLength(20_000);
    expect(repeatedNames(text)).toEqual([`${'\\"'.repeat(50)}7`]);
  });
});
