// Tool calling and lenient parameters through the library, against the emulator: what reaches
// Bedrock (forced-call prefills, the Llama 3.1 template, no drop_params) and what comes back.
import { describe, expect, it } from "vitest";
import {
  BedrockEdgeError,
  type ChatCompletionChunk,
  type ChatCompletionCreateParams,
  type ModelEntry,
  type Response,
} from "../src/index.ts";
import { errorOf } from "./helpers/errors.ts";
import { emulated, model, ROUTE_FORMATS, type RouteName } from "./helpers/emulated.ts";
import { echoSaying, expectOneWeatherCall, TEXT_AROUND_A_CALL } from "./helpers/tool-calls.ts";

const tools: ChatCompletionCreateParams["tools"] = [
  {
    type: "function",
    function: {
      name: "get_weather",
      description: "Weather for a city",
      parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    },
  },
];
const ask = [{ role: "user" as const, content: "Weather in Paris?" }];

/** The body the emulator last received for a model string. */
function sentBody(emulator: ReturnType<typeof emulated>["emulator"], modelString: string): Record<string, unknown> {
  return emulator.stats.lastBody(modelString.split("/").slice(2).join("/")) as Record<string, unknown>;
}

/** A stream's deltas, joined as a client would. */
async function collect(stream: AsyncIterable<ChatCompletionChunk>) {
  let content = "";
  const calls: Array<{ name?: string; arguments?: string }> = [];
  let finish: string | null = null;
  for await (const chunk of stream) {
    for (const choice of chunk.choices) {
      content += choice.delta.content ?? "";
      for (const call of choice.delta.tool_calls ?? []) calls.push({ ...call.function });
      finish = choice.finish_reason ?? finish;
    }
  }
  return { content, calls, finish };
}

/** The BedrockEdgeError a call is refused with. */
const failure = (promise: Promise<unknown>) => errorOf(() => promise, BedrockEdgeError);

describe("forced tool calls: the family's prefilled call opening, continued and read back as the call", () => {
  const openings: Record<"deepseek_r1" | "llama" | "qwen3" | "qwen2", { required: string; named: string }> = {
    qwen3: {
      required: '<|im_start|>assistant\n<think>\n\n</think>\n\n<tool_call>\n{"name": "',
      named: '<|im_start|>assistant\n<think>\n\n</think>\n\n<tool_call>\n{"name": "get_weather", "arguments": ',
    },
    qwen2: {
      required: '<|im_start|>assistant\n<tool_call>\n{"name": "',
      named: '<|im_start|>assistant\n<tool_call>\n{"name": "get_weather", "arguments": ',
    },
    llama: {
      required: '<|start_header_id|>assistant<|end_header_id|>\n\n{"name": "',
      named: '<|start_header_id|>assistant<|end_header_id|>\n\n{"name": "get_weather", "parameters": ',
    },
    deepseek_r1: {
      required:
        "<｜Assistant｜><think>\n\n</think>\n\n<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>",
      named:
        "<｜Assistant｜><think>\n\n</think>\n\n<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n```json\n",
    },
  };

  for (const [route, opening] of Object.entries(openings) as Array<[keyof typeof openings, typeof openings.qwen3]>) {
    it(`${route}: required and named, plain and streamed`, async () => {
      const { bedrock, emulator } = emulated();
      // Without the `tool` option the emulator's model would answer in words: only the prefill calls.
      const name = model(route, "eos");
      const choices = [
        ["required", "required"],
        ["named", { type: "function", function: { name: "get_weather" } }],
      ] as const;
      for (const [kind, tool_choice] of choices) {
        const plain = await bedrock.chat.completions.create({ model: name, messages: ask, tools, tool_choice });
        expect(String(sentBody(emulator, name).prompt).endsWith(opening[kind])).toBe(true);
        const choice = plain.choices[0]!;
        expectOneWeatherCall(choice);
        expect(JSON.parse(choice.message.tool_calls![0]!.function.arguments)).toEqual({ city: expect.any(String) });

        const streamed = await collect(
          await bedrock.chat.completions.create({ model: name, messages: ask, tools, tool_choice, stream: true }),
        );
        expect(String(sentBody(emulator, name).prompt).endsWith(opening[kind])).toBe(true);
        expect(streamed).toMatchObject({ content: "", finish: "tool_calls" });
        expect(streamed.calls).toEqual([choice.message.tool_calls![0]!.function]);
      }
    });
  }

  it("a named function that is not in tools never leaves the process", async () => {
    const { bedrock, emulator } = emulated();
    const error = await failure(
      bedrock.chat.completions.create({
        model: model("qwen3"),
        messages: ask,
        tools,
        tool_choice: { type: "function", function: { name: "get_tide" } },
      }),
    );
    expect(error).toMatchObject({ status: 400, param: "tool_choice" });
    expect(emulator.stats.requests).toHaveLength(0);
  });
});

