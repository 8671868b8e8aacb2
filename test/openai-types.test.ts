// Our shapes must be what the official `openai` package's types describe, both ways that matter:
// its requests are accepted by create() as they are, and our answers are assignable to its
// result types. Checked by the type-checker (npm test runs tsc over this file), against openai 6
// (tsconfig.json) and openai 7 (tsconfig.openai7.json; openai-majors.test.ts).
import type OpenAI from "openai";
import { describe, expectTypeOf, it } from "vitest";
import type {
  Base64EmbeddingResponse,
  Bedrock,
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParams,
  ChatMessageParam,
  ChunkDelta,
  Completion,
  CompletionChunk,
  CompletionMessage,
  CreateEmbeddingResponse,
  Embedding,
  Image,
  ImagesResponse,
  Usage,
} from "../src/index.ts";

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

/** Never called: the legacy Completions API's overloads, as for chat above. */
function completionOverloads(
  bedrock: Bedrock,
  streaming: OpenAI.CompletionCreateParamsStreaming,
  plain: OpenAI.CompletionCreateParamsNonStreaming,
) {
  expectTypeOf(bedrock.completions.create(plain)).resolves.toExtend<OpenAI.Completion>();
  expectTypeOf(bedrock.completions.create({ ...plain, stream: null })).resolves.toExtend<OpenAI.Completion>();
  expectTypeOf(bedrock.completions.create(streaming)).resolves.toExtend<AsyncIterable<CompletionChunk>>();
}

/**
 * Never called: embeddings.create()'s overloads, as openai 7's: a request for numbers (the default)
 * is answered with OpenAI's CreateEmbeddingResponse, one for base64 with strings, and a request
 * whose encoding_format is known only when it runs with either.
 */
async function embeddingOverloads(bedrock: Bedrock, params: OpenAI.EmbeddingCreateParams) {
  const byDefault: OpenAI.CreateEmbeddingResponse = await bedrock.embeddings.create({ model: "m", input: "x" });
  const floats: OpenAI.CreateEmbeddingResponse = await bedrock.embeddings.create({
    model: "m",
    input: ["x", "y"],
    encoding_format: "float",
  });
  const nulled: number[] | undefined = (
    await bedrock.embeddings.create({ model: "m", input: "x", encoding_format: null })
  ).data[0]?.embedding;
  const base64: string | undefined = (
    await bedrock.embeddings.create({ model: "m", input: "x", encoding_format: "base64" })
  ).data[0]?.embedding;
  expectTypeOf(bedrock.embeddings.create(params)).resolves.toEqualTypeOf<
    CreateEmbeddingResponse | Base64EmbeddingResponse
  >();
  return [byDefault, floats, nulled, base64];
}

/**
 * Never called: OpenAI's typed image params go into images.generate() with the model named (OpenAI
 * falls back to a default model, none here), openai 7's values and fields too (refused at run time
 * by name where no Bedrock image model honours them).
 */
function imageParams(
  bedrock: Bedrock,
  params: OpenAI.ImageGenerateParamsNonStreaming & { model: string },
  anyParams: OpenAI.ImageGenerateParams & { model: string },
) {
  expectTypeOf(bedrock.images.generate(params)).resolves.toExtend<OpenAI.ImagesResponse>();
  return bedrock.images.generate(anyParams);
}

/**
 * Never called: values the request's validation refuses on every route must not compile either
 * (each `@ts-expect-error` fails the type-check if its line compiles), and the ones it takes must.
 */
