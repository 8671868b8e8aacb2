import { describe, expect, it } from "vitest";
import { errorOf } from "../../test/helpers/errors.ts";
import { BedrockEdgeError } from "../errors.ts";
import { CHUNK_EVENT } from "../eventstream/events.ts";
import type { ChatCompletionRequest } from "../openai/types.ts";
import { routes } from "./all.ts";
import { routeEntries } from "./index.ts";
import { renderLlama3Prompt } from "./prompts/llama3.ts";
import type { StreamPart } from "./types.ts";

const ARN = "arn:aws:bedrock:us-east-1:123456789012:imported-model/abc123def456";
const base: ChatCompletionRequest = { model: "m", messages: [{ role: "user", content: "Hi" }] };
const tools: ChatCompletionRequest["tools"] = [
  {
    type: "function",
    function: {
      name: "get_weather",
      description: "Weather",
      parameters: { type: "object", properties: { city: { type: "string" } } },
    },
  },
];

/** A model's JSON as InvokeModelWithResponseStream delivers it: one `chunk` event. */
const chunk = (json: Record<string, unknown>) => ({ type: CHUNK_EVENT, json });

/** Runs model chunks through a route's stream mapper and folds the deltas like a client would. */
function stream(route: keyof typeof routes, chunks: Array<Record<string, unknown>>, request = base) {
  const mapper = routes[route].createStreamMapper(request);
  const parts: StreamPart[] = [...chunks.flatMap((json) => mapper.push(chunk(json))), ...mapper.end()];
  let content = "";
  let reasoning = "";
  const calls: string[] = [];
  let finish: string | undefined;
  let usage: unknown;
  for (const part of parts) {
    content += part.delta.content ?? "";
    reasoning += part.delta.reasoning_content ?? "";
    for (const call of part.delta.tool_calls ?? [])
      calls.push(`${call.index}:${call.function?.name}(${call.function?.arguments})`);
    if (part.finish_reason) finish = part.finish_reason;
    if (part.usage) usage = part.usage;
  }
  return { content, reasoning, calls, finish, usage };
}

describe("completion-format bodies", () => {
  it("carry only what was given, max_tokens as max_gen_len, stop as a list", () => {
    const body = routes.llama.buildBody(
      { ...base, max_tokens: 64, temperature: 0.2, top_p: 0.9, top_k: 40, stop: "END" },
      ARN,
      {},
    );
    expect(body).toEqual({
      prompt:
        "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|>" +
        "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
      max_gen_len: 64,
      temperature: 0.2,
      top_p: 0.9,
      top_k: 40,
      stop: ["END"],
    });
    expect(routes.llama.buildBody(base, ARN, {})).toEqual({ prompt: expect.any(String) });
  });

  it("prefer max_completion_tokens, and never put stream in the body", () => {
    const body = routes.qwen2.buildBody(
      { ...base, max_tokens: 10, max_completion_tokens: 20, stream: true, stream_options: { include_usage: true } },
      ARN,
      {},
    );
    expect(body.max_gen_len).toBe(20);
    expect(body).not.toHaveProperty("stream");
    expect(body).not.toHaveProperty("stream_options");
  });

  it("pass structured-output requests through", () => {
    const format = { type: "json_schema" as const, json_schema: { name: "x", schema: { type: "object" } } };
    expect(routes.qwen3.buildBody({ ...base, response_format: format }, ARN, {}).response_format).toEqual(format);
    expect(routes.qwen3.buildBody({ ...base, response_format: { type: "text" } }, ARN, {})).not.toHaveProperty(
      "response_format",
    );
  });

  it("refuse, by name, what the route cannot honour, and accept no-op values", () => {
    const cases: Array<[Partial<ChatCompletionRequest> & Record<string, unknown>, string]> = [
      [{ n: 2 }, "n"],
      [{ logprobs: true }, "logprobs"],
      [{ presence_penalty: 0.5 }, "presence_penalty"],
      [{ frequency_penalty: 1 }, "frequency_penalty"],
      [{ seed: 7 }, "seed"],
      [{ logit_bias: { "42": 1 } }, "logit_bias"],
      [{ tools, parallel_tool_calls: false }, "parallel_tool_calls"],
      [{ store: true }, "store"],
      [{ modalities: ["text", "audio"] }, "modalities"],
      [{ audio: { voice: "alloy", format: "mp3" } }, "audio"],
      [{ verbosity: "low" }, "verbosity"],
      [{ web_search_options: {} }, "web_search_options"],
      [{ functions: [{ name: "f" }] }, "functions"],
      [{ unheard_of: 1 }, "unheard_of"],
    ];
    for (const [extra, param] of cases) {
      const error = errorOf(() => routes.qwen3.buildBody({ ...base, ...extra }, ARN, {}), BedrockEdgeError);
      expect(error.status).toBe(400);
      expect(error.param).toBe(param);
      expect(error.code).toBe("unsupported_parameter");
      expect(error.message).toContain("drop_params");
    }
    expect(() =>
      routes.qwen3.buildBody(
        { ...base, n: 1, logprobs: false, presence_penalty: 0, logit_bias: {}, tool_choice: "auto", user: "u" },
        ARN,
        {},
      ),
    ).not.toThrow();
  });

  it("drop them instead when the model says drop_params", () => {
    const body = routes.qwen3.buildBody({ ...base, n: 2, seed: 1, presence_penalty: 1 }, ARN, { drop_params: true });
    expect(Object.keys(body)).toEqual(["prompt"]);
  });

  it("render tools unless tool_choice is none", () => {
    expect(String(routes.qwen3.buildBody({ ...base, tools }, ARN, {}).prompt)).toContain("# Tools");
    expect(String(routes.qwen3.buildBody({ ...base, tools, tool_choice: "none" }, ARN, {}).prompt)).not.toContain(
      "# Tools",
    );
  });

  it("refuse tools on llama with the Llama 3.0 template, which has none", () => {
    const build = () => routes.llama.buildBody({ ...base, tools }, ARN, { render: renderLlama3Prompt });
    expect(errorOf(build, BedrockEdgeError).param).toBe("tools");
  });

  it("use a per-model renderer when configured", () => {
    const body = routes.llama.buildBody(base, ARN, { render: ({ messages }) => `custom:${messages.length}` });
    expect(body.prompt).toBe("custom:1");
  });
});