describe("a forced call cut short, on every template family, plain and streamed", () => {
  const routes = ["qwen3", "qwen2", "llama", "deepseek_r1"] as const;
  const named = { type: "function" as const, function: { name: "get_weather" } };

  for (const route of routes) {
    it(`${route}: cut by max_tokens, the call so far with finish_reason "length"`, async () => {
      const { bedrock } = emulated();
      const name = model(route, "tool");
      for (const tool_choice of ["required", named] as const) {
        // Few enough tokens that no family's call is whole (the emulator counts about 4 characters a token).
        const body = { model: name, messages: ask, tools, tool_choice, max_tokens: 3 };
        const plain = (await bedrock.chat.completions.create(body)).choices[0]!;
        expect(plain.finish_reason).toBe("length");
        expect(plain.message.content).toBeNull();
        const [call] = plain.message.tool_calls ?? [];
        expect(call?.function.name).toBe("get_weather");
        // What the model wrote of the arguments, never anything else: a beginning of them.
        expect('{"city": "Paris"}'.startsWith(call!.function.arguments)).toBe(true);
        const streamed = await collect(await bedrock.chat.completions.create({ ...body, stream: true }));
        expect(streamed).toEqual({ content: "", calls: [call!.function], finish: "length" });
      }
    });

    it(`${route}: cut by a stop string, a 400 naming stop, never the fragment as an answer`, async () => {
      const { bedrock } = emulated();
      for (const tool_choice of ["required", named] as const) {
        const body = { model: model(route, "tool"), messages: ask, tools, tool_choice, stop: ["Par"] };
        const plain = await failure(bedrock.chat.completions.create(body));
        expect(plain).toMatchObject({ status: 400, param: "stop", code: "tool_call_cut" });
        expect(plain.message).toContain('the forced call to "get_weather"');
        // (Whether create() or the iteration throws depends on where the stream's first chunk ends.)
        const streamed = await failure(
          (async () => collect(await bedrock.chat.completions.create({ ...body, stream: true })))(),
        );
        expect(streamed).toMatchObject({ status: 400, param: "stop", code: "tool_call_cut" });
      }
    });
  }
});

