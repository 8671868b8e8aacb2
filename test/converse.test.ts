// The converse route through the library against the emulator's Converse and ConverseStream:
// plain and streamed, tools, images, reasoning, every stop reason, prompt caching, settings,
// regions and faults. Requests are really signed and really verified.
import { describe, expect, it } from "vitest";
import { REASONING_TEXT, TOOL_RESULT_TEXT } from "../emulator/answers.ts";
import { GUARDRAIL_MESSAGE } from "../emulator/converse.ts";
import { OPENING_USER_TEXT } from "../src/routes/converse/messages.ts";
import { converseModelId } from "../emulator/converse-model-id.ts";
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { corruptMessageCrc, eventFrame, exceptionFrame } from "../emulator/frames.ts";
import type { ModelIdOption } from "../emulator/model-id.ts";
import {
  BedrockEdgeError,
  createBedrock,
  type ChatCompletionChunk,
  type NonStreamingRequest,
  type ChatMessageParam,
  type FunctionTool,
} from "../src/index.ts";
import { concat, streamOf } from "./helpers/bytes.ts";
import { errorOf } from "./helpers/errors.ts";
import { RESPONSES_WEATHER_TOOL as responsesWeather } from "./helpers/tool-calls.ts";
import { CONVERSE_MODEL, emulated, model } from "./helpers/emulated.ts";

const hello = { role: "user" as const, content: "Hello, wörld 👋" };
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
const tools: FunctionTool[] = [
  {
    type: "function",
    function: {
      name: "get_weather",
      description: "Weather for a city",
      parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    },
  },
];
const GREETING = /^Hello from the Bedrock emulator \(.+\)\. Your last message had \d+ characters\.$/;

async function collect(stream: AsyncIterable<ChatCompletionChunk>) {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  let content = "";
  let reasoning = "";
  const calls: Array<{ id?: string; name: string; arguments: string }> = [];
  const thinking: unknown[] = [];
  let finish: string | null = null;
  for (const chunk of chunks) {
    for (const choice of chunk.choices) {
      content += choice.delta.content ?? "";
      reasoning += choice.delta.reasoning_content ?? "";
      thinking.push(...(choice.delta.thinking_blocks ?? []));
      for (const call of choice.delta.tool_calls ?? []) {
        const known = calls[call.index];
        if (known) known.arguments += call.function?.arguments ?? "";
        else
          calls[call.index] = {
            id: call.id,
            name: call.function?.name ?? "",
            arguments: call.function?.arguments ?? "",
          };
      }
      finish = choice.finish_reason ?? finish;
    }
  }
  return { chunks, content, reasoning, thinking, calls, finish, usage: chunks.at(-1)?.usage };
}

/** The Converse body the emulator received for this model string. */
function sentBody(emulator: ReturnType<typeof emulated>["emulator"], modelString: string) {
  return emulator.stats.lastBody(modelString.slice("bedrock/converse/".length)) as Record<string, unknown>;
}

describe("converse: plain and streamed", () => {
  it("answers in OpenAI's shape, through POST /model/<id>/converse", async () => {
    const { bedrock, emulator } = emulated();
    const completion = await bedrock.chat.completions.create({
      model: model("converse"),
      messages: [{ role: "system", content: "Be brief." }, hello],
      max_tokens: 100,
      temperature: 0.3,
    });
    expect(completion).toMatchObject({
      object: "chat.completion",
      model: model("converse"),
      choices: [{ index: 0, finish_reason: "stop", logprobs: null, message: { role: "assistant", refusal: null } }],
    });
    expect(completion.choices[0]!.message.content).toMatch(GREETING);
    expect(completion.choices[0]!.message).not.toHaveProperty("reasoning_content");
    expect(completion.usage).toEqual({
      prompt_tokens: expect.any(Number),
      completion_tokens: expect.any(Number),
      total_tokens: completion.usage!.prompt_tokens + completion.usage!.completion_tokens,
    });
    expect(emulator.stats.requests.at(-1)).toMatchObject({ method: "POST", stream: false, status: 200 });
    expect(emulator.stats.requests.at(-1)!.path).toMatch(/\/converse$/);
    expect(sentBody(emulator, model("converse"))).toEqual({
      messages: [{ role: "user", content: [{ text: "Hello, wörld 👋" }] }],
      system: [{ text: "Be brief." }],
      inferenceConfig: { maxTokens: 100, temperature: 0.3 },
    });
  });

  it("streams the same answer chunk by chunk through /converse-stream, usage last when asked", async () => {
    const { bedrock, emulator } = emulated();
    const plain = await bedrock.chat.completions.create({ model: model("converse"), messages: [hello] });
    const result = await collect(
      await bedrock.chat.completions.create({
        model: model("converse"),
        messages: [hello],
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    expect(emulator.stats.requests.at(-1)!.path).toMatch(/\/converse-stream$/);
    expect(result.content).toBe(plain.choices[0]!.message.content);
    expect(result.finish).toBe("stop");
    expect(result.chunks[0]!.choices[0]!.delta).toEqual({ role: "assistant", content: "" });
    expect(result.chunks.length).toBeGreaterThan(5);
    expect(result.chunks.at(-1)!.choices).toEqual([]);
    expect(result.usage).toEqual(plain.usage);
    for (const chunk of result.chunks) expect(chunk.id).toBe(result.chunks[0]!.id);
  });

  it("sends no usage chunk unless asked", async () => {
    const { bedrock } = emulated();
    const result = await collect(
      await bedrock.chat.completions.create({ model: model("converse"), messages: [hello], stream: true }),
    );
    expect(result.chunks.some((chunk) => chunk.usage)).toBe(false);
    expect(result.finish).toBe("stop");
  });
});

describe("converse: tools", () => {
  it("a tool call: toolUse -> tool_calls with the toolUseId as id, plain and streamed alike", async () => {
    const { bedrock, emulator } = emulated();
    const request = {
      model: model("converse", "tool"),
      messages: [{ role: "user" as const, content: "Weather in Paris?" }],
      tools,
    };
    const plain = await bedrock.chat.completions.create(request);
    const message = plain.choices[0]!.message;
    expect(plain.choices[0]!.finish_reason).toBe("tool_calls");
    expect(message.content).toBeNull();
    expect(message.tool_calls).toEqual([
      {
        id: expect.stringMatching(/^tooluse_/),
        type: "function",
        function: { name: "get_weather", arguments: expect.any(String) },
      },
    ]);
    expect(JSON.parse(message.tool_calls![0]!.function.arguments)).toEqual({ city: "Paris" });
    expect(sentBody(emulator, request.model).toolConfig).toEqual({
      tools: [
        {
          toolSpec: {
            name: "get_weather",
            description: "Weather for a city",
            inputSchema: { json: tools![0]!.function.parameters },
          },
        },
      ],
    });

    const streamed = await collect(await bedrock.chat.completions.create({ ...request, stream: true }));
    expect(streamed.finish).toBe("tool_calls");
    expect(streamed.calls).toEqual([
      { id: message.tool_calls![0]!.id, name: "get_weather", arguments: expect.any(String) },
    ]);
    expect(JSON.parse(streamed.calls[0]!.arguments)).toEqual({ city: "Paris" });
    // The arguments came in several fragments, all under index 0.
    const fragments = streamed.chunks.filter((chunk) => chunk.choices[0]?.delta.tool_calls);
    expect(fragments.length).toBeGreaterThan(2);
    for (const chunk of fragments) expect(chunk.choices[0]!.delta.tool_calls![0]!.index).toBe(0);
  });

  it("the result goes back as a toolResult in the next user turn, and the model answers from it", async () => {
    const { bedrock, emulator } = emulated();
    const first = await bedrock.chat.completions.create({
      model: model("converse", "tool"),
      messages: [{ role: "user", content: "Weather in Paris?" }],
      tools,
    });
    const call = first.choices[0]!.message.tool_calls![0]!;
    const messages: ChatMessageParam[] = [
      { role: "user", content: "Weather in Paris?" },
      first.choices[0]!.message,
      { role: "tool", tool_call_id: call.id, content: "sunny, 21 °C" },
    ];
    const second = await bedrock.chat.completions.create({ model: model("converse", "tool"), messages, tools });
    expect(second.choices[0]!.message.content).toBe(TOOL_RESULT_TEXT);
    expect(second.choices[0]!.finish_reason).toBe("stop");
    const sent = sentBody(emulator, model("converse", "tool")).messages as unknown[];
    expect(sent.at(-1)).toEqual({
      role: "user",
      content: [{ toolResult: { toolUseId: call.id, content: [{ text: "sunny, 21 °C" }] } }],
    });
  });

  it("required and a named function force the call (Converse's any and tool)", async () => {
    const { bedrock, emulator } = emulated();
    for (const tool_choice of ["required", { type: "function", function: { name: "get_weather" } }] as const) {
      const completion = await bedrock.chat.completions.create({
        model: model("converse"),
        messages: [hello],
        tools,
        tool_choice,
      });
      expect(completion.choices[0]!.message.tool_calls?.[0]?.function.name).toBe("get_weather");
    }
    expect(sentBody(emulator, model("converse")).toolConfig).toMatchObject({
      toolChoice: { tool: { name: "get_weather" } },
    });
  });

  it("tool_choice none: no tools offered, no call", async () => {
    const { bedrock, emulator } = emulated();
    const completion = await bedrock.chat.completions.create({
      model: model("converse", "tool"),
      messages: [hello],
      tools,
      tool_choice: "none",
    });
    expect(completion.choices[0]!.message.tool_calls).toBeUndefined();
    expect(sentBody(emulator, model("converse", "tool"))).not.toHaveProperty("toolConfig");
  });
});

describe("converse: a call without arguments", () => {
  it('streams its arguments as "{}", as the plain answer has them (ConverseStream sends it no input)', async () => {
    const { bedrock } = emulated();
    const now: FunctionTool[] = [
      { type: "function", function: { name: "now", parameters: { type: "object", properties: {} } } },
    ];
    const request = { model: model("converse", "tool"), messages: [hello], tools: now };
    const plain = await bedrock.chat.completions.create(request);
    expect(plain.choices[0]!.message.tool_calls?.[0]?.function).toEqual({ name: "now", arguments: "{}" });
    let streamed = "";
    for await (const chunk of await bedrock.chat.completions.create({ ...request, stream: true })) {
      for (const call of chunk.choices[0]?.delta.tool_calls ?? []) streamed += call.function?.arguments ?? "";
    }
    expect(streamed).toBe("{}");
    expect(JSON.parse(streamed)).toEqual({});
  });
});

describe("converse: tool schemas", () => {
  it("a schema without a top-level type is sent as an object's, which Bedrock requires", async () => {
    const { bedrock, emulator } = emulated();
    // A `type` key present but undefined, as schema builders write optional keys, is no type either.
    for (const parameters of [{}, { properties: { city: { type: "string" } } }, { type: undefined, properties: {} }]) {
      const completion = await bedrock.chat.completions.create({
        model: model("converse", "tool"),
        messages: [hello],
        tools: [{ type: "function", function: { name: "get_weather", parameters } }],
      });
      expect(completion.choices[0]!.finish_reason).toBe("tool_calls");
      const config = sentBody(emulator, model("converse", "tool")).toolConfig as {
        tools: Array<{ toolSpec: { inputSchema: { json: unknown } } }>;
      };
      expect(config.tools[0]!.toolSpec.inputSchema.json).toEqual({ ...parameters, type: "object" });
    }
  });

  it("a schema of another type is a 400 naming it, before anything is sent", async () => {
    const { bedrock, emulator } = emulated();
    const error = await errorOf(
      () =>
        bedrock.chat.completions.create({
          model: model("converse", "tool"),
          messages: [hello],
          tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "string" } } }],
        }),
      BedrockEdgeError,
    );
    expect(error).toMatchObject({ status: 400, param: "tools[0].function.parameters.type" });
    expect(emulator.stats.requests).toHaveLength(0);
  });
});

