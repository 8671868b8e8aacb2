import { describe, expect, it } from "vitest";
import { BedrockEdgeError } from "../../errors.ts";
import type { ChatCompletionRequest, ChatMessage, FunctionTool, ReasoningEffort } from "../../openai/types.ts";
import { EMPTY_TOOL_RESULT } from "./messages.ts";
import { buildConverseBody, type ConverseSettings } from "./request.ts";
import { closedSchema } from "./closed-schema.ts";
import { badRequestOf } from "../../../test/helpers/errors.ts";

const CLAUDE = "us.anthropic.claude-sonnet-4-20250514-v1:0";
const NOVA2 = "amazon.nova-2-lite-v1:0";
const NOVA = "amazon.nova-pro-v1:0";
const GPT_OSS = "openai.gpt-oss-120b-1:0";
const LLAMA = "meta.llama3-1-70b-instruct-v1:0";
const OPAQUE = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6";
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

const weather: FunctionTool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Weather for a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};

function request(messages: ChatMessage[], extra: Partial<ChatCompletionRequest> & Record<string, unknown> = {}) {
  return { model: "m", messages, ...extra } as ChatCompletionRequest;
}

const hi = request([{ role: "user", content: "Hi" }]);

function body(req: ChatCompletionRequest, modelId = CLAUDE, settings: ConverseSettings = {}) {
  return buildConverseBody(req, modelId, settings);
}

const refusal = badRequestOf;

