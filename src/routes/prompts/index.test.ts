import { describe, expect, it } from "vitest";
import { builtInRenderers } from "./index.ts";

describe("builtInRenderers", () => {
  // Each name must render its own family's template (the per-template tests check them byte for byte).
  const input = { messages: [{ role: "user" as const, content: "Hi" }], kwargs: {} };
  const starts: Record<string, string> = {
    deepseek_r1: "<｜begin▁of▁sentence｜><｜User｜>Hi<｜Assistant｜><think>\n",
    llama3: "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>",
    llama3_1:
      "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n",
    llama3_2:
      "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: ",
    qwen3: "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
    qwen2: "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n",
  };

  it("names one renderer per built-in template, each rendering its family", () => {
    expect(Object.keys(builtInRenderers).sort()).toEqual(Object.keys(starts).sort());
    for (const [name, render] of Object.entries(builtInRenderers))
      expect(render(input).startsWith(starts[name]!), name).toBe(true);
  });
});
