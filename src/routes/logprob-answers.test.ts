import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_TOKENS } from "../completions/plan.ts";
import { logprobAnswers, unsetCompletionLimit } from "./logprob-answers.ts";

describe("logprobAnswers", () => {
  it("gives none where the route refuses or drops logprobs: Converse, Bedrock's completion format", () => {
    for (const api of ["chat", "completions"] as const) {
      expect(logprobAnswers(api, "converse", {})).toBeUndefined();
      expect(logprobAnswers(api, "llama", {})).toBeUndefined();
      expect(
        logprobAnswers(api, "qwen3", { wire_format: "bedrock_completion", max_output_tokens: 64 }),
      ).toBeUndefined();
    }
  });

  it("on chat: the model's cap, else OpenAICompletion's 4096, and no limit on the openai route", () => {
    expect(logprobAnswers("chat", "qwen3", { wire_format: "openai_completion" })).toEqual({ unsetLimit: 4096 });
    expect(logprobAnswers("chat", "deepseek_r1", { wire_format: "openai_completion", max_output_tokens: 512 })).toEqual(
      { unsetLimit: 512 },
    );
    expect(logprobAnswers("chat", "openai", {})).toEqual({ unsetLimit: undefined });
    expect(logprobAnswers("chat", "openai", { max_output_tokens: 512 })).toEqual({ unsetLimit: 512 });
  });

  it("on legacy Completions: OpenAI's 16 within the cap, on every route that returns them", () => {
    expect(DEFAULT_MAX_TOKENS).toBe(16);
    expect(logprobAnswers("completions", "openai", {})).toEqual({ unsetLimit: 16 });
    expect(logprobAnswers("completions", "llama", { wire_format: "openai_completion", max_output_tokens: 8 })).toEqual({
      unsetLimit: 8,
    });
    expect(unsetCompletionLimit(undefined)).toBe(16);
    expect(unsetCompletionLimit(4096)).toBe(16);
    expect(unsetCompletionLimit(8)).toBe(8);
  });
});
