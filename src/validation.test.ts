import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { deepestIssue, issueFragment, issueSentence } from "./validation.ts";

/** The sentence for `value` checked by `schema` without messages of its own: the fallback wording. */
function sentence(schema: v.GenericSchema, value: unknown, required: Record<string, string> = {}): string {
  const result = v.safeParse(schema, value, { message: issueFragment });
  if (result.success) throw new Error("expected an issue");
  const { issue, path } = deepestIssue(result.issues[0]);
  return issueSentence(issue, path, { required, subject: "the entry" });
}

describe("valibot issues as sentences", () => {
  it("quote a string where a word or a number belongs, and only name one where a container belongs", () => {
    // Text in a message's or a content part's place is most likely a prompt: refusals reach logs.
    const prompt = "my password is hunter2";
    const field = (schema: v.GenericSchema, value: unknown) => sentence(v.object({ f: schema }), { f: value });
    for (const schema of [
      v.object({}),
      v.array(v.string()),
      v.nullish(v.looseObject({})),
      v.record(v.string(), v.number()),
      v.union([v.array(v.number()), v.object({ a: v.string() })]),
      v.variant("type", [v.object({ type: v.literal("a") }), v.object({ type: v.literal("b") })], "must be a part"),
    ]) {
      expect(field(schema, prompt)).toMatch(/^f .* \(got a string\)\.$/);
    }
    expect(field(v.number(), "hot")).toBe('f must be a number (got "hot").');
    expect(field(v.picklist(["user", "tool"]), "wizard")).toBe('f must be one of "user" or "tool" (got "wizard").');
    expect(field(v.union([v.string(), v.number()]), true)).toMatch(/\(got true\)\.$/);
  });

  it("word every kind of issue a schema leaves without a message", () => {
    const field = (schema: v.GenericSchema, value: unknown) => sentence(v.object({ f: schema }), { f: value });
    expect(field(v.string(), 1)).toBe("f must be a string (got 1).");
    expect(field(v.number(), "1")).toBe('f must be a number (got "1").');
    expect(field(v.boolean(), null)).toBe("f must be true or false (got null).");
    expect(field(v.array(v.string()), {})).toBe("f must be an array (got an object).");
    expect(field(v.object({}), "x")).toBe("f must be an object (got a string).");
    expect(field(v.string(), [1])).toBe("f must be a string (got an array).");
    expect(field(v.record(v.string(), v.number()), 5)).toBe("f must be an object (got 5).");
    expect(field(v.string(), new Map())).toBe("f must be a string (got a Map).");
    expect(field(v.literal("function"), "x")).toBe('f must be "function" (got "x").');
    expect(field(v.picklist(["a", "b", "c"]), "d")).toBe('f must be one of "a", "b" or "c" (got "d").');
    expect(field(v.pipe(v.string(), v.minLength(1)), "")).toBe("f must not be empty.");
    expect(field(v.pipe(v.string(), v.minLength(3)), "ab")).toBe("f must have at least 3 characters (it has 2).");
    expect(field(v.pipe(v.array(v.number()), v.maxLength(1)), [1, 2])).toBe("f must have at most 1 item (it has 2).");
    expect(field(v.pipe(v.number(), v.minValue(1)), 0)).toBe("f must be at least 1 (got 0).");
    expect(field(v.pipe(v.number(), v.maxValue(1)), 2)).toBe("f must be at most 1 (got 2).");
    expect(field(v.pipe(v.number(), v.integer()), 1.5)).toBe("f must be a whole number (got 1.5).");
    expect(field(v.pipe(v.number(), v.finite()), Number.POSITIVE_INFINITY)).toBe(
      "f must be a finite number (got Infinity).",
    );
    expect(field(v.number(), Number.NaN)).toBe("f must be a number (got NaN).");
    expect(field(v.union([v.string(), v.number()]), true)).toBe("f is not valid here (got true).");
  });

  it("say a missing field is required, with what to put there when known", () => {
    const schema = v.object({ outer: v.object({ model: v.string(), other: v.string() }) });
    expect(sentence(schema, { outer: { other: "x" } }, { model: "name the model" })).toBe(
      "outer.model is required: name the model.",
    );
    expect(sentence(schema, { outer: { model: "x" } })).toBe("outer.other is required.");
  });

  it("name an unknown key without echoing its value, and the value itself by its subject", () => {
    expect(sentence(v.strictObject({ a: v.string() }), { a: "x", b: "secret" })).toBe(
      "b is not a field this object takes.",
    );
    expect(sentence(v.string(), 5)).toBe("the entry must be a string (got 5).");
  });

  it("follow a union into the branch that got furthest, with the full path", () => {
    const schema = v.object({ list: v.union([v.string(), v.array(v.object({ n: v.number() }))]) });
    expect(sentence(schema, { list: [{ n: 1 }, { n: "2" }] })).toBe('list[1].n must be a number (got "2").');
  });

  it("cut a long wrong value short, between words only: a longer first word is told by its length", () => {
    expect(sentence(v.object({ f: v.number() }), { f: "y".repeat(1000) })).toBe(
      "f must be a number (got a string of 1000 characters).",
    );
    expect(sentence(v.object({ f: v.number() }), { f: `hot ${"y".repeat(1000)}` })).toBe(
      'f must be a number (got "hot…").',
    );
  });
});