function checkedRequestFields(bedrock: Bedrock, messages: ChatMessageParam[]) {
  const accepted: ChatCompletionCreateParams[] = [
    { model: "m", messages, reasoning_effort: "high", store: false, service_tier: "priority" },
    { model: "m", messages, reasoning_effort: null, store: null, service_tier: null },
    { model: "m", messages, service_tier: "fast" },
    { model: "m", messages, service_tier: "scale" },
  ];
  const refused: ChatCompletionCreateParams[] = [
    // @ts-expect-error a misspelt effort
    { model: "m", messages, reasoning_effort: "hihg" },
    // @ts-expect-error an effort as a number
    { model: "m", messages, reasoning_effort: 3 },
    // @ts-expect-error store as a string
    { model: "m", messages, store: "yes" },
    // @ts-expect-error a misspelt tier
    { model: "m", messages, service_tier: "prioirty" },
    // @ts-expect-error a tier as a number
    { model: "m", messages, service_tier: 1 },
  ];
  return [...accepted, ...refused].map((request) => bedrock.chat.completions.create(request));
}

/**
 * Never called: a cache mark in every place docs/LIBRARY-REFERENCE.md's "Prompt caching" lists (the types, on
 * `TextPart`, `ImagePart`, `FilePart`, each message and `FunctionTool`), as create() takes it: the
 * request's validation takes each and the converse route sends a cachePoint for each.
 */
function cacheMarkPlaces(bedrock: Bedrock) {
  const mark = { type: "ephemeral", ttl: "1h" } as const;
  const request: ChatCompletionCreateParams = {
    model: "m",
    messages: [
      { role: "system", content: [{ type: "text", text: "Be terse.", cache_control: mark }], cache_control: mark },
      { role: "developer", content: "Answer in English.", cache_control: mark },
      {
        role: "user",
        content: [
          { type: "text", text: "What is on this page?", cache_control: mark },
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" }, cache_control: mark },
          { type: "file", file: { file_data: "data:application/pdf;base64,JVBERi0=" }, cache_control: mark },
        ],
        cache_control: mark,
      },
      { role: "assistant", content: "Done.", cache_control: mark },
      { role: "user", content: "And now?", cache_control: null },
      {
        role: "assistant",
        tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }],
        cache_control: mark,
      },
      { role: "tool", content: "42", tool_call_id: "c1", cache_control: mark },
    ],
    tools: [{ type: "function", function: { name: "f" }, cache_control: mark }],
  };
  return bedrock.chat.completions.create(request);
}

/** The fields the openai package declares on a result type that ours lacks. */
type Undeclared<Sdk, Ours> = Exclude<keyof Sdk, keyof Ours>;
type Choice = ChatCompletion["choices"][number];
type ChunkChoice = ChatCompletionChunk["choices"][number];

/** A chunk with OpenAI's non-null finish_reason: what a chunk is to the openai package's Stream<Completion>. */
type ChunkAsPackageTypesIt = Omit<CompletionChunk, "choices" | "usage"> & {
  choices: Array<Omit<CompletionChunk["choices"][number], "finish_reason"> & { finish_reason: "stop" }>;
  usage?: NonNullable<CompletionChunk["usage"]>;
};

