import { describe, expect, it } from "vitest";
import { chatAnswer, completionAnswer, type ChatInput } from "./answers.ts";
import { emulatorModelId, type ModelIdOption, parseModelId, type ModelSpec } from "./model-id.ts";
import { splitPieces, tokensOf } from "./pieces.ts";

function spec(format: Parameters<typeof emulatorModelId>[0], options: ModelIdOption[] = []): ModelSpec {
  const parsed = parseModelId(emulatorModelId(format, options));
  if (!parsed) throw new Error("bad test id");
  return parsed;
}

describe("splitPieces", () => {
  it("joins back to the text and cuts every marker in two", () => {
    const text = "<think>\nWhy? 🤔 Because.\n</think>\n\n<tool_call>\n{}\n</tool_call>";
    const pieces = splitPieces(text);
    expect(pieces.join("")).toBe(text);
    for (const marker of ["<think>", "</think>", "<tool_call>", "</tool_call>"]) {
      expect(
        pieces.some((piece) => piece.includes(marker)),
        marker,
      ).toBe(false);
    }
  });

  it("never cuts a character in half", () => {
    for (const piece of splitPieces("🤖".repeat(20) + "｜▁".repeat(9)))
      expect(piece).not.toMatch(/[\uD800-\uDBFF]$|^[\uDC00-\uDFFF]/);
  });

  it("is deterministic", () => {
    expect(splitPieces("The same text, twice.")).toEqual(splitPieces("The same text, twice."));
  });
});

describe("answers", () => {
  it("counts prompt tokens as ceil(UTF-8 bytes / 4) and one token per piece", () => {
    expect(tokensOf("abcd")).toBe(1);
    expect(tokensOf("abcde")).toBe(2);
    expect(tokensOf("é")).toBe(1);
    const answer = completionAnswer(spec("llama"), { prompt: "12345678", stop: [] });
    expect(answer.promptTokens).toBe(2);
    expect(answer.outputTokens).toBe(answer.pieces.length);
  });

  it("r1 reasons inside the prompt's open think block, and not when the prompt closed it empty", () => {
    const text = (prompt: string) =>
      completionAnswer(spec("r1"), { prompt, stop: [] })
        .pieces.map((piece) => piece.text)
        .join("");
    const open = text("<｜User｜>Hi<｜Assistant｜><think>\n");
    expect(open).toMatch(/^Okay, .*\n<\/think>\n\nHello from the Bedrock emulator \(r1\)/);
    const closed = text("<｜User｜>Hi<｜Assistant｜><think>\n\n</think>\n\n");
    expect(closed).toMatch(/^Hello from the Bedrock emulator \(r1\)/);
    expect(closed).not.toContain("</think>");
  });

  it("r1 and qwen3 open their own think block after a prompt that opened none (R1 after a tool result)", () => {
    const text = (format: "r1" | "qwen3", prompt: string) =>
      completionAnswer(spec(format), { prompt, stop: [] })
        .pieces.map((piece) => piece.text)
        .join("");
    const afterTool = text("r1", "<｜tool▁output▁begin｜>18°C<｜tool▁output▁end｜><｜tool▁outputs▁end｜>");
    expect(afterTool).toMatch(/^<think>\nOkay, .*\n<\/think>\n\nHello from the Bedrock emulator \(r1\)/);
    const qwen = text("qwen3", "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
    expect(qwen).toMatch(/^<think>\nOkay, .*\n<\/think>\n\nHello from the Bedrock emulator \(qwen3\)/);
    // A chat_template whose generation prompt opens the block (Qwen3.5): the model continues it.
    const opened = text("qwen3", "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n");
    expect(opened).toMatch(/^Okay, .*\n<\/think>\n\nHello from the Bedrock emulator \(qwen3\)/);
    expect(text("qwen3", "<|im_start|>assistant\n<think>\n\n</think>\n\n")).toMatch(/^Hello from/);
  });

  it("cuts at max_gen_len with stop reason length", () => {
    const answer = completionAnswer(spec("qwen2"), { prompt: "x", maxTokens: 2, stop: [] });
    expect(answer).toMatchObject({ outputTokens: 2, finishReason: "length" });
  });

  it("keeps reasoning, content and tool pieces apart in the openai format", () => {
    const request: ChatInput = {
      name: "openai",
      family: "qwen",
      messages: [{ role: "user", text: "hi" }],
      tools: [{ name: "lookup" }],
      toolChoice: { kind: "auto" },
      parsesTools: true,
      stop: [],
    };
    const answer = chatAnswer(spec("openai", ["think", "tool"]), request);
    expect(answer.toolCall).toEqual({ name: "lookup", forced: false });
    expect(answer.finishReason).toBe("tool_calls");
    expect(new Set(answer.pieces.map((piece) => piece.channel))).toEqual(new Set(["reasoning", "tool"]));
    const after = chatAnswer(spec("openai", ["tool"]), {
      ...request,
      messages: [...request.messages, { role: "tool", text: "sunny" }],
    });
    expect(after).toMatchObject({ finishReason: "stop" });
    expect(after.toolCall).toBeUndefined();
  });
});