describe("where a thinking family's answer starts", () => {
  /** A per-model renderer whose prompt opens the think block, counting its renders. */
  function thinkingTemplate() {
    const counted = { renders: 0 };
    const settings = {
      render: () => {
        counted.renders++;
        return "<|im_start|>assistant\n<think>\n";
      },
    };
    return { counted, settings };
  }
  const answer = { generation: "The user greets me.\n</think>\n\nHello!", stop_reason: "stop" };

  it("is read back from the prompt buildBody rendered, not rendered again for the answer", () => {
    const { counted, settings } = thinkingTemplate();
    const request = { ...base };
    routes.qwen3.buildBody(request, ARN, settings);
    const { choices } = routes.qwen3.parseAnswer(answer, request, settings);
    expect(choices[0]?.message).toMatchObject({ reasoning_content: "The user greets me.", content: "Hello!" });
    routes.qwen3.createStreamMapper(request, settings);
    expect(counted.renders).toBe(1);
  });

  it("is read back for each of two bodies built at once from one request object (codereview34 #4)", () => {
    // Two create() calls fanning out one request object: settings are new for each.
    const first = thinkingTemplate();
    const second = thinkingTemplate();
    const request = { ...base };
    routes.qwen3.buildBody(request, ARN, first.settings);
    routes.qwen3.buildBody(request, ARN, second.settings);
    for (const { settings } of [first, second]) {
      const { choices } = routes.qwen3.parseAnswer(answer, request, settings);
      expect(choices[0]?.message).toMatchObject({ reasoning_content: "The user greets me.", content: "Hello!" });
      routes.qwen3.createStreamMapper(request, settings);
    }
    expect([first.counted.renders, second.counted.renders]).toEqual([1, 1]);
  });

  it("is rendered for the answer when no body was built with these settings", () => {
    const { counted, settings } = thinkingTemplate();
    const request = { ...base };
    routes.qwen3.buildBody(request, ARN, {});
    const { choices } = routes.qwen3.parseAnswer(answer, request, settings);
    expect(choices[0]?.message).toMatchObject({ reasoning_content: "The user greets me.", content: "Hello!" });
    expect(counted.renders).toBe(1);
  });
});

