// What the clients themselves do with answers that are right (sdkhelpers50 #1-#3), pinned so that
// an upgrade that changes it is noticed and "What to know per client" (docs/PROXY-REFERENCE.md)
// and the README are corrected with it.
import { createOpenAI } from "@ai-sdk/openai";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import type { AIMessageChunk } from "@langchain/core/messages";
import { ChatOpenAI } from "@langchain/openai";
import { generateText, type LanguageModel, streamText } from "ai";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REASONING_TEXT } from "../../../emulator/answers.ts";
import { startWorkerdProxy, TEST_KEYS, type WorkerdProxy } from "../harness.ts";
import { NEWEST_CLIENTS } from "./client-releases.ts";

let proxy: WorkerdProxy;

beforeAll(async () => {
  proxy = await startWorkerdProxy();
});
afterAll(() => proxy?.close());

function langchain(model: string, options: { useResponsesApi: boolean; modelKwargs?: Record<string, unknown> }) {
  return new ChatOpenAI({
    model,
    apiKey: TEST_KEYS[0],
    configuration: { baseURL: `${proxy.url()}/v1` },
    maxRetries: 0,
    ...options,
  });
}

/** A LangChain stream, concatenated, and whether it resolved or rejected. */
async function streamed(llm: ChatOpenAI): Promise<{ message?: AIMessageChunk; error?: unknown }> {
  let message: AIMessageChunk | undefined;
  try {
    for await (const chunk of await llm.stream("Hello!")) message = message ? message.concat(chunk) : chunk;
    return { message };
  } catch (error) {
    return { message, error };
  }
}

const reasoningOf = (message: { contentBlocks: Array<{ type: string; reasoning?: unknown }> } | undefined) =>
  (message?.contentBlocks ?? [])
    .filter((block) => block.type === "reasoning")
    .map((block) => String(block.reasoning ?? ""))
    .join("");

describe.each(["qwen3", "r1"])("LangChain's Responses mode (useResponsesApi), reasoning, %s", (model) => {
  // LangChain reads reasoning summaries only, and asks for one only for the model names it knows
  // to reason; this server writes reasoning_text and a summary when asked, as OpenAI does.
  it("is empty by default, plain and streamed", async () => {
    const llm = langchain(model, { useResponsesApi: true });
    expect(reasoningOf(await llm.invoke("Hello!"))).toBe("");
    expect(reasoningOf((await streamed(llm)).message)).toBe("");
  });

  it('arrives whole with modelKwargs: { reasoning: { summary: "auto" } }, plain and streamed', async () => {
    const llm = langchain(model, { useResponsesApi: true, modelKwargs: { reasoning: { summary: "auto" } } });
    expect(reasoningOf(await llm.invoke("Hello!"))).toBe(REASONING_TEXT);
    expect(reasoningOf((await streamed(llm)).message)).toBe(REASONING_TEXT);
  });

  it("Chat Completions mode (the default) gets it with no options, plain and streamed", async () => {
    const llm = langchain(model, { useResponsesApi: false });
    expect((await llm.invoke("Hello!")).additional_kwargs.reasoning_content).toBe(REASONING_TEXT);
    expect((await streamed(llm)).message?.additional_kwargs.reasoning_content).toBe(REASONING_TEXT);
  });
});

