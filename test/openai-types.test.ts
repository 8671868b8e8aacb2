// Our shapes must be what the official `openai` package's types describe, both ways that matter:
// its requests are accepted by create() as they are, and our answers are assignable to its
// result types. Checked by the type-checker (npm test runs tsc over this file).
import type OpenAI from "openai";
import { describe, expectTypeOf, it } from "vitest";
import type { Bedrock, ChatCompletion, ChatCompletionChunk, ChatMessageParam } from "../src/index.ts";

/** Never called: its body is only type-checked, once per create() overload. */
function overloads(
  bedrock: Bedrock,
  streaming: OpenAI.ChatCompletionCreateParamsStreaming,
  plain: OpenAI.ChatCompletionCreateParamsNonStreaming,
) {
  expectTypeOf(bedrock.chat.completions.create(streaming)).resolves.toExtend<
    AsyncIterable<OpenAI.ChatCompletionChunk>
  >();
  expectTypeOf(bedrock.chat.completions.create(plain)).resolves.toExtend<OpenAI.ChatCompletion>();
  expectTypeOf(
    bedrock.chat.completions.create({ ...plain, stream: undefined }),
  ).resolves.toExtend<OpenAI.ChatCompletion>();
}

describe("types match the openai package", () => {
  it("a ChatCompletion is an OpenAI ChatCompletion, a chunk is a chunk", () => {
    expectTypeOf<ChatCompletion>().toExtend<OpenAI.ChatCompletion>();
    expectTypeOf<ChatCompletionChunk>().toExtend<OpenAI.ChatCompletionChunk>();
  });

  it("OpenAI's typed params go into each create() overload and come out as OpenAI's results", () => {
    expectTypeOf(overloads).toBeFunction();
    expectTypeOf<OpenAI.ChatCompletionMessageParam>().toExtend<ChatMessageParam>();
  });
});
