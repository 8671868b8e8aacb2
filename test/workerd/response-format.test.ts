// response_format through the Worker in workerd, driven by the official `openai` package: a forced
// tool call beside it is the call on every route and wire format (OpenAI applies response_format to
// text content only), plain and streamed; a malformed one is a BadRequestError naming its field,
// on chat and legacy Completions, before anything reaches Bedrock; vLLM's structural_tag and a
// boolean JSON Schema are answered on the openai route, as they were before the checks.
import OpenAI from "openai";
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { errorOf } from "../helpers/errors.ts";
import { modelString, startWorkerdProxy, TEST_MODELS, USER_HELLO, type WorkerdProxy } from "./harness.ts";

const MODELS = {
  ...TEST_MODELS,
  "llama-oc": { model: modelString("llama"), wire_format: "openai_completion" },
  "qwen3-oc": { model: modelString("qwen3"), wire_format: "openai_completion" },
  converse: modelString("converse"),
};
const TEMPLATE_MODELS = ["r1", "llama", "qwen3", "qwen2", "llama-oc", "qwen3-oc"];

const weather = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };
// Two tools: "required" names no function, so on openai_completion too the prefill alone forces it.
const tools: OpenAI.ChatCompletionTool[] = [
  { type: "function", function: { name: "get_weather", parameters: weather } },
  { type: "function", function: { name: "get_time", parameters: { type: "object", properties: {} } } },
];
const named = { type: "function", function: { name: "get_weather" } } as const;
/** vLLM's structural tags: a response_format type outside OpenAI's three. */
const structuralTag = {
  type: "structural_tag",
  structures: [{ begin: "<f>", schema: { type: "object" }, end: "</f>" }],
  triggers: ["<f>"],
};
const jsonSchema: OpenAI.ResponseFormatJSONSchema = {
  type: "json_schema",
  json_schema: { name: "answer", schema: { type: "object", properties: { answer: { type: "string" } } } },
};

let proxy: WorkerdProxy;
let client: OpenAI;

beforeAll(async () => {
  proxy = await startWorkerdProxy({ main: { MODELS: JSON.stringify(MODELS) } });
  client = proxy.client();
});
afterAll(() => proxy?.close());
beforeEach(() => proxy.served.emulator.stats.reset());

async function streamedCall(stream: AsyncIterable<ChatCompletionChunk>) {
  let name = "";
  let args = "";
  let finish: string | null = null;
  for await (const chunk of stream) {
    for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
      name += delta.function?.name ?? "";
      args += delta.function?.arguments ?? "";
    }
    finish = chunk.choices[0]?.finish_reason ?? finish;
  }
  return { name, args, finish };
}

describe("a forced tool call with response_format", () => {
  it.each([...TEMPLATE_MODELS, "openai", "converse"])("%s: is the call, plain and streamed", async (model) => {
    // Converse constrains output by a schema only: json_object is its own 400 there.
    const formats: OpenAI.ChatCompletionCreateParams["response_format"][] =
      model === "converse" ? [jsonSchema] : [{ type: "json_object" }, jsonSchema];
    for (const tool_choice of ["required", named] as const) {
      for (const response_format of formats) {
        const label = `${JSON.stringify(tool_choice)} ${response_format?.type}`;
        const request = { model, messages: USER_HELLO, tools, tool_choice, response_format };
        const plain = await client.chat.completions.create(request);
        const calls = plain.choices[0]!.message.tool_calls ?? [];
        expect(calls, label).toHaveLength(1);
        const call = calls[0]!;
        if (call.type !== "function") throw new Error(`${label}: not a function call`);
        expect(call.function.name, label).toBe("get_weather");
        expect(JSON.parse(call.function.arguments), label).toEqual({ city: expect.any(String) });

        const streamed = await streamedCall(await client.chat.completions.create({ ...request, stream: true }));
        expect(streamed.name, label).toBe("get_weather");
        expect(JSON.parse(streamed.args), label).toEqual({ city: expect.any(String) });
        expect(streamed.finish, label).toBe("tool_calls");
      }
    }
  });

  it("tool_choice auto leaves the answer held to the format", async () => {
    const plain = await client.chat.completions.create({
      model: "qwen3",
      messages: USER_HELLO,
      tools,
      tool_choice: "auto",
      response_format: { type: "json_object" },
    });
    expect(plain.choices[0]!.message.tool_calls).toBeUndefined();
    expect(JSON.parse(plain.choices[0]!.message.content ?? "")).toEqual({ answer: expect.any(String) });
  });
});

