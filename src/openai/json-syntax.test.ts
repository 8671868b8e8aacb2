// Where JSON text breaks, held to JSON.parse itself: the same verdict on any text, and the same
// place wherever V8's message names one (these tests run in Node; the code never reads a message).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findJsonSyntaxError } from "./json-syntax.ts";

/** JSON.parse's verdict: undefined when it parses, else the position V8 names (null when it names none). */
function v8Verdict(text: string): number | null | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    const position = /at position (\d+)/.exec((error as Error).message);
    return position ? Number(position[1]) : null;
  }
}

/** Valid JSON text, compact or indented, then damaged once (or not) the ways a body gets broken. */
const jsonText = fc
  .tuple(fc.jsonValue(), fc.constantFrom(undefined, 2, "\t"))
  .map(([value, space]) => JSON.stringify(value, null, space));
const damaged = fc
  .tuple(jsonText, fc.nat(), fc.constantFrom(..."{}[]:,\"\\ \n-+.eE0123456789tfnulx\u0001'T"))
  .chain(([text, at, char]) => {
    const i = text.length ? at % (text.length + 1) : 0;
    return fc.constantFrom(
      text,
      text.slice(0, i),
      text.slice(0, i) + char + text.slice(i),
      text.slice(0, i) + text.slice(i + 1),
      text.slice(0, i) + char + text.slice(i + 1),
    );
  });

describe("findJsonSyntaxError", () => {
  it("finds nothing in JSON text", () => {
    fc.assert(
      fc.property(jsonText, (text) => {
        expect(findJsonSyntaxError(text)).toBeUndefined();
      }),
    );
    for (const text of ['"\\ud800"', " 1e-7 ", "-0.5E+2", '{"a":[]}\r\n', '"\u2028"', "[[],{}]"]) {
      expect(findJsonSyntaxError(text), text).toBeUndefined();
    }
  });

  it("finds a place in any text JSON.parse refuses, and V8's place when it names one", () => {
    fc.assert(
      fc.property(damaged, (text) => {
        const verdict = v8Verdict(text);
        const found = findJsonSyntaxError(text);
        if (verdict === undefined) expect(found).toBeUndefined();
        else if (verdict === null) expect(found).toBeDefined();
        else expect(found?.offset).toBe(verdict);
      }),
      { numRuns: 3000 },
    );
  });

  it("says where, by line and column, and whether the text ended first", () => {
    expect(findJsonSyntaxError('{"model": "llama",\n  "messages": [1 2]}')).toEqual({
      offset: 36,
      line: 2,
      column: 18,
      ended: false,
    });
    expect(findJsonSyntaxError('{"x": True}')).toMatchObject({ offset: 6, line: 1, column: 7, ended: false });
    expect(findJsonSyntaxError('{"x": tru}')).toMatchObject({ offset: 9, ended: false });
    expect(findJsonSyntaxError("model=llama")).toMatchObject({ offset: 0, ended: false });
    expect(findJsonSyntaxError('{"model":')).toMatchObject({ offset: 9, ended: true });
    expect(findJsonSyntaxError('{"a": "unterminated')).toMatchObject({ offset: 19, ended: true });
    expect(findJsonSyntaxError("")).toEqual({ offset: 0, line: 1, column: 1, ended: true });
    // A control character in a string, a bad escape, a number JSON does not write.
    expect(findJsonSyntaxError('["a\tb"]')?.offset).toBe(3);
    expect(findJsonSyntaxError('["\\x"]')?.offset).toBe(3);
    expect(findJsonSyntaxError('["\\u12G4"]')?.offset).toBe(6);
    expect(findJsonSyntaxError("[01]")?.offset).toBe(2);
    expect(findJsonSyntaxError("[1.]")?.offset).toBe(3);
    expect(findJsonSyntaxError("[+1]")?.offset).toBe(1);
    expect(findJsonSyntaxError("\ufeff{}")?.offset).toBe(0);
  });

  it("places the edges: the last control character, a \\u escape's fourth digit, a trailing comma, a newline", () => {
    // U+001F is the last character a string may not hold raw; U+0020 is text.
    expect(findJsonSyntaxError('["a\u001fb"]')?.offset).toBe(3);
    expect(findJsonSyntaxError('["a\u0020b"]')).toBeUndefined();
    expect(findJsonSyntaxError('["\\u123G"]')?.offset).toBe(7);
    expect(findJsonSyntaxError("[1,]")?.offset).toBe(3);
    expect(findJsonSyntaxError('{"a": 1,}')?.offset).toBe(8);
    // A raw newline in a string breaks it on the line the string began: the newline is not counted yet.
    expect(findJsonSyntaxError('["a\nb"]')).toEqual({ offset: 3, line: 1, column: 4, ended: false });
  });

  it("reads a million open brackets without recursing", () => {
    expect(findJsonSyntaxError("[".repeat(1_000_000))).toMatchObject({ offset: 1_000_000, ended: true });
  });
});
