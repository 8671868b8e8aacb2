// A forced tool call (`tool_choice` "required" or a named function) beside an answer format
// (`response_format`, `structured_outputs`), through the library against the emulator, on every
// route and wire format, plain and streamed. OpenAI applies response_format to text content only:
// a forced call's answer is the call, so response_format is not sent beside the call's prefill,
// where guided decoding would shape the call's text as the answer format. structured_outputs
// constrains the decoding itself, so with a forced call it is a 400. Without a forced call the
// format holds the answer as before.
import { describe, expect, it } from "vitest";
import { emulatorModelId } from "../emulator/model-id.ts";
import { validates } from "../emulator/test-helpers.ts";
import {
  BedrockEdgeError,
  type ChatCompletionChunk,
  type ChatCompletionCreateParams,
  type ResponseFormatParam,
} from "../src/index.ts";
import { emulated, model, ROUTE_FORMATS } from "./helpers/emulated.ts";
import { errorOf } from "./helpers/errors.ts";
import { RESPONSES_WEATHER_TOOL } from "./helpers/tool-calls.ts";

const TEMPLATE_ROUTES = ["deepseek_r1", "llama", "qwen3", "qwen2"] as const;
const WIRE_FORMATS = ["bedrock_completion", "openai_completion"] as const;
type TemplateRoute = (typeof TEMPLATE_ROUTES)[number];
type WireFormat = (typeof WIRE_FORMATS)[number];

const weatherParameters = {
  type: "object",
  properties: { city: { type: "string" } },
  required: ["city"],
  additionalProperties: false,
};
// Two tools: "required" then names no function, so no format can hold the call to one schema and
// the prefill alone forces it (on openai_completion too).
const tools: ChatCompletionCreateParams["tools"] = [
  { type: "function", function: { name: "get_weather", parameters: weatherParameters } },
  {
    type: "function",
    function: { name: "get_time", parameters: { type: "object", properties: { zone: { type: "string" } } } },
  },
];
const ask = [{ role: "user" as const, content: "Weather in Paris?" }];
const named = { type: "function", function: { name: "get_weather" } } as const;
const TOOL_CHOICES = [
  ["required", "required"],
  ["named", named],
] as const;
const RESPONSE_FORMATS: Array<[string, ResponseFormatParam]> = [
  ["json_object", { type: "json_object" }],
  [
    "json_schema",
    {
      type: "json_schema",
      json_schema: {
        name: "answer",
        schema: { type: "object", properties: { answer: { type: "string" } }, required: ["answer"] },
      },
    },
  ],
];

/** A client whose model "m" is `route`'s emulated model in `wire_format`, and the body Bedrock last got. */
function client(route: TemplateRoute, wire_format: WireFormat) {
  const arn = emulatorModelId(ROUTE_FORMATS[route], ["eos"]);
  const { bedrock, emulator } = emulated({ models: { m: { model: `bedrock/${route}/${arn}`, wire_format } } });
  return { bedrock, sent: () => emulator.stats.lastBody(arn) as Record<string, unknown> };
}

/** A stream's first choice, joined as a client would. */
async function collect(stream: AsyncIterable<ChatCompletionChunk>) {
  let content = "";
  const calls: Array<{ name?: string; arguments: string }> = [];
  let finish: string | null = null;
  for await (const chunk of stream) {
    const choice = chunk.choices[0];
    if (!choice) continue;
    content += choice.delta.content ?? "";
    for (const call of choice.delta.tool_calls ?? []) {
      if (call.function?.name) calls.push({ name: call.function.name, arguments: "" });
      const last = calls.at(-1);
      if (last) last.arguments += call.function?.arguments ?? "";
    }
    finish = choice.finish_reason ?? finish;
  }
  return { content, calls, finish };
}

/** Checks that `call` is get_weather with arguments that fit its parameters (not the answer format). */
function expectWeatherCall(call: { name?: string; arguments?: string } | undefined): void {
  expect(call?.name).toBe("get_weather");
  expect(validates(weatherParameters, JSON.parse(call?.arguments ?? ""))).toBe(true);
}

