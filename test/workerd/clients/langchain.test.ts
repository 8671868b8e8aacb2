// LangChain's ChatOpenAI (@langchain/openai) against the Worker in workerd, on every demo model
// that can serve each call (matrix.ts): invoke, stream, bindTools, withStructuredOutput.
import { HumanMessage, ToolMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { ChatOpenAI } from "@langchain/openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { WorkerdProxy } from "../harness.ts";
import { API_KEY, startDemoProxy } from "./demo-proxy.ts";
import { AFTER_TOOL, greetingOf, modelsFor } from "./matrix.ts";

let proxy: WorkerdProxy;

beforeAll(async () => {
  proxy = await startDemoProxy();
});
afterAll(() => proxy?.close());

function chat(model: string): ChatOpenAI {
  return new ChatOpenAI({ model, apiKey: API_KEY, configuration: { baseURL: `${proxy.url()}/v1` }, maxRetries: 0 });
}

const getWeather = tool(async ({ city }) => `sunny in ${city}, 21 °C`, {
  name: "get_weather",
  description: "Weather for a city",
  schema: z.object({ city: z.string() }),
});

const Weather = z.object({ city: z.string(), temperature: z.number() });

describe.each(modelsFor("text"))("ChatOpenAI, %s", (model) => {
  it("invoke", async () => {
    const message = await chat(model).invoke("Hello!");
    expect(message.text).toMatch(greetingOf(model));
    expect(message.usage_metadata?.input_tokens).toBeGreaterThan(0);
  });

  it("stream", async () => {
    let text = "";
    let chunks = 0;
    for await (const chunk of await chat(model).stream("Hello!")) {
      text += chunk.text;
      chunks++;
    }
    expect(chunks).toBeGreaterThan(1);
    expect(text).toMatch(greetingOf(model));
  });
});

describe.each(modelsFor("tools"))("ChatOpenAI.bindTools, %s", (model) => {
  it("a tool call, the tool's message sent back, the answer", async () => {
    const llm = chat(model).bindTools([getWeather]);
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

describe.each(modelsFor("structured"))("ChatOpenAI.withStructuredOutput, %s", (model) => {
  it("its default method (json_schema for these model names)", async () => {
    const result = await chat(model).withStructuredOutput(Weather).invoke("Weather in Paris, as JSON.");
    expect(Weather.parse(result)).toEqual(result);
  });

  it('method: "jsonSchema"', async () => {
    const result = await chat(model)
      .withStructuredOutput(Weather, { method: "jsonSchema", strict: true })
      .invoke("Weather in Paris, as JSON.");
    expect(Weather.parse(result)).toEqual(result);
  });
});
