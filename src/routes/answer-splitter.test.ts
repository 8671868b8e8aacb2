import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AnswerPart,
  createAnswerSplitter,
  partialMarkerLength,
  reasoningStart,
  type SplitterOptions,
  type ToolSyntax,
} from "./answer-splitter.ts";
import { callPrefill, type ForcedCallFormat, forcedCallReader } from "./forced-call.ts";
import { offeredCalls } from "./offered-calls.ts";
import { deepseekForcedCalls } from "./prompts/deepseek-r1.ts";
import { llamaForcedCalls } from "./prompts/llama3.ts";
import { qwen2ForcedCalls, qwen3ForcedCalls } from "./prompts/qwen.ts";
import { END_OF_TEXT, ENDOFTEXT, EOM, EOS, EOT, IM_END } from "./prompts/special-tokens.ts";
import { TOOL_PARSERS } from "./tool-parsers.ts";
import { deepseekToolSyntax, llamaJsonToolSyntax, qwenToolSyntax } from "./tool-syntax.ts";

const R1: SplitterOptions = { reasoning: "always", endMarkers: ["<｜end▁of▁sentence｜>"] };
const QWEN3_TOOLS: SplitterOptions = {
  reasoning: "detect",
  tools: qwenToolSyntax,
  endMarkers: ["<|im_end|>", "<|endoftext|>"],
};
const LLAMA_TOOLS: SplitterOptions = {
  reasoning: "never",
  tools: llamaJsonToolSyntax,
  endMarkers: ["<|eot_id|>", "<|eom_id|>", "<|end_of_text|>"],
};

/** Concatenates parts by kind, so differently cut streams can be compared. */
function summary(parts: AnswerPart[]) {
  let reasoning = "";
  let content = "";
  const calls: string[] = [];
  for (const part of parts) {
    if (part.kind === "reasoning") reasoning += part.text;
    else if (part.kind === "content") content += part.text;
    else calls.push(`${part.name}(${part.arguments})`);
  }
  return { reasoning, content, calls };
}

function run(options: SplitterOptions, pieces: string[]): AnswerPart[] {
  const splitter = createAnswerSplitter(options);
  return [...pieces.flatMap((piece) => splitter.push(piece)), ...splitter.end()];
}

/** Every way of cutting `text` in two, and one character at a time. */
function cuttings(text: string): string[][] {
  const chars = Array.from(text);
  const out: string[][] = [chars];
  for (let i = 1; i < chars.length; i++) out.push([chars.slice(0, i).join(""), chars.slice(i).join("")]);
  return out;
}

describe("R1: the answer starts inside <think>", () => {
  const answer = "Okay, the user says hi.\nI should greet them.\n</think>\n\nHello! How can I help?";
  const expected = {
    reasoning: "Okay, the user says hi.\nI should greet them.",
    content: "Hello! How can I help?",
    calls: [],
  };

  it("splits reasoning from content, trimming the blank lines between", () => {
    expect(summary(run(R1, [answer]))).toEqual(expected);
  });

  it("gives the same result cut at every character, and one character at a time", () => {
    for (const pieces of cuttings(answer)) expect(summary(run(R1, pieces))).toEqual(expected);
  });

  it("never emits a fragment of </think> as reasoning", () => {
    const splitter = createAnswerSplitter(R1);
    const first = splitter.push("thinking</th");
    expect(summary(first).reasoning).toBe("thinking");
    const second = splitter.push("ink>done");
    expect(summary(second)).toEqual({ reasoning: "", content: "done", calls: [] });
  });

  it("releases a held-back '<' when it turns out not to be a marker", () => {
    const splitter = createAnswerSplitter(R1);
    expect(summary(splitter.push("a <")).reasoning).toBe("a");
    expect(summary(splitter.push("b")).reasoning).toBe(" <b");
  });

  it("treats a stream that never closes </think> as all reasoning", () => {
    expect(summary(run(R1, ["Hmm, let me think", " more about </thi"]))).toEqual({
      reasoning: "Hmm, let me think more about </thi",
      content: "",
      calls: [],
    });
  });

  it("ends the answer at an end-of-sentence token inside the reasoning: nothing after it is content", () => {
    const answer = "thinking<｜end▁of▁sentence｜>not the answer";
    for (const pieces of cuttings(answer)) {
      expect(summary(run(R1, pieces))).toEqual({ reasoning: "thinking", content: "", calls: [] });
    }
  });

  it("drops the layout at the end of reasoning that never closed, cut at every character", () => {
    for (const pieces of cuttings("thinking\r\n\n ")) {
      expect(summary(run(R1, pieces))).toEqual({ reasoning: "thinking", content: "", calls: [] });
    }
  });

  it("drops an explicit leading <think> and a trailing end-of-sentence token", () => {
    expect(summary(run(R1, ["<think>\nr\n</think>\n\nc<｜end▁of▁sentence｜>"]))).toEqual({
      reasoning: "r",
      content: "c",
      calls: [],
    });
  });
});

describe("Qwen3: reasoning only when the answer opens with <think>", () => {
  it("detects the think block, even split as '<th' + 'ink>'", () => {
    expect(summary(run(QWEN3_TOOLS, ["<th", "ink>\nplan\n</think>\n\nanswer"]))).toEqual({
      reasoning: "plan",
      content: "answer",
      calls: [],
    });
  });

  it("passes an answer without a think block through as content", () => {
    expect(summary(run(QWEN3_TOOLS, ["Hello", " there<|im_end|>"]))).toEqual({
      reasoning: "",
      content: "Hello there",
      calls: [],
    });
  });

  it("does not mistake a later <think> for reasoning", () => {
    expect(summary(run(QWEN3_TOOLS, ["I said <think> once"]))).toEqual({
      reasoning: "",
      content: "I said <think> once",
      calls: [],
    });
  });

  it("strips an echoed <|im_start|>assistant header", () => {
    expect(summary(run(QWEN3_TOOLS, ["<|im_start|>assis", "tant\nHi"]))).toEqual({
      reasoning: "",
      content: "Hi",
      calls: [],
    });
  });

  it("takes the header for an echo only at the very start, never after the model's own text or space", () => {
    const answer = "\n<|im_start|>assistant\nHi";
    for (const pieces of cuttings(answer)) expect(summary(run(QWEN3_TOOLS, pieces)).content).toBe(answer);
  });

  it("detects <think> after leading whitespace of any kind, which goes with the marker", () => {
    for (const space of ["\r\n", "\u00a0", "\u3000", "\ufeff"]) {
      for (const pieces of cuttings(`${space}<think>plan</think>answer`)) {
        expect([space, summary(run(QWEN3_TOOLS, pieces))]).toEqual([
          space,
          { reasoning: "plan", content: "answer", calls: [] },
        ]);
      }
    }
  });

  it("gives an answer that ends while it could still open a think block or a header as content", () => {
    for (const answer of ["<thi", "<|im_start|>assis", " <"]) {
      expect(summary(run(QWEN3_TOOLS, [answer]))).toEqual({ reasoning: "", content: answer, calls: [] });
    }
  });
});

