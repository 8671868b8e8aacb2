import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { plainChunkText } from "./chunk-payload.ts";

const encoder = new TextEncoder();
const bytesOf = (text: string) => encoder.encode(text);

/** The general reading, written out here as the oracle: JSON.parse, atob, a UTF-8 decode. */
function reference(body: string): string | undefined {
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    return undefined;
  }
  const bytes = (payload as { bytes?: unknown } | null)?.bytes;
  if (typeof bytes !== "string") return undefined;
  let binary: string;
  try {
    binary = atob(bytes);
  } catch {
    return undefined;
  }
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

const base64Of = (data: Uint8Array) => btoa(String.fromCharCode(...data));

describe("plainChunkText reads Bedrock's chunk payload from its bytes", () => {
  it("gives the reference's text for every payload in the plain shape (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.stringMatching(/^[A-Za-z0-9]{0,40}$/),
        fc.boolean(),
        (data, padding, padded) => {
          const body = padded ? `{"bytes":"${base64Of(data)}","p":"${padding}"}` : `{"bytes":"${base64Of(data)}"}`;
          expect(plainChunkText(bytesOf(body))).toBe(reference(body));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("decodes model JSON of any text, a byte-order mark dropped as TextDecoder drops it", () => {
    for (const text of ['{"generation":"Hé 👋 \\u0000"}', "\ufeff{}", "", "x".repeat(40_000)]) {
      const body = `{"bytes":"${base64Of(bytesOf(text))}","p":"abc"}`;
      expect(plainChunkText(bytesOf(body))).toBe(reference(body));
    }
  });

  it("reads base64 without its padding, or with ignored trailing bits, as atob does", () => {
    for (const bytes of ["YQ", "YWI", "YR==", "YWJ=", "YWJj", ""]) {
      const body = `{"bytes":"${bytes}"}`;
      expect([bytes, plainChunkText(bytesOf(body))]).toEqual([bytes, reference(body)]);
    }
  });

  it("leaves every other shape to the general reading (undefined), whatever that makes of it", () => {
    const others = [
      '{ "bytes":"e30="}',
      '{"bytes" : "e30="}',
      '{"bytes":"e30=" }',
      '{"bytes":"e30=","p":"a b"}',
      '{"bytes":"e30=","p":"a"} ',
      '{"bytes":"e30=","q":"a"}',
      '{"bytes":"e30=","p":"a","bytes":"W10="}',
      '{"bytes":"e3\\/0="}',
      '{"bytes":"e30"',
      // One byte after the closing quote, but not the brace that closes the object.
      '{"bytes":"e30="]',
      '{"bytes":"e30=""',
      '{"bytes":"a"}',
      '{"bytes":"abcde"}',
      '{"bytes":"e30"=}',
      '{"bytes":"YQ="}',
      '{"bytes":"Y==="}',
      '{"bytes":"==="}',
      '{"bytes":"e3 0="}',
      '{"bytes":"e30=","p":"a"}x',
      '{"p":"a","bytes":"e30="}',
      "not json",
      "",
    ];
    for (const body of others) expect([body, plainChunkText(bytesOf(body))]).toEqual([body, undefined]);
  });
});