describe("converse: structured output (response_format json_schema)", () => {
  it("a schema as OpenAI takes it (objects left open, strict unset) is answered, plain and streamed: its objects go closed", async () => {
    const { bedrock, emulator } = emulated();
    const schema = {
      type: "object",
      properties: { city: { type: "string" }, stops: { type: "array", items: { type: "object", properties: {} } } },
      required: ["city", "stops"],
    };
    const response_format = { type: "json_schema" as const, json_schema: { name: "trip", schema } };
    const plain = await bedrock.chat.completions.create({
      model: model("converse"),
      messages: [hello],
      response_format,
    });
    expect(JSON.parse(plain.choices[0]?.message.content ?? "")).toMatchObject({ city: expect.any(String) });
    const streamed = await collect(
      await bedrock.chat.completions.create({
        model: model("converse"),
        messages: [hello],
        response_format,
        stream: true,
      }),
    );
    expect(JSON.parse(streamed.content)).toMatchObject({ city: expect.any(String) });
    expect(emulator.stats.requests.map((request) => request.status)).toEqual([200, 200]);
  });

  it("a free-form object (no properties listed) goes as written, not closed to {}: Bedrock's 400 says why (structured7 #2)", async () => {
    const { bedrock, emulator } = emulated();
    const schema = {
      type: "object",
      properties: { title: { type: "string" }, metadata: { type: "object" } },
      required: ["title", "metadata"],
    };
    const error = await errorOf(
      () =>
        bedrock.chat.completions.create({
          model: model("converse"),
          messages: [hello],
          response_format: { type: "json_schema", json_schema: { name: "book", schema } },
        }),
      BedrockEdgeError,
    );
    expect(error).toMatchObject({ status: 400 });
    expect(error.message).toContain("'additionalProperties' must be explicitly set to false");
    const sent = sentBody(emulator, model("converse")) as {
      outputConfig: { textFormat: { structure: { jsonSchema: { schema: string } } } };
    };
    expect(JSON.parse(sent.outputConfig.textFormat.structure.jsonSchema.schema)).toEqual({
      ...schema,
      additionalProperties: false,
    });
  });
});

describe("converse: Nova 2 at high reasoning effort", () => {
  it("takes no output limit: answered without one, and a limit (the caller's or the model's cap) refused before anything is sent", async () => {
    const nova = `bedrock/converse/${converseModelId("us.amazon.nova-2-lite-v1:0", ["think"])}`;
    const { bedrock, emulator } = emulated({
      region: "us-east-1",
      models: { capped: { model: nova, max_output_tokens: 500 } },
    });
    const completion = await bedrock.chat.completions.create({
      model: nova,
      messages: [hello],
      reasoning_effort: "high",
    });
    expect(completion.choices[0]?.message.content).toMatch(GREETING);
    expect(sentBody(emulator, nova).inferenceConfig).toBeUndefined();
    const medium = { model: nova, messages: [hello], max_tokens: 800, reasoning_effort: "medium" as const };
    await bedrock.chat.completions.create(medium);
    expect(sentBody(emulator, nova).inferenceConfig).toEqual({ maxTokens: 800 });
    const sent = emulator.stats.requests.length;
    for (const refused of [
      { ...medium, reasoning_effort: "high" as const },
      { model: "capped", messages: [hello], reasoning_effort: "xhigh" as const },
    ]) {
      const error = await errorOf(() => bedrock.chat.completions.create(refused), BedrockEdgeError);
      expect(error).toMatchObject({ status: 400, param: expect.stringMatching(/^max_(completion_)?tokens$/) });
    }
    expect(emulator.stats.requests.length).toBe(sent);
  });
});

describe("converse: images", () => {
  it("a data URL becomes an image block the emulator accepts", async () => {
    const { bedrock, emulator } = emulated();
    const completion = await bedrock.chat.completions.create({
      model: model("converse"),
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is this?" },
            { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } },
          ],
        },
      ],
    });
    expect(completion.choices[0]!.message.content).toMatch(GREETING);
    expect(sentBody(emulator, model("converse")).messages).toEqual([
      { role: "user", content: [{ text: "What is this?" }, { image: { format: "png", source: { bytes: PNG } } }] },
    ]);
  });

  it("a URL is refused before anything is sent", async () => {
    const { bedrock, emulator } = emulated();
    const error = await errorOf(
      () =>
        bedrock.chat.completions.create({
          model: model("converse"),
          messages: [
            { role: "user", content: [{ type: "image_url", image_url: { url: "https://example.com/a.png" } }] },
          ],
        }),
      BedrockEdgeError,
    );
    expect(error).toMatchObject({ status: 400, param: "messages[0].content[0].image_url.url" });
    expect(emulator.stats.requests).toHaveLength(0);
  });
});

describe("converse: reasoning", () => {
  it("reasoningContent is reasoning_content, and its signed block comes back as thinking_blocks", async () => {
    const { bedrock } = emulated();
    const plain = await bedrock.chat.completions.create({ model: model("converse", "think"), messages: [hello] });
    const message = plain.choices[0]!.message;
    expect(message.reasoning_content).toBe(REASONING_TEXT);
    expect(message.content).toMatch(GREETING);
    expect(message.thinking_blocks).toEqual([
      { type: "thinking", thinking: REASONING_TEXT, signature: expect.any(String) },
    ]);

    const streamed = await collect(
      await bedrock.chat.completions.create({ model: model("converse", "think"), messages: [hello], stream: true }),
    );
    expect(streamed.reasoning).toBe(REASONING_TEXT);
    expect(streamed.content).toBe(message.content);
    expect(streamed.thinking).toEqual(message.thinking_blocks);
  });

  it("thinking_blocks sent back reach Converse as signed reasoningContent", async () => {
    const { bedrock, emulator } = emulated();
    const first = await bedrock.chat.completions.create({ model: model("converse", "think"), messages: [hello] });
    await bedrock.chat.completions.create({
      model: model("converse", "think"),
      messages: [hello, first.choices[0]!.message, { role: "user", content: "And then?" }],
    });
    const turns = sentBody(emulator, model("converse", "think")).messages as Array<{ content: unknown[] }>;
    expect(turns[1]!.content[0]).toEqual({
      reasoningContent: {
        reasoningText: {
          text: REASONING_TEXT,
          signature:
            first.choices[0]!.message.thinking_blocks![0]!.type === "thinking"
              ? first.choices[0]!.message.thinking_blocks![0]!.signature
              : "",
        },
      },
    });
  });

  it("reasoning_effort turns on Claude's thinking with a budget", async () => {
    const { bedrock, emulator } = emulated();
    await bedrock.chat.completions.create({
      model: model("converse"),
      messages: [hello],
      reasoning_effort: "medium",
      max_completion_tokens: 12000,
    });
    expect(sentBody(emulator, model("converse"))).toMatchObject({
      additionalModelRequestFields: { thinking: { type: "enabled", budget_tokens: 8192 } },
      inferenceConfig: { maxTokens: 12000 },
    });
  });
});