describe("Qwen tool calls", () => {
  const answer =
    '<think>\nNeed weather.\n</think>\n\nLet me check.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>\n<tool_call>\n{"name": "get_time", "arguments": {"tz": "CET"}}\n</tool_call><|im_end|>';
  const expected = {
    reasoning: "Need weather.",
    content: "Let me check.",
    calls: ['get_weather({"city": "Paris"})', 'get_time({"tz": "CET"})'],
  };

  it("reads every call, with the text before them as content", () => {
    expect(summary(run(QWEN3_TOOLS, [answer]))).toEqual(expected);
  });

  it("gives the same result cut at every character", () => {
    for (const pieces of cuttings(answer)) expect(summary(run(QWEN3_TOOLS, pieces))).toEqual(expected);
  });

  it("accepts a last call left unclosed at the end of the turn", () => {
    expect(summary(run(QWEN3_TOOLS, ['<tool_call>\n{"name": "f", "arguments": {}}\n']))).toEqual({
      reasoning: "",
      content: "",
      calls: ["f({})"],
    });
  });

  it("keeps a malformed call as content rather than losing it", () => {
    expect(summary(run(QWEN3_TOOLS, ["<tool_call>\nnot json\n</tool_call>"]))).toEqual({
      reasoning: "",
      content: "<tool_call>\nnot json\n</tool_call>",
      calls: [],
    });
  });

  it("leaves <tool_call> text alone when the request offered no tools", () => {
    const options: SplitterOptions = { ...QWEN3_TOOLS, tools: undefined };
    expect(summary(run(options, ['<tool_call>{"name":"f","arguments":{}}</tool_call>'])).content).toBe(
      '<tool_call>{"name":"f","arguments":{}}</tool_call>',
    );
  });

  it("keeps trailing whitespace of an answer without calls", () => {
    expect(summary(run(QWEN3_TOOLS, ["line one\n", "line two\n"])).content).toBe("line one\nline two\n");
  });
});

describe("text around tool calls: as the model wrote it, less the calls' layout at the content's ends", () => {
  const call = (name: string) => `<tool_call>\n{"name": "${name}", "arguments": {}}\n</tool_call>`;
  const cases: Array<[string, string, string[]]> = [
    // The whitespace on both sides of the call separates the two sentences: all of it is kept.
    [`Sure, checking.\n${call("f")}\nDone.`, "Sure, checking.\n\nDone.", ["f({})"]],
    [`A\n${call("f")}\n${call("g")}\n\nB<|im_end|>`, "A\n\n\n\nB", ["f({})", "g({})"]],
    // Only at the content's ends is the whitespace layout, which the templates write back.
    [`Let me check.\n${call("f")}\n${call("g")}\n`, "Let me check.", ["f({})", "g({})"]],
    [`${call("f")}\n\nDone.\n`, "Done.", ["f({})"]],
    // No whitespace written, none added.
    [`Sure.${call("f")}Done.`, "Sure.Done.", ["f({})"]],
    // A malformed call stays in the text where the model wrote it.
    ["See:\n<tool_call>\nnot json\n</tool_call>\nok", "See:\n<tool_call>\nnot json\n</tool_call>\nok", []],
  ];

  for (const [answer, content, calls] of cases) {
    it(`${JSON.stringify(answer)}, cut at every character`, () => {
      for (const pieces of cuttings(answer)) {
        expect(summary(run(QWEN3_TOOLS, pieces))).toEqual({ reasoning: "", content, calls });
      }
    });
  }

  it("DeepSeek's calls likewise", () => {
    const options: SplitterOptions = { ...R1, reasoning: "never", tools: deepseekToolSyntax };
    const block =
      "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>f\n```json\n{}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>";
    for (const pieces of cuttings(`Checking.\n\n${block}\nDone.<｜end▁of▁sentence｜>`)) {
      expect(summary(run(options, pieces))).toEqual({
        reasoning: "",
        content: "Checking.\n\n\nDone.",
        calls: ["f({})"],
      });
    }
  });
});

describe("only the template's layout is dropped, never the answer's own spacing (unicode5)", () => {
  // A Chinese paragraph opens with two ideographic spaces; a no-break space, a BOM or a line
  // separator is text too. Newlines, spaces and tabs around the markers are the layout.
  const own = ["\u3000\u3000第一段。", "\u00a0indented", "\ufeffBOM", "\u2028line"];
  for (const text of own) {
    it(`${JSON.stringify(text)} after </think> (R1 and Qwen3) and after a call, cut at every character`, () => {
      for (const pieces of cuttings(`想一想\u3000\n</think>\n\n${text}\n`)) {
        expect(summary(run(R1, pieces))).toEqual({ reasoning: "想一想\u3000", content: `${text}\n`, calls: [] });
      }
      for (const pieces of cuttings(`<think>\n${text}\n</think>\n\n${text}`)) {
        expect(summary(run(QWEN3_TOOLS, pieces))).toEqual({ reasoning: text, content: text, calls: [] });
      }
      const call = '<tool_call>\n{"name": "f", "arguments": {}}\n</tool_call>';
      for (const pieces of cuttings(`${call}\n\n${text}\u3000\n`)) {
        expect(summary(run(QWEN3_TOOLS, pieces))).toEqual({
          reasoning: "",
          content: `${text}\u3000`,
          calls: ["f({})"],
        });
      }
    });
  }
});

