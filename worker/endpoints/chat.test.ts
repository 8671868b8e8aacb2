import { describe, expect, it } from "vitest";
import type { ChatCompletionChunk } from "../../src/openai/types.ts";
import { chunkText } from "./chat.ts";

function chunkOf(choices: ChatCompletionChunk["choices"]): ChatCompletionChunk {
  return { id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices };
}

describe("a chat chunk's text, counted for a stream cut before its usage", () => {
  it("is every choice's content, reasoning, refusal and tool-call arguments, in order", () => {
    const pieces: string[] = [];
    chunkText(
      chunkOf([
        { index: 0, delta: { content: "Hi", reasoning_content: "think" }, finish_reason: null },
        {
          index: 1,
          delta: {
            refusal: "no",
            tool_calls: [
              { index: 0, id: "t", type: "function", function: { name: "f", arguments: '{"a"' } },
              { index: 1, function: { name: "g" } },
              { index: 2, function: { arguments: ":1}" } },
            ],
          },
          finish_reason: null,
        },
      ]),
      (text) => pieces.push(text),
    );
    expect(pieces).toEqual(["Hi", "think", "no", '{"a"', ":1}"]);
  });

  it("is nothing for a chunk without choices or without text (the usage chunk, a role, an end)", () => {
    const pieces: string[] = [];
    const add = (text: string) => pieces.push(text);
    chunkText(chunkOf([]), add);
    chunkText(chunkOf([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]), add);
    chunkText(chunkOf([{ index: 0, delta: { tool_calls: [] }, finish_reason: "stop" }]), add);
    expect(pieces).toEqual([]);
  });
});