describe("converse: a conversation that opens with the assistant", () => {
  const greeting = { role: "assistant" as const, content: "How can I help?" };
  const opening = { role: "user", content: [{ text: OPENING_USER_TEXT }] };

  it("gets a user turn before it, on chat", async () => {
    const { bedrock, emulator } = emulated();
    const completion = await bedrock.chat.completions.create({
      model: model("converse"),
      messages: [{ role: "system", content: "Be brief." }, greeting, hello],
    });
    expect(completion.choices[0]!.message.content).toMatch(GREETING);
    expect(sentBody(emulator, model("converse"))).toMatchObject({
      system: [{ text: "Be brief." }],
      messages: [opening, { role: "assistant", content: [{ text: "How can I help?" }] }, { role: "user" }],
    });
  });

  it("and on the Responses API", async () => {
    const { bedrock, emulator } = emulated();
    const response = await bedrock.responses.create({
      model: model("converse"),
      instructions: "Be nice.",
      input: [greeting, { role: "user", content: "hello" }],
    });
    expect(response.status).toBe("completed");
    expect((sentBody(emulator, model("converse")).messages as unknown[])[0]).toEqual(opening);
  });
});

describe("converse: what Claude's thinking cannot go with", () => {
  const thinkingModel = () =>
    emulated({ models: { claude: { model: model("converse", "tool"), reasoning_budget: 4096 } } });
  const sent = (emulator: ReturnType<typeof emulated>["emulator"]) => sentBody(emulator, model("converse", "tool"));

  it.each([["required" as const], [{ type: "function" as const, function: { name: "get_weather" } }]])(
    "thinking on by the model's reasoning_budget is off for a forced tool call (%j)",
    async (tool_choice) => {
      const { bedrock, emulator } = thinkingModel();
      const completion = await bedrock.chat.completions.create({
        model: "claude",
        messages: [hello],
        tools,
        tool_choice,
      });
      expect(completion.choices[0]!.finish_reason).toBe("tool_calls");
      expect(sent(emulator)).not.toHaveProperty("additionalModelRequestFields");
      // Without the forced choice, the model's thinking is on.
      await bedrock.chat.completions.create({ model: "claude", messages: [hello], tools });
      expect(sent(emulator)).toMatchObject({ additionalModelRequestFields: { thinking: { budget_tokens: 4096 } } });
    },
  );

  it("and off for the turn that brings the forced call's results back, chat and Responses", async () => {
    const { bedrock, emulator } = thinkingModel();
    const forced = await bedrock.chat.completions.create({
      model: "claude",
      messages: [hello],
      tools,
      tool_choice: "required",
    });
    const call = forced.choices[0]!.message;
    expect(call.tool_calls).toHaveLength(1);
    // The whole loop: the results go back with tool_choice left to the model, as agents send them.
    const results: ChatMessageParam[] = [
      hello,
      call as ChatMessageParam,
      { role: "tool", tool_call_id: call.tool_calls![0]!.id, content: "sunny" },
    ];
    const next = await bedrock.chat.completions.create({ model: "claude", messages: results, tools });
    expect(next.choices[0]!.finish_reason).not.toBeUndefined();
    expect(sent(emulator)).not.toHaveProperty("additionalModelRequestFields");
    // The same loop through the Responses API.
    const first = await bedrock.responses.create({
      model: "claude",
      input: "Weather in Paris?",
      tools: [responsesWeather],
      tool_choice: "required",
    });
    const functionCall = first.output.find((item) => item.type === "function_call");
    expect(functionCall).toBeDefined();
    const second = await bedrock.responses.create({
      model: "claude",
      tools: [responsesWeather],
      input: [
        { role: "user", content: "Weather in Paris?" },
        ...first.output,
        { type: "function_call_output", call_id: functionCall!.call_id, output: "sunny" },
      ],
    });
    expect(second.status).toBe("completed");
    // A loop whose calls came with their reasoning keeps the model's thinking.
    const thinker = emulated({
      models: { claude: { model: model("converse", "think", "tool"), reasoning_budget: 4096 } },
    });
    const thought = await thinker.bedrock.chat.completions.create({ model: "claude", messages: [hello], tools });
    const thoughtCall = thought.choices[0]!.message;
    expect(thoughtCall.thinking_blocks?.length).toBeGreaterThan(0);
    await thinker.bedrock.chat.completions.create({
      model: "claude",
      tools,
      messages: [
        hello,
        thoughtCall as ChatMessageParam,
        { role: "tool", tool_call_id: thoughtCall.tool_calls![0]!.id, content: "sunny" },
      ],
    });
    expect(sentBody(thinker.emulator, model("converse", "think", "tool"))).toMatchObject({
      additionalModelRequestFields: { thinking: { budget_tokens: 4096 } },
    });
  });

  it("thinking on by the model's reasoning_budget: temperature, top_p and top_k are not sent", async () => {
    const { bedrock, emulator } = thinkingModel();
    await bedrock.chat.completions.create({
      model: "claude",
      messages: [hello],
      temperature: 0.2,
      top_p: 0.9,
      top_k: 40,
    });
    expect(sent(emulator)).toEqual({
      messages: expect.any(Array),
      inferenceConfig: { maxTokens: 4096 + 4096 },
      additionalModelRequestFields: { thinking: { type: "enabled", budget_tokens: 4096 } },
    });
    // temperature 1 is what thinking takes anyway.
    await bedrock.chat.completions.create({ model: "claude", messages: [hello], temperature: 1 });
    expect(sent(emulator)).toMatchObject({ inferenceConfig: { temperature: 1 } });
  });

  it("reasoning_effort with a forced tool_choice or a sampling field is a 400 naming both", async () => {
    const { bedrock, emulator } = emulated();
    const base = { model: model("converse", "tool"), messages: [hello], tools, reasoning_effort: "low" as const };
    const forced = await errorOf(
      () => bedrock.chat.completions.create({ ...base, tool_choice: "required" }),
      BedrockEdgeError,
    );
    expect(forced).toMatchObject({ status: 400, param: "reasoning_effort" });
    expect(forced.message).toMatch(/reasoning_effort .*tool_choice/);
    for (const field of [{ temperature: 0.3 }, { top_p: 0.5 }, { top_k: 5 }]) {
      const error = await errorOf(() => bedrock.chat.completions.create({ ...base, ...field }), BedrockEdgeError);
      expect(error).toMatchObject({ status: 400, param: "reasoning_effort" });
      expect(error.message).toContain(`reasoning_effort cannot be used with ${Object.keys(field)[0]}`);
    }
    expect(emulator.stats.requests).toHaveLength(0);
    // Under drop_params the sampling field is dropped and thinking stays on.
    await bedrock.chat.completions.create({ ...base, temperature: 0.3, drop_params: true });
    expect(sent(emulator)).toMatchObject({ additionalModelRequestFields: { thinking: { budget_tokens: 2048 } } });
    expect(sent(emulator)).not.toHaveProperty("inferenceConfig.temperature");
  });

  it("a plain call's own max_tokens fits plain Converse (21,333 at most); a stream's need not", async () => {
    const { bedrock, emulator } = emulated();
    const request = { model: model("converse"), messages: [hello], reasoning_effort: "xhigh" as const };
    await bedrock.chat.completions.create(request);
    expect(sentBody(emulator, model("converse"))).toMatchObject({
      inferenceConfig: { maxTokens: 21_333 },
      additionalModelRequestFields: { thinking: { type: "enabled", budget_tokens: 21_333 - 4096 } },
    });
    await collect(await bedrock.chat.completions.create({ ...request, stream: true }));
    expect(sentBody(emulator, model("converse"))).toMatchObject({
      inferenceConfig: { maxTokens: 32_768 + 4096 },
      additionalModelRequestFields: { thinking: { type: "enabled", budget_tokens: 32_768 } },
    });
  });

  it('reasoning_effort "max", OpenAI\'s top effort, is served as xhigh, in chat and the Responses API (specreq6 #2)', async () => {
    const { bedrock, emulator } = emulated();
    const thinking = { additionalModelRequestFields: { thinking: { type: "enabled", budget_tokens: 32_768 } } };
    await collect(
      await bedrock.chat.completions.create({
        model: model("converse"),
        messages: [hello],
        reasoning_effort: "max",
        stream: true,
      }),
    );
    expect(sentBody(emulator, model("converse"))).toMatchObject(thinking);
    const response = await bedrock.responses.create({
      model: model("converse"),
      input: "Hi",
      reasoning: { effort: "max" },
    });
    expect(response.status).toBe("completed");
    // Plain: shrunk to what plain Converse takes, as xhigh is.
    expect(sentBody(emulator, model("converse"))).toMatchObject({
      additionalModelRequestFields: { thinking: { type: "enabled", budget_tokens: 21_333 - 4096 } },
    });
  });
});