describe("after </think>, only the newlines the template writes are dropped: an indented first line keeps its indent (unicode51 U-04)", () => {
  // The Qwen3 template strips only newlines there, and vLLM's reasoning parsers nothing.
  const code = "    return x + 1\n\nThat line is the body.";
  it("R1 and Qwen3, spaces and a tab, cut at every character", () => {
    for (const indented of [code, `\t${code}`, ` ${code}`]) {
      for (const pieces of cuttings(`reasoning\n</think>\n\n${indented}`)) {
        expect(summary(run(R1, pieces))).toEqual({ reasoning: "reasoning", content: indented, calls: [] });
      }
      for (const pieces of cuttings(`<think>\nreasoning\n</think>\r\n\r\n${indented}`)) {
        expect(summary(run(QWEN3_TOOLS, pieces))).toEqual({ reasoning: "reasoning", content: indented, calls: [] });
      }
    }
  });
});

describe("a carriage return is layout too: CRLF line ends around the markers are dropped", () => {
  it("before and after </think> (R1 and Qwen3) and after a call, cut at every character", () => {
    for (const pieces of cuttings("Thinking\r\n</think>\r\n\r\nAnswer")) {
      expect(summary(run(R1, pieces))).toEqual({ reasoning: "Thinking", content: "Answer", calls: [] });
    }
    for (const pieces of cuttings("<think>\r\nThinking\r</think>\r\n\r\nAnswer")) {
      expect(summary(run(QWEN3_TOOLS, pieces))).toEqual({ reasoning: "Thinking", content: "Answer", calls: [] });
    }
    const call = '<tool_call>\r\n{"name": "f", "arguments": {}}\r\n</tool_call>';
    for (const pieces of cuttings(`${call}\r\n\r\nAnswer\r\n`)) {
      expect(summary(run(QWEN3_TOOLS, pieces))).toEqual({ reasoning: "", content: "Answer", calls: ["f({})"] });
    }
  });
});

describe("DeepSeek tool calls", () => {
  it("reads the R1 markers", () => {
    const text =
      'I will call it.\n</think>\n\n<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n```json\n{"city": "Paris"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜><｜end▁of▁sentence｜>';
    const options: SplitterOptions = { ...R1, tools: deepseekToolSyntax };
    for (const pieces of cuttings(text)) {
      expect(summary(run(options, pieces))).toEqual({
        reasoning: "I will call it.",
        content: "",
        calls: ['get_weather({"city": "Paris"})'],
      });
    }
  });
});

describe("Llama JSON tool calls: no opening marker", () => {
  const call = (name: string, args: string) => `${name}(${args})`;

  it("reads an answer that is a call, with parameters or arguments, after whitespace or <|python_tag|>", () => {
    const answers = [
      '{"name": "get_weather", "parameters": {"city": "Paris"}}',
      '\n {"name": "get_weather", "arguments": {"city": "Paris"}}<|eot_id|>',
      '<|python_tag|>{"name": "get_weather", "parameters": {"city": "Paris"}}<|eom_id|>',
    ];
    for (const answer of answers) {
      expect(summary(run(LLAMA_TOOLS, [answer])), answer).toEqual({
        reasoning: "",
        content: "",
        calls: ['get_weather({"city": "Paris"})'],
      });
    }
    // Arguments given as a JSON string stay that string.
    const stringArguments = ' <|python_tag|> {"name": "f", "parameters": "{\\"city\\": \\"Paris\\"}"}\n';
    expect(summary(run(LLAMA_TOOLS, [stringArguments])).calls).toEqual(['f({"city": "Paris"})']);
  });

  it("reads several calls separated by ';', and gives the same cut at every character", () => {
    const answer =
      '{"name": "get_weather", "parameters": {"city": "Paris; Rome", "n": [1, {"x": "}"}]}}; ' +
      '{"name": "get_time", "parameters": {}} ;{"name":"f","arguments":{"q":"\\"}"}}<|eot_id|>';
    const expected = {
      reasoning: "",
      content: "",
      calls: [
        call("get_weather", '{"city": "Paris; Rome", "n": [1, {"x": "}"}]}'),
        call("get_time", "{}"),
        call("f", '{"q":"\\"}"}'),
      ],
    };
    for (const pieces of cuttings(answer)) expect(summary(run(LLAMA_TOOLS, pieces))).toEqual(expected);
  });

  it("streams text that does not begin with '{' at once, holding back only a possible <|python_tag|>", () => {
    const splitter = createAnswerSplitter(LLAMA_TOOLS);
    expect(splitter.push("  ")).toEqual([]);
    expect(splitter.push("<|py")).toEqual([]);
    expect(summary(splitter.push("thon is fun")).content).toBe("  <|python is fun");
    expect(summary(splitter.push(' {"name": "x", "parameters": {}}')).content).toBe(' {"name": "x", "parameters": {}}');
    expect(splitter.end()).toEqual([]);
    expect(splitter.toolCalls).toBe(0);
  });

  it("keeps JSON that is not a call as the content, whole", () => {
    const answers = [
      '{"answer": 42}',
      '{"name": "Bob", "age": 42}',
      '{"name": "f", "parameters": [1]}',
      '{"name": "f", "parameters": {}} and then some text',
      '{"name": "f", "parameters": {}}; not a call',
      '{"name": "f", "parameters": {"unclosed": 1}',
      "{not json at all",
      '<|python_tag|>brave_search.call(query="weather")',
    ];
    for (const answer of answers) {
      for (const pieces of [[answer], Array.from(answer)]) {
        expect(summary(run(LLAMA_TOOLS, pieces)), answer).toEqual({ reasoning: "", content: answer, calls: [] });
      }
    }
  });

  it("leaves JSON alone when the request offered no tools", () => {
    const answer = '{"name": "f", "parameters": {}}';
    expect(summary(run({ ...LLAMA_TOOLS, tools: undefined }, [answer])).content).toBe(answer);
  });

  it("gives an answer that ends while it could still begin a call as content", () => {
    for (const answer of ["<|python", "  <|py"]) {
      expect(summary(run(LLAMA_TOOLS, [answer]))).toEqual({ reasoning: "", content: answer, calls: [] });
    }
  });

  it("counts each call of an answer that holds several", () => {
    const splitter = createAnswerSplitter(LLAMA_TOOLS);
    splitter.push('{"name": "f", "parameters": {}}; {"name": "g", "parameters": {}}');
    splitter.end();
    expect(splitter.toolCalls).toBe(2);
  });

  it("stops at the end-of-turn token, calls or text", () => {
    expect(summary(run(LLAMA_TOOLS, ['{"name": "f", "parameters": {}}<|eot_id|>ignored']))).toEqual({
      reasoning: "",
      content: "",
      calls: ["f({})"],
    });
    expect(summary(run(LLAMA_TOOLS, ["Hi<|eot_id|>ignored"])).content).toBe("Hi");
  });
});

