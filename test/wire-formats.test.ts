// Chat completions on the template routes in each wire format, through the library against the
// emulator: what reaches Bedrock (BedrockCompletion or OpenAICompletion), what comes back (one
// split choice per n, logprobs in Chat Completions' shape, structured outputs), the refusals that
// name the wire_format, and forced tool calls whose arguments OpenAICompletion holds to the
// function's schema.
import { describe, expect, it } from "vitest";
import { emulatorModelId, type ModelIdOption } from "../emulator/model-id.ts";
import { validates } from "../emulator/test-helpers.ts";
import { BedrockEdgeError, type ChatCompletionChunk, type ChatCompletionCreateParams } from "../src/index.ts";
import type { TokenLogprob } from "../src/openai/types.ts";
import { emulated, ROUTE_FORMATS } from "./helpers/emulated.ts";
import { errorOf } from "./helpers/errors.ts";

const TEMPLATE_ROUTES = ["deepseek_r1", "llama", "qwen3", "qwen2"] as const;
type TemplateRoute = (typeof TEMPLATE_ROUTES)[number];
type WireFormat = "bedrock_completion" | "openai_completion";

const hello = [{ role: "user" as const, content: "Hello there!" }];

function arnOf(route: TemplateRoute, ...options: ModelIdOption[]): string {
  return emulatorModelId(ROUTE_FORMATS[route], options);
}

/** A client whose model "m" is `route`'s emulated model in `wire_format`. */
function client(route: TemplateRoute, wire_format: WireFormat, ...options: ModelIdOption[]) {
  const arn = arnOf(route, ...options);
  const { bedrock, emulator } = emulated({ models: { m: { model: `bedrock/${route}/${arn}`, wire_format } } });
  return { bedrock, sent: () => emulator.stats.lastBody(arn) as Record<string, unknown> };
}

interface Collected {
  content: string[];
  reasoning: string[];
  logprobs: TokenLogprob[][];
  finishes: Array<string | null>;
  roles: number[];
  calls: Array<Array<{ name?: string; arguments?: string }>>;
  chunks: ChatCompletionChunk[];
}

/** A stream's choices, joined per index as a client would. */
async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<Collected> {
  const out: Collected = { content: [], reasoning: [], logprobs: [], finishes: [], roles: [], calls: [], chunks: [] };
  for await (const chunk of stream) {
    out.chunks.push(chunk);
    for (const choice of chunk.choices) {
      const i = choice.index;
      if (choice.delta.role) out.roles.push(i);
      out.content[i] = (out.content[i] ?? "") + (choice.delta.content ?? "");
      out.reasoning[i] = (out.reasoning[i] ?? "") + (choice.delta.reasoning_content ?? "");
      out.logprobs[i] = [...(out.logprobs[i] ?? []), ...(choice.logprobs?.content ?? [])];
      const calls = choice.delta.tool_calls ?? [];
      if (calls.length) out.calls[i] = [...(out.calls[i] ?? []), ...calls.map((call) => ({ ...call.function }))];
      if (choice.finish_reason) out.finishes[i] = choice.finish_reason;
    }
  }
  return out;
}

const failure = (promise: Promise<unknown>) => errorOf(() => promise, BedrockEdgeError);