describe("converse: every stop reason", () => {
  it.each([
    { stopReason: "end_turn", options: [], finish: "stop" },
    { stopReason: "max_tokens", options: ["length"], finish: "length" },
    { stopReason: "stop_sequence", options: ["stopseq"], finish: "stop" },
    { stopReason: "guardrail_intervened", options: ["guardrail"], finish: "content_filter" },
    { stopReason: "content_filtered", options: ["filtered"], finish: "content_filter" },
  ] as const)("$stopReason is finish_reason $finish, plain and streamed", async ({ options, finish }) => {
    const { bedrock } = emulated();
    const request = { model: model("converse", ...options), messages: [hello], stop: ["zzz"], max_tokens: 50 };
    const plain = await bedrock.chat.completions.create(request);
    expect(plain.choices[0]!.finish_reason).toBe(finish);
    const streamed = await collect(await bedrock.chat.completions.create({ ...request, stream: true }));
    expect(streamed.finish).toBe(finish);
    expect(streamed.content).toBe(plain.choices[0]!.message.content);
  });

  it("tool_use is tool_calls (above); a guardrail's answer is its blocked message", async () => {
    const { bedrock } = emulated();
    const plain = await bedrock.chat.completions.create({ model: model("converse", "guardrail"), messages: [hello] });
    expect(plain.choices[0]!.message.content).toBe(GUARDRAIL_MESSAGE);
  });
});

// Claude refuses a stop of only whitespace (Bedrock's 400 "stop_sequences: each stop sequence must
// contain non-whitespace"), which OpenAI clients send often: the route applies such stops itself.
describe("converse: stops Claude refuses (only whitespace) are applied by the library", () => {
  const lines = { role: "user" as const, content: `first line\n${"and more words ".repeat(40)}\n\nlast` };

  it('stop: ["\\n"] on Claude: not sent, the answer ends before the first newline, plain and streamed alike', async () => {
    const { bedrock, emulator } = emulated();
    const request = { model: model("converse", "echo"), messages: [lines], stop: ["\n"] };
    const plain = await bedrock.chat.completions.create(request);
    expect(plain.choices[0]).toMatchObject({ finish_reason: "stop", message: { content: "first line" } });
    expect(sentBody(emulator, model("converse", "echo"))).not.toHaveProperty("inferenceConfig");
    expect(plain.usage?.completion_tokens).toEqual(expect.any(Number));
    const streamed = await collect(await bedrock.chat.completions.create({ ...request, stream: true }));
    expect(streamed).toMatchObject({ content: "first line", finish: "stop" });
    expect(streamed.chunks.filter((chunk) => chunk.choices[0]?.finish_reason)).toHaveLength(1);
    // A string stop too; a stop Claude takes still goes to Bedrock, which ends the text there.
    const string = await bedrock.chat.completions.create({ ...request, stop: "\n\n" });
    expect(string.choices[0]!.message.content).toBe(`first line\n${"and more words ".repeat(40)}`);
    const mixed = await bedrock.chat.completions.create({ ...request, stop: ["\n\n", "more"] });
    expect(mixed.choices[0]!.message.content).toBe("first line\nand ");
    expect(sentBody(emulator, model("converse", "echo")).inferenceConfig).toEqual({ stopSequences: ["more"] });
  });

  it("a stream whose stop is found stops reading Bedrock: the upstream call is cancelled", async () => {
    const { bedrock, emulator } = emulated();
    const stream = await bedrock.chat.completions.create({
      model: model("converse", "echo", "slow20"),
      messages: [lines],
      stop: ["\n"],
      stream: true,
      stream_options: { include_usage: true },
    });
    const streamed = await collect(stream);
    expect(streamed).toMatchObject({ content: "first line", finish: "stop" });
    await expect.poll(() => emulator.stats.cancelledStreams).toBe(1);
    // Bedrock counts the answer in its last event, which was not read: no count is made up.
    expect(streamed.chunks.some((chunk) => chunk.usage)).toBe(false);
  });

  it("a stop in the answer's first text: an empty answer, the call cancelled before create() returns", async () => {
    const { bedrock, emulator } = emulated();
    const request = {
      model: model("converse", "echo", "slow20"),
      messages: [{ role: "user" as const, content: `\n${lines.content}` }],
      stop: ["\n"],
    };
    const plain = await bedrock.chat.completions.create(request);
    expect(plain.choices[0]).toMatchObject({ finish_reason: "stop", message: { content: "" } });
    const streamed = await collect(await bedrock.chat.completions.create({ ...request, stream: true }));
    expect(streamed).toMatchObject({ content: "", finish: "stop" });
    await expect.poll(() => emulator.stats.cancelledStreams).toBe(1);
  });

  it("a stop in the first read: the stream ends there, its upstream call cancelled, whatever Bedrock sends next or not", async () => {
    const claude =
      "bedrock/converse/arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0";
    const first = concat([
      eventFrame("messageStart", { role: "assistant" }),
      eventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "Hello\nand on" } }),
    ]);
    let cancelled = false;
    const bedrock = createBedrock({
      endpoint: "http://bedrock.emulator",
      credentials: EMULATOR_CREDENTIALS,
      idleTimeoutMs: 1000,
      // One read, then Bedrock goes on generating and sends nothing yet: the stream stays open.
      fetch: async () =>
        new Response(
          new ReadableStream<Uint8Array>({
            start: (controller) => controller.enqueue(first),
            cancel() {
              cancelled = true;
            },
          }),
          { headers: { "content-type": "application/vnd.amazon.eventstream" } },
        ),
    });
    const stream = await bedrock.chat.completions.create({
      model: claude,
      messages: [hello],
      stop: ["\n"],
      stream: true,
    });
    expect(await collect(stream)).toMatchObject({ content: "Hello", finish: "stop" });
    await expect.poll(() => cancelled).toBe(true);
  });

  it("what follows the stop in the read that completed it is not read: an exception there fails nothing", async () => {
    const claude =
      "bedrock/converse/arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0";
    const text = (delta: string) => eventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: delta } });
    const start = eventFrame("messageStart", { role: "assistant" });
    const boom = exceptionFrame("modelStreamErrorException", "boom");
    const usage = eventFrame("metadata", { usage: { inputTokens: 5, outputTokens: 3, totalTokens: 8 } });
    // Each inner list is one read of Bedrock's stream.
    const answering = (reads: Uint8Array[][]) => {
      let calls = 0;
      const bedrock = createBedrock({
        endpoint: "http://bedrock.emulator",
        credentials: EMULATOR_CREDENTIALS,
        fetch: async () => {
          calls++;
          const body = streamOf(reads.map(concat));
          return new Response(body, { headers: { "content-type": "application/vnd.amazon.eventstream" } });
        },
      });
      const ask = async () =>
        collect(
          await bedrock.chat.completions.create({
            model: claude,
            messages: [hello],
            stop: ["\n"],
            stream: true,
            stream_options: { include_usage: true },
          }),
        );
      return { ask, calls: () => calls };
    };
    // Mid-stream: the stop, then an exception and Bedrock's counts, in one read.
    const later = answering([
      [start, text("Hello")],
      [text(" there\nmore"), boom, usage],
    ]);
    const streamed = await later.ask();
    expect(streamed).toMatchObject({ content: "Hello there", finish: "stop" });
    expect(streamed.chunks.some((chunk) => chunk.usage)).toBe(false);
    // In the first read: create() resolves (no retry) with the whole answer.
    const first = answering([[start, text("Hi\nthere"), boom]]);
    expect(await first.ask()).toMatchObject({ content: "Hi", finish: "stop" });
    expect(first.calls()).toBe(1);
  });

  it("a stop applied here that completes inside the stop Bedrock applied (and cut off) ends the text there", async () => {
    const { bedrock, emulator } = emulated();
    const request = {
      model: model("converse", "echo"),
      messages: [{ role: "user" as const, content: "foo\n\nHuman: hi" }],
      stop: ["\n\n", "\nHuman:"],
    };
    // A model server applying both ends at "\n\n", which completes first.
    const plain = await bedrock.chat.completions.create(request);
    expect(plain.choices[0]).toMatchObject({ finish_reason: "stop", message: { content: "foo" } });
    expect(sentBody(emulator, model("converse", "echo"))).toMatchObject({
      inferenceConfig: { stopSequences: ["\nHuman:"] },
      additionalModelResponseFieldPaths: ["/delta/stop_sequence"],
    });
    const streamed = await collect(await bedrock.chat.completions.create({ ...request, stream: true }));
    expect(streamed).toMatchObject({ content: "foo", finish: "stop" });
    // None completes inside it: the text Bedrock gave is whole.
    const whole = await bedrock.chat.completions.create({
      ...request,
      messages: [{ role: "user", content: "foo\nHuman: hi" }],
    });
    expect(whole.choices[0]!.message.content).toBe("foo");
    const spaced = await bedrock.chat.completions.create({
      ...request,
      messages: [{ role: "user", content: "foo \nHuman:" }],
    });
    expect(spaced.choices[0]!.message.content).toBe("foo ");
  });

  it("other models get such stops as sent", async () => {
    const { bedrock, emulator } = emulated();
    const nova = `bedrock/converse/${converseModelId("arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0", ["echo"])}`;
    const plain = await bedrock.chat.completions.create({ model: nova, messages: [lines], stop: ["\n"] });
    expect(plain.choices[0]).toMatchObject({ finish_reason: "stop", message: { content: "first line" } });
    expect(sentBody(emulator, nova).inferenceConfig).toEqual({ stopSequences: ["\n"] });
  });
});

