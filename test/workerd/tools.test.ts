// Tool calling and lenient parameters through the Worker in workerd, driven by the official
// `openai` package: forced tool calls, parameters that are ignored, refused or dropped.
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { errorOf } from "../helpers/errors.ts";
import { startWorkerdProxy, TEST_MODELS, USER_HELLO, type WorkerdProxy } from "./harness.ts";

let proxy: WorkerdProxy;

beforeAll(async () => {
  proxy = await startWorkerdProxy({ main: {}, dropping: { DROP_PARAMS: "true" } });
});
afterAll(() => proxy?.close());
beforeEach(() => proxy.served.emulator.stats.reset());

const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
  {
    type: "function",
    function: {
      name: "get_weather",
      parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    },
  },
];

/** The prompt the emulator last received for one of the test models. */
function sentPrompt(name: string): string {
  const body = proxy.served.emulator.stats.lastBody(TEST_MODELS[name]!.split("/").slice(2).join("/"));
  return String((body as { prompt?: unknown }).prompt);
}

describe("forced tool calls", () => {
  const named = { type: "function", function: { name: "get_weather" } } as const;

  it.each(["r1", "llama", "qwen3", "qwen2", "openai"])(
    "%s: required and named come back as the call, plain and streamed",
    async (model) => {
      const client = proxy.client();
      for (const tool_choice of ["required", named] as const) {
        const plain = await client.chat.completions.create({ model, messages: USER_HELLO, tools, tool_choice });
        const call = plain.choices[0]!.message.tool_calls?.[0];
        if (call?.type !== "function") throw new Error(`${model}: no function call in ${JSON.stringify(plain)}`);
        expect(call.function.name).toBe("get_weather");
        const args: unknown = JSON.parse(call.function.arguments);
        expect(args).toEqual({ city: expect.any(String) });
        // vLLM (the openai route's model server) finishes a plain forced call with "stop".
        if (model !== "openai") expect(plain.choices[0]!.finish_reason).toBe("tool_calls");

        const stream = await client.chat.completions.create({
          model,
          messages: USER_HELLO,
          tools,
          tool_choice,
          stream: true,
        });
        let streamedArgs = "";
        let finish: string | null = null;
        for await (const chunk of stream) {
          for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) streamedArgs += delta.function?.arguments ?? "";
          finish = chunk.choices[0]?.finish_reason ?? finish;
        }
        expect(JSON.parse(streamedArgs)).toEqual(args);
        expect(finish).toBe("tool_calls");
      }
    },
  );

  it("reach Bedrock prefilled with the family's call opening", async () => {
    const client = proxy.client();
    await client.chat.completions.create({ model: "qwen3", messages: USER_HELLO, tools, tool_choice: "required" });
    expect(sentPrompt("qwen3").endsWith('<think>\n\n</think>\n\n<tool_call>\n{"name": "')).toBe(true);
    const stream = await client.chat.completions.create({
      model: "llama",
      messages: USER_HELLO,
      tools,
      tool_choice: named,
      stream: true,
    });
    for await (const _chunk of stream) {
      // drained: the request is what is checked here
    }
    expect(sentPrompt("llama").endsWith('{"name": "get_weather", "parameters": ')).toBe(true);
  });

  it("a named function that is not in tools is a BadRequestError naming tool_choice", async () => {
    const error = await errorOf(() =>
      proxy.client().chat.completions.create({
        model: "r1",
        messages: USER_HELLO,
        tools,
        tool_choice: { type: "function", function: { name: "get_tide" } },
      }),
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, param: "tool_choice" });
  });
});

describe("a function whose parameters are no object schema (specfuzz46 F1)", () => {
  it.each(["r1", "llama", "qwen3", "qwen2", "openai"])(
    "%s: a 400 naming its type, forced or not, plain and streamed, before any call",
    async (model) => {
      const client = proxy.client();
      const stringTool = [
        { type: "function", function: { name: "get_weather", parameters: { type: "string" } } },
      ] as const;
      for (const tool_choice of [
        "required",
        { type: "function", function: { name: "get_weather" } },
        "auto",
      ] as const) {
        for (const stream of [false, true]) {
          const error = await errorOf(() =>
            client.chat.completions.create({
              model,
              messages: USER_HELLO,
              tools: [...stringTool],
              tool_choice,
              stream,
            } as OpenAI.Chat.ChatCompletionCreateParams),
          );
          expect(error).toBeInstanceOf(OpenAI.BadRequestError);
          expect(error).toMatchObject({ status: 400, param: "tools[0].function.parameters.type" });
        }
      }
      expect(proxy.served.emulator.stats.requests).toHaveLength(0);
    },
  );
});

describe("parameters", () => {
  it("that cannot change the answer are accepted on every template route", async () => {
    const client = proxy.client();
    for (const model of ["r1", "llama", "qwen3", "qwen2"]) {
      const completion = await client.chat.completions.create({
        model,
        messages: USER_HELLO,
        store: false,
        metadata: { team: "search" },
        user: "u-1",
        service_tier: "auto",
        parallel_tool_calls: true,
        modalities: ["text"],
        prompt_cache_key: "k",
        safety_identifier: "s",
        reasoning_effort: "low",
      });
      expect(completion.choices[0]!.finish_reason).toBe("stop");
    }
  });

  it("that the route cannot honour are refused by name, saying why and what to do", async () => {
    const error = await errorOf(() =>
      proxy.client().chat.completions.create({ model: "llama", messages: USER_HELLO, store: true }),
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, param: "store", code: "unsupported_parameter" });
    expect((error as Error).message).toMatch(/store cannot be true: this server keeps nothing.*drop_params: true/);
  });

  it('of the wrong type are a 400 naming them, even under DROP_PARAMS; ["audio"] is dropped there (specfuzz46 F2)', async () => {
    for (const [field, value] of [
      ["modalities", "audio"],
      ["metadata", 123],
      ["prompt_cache_retention", "forever"],
    ] as const) {
      const error = await errorOf(() =>
        proxy.client("dropping").chat.completions.create({
          model: "llama",
          messages: USER_HELLO,
          [field]: value,
        } as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming),
      );
      expect(error).toMatchObject({ status: 400, param: field });
    }
    expect(proxy.served.emulator.stats.requests).toHaveLength(0);
    const audio = await proxy
      .client("dropping")
      .chat.completions.create({ model: "llama", messages: USER_HELLO, modalities: ["audio"] });
    expect(audio.choices[0]!.finish_reason).toBe("stop");
  });

  it("are dropped instead with drop_params in the request, or DROP_PARAMS on the proxy", async () => {
    const asks = { model: "qwen2", messages: USER_HELLO, seed: 7, frequency_penalty: 0.5 };
    await expect(proxy.client().chat.completions.create(asks)).rejects.toMatchObject({ status: 400, param: "seed" });
    const dropped = await proxy
      .client()
      .chat.completions.create({ ...asks, drop_params: true } as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming);
    expect(dropped.choices[0]!.finish_reason).toBe("stop");
    const proxyWide = await proxy.client("dropping").chat.completions.create(asks);
    expect(proxyWide.choices[0]!.finish_reason).toBe("stop");
    const body = proxy.served.emulator.stats.lastBody(TEST_MODELS.qwen2!.split("/").slice(2).join("/"));
    expect(Object.keys(body as object)).toEqual(["prompt"]);
  });
});
