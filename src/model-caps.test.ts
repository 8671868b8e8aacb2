import { describe, expect, it } from "vitest";
import { errorOf } from "../test/helpers/errors.ts";
import { BedrockEdgeError } from "./errors.ts";
import { applyCompletionCaps, applyModelCaps } from "./model-caps.ts";
import type { ChatCompletionRequest } from "./openai/types.ts";

const base: ChatCompletionRequest = { model: "m", messages: [{ role: "user", content: "hi" }] };

describe("applyModelCaps", () => {
  it("changes nothing without caps", () => {
    const request = { ...base, n: 128, max_tokens: 1_000_000 };
    expect(applyModelCaps(request, {})).toBe(request);
  });

  it("refuses n above max_n, naming n and the cap", () => {
    const error = errorOf(() => applyModelCaps({ ...base, n: 5 }, { max_n: 4 }), BedrockEdgeError);
    expect(error).toMatchObject({ status: 400, param: "n", code: "integer_above_max_value" });
    expect(error.message).toBe("n is 5, above this model's max_n of 4.");
    expect(applyModelCaps({ ...base, n: 4 }, { max_n: 4 }).n).toBe(4);
    expect(applyModelCaps(base, { max_n: 1 })).toBe(base);
  });

  it("refuses an output limit above max_output_tokens, naming the field the request used", () => {
    for (const field of ["max_tokens", "max_completion_tokens"] as const) {
      const error = errorOf(
        () => applyModelCaps({ ...base, [field]: 4097 }, { max_output_tokens: 4096 }),
        BedrockEdgeError,
      );
      expect(error).toMatchObject({ status: 400, param: field, code: "integer_above_max_value" });
      expect(error.message).toBe(`${field} is 4097, above this model's max_output_tokens of 4096.`);
    }
  });

  it("keeps a limit within the cap, and makes the cap the limit when the request sets none", () => {
    const within = { ...base, max_completion_tokens: 100 };
    expect(applyModelCaps(within, { max_output_tokens: 4096 })).toBe(within);
    expect(applyModelCaps(base, { max_output_tokens: 4096 })).toEqual({ ...base, max_tokens: 4096 });
    expect(applyModelCaps({ ...base, max_tokens: null }, { max_output_tokens: 512 }).max_tokens).toBe(512);
    expect(base).not.toHaveProperty("max_tokens");
  });
});

describe("applyCompletionCaps", () => {
  const prompt = { model: "m", prompt: "Once" };

  it("holds the chat caps: n and max_tokens; a request that sets no limit keeps Completions' 16 within the cap", () => {
    expect(errorOf(() => applyCompletionCaps({ ...prompt, n: 3 }, { max_n: 2 }, 16), BedrockEdgeError).param).toBe("n");
    expect(applyCompletionCaps(prompt, { max_output_tokens: 4096 }, 16)).toEqual({ ...prompt, max_tokens: 16 });
    expect(applyCompletionCaps(prompt, { max_output_tokens: 8 }, 16)).toEqual({ ...prompt, max_tokens: 8 });
    expect(applyCompletionCaps(prompt, {}, 16)).toEqual(prompt);
  });

  it("counts every generation against max_n: prompts times the larger of n and best_of", () => {
    const caps = { max_n: 4 };
    expect(applyCompletionCaps({ ...prompt, prompt: ["a", "b"], n: 2 }, caps, 16).n).toBe(2);
    const listed = errorOf(
      () => applyCompletionCaps({ ...prompt, prompt: ["a", "b", "c"], n: 2 }, caps, 16),
      BedrockEdgeError,
    );
    expect(listed).toMatchObject({ status: 400, param: "prompt", code: "integer_above_max_value" });
    expect(listed.message).toBe("3 prompt(s) with 2 answer(s) each make 6 generations, above this model's max_n of 4.");
    const best = errorOf(() => applyCompletionCaps({ ...prompt, best_of: 5 }, caps, 16), BedrockEdgeError);
    expect(best).toMatchObject({ param: "best_of", code: "integer_above_max_value" });
    expect(applyCompletionCaps({ ...prompt, prompt: Array(64).fill("a") }, {}, 16).prompt).toHaveLength(64);
  });
});