describe("converse: usage with prompt caching", () => {
  it("cache reads and writes in prompt_tokens_details, plain and streamed", async () => {
    const { bedrock } = emulated();
    const plain = await bedrock.chat.completions.create({ model: model("converse", "cache"), messages: [hello] });
    const details = plain.usage!.prompt_tokens_details!;
    expect(details.cached_tokens).toBeGreaterThan(0);
    expect(details.cache_write_tokens).toBeGreaterThan(0);
    expect(plain.usage!.prompt_tokens).toBeGreaterThan(details.cached_tokens + details.cache_write_tokens!);
    const streamed = await collect(
      await bedrock.chat.completions.create({
        model: model("converse", "cache"),
        messages: [hello],
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    expect(streamed.usage).toEqual(plain.usage);
  });
});

describe("converse: per-model settings", () => {
  it("additional_model_request_fields and guardrail_config reach Converse", async () => {
    const guardrail_config = { guardrailIdentifier: "abc123def456", guardrailVersion: "1", trace: "enabled" as const };
    const { bedrock, emulator } = emulated({
      models: {
        claude: {
          model: model("converse"),
          additional_model_request_fields: { anthropic_beta: ["context-1m-2025-08-07"] },
          guardrail_config,
        },
      },
    });
    await bedrock.chat.completions.create({ model: "claude", messages: [hello] });
    expect(sentBody(emulator, model("converse"))).toMatchObject({
      additionalModelRequestFields: { anthropic_beta: ["context-1m-2025-08-07"] },
      guardrailConfig: guardrail_config,
    });
  });

  it("reasoning_budget turns thinking on by default; reasoning_effort none turns it off", async () => {
    const { bedrock, emulator } = emulated({
      models: { claude: { model: model("converse"), reasoning_budget: 4000 } },
    });
    await bedrock.chat.completions.create({ model: "claude", messages: [hello] });
    expect(sentBody(emulator, model("converse")).additionalModelRequestFields).toEqual({
      thinking: { type: "enabled", budget_tokens: 4000 },
    });
    await bedrock.chat.completions.create({ model: "claude", messages: [hello], reasoning_effort: "none" });
    expect(sentBody(emulator, model("converse"))).not.toHaveProperty("additionalModelRequestFields");
  });

  it("reasoning_effort none also turns off thinking that additional_model_request_fields turn on, and keeps their other keys (the third review)", async () => {
    const raw = { thinking: { type: "enabled", budget_tokens: 4000 }, anthropic_beta: ["context-1m-2025-08-07"] };
    const { bedrock, emulator } = emulated({
      models: { claude: { model: model("converse"), additional_model_request_fields: raw } },
    });
    await bedrock.chat.completions.create({ model: "claude", messages: [hello] });
    expect(sentBody(emulator, model("converse")).additionalModelRequestFields).toEqual(raw);
    await bedrock.chat.completions.create({ model: "claude", messages: [hello], reasoning_effort: "none" });
    expect(sentBody(emulator, model("converse")).additionalModelRequestFields).toEqual({
      anthropic_beta: ["context-1m-2025-08-07"],
    });
  });

  it("settings this route does not use, or a budget the model cannot take, are refused with the entry", () => {
    expect(() => emulated({ models: { x: { model: model("converse"), max_body_bytes: 8_000_000 } } })).not.toThrow();
    expect(() => emulated({ models: { x: { model: model("converse"), template: "qwen3" } } })).toThrow(
      /models\["x"\]\.template: the converse route does not use template/,
    );
    expect(() =>
      emulated({
        models: { x: { model: "bedrock/converse/meta.llama3-1-70b-instruct-v1:0", reasoning_budget: 2048 } },
      }),
    ).toThrow(/models\["x"\]\.reasoning_budget: /);
    expect(() => emulated({ models: { x: { model: model("converse"), reasoning_budget: 10 } } })).toThrow(
      /reasoning_budget/,
    );
    // The cap becomes every request's limit: at 1024 or less, every call was a 400 blaming max_tokens (the third review).
    const capped = (max_output_tokens: number) => () =>
      emulated({ models: { x: { model: model("converse"), reasoning_budget: 2048, max_output_tokens } } });
    expect(capped(1024)).toThrow(
      /models\["x"\]\.max_output_tokens: Claude thinks within it \(reasoning_budget\), so it must be above 1024/,
    );
    expect(capped(1025)).not.toThrow();
  });
});

describe("converse: an application inference profile whose entry names its model (foundation_model)", () => {
  // The emulator is told what the profile serves (`+<foundation id>`) and checks requests as real
  // Bedrock does, as that model's; the library knows it from the entry's foundation_model only.
  const CLAUDE_45 = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
  const LLAMA = "meta.llama3-3-70b-instruct-v1:0";
  const PROFILE = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6";
  const served = (foundation: string, ...options: ModelIdOption[]) =>
    converseModelId(`${PROFILE}+${foundation}`, options);
  const claudeId = served(CLAUDE_45, "cache");
  const llamaId = served(LLAMA, "tool");
  const table = (foundation_model?: string) => ({
    models: {
      claude: { model: `bedrock/converse/${claudeId}`, foundation_model: foundation_model && CLAUDE_45 },
      llama: { model: `bedrock/converse/${llamaId}`, foundation_model: foundation_model && LLAMA },
    },
  });
  const sent = (emulator: ReturnType<typeof emulated>["emulator"], id: string) =>
    emulator.stats.lastBody(id) as Record<string, unknown>;

  it("a whitespace stop Claude refuses is applied by the library, not sent (without the setting, Bedrock's 400)", async () => {
    const before = emulated(table());
    const refused = await errorOf(
      () => before.bedrock.chat.completions.create({ model: "claude", messages: [hello], stop: ["\n"] }),
      BedrockEdgeError,
    );
    expect(refused).toMatchObject({ status: 400 });
    expect(refused.message).toContain("each stop sequence must contain non-whitespace");

    const { bedrock, emulator } = emulated(table("set"));
    const completion = await bedrock.chat.completions.create({
      model: "claude",
      messages: [hello],
      stop: ["\n", "END"],
    });
    expect(completion.choices[0]!.message.content).toMatch(GREETING);
    expect(sent(emulator, claudeId).inferenceConfig).toEqual({ stopSequences: ["END"] });
  });

  it("reasoning_effort turns on Claude's thinking, answered first; its signed blocks go back as they came", async () => {
    const before = emulated(table());
    await expect(
      before.bedrock.chat.completions.create({ model: "claude", messages: [hello], reasoning_effort: "low" }),
    ).rejects.toMatchObject({ status: 400, param: "reasoning_effort" });

    const { bedrock, emulator } = emulated(table("set"));
    const first = await bedrock.chat.completions.create({
      model: "claude",
      messages: [hello],
      reasoning_effort: "low",
    });
    expect(sent(emulator, claudeId).additionalModelRequestFields).toEqual({
      thinking: { type: "enabled", budget_tokens: 2048 },
    });
    const message = first.choices[0]!.message;
    expect(message.reasoning_content).toBe(REASONING_TEXT);
    const [block] = message.thinking_blocks ?? [];
    // A block that mentions a special token: Claude's signature covers it byte for byte.
    const mentioning = {
      type: "thinking" as const,
      thinking: `${REASONING_TEXT} <|im_start|>`,
      signature: "EqQBCkYIBxgCKkA",
    };
    await bedrock.chat.completions.create({
      model: "claude",
      messages: [hello, { ...message, thinking_blocks: [mentioning] }, { role: "user", content: "And then?" }],
      reasoning_effort: "low",
    });
    expect(block).toMatchObject({ type: "thinking", thinking: REASONING_TEXT });
    const turns = sent(emulator, claudeId).messages as Array<{ content: unknown[] }>;
    expect(turns[1]!.content[0]).toEqual({
      reasoningContent: { reasoningText: { text: mentioning.thinking, signature: mentioning.signature } },
    });
  });

  it("cache_control marks reach the profile as cachePoints, a one-hour ttl among them (without the setting, dropped)", async () => {
    const marked = {
      model: "claude",
      messages: [
        {
          role: "user" as const,
          content: [{ type: "text" as const, text: "Hi", cache_control: { type: "ephemeral", ttl: "1h" } }],
        },
      ],
      tools: tools.map((tool) => ({ ...tool, cache_control: { type: "ephemeral" } })),
      stream: false as const,
    } as NonStreamingRequest;
    const before = emulated(table());
    await before.bedrock.chat.completions.create(marked);
    expect(JSON.stringify(sent(before.emulator, claudeId))).not.toContain("cachePoint");

    const { bedrock, emulator } = emulated(table("set"));
    const completion = await bedrock.chat.completions.create(marked);
    const body = sent(emulator, claudeId) as {
      messages: Array<{ content: unknown[] }>;
      toolConfig: { tools: unknown[] };
    };
    expect(body.messages[0]!.content).toEqual([{ text: "Hi" }, { cachePoint: { type: "default", ttl: "1h" } }]);
    expect(body.toolConfig.tools.at(-1)).toEqual({ cachePoint: { type: "default" } });
    expect(completion.usage?.prompt_tokens_details?.cached_tokens).toBeGreaterThan(0);
  });

  it("a streamed request with tools to a Llama is made plain and replayed (without the setting, Bedrock's 400)", async () => {
    const streamed = { model: "llama", messages: [hello], tools, stream: true as const };
    const before = emulated(table());
    await expect(before.bedrock.chat.completions.create(streamed)).rejects.toMatchObject({
      message: expect.stringContaining("doesn't support tool use in streaming mode"),
    });

    const { bedrock, emulator } = emulated(table("set"));
    const { calls, finish } = await collect(await bedrock.chat.completions.create(streamed));
    expect(calls.map((call) => call.name)).toEqual(["get_weather"]);
    expect(finish).toBe("tool_calls");
    expect(emulator.stats.requests.at(-1)?.path).toMatch(/\/converse$/);
  });
});

describe("converse: model ids and regions", () => {
  const bare = converseModelId("us.amazon.nova-pro-v1:0");

  it("a bare id runs in the region option's region", async () => {
    const { bedrock, emulator } = emulated({ region: "us-west-2" });
    const completion = await bedrock.chat.completions.create({ model: `bedrock/converse/${bare}`, messages: [hello] });
    expect(completion.choices[0]!.message.content).toMatch(GREETING);
    expect(emulator.stats.requests.at(-1)!.modelId).toBe(bare);
  });

  it("a bare id runs in its model string's <region>/, with no region option", async () => {
    const { emulator } = emulated();
    const scopes: string[] = [];
    const { bedrock } = emulated({
      fetch: (input, init) => {
        const request = new Request(input, init);
        scopes.push(/Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(request.headers.get("authorization") ?? "")?.[1] ?? "");
        return emulator.fetch(request);
      },
    });
    const model = `bedrock/converse/eu-west-1/${bare}`;
    const completion = await bedrock.chat.completions.create({ model, messages: [hello] });
    expect(completion.choices[0]!.message.content).toMatch(GREETING);
    expect(emulator.stats.requests.at(-1)!.modelId).toBe(bare);
    expect(scopes).toEqual(["eu-west-1"]);
    expect(() => emulated({ models: { nova: model } })).not.toThrow();
  });

  it("a bare id without a region is refused, saying so", async () => {
    const { bedrock, emulator } = emulated();
    const error = await errorOf(
      () => bedrock.chat.completions.create({ model: `bedrock/converse/${bare}`, messages: [hello] }),
      BedrockEdgeError,
    );
    expect(error).toMatchObject({ status: 400 });
    expect(error.message).toMatch(/region/);
    expect(emulator.stats.requests).toHaveLength(0);
  });

  it("a bare id in the models table needs a region when the client has none", () => {
    expect(() => emulated({ models: { nova: `bedrock/converse/${bare}` } })).toThrow(/models\["nova"\].*region/);
    expect(() =>
      emulated({ models: { nova: { model: `bedrock/converse/${bare}`, region: "eu-west-1" } } }),
    ).not.toThrow();
    expect(() => emulated({ region: "eu-west-1", models: { nova: `bedrock/converse/${bare}` } })).not.toThrow();
  });

  it("inference profiles, application profiles and provisioned models by ARN", async () => {
    const { bedrock } = emulated();
    for (const arn of [
      "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-20250514-v1:0",
      "arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/a1b2c3d4e5f6",
      "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/a1b2c3d4e5f6",
    ]) {
      const completion = await bedrock.chat.completions.create({ model: `bedrock/converse/${arn}`, messages: [hello] });
      expect(completion.choices[0]!.message.content, arn).toMatch(GREETING);
    }
  });

  it("an imported model that takes Converse, by its ARN", async () => {
    const { bedrock } = emulated();
    const arn = "arn:aws:bedrock:us-east-1:123456789012:imported-model/llama";
    const completion = await bedrock.chat.completions.create({ model: `bedrock/converse/${arn}`, messages: [hello] });
    expect(completion.choices[0]!.message.content).toMatch(/^Hello from the Bedrock emulator/);
  });
});

describe("converse: refusals and faults", () => {
  it("parameters Converse cannot take are refused by name before anything is sent", async () => {
    const { bedrock, emulator } = emulated();
    for (const extra of [{ n: 2 }, { logprobs: true }, { seed: 1 }, { presence_penalty: 1 }]) {
      const error = await errorOf(
        () => bedrock.chat.completions.create({ model: model("converse"), messages: [hello], ...extra }),
        BedrockEdgeError,
      );
      expect(error).toMatchObject({ status: 400, code: "unsupported_parameter", param: Object.keys(extra)[0] });
    }
    expect(emulator.stats.requests).toHaveLength(0);
  });

  it("throttling, a cold model and 5xx are retried; a context overflow is a 400", async () => {
    const { bedrock } = emulated();
    for (const options of [["throttle1"], ["notready1"], ["err5001"], ["err5031"]] as const) {
      const completion = await bedrock.chat.completions.create({
        model: model("converse", ...options),
        messages: [hello],
      });
      expect(completion.choices[0]!.message.content, options.join()).toMatch(GREETING);
    }
    const error = await errorOf(
      () => bedrock.chat.completions.create({ model: model("converse", "ctx"), messages: [hello] }),
      BedrockEdgeError,
    );
    expect(error).toMatchObject({ status: 400, code: "context_length_exceeded", bedrockError: "ValidationException" });
  });

  it("an exception mid-stream ends the stream with its error, after the text that came before", async () => {
    const { bedrock } = emulated({}, { chunkDelayMs: 5 });
    const stream = await bedrock.chat.completions.create({
      model: model("converse", "midstream-modelStreamErrorException4"),
      messages: [hello],
      stream: true,
    });
    let content = "";
    const error = await errorOf(async () => {
      for await (const chunk of stream) content += chunk.choices[0]?.delta.content ?? "";
    }, BedrockEdgeError);
    expect(error).toMatchObject({ status: 424, bedrockError: "ModelStreamErrorException" });
    expect(content).toMatch(/^Hello/);
    expect(GREETING.test(content)).toBe(false);
  });

  it("an exception in the first frame rejects create() itself, and is retried", async () => {
    const { bedrock, emulator } = emulated({ maxRetries: 1 });
    const error = await errorOf(
      () =>
        bedrock.chat.completions.create({
          model: model("converse", "midstream-throttlingException0"),
          messages: [hello],
          stream: true,
        }),
      BedrockEdgeError,
    );
    expect(error).toMatchObject({ status: 429, bedrockError: "ThrottlingException" });
    expect(emulator.stats.calls(converseModelId(CONVERSE_MODEL, ["midstream-throttlingException0"]))).toBe(2);
  });

  it("a stream cut short is an error, never a quiet end", async () => {
    const { bedrock } = emulated();
    const cut = await collect(
      await bedrock.chat.completions.create({ model: model("converse", "drop6"), messages: [hello], stream: true }),
    ).catch((error: unknown) => error);
    expect(cut).toMatchObject({ status: 502 });
  });

  it("abort() cancels the upstream stream", async () => {
    const { bedrock, emulator } = emulated();
    const stream = await bedrock.chat.completions.create({
      model: model("converse", "slow20", "long200"),
      messages: [hello],
      stream: true,
    });
    let seen = 0;
    const error = await (async () => {
      for await (const _chunk of stream) if (++seen === 3) stream.abort();
    })().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: "AbortError" });
    await expect.poll(() => emulator.stats.cancelledStreams).toBe(1);
  });
});

// ConverseStream's finish (messageStop) waits for the metadata event behind it, which names the
// tier that served (codereview39 #1). A stream that fails in between still finishes: the finish,
// with no tier, then the error, as before it waited.
describe("converse: a stream that fails between messageStop and metadata", () => {
  const start = eventFrame("messageStart", { role: "assistant" });
  const hi = eventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "Hello" } });
  const callStart = eventFrame("contentBlockStart", {
    contentBlockIndex: 0,
    start: { toolUse: { toolUseId: "tooluse_1", name: "get_weather" } },
  });
  const callInput = eventFrame("contentBlockDelta", {
    contentBlockIndex: 0,
    delta: { toolUse: { input: '{"city":"Paris"}' } },
  });
  const blockStop = eventFrame("contentBlockStop", { contentBlockIndex: 0 });
  const stop = (stopReason: string) => eventFrame("messageStop", { stopReason });
  const metadata = eventFrame("metadata", {
    usage: { inputTokens: 5, outputTokens: 1, totalTokens: 6 },
    serviceTier: { type: "flex" },
  });
  const boom = exceptionFrame("internalServerException", "boom");
  const text = [start, hi, blockStop];
  const call = [start, callStart, callInput, blockStop];

  /**
   * Each inner list is one read of Bedrock's stream; after them the body stalls (sends nothing
   * more, never ends), loses its connection, or ends. Each attempt (with `maxRetries`) is sent
   * the same reads, and counted in `fetched`.
   */
  function answering(
    reads: readonly (readonly Uint8Array[])[],
    after: "stall" | "lose" | "end",
    { maxRetries = 0, fetched = { count: 0 } } = {},
  ) {
    return createBedrock({
      endpoint: "http://bedrock.emulator",
      credentials: EMULATOR_CREDENTIALS,
      idleTimeoutMs: 50,
      maxRetries,
      fetch: async () => {
        fetched.count++;
        let at = 0;
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            const read = reads[at++];
            if (read) return controller.enqueue(concat([...read]));
            if (after === "end") return controller.close();
            if (after === "lose") return controller.error(new TypeError("network connection lost"));
            return new Promise<void>(() => undefined);
          },
        });
        return new Response(body, { headers: { "content-type": "application/vnd.amazon.eventstream" } });
      },
    });
  }

  async function streamed(bedrock: ReturnType<typeof answering>, include_usage = false) {
    const stream = await bedrock.chat.completions.create({
      model: `bedrock/converse/${CONVERSE_MODEL}`,
      messages: [hello],
      tools,
      stream: true,
      service_tier: "flex",
      ...(include_usage ? { stream_options: { include_usage } } : {}),
    });
    const chunks: ChatCompletionChunk[] = [];
    const error = await errorOf(async () => {
      for await (const chunk of stream) chunks.push(chunk);
    }, BedrockEdgeError);
    return { chunks, error };
  }

  /** The finishing chunk as it goes out when Bedrock never said the tier: none named, no usage after it. */
  const finishing = (finish_reason: string, usage?: null) => ({
    id: expect.any(String),
    object: "chat.completion.chunk",
    created: expect.any(Number),
    model: `bedrock/converse/${CONVERSE_MODEL}`,
    choices: [{ index: 0, delta: {}, finish_reason, logprobs: null }],
    ...(usage === null ? { usage } : {}),
  });

  const ended = [...text, stop("end_turn")];
  const failures = [
    ["silent past idleTimeoutMs", [ended], "stall", { status: 504, code: "upstream_timeout" }],
    ["an exception frame", [ended, [boom]], "end", { status: 500, code: "internal_server_error" }],
    [
      "an exception in messageStop's read",
      [
        [start, hi],
        [blockStop, stop("end_turn"), boom],
      ],
      "end",
      { status: 500 },
    ],
    ["a corrupt metadata frame", [ended, [corruptMessageCrc(metadata)]], "end", { status: 502 }],
    ["metadata cut short", [ended, [metadata.slice(0, 20)]], "end", { status: 502, code: "invalid_event_stream" }],
    ["a lost connection", [ended], "lose", { status: 502, code: "upstream_connection_lost" }],
  ] as const;

  it.each(failures)("%s: the text, the finish without a tier, then the error", async (_, reads, after, expected) => {
    for (const include_usage of [false, true]) {
      const { chunks, error } = await streamed(answering(reads, after), include_usage);
      expect(error).toMatchObject(expected);
      expect(chunks.map((chunk) => chunk.choices[0]?.delta.content)).toEqual(["", "Hello", undefined]);
      expect(chunks.at(-1)).toEqual(finishing("stop", include_usage ? null : undefined));
    }
  });

  // An answer with no text has no chunk to send before its finish, which waits for metadata: the
  // finish is the answer's all the same. A failure after messageStop comes after it, from the
  // stream: create() neither fails nor retries (a retry would bill the answer again).
  const emptyText = eventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "" } });
  const empty = [start, emptyText, blockStop, stop("end_turn")];
  const afterEmpty = [
    ["silent past idleTimeoutMs", [empty], "stall", { status: 504, code: "upstream_timeout" }],
    ["an exception frame", [empty, [boom]], "end", { status: 500, code: "internal_server_error" }],
    [
      "an exception in messageStop's read",
      [[start], [emptyText, blockStop, stop("end_turn"), boom]],
      "end",
      { status: 500 },
    ],
    ["a corrupt metadata frame", [empty, [corruptMessageCrc(metadata)]], "end", { status: 502 }],
    ["metadata cut short", [empty, [metadata.slice(0, 20)]], "end", { status: 502, code: "invalid_event_stream" }],
    ["a lost connection", [empty], "lose", { status: 502, code: "upstream_connection_lost" }],
  ] as const;

  it.each(afterEmpty)(
    "%s after an empty answer: its finish without a tier, then the error; no retry",
    async (_, reads, after, expected) => {
      for (const include_usage of [false, true]) {
        const fetched = { count: 0 };
        const { chunks, error } = await streamed(answering(reads, after, { maxRetries: 2, fetched }), include_usage);
        expect(error).toMatchObject(expected);
        expect(chunks.map((chunk) => chunk.choices[0]?.delta)).toEqual([{ role: "assistant", content: "" }, {}]);
        expect(chunks.at(-1)).toEqual(finishing("stop", include_usage ? null : undefined));
        expect(fetched.count).toBe(1);
      }
    },
  );

  it("a failure before messageStop, with nothing sent yet, still fails create() and is retried", async () => {
    for (const [reads, after, status] of [
      [[[start, emptyText], [boom]], "end", 500],
      [[[start, emptyText, blockStop]], "lose", 502],
    ] as const) {
      const fetched = { count: 0 };
      const error = await errorOf(
        () => streamed(answering(reads, after, { maxRetries: 1, fetched })),
        BedrockEdgeError,
      );
      expect(error.status).toBe(status);
      expect(fetched.count).toBe(2);
    }
  });

  it("when metadata follows an empty answer's finish, the finish carries its tier", async () => {
    const { chunks, error } = await streamed(answering([empty, [metadata, boom]], "end"));
    expect(error.status).toBe(500);
    expect(chunks.at(-1)).toMatchObject({ service_tier: "flex", choices: [{ delta: {}, finish_reason: "stop" }] });
  });

  it("a tool call's finish is tool_calls, after the call, before the error", async () => {
    for (const [reads, after] of [
      [[[...call, stop("tool_use")]], "stall"],
      [[[...call, stop("tool_use")], [boom]], "end"],
    ] as const) {
      for (const include_usage of [false, true]) {
        const { chunks, error } = await streamed(answering(reads, after), include_usage);
        expect(error.status).toBe(after === "stall" ? 504 : 500);
        expect(chunks[1]?.choices[0]?.delta.tool_calls?.[0]).toMatchObject({ function: { name: "get_weather" } });
        expect(chunks.at(-1)).toEqual(finishing("tool_calls", include_usage ? null : undefined));
      }
    }
  });

  it("when metadata comes, the finish carries its tier, as before", async () => {
    const bedrock = answering([[...text, stop("end_turn")], [metadata]], "end");
    const stream = await bedrock.chat.completions.create({
      model: `bedrock/converse/${CONVERSE_MODEL}`,
      messages: [hello],
      stream: true,
      service_tier: "flex",
    });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.at(-1)).toMatchObject({ service_tier: "flex", choices: [{ finish_reason: "stop" }] });
  });

  it("the caller's abort while metadata is awaited hands nothing more out: no finish after it", async () => {
    const bedrock = answering([[...text, stop("end_turn")]], "stall");
    const controller = new AbortController();
    const stream = await bedrock.chat.completions.create(
      { model: `bedrock/converse/${CONVERSE_MODEL}`, messages: [hello], stream: true },
      { signal: controller.signal },
    );
    const chunks: ChatCompletionChunk[] = [];
    const error = await errorOf(async () => {
      for await (const chunk of stream) {
        chunks.push(chunk);
        if (chunk.choices[0]?.delta.content === "Hello") setTimeout(() => controller.abort(), 5);
      }
    });
    expect(error).toMatchObject({ name: "AbortError" });
    expect(chunks.map((chunk) => chunk.choices[0]?.finish_reason)).toEqual([null, null]);
    // abort() on the stream itself, the same.
    const again = await answering([[...text, stop("end_turn")]], "stall").chat.completions.create({
      model: `bedrock/converse/${CONVERSE_MODEL}`,
      messages: [hello],
      stream: true,
    });
    const seen: ChatCompletionChunk[] = [];
    const aborted = await errorOf(async () => {
      for await (const chunk of again) {
        seen.push(chunk);
        if (chunk.choices[0]?.delta.content === "Hello") setTimeout(() => again.abort(), 5);
      }
    });
    expect(aborted).toMatchObject({ name: "AbortError" });
    expect(seen).toHaveLength(2);
  });
});

