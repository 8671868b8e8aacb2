// The conformance harness itself: it must refuse what the spec refuses, or every conformance
// check built on it would pass vacuously.
import { describe, expect, it } from "vitest";
import { schemaProblems } from "./openapi.ts";

const response = {
  id: "resp_1",
  object: "response",
  created_at: 1,
  status: "completed",
  error: null,
  incomplete_details: null,
  instructions: null,
  model: "m",
  output: [
    {
      type: "message",
      id: "msg_1",
      role: "assistant",
      status: "completed",
      content: [{ type: "output_text", text: "Hi", annotations: [], logprobs: [] }],
    },
  ],
  parallel_tool_calls: true,
  metadata: {},
  temperature: null,
  top_p: null,
  tool_choice: "auto",
  tools: [],
};

const delta = {
  type: "response.output_text.delta",
  item_id: "msg_1",
  output_index: 0,
  content_index: 0,
  delta: "Hi",
  logprobs: [],
  sequence_number: 3,
};

const chunk = {
  id: "c",
  object: "chat.completion.chunk",
  created: 1,
  model: "m",
  choices: [{ index: 0, delta: { content: "Hi" }, finish_reason: null, logprobs: null }],
};

describe("the harness refuses what the spec refuses", () => {
  it("a Response: whole passes; without a required field, or with a wrong status, fails", () => {
    expect(schemaProblems("Response", response)).toEqual([]);
    const { tools: _tools, ...noTools } = response;
    expect(schemaProblems("Response", noTools).join()).toMatch(/must have required property 'tools'/);
    expect(schemaProblems("Response", { ...response, status: "done" }).join()).toMatch(/status/);
    expect(schemaProblems("Response", { ...response, output: [{ type: "message", id: "m" }] })).not.toEqual([]);
  });

  it("a stream event is checked against its own type's schema", () => {
    expect(schemaProblems("ResponseStreamEvent", delta)).toEqual([]);
    const { logprobs: _logprobs, ...noLogprobs } = delta;
    const problems = schemaProblems("ResponseStreamEvent", noLogprobs);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^not a response.output_text.delta event:\n.*required property 'logprobs'/);
    expect(schemaProblems("ResponseStreamEvent", { ...delta, sequence_number: "3" }).join()).toMatch(/integer/);
    expect(schemaProblems("ResponseStreamEvent", { ...delta, type: "response.text.delta" })).toEqual([
      'no stream event type "response.text.delta" in the spec',
    ]);
  });

  it("OpenAPI's nullable is honoured: null passes where the spec allows it, and only there", () => {
    expect(schemaProblems("CreateChatCompletionStreamResponse", chunk)).toEqual([]);
    expect(schemaProblems("CreateChatCompletionStreamResponse", { ...chunk, usage: null })).toEqual([]);
    const bogus = { ...chunk, choices: [{ ...chunk.choices[0], finish_reason: "bogus" }] };
    expect(schemaProblems("CreateChatCompletionStreamResponse", bogus)).not.toEqual([]);
    expect(schemaProblems("CreateChatCompletionStreamResponse", { ...chunk, model: null })).not.toEqual([]);
  });

  it("an error body", () => {
    const body = { error: { message: "m", type: "invalid_request_error", param: null, code: null } };
    expect(schemaProblems("ErrorResponse", body)).toEqual([]);
    expect(schemaProblems("ErrorResponse", { error: { message: "m" } })).not.toEqual([]);
  });
});