describe("a forced call's prefill", () => {
  const QWEN2_TOOLS: SplitterOptions = { ...QWEN3_TOOLS, reasoning: "never" };
  const cases: Array<{ family: string; options: SplitterOptions; prefill: string; continuation: string }> = [
    {
      family: "qwen3, any function",
      options: QWEN3_TOOLS,
      prefill: '<think>\n\n</think>\n\n<tool_call>\n{"name": "',
      continuation: 'get_weather", "arguments": {"city": "Paris"}}\n</tool_call><|im_end|>',
    },
    {
      family: "qwen2, named",
      options: QWEN2_TOOLS,
      prefill: '<tool_call>\n{"name": "get_weather", "arguments": ',
      continuation: '{"city": "Paris"}}\n</tool_call>',
    },
    {
      family: "llama, any function",
      options: LLAMA_TOOLS,
      prefill: '{"name": "',
      continuation: 'get_weather", "parameters": {"city": "Paris"}}<|eot_id|>',
    },
    {
      family: "llama, named",
      options: LLAMA_TOOLS,
      prefill: '{"name": "get_weather", "parameters": ',
      continuation: '{"city": "Paris"}}',
    },
    {
      family: "deepseek_r1, any function",
      options: { ...R1, tools: deepseekToolSyntax },
      prefill: "<think>\n\n</think>\n\n<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>",
      continuation:
        'get_weather\n```json\n{"city": "Paris"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜><｜end▁of▁sentence｜>',
    },
    {
      family: "deepseek_r1, named",
      options: { ...R1, tools: deepseekToolSyntax },
      prefill:
        "<think>\n\n</think>\n\n<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n```json\n",
      continuation: '{"city": "Paris"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>',
    },
  ];

  for (const { family, options, prefill, continuation } of cases) {
    it(`${family}: reads the continuation as the call, cut at every character`, () => {
      for (const pieces of cuttings(continuation)) {
        expect(summary(run({ ...options, prefill }, pieces))).toEqual({
          reasoning: "",
          content: "",
          calls: [expect.stringMatching(/^get_weather\(\{"city": ?"Paris"\}\)$/)],
        });
      }
    });

    it(`${family}: gives back the model's own text, never the prefill, when it does not call`, () => {
      const text = "I would rather not call anything.";
      for (const pieces of [[text], Array.from(text)]) {
        expect(summary(run({ ...options, prefill }, pieces))).toEqual({ reasoning: "", content: text, calls: [] });
      }
    });
  }

  it("returns nothing for the prefill itself, even when the model says nothing", () => {
    for (const { options, prefill } of cases) {
      const splitter = createAnswerSplitter({ ...options, prefill });
      expect(splitter.end()).toEqual([]);
    }
  });

  it("keeps text after the forced call as content", () => {
    const parts = run({ ...QWEN2_TOOLS, prefill: '<tool_call>\n{"name": "' }, [
      'f", "arguments": {}}\n</tool_call>\nDone.',
    ]);
    expect(summary(parts)).toEqual({ reasoning: "", content: "Done.", calls: ["f({})"] });
  });
});

