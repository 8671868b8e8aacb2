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

  it("refuses a field it does not know with a 400 naming it", () => {
    for (const field of ["chat_template", "skip_special_tokens", "metadata"]) {
      const error = errorOf(() => openaiBody(request({ [field]: "x" }), ARN, {}), BedrockEdgeError);
      expect(error).toMatchObject({ status: 400, param: field, code: "unsupported_parameter" });
      expect(error.message).toBe(
        `${field} is not a parameter the openai route sends (Chat Completions parameters and Bedrock's for imported ` +
          "models). Remove it, or set drop_params for this model to ignore such parameters.",
      );
    }
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