describe("messages", () => {
  it("a plain turn is one user message with one text block, and nothing else is sent", () => {
    expect(body(hi)).toEqual({ messages: [{ role: "user", content: [{ text: "Hi" }] }] });
  });

  it("system and developer messages become system blocks, wherever they stand", () => {
    const result = body(
      request([
        { role: "system", content: "Be terse." },
        { role: "user", content: "Hi" },
        { role: "developer", content: [{ type: "text", text: "Answer in French." }] },
        { role: "assistant", content: "Salut" },
        { role: "user", content: "Encore" },
      ]),
    );
    expect(result.system).toEqual([{ text: "Be terse." }, { text: "Answer in French." }]);
    expect(result.messages.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
  });

  it("consecutive turns of one role merge, so roles alternate", () => {
    const result = body(
      request([
        { role: "user", content: "One" },
        { role: "user", content: [{ type: "text", text: "Two" }] },
        { role: "assistant", content: "A" },
        { role: "assistant", content: "B" },
        { role: "user", content: "Three" },
      ]),
    );
    expect(result.messages).toEqual([
      { role: "user", content: [{ text: "One" }, { text: "Two" }] },
      { role: "assistant", content: [{ text: "A" }, { text: "B" }] },
      { role: "user", content: [{ text: "Three" }] },
    ]);
  });

  it("merges a message of more parts than a call takes arguments (no spread over request data)", () => {
    const parts = Array.from({ length: 200_000 }, () => ({ type: "text" as const, text: "x" }));
    const result = body(
      request([
        { role: "user", content: "First" },
        { role: "user", content: parts },
      ]),
    );
    expect(result.messages).toHaveLength(1);
    expect(result.messages[0]!.content).toHaveLength(200_001);
  });

  it("blank texts are left out (Bedrock refuses blank text blocks), and so are turns left empty", () => {
    const result = body(
      request([
        { role: "user", content: "Hi" },
        { role: "assistant", content: "" },
        {
          role: "user",
          content: [
            { type: "text", text: "  " },
            { type: "text", text: "Again" },
          ],
        },
      ]),
    );
    expect(result.messages).toEqual([{ role: "user", content: [{ text: "Hi" }, { text: "Again" }] }]);
  });

  it("a blank system message is left out too: Bedrock refuses a blank system block", () => {
    const result = body(
      request([
        { role: "system", content: "  " },
        { role: "user", content: "Hi" },
      ]),
    );
    expect(result).toEqual(body(hi));
  });

  it("a conversation with nothing to answer is refused", () => {
    const error = refusal(() => body(request([{ role: "system", content: "Alone" }])));
    expect(error.param).toBe("messages");
  });

  it("a final assistant turn is a prefill, sent without trailing whitespace", () => {
    const result = body(
      request([
        { role: "user", content: "Name a colour" },
        { role: "assistant", content: "The colour is \n" },
      ]),
    );
    expect(result.messages[1]).toEqual({ role: "assistant", content: [{ text: "The colour is" }] });
  });

  it("thinking_blocks go back first in their turn, as reasoningContent; malformed ones are refused", () => {
    const history = [
      { role: "user", content: "Weather?" },
      {
        role: "assistant",
        content: "Checking.",
        reasoning_content: "They want weather.",
        thinking_blocks: [
          { type: "thinking", thinking: "They want weather.", signature: "EqQB" },
          { type: "redacted_thinking", data: "c2Vj" },
        ],
      },
      { role: "user", content: "Well?" },
    ] as ChatMessage[];
    expect(body(request(history)).messages[1]).toEqual({
      role: "assistant",
      content: [
        { reasoningContent: { reasoningText: { text: "They want weather.", signature: "EqQB" } } },
        { reasoningContent: { redactedContent: "c2Vj" } },
        { text: "Checking." },
      ],
    });
    const bad = [
      history[0],
      { ...history[1], thinking_blocks: [{ type: "thinking", thinking: "x" }] },
    ] as ChatMessage[];
    expect(refusal(() => body(request(bad))).param).toBe("messages[1].thinking_blocks[0]");
  });

  it("thinking_blocks: null, as SDKs echo an answer's null fields, means none", () => {
    const result = body(
      request([
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello", thinking_blocks: null } as ChatMessage,
        { role: "user", content: "Again" },
      ]),
    );
    expect(result.messages[1]).toEqual({ role: "assistant", content: [{ text: "Hello" }] });
  });

  it("reasoning_content alone is not sent back: Converse takes reasoning only signed", () => {
    const result = body(
      request([
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello", reasoning_content: "They greet me." },
        { role: "user", content: "Bye" },
      ]),
    );
    expect(result.messages[1]).toEqual({ role: "assistant", content: [{ text: "Hello" }] });
  });
});

describe("images", () => {
  const withImage = (url: string) =>
    request([
      {
        role: "user",
        content: [
          { type: "text", text: "What is this?" },
          { type: "image_url", image_url: { url } },
        ],
      },
    ]);

  it("base64 data URLs become image blocks with the format of their MIME type", () => {
    for (const [mime, format] of [
      ["image/png", "png"],
      ["image/jpeg", "jpeg"],
      ["image/jpg", "jpeg"],
      ["IMAGE/GIF", "gif"],
      ["image/webp", "webp"],
    ]) {
      expect(body(withImage(`data:${mime};base64,${PNG}`)).messages[0]!.content[1]).toEqual({
        image: { format, source: { bytes: PNG } },
      });
    }
  });

  it("other image types are refused by name", () => {
    const error = refusal(() => body(withImage(`data:image/svg+xml;base64,${PNG}`)));
    expect(error.message).toContain("image/svg+xml");
    expect(error.param).toBe("messages[0].content[1].image_url.url");
  });

  it("URLs are refused: Bedrock does not fetch images", () => {
    const error = refusal(() => body(withImage("https://example.com/cat.png")));
    expect(error.message).toMatch(/base64 data URL/);
    expect(error.param).toBe("messages[0].content[1].image_url.url");
  });
});

describe("tools", () => {
  const toolHistory: ChatMessage[] = [
    { role: "user", content: "Weather in Paris and Rome?" },
    {
      role: "assistant",
      content: null,
      tool_calls: [
        { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
        { id: "call:2", type: "function", function: { name: "get_weather", arguments: "" } },
      ],
    },
    { role: "tool", tool_call_id: "call_1", content: "18°C" },
    { role: "tool", tool_call_id: "call:2", content: "" },
    { role: "user", content: "Thanks. Which is warmer?" },
  ];

  it("tools become toolSpecs with inputSchema.json; auto is left to Bedrock's default", () => {
    expect(body(request(hi.messages, { tools: [weather], tool_choice: "auto" })).toolConfig).toEqual({
      tools: [
        {
          toolSpec: {
            name: "get_weather",
            description: "Weather for a city",
            inputSchema: { json: weather.function.parameters },
          },
        },
      ],
    });
  });

  it("a tool without parameters or description gets an empty object schema and no description", () => {
    const bare: FunctionTool = { type: "function", function: { name: "now", description: "" } };
    expect(body(request(hi.messages, { tools: [bare] })).toolConfig?.tools[0]).toEqual({
      toolSpec: { name: "now", inputSchema: { json: { type: "object", properties: {} } } },
    });
  });

  it("required is any, a named function is tool", () => {
    expect(body(request(hi.messages, { tools: [weather], tool_choice: "required" })).toolConfig?.toolChoice).toEqual({
      any: {},
    });
    const named = { type: "function" as const, function: { name: "get_weather" } };
    expect(body(request(hi.messages, { tools: [weather], tool_choice: named })).toolConfig?.toolChoice).toEqual({
      tool: { name: "get_weather" },
    });
  });

  it("a named function that is not offered, or a forced call without tools, is refused", () => {
    const named = { type: "function" as const, function: { name: "get_time" } };
    expect(refusal(() => body(request(hi.messages, { tools: [weather], tool_choice: named }))).param).toBe(
      "tool_choice",
    );
    expect(refusal(() => body(request(hi.messages, { tool_choice: "required" }))).param).toBe("tool_choice");
  });

  it("none offers no tools", () => {
    expect(body(request(hi.messages, { tools: [weather], tool_choice: "none" }))).not.toHaveProperty("toolConfig");
  });

  it("tool names Converse cannot take are refused by name", () => {
    const dotted: FunctionTool = { type: "function", function: { name: "weather.get" } };
    const error = refusal(() => body(request(hi.messages, { tools: [weather, dotted] })));
    expect(error.param).toBe("tools[1].function.name");
  });

  it("tool calls become toolUse blocks and results one user turn of toolResult blocks, in order", () => {
    const result = body(request(toolHistory, { tools: [weather] }));
    const mappedId = result.messages[1]!.content[1]!;
    expect(result.messages).toEqual([
      { role: "user", content: [{ text: "Weather in Paris and Rome?" }] },
      {
        role: "assistant",
        content: [
          { toolUse: { toolUseId: "call_1", name: "get_weather", input: { city: "Paris" } } },
          { toolUse: { toolUseId: expect.stringMatching(/^call2_[0-9a-f]{16}$/), name: "get_weather", input: {} } },
        ],
      },
      {
        role: "user",
        content: [
          { toolResult: { toolUseId: "call_1", content: [{ text: "18°C" }] } },
          {
            toolResult: {
              toolUseId: "toolUse" in mappedId ? mappedId.toolUse.toolUseId : "",
              content: [{ text: EMPTY_TOOL_RESULT }],
            },
          },
          { text: "Thanks. Which is warmer?" },
        ],
      },
    ]);
  });

  it("arguments that are not a JSON object are refused by name", () => {
    const history: ChatMessage[] = [
      { role: "user", content: "Hi" },
      {
        role: "assistant",
        tool_calls: [{ id: "c", type: "function", function: { name: "get_weather", arguments: "[1]" } }],
      },
      { role: "tool", tool_call_id: "c", content: "ok" },
    ];
    expect(refusal(() => body(request(history, { tools: [weather] }))).param).toBe(
      "messages[1].tool_calls[0].function.arguments",
    );
  });

  it("history with tool blocks needs the tools offered (Bedrock's rule)", () => {
    expect(refusal(() => body(request(toolHistory))).param).toBe("tools");
    const error = refusal(() => body(request(toolHistory, { tools: [weather], tool_choice: "none" })));
    expect(error.param).toBe("tool_choice");
    expect(error.code).toBe("unsupported_parameter");
    // drop_params: the tools are offered with Bedrock's default choice.
    const dropped = body(request(toolHistory, { tools: [weather], tool_choice: "none" }), CLAUDE, {
      drop_params: true,
    });
    expect(dropped.toolConfig).toEqual({ tools: [expect.objectContaining({ toolSpec: expect.anything() })] });
  });

  it("an assistant's tool calls with no result yet need the tools offered too", () => {
    const calledOnly: ChatMessage[] = [...toolHistory.slice(0, 2), { role: "user", content: "Never mind." }];
    expect(refusal(() => body(request(calledOnly))).param).toBe("tools");
  });
});

describe("parameters", () => {
  it("max tokens, temperature, top_p and stop go to inferenceConfig", () => {
    expect(body(request(hi.messages, { max_tokens: 64, temperature: 0.2, top_p: 0.9, stop: "END" }), LLAMA)).toEqual({
      messages: [{ role: "user", content: [{ text: "Hi" }] }],
      inferenceConfig: { maxTokens: 64, temperature: 0.2, topP: 0.9, stopSequences: ["END"] },
    });
    const both = body(request(hi.messages, { max_tokens: 10, max_completion_tokens: 20, stop: ["a", "b"] }), LLAMA);
    expect(both.inferenceConfig).toEqual({ maxTokens: 20, stopSequences: ["a", "b"] });
  });

  it("Claude gets only the stops it takes: those of only whitespace are left to the route (stops.ts)", () => {
    expect(body(request(hi.messages, { stop: ["\n", "END", " \t"] })).inferenceConfig).toEqual({
      stopSequences: ["END"],
    });
    expect(body(request(hi.messages, { stop: "\n\n" }))).not.toHaveProperty("inferenceConfig");
    for (const model of [LLAMA, NOVA, OPAQUE]) {
      expect(body(request(hi.messages, { stop: ["\n", "END"] }), model).inferenceConfig).toEqual({
        stopSequences: ["\n", "END"],
      });
    }
  });

  it("top_k goes where Claude and Nova document it, and is refused elsewhere", () => {
    expect(body(request(hi.messages, { top_k: 40 }), CLAUDE).additionalModelRequestFields).toEqual({ top_k: 40 });
    expect(body(request(hi.messages, { top_k: 40 }), NOVA).additionalModelRequestFields).toEqual({
      inferenceConfig: { topK: 40 },
    });
    expect(refusal(() => body(request(hi.messages, { top_k: 40 }), LLAMA)).param).toBe("top_k");
  });

  it("what Converse cannot take is refused by name, no-op values pass", () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      ["n", { n: 2 }],
      ["seed", { seed: 1 }],
      ["logprobs", { logprobs: true }],
      ["top_logprobs", { top_logprobs: 2 }],
      ["presence_penalty", { presence_penalty: 0.5 }],
      ["frequency_penalty", { frequency_penalty: 0.5 }],
      ["logit_bias", { logit_bias: { "1": 2 } }],
      ["parallel_tool_calls", { parallel_tool_calls: false }],
      ["chat_template_kwargs", { chat_template_kwargs: { enable_thinking: false } }],
      ["response_format", { response_format: { type: "json_object" } }],
      ["audio", { audio: { voice: "alloy" } }],
    ];
    for (const [param, extra] of cases) {
      const error = refusal(() => body(request(hi.messages, extra)));
      expect(error.param, param).toBe(param);
      expect(error.code).toBe("unsupported_parameter");
      expect(error.message).toContain("(route converse)");
    }
    const noOps = { n: 1, presence_penalty: 0, frequency_penalty: 0, logprobs: false, logit_bias: {}, user: "u1" };
    expect(body(request(hi.messages, { ...noOps, parallel_tool_calls: true }))).toEqual(body(hi));
  });

  it("drop_params drops them instead", () => {
    const extra = {
      n: 3,
      seed: 7,
      top_k: 5,
      response_format: { type: "json_object" as const },
      reasoning_effort: "high" as const,
    };
    expect(body(request(hi.messages, extra), LLAMA, { drop_params: true })).toEqual(body(hi, LLAMA));
  });

  it("response_format json_schema becomes Converse's structured output", () => {
    const schema = { type: "object", properties: { a: { type: "string" } }, required: ["a"] };
    const result = body(
      request(hi.messages, {
        response_format: { type: "json_schema", json_schema: { name: "thing", description: "A thing", schema } },
      }),
    );
    // Closed, as Bedrock takes it only (OpenAI takes it open unless strict).
    expect(result.outputConfig).toEqual({
      textFormat: {
        type: "json_schema",
        structure: {
          jsonSchema: {
            schema: JSON.stringify({ ...schema, additionalProperties: false }),
            name: "thing",
            description: "A thing",
          },
        },
      },
    });
    expect(body(request(hi.messages, { response_format: { type: "text" } }))).toEqual(body(hi));
    const missing = refusal(() =>
      body(request(hi.messages, { response_format: { type: "json_schema", json_schema: { name: "x" } } })),
    );
    expect(missing.param).toBe("response_format.json_schema.schema");
  });
});

