import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createStopCutter } from "./stop-cutter.ts";

/** The answer a model server gives: the text up to where a stop first completes (the longest, if several do). */
function byDefinition(text: string, stops: readonly string[]): { text: string; stopped: boolean } {
  for (let end = 1; end <= text.length; end++) {
    const done = stops.filter((stop) => text.slice(0, end).endsWith(stop));
    if (done.length) return { text: text.slice(0, end - Math.max(...done.map((stop) => stop.length))), stopped: true };
  }
  return { text, stopped: false };
}

/** The pieces through one cutter: what it gives out, flushed at the end unless a stop ended it. */
function cut(pieces: readonly string[], stops: readonly string[]): { text: string; stopped: boolean } {
  const cutter = createStopCutter(stops);
  let text = "";
  for (const piece of pieces) {
    const out = cutter.push(piece);
    text += out.text;
    if (out.stopped) return { text, stopped: true };
  }
  return { text: text + cutter.flush(), stopped: false };
}

describe("stop sequences applied to text", () => {
  it.each([
    ["ends before the stop", "Hello\nworld", ["\n"], { text: "Hello", stopped: true }],
    ["ends before the first of several", "a b\n\nc", ["\n\n", " "], { text: "a", stopped: true }],
    ["leaves text without a stop whole", "a\n \nb", ["\n\n"], { text: "a\n \nb", stopped: false }],
    ["ends at the start of the text", "\n\nx", ["\n"], { text: "", stopped: true }],
    // A model server stops where a stop first completes: "\n" completes before the longer stop does.
    ["at the stop that completes first", "ab  \n  c", ["  \n  ", "\n"], { text: "ab  ", stopped: true }],
    ["at the longer of two that complete together", "ab \n", ["\n", " \n"], { text: "ab", stopped: true }],
    ["after a false start", "a\n\t\n\n", ["\n\n"], { text: "a\n\t", stopped: true }],
    ["within a repeating stop", "x \t \t \ty", [" \t \ty"], { text: "x \t", stopped: true }],
  ])("%s", (_, text, stops, expected) => {
    expect(byDefinition(text, stops)).toEqual(expected);
    expect(cut([text], stops)).toEqual(expected);
  });

  it("every split point of a streamed answer gives the plain answer", () => {
    const texts = [
      "Hello\nworld",
      "one\r\ntwo\n\nthree",
      "a \n \n\n b",
      "  \n  \n  \t\n",
      "no stop here",
      "emoji 👋\n\n",
    ];
    const stopLists = [["\n"], ["\n\n"], [" \n", "\n\n"], ["\r\n"], ["  \t"], ["\n \n\n"]];
    for (const text of texts) {
      for (const stops of stopLists) {
        const plain = byDefinition(text, stops);
        for (let at = 0; at <= text.length; at++) {
          expect(cut([text.slice(0, at), text.slice(at)], stops)).toEqual(plain);
          for (let second = at; second <= text.length; second++) {
            expect(cut([text.slice(0, at), text.slice(at, second), text.slice(second)], stops)).toEqual(plain);
          }
        }
        expect(cut(Array.from(text), stops)).toEqual(plain);
      }
    }
  });

  it("any text in any pieces, against any stops", () => {
    const unit = fc.constantFrom(" ", "\n", "\t", "a", "b");
    const text = fc.string({ unit, maxLength: 30 });
    const stop = fc.string({ unit, minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(
        text,
        fc.array(stop, { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(30), { maxLength: 6 }),
        (answer, stops, cuts) => {
          const points = [...new Set(cuts.map((point) => Math.min(point, answer.length)))].sort((a, b) => a - b);
          const pieces = [0, ...points].map((from, index) => answer.slice(from, [...points, answer.length][index]));
          expect(cut(pieces, stops)).toEqual(byDefinition(answer, stops));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("holds back only a tail that could still become a stop, and releases it when it cannot", () => {
    const cutter = createStopCutter(["\n\n", " \t"]);
    expect(cutter.push("Hello\n")).toEqual({ text: "Hello", stopped: false });
    expect(cutter.push(" ")).toEqual({ text: "\n", stopped: false });
    expect(cutter.push("x")).toEqual({ text: " x", stopped: false });
    expect(cutter.push("y\n")).toEqual({ text: "y", stopped: false });
    expect(cutter.flush()).toBe("\n");
  });

  it("text pushed after a flush is matched afresh: no stop spans the flush", () => {
    const cutter = createStopCutter(["\n\n"]);
    expect(cutter.push("One\n")).toEqual({ text: "One", stopped: false });
    expect(cutter.flush()).toBe("\n");
    expect(cutter.push("\nTwo\n")).toEqual({ text: "\nTwo", stopped: false });
    expect(cutter.push("\nThree")).toEqual({ text: "", stopped: true });
  });

  it("a stop applied upstream ends the text: one of these completing inside it ends it first", () => {
    const close = (pieces: string[], stops: string[], upstream: string) => {
      const cutter = createStopCutter(stops);
      let text = "";
      for (const piece of pieces) text += cutter.push(piece).text;
      return text + cutter.close(upstream);
    };
    // "foo\n\nHuman:": "\n\n" completes before "\nHuman:" does.
    expect(close(["foo\n"], ["\n\n"], "\nHuman:")).toBe("foo");
    // None completes: the held tail is the answer's, and none of the upstream stop.
    expect(close(["foo\n"], ["\n\n"], "Human:")).toBe("foo\n");
    expect(close(["foo"], ["\n\n"], "x\n")).toBe("foo");
    // Wholly inside it, past its first character: what came before it in the stop is the answer's.
    expect(close(["foo"], ["\n\n"], "Q\n\nR")).toBe("fooQ");
    // Both end at its last character: the longer stop wins.
    expect(close(["foo"], ["\n\n"], "x\n\n")).toBe("foo");
    expect(close(["foo\n"], ["\n\n\n"], "\n\n")).toBe("foo");
    const ended = createStopCutter(["\n"]);
    expect(ended.push("a\nb")).toEqual({ text: "a", stopped: true });
    expect(ended.close("b")).toBe("");
  });

  it("reads nothing after a stop", () => {
    const cutter = createStopCutter(["\n"]);
    expect(cutter.push("a\nb")).toEqual({ text: "a", stopped: true });
    expect(cutter.push("more")).toEqual({ text: "", stopped: true });
    expect(cutter.flush()).toBe("");
    // Nor gives out the stop's start it held back before the stop completed.
    const held = createStopCutter(["ab"]);
    expect(held.push("xa")).toEqual({ text: "x", stopped: false });
    expect(held.push("b tail")).toEqual({ text: "", stopped: true });
    expect(held.flush()).toBe("");
  });

  it("reads nothing after a stop applied upstream ends the text", () => {
    const cutter = createStopCutter(["\n\n"]);
    expect(cutter.push("Hello")).toEqual({ text: "Hello", stopped: false });
    expect(cutter.close("END")).toBe("");
    expect(cutter.push(" more")).toEqual({ text: "", stopped: true });
    expect(cutter.flush()).toBe("");
  });
});

describe("hostile text and stops stay linear", () => {
  // Sizes where copying the held tail per piece, or matching each stop afresh at each position,
  // would take minutes: a mebibyte in 16-character pieces.
  const pieces = (text: string) => text.match(/[\s\S]{1,16}/g) ?? [];

  it("a long run of a stop's prefix that never completes it", () => {
    const lines = "\n".repeat(2 ** 20);
    expect(cut(pieces(`a${lines}b`), [`${"\n".repeat(1000)} `])).toEqual({ text: `a${lines}b`, stopped: false });
  });

  it("a stop of 256 KiB held back whole, then completed", () => {
    const stop = `${" ".repeat(2 ** 18)}\n`;
    const spaces = " ".repeat(2 ** 20);
    expect(cut(pieces(`a${spaces}\nb`), [stop])).toEqual({ text: `a${" ".repeat(3 * 2 ** 18)}`, stopped: true });
    expect(cut(pieces(`a${spaces}b`), [stop, "\t"])).toEqual({ text: `a${spaces}b`, stopped: false });
  });
});