// AWS's "Supported models and model features" table: Meta Llama and Mistral AI models take tools
// on Converse but not on ConverseStream, DeepSeek-R1 takes none; the ToolChoice reference gives a
// named tool to Claude 3+ and Nova only. The emulator refuses as Bedrock does (converse-tool-use.ts).
describe("converse: a Claude tool loop with the request's reasoning_effort, as chat clients send it", () => {
  it("the calls come back without their thinking_blocks (runTools, the AI SDK, LangChain drop them): the turn goes on without thinking (the third review)", async () => {
    const CLAUDE = model("converse", "think", "tool");
    const { bedrock, emulator } = emulated();
    const question = { role: "user" as const, content: "Weather in Paris?" };
    const first = await bedrock.chat.completions.create({
      model: CLAUDE,
      messages: [question],
      tools,
      reasoning_effort: "low",
    });
    const { tool_calls } = first.choices[0]!.message;
    expect(tool_calls).toHaveLength(1);
    expect(sentBody(emulator, CLAUDE).additionalModelRequestFields).toMatchObject({ thinking: { type: "enabled" } });
    const second = await bedrock.chat.completions.create({
      model: CLAUDE,
      messages: [
        question,
        { role: "assistant", content: null, tool_calls },
        { role: "tool", tool_call_id: tool_calls![0]!.id, content: "sunny" },
      ],
      tools,
      reasoning_effort: "low",
    });
    expect(second.choices[0]!.finish_reason).toBe("stop");
    expect(sentBody(emulator, CLAUDE)).not.toHaveProperty("additionalModelRequestFields");
  });
});