describe("closedSchema: the object schemas Converse's structured output takes", () => {
  it("closes every object schema that leaves additionalProperties unset, at any depth, and nothing else", () => {
    const open = {
      type: "object",
      properties: {
        stops: { type: "array", items: { type: "object", properties: { at: { type: "string" } } } },
        // A property named like a keyword is a name: its schema is a string's.
        properties: { type: "string" },
        meta: { type: ["object", "null"], additionalProperties: { type: "string" } },
        either: { anyOf: [{ type: "object", properties: {} }, { type: "string" }] },
      },
      $defs: { point: { type: "object", properties: { x: { type: "number" } } } },
      required: ["stops"],
    };
    expect(closedSchema(open)).toEqual({
      type: "object",
      additionalProperties: false,
      properties: {
        stops: {
          type: "array",
          items: { type: "object", additionalProperties: false, properties: { at: { type: "string" } } },
        },
        properties: { type: "string" },
        // What the caller said of extra properties stays theirs.
        meta: { type: ["object", "null"], additionalProperties: { type: "string" } },
        either: { anyOf: [{ type: "object", properties: {}, additionalProperties: false }, { type: "string" }] },
      },
      $defs: { point: { type: "object", additionalProperties: false, properties: { x: { type: "number" } } } },
      required: ["stops"],
    });
    expect(closedSchema({ type: "object", additionalProperties: true })).toEqual({
      type: "object",
      additionalProperties: true,
    });
    expect(closedSchema({ type: "string", maxLength: 3 })).toEqual({ type: "string", maxLength: 3 });
    // The caller's schema is left as it was.
    expect(open.properties.stops.items).not.toHaveProperty("additionalProperties");
  });

  it("keeps a property named __proto__ (codereview11 #4)", () => {
    const schema = JSON.parse(
      '{"type":"object","properties":{"__proto__":{"type":"string"},"b":{"type":"number"}},"required":["__proto__"]}',
    );
    expect(JSON.parse(JSON.stringify(closedSchema(schema)))).toEqual(
      JSON.parse(
        '{"type":"object","properties":{"__proto__":{"type":"string"},"b":{"type":"number"}},"required":["__proto__"],"additionalProperties":false}',
      ),
    );
  });

  it("leaves a free-form object (no properties listed) as written: closed, it would admit only {} (structured7 #2)", () => {
    const book = {
      type: "object",
      properties: {
        title: { type: "string" },
        metadata: { type: "object", description: "any key/value pairs" },
        tags: { type: ["object", "null"] },
        byName: { type: "object", patternProperties: { "^x-": { type: "string" } } },
      },
      required: ["title", "metadata"],
    };
    expect(closedSchema(book)).toEqual({
      ...book,
      properties: {
        ...book.properties,
        byName: { ...book.properties.byName, additionalProperties: false },
      },
      additionalProperties: false,
    });
    expect(closedSchema({ type: "object" })).toEqual({ type: "object" });
  });

  it("leaves an object whose properties come from elsewhere as written: allOf, $ref, if/then, or alternatives beside its own (codereview11 #4)", () => {
    const a = { properties: { a: { type: "string" } }, required: ["a"] };
    const b = { properties: { b: { type: "number" } }, required: ["b"] };
    const composed = [
      { type: "object", allOf: [a, b] },
      {
        allOf: [
          { type: "object", ...a },
          { type: "object", ...b },
        ],
      },
      { type: "object", $ref: "#/$defs/base", properties: { extra: { type: "string" } } },
      { type: "object", properties: { kind: { type: "string" } }, oneOf: [a, b] },
      // A schema's "then" written as JSON, as a client sends it (an object literal's would be a thenable).
      JSON.parse(
        `{"type":"object","if":${JSON.stringify(a)},"then":${JSON.stringify(b)},"properties":{"a":{"type":"string"}}}`,
      ),
    ];
    for (const schema of composed) expect(closedSchema(schema)).toEqual(schema);
    // Objects under its own properties still stand alone, and are closed.
    expect(
      closedSchema({ type: "object", allOf: [a], properties: { inner: { type: "object", properties: {} } } }),
    ).toEqual({
      type: "object",
      allOf: [a],
      properties: { inner: { type: "object", properties: {}, additionalProperties: false } },
    });
  });
});