describe("calls to functions the request does not offer (offered-calls.ts)", () => {
  const offered = ["get_weather", "get_time"].map((name) => ({ type: "function" as const, function: { name } }));
  const QWEN2_TOOLS: SplitterOptions = { ...QWEN3_TOOLS, reasoning: "never" };
  const R1_TOOLS: SplitterOptions = { ...R1, tools: deepseekToolSyntax };
  const forcedOptions = (options: SplitterOptions, format: ForcedCallFormat, call: { name?: string }) => ({
    ...options,
    prefill: callPrefill(format, call),
    readForcedCall: forcedCallReader(format, call, offered),
    admitCalls: offeredCalls(options.tools!, offered, call),
  });
  const families = [
    {
      family: "qwen3",
      options: QWEN3_TOOLS,
      format: qwen3ForcedCalls,
      unknown: 'get_current_weather", "arguments": {"city": "Paris"}}\n</tool_call>',
      second: '{"city": "Paris"}}\n</tool_call>\n<tool_call>\n{"name": "get_time", "arguments": {}}\n</tool_call>',
    },
    {
      family: "qwen2",
      options: QWEN2_TOOLS,
      format: qwen2ForcedCalls,
      unknown: 'get_current_weather", "arguments": {"city": "Paris"}}\n</tool_call>',
      second: '{"city": "Paris"}}\n</tool_call>\n<tool_call>\n{"name": "get_weather", "arguments": {}}\n</tool_call>',
    },
    {
      family: "llama",
      options: LLAMA_TOOLS,
      format: llamaForcedCalls,
      unknown: 'get_current_weather", "parameters": {"city": "Paris"}}',
      second: '{"city": "Paris"}}; {"name": "get_time", "parameters": {}}',
    },
    {
      family: "deepseek_r1",
      options: R1_TOOLS,
      format: deepseekForcedCalls,
      unknown: 'get_current_weather\n```json\n{"city": "Paris"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>',
      second:
        '{"city": "Paris"}\n```<｜tool▁call▁end｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_time\n```json\n{}\n```' +
        "<｜tool▁call▁end｜><｜tool▁calls▁end｜>",
    },
  ];

  for (const { family, options, format, unknown, second } of families) {
    it(`${family}: a forced call to a function not in tools is no call, whatever the cut`, () => {
      const required = forcedOptions(options, format, {});
      for (const pieces of cuttings(unknown)) {
        const parts = run(required, pieces);
        expect(parts, pieces.join("|")).toEqual([
          {
            kind: "unfinished_call",
            name: "get_current_weather",
            arguments: "",
            cut: false,
            markup: expect.stringContaining(unknown),
            unoffered: "tools",
          },
        ]);
      }
    });

    it(`${family}: a named forced call is the one call, the calls written after it left out`, () => {
      const named = forcedOptions(options, format, { name: "get_weather" });
      for (const pieces of cuttings(second)) {
        expect(summary(run(named, pieces))).toEqual({
          reasoning: "",
          content: "",
          calls: ['get_weather({"city": "Paris"})'],
        });
      }
      // Without the check (as before), the second call came back too.
      expect(summary(run({ ...named, admitCalls: undefined }, [second])).calls).toHaveLength(2);
    });
  }

  it("under required, every call must name an offered function, the forced one and any after it", () => {
    const required = forcedOptions(QWEN2_TOOLS, qwen2ForcedCalls, {});
    const two =
      'get_weather", "arguments": {}}\n</tool_call>\n<tool_call>\n{"name": "get_time", "arguments": {}}\n</tool_call>';
    expect(summary(run(required, [two])).calls).toEqual(["get_weather({})", "get_time({})"]);
    const parts = run(required, [two.replace('"get_time"', '"nope"')]);
    expect(parts.filter((part) => part.kind === "unfinished_call")).toEqual([
      {
        kind: "unfinished_call",
        name: "nope",
        arguments: "",
        cut: false,
        markup: '<tool_call>\n{"name": "nope", "arguments": {}}\n</tool_call>',
        unoffered: "tools",
      },
    ]);
    // Text written into the name slot reads as a call named by it: not an offered function either.
    expect(run(required, ['Sorry"}\n</tool_call>'])).toMatchObject([{ kind: "unfinished_call", name: "Sorry" }]);
  });

  it("under required, words and then a <tool_call> that cannot be read are the answer's text, without the prefill", () => {
    // mutation51: the text given back began with the hidden prefill, '<tool_call>\n{"name": "'.
    const required = forcedOptions(QWEN2_TOOLS, qwen2ForcedCalls, {});
    const answer = "I cannot help with that.<tool_call>\nnot json\n</tool_call>";
    expect(run(required, [answer])).toEqual([{ kind: "content", text: answer }]);
    for (const pieces of cuttings(answer)) {
      expect(summary(run(required, pieces)), pieces.join("|")).toEqual({ reasoning: "", content: answer, calls: [] });
    }
  });

  it("a named call's name is the named function's, even where the JSON says it twice", () => {
    const named = forcedOptions(QWEN2_TOOLS, qwen2ForcedCalls, { name: "get_weather" });
    expect(run(named, ['{}, "name": "get_time"}\n</tool_call>'])).toMatchObject([
      { kind: "unfinished_call", name: "get_time", unoffered: "tool_choice" },
    ]);
  });

  it("a forced call the model said nothing after is nothing, not a call cut before its arguments", () => {
    for (const { options, format } of families) {
      for (const call of [{}, { name: "get_weather" }]) {
        expect(run(forcedOptions(options, format, call), [])).toEqual([]);
      }
    }
  });

  it("a forced call the model closed is not cut, even with its arguments unfinished, and a broken one has none", () => {
    const named = forcedOptions(QWEN2_TOOLS, qwen2ForcedCalls, { name: "get_weather" });
    const opening = '<tool_call>\n{"name": "get_weather", "arguments": ';
    for (const [written, cut] of [
      ['{"city": "Par', { kind: "cut", arguments: '{"city": "Par' }],
      ['{"city": }', { kind: "broken", arguments: "" }],
    ] as const) {
      const parts = run(named, [`${written}</tool_call>`]);
      expect([cut.kind, parts]).toEqual([
        cut.kind,
        [
          {
            kind: "unfinished_call",
            name: "get_weather",
            arguments: cut.kind === "cut" ? cut.arguments : "",
            cut: false,
            markup: `${opening}${written}</tool_call>`,
          },
        ],
      ]);
    }
    // Unclosed at the end of the answer, the same text is cut.
    expect(run(named, ['{"city": "Par'])).toMatchObject([{ kind: "unfinished_call", cut: true }]);
  });

  it("unforced, Llama JSON that names no offered function is the answer's text, at every cut", () => {
    const auto = { ...LLAMA_TOOLS, admitCalls: offeredCalls(llamaJsonToolSyntax, offered, undefined) };
    for (const answer of [
      '{"name": "Ada Lovelace", "arguments": {"born": 1815}}',
      '{"name": "get_weather", "parameters": {}}; {"name": "Bob", "parameters": {}}',
    ]) {
      for (const pieces of cuttings(answer)) {
        expect(summary(run(auto, pieces))).toEqual({ reasoning: "", content: answer, calls: [] });
      }
    }
    const calls = '{"name": "get_weather", "parameters": {}}; {"name": "get_time", "parameters": {}}';
    expect(summary(run(auto, [calls])).calls).toEqual(["get_weather({})", "get_time({})"]);
  });

  it("unforced, a call in Qwen's or DeepSeek's markup is a call whatever it names (as vLLM's parsers read it)", () => {
    expect(offeredCalls(qwenToolSyntax, offered, undefined)).toBeUndefined();
    expect(offeredCalls(deepseekToolSyntax, offered, undefined)).toBeUndefined();
    const qwen = '<tool_call>\n{"name": "nope", "arguments": {}}\n</tool_call>';
    expect(summary(run(QWEN3_TOOLS, [qwen])).calls).toEqual(["nope({})"]);
  });
});

