import { describe, expect, it } from "vitest";
import { foundationModelId, modelFamily } from "./model-family.ts";
import { checksThinkingSignature } from "./model-features.ts";
import { toolUseId } from "./tool-ids.ts";

describe("model families from Converse model ids", () => {
  it.each([
    ["anthropic.claude-3-7-sonnet-20250219-v1:0", "claude_thinking"],
    ["anthropic.claude-sonnet-4-20250514-v1:0", "claude_thinking"],
    ["anthropic.claude-opus-4-1-20250805-v1:0", "claude_thinking"],
    ["anthropic.claude-haiku-4-5-20251001-v1:0", "claude_thinking"],
    ["anthropic.claude-3-5-sonnet-20240620-v1:0", "claude"],
    ["anthropic.claude-3-5-haiku-20241022-v1:0", "claude"],
    ["anthropic.claude-v2:1", "claude"],
    ["amazon.nova-2-lite-v1:0", "nova2"],
    ["amazon.nova-pro-v1:0", "nova"],
    ["amazon.nova-premier-v1:0", "nova"],
    ["openai.gpt-oss-120b-1:0", "gpt_oss"],
    ["deepseek.r1-v1:0", "deepseek_r1"],
    ["mistral.mistral-large-2407-v1:0", "mistral"],
    ["meta.llama3-1-8b-instruct-v1:0", "meta"],
    ["us.meta.llama4-maverick-17b-instruct-v1:0", "meta"],
    ["qwen.qwen3-32b-v1:0", "other"],
  ])("%s is %s", (id, family) => {
    expect(modelFamily(id)).toBe(family);
  });

  it("reads through every geography's cross-region inference profile, us-gov., jp., au. and ca. too", () => {
    for (const geography of ["us", "eu", "apac", "global", "us-gov", "jp", "au", "ca"]) {
      expect(modelFamily(`${geography}.anthropic.claude-sonnet-4-20250514-v1:0`)).toBe("claude_thinking");
    }
    expect(modelFamily("us.amazon.nova-2-lite-v1:0")).toBe("nova2");
  });

  it("reads through foundation-model and inference-profile ARNs", () => {
    expect(
      foundationModelId("arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0"),
    ).toBe("anthropic.claude-3-7-sonnet-20250219-v1:0");
    expect(
      modelFamily(
        "arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-sonnet-4-20250514-v1:0",
      ),
    ).toBe("claude_thinking");
  });

  it("cannot tell the family behind an opaque ARN", () => {
    for (const arn of [
      "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6",
      "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/a1b2c3d4e5f6",
      "arn:aws:bedrock:us-east-1:123456789012:imported-model/a1b2c3d4e5f6",
    ]) {
      expect(foundationModelId(arn)).toBeUndefined();
      expect(modelFamily(arn)).toBe("other");
    }
  });
});

describe("tool-use ids", () => {
  it("keeps ids Converse takes", () => {
    expect(toolUseId("call_AbC-123")).toBe("call_AbC-123");
    expect(toolUseId("tooluse_bpe71yCfRu2b5i-nKGDr5g")).toBe("tooluse_bpe71yCfRu2b5i-nKGDr5g");
  });

  it("maps other ids to legal, stable and distinct ones", () => {
    const odd = ["call:1", "call.1", "call 1", "x".repeat(65), "über/☃"];
    const mapped = odd.map(toolUseId);
    for (const id of mapped) expect(id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(new Set(mapped).size).toBe(odd.length);
    expect(odd.map(toolUseId)).toEqual(mapped);
    expect(toolUseId("call:1")).not.toBe(toolUseId("call1"));
  });
});

describe("checksThinkingSignature: the models whose reasoning signature Bedrock checks (codereview26 #3)", () => {
  it("Claude, by foundation id, cross-region profile or ARN", () => {
    for (const id of [
      "anthropic.claude-sonnet-4-20250514-v1:0",
      "anthropic.claude-3-5-haiku-20241022-v1:0",
      "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
      "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-opus-4-1-20250805-v1:0",
      "arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-sonnet-4-20250514-v1:0",
    ]) {
      expect(checksThinkingSignature(id)).toBe(true);
    }
  });

  it("no other family, and no id that names no foundation model (an imported model, an application profile)", () => {
    for (const id of [
      "deepseek.r1-v1:0",
      "openai.gpt-oss-120b-1:0",
      "amazon.nova-2-lite-v1:0",
      "meta.llama3-1-8b-instruct-v1:0",
      "arn:aws:bedrock:us-east-1:123456789012:imported-model/llama.echo",
      "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123",
    ]) {
      expect(checksThinkingSignature(id)).toBe(false);
    }
  });
});
