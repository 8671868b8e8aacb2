// What Hugging Face's Python rendering does to JSON and whitespace. Expected values are Python's
// own output (json.dumps(..., ensure_ascii=False), str.strip()).
import { describe, expect, it } from "vitest";
import {
  lstripNewlines,
  pythonJsonDumps,
  parsePythonJsonShape,
  pythonJsonFromText,
  pythonStrip,
  pythonStripChars,
  pythonTruthy,
  rstripNewlines,
  stripNewlines,
} from "./python.ts";

describe("pythonJsonDumps: json.dumps(value, ensure_ascii=False)", () => {
  it("uses Python's separators and keeps key order", () => {
    expect(pythonJsonDumps({ b: [1, 2.5, null, true], a: {}, c: [] })).toBe(
      '{"b": [1, 2.5, null, true], "a": {}, "c": []}',
    );
  });

  it("escapes only quotes, backslashes and control characters", () => {
    expect(pythonJsonDumps('é"\\\n\t\u0001\u007f\u2028😀')).toBe('"é\\"\\\\\\n\\t\\u0001\u007f\u2028😀"');
  });

  it("writes the control characters JSON names by their short escapes, the rest as \\u00XX", () => {
    expect(pythonJsonDumps("\b\f\n\r\t\u0000\u001f")).toBe('"\\b\\f\\n\\r\\t\\u0000\\u001f"');
  });

  it("writes floats as Python's repr does", () => {
    const written = [0.1, 1e-7, 0.00001, 0.0001, 1.5e300, 123456789012345.6, -2.5e-5].map(pythonJsonDumps);
    expect(written).toEqual(["0.1", "1e-07", "1e-05", "0.0001", "1.5e+300", "123456789012345.6", "-2.5e-05"]);
  });

  it("writes safe integers as integers, and from 1e21 up the floats they were parsed from", () => {
    expect([2, -0, 9007199254740991, 1e22].map(pythonJsonDumps)).toEqual(["2", "0", "9007199254740991", "1e+22"]);
  });

  it("writes integers beyond 2^53 as integers, never in a float's exponent form, with the digits JSON.parse kept", () => {
    // int64's and uint64's bounds, as a JSON Schema gives them: JSON.parse rounds them to the
    // nearest double, whose exact value is written (Python, which keeps the literal, would write
    // 9223372036854775807 and 18446744073709551615; -2^63 is exact).
    const bounds = JSON.parse("[9223372036854775807, -9223372036854775808, 18446744073709551615, 9007199254740993]");
    expect((bounds as number[]).map((value) => pythonJsonDumps(value))).toEqual([
      "9223372036854775808",
      "-9223372036854775808",
      "18446744073709551616",
      "9007199254740992",
    ]);
    expect([999999999999999900000, 1e21, -1e21].map((value) => pythonJsonDumps(value))).toEqual([
      "999999999999999868928",
      "1e+21",
      "-1e+21",
    ]);
  });

  it("skips undefined members", () => {
    expect(pythonJsonDumps({ a: 1, b: undefined })).toBe('{"a": 1}');
  });

  it("indents as json.dumps(value, ensure_ascii=False, indent=4) does, empty containers inline", () => {
    expect(pythonJsonDumps({ a: {}, b: [], c: [1, { d: null }], e: "é" }, 4)).toBe(
      '{\n    "a": {},\n    "b": [],\n    "c": [\n        1,\n        {\n            "d": null\n        }\n    ],\n    "e": "é"\n}',
    );
    expect([pythonJsonDumps([], 4), pythonJsonDumps({}, 4), pythonJsonDumps("x", 4)]).toEqual(["[]", "{}", '"x"']);
  });
});

