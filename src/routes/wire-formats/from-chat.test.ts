import { describe, expect, it } from "vitest";
import { errorOf } from "../../../test/helpers/errors.ts";
import { BedrockEdgeError } from "../../errors.ts";
import type { ChatCompletionRequest } from "../../openai/types.ts";
import { DEFAULT_OPENAI_COMPLETION_MAX_TOKENS, textRequestFromChat } from "./from-chat.ts";
import { wireFormats } from "./index.ts";

const base: ChatCompletionRequest = { model: "m", messages: [{ role: "user", content: "Hi" }] };

describe("a chat request in a prompt format's words", () => {
  it("carries every ask under the Completions API's names", () => {
    const text = textRequestFromChat(
      {
        ...base,
        max_completion_tokens: 20,
        max_tokens: 10,
        temperature: 0.3,
        top_p: 0.8,
        top_k: 5,
        stop: "END",
        n: 3,
        seed: 9,
        presence_penalty: 0.5,
        frequency_penalty: -0.5,
        logit_bias: { "7": 1 },
        logprobs: true,
        top_logprobs: 4,
        response_format: { type: "json_object" },
        structured_outputs: { regex: "[a-z]+" },
      },
      "PROMPT",
      ["aW1n"],
      wireFormats.openai_completion,
    );
    expect(text).toEqual({
      prompt: "PROMPT",
      max_tokens: 20,
      temperature: 0.3,
      top_p: 0.8,
      top_k: 5,
      stop: ["END"],
      n: 3,
      seed: 9,
      presence_penalty: 0.5,
      frequency_penalty: -0.5,
      logit_bias: { "7": 1 },
      logprobs: 4,
      response_format: { type: "json_object" },
      structured_outputs: { regex: "[a-z]+" },
      images: ["aW1n"],
    });
  });

  it("leaves out what asks for nothing; only OpenAICompletion needs a limit of its own", () => {
    const noOps = {
      ...base,
      n: 1,
      presence_penalty: 0,
      logit_bias: {},
      logprobs: false,
      response_format: { type: "text" as const },
    };
    expect(textRequestFromChat(noOps, "P", [], wireFormats.bedrock_completion)).toEqual({ prompt: "P" });
    expect(textRequestFromChat(noOps, "P", [], wireFormats.openai_completion)).toEqual({
      prompt: "P",
      max_tokens: DEFAULT_OPENAI_COMPLETION_MAX_TOKENS,
    });
    expect(textRequestFromChat({ ...base, logprobs: true }, "P", [], wireFormats.openai_completion).logprobs).toBe(0);
  });

  it("refuses top_logprobs without logprobs, as OpenAI does", () => {
    const error = errorOf(
      () => textRequestFromChat({ ...base, top_logprobs: 2 }, "P", [], wireFormats.openai_completion),
      BedrockEdgeError,
    );
    expect(error).toMatchObject({ status: 400, param: "top_logprobs" });
  });
});