describe("completion-format answers", () => {
  it("deepseek_r1: reasoning before </think>, content after, usage from the counts", () => {
    const answer = routes.deepseek_r1.parseAnswer(
      {
        generation: "The user greets me.\n</think>\n\nHello!",
        prompt_token_count: 9,
        generation_token_count: 7,
        stop_reason: "stop",
      },
      base,
    );
    expect(answer).toEqual({
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: "Hello!", refusal: null, reasoning_content: "The user greets me." },
          finish_reason: "stop",
        },
      ],
      usage: { prompt_tokens: 9, completion_tokens: 7, total_tokens: 16 },
    });
  });

  it("keep length as length, and invent no usage", () => {
    const answer = routes.llama.parseAnswer({ generation: "Cut sho", stop_reason: "length" }, base);
    expect(answer.choices[0]!.finish_reason).toBe("length");
    expect(answer.usage).toBeUndefined();
  });

  it("qwen2 reads text instead of generation, and strips the ChatML wrappers", () => {
    const answer = routes.qwen2.parseAnswer(
      { text: "<|im_start|>assistant\nHi there<|im_end|>", stop_reason: "stop" },
      base,
    );
    expect(answer.choices[0]!.message.content).toBe("Hi there");
  });

  it("qwen3 tool calls become tool_calls with finish_reason tool_calls", () => {
    const answer = routes.qwen3.parseAnswer(
      {
        generation:
          '<think>\nuse tool\n</think>\n\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>',
        stop_reason: "stop",
      },
      { ...base, tools },
    );
    const { message, finish_reason } = answer.choices[0]!;
    expect(finish_reason).toBe("tool_calls");
    expect(message.content).toBeNull();
    expect(message.reasoning_content).toBe("use tool");
    expect(message.tool_calls).toEqual([
      {
        id: expect.stringMatching(/^call_[A-Za-z0-9]{24}$/),
        type: "function",
        function: { name: "get_weather", arguments: '{"city": "Paris"}' },
      },
    ]);
  });

  it("say so when the body is not in the completion format", () => {
    const error = errorOf(() => routes.llama.parseAnswer({ choices: [] }, base), BedrockEdgeError);
    expect(error.status).toBe(502);
    expect(error.message).toMatch(/route llama/);
  });
});

describe("completion-format streams", () => {
  const r1Events = [
    { generation: "Okay, the user", prompt_token_count: 12, generation_token_count: 1, stop_reason: null },
    { generation: " says hi.\n</", prompt_token_count: null, generation_token_count: 2, stop_reason: null },
    { generation: "think>\n\nHel", prompt_token_count: null, generation_token_count: 3, stop_reason: null },
    { generation: "lo!", prompt_token_count: null, generation_token_count: 4, stop_reason: "stop" },
  ];

  it("match the plain answer, with usage from the first prompt count and the last generation count", () => {
    expect(stream("deepseek_r1", r1Events)).toEqual({
      reasoning: "Okay, the user says hi.",
      content: "Hello!",
      calls: [],
      finish: "stop",
      usage: { prompt_tokens: 12, completion_tokens: 4, total_tokens: 16 },
    });
  });

  it("emit tool calls with indexes and finish with tool_calls", () => {
    const events = [
      { generation: '<tool_call>\n{"name": "get_weather", ' },
      { generation: '"arguments": {"city": "Paris"}}\n</tool_call>\n<tool' },
      {
        generation: '_call>\n{"name": "get_weather", "arguments": {"city": "Rome"}}\n</tool_call>',
        stop_reason: "stop",
      },
    ];
    const result = stream("qwen2", events, { ...base, tools });
    expect(result.calls).toEqual(['0:get_weather({"city": "Paris"})', '1:get_weather({"city": "Rome"})']);
    expect(result.finish).toBe("tool_calls");
    expect(result.content).toBe("");
  });

  it("refuse to end quietly when the stream stopped before a stop reason", () => {
    for (const route of ["llama", "openai"] as const) {
      const mapper = routes[route].createStreamMapper(base);
      mapper.push(
        chunk(
          route === "openai"
            ? { choices: [{ index: 0, delta: { content: "Hal" } }] }
            : { generation: "Hal", stop_reason: null },
        ),
      );
      const error = errorOf(() => mapper.end(), BedrockEdgeError);
      expect({ status: error.status, code: error.code }).toEqual({ status: 502, code: "incomplete_stream" });
    }
  });

  it("openai, n: 2: a stream whose second choice never began is not finished, and ending there is cut short (codereview41 #3)", () => {
    const mapper = routes.openai.createStreamMapper({ ...base, n: 2 });
    mapper.push(chunk({ choices: [{ index: 0, delta: { content: "Hi." }, finish_reason: "stop" }] }));
    expect(mapper.finished?.()).toBe(false);
    const error = errorOf(() => mapper.end(), BedrockEdgeError);
    expect({ status: error.status, code: error.code }).toEqual({ status: 502, code: "incomplete_stream" });
    mapper.push(chunk({ choices: [{ index: 1, delta: { content: "Yo." }, finish_reason: "stop" }] }));
    expect(mapper.finished?.()).toBe(true);
    expect(mapper.end()).toEqual([]);
  });

  it("finish with length when the model was cut", () => {
    expect(stream("llama", [{ generation: "abc", stop_reason: "length" }]).finish).toBe("length");
  });
});

