// The instance generator, judged by an independent validator (Ajv, draft 2020-12 and draft-07)
// on the schemas real tools send and on random schemas of the supported subset.

import Ajv from "ajv";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { instanceOf, UnsatisfiableSchemaError } from "./json-schema-instance.ts";
import { pythonJson } from "./python-json.ts";
import { cpuMsOf } from "../test/helpers/cpu-time.ts";

const ajv2020 = new Ajv2020({ strict: false, allErrors: true });
const ajv07 = new Ajv({ strict: false, allErrors: true });
addFormats(ajv2020);
addFormats(ajv07);

function expectValid(schema: Record<string, unknown> | boolean, validator = ajv2020): unknown {
  const instance = instanceOf(schema);
  const validate = validator.compile(schema);
  expect(validate(instance), `${JSON.stringify(instance)}: ${validator.errorsText(validate.errors)}`).toBe(true);
  return instance;
}

const WEATHER = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };

describe("instanceOf", () => {
  it("answers the weather tool as the emulator always has", () => {
    expect(pythonJson(instanceOf(WEATHER) as never)).toBe('{"city": "Paris"}');
    expect(instanceOf({ type: "object", properties: { city: { type: "string" } } })).toEqual({ city: "Paris" });
  });

  it.each([
    ["an empty object schema", { type: "object" }],
    ["enum and const", { type: "object", properties: { unit: { enum: ["c", "f"] }, v: { const: 2 } } }],
    [
      "nested objects, arrays with minItems, numbers in range",
      {
        type: "object",
        properties: {
          trip: {
            type: "object",
            properties: {
              stops: { type: "array", items: { type: "string" }, minItems: 3, uniqueItems: true },
              days: { type: "integer", minimum: 10, maximum: 12 },
              budget: { type: "number", exclusiveMinimum: 100, multipleOf: 0.25 },
            },
            required: ["stops", "days", "budget"],
          },
        },
        required: ["trip"],
        additionalProperties: false,
      },
    ],
    [
      "string formats",
      {
        type: "object",
        properties: Object.fromEntries(
          ["date-time", "date", "time", "email", "hostname", "ipv4", "ipv6", "uri", "uuid", "duration"].map(
            (format) => [format, { type: "string", format }],
          ),
        ),
        required: ["date-time", "email", "uri", "uuid"],
      },
    ],
    ["lengths and patterns", { type: "string", minLength: 12, maxLength: 14, pattern: "^[a-z ]+$" }],
    ["a short maxLength", { type: "string", maxLength: 3 }],
    ["anyOf", { anyOf: [{ type: "integer", minimum: 5 }, { type: "string" }] }],
    [
      "oneOf with overlapping branches",
      { oneOf: [{ type: "object" }, { type: "object", properties: { a: { type: "string" } }, required: ["a"] }] },
    ],
    [
      "oneOf with a discriminator",
      {
        oneOf: [
          { type: "object", properties: { kind: { const: "a" }, x: { type: "number" } }, required: ["kind"] },
          { type: "object", properties: { kind: { const: "b" } }, required: ["kind"] },
        ],
      },
    ],
    [
      "allOf",
      {
        allOf: [
          { type: "object", properties: { a: { type: "string" } }, required: ["a"] },
          { properties: { b: { type: "integer", maximum: -4 } }, required: ["b"] },
        ],
      },
    ],
    [
      "$ref into $defs, recursive",
      {
        $defs: {
          node: {
            type: "object",
            properties: { name: { type: "string" }, children: { type: "array", items: { $ref: "#/$defs/node" } } },
            required: ["name", "children"],
          },
        },
        $ref: "#/$defs/node",
      },
    ],
    ["nullable types", { type: "object", properties: { note: { type: ["null", "string"] } }, required: ["note"] }],
    ["prefixItems", { type: "array", prefixItems: [{ type: "integer" }, { type: "boolean" }], items: false }],
    [
      "required names described only by additionalProperties",
      { type: "object", required: ["x"], additionalProperties: { type: "integer", minimum: 7 } },
    ],
    ["minProperties", { type: "object", minProperties: 2, additionalProperties: { type: "boolean" } }],
    ["a boolean schema", true],
    ["uniqueItems over enums", { type: "array", items: { enum: ["a", "b", "c"] }, minItems: 3, uniqueItems: true }],
  ] as const)("validates: %s", (_, schema) => {
    expectValid(schema as Record<string, unknown>);
  });

  it("follows draft-07 definitions and tuple items", () => {
    expectValid(
      {
        definitions: { point: { type: "array", items: [{ type: "number" }, { type: "number" }], minItems: 2 } },
        type: "object",
        properties: { at: { $ref: "#/definitions/point" } },
        required: ["at"],
      },
      ajv07,
    );
  });

  it("answers the schemas the big client libraries send", () => {
    // Shapes of zod-to-json-schema / pydantic output, as LangChain and the AI SDK send them.
    expectValid(
      {
        type: "object",
        properties: {
          people: {
            type: "array",
            items: {
              type: "object",
              properties: {
                name: { type: "string", description: "Full name" },
                age: { type: "integer", minimum: 0, maximum: 150 },
                email: { type: ["string", "null"], format: "email" },
                role: { type: "string", enum: ["admin", "user"] },
              },
              required: ["name", "age", "email", "role"],
              additionalProperties: false,
            },
          },
        },
        required: ["people"],
        additionalProperties: false,
        $schema: "http://json-schema.org/draft-07/schema#",
      },
      ajv07,
    );
  });

  it("is deterministic", () => {
    const schema = { type: "object", properties: { a: { type: "array", items: { type: "number" } } } };
    expect(JSON.stringify(instanceOf(schema))).toBe(JSON.stringify(instanceOf(schema)));
  });

  // Found by the fuzz2 review: names looked up in plain tables hit Object.prototype's members.
  it("takes property names and formats that are Object.prototype's keys as any other", () => {
    const constructorSchema = {
      type: "object",
      properties: { constructor: { type: "string" } },
      required: ["constructor"],
    };
    expect(pythonJson(expectValid(constructorSchema) as never)).toBe('{"constructor": "example constructor"}');
    const toStringSchema = { type: "object", properties: { toString: { type: "string" } }, required: ["toString"] };
    expect(expectValid(toStringSchema)).toEqual({ toString: "example toString" });
    // A required name no property describes, from additionalProperties.
    expect(expectValid({ type: "object", required: ["valueOf"] })).toHaveProperty("valueOf");
    const format = { type: "object", properties: { a: { type: "string", format: "toString" } }, required: ["a"] };
    expect(pythonJson(instanceOf(format) as never)).toBe('{"a": "example a"}');
  });

  it("writes a required __proto__ property as the instance's own", () => {
    // JSON.parse, as a request's schema arrives: `__proto__` is then an own key, not the prototype.
    const schema = JSON.parse(
      '{"type":"object","properties":{"__proto__":{"type":"string"}},"required":["__proto__"]}',
    );
    const instance = expectValid(schema);
    expect(Object.hasOwn(instance as object, "__proto__")).toBe(true);
    expect(pythonJson(instance as never)).toBe('{"__proto__": "example __proto__"}');
    expect(expectValid(JSON.parse('{"type":"object","required":["__proto__"]}'))).toSatisfy((value: object) =>
      Object.hasOwn(value, "__proto__"),
    );
  });

  // fuzz2 #3: the depth limit alone let each level's two required copies of the schema run to 2^32 values.
  it.each([
    ["array", { type: "array", items: { $ref: "#" }, minItems: 2 }],
    ["object", { type: "object", properties: { a: { $ref: "#" }, b: { $ref: "#" } }, required: ["a", "b"] }],
    ["allOf", { allOf: [{ $ref: "#" }, { $ref: "#" }] }],
    ["huge minItems", { type: "array", items: { type: "integer" }, minItems: 1e9 }],
  ])("refuses a schema whose instance would be unbounded (%s), quickly", async (_, schema) => {
    // About 200 ms of CPU; unbounded, minutes or never.
    const cpuMs = await cpuMsOf(() => expect(() => instanceOf(schema)).toThrow(UnsatisfiableSchemaError));
    expect(cpuMs).toBeLessThan(2000);
  });

  // redos43 #3: 130 bytes of schema made a 40 MB answer in 7 s; a minLength of 1e9 would not fit in a string.
  it.each([
    ["a long string on many items", { type: "array", items: { type: "string", minLength: 1_000_000 }, minItems: 40 }],
    ["a minLength past any string", { type: "string", minLength: 1e9 }],
    ["a long const on many items", { type: "array", items: { const: "x".repeat(100_000) }, minItems: 20 }],
  ])("refuses a schema whose instance would be past a million characters (%s)", (_, schema) => {
    expect(() => instanceOf(schema)).toThrow(
      "The JSON schema has no instance of fewer than 1000000 characters: its minLength, minItems, consts or names ask for more than a model writes in one answer.",
    );
  });

  it("writes a string of the minLength asked, up to the characters an answer holds", () => {
    expect(expectValid({ type: "array", items: { type: "string", minLength: 100_000 }, minItems: 9 })).toHaveLength(9);
  });

  describe("a pattern is tried only where it cannot backtrack far (redos43 #3)", () => {
    /** The patterns RegExp.prototype.test ran on while `run` did, and the strings it tried. */
    function tried(run: () => unknown): Array<[string, string]> {
      const test = vi.spyOn(RegExp.prototype, "test");
      try {
        run();
        return test.mock.calls.map((args, index) => [(test.mock.contexts[index] as RegExp).source, String(args[0])]);
      } finally {
        test.mockRestore();
      }
    }
    const named = (name: string, pattern: string) => ({
      type: "object",
      properties: { [name]: { type: "string", pattern } },
      required: [name],
    });

    it.each([
      ["a nested quantifier", "(a+)+$"],
      ["a quantified alternation", "^(a|aa)+$"],
      ["five of .*", "^.*a.*b.*c.*d.*e$"],
      ["five alternatives", "^(a|b|c|d|e|f)$"],
    ])("%s is never tried, on a property name built to make it backtrack", (_, pattern) => {
      const schema = named(`${"a".repeat(40)}!`, pattern);
      const runs = tried(() => instanceOf(schema));
      expect(runs.filter(([source]) => source === pattern)).toEqual([]);
    });

    it("a cheap pattern is tried on the short candidates only, not on a long property name", () => {
      const name = `${"a".repeat(40)}!`;
      let instance: unknown;
      const runs = tried(() => {
        instance = instanceOf(named(name, "^a+$"));
      }).filter(([source]) => source === "^a+$");
      expect(runs.length).toBeGreaterThan(0);
      expect(runs.every(([, text]) => text.length <= 32)).toBe(true);
      expect(instance).toEqual({ [name]: "a" });
    });

    it.each([
      ["lengths and a class", { type: "string", minLength: 12, maxLength: 14, pattern: "^[a-z ]+$" }],
      ["an email's shape", { type: "string", pattern: "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$" }],
      ["a date by counts", { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$" }],
      ["one of two words", { type: "string", pattern: "^(?:abc|ABC)$" }],
      ["a lazy quantifier", { type: "string", pattern: "^x-?\\d+?$" }],
      ["a named property", named("city", "^[A-Z][a-z]+$")],
    ])("still answers a value that matches %s", (_, schema) => {
      expectValid(schema);
    });
  });

  it("stays finite on a schema that requires itself forever", () => {
    const schema = {
      $defs: { x: { type: "object", properties: { x: { $ref: "#/$defs/x" } }, required: ["x"] } },
      $ref: "#/$defs/x",
    };
    expect(() => instanceOf(schema)).not.toThrow();
  });

  // The oracle cannot judge a const holding an object with a key such as "valueOf": ajv compares
  // with fast-deep-equal, which calls a.valueOf() when it is not Object.prototype's and throws on
  // a number there. Such consts are left out of the random schemas, not out of the emulator.
  const prototypeNames = new Set(Object.getOwnPropertyNames(Object.prototype));
  const shadowsPrototype = (value: unknown): boolean =>
    Array.isArray(value)
      ? value.some(shadowsPrototype)
      : value !== null &&
        typeof value === "object" &&
        Object.entries(value).some(([key, inner]) => prototypeNames.has(key) || shadowsPrototype(inner));

  it("validates against random schemas of the supported subset", () => {
    const leaf = fc.oneof(
      fc.constant({ type: "string" }),
      fc.record({ type: fc.constant("string"), minLength: fc.integer({ min: 0, max: 5 }) }),
      fc.record({ type: fc.constant("string"), format: fc.constantFrom("date-time", "email", "uri", "uuid", "date") }),
      fc
        .tuple(fc.integer({ min: -50, max: 50 }), fc.integer({ min: 0, max: 30 }))
        .map(([minimum, width]) => ({ type: "integer", minimum, maximum: minimum + width })),
      fc
        .tuple(fc.integer({ min: -50, max: 50 }), fc.integer({ min: 1, max: 30 }))
        .map(([minimum, width]) => ({ type: "number", exclusiveMinimum: minimum, maximum: minimum + width })),
      fc.constant({ type: "boolean" }),
      fc.constant({ type: "null" }),
      fc.uniqueArray(fc.string({ maxLength: 4 }), { minLength: 1, maxLength: 4 }).map((values) => ({ enum: values })),
      fc
        .jsonValue({ maxDepth: 2 })
        .filter((value) => !shadowsPrototype(value))
        .map((value) => ({ const: value })),
    );
    const { schema } = fc.letrec((tie) => ({
      schema: fc.oneof({ depthSize: "small", withCrossShrink: true }, leaf, tie("object"), tie("array"), tie("anyOf")),
      object: fc
        .dictionary(fc.string({ minLength: 1, maxLength: 6 }), tie("schema"), { maxKeys: 4 })
        .chain((properties) =>
          fc.record({
            type: fc.constant("object"),
            properties: fc.constant(properties),
            required: fc.subarray(Object.keys(properties)),
            additionalProperties: fc.boolean(),
          }),
        ),
      array: fc.record({
        type: fc.constant("array"),
        items: tie("schema"),
        minItems: fc.integer({ min: 0, max: 3 }),
      }),
      anyOf: fc.record({ anyOf: fc.array(tie("schema"), { minLength: 1, maxLength: 3 }) }),
    }));
    fc.assert(
      fc.property(schema, (generated) => {
        const validate = ajv2020.compile(generated as Record<string, unknown>);
        const instance = instanceOf(generated);
        return validate(instance) || Boolean(console.error(JSON.stringify({ generated, instance })));
      }),
      { numRuns: 300 },
    );
  });
});

describe("pythonJson", () => {
  it("writes json.dumps' separators and keeps non-ASCII text", () => {
    expect(pythonJson({ a: [1, "é", { b: null }], c: true })).toBe('{"a": [1, "é", {"b": null}], "c": true}');
    expect(JSON.parse(pythonJson({ 'q"uote': "x\ny" }))).toEqual({ 'q"uote': "x\ny" });
  });
});