describe("a forced call with response_format is the call, on the template routes", () => {
  for (const route of TEMPLATE_ROUTES) {
    for (const wireFormat of WIRE_FORMATS) {
      it(`${route} (${wireFormat}): required and named, json_object and json_schema, plain and streamed`, async () => {
        const { bedrock, sent } = client(route, wireFormat);
        for (const [choiceName, tool_choice] of TOOL_CHOICES) {
          for (const [formatName, response_format] of RESPONSE_FORMATS) {
            const label = `${choiceName} + ${formatName}`;
            const request = { model: "m", messages: ask, tools, tool_choice, response_format };
            const plain = await bedrock.chat.completions.create(request);
            const choice = plain.choices[0]!;
            expect(choice.finish_reason, label).toBe("tool_calls");
            expect(choice.message.content, label).toBeNull();
            expect(choice.message.tool_calls, label).toHaveLength(1);
            expectWeatherCall(choice.message.tool_calls?.[0]?.function);
            expect(sent(), label).not.toHaveProperty("response_format");

            const streamed = await collect(await bedrock.chat.completions.create({ ...request, stream: true }));
            expect(streamed.finish, label).toBe("tool_calls");
            expect(streamed.content, label).toBe("");
            expect(streamed.calls, label).toHaveLength(1);
            expectWeatherCall(streamed.calls[0]);
            expect(sent(), label).not.toHaveProperty("response_format");
          }
        }
      });
    }
  }

  it("openai_completion still holds a known function's arguments to its schema, not to the answer format", async () => {
    const { bedrock, sent } = client("qwen2", "openai_completion");
    await bedrock.chat.completions.create({
      model: "m",
      messages: ask,
      tools,
      tool_choice: named,
      response_format: RESPONSE_FORMATS[1]![1],
    });
    expect(sent().structured_outputs).toEqual({ json: weatherParameters });
    expect(sent()).not.toHaveProperty("response_format");
  });
});

describe("structured_outputs with a forced call", () => {
  it("is a 400 naming structured_outputs on openai_completion, whichever call is forced, drop_params or not", async () => {
    for (const route of TEMPLATE_ROUTES) {
      const { bedrock, sent } = client(route, "openai_completion");
      for (const [, tool_choice] of TOOL_CHOICES) {
        for (const drop_params of [false, true]) {
          const error = await errorOf(
            () =>
              bedrock.chat.completions.create({
                model: "m",
                messages: ask,
                tools,
                tool_choice,
                structured_outputs: { choice: ["yes", "no"] },
                drop_params,
              }),
            BedrockEdgeError,
          );
          expect(error).toMatchObject({ status: 400, param: "structured_outputs", code: null });
          expect(error.message).toContain("forced tool call");
        }
      }
      expect(sent()).toBeUndefined();
    }
  });
});

describe("without a forced call, response_format holds the answer as before", () => {
  for (const route of TEMPLATE_ROUTES) {
    it(`${route}: tool_choice auto, none and absent send it, and the answer is JSON`, async () => {
      for (const wireFormat of WIRE_FORMATS) {
        const { bedrock, sent } = client(route, wireFormat);
        for (const choice of [{ tool_choice: "auto" as const }, { tool_choice: "none" as const }, {}]) {
          for (const [, response_format] of RESPONSE_FORMATS) {
            const completion = await bedrock.chat.completions.create({
              model: "m",
              messages: ask,
              tools,
              ...choice,
              response_format,
            });
            expect(sent().response_format).toEqual(response_format);
            expect(completion.choices[0]?.message.tool_calls).toBeUndefined();
            expect(JSON.parse(completion.choices[0]?.message.content ?? "")).toEqual({ answer: expect.any(String) });
          }
        }
      }
    });
  }
});

describe("the openai and converse routes make the call too (Bedrock's own handling)", () => {
  it.each([
    ["openai", RESPONSE_FORMATS],
    // Converse takes json_schema only (json_object is its own 400).
    ["converse", RESPONSE_FORMATS.slice(1)],
  ] as const)("%s: required and named, plain and streamed", async (route, formats) => {
    const { bedrock } = emulated();
    for (const [, tool_choice] of TOOL_CHOICES) {
      for (const [, response_format] of formats) {
        const request = { model: model(route), messages: ask, tools, tool_choice, response_format };
        const plain = await bedrock.chat.completions.create(request);
        expect(plain.choices[0]?.message.tool_calls).toHaveLength(1);
        expectWeatherCall(plain.choices[0]?.message.tool_calls?.[0]?.function);
        const streamed = await collect(await bedrock.chat.completions.create({ ...request, stream: true }));
        expect(streamed.finish).toBe("tool_calls");
        expect(streamed.calls).toHaveLength(1);
        expectWeatherCall(streamed.calls[0]);
      }
    }
  });
});

describe("the Responses API", () => {
  it("a forced call with text.format is a function_call on a template route", async () => {
    const { bedrock } = emulated();
    const response = await bedrock.responses.create({
      model: model("llama", "eos"),
      input: "Weather in Paris?",
      tools: [RESPONSES_WEATHER_TOOL],
      tool_choice: "required",
      text: { format: { type: "json_schema", name: "answer", schema: { type: "object" } } },
    });
    expect(response.output.map((item) => item.type)).toEqual(["function_call"]);
    const call = response.output[0];
    if (call?.type !== "function_call") throw new Error("no function call");
    expectWeatherCall(call);
  });
});