describe("the openai route", () => {
  it("passes the request through with the ARN as model and no stream fields", () => {
    const request: ChatCompletionRequest = {
      ...base,
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is this?" },
            { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
            { type: "image_url", image_url: { url: "data:image/png;base64,BBBB" } },
          ],
        },
      ],
      stream: true,
      stream_options: { include_usage: true },
      tools,
      tool_choice: "auto",
      response_format: { type: "json_object" },
      n: 2,
    };
    const { stream: _s, stream_options: _o, ...rest } = request;
    expect(routes.openai.buildBody(request, ARN, {})).toEqual({ ...rest, model: ARN });
  });

  it("reads chat.completion answers, reasoning and tool calls included", () => {
    const answer = routes.openai.parseAnswer(
      {
        id: "x",
        object: "chat.completion",
        choices: [
          {
            index: 0,
            message: {
              role: "assistant",
              content: null,
              reasoning_content: "think",
              tool_calls: [{ id: "call_1", type: "function", function: { name: "f", arguments: "{}" } }],
            },
            finish_reason: "tool_calls",
          },
        ],
        usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
      },
      base,
    );
    expect(answer).toEqual({
      choices: [
        {
          index: 0,
          finish_reason: "tool_calls",
          message: {
            role: "assistant",
            content: null,
            refusal: null,
            reasoning_content: "think",
            tool_calls: [{ id: "call_1", type: "function", function: { name: "f", arguments: "{}" } }],
          },
        },
      ],
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
    });
  });

  it("never leaves a tool call id empty, plain or streamed", () => {
    const answer = routes.openai.parseAnswer(
      {
        choices: [
          {
            index: 0,
            message: {
              role: "assistant",
              content: null,
              tool_calls: [{ type: "function", function: { name: "f", arguments: {} } }],
            },
            finish_reason: "tool_calls",
          },
        ],
      },
      base,
    );
    expect(answer.choices[0]!.message.tool_calls).toEqual([
      { id: expect.stringMatching(/^call_\w{24}$/), type: "function", function: { name: "f", arguments: "{}" } },
    ]);
    const mapper = routes.openai.createStreamMapper(base);
    const first = mapper.push(
      chunk({
        choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { name: "f", arguments: "" } }] } }],
      }),
    );
    const second = mapper.push(
      chunk({
        choices: [
          {
            index: 0,
            delta: { tool_calls: [{ index: 0, function: { arguments: "{}" } }] },
            finish_reason: "tool_calls",
          },
        ],
      }),
    );
    expect(first[0]!.delta.tool_calls![0]!.id).toMatch(/^call_\w{24}$/);
    expect(second[0]!.delta.tool_calls![0]!.id).toBeUndefined();
  });

  it("refuses image URLs that are not data URLs", () => {
    const request: ChatCompletionRequest = {
      ...base,
      messages: [
        {
          role: "user",
          content: [{ type: "image_url", image_url: { url: "http://169.254.169.254/latest/meta-data" } }],
        },
      ],
    };
    // The part's URL, as on every route (multimodal7 #4).
    expect(errorOf(() => routes.openai.buildBody(request, ARN, {}), BedrockEdgeError).param).toBe(
      "messages[0].content[0].image_url.url",
    );
  });

  it("maps chunks, dropping the upstream role delta", () => {
    const chunk = (delta: object, finish: string | null = null) => ({
      object: "chat.completion.chunk",
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
    const result = stream("openai", [
      chunk({ role: "assistant", content: "" }),
      chunk({ content: "Hel" }),
      chunk({ content: "lo" }),
      chunk({}, "stop"),
    ]);
    expect(result).toEqual({ content: "Hello", reasoning: "", calls: [], finish: "stop", usage: undefined });
  });
});

describe("the route registry (what the client knows before loading a route)", () => {
  it("says of each route what the route itself says, and loads that very route", async () => {
    for (const [name, entry] of Object.entries(routeEntries)) {
      const route = await entry.load();
      expect(route, name).toBe(routes[name as keyof typeof routes]);
      expect({ name: route.name, operation: route.operation, settings: route.settings }).toEqual({
        name,
        operation: entry.operation,
        settings: entry.settings,
      });
      expect(route.checkModel, name).toBe(entry.checkModel);
    }
    expect(Object.keys(routeEntries)).toEqual(Object.keys(routes));
  });
});