describe("a function whose parameters are no object schema (specfuzz46 F1)", () => {
  // OpenAI takes a function's parameters as an object's JSON Schema. Converse alone refused another
  // type; the template routes sent it as a forced call's constraint and answered a 500 (no call could
  // be read) or, on openai_completion, a 200 without the call the request forced.
  const targets: Array<[string, ModelEntry]> = [
    ...(Object.keys(ROUTE_FORMATS) as RouteName[]).map((route): [string, ModelEntry] => [route, model(route, "tool")]),
    ["llama (openai_completion)", { model: model("llama", "tool"), wire_format: "openai_completion" }],
  ];
  const withParameters = (parameters: unknown) =>
    [{ type: "function", function: { name: "get_weather", parameters } }] as ChatCompletionCreateParams["tools"];
  const named = { type: "function" as const, function: { name: "get_weather" } };

  it.each(targets)(
    "%s: a 400 naming its type, whatever tool_choice, plain and streamed, before any call",
    async (_name, entry) => {
      const { bedrock, emulator } = emulated({ models: { m: entry } });
      for (const parameters of [{ type: "string" }, { type: "array", items: { type: "string" } }, { type: 5 }]) {
        for (const tool_choice of ["required", named, "auto", undefined] as const) {
          for (const stream of [false, true]) {
            const body = { model: "m", messages: ask, tools: withParameters(parameters), stream };
            const error = await failure(
              bedrock.chat.completions.create((tool_choice ? { ...body, tool_choice } : body) as never),
            );
            expect(error, JSON.stringify({ parameters, tool_choice, stream })).toMatchObject({
              status: 400,
              type: "invalid_request_error",
              param: "tools[0].function.parameters.type",
            });
            expect(error.message).toMatch(/^tools\[0\]\.function\.parameters\.type must be "object"/);
          }
        }
      }
      // Not an object at all: a 400 naming the parameters (record() took an array as an object).
      const array = await failure(
        bedrock.chat.completions.create({ model: "m", messages: ask, tools: withParameters([]) } as never),
      );
      expect(array).toMatchObject({ status: 400, param: "tools[0].function.parameters" });
      expect(emulator.stats.requests).toHaveLength(0);
    },
  );

  it.each(targets)(
    "%s: no parameters, or a schema without a type, is an object's: the forced call comes back",
    async (_name, entry) => {
      const { bedrock } = emulated({ models: { m: entry } });
      for (const parameters of [undefined, {}, { properties: { city: { type: "string" } } }, { type: "object" }]) {
        const fn = parameters === undefined ? { name: "get_weather" } : { name: "get_weather", parameters };
        const completion = await bedrock.chat.completions.create({
          model: "m",
          messages: ask,
          tools: [{ type: "function", function: fn }] as ChatCompletionCreateParams["tools"],
          tool_choice: named,
        });
        const [call] = completion.choices[0]!.message.tool_calls ?? [];
        expect(call?.function.name, JSON.stringify(parameters)).toBe("get_weather");
      }
    },
  );
});

describe("text around a call", () => {
  it("is the content as the model wrote it, plain and streamed alike", async () => {
    const { bedrock } = emulated({ models: { writer: echoSaying("qwen3") } });
    const said = TEXT_AROUND_A_CALL;
    const body = { model: "writer", messages: [{ role: "user" as const, content: said }], tools };
    const plain = (await bedrock.chat.completions.create(body)).choices[0]!;
    expect(plain.message.content).toBe("Sure, checking.\n\nDone.");
    expect(plain.message.tool_calls?.map((call) => call.function.name)).toEqual(["get_weather"]);
    const streamed = await collect(await bedrock.chat.completions.create({ ...body, stream: true }));
    expect(streamed).toEqual({
      content: "Sure, checking.\n\nDone.",
      calls: [plain.message.tool_calls![0]!.function],
      finish: "tool_calls",
    });
  });
});

describe("automatic tool calls and their results on every template family", () => {
  for (const route of ["llama", "deepseek_r1", "qwen3", "qwen2"] as const) {
    it(`${route}: a call, plain and streamed, then the result sent back gets words`, async () => {
      const { bedrock } = emulated();
      const name = model(route, "tool");
      const plain = await bedrock.chat.completions.create({ model: name, messages: ask, tools });
      const call = plain.choices[0]!.message.tool_calls?.[0];
      expect(plain.choices[0]!.finish_reason).toBe("tool_calls");
      expect(call?.function.name).toBe("get_weather");
      const streamed = await collect(
        await bedrock.chat.completions.create({ model: name, messages: ask, tools, stream: true }),
      );
      expect(streamed).toMatchObject({ content: "", calls: [call!.function], finish: "tool_calls" });

      const answered = await bedrock.chat.completions.create({
        model: name,
        tools,
        messages: [
          ...ask,
          { role: "assistant", content: null, tool_calls: [call!] },
          { role: "tool", tool_call_id: call!.id, content: '{"sky": "sunny"}' },
        ],
      });
      expect(answered.choices[0]!.finish_reason).toBe("stop");
      expect(answered.choices[0]!.message.content).toMatch(/^Thanks, the tool answered\./);
    });
  }
});

