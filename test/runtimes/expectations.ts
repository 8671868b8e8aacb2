// The checks every runtime's scenario report must pass, in one place, so a runtime cannot be
// held to a weaker standard than Node. Messages name the runtime: a failure says where.
import { expect } from "vitest";
import type { ScenarioReport } from "./scenario.ts";

const ANSWER = /^Hello from the Bedrock emulator \((llama|r1)\)\. Your prompt had \d+ characters\.$/;
const CONVERSE_ANSWER =
  /^Hello from the Bedrock emulator \(arn:aws:bedrock:us-east-1::foundation-model\/anthropic\.claude-sonnet-4-20250514-v1:0\)\. Your last message had \d+ characters\.$/;

export function expectScenarioPassed(runtime: string, report: ScenarioReport): void {
  const where = (step: string) => `${runtime}: ${step}`;

  expect(report.plain, where("plain call")).not.toHaveProperty("error");
  expect(report.plain, where("plain call")).toMatchObject({
    content: expect.stringMatching(ANSWER),
    reasoning: null,
    finishReason: "stop",
  });
  expect(report.plain, where("plain call usage")).toMatchObject({
    usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) },
  });

  expect(report.stream, where("streamed call")).not.toHaveProperty("error");
  expect(report.stream, where("streamed call")).toMatchObject({
    firstDelta: { role: "assistant", content: "" },
    content: expect.stringMatching(ANSWER),
    reasoning: expect.stringMatching(/\S/),
    finishReason: "stop",
    usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) },
  });
  expect("chunks" in report.stream && report.stream.chunks, where("streamed call chunk count")).toBeGreaterThan(5);

  expect(report.contextLength.error, where("context length error")).toMatchObject({
    name: "BedrockEdgeError",
    status: 400,
    code: "context_length_exceeded",
    bedrockError: "ValidationException",
  });

  // The emulator checks every signature with an independent SigV4 implementation.
  expect(report.badSignature.error, where("bad signature")).toMatchObject({
    status: 401,
    bedrockError: "InvalidSignatureException",
  });

  expect(report.midStream, where("mid-stream exception")).toMatchObject({
    content: expect.stringMatching(/^Hello/),
    finishReason: null,
    error: { name: "BedrockEdgeError", status: 429, bedrockError: "ThrottlingException" },
  });

  expect(report.converse, where("converse")).not.toHaveProperty("error");
  expect(report.converse, where("converse")).toMatchObject({
    plain: {
      content: expect.stringMatching(CONVERSE_ANSWER),
      finishReason: "stop",
      usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) },
    },
    stream: {
      firstDelta: { role: "assistant", content: "" },
      content: expect.stringMatching(CONVERSE_ANSWER),
      finishReason: "stop",
      usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) },
    },
    toolCall: { id: expect.stringMatching(/^tooluse_/), name: "get_weather", finishReason: "tool_calls" },
  });
  if ("toolCall" in report.converse) {
    expect(JSON.parse(report.converse.toolCall.arguments), where("converse tool arguments")).toEqual({ city: "Paris" });
    expect(report.converse.stream.content, where("converse: plain and streamed agree")).toBe(
      report.converse.plain.content,
    );
  }

  expect(report.abort, where("abort")).toMatchObject({ chunksBeforeAbort: 3, error: { name: "AbortError" } });
  if ("cancelledAfter" in report.abort) {
    expect(
      report.abort.cancelledAfter - report.abort.cancelledBefore,
      where("abort reached the emulator (cancelledStreams)"),
    ).toBe(1);
  }
}
