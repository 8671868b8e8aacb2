// Our Responses shapes against the official `openai` package's types, both ways that matter:
// its typed params go into responses.create() as they are, and our answers and stream events
// are assignable to its types. `output_text` is the SDK's own convenience (it computes it on the
// client from `output`), so it is the one field our answers leave out. Checked by the
// type-checker (npm test runs tsc over this file), against openai 6 (tsconfig.json) and openai 7
// (tsconfig.openai7.json; openai-majors.test.ts).
import type OpenAI from "openai";
import { describe, expectTypeOf, it } from "vitest";
import type { Bedrock, Response, ResponseCreateParams, ResponseStreamEvent } from "../src/index.ts";

type SdkResponse = Omit<OpenAI.Responses.Response, "output_text">;
/** The SDK's event types with the nested response as the wire carries it (no output_text). */
type WireEvent<E> = E extends { response: OpenAI.Responses.Response }
  ? Omit<E, "response"> & { response: SdkResponse }
  : E;
type SdkEvent = WireEvent<OpenAI.Responses.ResponseStreamEvent>;

/** Never called: its body is only type-checked, once per create() overload. */
function overloads(
  bedrock: Bedrock,
  streaming: OpenAI.Responses.ResponseCreateParamsStreaming,
  plain: OpenAI.Responses.ResponseCreateParamsNonStreaming,
) {
  expectTypeOf(bedrock.responses.create(streaming)).resolves.toExtend<AsyncIterable<SdkEvent>>();
  expectTypeOf(bedrock.responses.create(plain)).resolves.toExtend<SdkResponse>();
  expectTypeOf(bedrock.responses.create({ ...plain, stream: undefined })).resolves.toExtend<SdkResponse>();
}

describe("Responses types match the openai package", () => {
  it("a Response is an OpenAI Response (less the SDK's output_text)", () => {
    expectTypeOf<Response>().toExtend<SdkResponse>();
  });

  it("every stream event is an OpenAI stream event", () => {
    expectTypeOf<ResponseStreamEvent>().toExtend<SdkEvent>();
  });

  it("OpenAI's typed params go into each create() overload and come out as OpenAI's results", () => {
    expectTypeOf(overloads).toBeFunction();
    expectTypeOf<OpenAI.Responses.ResponseCreateParams>().toExtend<ResponseCreateParams>();
  });
});
