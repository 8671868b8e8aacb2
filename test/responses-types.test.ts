// Our Responses shapes against the official `openai` package's types, both ways that matter:
// its typed params are accepted by responses.create() as they are, and our answers and stream
// events are assignable to its types. `output_text` is the SDK's own convenience (computed on
// the client from `output`), so it is the one field our answers leave out.
import type OpenAI from "openai";
import { describe, expectTypeOf, it } from "vitest";
import type { Response, ResponseCreateParams, ResponseStreamEvent } from "../src/responses/types.ts";

type SdkResponse = Omit<OpenAI.Responses.Response, "output_text">;
/** The SDK's event types with the nested response as the wire carries it (no output_text). */
type WireEvent<E> = E extends { response: OpenAI.Responses.Response }
  ? Omit<E, "response"> & { response: SdkResponse }
  : E;

describe("Responses types match the openai package", () => {
  it("a Response is an OpenAI Response (less the SDK's output_text)", () => {
    expectTypeOf<Response>().toExtend<SdkResponse>();
  });

  it("every stream event is an OpenAI stream event", () => {
    expectTypeOf<ResponseStreamEvent>().toExtend<WireEvent<OpenAI.Responses.ResponseStreamEvent>>();
  });

  it("OpenAI's typed params are accepted as they are", () => {
    expectTypeOf<OpenAI.Responses.ResponseCreateParamsNonStreaming>().toExtend<ResponseCreateParams>();
    expectTypeOf<OpenAI.Responses.ResponseCreateParamsStreaming>().toExtend<ResponseCreateParams>();
  });
});