describe.each(["qwen3", "r1"])("the AI SDK's reasoning, %s", (model) => {
  // @ai-sdk/openai's Responses provider reads reasoning summaries only, and asks for them only for
  // the model names it knows to reason; .chat() reads no reasoning_content; openai-compatible does.
  const baseURL = () => `${proxy.url()}/v1`;
  const responses = () => createOpenAI({ baseURL: baseURL(), apiKey: TEST_KEYS[0] })(model);
  const ASKED = { openai: { forceReasoning: true, reasoningSummary: "auto" } };

  async function reasoningOfCalls(
    languageModel: LanguageModel,
    providerOptions?: typeof ASKED,
  ): Promise<{ plain: string | undefined; streamed: string | undefined }> {
    const call = {
      model: languageModel,
      prompt: "Hello!",
      maxRetries: 0,
      ...(providerOptions ? { providerOptions } : {}),
    };
    const plain = (await generateText(call)).reasoningText;
    const streamed = await streamText(call).reasoningText;
    return { plain, streamed };
  }

  it("the Responses provider: none by default, plain and streamed", async () => {
    const { plain, streamed } = await reasoningOfCalls(responses());
    expect(plain ?? "").toBe("");
    expect(streamed ?? "").toBe("");
  });

  it('the Responses provider: whole with providerOptions { openai: { forceReasoning: true, reasoningSummary: "auto" } }', async () => {
    expect(await reasoningOfCalls(responses(), ASKED)).toEqual({ plain: REASONING_TEXT, streamed: REASONING_TEXT });
  });

  it(".chat(): none, even asked", async () => {
    const chat = createOpenAI({ baseURL: baseURL(), apiKey: TEST_KEYS[0] }).chat(model);
    const { plain, streamed } = await reasoningOfCalls(chat, ASKED);
    expect(plain ?? "").toBe("");
    expect(streamed ?? "").toBe("");
  });

  it("@ai-sdk/openai-compatible: whole with no options", async () => {
    const compatible = createOpenAICompatible({ name: "quirks", baseURL: baseURL(), apiKey: TEST_KEYS[0] })(model);
    expect(await reasoningOfCalls(compatible)).toEqual({ plain: REASONING_TEXT, streamed: REASONING_TEXT });
  });
});

describe("the openai SDK's chat.completions.stream()", () => {
  // Its accumulator assigns the delta fields it does not know, so reasoning_content ends as the
  // last piece; the chunk events carry every piece.
  it("finalChatCompletion() keeps the last reasoning_content piece; the chunk events hold it all", async () => {
    const client = new OpenAI({ baseURL: `${proxy.url()}/v1`, apiKey: TEST_KEYS[0], maxRetries: 0 });
    const stream = client.chat.completions.stream({ model: "qwen3", messages: [{ role: "user", content: "Hello!" }] });
    const pieces: string[] = [];
    stream.on("chunk", (chunk) => {
      const delta = chunk.choices[0]?.delta as { reasoning_content?: string } | undefined;
      if (delta?.reasoning_content) pieces.push(delta.reasoning_content);
    });
    const final = await stream.finalChatCompletion();
    expect(pieces.join("")).toBe(REASONING_TEXT);
    expect(pieces.length).toBeGreaterThan(1);
    const message = final.choices[0]?.message as { reasoning_content?: string } | undefined;
    expect(message?.reasoning_content).toBe(pieces.at(-1));
  });
});

describe("a LangChain stream that fails after it began", () => {
  // The proxy ends a failed Responses stream with `error` then `response.failed`, as OpenAI does.
  // @langchain/openai 1.5's Responses mode handles neither, so its stream resolves with what came
  // before: a few pieces of the answer, or (a model never ready, its wait spent in SSE comments)
  // nothing. 1.6 rejects with the proxy's error there too.
  it.each([
    ["midstream-error", /The model stream failed/, /^Hello from the Bedr/],
    ["never-ready", /still not ready/, /^$/],
  ])(
    NEWEST_CLIENTS
      ? "%s: rejects in Chat Completions mode and in Responses mode (@langchain/openai 1.6)"
      : "%s: rejects in Chat Completions mode; resolves quietly in Responses mode (@langchain/openai 1.5)",
    async (model, failure, before) => {
      const chat = await streamed(langchain(model, { useResponsesApi: false }));
      expect(String(chat.error)).toMatch(failure);
      const responses = await streamed(langchain(model, { useResponsesApi: true }));
      if (NEWEST_CLIENTS) {
        expect(String(responses.error)).toMatch(failure);
        return;
      }
      expect(responses.error).toBeUndefined();
      expect(responses.message?.usage_metadata).toBeUndefined();
      expect(responses.message?.text ?? "").toMatch(before);
    },
  );
});
