import { describe, expect, it } from "vitest";
import type { ChatCompletionRequest } from "../openai/types.ts";
import { forwardedFields, unsentFields } from "./openai-fields.ts";

const request = {
  model: "vl",
  stream: true,
  stream_options: { include_usage: true },
  drop_params: false,
  messages: [{ role: "user", content: "hi" }],
  n: 2,
  max_tokens: 10,
  logprobs: true,
  top_logprobs: 2,
  top_k: 5,
  structured_outputs: { choice: ["a", "b"] },
  prompt_logprobs: 1,
  reasoning_effort: "low",
  chat_template: "{{ evil }}",
  skip_special_tokens: false,
  user: "u-1",
  metadata: { a: "b" },
  chat_template_kwargs: { enable_thinking: false, chat_template: "x" },
} as ChatCompletionRequest;

describe("the openai route's allow-list", () => {
  it("names, in order, every field it does not send: bedrock-edge's own are not among them", () => {
    expect(unsentFields(request)).toEqual(["chat_template", "skip_special_tokens", "user", "metadata"]);
  });

  it("sends the Chat Completions fields and Bedrock's extensions, with the checked kwargs", () => {
    expect(forwardedFields(request, { enable_thinking: false })).toEqual({
      messages: [{ role: "user", content: "hi" }],
      n: 2,
      max_tokens: 10,
      logprobs: true,
      top_logprobs: 2,
      top_k: 5,
      structured_outputs: { choice: ["a", "b"] },
      prompt_logprobs: 1,
      reasoning_effort: "low",
      chat_template_kwargs: { enable_thinking: false },
    });
  });

  it("leaves chat_template_kwargs out when none is left", () => {
    expect(forwardedFields(request, {})).not.toHaveProperty("chat_template_kwargs");
    expect(forwardedFields(request, undefined)).not.toHaveProperty("chat_template_kwargs");
  });
});
