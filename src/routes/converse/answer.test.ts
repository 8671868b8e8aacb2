import { describe, expect, it } from "vitest";
import { BedrockEdgeError } from "../../errors.ts";
import { converseFinishReason, converseUsage, parseConverseAnswer } from "./answer.ts";

function answer(content: unknown[], extra: Record<string, unknown> = {}) {
  return {
    output: { message: { role: "assistant", content } },
    stopReason: "end_turn",
    usage: { inputTokens: 12, outputTokens: 5, totalTokens: 17 },
    metrics: { latencyMs: 120 },
    ...extra,
  };
}

describe("Converse answers", () => {
  it("text is the content, usage is OpenAI's", () => {
    expect(parseConverseAnswer(answer([{ text: "Hello" }, { text: " there" }]))).toEqual({
      choices: [
        { index: 0, message: { role: "assistant", content: "Hello there", refusal: null }, finish_reason: "stop" },
      ],
      usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 },
    });
  });

  it("reasoningContent is reasoning_content; signed and redacted blocks are thinking_blocks to send back", () => {
    const parsed = parseConverseAnswer(
      answer([
        { reasoningContent: { reasoningText: { text: "Let me think.", signature: "EqQBCk…" } } },
        { reasoningContent: { redactedContent: "c2VjcmV0" } },
        { text: "42" },
      ]),
    );
    expect(parsed.choices[0]!.message).toEqual({
      role: "assistant",
      content: "42",
      refusal: null,
      reasoning_content: "Let me think.",
      thinking_blocks: [
        { type: "thinking", thinking: "Let me think.", signature: "EqQBCk…" },
        { type: "redacted_thinking", data: "c2VjcmV0" },
      ],
    });
  });

  it("unsigned reasoning (gpt-oss, DeepSeek) is only reasoning_content", () => {
    const parsed = parseConverseAnswer(
      answer([{ reasoningContent: { reasoningText: { text: "Hmm." } } }, { text: "Yes" }]),
    );
    expect(parsed.choices[0]!.message).toEqual({
      role: "assistant",
      content: "Yes",
      refusal: null,
      reasoning_content: "Hmm.",
    });
    // An empty signature signs nothing either (mutation51).
    const emptySigned = parseConverseAnswer(
      answer([{ reasoningContent: { reasoningText: { text: "Hmm.", signature: "" } } }, { text: "Yes" }]),
    );
    expect(emptySigned.choices[0]!.message).toEqual(parsed.choices[0]!.message);
  });

  it("toolUse blocks are tool calls: the toolUseId as id, the input as a JSON string", () => {
    const parsed = parseConverseAnswer(
      answer(
        [
          { toolUse: { toolUseId: "tooluse_a1", name: "get_weather", input: { city: "Paris" } } },
          { toolUse: { toolUseId: "tooluse_b2", name: "now", input: {} } },
        ],
        { stopReason: "tool_use" },
      ),
    );
    expect(parsed.choices[0]).toEqual({
      index: 0,
      message: {
        role: "assistant",
        content: null,
        refusal: null,
        tool_calls: [
          { id: "tooluse_a1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
          { id: "tooluse_b2", type: "function", function: { name: "now", arguments: "{}" } },
        ],
      },
      finish_reason: "tool_calls",
    });
  });

  it("a toolUse block with an empty toolUseId gets an id of our own", () => {
    // mutation51: an id of "" went unnoticed; a client cannot answer a call by it.
    const parsed = parseConverseAnswer(
      answer([{ toolUse: { toolUseId: "", name: "now", input: {} } }], { stopReason: "tool_use" }),
    );
    expect(parsed.choices[0]!.message.tool_calls?.[0]?.id).toMatch(/^call_./);
  });

  it("text beside tool calls stays the content", () => {
    const parsed = parseConverseAnswer(
      answer([{ text: "Checking." }, { toolUse: { toolUseId: "t", name: "now", input: {} } }], {
        stopReason: "tool_use",
      }),
    );
    expect(parsed.choices[0]!.message.content).toBe("Checking.");
  });

  it("an answer without output.message is Bedrock's fault, a 502", () => {
    for (const bad of [{}, { output: {} }, { output: { message: { content: "text" } } }]) {
      let caught: unknown;
      try {
        parseConverseAnswer(bad);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(BedrockEdgeError);
      expect((caught as BedrockEdgeError).status).toBe(502);
    }
  });

  it("toolUse input: the text Bedrock's answer holds, its numbers as written (parity6)", () => {
    // Parsed and written again, the id lost digits, 1e400 became null and 1.10 became 1.1.
    const inputs = [
      '{"user_id":1234567890123456789}',
      '{"x":1e400}',
      '{ "amount": 1.10, "nested": {"ids": [9007199254740993, -0.0, 1E-7]}, "s": "\\u00e9\\/" }',
    ];
    for (const input of inputs) {
      const text = `{"output":{"message":{"role":"assistant","content":[{"text":"Checking."},{"toolUse":{"toolUseId":"t1","name":"lookup","input":${input}}},{"toolUse":{"name":"now","input":{}}}]}},"stopReason":"tool_use"}`;
      const calls = parseConverseAnswer(JSON.parse(text), text).choices[0]!.message.tool_calls!;
      expect(calls.map((call) => call.function.arguments)).toEqual([input, "{}"]);
      expect(JSON.parse(calls[0]!.function.arguments)).toEqual(JSON.parse(input));
    }
  });

  it("toolUse input that is absent, null or not an object: '{}' for none, else as written", () => {
    const cases: Array<[string, string]> = [
      ['{"toolUseId":"t","name":"f"}', "{}"],
      ['{"toolUseId":"t","name":"f","input":null}', "{}"],
      ['{"toolUseId":"t","name":"f","input":"{\\"a\\": 12345678901234567890}"}', '"{\\"a\\": 12345678901234567890}"'],
      ['{"toolUseId":"t","name":"f","input":[1.0, 2]}', "[1.0, 2]"],
      ['{"toolUseId":"t","name":"f","input":1e400}', "1e400"],
      // A repeated key: the value JSON.parse keeps, and its text.
      ['{"toolUseId":"t","name":"f","input":{"a":1},"input":{"b":2.50}}', '{"b":2.50}'],
    ];
    for (const [toolUse, expected] of cases) {
      const text = `{"output":{"message":{"content":[{"toolUse":${toolUse}}]}},"stopReason":"tool_use"}`;
      const parsed = parseConverseAnswer(JSON.parse(text), text);
      expect(parsed.choices[0]!.message.tool_calls![0]!.function.arguments, toolUse).toBe(expected);
    }
  });

  it("toolUse input whose text cannot be read (no text given, nesting past the limit) is written again", () => {
    const body = answer([{ toolUse: { toolUseId: "t", name: "f", input: { a: 1.5 } } }]);
    expect(parseConverseAnswer(body).choices[0]!.message.tool_calls![0]!.function.arguments).toBe('{"a":1.5}');
    const deep = `${"[".repeat(70)}${"]".repeat(70)}`;
    const text = `{"output":{"message":{"content":[{"toolUse":{"toolUseId":"t","name":"f","input":{"a":${deep},"n":1.10}}}]}}}`;
    const calls = parseConverseAnswer(JSON.parse(text), text).choices[0]!.message.tool_calls!;
    expect(calls[0]!.function.arguments).toBe(JSON.stringify({ a: JSON.parse(deep), n: 1.1 }));
  });

  it("no usage is reported when Bedrock gave none", () => {
    expect(parseConverseAnswer(answer([{ text: "x" }], { usage: undefined }))).not.toHaveProperty("usage");
  });
});

describe("stop reasons", () => {
  it.each([
    ["end_turn", "stop"],
    ["stop_sequence", "stop"],
    ["max_tokens", "length"],
    ["model_context_window_exceeded", "length"],
    ["tool_use", "tool_calls"],
    ["guardrail_intervened", "content_filter"],
    ["content_filtered", "content_filter"],
    ["malformed_model_output", "stop"],
    ["malformed_tool_use", "stop"],
  ])("%s is %s", (stopReason, finish) => {
    expect(converseFinishReason(stopReason)).toBe(finish);
  });
});

describe("usage with prompt caching", () => {
  it("cache reads and writes count in prompt_tokens, and are told apart in prompt_tokens_details", () => {
    expect(
      converseUsage({
        inputTokens: 10,
        outputTokens: 4,
        totalTokens: 1214,
        cacheReadInputTokens: 800,
        cacheWriteInputTokens: 400,
      }),
    ).toEqual({
      prompt_tokens: 1210,
      completion_tokens: 4,
      total_tokens: 1214,
      prompt_tokens_details: { cached_tokens: 800, cache_write_tokens: 400 },
    });
    expect(converseUsage({ inputTokens: 10, outputTokens: 4, cacheReadInputTokens: 0 })).toEqual({
      prompt_tokens: 10,
      completion_tokens: 4,
      total_tokens: 14,
      prompt_tokens_details: { cached_tokens: 0 },
    });
  });

  it("a cache write with no read (a prompt cache's first call) is told apart too, reading 0 cached", () => {
    expect(converseUsage({ inputTokens: 10, outputTokens: 5, cacheWriteInputTokens: 1200 })).toEqual({
      prompt_tokens: 1210,
      completion_tokens: 5,
      total_tokens: 1215,
      prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 1200 },
    });
  });

  it("is undefined unless both counts are there", () => {
    expect(converseUsage(undefined)).toBeUndefined();
    expect(converseUsage({ inputTokens: 3 })).toBeUndefined();
    expect(converseUsage({ inputTokens: -1, outputTokens: 2 })).toBeUndefined();
  });
});

describe("the service tier that served (Converse's serviceTier)", () => {
  it("is the answer's service_tier in OpenAI's words, reserved as OpenAI's scale", () => {
    for (const [type, named] of [
      ["default", "default"],
      ["flex", "flex"],
      ["priority", "priority"],
      ["reserved", "scale"],
    ]) {
      expect(parseConverseAnswer(answer([{ text: "Hi" }], { serviceTier: { type } })).service_tier).toBe(named);
    }
  });

  it("is absent when Bedrock names none, or a tier OpenAI has no word for", () => {
    expect(parseConverseAnswer(answer([{ text: "Hi" }]))).not.toHaveProperty("service_tier");
    expect(parseConverseAnswer(answer([{ text: "Hi" }], { serviceTier: { type: "turbo" } }))).not.toHaveProperty(
      "service_tier",
    );
    expect(parseConverseAnswer(answer([{ text: "Hi" }], { serviceTier: "flex" }))).not.toHaveProperty("service_tier");
  });
});
