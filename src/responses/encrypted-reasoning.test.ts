import { describe, expect, it } from "vitest";
import type { ThinkingBlock } from "../openai/types.ts";
import { decodeThinkingBlocks, encodeThinkingBlocks } from "./encrypted-reasoning.ts";

describe("encrypted_content of a reasoning item", () => {
  it("is base64url of the blocks' JSON, and decodes back to them, any text included", () => {
    const blocks: ThinkingBlock[] = [
      { type: "thinking", thinking: "Paris — 🌦 ~ ü?>", signature: "c2ln+/==" },
      { type: "redacted_thinking", data: "AAAA" },
    ];
    const encoded = encodeThinkingBlocks(blocks);
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(
      JSON.parse(
        new TextDecoder().decode(
          Uint8Array.from(atob(encoded.replaceAll("-", "+").replaceAll("_", "/")), (c) => c.charCodeAt(0)),
        ),
      ),
    ).toEqual({ thinking_blocks: blocks });
    expect(decodeThinkingBlocks(encoded, "input[1].encrypted_content")).toEqual(blocks);
  });

  it.each([
    ["OpenAI's own", "gAAAAABoLr0X9x"],
    ["not base64url", "a+b/c="],
    ["JSON of something else", btoa(JSON.stringify({ thinking_blocks: [{ type: "thinking", thinking: "x" }] }))],
  ])("%s is a 400 naming the field", (_, content) => {
    expect(() => decodeThinkingBlocks(content, "input[1].encrypted_content")).toThrow(
      expect.objectContaining({ status: 400, param: "input[1].encrypted_content" }),
    );
  });
});
