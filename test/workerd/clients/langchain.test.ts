// LangChain's ChatOpenAI (@langchain/openai) against the Worker in workerd, on every demo model
// that can serve each call (matrix.ts): invoke, stream, bindTools, withStructuredOutput; through
// Chat Completions (its default) and through the Responses API (useResponsesApi).
import { HumanMessage, ToolMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { ChatOpenAI } from "@langchain/openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { WorkerdProxy } from "../harness.ts";
import { API_KEY, echoTwin, startDemoProxy } from "./demo-proxy.ts";
import { AFTER_TOOL, greetingOf, modelsFor, modelsRefusing } from "./matrix.ts";

let proxy: WorkerdProxy;

beforeAll(async () => {
  proxy = await startDemoProxy();
});
afterAll(() => proxy?.close());

type Api = "chat" | "responses";

function chat(model: string, api: Api = "chat"): ChatOpenAI {
  return new ChatOpenAI({
    model,
    apiKey: API_KEY,
    configuration: { baseURL: `${proxy.url()}/v1` },
    maxRetries: 0,
    useResponsesApi: api === "responses",
  });
}

const pairs = (names: string[]) =>
  (["chat", "responses"] as const).flatMap((api) => names.map((name) => [api, name] as const));

const getWeather = tool(async ({ city }) => `sunny in ${city}, 21 °C`, {
  name: "get_weather",
  description: "Weather for a city",
  schema: z.object({ city: z.string() }),
});

const Weather = z.object({ city: z.string(), temperature: z.number() });

describe.each(pairs(modelsFor("text")))("ChatOpenAI (%s API), %s", (api, model) => {
  it("invoke", async () => {
    const message = await chat(model, api).invoke("Hello!");
    expect(message.text).toMatch(greetingOf(model));
    expect(message.usage_metadata?.input_tokens).toBeGreaterThan(0);
  });

  it("stream", async () => {
    let text = "";
    let chunks = 0;
    for await (const chunk of await chat(model, api).stream("Hello!")) {
      text += chunk.text;
      chunks++;
    }
    expect(chunks).toBeGreaterThan(1);
    expect(text).toMatch(greetingOf(model));
  });
});

describe.each(pairs(modelsFor("tools")))("ChatOpenAI.bindTools (%s API), %s", (api, model) => {
  it("a tool call, the tool's message sent back, the answer", async () => {
    const llm = chat(model, api).bindTools([getWeather]);
    const question = new HumanMessage("Weather in Paris?");
    const first = await llm.invoke([question]);
    const call = first.tool_calls?.[0];
    expect(call).toMatchObject({ name: "get_weather", args: { city: expect.any(String) } });
    if (!call?.id) throw new Error(`no tool call id from ${model}`);
    const result = await getWeather.invoke(call.args as { city: string });
    const second = await llm.invoke([question, first, new ToolMessage({ content: result, tool_call_id: call.id })]);
    expect(second.text).toMatch(AFTER_TOOL);
  });
});

describe.each(modelsFor("forced-tools"))("ChatOpenAI.withStructuredOutput, function calling, %s", (model) => {
  it("forces the named function and parses its arguments", async () => {
    const result = await chat(model)
      .withStructuredOutput(z.object({ city: z.string() }), { method: "functionCalling" })
      .invoke("Weather in Paris?");
    expect(result).toEqual({ city: expect.any(String) });
  });
});

describe.each(pairs(modelsFor("structured")))("ChatOpenAI.withStructuredOutput (%s API), %s", (api, model) => {
  it("its default method (json_schema for these model names)", async () => {
    const result = await chat(model, api).withStructuredOutput(Weather).invoke("Weather in Paris, as JSON.");
    expect(Weather.parse(result)).toEqual(result);
  });

  it('method: "jsonSchema"', async () => {
    const result = await chat(model, api)
      .withStructuredOutput(Weather, { method: "jsonSchema", strict: true })
      .invoke("Weather in Paris, as JSON.");
    expect(Weather.parse(result)).toEqual(result);
  });
});

// jsonMode sends response_format json_object and parses the answer; the model writes the object
// its prompt asks for, which the echo twin (demo-proxy.ts) does when the prompt is that object.
const WANTED = { city: "Paris", temperature: 21 };

describe.each(pairs(modelsFor("json-object")))(
  'ChatOpenAI.withStructuredOutput (%s API), method: "jsonMode", %s',
  (api, model) => {
    it("parses the JSON object the model answers", async () => {
      const result = await chat(echoTwin(model), api)
        .withStructuredOutput(Weather, { method: "jsonMode" })
        .invoke(JSON.stringify(WANTED));
      expect(result).toEqual(WANTED);
    });
  },
);

describe.each(
  (["chat", "responses"] as const).flatMap((api) =>
    modelsRefusing("json-object").map(([model, refusal]) => [api, model, refusal] as const),
  ),
)('ChatOpenAI.withStructuredOutput (%s API), method: "jsonMode", %s', (api, model, refusal) => {
  it("is refused by design, with a 400 that says what to send", async () => {
    const error = await chat(model, api)
      .withStructuredOutput(Weather, { method: "jsonMode" })
      .invoke(JSON.stringify(WANTED))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toMatchObject({ status: 400 });
    expect(String(error)).toMatch(refusal);
  });
});