describe.each(TEMPLATE_ROUTES)("route %s", (route) => {
  it("openai_completion sends the same templated prompt with max_tokens, and reads the same answer", async () => {
    const legacy = client(route, "bedrock_completion");
    const recent = client(route, "openai_completion");
    const before = await legacy.bedrock.chat.completions.create({ model: "m", messages: hello, max_tokens: 700 });
    const after = await recent.bedrock.chat.completions.create({ model: "m", messages: hello, max_tokens: 700 });
    expect(legacy.sent()).toMatchObject({ max_gen_len: 700 });
    expect(recent.sent()).toEqual({ prompt: legacy.sent().prompt, max_tokens: 700 });
    expect(after.choices).toEqual(before.choices);
    expect(after.choices[0]?.message.content).toContain(`Hello from the Bedrock emulator (${ROUTE_FORMATS[route]})`);
    expect(after.usage?.total_tokens).toBeGreaterThan(0);
  });

  it("openai_completion streams the same message, and its usage", async () => {
    const { bedrock } = client(route, "openai_completion");
    const plain = await bedrock.chat.completions.create({ model: "m", messages: hello });
    const streamed = await collect(
      await bedrock.chat.completions.create({
        model: "m",
        messages: hello,
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    expect(streamed.content).toEqual([plain.choices[0]?.message.content]);
    expect(streamed.reasoning).toEqual([plain.choices[0]?.message.reasoning_content ?? ""]);
    expect(streamed.finishes).toEqual(["stop"]);
    expect(streamed.chunks.at(-1)?.usage).toEqual(plain.usage);
  });
});

describe("what only openai_completion carries", () => {
  const asks = {
    n: 3,
    seed: 7,
    presence_penalty: 0.5,
    frequency_penalty: 0.25,
    logit_bias: { "42": -1 },
    temperature: 0.2,
    top_p: 0.9,
    stop: "STOP",
  } as const;

  it("n, seed, penalties, logit_bias: sent as they are, one split choice per n", async () => {
    const { bedrock, sent } = client("qwen3", "openai_completion");
    const completion = await bedrock.chat.completions.create({ model: "m", messages: hello, ...asks });
    expect(sent()).toMatchObject({ ...asks, stop: ["STOP"], max_tokens: 4096 });
    expect(completion.choices.map((choice) => choice.index)).toEqual([0, 1, 2]);
    for (const choice of completion.choices) {
      // Each choice through its own splitter: Qwen3's thinking apart from the answer.
      expect(choice.message.reasoning_content).toBeTruthy();
      expect(choice.message.content).toMatch(/^Hello from the Bedrock emulator \(qwen3\)/);
      expect(choice.finish_reason).toBe("stop");
    }
  });

  it("n, streamed: each choice opens with its role, is split on its own and finishes", async () => {
    const { bedrock } = client("qwen3", "openai_completion");
    const plain = await bedrock.chat.completions.create({ model: "m", messages: hello, n: 2 });
    const streamed = await collect(
      await bedrock.chat.completions.create({ model: "m", messages: hello, n: 2, stream: true }),
    );
    expect(streamed.roles).toEqual([0, 1]);
    expect(streamed.content).toEqual(plain.choices.map((choice) => choice.message.content));
    expect(streamed.reasoning).toEqual(plain.choices.map((choice) => choice.message.reasoning_content));
    expect(streamed.finishes).toEqual(["stop", "stop"]);
  });

  it("logprobs in Chat Completions' shape: every token of the text, its bytes and the alternatives asked for", async () => {
    const { bedrock, sent } = client("qwen2", "openai_completion");
    const completion = await bedrock.chat.completions.create({
      model: "m",
      messages: hello,
      logprobs: true,
      top_logprobs: 2,
    });
    expect(sent()).toMatchObject({ logprobs: 2 });
    const content = completion.choices[0]?.logprobs?.content ?? [];
    expect(content.map((entry) => entry.token).join("")).toBe(completion.choices[0]?.message.content);
    for (const entry of content) {
      expect(entry.logprob).toBeLessThanOrEqual(0);
      expect(entry.bytes).toEqual([...new TextEncoder().encode(entry.token)]);
      expect(entry.top_logprobs).toHaveLength(2);
      expect(entry.top_logprobs[0]!.logprob).toBeGreaterThanOrEqual(entry.top_logprobs[1]!.logprob);
    }
    expect(completion.choices[0]?.logprobs?.refusal).toBeNull();

    const streamed = await collect(
      await bedrock.chat.completions.create({
        model: "m",
        messages: hello,
        logprobs: true,
        top_logprobs: 2,
        stream: true,
      }),
    );
    expect(streamed.logprobs[0]?.map((entry) => entry.token)).toEqual(content.map((entry) => entry.token));
  });

  it("logprobs on a reasoning model cover the whole text, thinking included", async () => {
    const { bedrock } = client("qwen3", "openai_completion");
    const completion = await bedrock.chat.completions.create({ model: "m", messages: hello, logprobs: true });
    const tokens = (completion.choices[0]?.logprobs?.content ?? []).map((entry) => entry.token).join("");
    expect(tokens).toContain(completion.choices[0]!.message.reasoning_content!);
    expect(tokens.endsWith(completion.choices[0]!.message.content!)).toBe(true);
    expect(completion.choices[0]?.logprobs?.content?.every((entry) => entry.top_logprobs.length === 0)).toBe(true);
  });

  it("structured_outputs.choice: the answer is one of the choices, plain and streamed", async () => {
    const { bedrock, sent } = client("qwen2", "openai_completion");
    const structured_outputs = { choice: ["yes", "no"] };
    const completion = await bedrock.chat.completions.create({ model: "m", messages: hello, structured_outputs });
    expect(sent()).toMatchObject({ structured_outputs });
    expect(["yes", "no"]).toContain(completion.choices[0]?.message.content);
    const streamed = await collect(
      await bedrock.chat.completions.create({ model: "m", messages: hello, structured_outputs, stream: true }),
    );
    expect(streamed.content).toEqual([completion.choices[0]?.message.content]);
  });
});

describe("response_format on both formats", () => {
  const schema = {
    type: "object",
    properties: { city: { type: "string" }, days: { type: "integer", minimum: 1 } },
    required: ["city", "days"],
    additionalProperties: false,
  };
  it.each(["bedrock_completion", "openai_completion"] as const)(
    "%s: json_schema answers fit the schema",
    async (wire) => {
      const { bedrock, sent } = client("qwen2", wire);
      const response_format = { type: "json_schema" as const, json_schema: { name: "trip", schema } };
      const completion = await bedrock.chat.completions.create({ model: "m", messages: hello, response_format });
      expect(sent()).toMatchObject({ response_format });
      expect(validates(schema, JSON.parse(completion.choices[0]?.message.content ?? ""))).toBe(true);
    },
  );
});

describe("an answer held to a format on a thinking family: the think block is closed first, the answer is content", () => {
  // Guided decoding starts at the prompt's end, so a held answer on R1 (whose prompt opens
  // `<think>\n`) would never write `</think>` and read as reasoning; Qwen3 would answer without
  // the empty think block its own non-thinking mode opens with.
  const closedThink = {
    deepseek_r1: "<｜Assistant｜><think>\n\n</think>\n\n",
    qwen3: "<|im_start|>assistant\n<think>\n\n</think>\n\n",
  };
  const schema = {
    type: "object",
    properties: { city: { type: "string" }, days: { type: "integer", minimum: 1 } },
    required: ["city", "days"],
    additionalProperties: false,
  };
  const holds = [
    [
      "response_format json_schema",
      { response_format: { type: "json_schema", json_schema: { name: "trip", schema } } },
    ],
    ["response_format json_object", { response_format: { type: "json_object" } }],
  ] as const;
  const pairs = (["deepseek_r1", "qwen3"] as const).flatMap((route) =>
    (["bedrock_completion", "openai_completion"] as const).map((wire) => [route, wire] as const),
  );

  describe.each(pairs)("%s, %s", (route, wire) => {
    it.each(holds)("%s: plain and streamed, the JSON is content and nothing is reasoning", async (_, hold) => {
      const { bedrock, sent } = client(route, wire);
      const completion = await bedrock.chat.completions.create({ model: "m", messages: hello, ...hold });
      const prompt = String(sent().prompt);
      expect(prompt.endsWith(closedThink[route])).toBe(true);
      expect(prompt.split("<think>")).toHaveLength(2);
      const message = completion.choices[0]!.message;
      expect(message.reasoning_content).toBeUndefined();
      const json = JSON.parse(message.content ?? "");
      if (hold.response_format.type === "json_schema") expect(validates(schema, json)).toBe(true);
      else expect(json).toEqual({ answer: expect.stringMatching(/^Hello from the Bedrock emulator/) });
      const streamed = await collect(
        await bedrock.chat.completions.create({ model: "m", messages: hello, ...hold, stream: true }),
      );
      expect(streamed.content).toEqual([message.content]);
      expect(streamed.reasoning).toEqual([""]);
      expect(streamed.finishes).toEqual(["stop"]);
    });

    it("an unheld request keeps the family's thinking (and response_format text holds nothing)", async () => {
      const { bedrock, sent } = client(route, wire);
      for (const ask of [{}, { response_format: { type: "text" as const } }]) {
        const completion = await bedrock.chat.completions.create({ model: "m", messages: hello, ...ask });
        expect(String(sent().prompt).endsWith(closedThink[route])).toBe(false);
        expect(completion.choices[0]?.message.reasoning_content).toMatch(/^Okay, /);
        expect(completion.choices[0]?.message.content).toMatch(/^Hello from the Bedrock emulator/);
      }
    });
  });

  it.each(["deepseek_r1", "qwen3"] as const)(
    "%s: structured_outputs (openai_completion) holds the answer too, plain and streamed",
    async (route) => {
      const { bedrock, sent } = client(route, "openai_completion");
      const structured_outputs = { choice: ["yes", "no"] };
      const completion = await bedrock.chat.completions.create({ model: "m", messages: hello, structured_outputs });
      expect(String(sent().prompt).endsWith(closedThink[route])).toBe(true);
      expect(["yes", "no"]).toContain(completion.choices[0]?.message.content);
      expect(completion.choices[0]?.message.reasoning_content).toBeUndefined();
      const streamed = await collect(
        await bedrock.chat.completions.create({ model: "m", messages: hello, structured_outputs, stream: true }),
      );
      expect(streamed).toMatchObject({ content: [completion.choices[0]?.message.content], reasoning: [""] });
    },
  );

  it("qwen3 with thinking already off: the empty think block is not repeated", async () => {
    const { bedrock, sent } = client("qwen3", "openai_completion");
    await bedrock.chat.completions.create({
      model: "m",
      messages: hello,
      response_format: { type: "json_object" },
      chat_template_kwargs: { enable_thinking: false },
    });
    expect(String(sent().prompt).endsWith(closedThink.qwen3)).toBe(true);
    expect(String(sent().prompt).split("<think>")).toHaveLength(2);
  });

  it("a held answer on a family that does not think leaves the prompt as it was", async () => {
    for (const route of ["llama", "qwen2"] as const) {
      const { bedrock, sent } = client(route, "openai_completion");
      await bedrock.chat.completions.create({ model: "m", messages: hello });
      const unheld = sent().prompt;
      await bedrock.chat.completions.create({ model: "m", messages: hello, response_format: { type: "json_object" } });
      expect(sent().prompt).toBe(unheld);
    }
  });
});

describe("what bedrock_completion cannot carry: a 400 that names the wire_format that can", () => {
  it("logprobs: the format gives token ids without the tokens", async () => {
    const { bedrock } = client("llama", "bedrock_completion");
    for (const ask of [{ logprobs: true }, { logprobs: true, top_logprobs: 3 }]) {
      const error = await failure(bedrock.chat.completions.create({ model: "m", messages: hello, ...ask }));
      expect(error).toMatchObject({ status: 400, param: "logprobs", code: "unsupported_parameter" });
      expect(error.message).toContain("token ids without the tokens");
      expect(error.message).toContain('wire_format "openai_completion"');
    }
  });

  it("structured_outputs, n, seed", async () => {
    const { bedrock } = client("qwen2", "bedrock_completion");
    for (const [param, value] of [
      ["structured_outputs", { choice: ["a", "b"] }],
      ["n", 2],
      ["seed", 1],
    ] as const) {
      const request = { model: "m", messages: hello, [param]: value } as ChatCompletionCreateParams;
      const error = await failure(bedrock.chat.completions.create(request));
      expect(error).toMatchObject({ status: 400, param, code: "unsupported_parameter" });
      expect(error.message).toContain('wire_format "openai_completion"');
    }
  });

  it("with drop_params they are left out, and the model answers", async () => {
    const { bedrock, sent } = client("qwen2", "bedrock_completion");
    const completion = await bedrock.chat.completions.create({
      model: "m",
      messages: hello,
      logprobs: true,
      seed: 3,
      structured_outputs: { choice: ["a"] },
      drop_params: true,
    });
    expect(Object.keys(sent()).sort()).toEqual(["prompt"]);
    expect(completion.choices[0]?.logprobs).toBeNull();
  });

  it("prompt_logprobs is the openai route's, on either format", async () => {
    for (const wire of ["bedrock_completion", "openai_completion"] as const) {
      const { bedrock } = client("qwen2", wire);
      const error = await failure(bedrock.chat.completions.create({ model: "m", messages: hello, prompt_logprobs: 1 }));
      expect(error).toMatchObject({ status: 400, param: "prompt_logprobs" });
      expect(error.message).toContain("openai route");
    }
  });
});

describe("what openai_completion cannot carry, and models that do not speak it", () => {
  it("images: OpenAICompletion has no images field, a 400 naming the format that has", async () => {
    const { bedrock } = client("qwen3", "openai_completion");
    const messages: ChatCompletionCreateParams["messages"] = [
      {
        role: "user",
        content: [
          { type: "text", text: "What is this?" },
          { type: "image_url", image_url: { url: "data:image/jpeg;base64,/9j/4AAQ" } },
        ],
      },
    ];
    const error = await failure(bedrock.chat.completions.create({ model: "m", messages, drop_params: true }));
    expect(error).toMatchObject({ status: 400, param: "messages", code: "unsupported_parameter" });
    expect(error.message).toContain('wire_format to "bedrock_completion"');
  });

  it("an import from before 2025-11-11 refuses the format: a 400 that says to set wire_format back", async () => {
    const { bedrock } = client("llama", "openai_completion", "legacy");
    for (const stream of [false, true]) {
      const error = await failure(bedrock.chat.completions.create({ model: "m", messages: hello, stream }));
      expect(error).toMatchObject({ status: 400, code: "unsupported_wire_format" });
      expect(error.message).toContain('set its wire_format to "bedrock_completion"');
    }
  });
});

describe("forced tool calls on openai_completion: the arguments held to the function's schema", () => {
  const schema = {
    type: "object",
    properties: {
      city: { type: "string", minLength: 2 },
      unit: { type: "string", enum: ["celsius", "fahrenheit"] },
      days: { type: "integer", minimum: 1, maximum: 7 },
    },
    required: ["city", "unit", "days"],
    additionalProperties: false,
  };
  const weather = { type: "function" as const, function: { name: "get_forecast", parameters: schema } };
  const time = {
    type: "function" as const,
    function: { name: "get_time", parameters: { type: "object", properties: { zone: { type: "string" } } } },
  };
  const named = { type: "function" as const, function: { name: "get_forecast" } };

  describe.each(TEMPLATE_ROUTES)("route %s", (route) => {
    it("a named function: structured_outputs.json is its schema, the call comes back whole", async () => {
      const { bedrock, sent } = client(route, "openai_completion");
      const completion = await bedrock.chat.completions.create({
        model: "m",
        messages: hello,
        tools: [time, weather],
        tool_choice: named,
      });
      const body = sent();
      expect(body.structured_outputs).toEqual({ json: schema });
      expect(body).not.toHaveProperty("max_gen_len");
      const choice = completion.choices[0]!;
      expect(choice.finish_reason).toBe("tool_calls");
      expect(choice.message.tool_calls).toHaveLength(1);
      const call = choice.message.tool_calls![0]!;
      expect(call.function.name).toBe("get_forecast");
      expect(validates(schema, JSON.parse(call.function.arguments))).toBe(true);
    });

    it("streamed: the same call, whole, then finish_reason tool_calls", async () => {
      const { bedrock } = client(route, "openai_completion");
      const streamed = await collect(
        await bedrock.chat.completions.create({
          model: "m",
          messages: hello,
          tools: [weather],
          tool_choice: "required",
          stream: true,
        }),
      );
      expect(streamed.finishes).toEqual(["tool_calls"]);
      expect(streamed.calls[0]).toHaveLength(1);
      expect(streamed.calls[0]![0]!.name).toBe("get_forecast");
      expect(validates(schema, JSON.parse(streamed.calls[0]![0]!.arguments ?? ""))).toBe(true);
    });
  });

  it('"required" with one tool is that tool; with several, the prefill alone (the function is not known)', async () => {
    const { bedrock, sent } = client("qwen2", "openai_completion");
    await bedrock.chat.completions.create({ model: "m", messages: hello, tools: [weather], tool_choice: "required" });
    expect(sent().structured_outputs).toEqual({ json: schema });
    expect(String(sent().prompt).endsWith('<tool_call>\n{"name": "get_forecast", "arguments": ')).toBe(true);
    const several = await bedrock.chat.completions.create({
      model: "m",
      messages: hello,
      tools: [weather, time],
      tool_choice: "required",
    });
    expect(sent()).not.toHaveProperty("structured_outputs");
    expect(several.choices[0]?.finish_reason).toBe("tool_calls");
  });

  it("bedrock_completion has no structured outputs: the prefill alone, as before", async () => {
    const { bedrock, sent } = client("qwen2", "bedrock_completion");
    const completion = await bedrock.chat.completions.create({
      model: "m",
      messages: hello,
      tools: [weather],
      tool_choice: named,
    });
    expect(sent()).not.toHaveProperty("structured_outputs");
    expect(completion.choices[0]?.message.tool_calls?.[0]?.function.name).toBe("get_forecast");
  });

  it("a forced call replaces response_format, and refuses structured_outputs of its own", async () => {
    const { bedrock, sent } = client("qwen2", "openai_completion");
    await bedrock.chat.completions.create({
      model: "m",
      messages: hello,
      tools: [weather],
      tool_choice: named,
      response_format: { type: "json_object" },
    });
    expect(sent()).not.toHaveProperty("response_format");
    const error = await failure(
      bedrock.chat.completions.create({
        model: "m",
        messages: hello,
        tools: [weather],
        tool_choice: named,
        structured_outputs: { choice: ["a"] },
      }),
    );
    expect(error).toMatchObject({ status: 400, param: "structured_outputs" });
  });
});