describe("an end-of-turn token in or around a tool block: the first of it and the close ends the call (parity6)", () => {
  // A plain answer has all its text at once; a stream meets the end token before any close that
  // follows it. Both read up to whichever comes first.
  const repro =
    '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n<|im_end|>\n' +
    "<|im_start|>user\n<tool_response>\nsunny\n</tool_response><|im_end|>\n<|im_start|>assistant\n" +
    '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Rome"}}\n</tool_call>';

  it("a call left unclosed at the end token is read, and a turn the model goes on inventing is not", () => {
    for (const pieces of [[repro], Array.from(repro), repro.split("")]) {
      expect(summary(run(QWEN3_TOOLS, pieces))).toEqual({
        reasoning: "",
        content: "",
        calls: ['get_weather({"city": "Paris"})'],
      });
    }
  });

  it("an end token before a close, in a forced call's block, ends the text there", () => {
    const qwen = { ...QWEN3_TOOLS, prefill: callPrefill(qwen3ForcedCalls, {}) };
    const deepseek = { ...R1, tools: deepseekToolSyntax, prefill: callPrefill(deepseekForcedCalls, {}) };
    // The review's smallest cases: the model's own text before the end token is the content.
    const cases: Array<[SplitterOptions, string, string]> = [
      [qwen, "😀<|endoftext|></tool_call>", "😀"],
      [deepseek, "<｜end▁of▁sentence｜><｜tool▁calls▁end｜>", ""],
    ];
    for (const [options, text, content] of cases) {
      for (const pieces of [[text], Array.from(text), text.split("")]) {
        expect(summary(run(options, pieces)), text).toEqual({ reasoning: "", content, calls: [] });
      }
    }
  });

  it("an end token that runs into the close still comes first, however the text is cut", () => {
    // No family's end token has a "<" past its first character, so none can run into a close
    // (which starts with one); the splitter does not count on it.
    const options: SplitterOptions = { reasoning: "never", tools: qwenToolSyntax, endMarkers: ["<stop></tool"] };
    const answer = '<tool_call>\n{"name": "f", "arguments": {}}\n<stop></tool_call>after';
    for (const pieces of cuttings(answer)) {
      expect(summary(run(options, pieces))).toEqual({ reasoning: "", content: "", calls: ["f({})"] });
    }
  });

  // Every route's markers: each family's tool syntax, end tokens and forced-call formats; the
  // openai route's tool parsers, which know no end tokens (the tokens are then text).
  const toolsOffered = ["f", "get_weather"].map((name) => ({
    type: "function" as const,
    function: { name, parameters: { type: "object", properties: {} } },
  }));
  const text = ["ok", " ", "\n", "\n\n", "😀", "中", "e\u0301", "<", "|", ">", "{", "}", '"', "<think>", "</think>"];
  const qwenPieces = [
    "<tool_call>",
    "</tool_call>",
    "<tool_call>\n",
    "\n</tool_call>",
    '{"name": "f", "arguments": {"q": "x"}}',
    '{"name": "get_weather", "arguments": ',
    'f", "arguments": {}}',
    '{"city": "Paris"}}',
    '{"city": "Par',
    "<|im_start|>assistant\n",
    '{"name": "nope", "arguments": {}}',
    'nope", "arguments": {}}',
    'Sorry, no."}',
  ];
  const deepseekPieces = [
    "<｜tool▁calls▁begin｜>",
    "<｜tool▁call▁begin｜>",
    "function<｜tool▁sep｜>",
    "f\n```json\n",
    'get_weather\n```json\n{"city": "Paris"}\n```',
    "nope\n```json\n{}\n```",
    '{"q": 1}',
    "\n```",
    "<｜tool▁call▁end｜>",
    "<｜tool▁calls▁end｜>",
  ];
  const llamaPieces = [
    '{"name": "f", "parameters": {"q": 1}}',
    '{"name": "Ada", "arguments": {}}',
    'nope", "parameters": {}}',
    'Sorry, no."}',
    '{"name": "',
    'get_weather", "parameters": ',
    '{"city": "Paris"}',
    "<|python_tag|>",
    "; ",
    "}",
  ];
  interface Family {
    route: string;
    reasoning: SplitterOptions["reasoning"];
    syntax: ToolSyntax;
    forced: ForcedCallFormat;
    endMarkers: readonly string[];
    pieces: string[];
  }
  const families: Family[] = [
    {
      route: "deepseek_r1",
      reasoning: "always",
      syntax: deepseekToolSyntax,
      forced: deepseekForcedCalls,
      endMarkers: [EOS],
      pieces: deepseekPieces,
    },
    {
      route: "llama",
      reasoning: "never",
      syntax: llamaJsonToolSyntax,
      forced: llamaForcedCalls,
      endMarkers: [EOT, EOM, END_OF_TEXT],
      pieces: llamaPieces,
    },
    {
      route: "qwen3",
      reasoning: "detect",
      syntax: qwenToolSyntax,
      forced: qwen3ForcedCalls,
      endMarkers: [IM_END, ENDOFTEXT],
      pieces: qwenPieces,
    },
    {
      route: "qwen2",
      reasoning: "never",
      syntax: qwenToolSyntax,
      forced: qwen2ForcedCalls,
      endMarkers: [IM_END, ENDOFTEXT],
      pieces: qwenPieces,
    },
  ];
  const allEndMarkers = families.flatMap((family) => family.endMarkers);
  const readings: Array<{ name: string; options: SplitterOptions; pieces: string[] }> = [];
  for (const family of families) {
    const { reasoning, syntax: tools, endMarkers, forced, pieces } = family;
    // Each with the check of called names the route gives it (offered-calls.ts).
    const forcedOptions = (call: { name?: string }): SplitterOptions => ({
      reasoning,
      tools,
      endMarkers,
      prefill: callPrefill(forced, call),
      readForcedCall: forcedCallReader(forced, call, toolsOffered),
      admitCalls: offeredCalls(tools, toolsOffered, call),
    });
    const admitCalls = offeredCalls(tools, toolsOffered, undefined);
    readings.push(
      {
        name: `${family.route}, tools`,
        options: { reasoning, tools, endMarkers, ...(admitCalls ? { admitCalls } : {}) },
        pieces,
      },
      { name: `${family.route}, a forced call`, options: forcedOptions({}), pieces },
      { name: `${family.route}, a named forced call`, options: forcedOptions({ name: "get_weather" }), pieces },
      { name: `${family.route}, no tools`, options: { reasoning, endMarkers }, pieces },
    );
  }
  for (const [parser, tools] of Object.entries(TOOL_PARSERS)) {
    const pieces = families.find((family) => family.syntax === tools)?.pieces ?? [];
    const admitCalls = offeredCalls(tools, toolsOffered, undefined);
    readings.push({
      name: `openai, tool_parser ${parser}`,
      options: { reasoning: "never", tools, endMarkers: [], ...(admitCalls ? { admitCalls } : {}) },
      pieces,
    });
  }

  /** The parts, joined by kind, with the forced call left unfinished as it stands. */
  const reading = (parts: AnswerPart[]) => ({
    ...summary(parts.filter((part) => part.kind !== "unfinished_call")),
    unfinished: parts.filter((part) => part.kind === "unfinished_call"),
  });

  for (const { name, options, pieces } of readings) {
    it(`${name}: one frame reads as per-code-point and per-code-unit frames (fast-check)`, () => {
      const answer = fc
        .array(fc.constantFrom(...pieces, ...allEndMarkers, ...text), { maxLength: 14 })
        .map((fragments) => fragments.join(""));
      fc.assert(
        fc.property(answer, (answer) => {
          const whole = reading(run(options, [answer]));
          expect(reading(run(options, Array.from(answer)))).toEqual(whole);
          expect(reading(run(options, answer.split("")))).toEqual(whole);
        }),
        { numRuns: 400 },
      );
    });
  }
});

