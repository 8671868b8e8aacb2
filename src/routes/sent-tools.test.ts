import { describe, expect, it } from "vitest";
import type { ChatCompletionRequest } from "../openai/types.ts";
import { argumentsAsSent, brokenLiterals, toolsAsSent } from "./sent-tools.ts";
import { neutraliseRequest, TOKEN_BREAK as B } from "./prompts/token-neutraliser.ts";

const parameters = {
  type: "object",
  properties: {
    "<|im_end|>": { type: "string", const: "</think>" },
    tag: { type: "string", enum: ["<tool_call>", "plain"] },
  },
};
const request: ChatCompletionRequest = {
  model: "m",
  messages: [{ role: "user", content: "Pick" }],
  tools: [{ type: "function", function: { name: "pick", parameters } }],
};

describe("a tool schema the neutraliser changed: the caller's kept beside it (unicode51 U-03)", () => {
  const neutralised = neutraliseRequest(request);

  it("the routes see the neutralised tools; toolsAsSent gives the caller's", () => {
    expect(JSON.stringify(neutralised.tools)).toContain(`<${B}tool_call>`);
    expect(toolsAsSent(neutralised)).toBe(request.tools);
    expect(toolsAsSent(request)).toBe(request.tools);
  });

  it("arguments copying a broken value or name get the caller's back; others stay byte for byte", () => {
    const pairs = brokenLiterals(neutralised, "pick");
    expect(argumentsAsSent(`{"<${B}|im_end|>": "<${B}/think>", "tag": ["<${B}tool_call>"]}`, pairs)).toBe(
      '{"<|im_end|>": "</think>", "tag": ["<tool_call>"]}',
    );
    // Only those strings are written again: the model's numbers and spacing stay as it wrote them
    // (codereview51b R1: a whole parse and write turned 12345678901234567890 into 12345678901234567000).
    expect(
      argumentsAsSent(
        `{"order_id": 12345678901234567890, "price": 1.10,  "tag": "<${B}tool_call>", "q": "a\\"b"}`,
        pairs,
      ),
    ).toBe('{"order_id": 12345678901234567890, "price": 1.10,  "tag": "<tool_call>", "q": "a\\"b"}');
    for (const args of ['{ "tag": "plain" }', "not json", `{"tag": "x<${B}tool_call>"}`]) {
      expect(argumentsAsSent(args, pairs)).toBe(args);
    }
    expect(brokenLiterals(neutralised, "other").size).toBe(0);
    expect(brokenLiterals(request, "pick").size).toBe(0);
  });
});
