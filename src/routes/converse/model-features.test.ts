import { describe, expect, it } from "vitest";
import { refusesNamedToolChoice, takesTextOnly, toolUse } from "./model-features.ts";

describe("tool use by Converse model id", () => {
  it.each([
    ["us.anthropic.claude-sonnet-4-20250514-v1:0", "streamed"],
    ["anthropic.claude-3-5-haiku-20241022-v1:0", "streamed"],
    ["anthropic.claude-v2:1", "none"],
    ["anthropic.claude-instant-v1", "none"],
    ["amazon.nova-micro-v1:0", "streamed"],
    ["us.amazon.nova-2-lite-v1:0", "streamed"],
    ["us.meta.llama4-scout-17b-instruct-v1:0", "plain"],
    ["arn:aws:bedrock:us-east-1::foundation-model/meta.llama3-1-70b-instruct-v1:0", "plain"],
    ["mistral.mistral-large-2407-v1:0", "plain"],
    ["us.deepseek.r1-v1:0", "none"],
    ["openai.gpt-oss-120b-1:0", undefined],
    ["qwen.qwen3-32b-v1:0", undefined],
    ["arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6", undefined],
  ])("%s: %s", (id, use) => {
    expect(toolUse(id)).toBe(use);
  });

  it("refuses a named tool choice for the families the ToolChoice reference leaves out", () => {
    for (const id of ["meta.llama3-3-70b-instruct-v1:0", "mistral.mistral-small-2402-v1:0", "openai.gpt-oss-20b-1:0"]) {
      expect(refusesNamedToolChoice(id)).toBe(true);
    }
    for (const id of ["amazon.nova-pro-v1:0", "anthropic.claude-3-haiku-20240307-v1:0", "qwen.qwen3-32b-v1:0"]) {
      expect(refusesNamedToolChoice(id)).toBe(false);
    }
  });
});

describe("text-only models", () => {
  it.each([
    ["openai.gpt-oss-20b-1:0", true],
    ["us.deepseek.r1-v1:0", true],
    ["amazon.nova-micro-v1:0", true],
    ["anthropic.claude-3-5-haiku-20241022-v1:0", true],
    ["anthropic.claude-v2:1", true],
    ["amazon.nova-lite-v1:0", false],
    ["anthropic.claude-3-5-sonnet-20240620-v1:0", false],
    ["us.anthropic.claude-sonnet-4-20250514-v1:0", false],
    ["us.meta.llama4-maverick-17b-instruct-v1:0", false],
    ["arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6", false],
  ])("%s: %s", (id, textOnly) => {
    expect(takesTextOnly(id)).toBe(textOnly);
  });
});
