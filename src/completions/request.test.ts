import { describe, expect, it } from "vitest";
import { BedrockEdgeError } from "../errors.ts";
import { errorOf } from "../../test/helpers/errors.ts";
import { checkCompletionStreamFlags, parseCompletionRequest } from "./request.ts";

const refusal = (input: unknown) => errorOf(() => parseCompletionRequest(input), BedrockEdgeError);

describe("logit_bias: every own key checked (inputcost34 #3), and held to OpenAI's spec (numbers43 #5)", () => {
  const request = (logit_bias: unknown) => ({ model: "m", prompt: "a", logit_bias });

  it("refuses a key valibot's record skips, which is no token id, naming it", () => {
    expect(refusal(request(JSON.parse('{"constructor":{"nested":[1,2]}}')))).toMatchObject({
      param: "logit_bias.constructor",
      message: 'logit_bias.constructor is not a token id (its keys are token ids in decimal digits, as "50256").',
    });
    expect(refusal(request(JSON.parse('{"1":2,"__proto__":"x"}')))).toMatchObject({ param: "logit_bias.__proto__" });
    expect(refusal(request(JSON.parse('{"prototype":null}')))).toMatchObject({ param: "logit_bias.prototype" });
    // An array is no object of token ids: record() reads its indexes as keys.
    expect(refusal(request([1, 2]))).toMatchObject({
      param: "logit_bias",
      message: expect.stringMatching(/^logit_bias must be an object of token ids to numbers/),
    });
  });

  it("takes token ids to whole numbers from -100 to 100, {} and null; refuses the rest by key", () => {
    for (const logit_bias of [{ "50256": -100, "13": 100 }, {}, null]) {
      expect(parseCompletionRequest(request(logit_bias)).logit_bias).toEqual(logit_bias);
    }
    expect(refusal(request({ "50256": 1e308 }))).toMatchObject({
      param: "logit_bias.50256",
      message: "logit_bias.50256 must be a whole number between -100 and 100 (got 1e+308).",
    });
    expect(refusal(request({ "13": 0.5 }))).toMatchObject({ param: "logit_bias.13" });
    expect(refusal(request({ abc: 5 }))).toMatchObject({
      param: "logit_bias.abc",
      message: 'logit_bias.abc is not a token id (its keys are token ids in decimal digits, as "50256").',
    });
  });
});

describe("seed: a whole number JSON carries exactly (numbers43 #2)", () => {
  it("takes ±(2^53 - 1), and refuses past it naming seed", () => {
    for (const seed of [Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 7, null]) {
      expect(parseCompletionRequest({ model: "m", prompt: "a", seed }).seed).toBe(seed);
    }
    for (const seed of [2 ** 53, -(2 ** 53), 1e308, 2.5]) {
      expect(refusal({ model: "m", prompt: "a", seed })).toMatchObject({
        param: "seed",
        message: `seed must be a whole number between -9007199254740991 and 9007199254740991 (got ${seed}).`,
      });
    }
  });
});

