import { describe, expect, it } from "vitest";
import { errorOf } from "../../test/helpers/errors.ts";
import { BedrockEdgeError } from "../errors.ts";
import type { ChatCompletionRequest } from "../openai/types.ts";
import { openaiBody } from "./openai-fields.ts";

const ARN = "arn:aws:bedrock:us-east-1:123456789012:imported-model/vl";

/** A request as a raw JSON body may carry it, fields outside the types included. */
function request(fields: Record<string, unknown>): ChatCompletionRequest {
  return { model: "vl", messages: [{ role: "user", content: "hi" }], ...fields } as ChatCompletionRequest;
}

describe("openaiBody", () => {
  it("sends the request schema's fields and Bedrock's extensions, the ARN as the model, and nothing of its own", () => {
    const fields = {
      n: 2,
      max_tokens: 10,
      logprobs: true,
      top_logprobs: 2,
      top_k: 5,
      structured_outputs: { choice: ["a", "b"] },
      prompt_logprobs: 1,
      reasoning_effort: "low",
      chat_template_kwargs: { enable_thinking: false },
    };
    const all = { stream: true, stream_options: { include_usage: true }, drop_params: false, user: "u-1", ...fields };
    expect(openaiBody(request(all), ARN, {})).toEqual({
      messages: [{ role: "user", content: "hi" }],
      ...fields,
      model: ARN,
    });
  });

  it("refuses a field it does not know with a 400 naming it, as every route does", () => {
    for (const field of ["chat_template", "skip_special_tokens", "x".repeat(100)]) {
      const error = errorOf(() => openaiBody(request({ [field]: "x" }), ARN, {}), BedrockEdgeError);
      const named = field.slice(0, 64);
      expect(error).toMatchObject({ status: 400, param: named, code: "unsupported_parameter" });
      // The message shows a name whole or tells its length, never a part of it (secrets46 #1).
      const shown = field.length > 64 ? `a name of ${field.length} characters` : field;
      expect(error.message).toBe(
        `${shown} is not a Chat Completions parameter (route openai). Remove it, or set drop_params: true (in the ` +
          "request, or for the model) to ignore parameters this route cannot honour.",
      );
    }
  });

  it("refuses what no route can do, and accepts but does not send what cannot change the answer", () => {
    for (const [fields, param] of [
      [{ store: true }, "store"],
      [{ audio: { voice: "alloy" } }, "audio"],
      [{ web_search_options: {} }, "web_search_options"],
      [{ functions: [{ name: "f" }] }, "functions"],
    ] as const) {
      expect(errorOf(() => openaiBody(request(fields), ARN, {}), BedrockEdgeError).param).toBe(param);
    }
    const neutral = { metadata: { a: "b" }, service_tier: "auto", prompt_cache_key: "k", safety_identifier: "s" };
    expect(openaiBody(request(neutral), ARN, {})).toEqual({ messages: [{ role: "user", content: "hi" }], model: ARN });
  });

  it("accepts the no-op values every route accepts, and does not send them (specreq6 #5)", () => {
    const noOps = {
      n: 1,
      logprobs: false,
      top_logprobs: 0,
      presence_penalty: 0,
      frequency_penalty: 0,
      logit_bias: {},
      parallel_tool_calls: true,
      store: false,
      modalities: ["text"],
      verbosity: "medium",
    };
    expect(openaiBody(request(noOps), ARN, {})).toEqual({ messages: [{ role: "user", content: "hi" }], model: ARN });
    // The same fields asking for something go, or are refused by name.
    const asking = { n: 2, logprobs: true, top_logprobs: 1, presence_penalty: 0.5, logit_bias: { "1": 2 } };
    expect(openaiBody(request(asking), ARN, {})).toMatchObject(asking);
    for (const [field, value] of [
      ["store", true],
      ["modalities", ["text", "audio"]],
      ["verbosity", "low"],
    ] as const) {
      expect(errorOf(() => openaiBody(request({ [field]: value }), ARN, {}), BedrockEdgeError).param).toBe(field);
    }
  });

  it("with no tools, sends no tool_choice of auto or none and refuses a forced one before any call (specreq6 #3)", () => {
    const hi = { messages: [{ role: "user", content: "hi" }], model: ARN };
    for (const tools of [undefined, []]) {
      for (const tool_choice of ["auto", "none"]) {
        expect(openaiBody(request({ tools, tool_choice }), ARN, {})).toEqual(hi);
      }
      for (const tool_choice of ["required", { type: "function", function: { name: "f" } }]) {
        const error = errorOf(() => openaiBody(request({ tools, tool_choice }), ARN, {}), BedrockEdgeError);
        expect(error).toMatchObject({ status: 400, param: "tool_choice" });
      }
    }
    const tools = [{ type: "function", function: { name: "f" } }];
    for (const tool_choice of ["auto", "none", "required", { type: "function", function: { name: "f" } }]) {
      expect(openaiBody(request({ tools, tool_choice }), ARN, {})).toEqual({ ...hi, tools, tool_choice });
    }
    const unknown = { type: "function", function: { name: "g" } };
    expect(errorOf(() => openaiBody(request({ tools, tool_choice: unknown }), ARN, {}), BedrockEdgeError).param).toBe(
      "tool_choice",
    );
  });

  it("takes the request's drop_params over the model's, both ways", () => {
    expect(openaiBody(request({ chat_template: "x", drop_params: true }), ARN, { drop_params: false })).toEqual({
      messages: [{ role: "user", content: "hi" }],
      model: ARN,
    });
    const error = errorOf(
      () => openaiBody(request({ chat_template: "x", drop_params: false }), ARN, { drop_params: true }),
      BedrockEdgeError,
    );
    expect(error.param).toBe("chat_template");
  });

  it("with drop_params, leaves out what it would refuse, template variables included", () => {
    const body = openaiBody(
      request({ chat_template: "x", top_k: 3, chat_template_kwargs: { chat_template: "x", thinking: true } }),
      ARN,
      { drop_params: true },
    );
    expect(body).toEqual({
      messages: [{ role: "user", content: "hi" }],
      top_k: 3,
      chat_template_kwargs: { thinking: true },
      model: ARN,
    });
  });

  it("takes the model's client_template_kwargs, and leaves out kwargs when none is left", () => {
    const settings = { client_template_kwargs: ["add_vision_id"] };
    expect(openaiBody(request({ chat_template_kwargs: { add_vision_id: true } }), ARN, settings)).toMatchObject({
      chat_template_kwargs: { add_vision_id: true },
    });
    expect(openaiBody(request({ chat_template_kwargs: { x: 1 } }), ARN, { drop_params: true })).not.toHaveProperty(
      "chat_template_kwargs",
    );
  });
});
