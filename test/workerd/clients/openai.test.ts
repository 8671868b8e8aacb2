// The official `openai` package against the Worker in workerd, on every demo model that can
// serve each call (matrix.ts): chat, and responses plain, streamed and with function tools.
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WorkerdProxy } from "../harness.ts";
import { API_KEY, startDemoProxy } from "./demo-proxy.ts";
import { AFTER_TOOL, greetingOf, modelsFor } from "./matrix.ts";
import { RESPONSES_WEATHER_TOOL as weather } from "../../helpers/tool-calls.ts";

let proxy: WorkerdProxy;
let client: OpenAI;

beforeAll(async () => {
  proxy = await startDemoProxy();
  client = new OpenAI({ baseURL: `${proxy.url()}/v1`, apiKey: API_KEY, maxRetries: 0 });
});
afterAll(() => proxy?.close());

describe.each(modelsFor("text"))("openai SDK, %s", (model) => {
  it("chat.completions.create, plain and streamed", async () => {
    const messages = [{ role: "user" as const, content: "Hello!" }];
    const completion = await client.chat.completions.create({ model, messages });
    expect(completion.choices[0]?.message.content).toMatch(greetingOf(model));
    const stream = await client.chat.completions.create({ model, messages, stream: true });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe(completion.choices[0]?.message.content);
  });

  it("responses.create, plain", async () => {
    const response = await client.responses.create({ model, input: "Hello!", instructions: "Be brief." });
    expect(response.status).toBe("completed");
    expect(response.output_text).toMatch(greetingOf(model));
  });

  it("responses.create, streamed, and responses.stream()", async () => {
    const stream = await client.responses.create({ model, input: "Hello!", stream: true });
    let text = "";
    for await (const event of stream) if (event.type === "response.output_text.delta") text += event.delta;
    expect(text).toMatch(greetingOf(model));
    const final = await client.responses.stream({ model, input: "Hello!" }).finalResponse();
    expect(final.output_text).toBe(text);
  });
});

describe.each(modelsFor("tools"))("openai SDK with function tools, %s", (model) => {
  it("responses: a call, its output sent back, the answer", async () => {
    const input: OpenAI.Responses.ResponseInput = [{ role: "user", content: "Weather in Paris?" }];
    const first = await client.responses.create({ model, input, tools: [weather] });
    const call = first.output.find((item) => item.type === "function_call");
    if (call?.type !== "function_call") throw new Error(`no function call from ${model}`);
    expect(call.name).toBe("get_weather");
    expect(JSON.parse(call.arguments)).toMatchObject({ city: expect.any(String) });
    const second = await client.responses.create({
      model,
      input: [
        ...input,
        ...first.output.filter((item) => item.type === "reasoning" || item.type === "function_call"),
        { type: "function_call_output", call_id: call.call_id, output: "sunny, 21 °C" },
      ],
      tools: [weather],
    });
    expect(second.output_text).toMatch(AFTER_TOOL);
  });

  it("chat: a tool call, and its result sent back", async () => {
    const tools = [{ type: "function" as const, function: { name: weather.name, parameters: weather.parameters } }];
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "Weather in Paris?" }];
    const first = await client.chat.completions.create({ model, messages, tools });
    const call = first.choices[0]?.message.tool_calls?.[0];
    if (call?.type !== "function") throw new Error(`no tool call from ${model}`);
    expect(first.choices[0]?.finish_reason).toBe("tool_calls");
    const second = await client.chat.completions.create({
      model,
      messages: [...messages, first.choices[0]!.message, { role: "tool", tool_call_id: call.id, content: "sunny" }],
      tools,
    });
    expect(second.choices[0]?.message.content).toMatch(AFTER_TOOL);
  });

  it("responses streamed: the call's arguments as events", async () => {
    const stream = await client.responses.create({ model, input: "Weather in Paris?", tools: [weather], stream: true });
    let args = "";
    for await (const event of stream)
      if (event.type === "response.function_call_arguments.done") args = event.arguments;
    expect(JSON.parse(args)).toMatchObject({ city: expect.any(String) });
  });
});