describe("the legacy Completions request", () => {
  it("takes OpenAI's fields and Bedrock's extensions, and hands the caller's object on", () => {
    const request = {
      model: "m",
      prompt: ["a", "b"],
      max_tokens: 5,
      n: 2,
      stop: ["\n"],
      logprobs: 3,
      echo: true,
      seed: 1,
      best_of: 2,
      suffix: null,
      structured_outputs: { json: '{"type": "object"}' },
      response_format: { type: "json_object" },
    };
    expect(parseCompletionRequest(request)).toBe(request);
  });

  it("refuses what no format can honour, saying why", () => {
    expect(refusal({ model: "m", prompt: [1, 2] })).toMatchObject({ param: "prompt", code: "unsupported_parameter" });
    expect(refusal({ model: "m", prompt: [[1], [2]] }).message).toMatch(/^prompt holds token ids: Bedrock takes text/);
    expect(refusal({ model: "m", prompt: "a", suffix: "z" })).toMatchObject({ param: "suffix" });
  });

  it("words a bad field as a sentence naming it", () => {
    expect(refusal({ model: "m" }).message).toBe("prompt is required: give the text to continue, or a list of texts.");
    expect(refusal({ model: "m", prompt: [] })).toMatchObject({ param: "prompt" });
    expect(refusal({ model: "m", prompt: "a", logprobs: 21 }).message).toBe(
      "logprobs must be a whole number between 0 and 20 (got 21).",
    );
    expect(refusal({ model: "m", prompt: "a", structured_outputs: { choice: [] } })).toMatchObject({
      param: "structured_outputs.choice",
    });
    expect(refusal({ model: "m", prompt: "a", structured_outputs: { json: "not json" } }).param).toBe(
      "structured_outputs.json",
    );
    expect(refusal({ model: "m", prompt: "a", structured_outputs: { regex: "x", grammar: "y" } }).message).toContain(
      "exactly one of json, regex, choice, grammar",
    );
    expect(refusal({ model: "m", prompt: "a", structured_outputs: { jsonn: {} } }).param).toBe(
      "structured_outputs.jsonn",
    );
    expect(refusal([]).message).toBe("The request body must be a JSON object.");
  });

  it("checks response_format as the chat request does: json_schema needs its definition, a type is a string", () => {
    const cases: Array<[unknown, string]> = [
      [{ type: "json_schema" }, "response_format.json_schema"],
      [{ type: "json_schema", json_schema: { name: "a", schema: "x" } }, "response_format.json_schema.schema"],
      [{ type: 5 }, "response_format.type"],
    ];
    for (const [response_format, param] of cases) {
      const error = refusal({ model: "m", prompt: "a", response_format });
      expect(error).toMatchObject({ status: 400, param, code: null });
    }
    // Another type is the route's to take or refuse (the plan), a boolean schema is a JSON Schema.
    for (const response_format of [
      { type: "structural_tag" },
      { type: "json_schema", json_schema: { name: "a", schema: true } },
    ]) {
      expect(parseCompletionRequest({ model: "m", prompt: "a", response_format }).response_format).toEqual(
        response_format,
      );
    }
  });

  it("keeps its bounds at their edges: 128 prompts and n 128 pass, 129 do not; top_k 0 is off; no prompt is empty", () => {
    const accepted = (request: Record<string, unknown>) =>
      expect(() => parseCompletionRequest({ model: "m", prompt: "a", ...request })).not.toThrow();
    accepted({ prompt: new Array(128).fill("a") });
    accepted({ n: 128 });
    accepted({ top_k: 0 });
    expect(refusal({ model: "m", prompt: new Array(129).fill("a") })).toMatchObject({ status: 400, param: "prompt" });
    expect(refusal({ model: "m", prompt: "a", n: 129 })).toMatchObject({ status: 400, param: "n" });
    expect(refusal({ model: "m", prompt: ["a", ""] })).toMatchObject({ status: 400, param: "prompt[1]" });
  });

  it("checks the stream flags alone, for a server choosing JSON or SSE", () => {
    expect(() => checkCompletionStreamFlags({ stream: "yes" })).toThrow(/stream must be true or false/);
    expect(() => checkCompletionStreamFlags({ stream: true, stream_options: { include_usage: true } })).not.toThrow();
  });

  it("refuses stream_options on a request that does not stream, as OpenAI does", () => {
    for (const stream of [false, undefined]) {
      const body = { model: "m", prompt: "Once", stream, stream_options: { include_usage: true } };
      for (const check of [checkCompletionStreamFlags, parseCompletionRequest]) {
        const error = errorOf(() => check(body), BedrockEdgeError);
        expect([error.status, error.param]).toEqual([400, "stream_options"]);
      }
    }
    expect(() => parseCompletionRequest({ model: "m", prompt: "Once", stream_options: null })).not.toThrow();
  });
});

describe("structured_outputs.json written as a string is held to the body's limits on shape (codereview24 #2)", () => {
  it("an object of more than 10,000 members in it is a 400 naming structured_outputs.json", () => {
    const wide = `{${Array.from({ length: 10_001 }, (_, i) => `"k${i}":${i}`).join(",")}}`;
    const error = refusal({ model: "m", prompt: "a", structured_outputs: { json: wide } });
    expect(error.param).toBe("structured_outputs.json");
  });
});