describe("pythonJsonFromText: json.dumps(json.loads(text), ensure_ascii=False)", () => {
  it("keeps floats floats and big integers whole, and a repeated key its first place", () => {
    const text =
      ' {"f": 2.0, "big": 12345678901234567890123, "e": 1E+2, "z": -0, "nz": -0.0, "dup": 1, "x": [ ], "dup": {"k": 1.5e300}} ';
    expect(pythonJsonFromText(text)).toBe(
      '{"f": 2.0, "big": 12345678901234567890123, "e": 100.0, "z": 0, "nz": -0.0, "dup": {"k": 1.5e+300}, "x": []}',
    );
  });

  it("re-encodes strings: escapes decoded, non-ASCII written as is", () => {
    expect(pythonJsonFromText('{"s":"\\u00e9\\ud83d\\ude00\\/\\u0001"}')).toBe('{"s": "é😀/\\u0001"}');
  });

  it("refuses text that is not JSON", () => {
    expect(() => pythonJsonFromText("{nope")).toThrow(SyntaxError);
  });

  it("reads NaN, Infinity and -Infinity as json.loads does and writes them as json.dumps does, names in strings kept (templates49 #1)", () => {
    expect(pythonJsonFromText('{"s": "NaN -Infinity", "x": [NaN,Infinity , -Infinity], "k\\"NaN": 1}')).toBe(
      '{"s": "NaN -Infinity", "x": [NaN, Infinity, -Infinity], "k\\"NaN": 1}',
    );
  });

  it("refuses what json.loads refuses around those names", () => {
    for (const text of ["-NaN", "NaNx", "{NaN: 1}", "+Infinity", "nan", "infinity", "[1-Infinity]", "[--Infinity]"]) {
      expect(() => pythonJsonFromText(text), text).toThrow(SyntaxError);
    }
    for (const text of ['"\\uNaN0"', '"\\-Infinity"'])
      expect(() => pythonJsonFromText(text), text).toThrow(SyntaxError);
    // An invalid escape before a name stays one: json.loads raises "Invalid \escape" (codereview49c #1).
    for (const text of ['{"a":"\\NaN"}', '{"a":"\\Infinity"}', '{"a":"\\-Infinity"}'])
      expect(() => parsePythonJsonShape(text), text).toThrow(SyntaxError);
  });
});

describe("pythonStrip: str.strip()", () => {
  it("strips Python's whitespace, which is not JavaScript's", () => {
    expect(pythonStrip("\u001c\u0085 a \ufeff\u3000")).toBe("a \ufeff");
  });
});

describe("pythonStripChars: str.strip(chars), lstrip(chars), rstrip(chars)", () => {
  it("strips by a long set as by a short one, each call by its own chars", () => {
    const letters = "abcdefghijklmnopqrstuvwxyz";
    // Past 16 characters the set is kept from call to call: a different one must replace it.
    expect(pythonStripChars("xyz-hello-zyx", `${letters}-`, "strip")).toBe("");
    expect(pythonStripChars("hello", "0123456789012345678", "strip")).toBe("hello");
    expect(pythonStripChars("\u{1f600}ab\u{1f600}c", "\u{1f600}abdefghijklmnopqrstuvwxy", "lstrip")).toBe("c");
    expect(pythonStripChars("12ab21", "0123456789012345678", "rstrip")).toBe("12ab");
    expect(pythonStripChars("--a--", "-", "strip")).toBe("a");
  });
});

describe("str.strip('\\n') and its left and right halves", () => {
  it("remove newlines only, all of them, down to an empty string", () => {
    expect([rstripNewlines("\n"), lstripNewlines("\n"), stripNewlines("\n\n")]).toEqual(["", "", ""]);
    expect([rstripNewlines("\n a\n\n"), lstripNewlines("\n\na \n"), stripNewlines("\n\r\n")]).toEqual([
      "\n a",
      "a \n",
      "\r",
    ]);
  });
});

describe("pythonTruthy: bool(value), what Jinja's `if` makes of a variable", () => {
  it("is false for None, False, zero and empty containers, true for the rest", () => {
    expect([null, undefined, false, 0, "", [], {}].map(pythonTruthy)).toEqual(Array(7).fill(false));
    expect([true, 1, -0.5, "no", [0], { a: null }].map(pythonTruthy)).toEqual(Array(6).fill(true));
  });
});
