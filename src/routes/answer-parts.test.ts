import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ChunkDelta } from "../openai/types.ts";
import { createDeltaSplitter, finishWithCalls, messageOf, splitText } from "./answer-parts.ts";
import type { SplitterOptions } from "./answer-splitter.ts";
import { offeredCalls } from "./offered-calls.ts";
import { END_OF_TEXT, EOM, EOS, EOT, IM_END } from "./prompts/special-tokens.ts";
import { qwenToolSyntax } from "./tool-syntax.ts";

const qwen: SplitterOptions = { reasoning: "detect", tools: qwenToolSyntax, endMarkers: ["<|im_end|>"] };
const answer =
  '<think>\nLet me look.\n</think>\n\nChecking.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call><|im_end|>';

describe("a whole answer", () => {
  it("becomes the message's reasoning, content and tool calls", () => {
    const split = splitText(qwen, answer);
    expect(split.reasoning).toBe("Let me look.");
    expect(split.content).toBe("Checking.");
    expect(split.toolCalls).toEqual([
      {
        id: expect.stringMatching(/^call_/),
        type: "function",
        function: { name: "get_weather", arguments: '{"city": "Paris"}' },
      },
    ]);
    expect(messageOf(split)).toEqual({
      role: "assistant",
      content: "Checking.",
      refusal: null,
      reasoning_content: "Let me look.",
      tool_calls: split.toolCalls,
    });
  });

  it("only tool calls: content null; no reasoning, no tool calls: neither field", () => {
    expect(messageOf(splitText(qwen, answer.replace("Checking.\n", ""))).content).toBeNull();
    expect(messageOf(splitText(qwen, "Hi"))).toEqual({ role: "assistant", content: "Hi", refusal: null });
  });

  it("finishes with tool_calls when it called and stopped on its own", () => {
    expect(finishWithCalls("stop", 1)).toBe("tool_calls");
    expect(finishWithCalls(undefined, 1)).toBe("tool_calls");
    expect(finishWithCalls("length", 1)).toBe("length");
    expect(finishWithCalls(undefined, 0)).toBe("stop");
  });
});

describe("a whole answer in which no marker can begin", () => {
  // splitText gives such text as content without a splitter: what the splitter itself (as a
  // stream's delta splitter runs it) makes of the same text is the reference.
  const splitterContent = (options: SplitterOptions, text: string) => {
    const splitter = createDeltaSplitter(options);
    const deltas = [...splitter.push(text), ...splitter.end()];
    return {
      content: deltas.map((delta) => delta.content ?? "").join(""),
      reasoning: deltas.map((delta) => delta.reasoning_content ?? "").join(""),
    };
  };
  const options: SplitterOptions[] = [
    { reasoning: "never", endMarkers: [EOT, EOM, END_OF_TEXT] },
    { reasoning: "detect", endMarkers: [IM_END] },
  ];

  it("is read as the splitter reads it: all content, its spacing kept", () => {
    const text = fc.string({
      unit: fc.constantFrom(" ", "\n", "\t", "\u3000", "\u00a0", "a", "|", ">", "think", "im_start", "👋"),
      maxLength: 12,
    });
    fc.assert(
      fc.property(fc.constantFrom(...options), text, (options, text) => {
        const split = splitText(options, text);
        expect({ content: split.content, reasoning: split.reasoning }).toEqual(splitterContent(options, text));
        expect(split.content).toBe(text);
        expect(split.toolCalls).toEqual([]);
      }),
    );
  });

  it("is still split where a marker does begin", () => {
    expect(splitText(options[0]!, `Hi ${EOT} after`).content).toBe("Hi ");
    expect(splitText(options[1]!, "<think>Why</think>Hi")).toMatchObject({ reasoning: "Why", content: "Hi" });
    expect(splitText({ ...options[1]!, reasoning: "always" }, "Why</think>Hi").reasoning).toBe("Why");
  });

  it("is R1's reasoning when R1 starts inside it, as when max_tokens cuts the answer before </think>", () => {
    // mutation51: taking such text for content went unnoticed, as every R1 text here had a '<'.
    const r1: SplitterOptions = { reasoning: "always", endMarkers: [EOS] };
    const cut = "Okay, the user asks about Paris. Let me think";
    expect(splitText(r1, cut, "length")).toEqual({ reasoning: cut, content: "", toolCalls: [] });
    expect(splitterContent(r1, cut)).toEqual({ reasoning: cut, content: "" });
  });
});

describe("a streamed answer", () => {
  it("adds up to the whole one, pushed at every split point", () => {
    const whole = splitText(qwen, answer);
    for (let at = 0; at <= answer.length; at++) {
      const splitter = createDeltaSplitter(qwen);
      const deltas: ChunkDelta[] = [
        ...splitter.push(answer.slice(0, at)),
        ...splitter.push(answer.slice(at)),
        ...splitter.end(),
      ];
      const content = deltas.map((delta) => delta.content ?? "").join("");
      const reasoning = deltas.map((delta) => delta.reasoning_content ?? "").join("");
      const calls = deltas.flatMap((delta) => delta.tool_calls ?? []);
      expect({ content, reasoning }).toEqual({ content: whole.content, reasoning: whole.reasoning });
      expect(calls).toEqual([
        { index: 0, id: expect.stringMatching(/^call_/), type: "function", function: whole.toolCalls[0]!.function },
      ]);
      expect(splitter.toolCalls).toBe(1);
    }
  });

  it("gives all the text before the calls, as the whole message has it, at every split point", () => {
    const text =
      'Sure, checking.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>\nDone.<|im_end|>';
    const whole = splitText(qwen, text);
    expect(whole.content).toBe("Sure, checking.\n\nDone.");
    for (let at = 0; at <= text.length; at++) {
      const splitter = createDeltaSplitter(qwen);
      const deltas = [...splitter.push(text.slice(0, at)), ...splitter.push(text.slice(at)), ...splitter.end()];
      const firstCall = deltas.findIndex((delta) => delta.tool_calls);
      expect(firstCall).toBe(deltas.length - 1);
      expect(deltas.map((delta) => delta.content ?? "").join("")).toBe(whole.content);
    }
  });

  it("numbers its tool calls as it is told", () => {
    let index = 3;
    const splitter = createDeltaSplitter(qwen, () => index++);
    const calls = [...splitter.push(answer), ...splitter.end()].flatMap((delta) => delta.tool_calls ?? []);
    expect(calls.map((call) => call.index)).toEqual([3]);
  });

  it("stops on the same call as the whole answer when several are not offered: the first", () => {
    const tools = [{ type: "function" as const, function: { name: "get_weather" } }];
    const forced: SplitterOptions = {
      ...qwen,
      prefill: '<tool_call>\n{"name": "',
      admitCalls: offeredCalls(qwenToolSyntax, tools, {}),
    };
    const text = 'nope", "arguments": {}}\n</tool_call>\n<tool_call>\n{"name": "other", "arguments": {}}\n</tool_call>';
    expect(splitText(forced, text).unfinished).toMatchObject({ name: "nope", unoffered: "tools" });
    for (let at = 0; at <= text.length; at++) {
      const splitter = createDeltaSplitter(forced);
      [...splitter.push(text.slice(0, at)), ...splitter.push(text.slice(at)), ...splitter.end("stop")];
      expect(splitter.unfinished).toEqual(splitText(forced, text).unfinished);
    }
  });
});
