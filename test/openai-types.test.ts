// Our shapes must be what the official `openai` package's types describe, both ways that matter:
// its requests are accepted by create(), and our answers are assignable to its result types.
import type OpenAI from "openai";
import { describe, expectTypeOf, it } from "vitest";
import type { Bedrock, ChatCompletion, ChatCompletionChunk, ChatMessageParam } from "../src/index.ts";

describe("types match the openai package", () => {
  it("a ChatCompletion is an OpenAI ChatCompletion, a chunk is a chunk", () => {
    expectTypeOf<ChatCompletion>().toExtend<OpenAI.ChatCompletion>();
    expectTypeOf<ChatCompletionChunk>().toExtend<OpenAI.ChatCompletionChunk>();
  });

  it("OpenAI request params are accepted as they are", () => {
    expectTypeOf<OpenAI.ChatCompletionCreateParamsNonStreaming>().toExtend<Parameters<Bedrock["chat"]["completions"]["create"]>[0]>();
    expectTypeOf<OpenAI.ChatCompletionMessageParam>().toExtend<ChatMessageParam>();
    expectTypeOf<OpenAI.ChatCompletionCreateParamsStreaming>().toExtend<Parameters<Bedrock["chat"]["completions"]["create"]>[0]>();
  });
});
