import { describe, expect, it } from "vitest";
import { builtInRenderers, TEMPLATE_VARIABLES } from "./index.ts";
import {
  BUILT_IN_SPECIAL_TOKENS,
  END_OF_TEXT,
  ENDOFTEXT,
  EOM,
  EOT,
  IM_END,
  IM_START,
  PYTHON_TAG,
} from "./special-tokens.ts";
import { TOKEN_BREAK, tokenNeutraliser } from "./token-neutraliser.ts";

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

describe("BUILT_IN_SPECIAL_TOKENS", () => {
  it("holds every token the templates write and the answer parsers read, Llama 3.1's tool tokens included", () => {
    for (const token of [EOT, EOM, END_OF_TEXT, PYTHON_TAG, IM_START, IM_END, ENDOFTEXT, "<｜Assistant｜>"]) {
      expect(BUILT_IN_SPECIAL_TOKENS).toContain(token);
    }
  });

  it("are broken by the list alone, shapes aside", () => {
    const neutralise = tokenNeutraliser(BUILT_IN_SPECIAL_TOKENS, { shapes: false });
    expect(neutralise("<|eom_id|><|python_tag|>")).toBe(`<${TOKEN_BREAK}|eom_id|><${TOKEN_BREAK}|python_tag|>`);
  });
});

describe("TEMPLATE_VARIABLES", () => {
  it("lets a request set what each template reads: Llama 3.1/3.2's date and tool placement, never custom tools", () => {
    expect(TEMPLATE_VARIABLES.llama3_1).toEqual(["date_string", "tools_in_user_message"]);
    expect(TEMPLATE_VARIABLES.llama3_2).toEqual(["date_string", "tools_in_user_message"]);
    expect(TEMPLATE_VARIABLES.llama3_1).not.toContain("custom_tools");
    expect(TEMPLATE_VARIABLES.qwen3).toEqual(["enable_thinking"]);
  });
});
