// Our Responses shapes against the official `openai` package's types, both ways that matter:
// its typed params go into responses.create() as they are, and our answers and stream events
// are assignable to its types, `output_text` included (the SDK computes it on the client from
// `output`, and so does responses.create()); the wire form, responseBody(), is the API's JSON,
// without it. Checked by the type-checker (npm test runs tsc over this file), against openai 6
// (tsconfig.json) and openai 7 (tsconfig.openai7.json; openai-majors.test.ts).
import type OpenAI from "openai";
import { describe, expectTypeOf, it } from "vitest";
import type { Bedrock, Response, ResponseBody, ResponseCreateParams, ResponseStreamEvent } from "../src/index.ts";

type SdkResponse = OpenAI.Responses.Response;
type SdkEvent = OpenAI.Responses.ResponseStreamEvent;

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

/**
 * Never called: service_tier typed as chat's, as the check on every route takes it (and openai 7's
 * "ultrafast", a 400 at run time, so that its typed params compile): a typo fails to compile.
 */
function checkedServiceTier(bedrock: Bedrock) {
  const accepted: ResponseCreateParams[] = [
    { model: "m", input: "Hi", service_tier: "priority" },
    { model: "m", input: "Hi", service_tier: "fast" },
    { model: "m", input: "Hi", service_tier: null },
  ];
  const refused: ResponseCreateParams[] = [
    // @ts-expect-error a misspelt tier
    { model: "m", input: "Hi", service_tier: "prioirty" },
    // @ts-expect-error a tier as a number
    { model: "m", input: "Hi", service_tier: 1 },
  ];
  return [...accepted, ...refused].map((request) => bedrock.responses.create(request));
}

describe("Responses types match the openai package", () => {
  it("a Response is an OpenAI Response, output_text included; its wire form is one less output_text", () => {
    expectTypeOf<Response>().toExtend<SdkResponse>();
    expectTypeOf<Response["output_text"]>().toEqualTypeOf<SdkResponse["output_text"]>();
    expectTypeOf<ResponseBody>().toExtend<Omit<SdkResponse, "output_text">>();
    expectTypeOf<keyof Response>().toEqualTypeOf<keyof ResponseBody | "output_text">();
  });

  it("every stream event is an OpenAI stream event", () => {
    expectTypeOf<ResponseStreamEvent>().toExtend<SdkEvent>();
  });

  it("OpenAI's typed params go into each create() overload and come out as OpenAI's results", () => {
    expectTypeOf(overloads).toBeFunction();
    expectTypeOf<OpenAI.Responses.ResponseCreateParams>().toExtend<ResponseCreateParams>();
  });

  it("types service_tier as the check takes it, as chat's: a misspelt tier fails to compile", () => {
    expectTypeOf(checkedServiceTier).toBeFunction();
  });
});
