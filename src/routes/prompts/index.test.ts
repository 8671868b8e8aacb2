import { describe, expect, it } from "vitest";
import { builtInRenderers, renderDeepSeekR1Prompt, renderLlama3Prompt, renderQwen2Prompt, renderQwen3Prompt } from "./index.ts";

describe("builtInRenderers", () => {
  it("names one renderer per built-in template", () => {
    expect(builtInRenderers).toEqual({
      deepseek_r1: renderDeepSeekR1Prompt,
      llama3: renderLlama3Prompt,
      qwen3: renderQwen3Prompt,
      qwen2: renderQwen2Prompt,
    });
  });
});
