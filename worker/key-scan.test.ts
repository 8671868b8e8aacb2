// The keys of an API_KEYS that is not valid JSON, found by scanning its text (codereview49d #4, #5):
// every call is then a 500, but what may be a key is still redacted everywhere, and its holder is
// told the configuration is wrong (a broken key) rather than that the key is. Erring toward
// redaction, with one exception: a member's name (a string followed by `:`) is never a key, or
// "models" would be cut out of every message.
import { describe, expect, it } from "vitest";
import { redactSecrets } from "../src/core.ts";
import { cpuMsOf } from "../test/helpers/cpu-time.ts";
import { apiKeySecrets, type ClientKey, readClientKeys } from "./keys.ts";

const A = "sk-aaaaaaaaaaaaaaaaaaaaaaaa1";
const B = "sk-bbbbbbbbbbbbbbbbbbbbbbbb2";
const C = "sk-cccccccccccccccccccccccc3";
const D = "sk-dddddddddddddddddddddddd4";

/** What the scan finds: the secrets redacted, and the keys told the configuration is wrong. */
function scanned(API_KEYS: string): { secrets: string[]; broken: string[] } {
  const broken: ClientKey[] = [];
  // Auth never takes a key from a text that is not JSON: no tenant's key is read from it.
  expect(readClientKeys({ API_KEYS }, [], undefined, broken)).toEqual([]);
  return { secrets: apiKeySecrets({ API_KEYS }), broken: broken.map((key) => key.key) };
}