describe("types match the openai package", () => {
  it("a ChatCompletion is an OpenAI ChatCompletion, a chunk is a chunk", () => {
    expectTypeOf<ChatCompletion>().toExtend<OpenAI.ChatCompletion>();
    expectTypeOf<ChatCompletionChunk>().toExtend<OpenAI.ChatCompletionChunk>();
  });

  it("OpenAI's typed params go into each create() overload and come out as OpenAI's results", () => {
    expectTypeOf(overloads).toBeFunction();
    expectTypeOf<OpenAI.ChatCompletionMessageParam>().toExtend<ChatMessageParam>();
  });

  it("embeddings: OpenAI's params go in, the answer to a request for numbers is OpenAI's CreateEmbeddingResponse", () => {
    expectTypeOf(embeddingOverloads).toBeFunction();
    expectTypeOf<OpenAI.EmbeddingCreateParams>().toExtend<Parameters<Bedrock["embeddings"]["create"]>[0]>();
    expectTypeOf<CreateEmbeddingResponse>().toExtend<OpenAI.CreateEmbeddingResponse>();
    expectTypeOf<Undeclared<OpenAI.CreateEmbeddingResponse, CreateEmbeddingResponse>>().toBeNever();
    expectTypeOf<Undeclared<OpenAI.Embedding, Embedding>>().toBeNever();
  });

  it("images: OpenAI's params go in with the model named, an ImagesResponse is OpenAI's", () => {
    expectTypeOf(imageParams).toBeFunction();
    expectTypeOf<ImagesResponse>().toExtend<OpenAI.ImagesResponse>();
  });

  it("types reasoning_effort, store and service_tier as validation takes them, as openai does: a typo fails to compile", () => {
    expectTypeOf(checkedRequestFields).toBeFunction();
    expectTypeOf<OpenAI.ChatCompletionCreateParams["service_tier"]>().toExtend<
      ChatCompletionCreateParams["service_tier"]
    >();
    expectTypeOf<ChatCompletionCreateParams["reasoning_effort"]>().toEqualTypeOf<
      OpenAI.ChatCompletionCreateParams["reasoning_effort"] | undefined
    >();
  });

  it("takes a cache mark wherever the library reference says one goes: parts, every message, tools", () => {
    expectTypeOf(cacheMarkPlaces).toBeFunction();
  });

  it("declares every field OpenAI's results declare (optional where never set), so code reading them compiles", () => {
    // `moderation` (OpenAI's own moderation results) is the one left out.
    expectTypeOf<Undeclared<OpenAI.ChatCompletion, ChatCompletion>>().toEqualTypeOf<"moderation">();
    expectTypeOf<Undeclared<OpenAI.ChatCompletionChunk, ChatCompletionChunk>>().toEqualTypeOf<"moderation">();
    expectTypeOf<Undeclared<OpenAI.ChatCompletion.Choice, Choice>>().toBeNever();
    expectTypeOf<Undeclared<OpenAI.ChatCompletionChunk.Choice, ChunkChoice>>().toBeNever();
    expectTypeOf<Undeclared<OpenAI.ChatCompletionMessage, CompletionMessage>>().toBeNever();
    expectTypeOf<Undeclared<OpenAI.ChatCompletionChunk.Choice.Delta, ChunkDelta>>().toBeNever();
    expectTypeOf<Undeclared<OpenAI.CompletionUsage, Usage>>().toBeNever();
    type Details<Key extends keyof Usage> = NonNullable<Usage[Key]>;
    type SdkDetails<Key extends keyof OpenAI.CompletionUsage> = NonNullable<OpenAI.CompletionUsage[Key]>;
    expectTypeOf<Undeclared<SdkDetails<"prompt_tokens_details">, Details<"prompt_tokens_details">>>().toBeNever();
    expectTypeOf<
      Undeclared<SdkDetails<"completion_tokens_details">, Details<"completion_tokens_details">>
    >().toBeNever();
    expectTypeOf<Undeclared<OpenAI.Completion, Completion>>().toBeNever();
    expectTypeOf<Undeclared<OpenAI.ImagesResponse, ImagesResponse>>().toBeNever();
    expectTypeOf<Undeclared<OpenAI.Image, Image>>().toBeNever();
    type SdkImagesUsage = NonNullable<OpenAI.ImagesResponse["usage"]>;
    expectTypeOf<Undeclared<SdkImagesUsage, NonNullable<ImagesResponse["usage"]>>>().toBeNever();
  });

  it("legacy completions: OpenAI's params go in, a Completion comes out; a chunk is one but for its null finish_reason", () => {
    expectTypeOf(completionOverloads).toBeFunction();
    expectTypeOf<Completion>().toExtend<OpenAI.Completion>();
    // The package types stream chunks as Completion; OpenAI's API (and this library) sends
    // finish_reason null until a choice's last chunk, and usage null before the usage chunk
    // when it was asked for, which CompletionChunk says.
    expectTypeOf<ChunkAsPackageTypesIt>().toExtend<OpenAI.Completion>();
    expectTypeOf<null>().toExtend<CompletionChunk["choices"][number]["finish_reason"]>();
    expectTypeOf<null>().toExtend<CompletionChunk["usage"]>();
  });
});
