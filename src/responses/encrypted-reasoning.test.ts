import { describe, expect, it } from "vitest";
import type { ThinkingBlock } from "../openai/types.ts";
import { decodeThinkingBlocks, encodeThinkingBlocks } from "./encrypted-reasoning.ts";

/** `text` as this server writes encrypted_content: base64url, unpadded. */
function base64url(text: string): string {
  return btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

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
    ["JSON of something else", base64url(JSON.stringify({ thinking_blocks: [{ type: "thinking", thinking: "x" }] }))],
    // Past the body's limits (50,000 containers, 64 levels), refused before it is parsed (amplify35 #3).
    ["JSON of a million arrays", base64url(`{"thinking_blocks":[],"x":[${"[],".repeat(1_000_000)}[]]}`)],
    ["JSON nested 1,000 deep", base64url(`{"thinking_blocks":[],"x":${"[".repeat(1_000)}${"]".repeat(1_000)}}`)],
    // Within the body's limits, but not what this server writes: the request's twenty such items were parsed.
    ["JSON of 40,000 arrays", base64url(`{"thinking_blocks":[],"x":[${"[],".repeat(40_000)}[]]}`)],
  ])("%s is a 400 naming the field", (name, content) => {
    // Each but the one so named is refused for what it holds, not for its letters.
    if (name !== "not base64url") expect(content).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(() => decodeThinkingBlocks(content, "input[1].encrypted_content")).toThrow(
      expect.objectContaining({ status: 400, param: "input[1].encrypted_content" }),
    );
  });
});