describe("reasoningStart: where the answer starts, read from the prompt it continues (reasoning32)", () => {
  it("inside reasoning after an open <think> and the layout after it", () => {
    expect(reasoningStart("<｜User｜>Hi<｜Assistant｜><think>\n")).toBe("always");
    expect(reasoningStart("<|im_start|>assistant\n<think>\n")).toBe("always");
    expect(reasoningStart("<|im_start|>assistant\n<think>")).toBe("always");
    expect(reasoningStart("<|im_start|>assistant\n<think> \r\n\t\n")).toBe("always");
  });

  it("as content after a closed think block: the empty one a forced call, a held answer or enable_thinking false prefills", () => {
    expect(reasoningStart("<｜Assistant｜><think>\n\n</think>\n\n")).toBe("never");
    expect(reasoningStart("<|im_start|>assistant\n<think>\n\n</think>\n\n")).toBe("never");
    expect(reasoningStart("<think>\nI thought.\n</think>")).toBe("never");
  });

  it("as the answer opens anywhere else: R1 after a tool result, Qwen3's own generation prompt", () => {
    expect(reasoningStart("<｜tool▁output▁end｜><｜tool▁outputs▁end｜>")).toBe("detect");
    expect(reasoningStart("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")).toBe("detect");
    expect(reasoningStart("")).toBe("detect");
    expect(reasoningStart("\n\n")).toBe("detect");
  });

  it("only layout is skipped: a tag followed by other text, or by other spacing, is not the prompt's end", () => {
    expect(reasoningStart("<think>\nSo far")).toBe("detect");
    expect(reasoningStart("</think>\n\nAnswer: ")).toBe("detect");
    expect(reasoningStart("<think>\u3000")).toBe("detect");
    expect(reasoningStart("<think/>")).toBe("detect");
  });
});

describe("partialMarkerLength", () => {
  it("finds the longest tail that could begin a marker", () => {
    expect(partialMarkerLength("abc</thi", ["</think>"])).toBe(5);
    expect(partialMarkerLength("abc<", ["</think>", "<tool_call>"])).toBe(1);
    expect(partialMarkerLength("abc", ["</think>"])).toBe(0);
    expect(partialMarkerLength("</think>", ["</think>"])).toBe(0);
  });

  it("agrees with the definition for any text and markers (fast-check)", () => {
    // The definition, spelled out: the longest n below a marker's length whose tail starts it.
    const byDefinition = (text: string, markers: readonly string[]) => {
      let longest = 0;
      for (const marker of markers) {
        for (let n = 1; n < marker.length && n <= text.length; n++) {
          if (text.slice(text.length - n) === marker.slice(0, n)) longest = Math.max(longest, n);
        }
      }
      return longest;
    };
    const piece = fc.string({
      unit: fc.constantFrom("<", "|", "e", "o", "t", "_", "i", "d", ">", "👋"),
      maxLength: 12,
    });
    fc.assert(
      fc.property(piece, fc.array(piece, { maxLength: 4 }), (text, markers) => {
        expect(partialMarkerLength(text, markers)).toBe(byDefinition(text, markers));
      }),
      { numRuns: 3000 },
    );
    expect(partialMarkerLength("ok <|eot_i", ["<|eot_id|>", "<|eom_id|>", "<|end_of_text|>"])).toBe(7);
  });
});