describe("converse: tool use by model family", () => {
  const foundation = (id: string, ...options: ModelIdOption[]) =>
    `bedrock/converse/${converseModelId(`arn:aws:bedrock:us-east-1::foundation-model/${id}`, options)}`;
  const LLAMA = foundation("meta.llama3-3-70b-instruct-v1:0", "tool");
  const weather = { role: "user" as const, content: "Weather in Paris?" };

  it("a streamed request with tools on Llama is a plain Converse call replayed as the stream's chunks", async () => {
    const { bedrock, emulator } = emulated();
    const request = { model: LLAMA, messages: [weather], tools };
    const plain = await bedrock.chat.completions.create(request);
    const call = plain.choices[0]!.message.tool_calls![0]!;
    const streamed = await collect(
      await bedrock.chat.completions.create({ ...request, stream: true, stream_options: { include_usage: true } }),
    );
    expect(emulator.stats.calls(LLAMA.slice("bedrock/converse/".length))).toBe(2);
    // The chunks a stream gives: the role, the call's id/type/name, its arguments, the finish, the usage.
    expect(streamed.chunks[0]!.choices[0]!.delta).toEqual({ role: "assistant", content: "" });
    const opening = streamed.chunks.find((chunk) => chunk.choices[0]?.delta.tool_calls)!;
    expect(opening.choices[0]!.delta.tool_calls![0]).toMatchObject({
      index: 0,
      id: call.id,
      type: "function",
      function: { name: "get_weather" },
    });
    expect(streamed.calls).toEqual([{ id: call.id, name: "get_weather", arguments: call.function.arguments }]);
    expect(streamed.finish).toBe("tool_calls");
    expect(streamed.usage).toEqual(plain.usage);
  });

  it("a replayed stream ends at the caller's abort, as a stream does", async () => {
    const { bedrock } = emulated();
    const controller = new AbortController();
    const stream = await bedrock.chat.completions.create(
      { model: LLAMA, messages: [weather], tools, stream: true },
      { signal: controller.signal },
    );
    let chunks = 0;
    const read = async () => {
      for await (const _ of stream) if (++chunks === 1) controller.abort();
    };
    await expect(read()).rejects.toMatchObject({ name: "AbortError" });
    expect(chunks).toBe(1);
  });

  it("a tool loop on a model without tool use is a 400 naming tools, drop_params or not: dropping tools would leave its tool blocks", async () => {
    const { bedrock, emulator } = emulated();
    const loop = [
      weather,
      {
        role: "assistant" as const,
        content: null,
        tool_calls: [
          { id: "call_1", type: "function" as const, function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
        ],
      },
      { role: "tool" as const, tool_call_id: "call_1", content: "Sunny" },
    ];
    for (const id of ["deepseek.r1-v1:0", "anthropic.claude-v2:1"]) {
      for (const drop_params of [false, true]) {
        const refused = await bedrock.chat.completions
          .create({ model: foundation(id), messages: loop, tools, drop_params })
          .then(
            () => undefined,
            (e: unknown) => e as BedrockEdgeError,
          );
        expect(refused).toMatchObject({ status: 400, param: "tools" });
      }
    }
    expect(emulator.stats.requests).toHaveLength(0);
  });

  it("a named choice on DeepSeek-V3 (no documented refusal) is sent, and the emulator takes it", async () => {
    const { bedrock, emulator } = emulated();
    const model = foundation("deepseek.v3-v1:0", "tool");
    const answer = await bedrock.chat.completions.create({
      model,
      messages: [weather],
      tools,
      tool_choice: { type: "function", function: { name: "get_weather" } },
    });
    expect(answer.choices[0]!.finish_reason).toBe("tool_calls");
    expect(emulator.stats.lastBody(model.slice("bedrock/converse/".length))).toMatchObject({
      toolConfig: { toolChoice: { tool: { name: "get_weather" } } },
    });
  });

  it("so does a streamed Responses request with tools", async () => {
    const { bedrock } = emulated();
    const stream = await bedrock.responses.create({
      model: LLAMA,
      input: "Weather in Paris?",
      tools: [responsesWeather],
      stream: true,
    });
    const types: string[] = [];
    let done: unknown;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === "response.completed") done = event.response;
    }
    expect(types).toContain("response.function_call_arguments.done");
    expect((done as { output: Array<{ type: string; name?: string }> }).output).toContainEqual(
      expect.objectContaining({ type: "function_call", name: "get_weather" }),
    );
  });

  it("without tools, Llama streams from ConverseStream as before", async () => {
    const { bedrock } = emulated();
    const streamed = await collect(
      await bedrock.chat.completions.create({ model: LLAMA, messages: [hello], stream: true }),
    );
    expect(streamed.content).toMatch(GREETING);
    expect(streamed.chunks.filter((chunk) => chunk.choices[0]?.delta.content).length).toBeGreaterThan(1);
  });

  it("tools on DeepSeek-R1 are a 400 naming tools, dropped under drop_params", async () => {
    const { bedrock, emulator } = emulated();
    const r1 = foundation("deepseek.r1-v1:0");
    const request = { model: r1, messages: [weather], tools };
    const error = await errorOf(() => bedrock.chat.completions.create(request), BedrockEdgeError);
    expect(error).toMatchObject({ status: 400, param: "tools" });
    expect(error.message).toMatch(/^tools cannot be used with this model: Bedrock documents no tool use/);
    const answer = await bedrock.chat.completions.create({ ...request, drop_params: true });
    expect(answer.choices[0]!.finish_reason).toBe("stop");
    expect(sentBody(emulator, r1)).not.toHaveProperty("toolConfig");
  });

  it("a named tool_choice on Llama, Mistral or gpt-oss is a 400 naming tool_choice, sent as auto under drop_params", async () => {
    const { bedrock, emulator } = emulated();
    const tool_choice = { type: "function" as const, function: { name: "get_weather" } };
    for (const id of [
      "meta.llama3-3-70b-instruct-v1:0",
      "mistral.mistral-large-2407-v1:0",
      "openai.gpt-oss-120b-1:0",
    ]) {
      const request = { model: foundation(id, "tool"), messages: [weather], tools, tool_choice };
      const error = await errorOf(() => bedrock.chat.completions.create(request), BedrockEdgeError);
      expect(error).toMatchObject({ status: 400, param: "tool_choice" });
      expect(error.message).toMatch(/^tool_choice cannot name a function for this model/);
      await bedrock.chat.completions.create({ ...request, drop_params: true });
      expect(sentBody(emulator, request.model).toolConfig).not.toHaveProperty("toolChoice");
    }
    // Nova takes it.
    const nova = foundation("amazon.nova-pro-v1:0", "tool");
    const forced = await bedrock.chat.completions.create({ model: nova, messages: [hello], tools, tool_choice });
    expect(forced.choices[0]!.message.tool_calls?.[0]?.function.name).toBe("get_weather");
    expect(sentBody(emulator, nova).toolConfig).toMatchObject({ toolChoice: { tool: { name: "get_weather" } } });
  });

  it("an id that names no foundation model is sent as it comes", async () => {
    const { bedrock, emulator } = emulated();
    const profile = `bedrock/converse/${converseModelId("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6", ["tool"])}`;
    const streamed = await collect(
      await bedrock.chat.completions.create({ model: profile, messages: [weather], tools, stream: true }),
    );
    expect(streamed.finish).toBe("tool_calls");
    expect(sentBody(emulator, profile).toolConfig).toBeDefined();
  });
});