describe("the llama route speaks Llama 3.1 by default", () => {
  it("renders the 3.1 template, tools included; template llama3 keeps 3.0 and refuses tools", async () => {
    const { bedrock, emulator } = emulated({
      models: {
        "llama-3.0": { model: model("llama"), template: "llama3" },
        "llama-3.2": { model: model("llama"), template: "llama3_2" },
      },
    });
    await bedrock.chat.completions.create({ model: model("llama"), messages: ask, tools });
    const prompt = String(sentBody(emulator, model("llama")).prompt);
    expect(
      prompt.startsWith("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nEnvironment: ipython\n"),
    ).toBe(true);
    expect(prompt).toContain('"name": "get_weather"');

    await bedrock.chat.completions.create({
      model: "llama-3.2",
      messages: ask,
      chat_template_kwargs: { date_string: "01 Jan 2026" },
    });
    expect(String(sentBody(emulator, model("llama")).prompt)).toContain("Today Date: 01 Jan 2026\n");

    const error = await failure(bedrock.chat.completions.create({ model: "llama-3.0", messages: ask, tools }));
    expect(error).toMatchObject({ status: 400, param: "tools" });
    expect(error.message).toContain('"llama3_1"');
    await bedrock.chat.completions.create({ model: "llama-3.0", messages: ask });
    expect(String(sentBody(emulator, model("llama")).prompt)).toBe(
      "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nWeather in Paris?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
    );
  });
});

describe('openai\'s custom tools (type "custom")', () => {
  // Why ToolCall is function-only: no custom tool reaches a model, so no answer holds a custom call.
  it.each(Object.keys(ROUTE_FORMATS) as RouteName[])(
    "are refused by name on %s, as tools, tool_choice or calls in the history, even under drop_params",
    async (route) => {
      const { bedrock } = emulated();
      const custom = { name: "run_sql" };
      const history: ChatCompletionCreateParams["messages"] = [
        ...ask,
        { role: "assistant", tool_calls: [{ id: "c1", type: "custom", custom: { ...custom, input: "x" } }] },
        { role: "tool", tool_call_id: "c1", content: "3 rows" },
      ];
      const requests: Array<[Omit<ChatCompletionCreateParams, "model">, string]> = [
        [{ messages: ask, tools: [{ type: "custom", custom }] }, "tools[0].type"],
        [{ messages: ask, tools, tool_choice: { type: "custom", custom } }, "tool_choice.type"],
        [{ messages: history, tools }, "messages[1].tool_calls[0].type"],
      ];
      for (const [request, param] of requests) {
        const refused = await failure(
          bedrock.chat.completions.create({ ...request, model: model(route), stream: false, drop_params: true }),
        );
        expect(refused).toMatchObject({ status: 400, param });
      }
    },
  );
});

describe("drop_params", () => {
  it("never reaches Bedrock, on any route", async () => {
    const { bedrock, emulator } = emulated();
    for (const route of ["openai", "qwen2"] as const) {
      await bedrock.chat.completions.create({ model: model(route), messages: ask, seed: 3, drop_params: true });
      const body = sentBody(emulator, model(route));
      expect(body).not.toHaveProperty("drop_params");
      if (route === "qwen2") expect(body).not.toHaveProperty("seed");
      else expect(body.seed).toBe(3);
    }
  });

  it("as a client option applies to every model, unless the model's own setting or the request says otherwise", async () => {
    const { bedrock } = emulated({
      dropParams: true,
      models: { strict: { model: model("llama"), drop_params: false } },
    });
    await bedrock.chat.completions.create({ model: model("llama"), messages: ask, seed: 1 });
    expect((await failure(bedrock.chat.completions.create({ model: "strict", messages: ask, seed: 1 }))).param).toBe(
      "seed",
    );
    await bedrock.chat.completions.create({ model: "strict", messages: ask, seed: 1, drop_params: true });
    const refused = await failure(
      bedrock.chat.completions.create({ model: model("llama"), messages: ask, seed: 1, drop_params: false }),
    );
    expect(refused.message).toContain("drop_params: true");
  });
});