describe("reasoning", () => {
  const effort = (value: string, modelId: string, extra: Record<string, unknown> = {}, settings = {}) =>
    // Unchecked: the schema would refuse an unknown effort, the route's own check is tested here.
    body(request(hi.messages, { reasoning_effort: value as ReasoningEffort, ...extra }), modelId, settings);

  it("Claude 3.7+/4 thinks with a token budget, inside max_tokens", () => {
    expect(effort("low", CLAUDE)).toMatchObject({
      additionalModelRequestFields: { thinking: { type: "enabled", budget_tokens: 2048 } },
      inferenceConfig: { maxTokens: 2048 + 4096 },
    });
    expect(effort("high", CLAUDE, { max_tokens: 32000 })).toMatchObject({
      additionalModelRequestFields: { thinking: { type: "enabled", budget_tokens: 16384 } },
      inferenceConfig: { maxTokens: 32000 },
    });
  });

  it("a budget that does not fit max_tokens shrinks to fit, down to 1024", () => {
    expect(effort("high", CLAUDE, { max_completion_tokens: 3000 })).toMatchObject({
      additionalModelRequestFields: { thinking: { budget_tokens: 2999 } },
      inferenceConfig: { maxTokens: 3000 },
    });
    const error = refusal(() => effort("low", CLAUDE, { max_completion_tokens: 1000 }));
    expect(error.param).toBe("max_completion_tokens");
  });

  it("Nova 2 and gpt-oss take a level", () => {
    expect(effort("minimal", NOVA2).additionalModelRequestFields).toEqual({
      reasoningConfig: { type: "enabled", maxReasoningEffort: "low" },
    });
    expect(effort("medium", "us.amazon.nova-2-lite-v1:0").additionalModelRequestFields).toEqual({
      reasoningConfig: { type: "enabled", maxReasoningEffort: "medium" },
    });
    expect(effort("xhigh", GPT_OSS).additionalModelRequestFields).toEqual({ reasoning_effort: "high" });
  });

  it("Nova 2 at high effort takes no output limit: sent without one, and a request with one is refused by its name (oracle5 #3)", () => {
    for (const value of ["high", "xhigh"]) {
      const high = effort(value, NOVA2, { temperature: 0.3 });
      expect(high.additionalModelRequestFields).toEqual({
        reasoningConfig: { type: "enabled", maxReasoningEffort: "high" },
      });
      expect(high.inferenceConfig).toEqual({ temperature: 0.3 });
      for (const param of ["max_tokens", "max_completion_tokens"]) {
        const error = refusal(() => effort(value, NOVA2, { [param]: 500 }));
        expect(error).toMatchObject({ status: 400, param });
        expect(error.message).toContain("no output limit at that effort");
      }
    }
    expect(effort("medium", NOVA2, { max_completion_tokens: 500 }).inferenceConfig).toEqual({ maxTokens: 500 });
    // A reasoning_budget past medium's is high effort too.
    const budgeted = () => body(request(hi.messages, { max_tokens: 500 }), NOVA2, { reasoning_budget: 20_000 });
    expect(refusal(budgeted).param).toBe("max_tokens");
  });

  it('"none" turns reasoning off, and is a no-op where there is none', () => {
    expect(effort("none", CLAUDE, {}, { reasoning_budget: 4096 })).toEqual(body(hi));
    expect(effort("none", LLAMA)).toEqual(body(hi, LLAMA));
    expect(refusal(() => effort("none", GPT_OSS)).param).toBe("reasoning_effort");
  });

  it('"none" on Claude leaves sampling free: temperature goes on, as without thinking', () => {
    expect(effort("none", CLAUDE, { temperature: 0.5 })).toEqual({
      messages: body(hi).messages,
      inferenceConfig: { temperature: 0.5 },
    });
  });

  it('"none" also turns off a reasoningConfig the operator set for Nova 2', () => {
    const settings = {
      additional_model_request_fields: { reasoningConfig: { type: "enabled", maxReasoningEffort: "low" } },
    };
    expect(effort("none", NOVA2, {}, settings)).toEqual(body(hi, NOVA2));
  });

  it("Claude thinks with temperature 1, its default and what many clients send: only another temperature is refused", () => {
    expect(effort("low", CLAUDE, { temperature: 1 })).toMatchObject({
      additionalModelRequestFields: { thinking: { type: "enabled", budget_tokens: 2048 } },
      inferenceConfig: { maxTokens: 2048 + 4096, temperature: 1 },
    });
    expect(refusal(() => effort("low", CLAUDE, { temperature: 0.5 })).param).toBe("reasoning_effort");
  });

  it("families without a documented control refuse it by name", () => {
    for (const modelId of [LLAMA, NOVA, "anthropic.claude-3-5-haiku-20241022-v1:0", "deepseek.r1-v1:0", OPAQUE]) {
      const error = refusal(() => effort("high", modelId));
      expect(error.param, modelId).toBe("reasoning_effort");
      expect(error.code).toBe("unsupported_parameter");
    }
    expect(refusal(() => effort("high", OPAQUE)).message).toContain("additional_model_request_fields");
  });

  it("\"max\" (OpenAI's top effort) is taken as xhigh is, each family's top: Claude's largest budget, Nova 2's and gpt-oss's high", () => {
    for (const [modelId, extra] of [
      [CLAUDE, {}],
      [CLAUDE, { stream: true }],
      [CLAUDE, { max_tokens: 40_000 }],
      [NOVA2, {}],
      [GPT_OSS, {}],
    ] as const) {
      expect(effort("max", modelId, extra), `${modelId} ${JSON.stringify(extra)}`).toEqual(
        effort("xhigh", modelId, extra),
      );
    }
    expect(effort("max", CLAUDE, { stream: true })).toMatchObject({
      additionalModelRequestFields: { thinking: { type: "enabled", budget_tokens: 32768 } },
      inferenceConfig: { maxTokens: 32768 + 4096 },
    });
    expect(effort("max", NOVA2).additionalModelRequestFields).toEqual({
      reasoningConfig: { type: "enabled", maxReasoningEffort: "high" },
    });
    expect(effort("max", GPT_OSS).additionalModelRequestFields).toEqual({ reasoning_effort: "high" });
  });

  it('"max" on a family without a reasoning control is a route limit, dropped under drop_params', () => {
    const error = refusal(() => effort("max", LLAMA));
    expect(error).toMatchObject({ param: "reasoning_effort", code: "unsupported_parameter" });
    expect(error.message).toContain("drop_params");
    expect(effort("max", LLAMA, { drop_params: true })).toEqual(body(hi, LLAMA));
  });

  it("a value that is not an effort is refused", () => {
    const error = refusal(() => effort("maximum", CLAUDE));
    expect(error.param).toBe("reasoning_effort");
    expect(error.message).toContain("none, minimal, low, medium, high, xhigh");
  });

  it("the reasoning_budget setting turns reasoning on by default; the request's effort wins", () => {
    expect(body(hi, CLAUDE, { reasoning_budget: 5000 }).additionalModelRequestFields).toEqual({
      thinking: { type: "enabled", budget_tokens: 5000 },
    });
    expect(effort("minimal", CLAUDE, {}, { reasoning_budget: 5000 }).additionalModelRequestFields).toEqual({
      thinking: { type: "enabled", budget_tokens: 1024 },
    });
    expect(body(hi, NOVA2, { reasoning_budget: 8192 }).additionalModelRequestFields).toEqual({
      reasoningConfig: { type: "enabled", maxReasoningEffort: "medium" },
    });
    expect(body(hi, GPT_OSS, { reasoning_budget: 20000 }).additionalModelRequestFields).toEqual({
      reasoning_effort: "high",
    });
  });

  it("a reasoning_budget on a model without a control is the deployment's error", () => {
    let caught: unknown;
    try {
      body(hi, LLAMA, { reasoning_budget: 4096 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(BedrockEdgeError);
    expect((caught as BedrockEdgeError).status).toBe(500);
  });
});

describe("thinking in a tool loop", () => {
  const loop = (thinking_blocks?: unknown[]) =>
    request(
      [
        { role: "user", content: "Weather?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "c", type: "function", function: { name: "get_weather", arguments: "{}" } }],
          ...(thinking_blocks ? { thinking_blocks } : {}),
        },
        { role: "tool", tool_call_id: "c", content: "sunny" },
      ] as ChatCompletionRequest["messages"],
      { reasoning_effort: "low", tools: [weather] },
    );

  it("reasoning_effort where the last tool calls came back without their thinking: the loop goes on without thinking for the turn", () => {
    // Every chat client drops thinking_blocks (the openai SDK's runTools, the AI SDK, LangChain),
    // and Bedrock refuses thinking without them: a 400 here failed every agent loop (the third review).
    const sent = body(loop());
    expect(sent).not.toHaveProperty("additionalModelRequestFields");
    expect(sent.toolConfig).toBeDefined();
    // Thinking the model's raw fields turn on goes off with it, under the model's reasoning_budget too.
    const raw = { additional_model_request_fields: { thinking: { type: "enabled", budget_tokens: 2048 } } };
    expect(body(loop(), CLAUDE, raw)).not.toHaveProperty("additionalModelRequestFields");
    const { reasoning_effort: _, ...budgetLoop } = loop();
    expect(body(budgetLoop, CLAUDE, { ...raw, reasoning_budget: 2048 })).not.toHaveProperty(
      "additionalModelRequestFields",
    );
  });

  it("with the calls' thinking_blocks, thinking goes on", () => {
    const blocks = [{ type: "thinking", thinking: "Hmm.", signature: "sig" }];
    expect(body(loop(blocks)).additionalModelRequestFields).toMatchObject({ thinking: { type: "enabled" } });
  });
});

describe("per-model settings", () => {
  it("additional_model_request_fields pass through; the request's own choices override their keys", () => {
    const settings: ConverseSettings = {
      additional_model_request_fields: { anthropic_beta: ["x"], top_k: 10, thinking: { type: "disabled" } },
    };
    expect(body(hi, CLAUDE, settings).additionalModelRequestFields).toEqual(settings.additional_model_request_fields);
    // Each on its own: Claude's thinking does not go with top_k (a 400 of its own, test/converse.test.ts).
    expect(body(request(hi.messages, { top_k: 3 }), CLAUDE, settings).additionalModelRequestFields).toEqual({
      anthropic_beta: ["x"],
      top_k: 3,
      thinking: { type: "disabled" },
    });
    // The model's own top_k does not go with thinking either: asked for, a 400 naming both; under
    // drop_params, or with thinking on by the model's budget, left out.
    const asked = request(hi.messages, { reasoning_effort: "low" });
    const refused = refusal(() => body(asked, CLAUDE, settings));
    expect(refused.param).toBe("reasoning_effort");
    expect(refused.message).toContain("additional_model_request_fields.top_k");
    const dropping = request(hi.messages, { reasoning_effort: "low", drop_params: true });
    expect(body(dropping, CLAUDE, settings).additionalModelRequestFields).toEqual({
      anthropic_beta: ["x"],
      thinking: { type: "enabled", budget_tokens: 2048 },
    });
    const budgeted: ConverseSettings = {
      reasoning_budget: 4096,
      additional_model_request_fields: { anthropic_beta: ["x"], top_k: 10 },
    };
    expect(body(hi, CLAUDE, budgeted).additionalModelRequestFields).toEqual({
      anthropic_beta: ["x"],
      thinking: { type: "enabled", budget_tokens: 4096 },
    });
    const nova: ConverseSettings = { additional_model_request_fields: { inferenceConfig: { topK: 1, other: true } } };
    expect(body(request(hi.messages, { top_k: 9 }), NOVA, nova).additionalModelRequestFields).toEqual({
      inferenceConfig: { topK: 9, other: true },
    });
  });

  it("guardrail_config becomes guardrailConfig; streamProcessingMode only on streams", () => {
    const guardrailConfig = {
      guardrailIdentifier: "abc123def456",
      guardrailVersion: "2",
      trace: "enabled" as const,
      streamProcessingMode: "async" as const,
    };
    expect(body(hi, CLAUDE, { guardrail_config: guardrailConfig }).guardrailConfig).toEqual({
      guardrailIdentifier: "abc123def456",
      guardrailVersion: "2",
      trace: "enabled",
    });
    expect(
      body(request(hi.messages, { stream: true }), CLAUDE, { guardrail_config: guardrailConfig }).guardrailConfig,
    ).toEqual(guardrailConfig);
  });

  it("stream flags never reach the body", () => {
    expect(body(request(hi.messages, { stream: true, stream_options: { include_usage: true } }))).toEqual(body(hi));
  });
});

describe("temperature above Converse's 1 (OpenAI's range goes to 2: the third converse review)", () => {
  it("is a 400 naming temperature, dropped under drop_params, and left out as before where thinking drops it", () => {
    const hot = request(hi.messages, { temperature: 1.5 });
    const refused = refusal(() => body(hot, NOVA));
    expect(refused).toMatchObject({ status: 400, param: "temperature" });
    expect(refused.message).toContain("at most 1 on Converse");
    expect(body(request(hi.messages, { temperature: 1.5, drop_params: true }), NOVA)).not.toHaveProperty(
      "inferenceConfig.temperature",
    );
    expect(body(hot, CLAUDE, { reasoning_budget: 2048 })).not.toHaveProperty("inferenceConfig.temperature");
    expect(body(request(hi.messages, { temperature: 1 }), NOVA).inferenceConfig).toEqual({ temperature: 1 });
  });
});

describe("service_tier -> serviceTier (Bedrock's service tiers)", () => {
  const asking = (tier: unknown) => request(hi.messages, { service_tier: tier });

  it("default and flex are sent as Bedrock's tiers; auto and none send nothing (Bedrock's default)", () => {
    expect(body(asking("flex"), NOVA).serviceTier).toEqual({ type: "flex" });
    expect(body(asking("default"), NOVA).serviceTier).toEqual({ type: "default" });
    expect(body(asking("auto"), NOVA)).toEqual(body(hi, NOVA));
    expect(body(asking(null), NOVA)).not.toHaveProperty("serviceTier");
    expect(body(request(hi.messages, { service_tier: "flex", stream: true }), NOVA).serviceTier).toEqual({
      type: "flex",
    });
  });

  it("auto and none are the model's service_tier setting when it has one; a tier asked for goes over it", () => {
    expect(body(asking("auto"), NOVA, { service_tier: "flex" }).serviceTier).toEqual({ type: "flex" });
    expect(body(hi, NOVA, { service_tier: "priority" }).serviceTier).toEqual({ type: "priority" });
    expect(body(asking("default"), NOVA, { service_tier: "flex" }).serviceTier).toEqual({ type: "default" });
  });

  it("priority (and openai 7's fast) only where the model's service_tiers lists it, or is its own service_tier", () => {
    const refused = refusal(() => body(asking("priority"), NOVA));
    expect(refused).toMatchObject({ status: 400, param: "service_tier" });
    expect(refused.message).toContain("Bedrock's priority tier");
    expect(refused.message).toContain("default, flex only");
    expect(refused.message).toContain('add "priority" to the model\'s service_tiers setting');
    expect(refusal(() => body(asking("fast"), NOVA)).param).toBe("service_tier");
    // drop_params drops what the route cannot honour, not what the operator did not allow.
    expect(refusal(() => body(request(hi.messages, { service_tier: "priority", drop_params: true }), NOVA)).param).toBe(
      "service_tier",
    );
    const allowed: ConverseSettings = { service_tiers: ["default", "priority"] };
    expect(body(asking("priority"), NOVA, allowed).serviceTier).toEqual({ type: "priority" });
    expect(body(asking("fast"), NOVA, allowed).serviceTier).toEqual({ type: "priority" });
    expect(refusal(() => body(asking("flex"), NOVA, allowed)).message).toContain("default, priority only");
    expect(body(asking("priority"), NOVA, { service_tier: "priority" }).serviceTier).toEqual({ type: "priority" });
    expect(refusal(() => body(asking("flex"), NOVA, { service_tiers: [] })).message).toContain(
      "lets a request ask for none",
    );
  });

  it("scale (OpenAI's Scale Tier: capacity bought ahead) is Bedrock's reserved tier, where service_tiers lists it", () => {
    expect(refusal(() => body(asking("scale"), NOVA)).message).toContain("Bedrock's reserved tier");
    expect(body(asking("scale"), NOVA, { service_tiers: ["reserved"] }).serviceTier).toEqual({ type: "reserved" });
  });

  it("an imported model is sent no tier: auto, none and default ask for its own; another is refused, or dropped with drop_params", () => {
    const IMPORTED = "arn:aws:bedrock:us-east-1:123456789012:imported-model/a1b2c3d4e5f6";
    for (const tier of ["auto", "default", null]) {
      expect(body(asking(tier), IMPORTED), String(tier)).toEqual(body(hi, IMPORTED));
      expect(body(asking(tier), IMPORTED)).not.toHaveProperty("serviceTier");
    }
    // Settings the models table refuses for an import (route-info.ts) never reach Bedrock either.
    const everyTier: ConverseSettings = {
      service_tier: "flex",
      service_tiers: ["default", "flex", "priority", "reserved"],
    };
    expect(body(hi, IMPORTED, everyTier)).not.toHaveProperty("serviceTier");
    for (const [asked, tier] of [
      ["flex", "flex"],
      ["priority", "priority"],
      ["fast", "priority"],
      ["scale", "reserved"],
    ]) {
      const refused = refusal(() => body(asking(asked), IMPORTED, everyTier));
      expect(refused, asked).toMatchObject({ status: 400, param: "service_tier", code: "unsupported_parameter" });
      expect(refused.message).toContain(`asks for Bedrock's ${tier} tier, which an imported model does not have`);
      expect(refused.message).toContain("drop_params");
      const dropped = body(request(hi.messages, { service_tier: asked, drop_params: true }), IMPORTED, everyTier);
      expect(dropped, asked).toEqual(body(hi, IMPORTED));
    }
    // A value that is no tier is the same 400 on every model, which drop_params does not drop.
    const wrong = refusal(() => body(request(hi.messages, { service_tier: "turbo", drop_params: true }), IMPORTED));
    expect(wrong.message).toContain('"auto", "default", "flex", "priority" (or "fast") or "scale"');
  });

  it("a value that names no tier is a 400 naming service_tier and the values it takes", () => {
    for (const value of ["reserved", "standard", "Priority", 1, { type: "flex" }]) {
      const refused = refusal(() => body(asking(value), NOVA));
      expect(refused, JSON.stringify(value)).toMatchObject({ status: 400, param: "service_tier" });
      expect(refused.message).toContain('"auto", "default", "flex", "priority" (or "fast") or "scale"');
    }
  });
});

describe("latency -> performanceConfig (Bedrock's latency-optimized inference)", () => {
  it("is the model's latency setting, on every call, plain and streamed; nothing without it", () => {
    const optimized: ConverseSettings = { latency: "optimized" };
    expect(body(hi, CLAUDE, optimized).performanceConfig).toEqual({ latency: "optimized" });
    expect(body(request(hi.messages, { stream: true }), NOVA, optimized).performanceConfig).toEqual({
      latency: "optimized",
    });
    expect(body(hi, NOVA, { latency: "standard" }).performanceConfig).toEqual({ latency: "standard" });
    expect(body(hi, NOVA)).not.toHaveProperty("performanceConfig");
  });
});