// gpt-oss and DeepSeek-R1 take text only (their model pages), and so do Nova Micro, Claude 3.5
// Haiku and Claude 2.x (the feature table's Vision column).
describe("converse: images on text-only models", () => {
  const foundation = (id: string) =>
    `bedrock/converse/${converseModelId(`arn:aws:bedrock:us-east-1::foundation-model/${id}`)}`;
  const look = {
    role: "user" as const,
    content: [
      { type: "text" as const, text: "What is this?" },
      { type: "image_url" as const, image_url: { url: `data:image/png;base64,${PNG}` } },
    ],
  };

  it.each(["openai.gpt-oss-120b-1:0", "deepseek.r1-v1:0", "amazon.nova-micro-v1:0"])(
    "%s: an image part is a 400 naming it",
    async (id) => {
      const { bedrock } = emulated();
      const error = await errorOf(
        () => bedrock.chat.completions.create({ model: foundation(id), messages: [hello, look] }),
        BedrockEdgeError,
      );
      expect(error).toMatchObject({ status: 400, param: "messages[1].content[1]" });
      expect(error.message).toMatch(/^messages\[1\]\.content\[1\] is an image, and this model takes text only/);
    },
  );

  it("a model with vision gets the image", async () => {
    const { bedrock, emulator } = emulated();
    const nova = foundation("amazon.nova-pro-v1:0");
    await bedrock.chat.completions.create({ model: nova, messages: [look] });
    const sent = sentBody(emulator, nova).messages as Array<{ content: unknown[] }>;
    expect(sent[0]!.content[1]).toEqual({ image: { format: "png", source: { bytes: PNG } } });
  });
});
