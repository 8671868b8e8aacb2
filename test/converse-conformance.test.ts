// The converse route's answers against OpenAI's official schemas (test/conformance/openapi.ts):
// plain answers (text, reasoning, tool calls, cached usage, a guardrail, a cut) and every chunk of
// their streams. Each case also checks that its answer and its stream carry what it is named for,
// so a case that quietly fell back to plain text would not pass on text's conformance.
// Written by the converse helper, adapted to the harness here.
import { describe, expect, it } from "vitest";
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionCreateParams } from "../src/index.ts";
import { assertConforms } from "./conformance/openapi.ts";
import { emulated, model } from "./helpers/emulated.ts";

const tools: ChatCompletionCreateParams["tools"] = [
  {
    type: "function",
    function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
  },
];

interface Case {
  request: ChatCompletionCreateParams;
  /** What the plain answer must carry for this case to test what it is named for. */
  answer: (completion: ChatCompletion) => boolean;
  /** The same, of the stream's chunks together. */
  stream: (chunks: ChatCompletionChunk[]) => boolean;
}

const user = (content: string) => [{ role: "user" as const, content }];
const finishes = (reason: string) => ({
  answer: (c: ChatCompletion) => c.choices[0]?.finish_reason === reason,
  stream: (chunks: ChatCompletionChunk[]) => chunks.some((c) => c.choices[0]?.finish_reason === reason),
});

const cases: Array<[string, Case]> = [
  [
    "text",
    {
      request: { model: model("converse"), messages: user("Hi") },
      answer: (c) => typeof c.choices[0]?.message.content === "string" && c.choices[0].message.content.length > 0,
      stream: (chunks) => chunks.some((c) => (c.choices[0]?.delta.content ?? "").length > 0),
    },
  ],
  [
    "reasoning",
    {
      request: { model: model("converse", "think"), messages: user("Hi") },
      answer: (c) => (c.choices[0]?.message.reasoning_content ?? "").length > 0,
      stream: (chunks) => chunks.some((c) => (c.choices[0]?.delta.reasoning_content ?? "").length > 0),
    },
  ],
  [
    "tool calls",
    {
      request: { model: model("converse", "tool"), messages: user("Weather?"), tools },
      answer: (c) => c.choices[0]?.message.tool_calls?.[0]?.function.name === "get_weather",
      stream: (chunks) => chunks.some((c) => c.choices[0]?.delta.tool_calls?.[0]?.function?.name === "get_weather"),
    },
  ],
  [
    "cached usage",
    {
      request: { model: model("converse", "cache"), messages: user("Hi") },
      answer: (c) => (c.usage?.prompt_tokens_details?.cached_tokens ?? 0) > 0,
      stream: (chunks) => chunks.some((c) => (c.usage?.prompt_tokens_details?.cached_tokens ?? 0) > 0),
    },
  ],
  [
    "a guardrail",
    { request: { model: model("converse", "guardrail"), messages: user("Hi") }, ...finishes("content_filter") },
  ],
  [
    "cut short",
    { request: { model: model("converse", "length"), messages: user("Hi"), max_tokens: 3 }, ...finishes("length") },
  ],
];

describe("converse answers conform to OpenAI's chat schemas", () => {
  it.each(cases)("%s: the chat.completion and every chunk", async (_name, { request, answer, stream }) => {
    const { bedrock } = emulated();
    const completion = await bedrock.chat.completions.create({ ...request, stream: false });
    assertConforms("CreateChatCompletionResponse", completion);
    expect(answer(completion)).toBe(true);

    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of await bedrock.chat.completions.create({
      ...request,
      stream: true,
      stream_options: { include_usage: true },
    })) {
      assertConforms("CreateChatCompletionStreamResponse", chunk);
      chunks.push(chunk);
    }
    expect(chunks.length).toBeGreaterThan(2);
    expect(stream(chunks)).toBe(true);
    // With include_usage the last chunk is the usage chunk, with no choices.
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(chunks.at(-1)?.usage?.total_tokens).toBeGreaterThan(0);
  });
});
