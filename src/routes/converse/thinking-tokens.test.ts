import { describe, expect, it } from "vitest";
import type { ChatCompletionRequest } from "../../openai/types.ts";
import { buildConverseBody } from "./request.ts";
import { reasoningOutputLimit } from "./thinking-tokens.ts";

const CLAUDE = "us.anthropic.claude-sonnet-4-20250514-v1:0";
const HELLO: ChatCompletionRequest["messages"] = [{ role: "user", content: "Prove it." }];

/** The maxTokens the route sends a request without an output limit. */
function sentMaxTokens(modelId: string, extra: Record<string, unknown>, reasoningBudget?: number) {
  const request = { model: "m", messages: HELLO, ...extra } as ChatCompletionRequest;
  return buildConverseBody(request, modelId, { reasoning_budget: reasoningBudget }).inferenceConfig?.maxTokens;
}

describe("the output limit reasoning sets on a request that sets none", () => {
  it("is the maxTokens the converse route sends, for every effort, streamed or not", () => {
    for (const reasoning_effort of ["minimal", "low", "medium", "high", "xhigh", "max"]) {
      for (const stream of [false, true]) {
        const limit = reasoningOutputLimit({ modelId: CLAUDE, reasoningEffort: reasoning_effort, stream });
        expect(limit, `${reasoning_effort} ${stream}`).toBe(sentMaxTokens(CLAUDE, { reasoning_effort, stream }));
      }
    }
    // The review's case: 32,768 thinking tokens and 4,096 for the answer.
    expect(reasoningOutputLimit({ modelId: CLAUDE, reasoningEffort: "xhigh", stream: true })).toBe(36_864);
    // "max" asks for at least xhigh's: Claude's budget has no top of its own.
    expect(reasoningOutputLimit({ modelId: CLAUDE, reasoningEffort: "max", stream: true })).toBe(36_864);
  });

  it("from the model's reasoning_budget when the request names no effort", () => {
    for (const stream of [false, true]) {
      const limit = reasoningOutputLimit({ modelId: CLAUDE, reasoningBudget: 30_000, stream });
      expect(limit).toBe(sentMaxTokens(CLAUDE, { stream }, 30_000));
    }
  });

  it("none where reasoning sets none: reasoning off, another family, an effort that is none", () => {
    expect(reasoningOutputLimit({ modelId: CLAUDE })).toBeUndefined();
    expect(reasoningOutputLimit({ modelId: CLAUDE, reasoningEffort: "none", reasoningBudget: 4096 })).toBeUndefined();
    expect(sentMaxTokens(CLAUDE, { reasoning_effort: "none" }, 4096)).toBeUndefined();
    expect(reasoningOutputLimit({ modelId: "amazon.nova-2-lite-v1:0", reasoningEffort: "high" })).toBeUndefined();
    for (const reasoningEffort of ["extreme", "constructor", 3, {}]) {
      expect(reasoningOutputLimit({ modelId: CLAUDE, reasoningEffort })).toBeUndefined();
    }
  });
});