describe("the keys of an API_KEYS that is not valid JSON", () => {
  describe("whose list's bracket is missing: the next member's name is no key (codereview49d #4)", () => {
    it.each([
      ["models", `{"t":{"key":["${A}","${B}","models":["m1"],"rate_limit":"RL"}}`, [A, B]],
      ["rate_limit", `{"t":{"key":["${A}", "rate_limit": 5}}`, [A]],
      ["an unquoted name (JSON5)", `{t: {key: ['${A}', '${B}', models: ['m1']}}`, [A, B]],
      ["the next entry's name", `{"t":{"key":["${A}",\n "team-b": {"key":"${D}"}}}`, [A, D]],
    ])("%s", (_, API_KEYS, keys) => {
      expect(scanned(API_KEYS)).toEqual({ secrets: keys, broken: keys });
    });

    it("so a message naming the member keeps its words", () => {
      const secrets = apiKeySecrets({ API_KEYS: `{"t":{"key":["${A}","models":["m1"],"rate_limit":"RL"}}` });
      const message = "GET /v1/models: m1 is not in your key's models (rate_limit RL)";
      expect(redactSecrets(`${message} ${A}`, secrets)).toBe(`${message} [redacted]`);
    });

    it("a # mid-line is a comment to the line's end: the ] it hides makes no member's name a key", () => {
      // Its key is commented out: a secret, no tenant's (codereview50 #4), as after a `//`.
      const API_KEYS = `{"t":{"key":["${A}", #3 "${B}"]\n,"models":["llama3"]}}`;
      expect(scanned(API_KEYS)).toEqual({ secrets: [A, B], broken: [A] });
    });
  });

  describe("are found whatever the list holds (codereview49d #5)", () => {
    it.each([
      ["after a nested list", `{"t":{"key":[["${A}"],"${C}"]},}`, [A, C]],
      ["in lists nested deeper", `{"t":{"key":[[["${A}"]], [{"x": ["${B}"]}], "${C}"]},}`, [A, B, C]],
      ["in an object item, its field's name left alone", `{"t":{"key":[{"old":"${A}"},"${C}"]},}`, [A, C]],
      ["after an unquoted item holding a ':'", `{"t":{"key":["${A}", https://x, "${C}"]},}`, [A, C]],
      [
        "after an unquoted item holding an apostrophe",
        `{"t":{"key":["${A}", Bob's, "${B}"],"models":["llama3"]},}`,
        [A, B],
      ],
      ["that is unquoted itself, when it may be a key", `{"t":{"key":[${A}, 7, null, "${C}"]}}`, [A, C]],
    ])("%s", (_, API_KEYS, keys) => {
      expect(scanned(API_KEYS)).toEqual({ secrets: keys, broken: keys });
    });

    it("in a string not closed on its line: its text to the line's end, the holder's real key", () => {
      expect(scanned(`{"t":{"key":["${A},\n "${C}"]},}`)).toEqual({ secrets: [A, C], broken: [A, C] });
      expect(scanned(`{"t":{"key":"${A}\n, "models": ["m1"]},}`)).toEqual({ secrets: [A], broken: [A] });
    });

    it("commented out of a list: a secret, no tenant's, and a ] in the comment ends nothing", () => {
      const API_KEYS = [
        `{"t":{"key":[`,
        `  "${A}", // old: "${B}" ]`,
        `  /* "${D}" ] */ "${C}"`,
        `  # revoked: Bob's "sk-eeeeeeeeeeeeeeeeeeeeeeee5" ]`,
        `], "models": ["llama3"]},}`,
      ].join("\n");
      const { secrets, broken } = scanned(API_KEYS);
      expect(secrets).toEqual(expect.arrayContaining([A, B, C, D, "sk-eeeeeeeeeeeeeeeeeeeeeeee5"]));
      expect(secrets).not.toContain("llama3");
      expect(broken).toEqual(expect.arrayContaining([A, C]));
      expect(broken).not.toContain(B);
      expect(broken).not.toContain(D);
      expect(broken).not.toContain("sk-eeeeeeeeeeeeeeeeeeeeeeee5");
    });
  });

  describe("written with codereview50's mistakes", () => {
    const E = "sk-eeeeeeeeeeeeeeeeeeeeeeee5";
    const M = "anthropic.claude-3-5-sonnet-20240620-v1:0";

    it.each([
      ["unquoted, a key alone (#1)", `{"t":{"key": ${A}},}`, [A]],
      ["unquoted, a key alone, JSON5 (#1)", `{t:{key: ${A}}}`, [A]],
      ["its opening quote missing", `{"t":{"key": ${A}"},}`, [A]],
      ["its closing quote missing on a one-line text, a member next (#2)", `{"t":{"key":"${A},"models":["m1"]}}`, [A]],
      ["its closing quote missing, a space then a member next (#2)", `{"t":{"key":"${A}, "models":["m1"]}}`, [A]],
      ["its closing quote missing in a one-line list (#2)", `{"t":{"key":["${A}, "${B}"]}}`, [A, B]],
      ["after an unquoted word holding a # (no comment)", `{"t":{"key":["${A}", team#3, "${B}"]},}`, [A, B]],
      ["a ':' typed for a ',' between two keys (#8)", `{"t":{"key":["${A}": "${B}"]},}`, [A, B]],
    ])("%s", (_, API_KEYS, keys) => {
      expect(scanned(API_KEYS)).toEqual({ secrets: keys, broken: keys });
    });

    it("the holder's real key is redacted, not its text run on to the next quote (#1, #2)", () => {
      for (const API_KEYS of [
        `{"t":{"key": ${A}},}`,
        `{"t":{"key":"${A},"models":["m"]}}`,
        `{"t":{"key":["${A}, "${B}"]}}`,
      ]) {
        expect(redactSecrets(`model ${A} is not served`, apiKeySecrets({ API_KEYS }))).toBe(
          "model [redacted] is not served",
        );
      }
    });

    it("a # after an item on a list's line is a comment: its model ids and URLs are no secrets (#3)", () => {
      const message = `The model ${M} is not in your key's models; see https://wiki.example.com/keys/rotation`;
      for (const API_KEYS of [
        `{"t":{"key":["${A}", # for ${M}\n], "models":["${M}"]},}`,
        `{"t":{"key":["${A}", # rotated, see https://wiki.example.com/keys/rotation\n], "models":["m"]},}`,
        `{"t":{"key":["${A}", // for ${M}\n], "models":["${M}"]},}`,
      ]) {
        expect(scanned(API_KEYS)).toEqual({ secrets: [A], broken: [A] });
        expect(redactSecrets(message, apiKeySecrets({ API_KEYS }))).toBe(message);
      }
    });

    it("a key commented out with # is a secret, no tenant's, as with // (#4)", () => {
      expect(scanned(`{"t":{"key":[\n "${A}",\n # revoked "${E}"\n], "models": ["m"]},}`)).toEqual({
        secrets: [A, E],
        broken: [A],
      });
      expect(scanned(`{"t":{"key":["${A}"]},\n # revoked "key": "${E}"\n}`)).toEqual({ secrets: [A, E], broken: [A] });
      expect(scanned(`{"t":{"key":[\n "${A}",\n // revoked "${E}"\n], "models": ["m"]},}`)).toEqual({
        secrets: [A, E],
        broken: [A],
      });
    });
  });

  describe("written with codereview50c's mistakes", () => {
    const M = "anthropic.claude-3-5-sonnet-20240620-v1:0";
    const U = "https://wiki.example.com/keys/rotation";

    it.each([
      ["a # after an item, one line", `{"t":{"key":["${A}", #3 "${B}"]}, "u":{"key":"${C}"}}`, [A, B, C], [A, C]],
      ["a # note value, one line", `{"t":{"key":"${A}", "note": #1 on call}, "u":{"key":"${C}"}}`, [A, C], [A, C]],
    ])(
      "a # mid-line ends at its list's or object's bracket: later tenants' keys stay broken (#5): %s",
      (_, API_KEYS, secrets, broken) => {
        expect(scanned(API_KEYS)).toEqual({ secrets, broken });
      },
    );

    it.each([
      ["in a note string, a URL", `{"t":{"key":"${A}","note":"old key: ${U}"},}`],
      ["in a note string, a model id", `{"t":{"key":"${A}","note":"this key: ${M} only"},}`],
      ["in a # comment", `{"t":{"key":"${A}"},\n# how to rotate a key: ${U}\n}`],
      ["in a // comment", `{"t":{"key":"${A}"},\n// how to rotate a key: ${U}\n}`],
    ])("'key:' %s makes no key of the next word (#4)", (_, API_KEYS) => {
      expect(scanned(API_KEYS)).toEqual({ secrets: [A], broken: [A] });
      const message = `The model ${M} is not served; see ${U}`;
      expect(redactSecrets(message, apiKeySecrets({ API_KEYS }))).toBe(message);
    });

    it.each([
      ["a space before its closing quote", `{t:{key:["${A} "], models:["${M}"]}}`],
      ["its closing quote missing", `{t:{key:["${A}], models:["${M}"]}}`],
      ["its closing quote missing, spaced", `{t: {key: ["${A}], models: ["${M}"]}}`],
    ])(
      "a one-line JSON5 list's last key with %s: the list ends at its ], the model id is no key (#1)",
      (_, API_KEYS) => {
        expect(scanned(API_KEYS)).toEqual({ secrets: [A], broken: [A] });
      },
    );
  });

  describe("written with codereview50c's quoting typos (#6)", () => {
    it.each([
      ["a \\ before its closing quote", `{"t":{"key":"${A}\\"},"u":{"key":"${B}"}}`, [A, B]],
      ["shell-escaped", `{\\"t\\":{\\"key\\":\\"${A}\\"}}`, [A]],
      ["shell-escaped, a list", `{\\"t\\":{\\"key\\":[\\"${A}\\",\\"${B}\\"]}}`, [A, B]],
      ["in smart quotes", `{"t":{"key":\u201c${A}\u201d},}`, [A]],
      ["in smart quotes, a list", `{"t":{"key":[\u201c${A}\u201d, \u2018${B}\u2019]},}`, [A, B]],
    ])("a key %s is found as its holder sends it", (_, API_KEYS, keys) => {
      expect(scanned(API_KEYS)).toEqual({ secrets: keys, broken: keys });
      expect(redactSecrets(`key ${A} refused`, apiKeySecrets({ API_KEYS }))).toBe("key [redacted] refused");
    });
  });

  it("are found in time linear in the text's length, however hostile (250 KB each)", async () => {
    const n = 250_000;
    const texts = [
      `{"t":{"key":[${'"sk-x",'.repeat(n / 7)}`,
      '"key":["'.repeat(n / 8),
      "key:[".repeat(n / 5),
      `{"t":{"key":${"[".repeat(n)}`,
      `{"t":{"key":[${"{".repeat(n)}`,
      `{"t":{"key":[${`"'`.repeat(n / 2)}`,
      `{"t":{"key":[${"/*".repeat(n / 2)}`,
      `{"t":{"key":["${"\\".repeat(n)}`,
      `key:"${"key:'".repeat(n / 5)}`,
      // codereview50's rules: strings whose own closing quote is missing, key-shaped names,
      // # comments, unquoted values.
      `{"t":{"key":[${'"a,"b'.repeat(n / 5)}`,
      `"key":"${'a,"'.repeat(n / 3)}`,
      `{"t":{"key":[${`"${A}":`.repeat(n / 31)}`,
      `{"t":{"key":[${'#"a"'.repeat(n / 4)}`,
      `{"t":{"key":[${'#\n"a",'.repeat(n / 6)}`,
      "key:#".repeat(n / 5),
      `"key": ${"sk-".repeat(n / 3)}`,
      "key: key: ".repeat(n / 10),
      // codereview50c's: a scan resumed at a string's cut, a # ended at a bracket, key: in a note.
      `{"t":{"key":[${`"a,'`.repeat(n / 4)}`,
      `{"t":{"key":[${'"a]"b'.repeat(n / 4)}`,
      `{"t":{"key":[${'"a", #3 "b"]'.repeat(n / 13)}`,
      `"note":"${`key: ${"x".repeat(30)} `.repeat(n / 36)}`,
      `{\\"t\\":{\\"key\\":[${'\\"sk-a\\",'.repeat(n / 9)}`,
      `{"t":{"key":${"\u201csk-a\u201d key:".repeat(n / 12)}`,
    ];
    const cpuMs = await cpuMsOf(() => {
      for (const API_KEYS of texts) apiKeySecrets({ API_KEYS });
    });
    expect(cpuMs).toBeLessThan(4000);
  });
});
