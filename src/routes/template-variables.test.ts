import { describe, expect, it } from "vitest";
import { errorOf } from "../../test/helpers/errors.ts";
import { BedrockEdgeError } from "../errors.ts";
import { RESERVED_TEMPLATE_VARIABLES } from "./setting-names.ts";
import { checkTemplateKwargs } from "./template-variables.ts";

const qwen3 = { settable: ["enable_thinking"], template: "the qwen3 template" };

describe("checkTemplateKwargs", () => {
  it("keeps a declared `__proto__` an own variable, not the prototype of the kept ones (inputcost34 #2)", () => {
    const kwargs = JSON.parse('{"__proto__":{"a":1},"b":2}') as Record<string, unknown>;
    const kept = checkTemplateKwargs(kwargs, { settable: ["__proto__", "b"], template: "t" }, false)!;
    expect(Object.getPrototypeOf(kept)).toBe(Object.prototype);
    expect(Object.entries(kept)).toEqual([
      ["__proto__", { a: 1 }],
      ["b", 2],
    ]);
  });

  it("passes the variables the template takes, and no kwargs as none", () => {
    expect(checkTemplateKwargs({ enable_thinking: false }, qwen3, false)).toEqual({ enable_thinking: false });
    expect(checkTemplateKwargs(undefined, qwen3, false)).toBeUndefined();
    expect(checkTemplateKwargs({}, qwen3, false)).toEqual({});
  });

  it("names a long unknown variable in param shortened, as in its message (codereview48 #4's sibling)", () => {
    const name = "x".repeat(100_000);
    const error = errorOf(() => checkTemplateKwargs({ [name]: 1 }, qwen3, false), BedrockEdgeError);
    expect(error).toMatchObject({ status: 400, param: `chat_template_kwargs.${"x".repeat(64)}` });
    expect(error.message).toMatch(/^a chat_template_kwargs name of 100000 characters is not a variable/);
  });

  it("refuses any other variable with a 400 naming it and what the template takes", () => {
    const error = errorOf(
      () => checkTemplateKwargs({ enable_thinking: true, mode: "x" }, qwen3, false),
      BedrockEdgeError,
    );
    expect(error).toMatchObject({ status: 400, param: "chat_template_kwargs.mode", code: "unsupported_parameter" });
    expect(error.message).toBe(
      "chat_template_kwargs.mode is not a variable the qwen3 template lets a request set (it takes enable_thinking). " +
        "Remove it, or set drop_params to drop it.",
    );
    const none = errorOf(
      () =>
        checkTemplateKwargs({ x: 1 }, { settable: [], template: "this model's chat_template", declared: true }, false),
      BedrockEdgeError,
    );
    expect(none.message).toBe(
      "chat_template_kwargs.x is not a variable this model's chat_template lets a request set (it takes none). " +
        "The model's client_template_kwargs setting lists the variables a request may set. " +
        "Remove it, or set drop_params to drop it.",
    );
  });

  it("never lets a request set the template's inputs, special tokens or helpers, even when declared", () => {
    for (const name of RESERVED_TEMPLATE_VARIABLES) {
      const declared = { settable: [name], template: "this model's chat_template" };
      const error = errorOf(() => checkTemplateKwargs({ [name]: "x" }, declared, false), BedrockEdgeError);
      expect(error).toMatchObject({ status: 400, param: `chat_template_kwargs.${name}` });
      expect(error.message).toContain("cannot come from a request");
    }
    expect(RESERVED_TEMPLATE_VARIABLES).toEqual(
      expect.arrayContaining(["messages", "tools", "add_generation_prompt", "bos_token", "eos_token", "chat_template"]),
    );
  });

  it("drops what it would refuse under drop_params", () => {
    const kwargs = { enable_thinking: false, bos_token: "<s>", mode: "x" };
    expect(checkTemplateKwargs(kwargs, qwen3, true)).toEqual({ enable_thinking: false });
    expect(kwargs).toEqual({ enable_thinking: false, bos_token: "<s>", mode: "x" });
  });
});
