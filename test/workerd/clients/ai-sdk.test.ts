// Vercel's AI SDK (`ai`) against the Worker in workerd, through its three ways in: @ai-sdk/openai's
// default provider (the Responses API), its .chat() model (Chat Completions), and
// @ai-sdk/openai-compatible. On every demo model that can serve each call (matrix.ts):
// generateText, streamText, a tool loop that forces the first call, generateObject.
import { createOpenAI } from "@ai-sdk/openai";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { generateObject, generateText, type LanguageModel, stepCountIs, streamText, tool } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { WorkerdProxy } from "../harness.ts";
import { API_KEY, echoTwin, startDemoProxy } from "./demo-proxy.ts";
import { AFTER_TOOL, answerAfterTool, greetingOf, modelsFor, modelsRefusing } from "./matrix.ts";

let proxy: WorkerdProxy;

beforeAll(async () => {
  proxy = await startDemoProxy();
});
afterAll(() => proxy?.close());

type Provider = "openai (responses)" | "openai .chat()" | "openai-compatible";

function modelFor(provider: Provider, name: string): LanguageModel {
  const baseURL = `${proxy.url()}/v1`;
  switch (provider) {
    case "openai (responses)":
      return createOpenAI({ baseURL, apiKey: API_KEY })(name);
    case "openai .chat()":
      return createOpenAI({ baseURL, apiKey: API_KEY }).chat(name);
    case "openai-compatible":
      return createOpenAICompatible({
        name: "bedrock-edge",
        baseURL,
        apiKey: API_KEY,
        supportsStructuredOutputs: true,
      })(name);
  }
}

const PROVIDERS: Provider[] = ["openai (responses)", "openai .chat()", "openai-compatible"];
const pairs = (names: string[]) => PROVIDERS.flatMap((provider) => names.map((name) => [provider, name] as const));

const weatherTool = (calls: unknown[]) =>
  tool({
    description: "Weather for a city",
    inputSchema: z.object({ city: z.string() }),
    execute: async (input) => {
      calls.push(input);
      return "sunny, 21 °C";
    },
  });

describe.each(pairs(modelsFor("text")))("%s, %s", (provider, name) => {
  it("generateText", async () => {
    const result = await generateText({ model: modelFor(provider, name), prompt: "Hello!", maxRetries: 0 });
    expect(result.text).toMatch(greetingOf(name));
    expect(result.finishReason).toBe("stop");
    expect(result.usage.inputTokens).toBeGreaterThan(0);
  });

  it("streamText", async () => {
    const result = streamText({ model: modelFor(provider, name), prompt: "Hello!", maxRetries: 0 });
    let text = "";
    for await (const delta of result.textStream) text += delta;
    expect(text).toMatch(greetingOf(name));
    expect(await result.finishReason).toBe("stop");
  });
});

describe.each(pairs(modelsFor("forced-tools")))("%s, %s: a tool loop", (provider, name) => {
  it('toolChoice "required" forces the first call; the tool runs; the model answers after its result', async () => {
    const calls: unknown[] = [];
    const result = await generateText({
      model: modelFor(provider, name),
      prompt: "Weather in Paris?",
      tools: { get_weather: weatherTool(calls) },
      toolChoice: "required",
      // Forced once: after the tool's result, the model is free to answer.
      prepareStep: ({ stepNumber }) => (stepNumber === 0 ? {} : { toolChoice: "auto" }),
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    expect(calls).toEqual([{ city: expect.any(String) }]);
    expect(result.steps[0]?.toolCalls.map((call) => call.toolName)).toEqual(["get_weather"]);
    expect(result.steps).toHaveLength(2);
    expect(result.text).toMatch(answerAfterTool(name));
  });
});

describe.each(pairs(modelsFor("tools")))("%s, %s: streamed tools", (provider, name) => {
  it("streamText with a tool: the call, the result, the answer", async () => {
    const calls: unknown[] = [];
    const result = streamText({
      model: modelFor(provider, name),
      prompt: "Weather in Paris?",
      tools: { get_weather: weatherTool(calls) },
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    let text = "";
    for await (const delta of result.textStream) text += delta;
    expect(calls).toHaveLength(1);
    expect(text).toMatch(AFTER_TOOL);
  });
});

describe.each(pairs(modelsFor("structured")))("%s, %s: generateObject", (provider, name) => {
  it("an object that fits the schema", async () => {
    const result = await generateObject({
      model: modelFor(provider, name),
      schema: z.object({ city: z.string(), temperature: z.number() }),
      prompt: "Weather in Paris, as JSON.",
      maxRetries: 0,
    });
    expect(result.object).toEqual({ city: expect.any(String), temperature: expect.any(Number) });
  });
});

// JSON mode: @ai-sdk/openai-compatible without supportsStructuredOutputs sends json_object and no
// schema, and parses the answer. The model writes the object its prompt asks for, which the echo
// twin (demo-proxy.ts) does when the prompt is that object.
describe("openai-compatible without supportsStructuredOutputs: generateObject in JSON mode", () => {
  const WANTED = { city: "Paris", temperature: 21 };
  const jsonMode = (name: string) =>
    createOpenAICompatible({ name: "bedrock-edge", baseURL: `${proxy.url()}/v1`, apiKey: API_KEY })(name);
  const generate = (name: string) =>
    generateObject({
      model: jsonMode(name),
      schema: z.object({ city: z.string(), temperature: z.number() }),
      prompt: JSON.stringify(WANTED),
      maxRetries: 0,
    });

  it.each(modelsFor("json-object"))("%s: the object the model answers", async (name) => {
    const result = await generate(echoTwin(name));
    expect(result.object).toEqual(WANTED);
    expect(JSON.parse(String(result.request.body))).toMatchObject({ response_format: { type: "json_object" } });
  });

  it.each(modelsRefusing("json-object"))(
    "%s: refused by design, with a 400 that says what to send",
    async (name, refusal) => {
      const error = await generate(name).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ statusCode: 400 });
      expect(String(error)).toMatch(refusal);
    },
  );
});

describe.each(modelsFor("text"))("openai (responses), %s: a conversation", (name) => {
  const user = (content: string) => ({ role: "user" as const, content });

  it("with store: false the earlier turns go back whole, and the model sees them", async () => {
    const model = modelFor("openai (responses)", name);
    const providerOptions = { openai: { store: false } };
    const first = await generateText({ model, prompt: "Hello!", providerOptions, maxRetries: 0 });
    const second = await generateText({
      model,
      messages: [user("Hello!"), ...first.response.messages, user("And again?")],
      providerOptions,
      maxRetries: 0,
      // ai 7 keeps the request's body out of the result unless asked; ai 6 keeps it by default.
      // ai 7 deprecates this spelling for `include`, which ai 6 ignores: the one both take.
      experimental_include: { requestBody: true },
    });
    expect(second.text).toMatch(greetingOf(name));
    expect(second.request.body).toMatchObject({ store: false });
  });

  it("by default (store: true) a reference to an earlier answer is refused, saying what to do", async () => {
    const model = modelFor("openai (responses)", name);
    const first = await generateText({ model, prompt: "Hello!", maxRetries: 0 });
    const error = await generateText({
      model,
      messages: [user("Hello!"), ...first.response.messages, user("And again?")],
      maxRetries: 0,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(String(error)).toMatch(
      /this server is stateless: send the item itself .*providerOptions: \{ openai: \{ store: false \} \}/,
    );
  });
});
