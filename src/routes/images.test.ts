import { describe, expect, it } from "vitest";
import { seeded } from "../../test/helpers/bytes.ts";
import { imageOf, percentDecoded } from "./images.ts";

/** The decoding as it was written before (a replace callback per escape): the reference. */
function referenceDecoded(body: string): string {
  return body.includes("%")
    ? body.replace(/%([0-9A-Fa-f]{2})/g, (_escape, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
    : body;
}

// What a percent-decoder can trip on: escapes of either case, bytes past 0x7F, `%` cut short or
// followed by no hex, an escape of `%` itself, text beyond Latin-1 and lone surrogates.
const PIECES = [
  "%",
  "%4",
  "%41",
  "%3d",
  "%3D",
  "%FF",
  "%ff",
  "%80",
  "%00",
  "%25",
  "%G1",
  "%1G",
  "A",
  "z",
  "9",
  "+",
  "/",
  "=",
  " ",
  "\n",
  "é",
  "€",
  "\uD83D",
  "😀",
];

describe("percentDecoded: the same text as the replace it replaced, in one pass (cpucost8 #3)", () => {
  it.each([
    ["", ""],
    ["AAAA", "AAAA"],
    ["%41%42%43", "ABC"],
    ["%3d%3D", "=="],
    ["%%41", "%A"],
    ["%4%41", "%4A"],
    ["%2541", "%41"],
    ["%", "%"],
    ["A%", "A%"],
    ["A%4", "A%4"],
    ["%ZZ%41", "%ZZA"],
    ["%e9%FF%00", "\u00e9\u00ff\u0000"],
    ["€%41😀", "€A😀"],
  ])("%j -> %j", (body, decoded) => {
    expect(percentDecoded(body)).toBe(decoded);
    expect(referenceDecoded(body)).toBe(decoded);
  });

  it("mixed inputs, long and short: equal to the reference, character for character", () => {
    const next = seeded(8);
    for (let round = 0; round < 500; round++) {
      const count = round < 450 ? Math.floor(next() * 40) : 5_000 + Math.floor(next() * 20_000);
      let body = "";
      for (let i = 0; i < count; i++) body += PIECES[Math.floor(next() * PIECES.length)];
      expect(percentDecoded(body)).toBe(referenceDecoded(body));
    }
  });

  it("past one call's worth of character codes, and every byte escaped", () => {
    const escaped = "%41".repeat(99_998) + "%3D".repeat(2);
    expect(percentDecoded(escaped)).toBe(`${"A".repeat(99_998)}==`);
    expect(imageOf(`data:image/png;base64,${escaped}`, "messages[0].content[0]")).toEqual({
      mediaType: "image/png",
      base64: `${"A".repeat(99_998)}==`,
    });
  });
});