describe("a malformed response_format is a BadRequestError naming its field", () => {
  const cases: Array<[unknown, string]> = [
    [{ type: "json_schema" }, "response_format.json_schema"],
    [{ type: "json_schema", json_schema: { name: "a", schema: "x" } }, "response_format.json_schema.schema"],
    [{ type: 5 }, "response_format.type"],
  ];

  it.each([...TEMPLATE_MODELS, "openai", "converse"])("chat, %s: plain and streamed", async (model) => {
    for (const [response_format, param] of cases) {
      for (const stream of [false, true]) {
        const error = await errorOf(
          () =>
            client.chat.completions.create({
              model,
              messages: USER_HELLO,
              stream,
              response_format,
            } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming),
          OpenAI.BadRequestError,
        );
        expect(error, `${JSON.stringify(response_format)} stream ${stream}`).toMatchObject({ param, code: null });
      }
    }
    expect(proxy.served.emulator.stats.requests).toHaveLength(0);
  });

  it("an unknown type is a wrong value on a template route, even with drop_params", async () => {
    const error = await errorOf(
      () =>
        client.chat.completions.create({
          model: "llama",
          messages: USER_HELLO,
          response_format: { type: "xml" },
          drop_params: true,
        } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming),
      OpenAI.BadRequestError,
    );
    expect(error.message).toBe(
      '400 response_format.type must be "text", "json_object" or "json_schema" on route llama (got "xml"); ' +
        "only the openai route passes other types on to the model server.",
    );
  });

  it.each([...TEMPLATE_MODELS, "converse"])(
    "chat, %s: vLLM's structural_tag is refused naming its type",
    async (model) => {
      const error = await errorOf(
        () =>
          client.chat.completions.create({
            model,
            messages: USER_HELLO,
            response_format: structuralTag,
          } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming),
        OpenAI.BadRequestError,
      );
      expect(error).toMatchObject({ param: "response_format.type", code: null });
      expect(proxy.served.emulator.stats.requests).toHaveLength(0);
    },
  );

  it.each(["llama", "openai"])("legacy Completions, %s", async (model) => {
    for (const [response_format, param] of cases) {
      const error = await errorOf(
        () =>
          client.completions.create({
            model,
            prompt: "Once",
            response_format,
          } as OpenAI.CompletionCreateParamsNonStreaming),
        OpenAI.BadRequestError,
      );
      expect(error, JSON.stringify(response_format)).toMatchObject({ param, code: null });
    }
    expect(proxy.served.emulator.stats.requests).toHaveLength(0);
  });
});

describe("the openai route passes vLLM's formats on to the model server", () => {
  const formats = [structuralTag, { type: "json_schema", json_schema: { name: "x", schema: true } }];

  it("chat: structural_tag and a boolean schema are answered, plain and streamed", async () => {
    for (const response_format of formats) {
      const request = { model: "openai", messages: USER_HELLO, max_tokens: 20, response_format };
      const plain = await client.chat.completions.create(
        request as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming,
      );
      expect(plain.choices[0]!.message.content, response_format.type).toEqual(expect.any(String));
      const stream = await client.chat.completions.create({
        ...request,
        stream: true,
      } as unknown as OpenAI.ChatCompletionCreateParamsStreaming);
      let text = "";
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
      expect(text, `${response_format.type} streamed`).not.toBe("");
    }
    expect(proxy.served.emulator.stats.requests.map((entry) => entry.status)).toEqual([200, 200, 200, 200]);
  });

  it("legacy Completions: structural_tag and a boolean schema are answered", async () => {
    for (const response_format of formats) {
      const completion = await client.completions.create({
        model: "openai",
        prompt: "Once",
        max_tokens: 20,
        response_format,
      } as unknown as OpenAI.CompletionCreateParamsNonStreaming);
      expect(completion.choices[0]!.text, response_format.type).toEqual(expect.any(String));
    }
    expect(proxy.served.emulator.stats.requests.map((entry) => entry.status)).toEqual([200, 200]);
  });
});