describe("a call's arguments come back as the model wrote them, every digit of its numbers kept", () => {
  // What a double cannot hold: an id beyond 2^53 (a snowflake, a 64-bit key), a float past its
  // range, the forms 1.0 and -0.0. JSON.parse then JSON.stringify would give 1234567890123456800,
  // null, 1 and 0.
  const args = '{"id": 1234567890123456789, "ratio": 1.0, "big": 1e400, "neg0": -0.0}';
  const qwenCall = `<tool_call>\n{"name": "get_message", "arguments": ${args}}\n</tool_call>`;
  const llamaCall = `{"name": "get_message", "parameters": ${args}}`;
  // (The echo's template opens no `<think>`, so R1's answer is no longer read as reasoning first: it
  // once began with `</think>` to close the block the route assumed, which is content now.)
  const r1Call = `<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_message\n\`\`\`json\n${args}\n\`\`\`<｜tool▁call▁end｜><｜tool▁calls▁end｜>`;
  const { bedrock } = emulated({
    models: {
      qwen3: echoSaying("qwen3"),
      qwen2: echoSaying("qwen2"),
      llama: echoSaying("llama"),
      deepseek_r1: echoSaying("deepseek_r1"),
      "openai-qwen": { model: model("openai", "echo"), tool_parser: "qwen", special_tokens: "keep" },
      "openai-llama": { model: model("openai", "echo"), tool_parser: "llama3_json", special_tokens: "keep" },
    },
  });
  const getMessage = {
    name: "get_message",
    parameters: { type: "object", properties: { id: { type: "integer" } } },
  };
  const argumentsIn = (output: Response["output"]) =>
    output.flatMap((item) => (item.type === "function_call" ? [item.arguments] : []));
  const cases = [
    ["qwen3", qwenCall],
    ["qwen2", qwenCall],
    ["llama", llamaCall],
    ["deepseek_r1", r1Call],
    ["openai-qwen", qwenCall],
    ["openai-llama", llamaCall],
  ] as const;

  for (const [name, text] of cases) {
    it(`${name}: plain, streamed and in the Responses API`, async () => {
      const request = {
        model: name,
        messages: [{ role: "user" as const, content: text }],
        tools: [{ type: "function" as const, function: getMessage }],
      };
      const plain = await bedrock.chat.completions.create(request);
      expect(plain.choices[0]!.finish_reason).toBe("tool_calls");
      expect(plain.choices[0]!.message.tool_calls?.map((call) => call.function)).toEqual([
        { name: "get_message", arguments: args },
      ]);
      const streamed = await collect(await bedrock.chat.completions.create({ ...request, stream: true }));
      expect(streamed).toEqual({
        content: "",
        calls: [{ name: "get_message", arguments: args }],
        finish: "tool_calls",
      });

      const responses = {
        model: name,
        input: text,
        tools: [{ type: "function" as const, ...getMessage, strict: false }],
      };
      expect(argumentsIn((await bedrock.responses.create(responses)).output)).toEqual([args]);
      // Streamed: the arguments' done event, then the completed Response.
      const seen: string[] = [];
      for await (const event of await bedrock.responses.create({ ...responses, stream: true })) {
        if (event.type === "response.function_call_arguments.done") seen.push(event.arguments);
        if (event.type === "response.completed") seen.push(...argumentsIn(event.response.output));
      }
      expect(seen).toEqual([args, args]);
    });
  }
});