describe("degenerate model output stays linear", () => {
  // Sizes where a quadratic scan would take seconds to minutes; the results must match the plain answer.
  it("50,000 newlines inside reasoning, streamed one character at a time", () => {
    const answer = `think${"\n".repeat(50_000)}more\n</think>\n\nanswer`;
    const expected = { reasoning: `think${"\n".repeat(50_000)}more`, content: "answer", calls: [] };
    expect(summary(run(R1, [answer]))).toEqual(expected);
    expect(summary(run(R1, Array.from(answer)))).toEqual(expected);
  });

  it("a tool call of 200,000 characters, streamed in 4-character pieces", () => {
    const big = "x".repeat(200_000);
    const answer = `<tool_call>\n{"name": "f", "arguments": {"a": "${big}"}}\n</tool_call>`;
    const pieces = answer.match(/[\s\S]{1,4}/g) ?? [];
    expect(summary(run(QWEN3_TOOLS, pieces)).calls).toEqual([`f({"a": "${big}"})`]);
  });

  it("50,000 newlines on each side of a call between two texts, streamed one character at a time", () => {
    const lines = "\n".repeat(50_000);
    const answer = `A${lines}<tool_call>\n{"name": "f", "arguments": {}}\n</tool_call>${lines}B`;
    const expected = { reasoning: "", content: `A${lines}${lines}B`, calls: ["f({})"] };
    expect(summary(run(QWEN3_TOOLS, [answer]))).toEqual(expected);
    expect(summary(run(QWEN3_TOOLS, Array.from(answer)))).toEqual(expected);
  });

  it("Llama: 50,000 newlines before a call and as content, streamed one character at a time", () => {
    const lines = "\n".repeat(50_000);
    const callAnswer = `${lines}{"name": "f", "parameters": {}}`;
    expect(summary(run(LLAMA_TOOLS, Array.from(callAnswer))).calls).toEqual(["f({})"]);
    const text = `${lines}plain text${lines}`;
    expect(summary(run(LLAMA_TOOLS, Array.from(text))).content).toBe(text);
  });

  it("Llama: a call of 200,000 characters, streamed in 4-character pieces", () => {
    const big = "x".repeat(200_000);
    const answer = `{"name": "f", "parameters": {"a": "${big}"}}`;
    const pieces = answer.match(/[\s\S]{1,4}/g) ?? [];
    expect(summary(run(LLAMA_TOOLS, pieces)).calls).toEqual([`f({"a": "${big}"})`]);
  });

  it("JSON nested 100,000 deep is text, not a stack overflow", () => {
    const deep = `${'{"a": '.repeat(100_000)}1${"}".repeat(100_000)}`;
    const llama = `{"name": "f", "parameters": ${deep}}`;
    expect(summary(run(LLAMA_TOOLS, [llama])).content).toBe(llama);
    const qwen = `<tool_call>{"name": "f", "arguments": ${deep}}</tool_call>`;
    expect(summary(run(QWEN3_TOOLS, [qwen])).content).toBe(qwen);
  });

  // An answer given in one piece, its tool blocks back to back: each block once searched the rest of
  // the answer for every end-of-turn token again (1 MiB of calls: 9 s; 4 MiB: minutes).
  it("4 MiB of Qwen calls in one piece", () => {
    const block = '<tool_call>{"name":"f","arguments":{}}</tool_call>';
    const count = Math.floor((4 * 2 ** 20) / block.length);
    const parts = run(QWEN3_TOOLS, [block.repeat(count)]);
    expect(parts.length).toBe(count);
    expect(parts.every((part) => part.kind === "tool_call" && part.name === "f")).toBe(true);
  });

  it("2 MiB of blocks that are not calls, in one piece, given back as the content", () => {
    const text = "<tool_call>x</tool_call>".repeat(2 ** 16);
    expect(summary(run(QWEN3_TOOLS, [text])).content).toBe(text);
  });

  it("8 MiB of DeepSeek call blocks in one piece", () => {
    const block =
      "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>f\n```json\n{}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>";
    const count = Math.floor((8 * 2 ** 20) / block.length);
    const parts = run({ ...R1, tools: deepseekToolSyntax }, [`</think>${block.repeat(count)}`]);
    expect(parts.filter((part) => part.kind === "tool_call").length).toBe(count);
  });

  // A run of whitespace held back in a stream (it may come before a marker) was copied whole again
  // with every piece: 1 MiB in 16-character pieces took 25 s. Each case is 4 MiB, in such pieces.
  const spaces = " ".repeat(4 * 2 ** 20);
  const streamed = (options: SplitterOptions, text: string) => run(options, text.match(/[\s\S]{1,16}/g) ?? []);
  const QWEN3: SplitterOptions = { ...QWEN3_TOOLS, tools: undefined };
  const cases: Array<[string, SplitterOptions, string, ReturnType<typeof summary>]> = [
    ["reasoning", QWEN3_TOOLS, `<think>${spaces}x</think>ok`, { reasoning: "x", content: "ok", calls: [] }],
    ["R1's reasoning", R1, `${spaces}x</think>ok`, { reasoning: "x", content: "ok", calls: [] }],
    ["content, tools offered", QWEN3_TOOLS, `hi${spaces}x`, { reasoning: "", content: `hi${spaces}x`, calls: [] }],
    [
      "content, a tool parser and no end tokens (openai route)",
      { reasoning: "never", tools: qwenToolSyntax, endMarkers: [] },
      `hi${spaces}x`,
      { reasoning: "", content: `hi${spaces}x`, calls: [] },
    ],
    ["the answer's start", QWEN3, `${spaces}x`, { reasoning: "", content: `${spaces}x`, calls: [] }],
    [
      "Llama's lead, before a call",
      LLAMA_TOOLS,
      `${spaces}{"name": "f", "parameters": {}}`,
      { reasoning: "", content: "", calls: ["f({})"] },
    ],
    ["Llama's lead, before text", LLAMA_TOOLS, `${spaces}x`, { reasoning: "", content: `${spaces}x`, calls: [] }],
  ];
  for (const [where, options, text, expected] of cases) {
    it(`4 MiB of spaces streamed in 16-character pieces: ${where}`, () => {
      expect(summary(streamed(options, text))).toEqual(expected);
    });
  }

  it("a DeepSeek call padded with 100,000 spaces", () => {
    const spaces = " ".repeat(100_000);
    const text = `<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>f${spaces}\n${spaces}\`\`\`json\n{}\n\`\`\`${spaces}<｜tool▁call▁end｜><｜tool▁calls▁end｜>`;
    expect(summary(run({ ...R1, reasoning: "never", tools: deepseekToolSyntax }, [text])).calls).toEqual(["f({})"]);
  });
});
