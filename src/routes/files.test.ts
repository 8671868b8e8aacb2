import { describe, expect, it } from "vitest";
import { errorOf } from "../../test/helpers/errors.ts";
import { BedrockEdgeError } from "../errors.ts";
import type { ChatCompletionRequest } from "../openai/types.ts";
import { routes } from "./all.ts";

const ARN = "arn:aws:bedrock:us-east-1:123456789012:imported-model/abc123def456";
const CLAUDE = "us.anthropic.claude-sonnet-4-20250514-v1:0";
const request: ChatCompletionRequest = {
  model: "m",
  messages: [
    { role: "user", content: "Hi" },
    { role: "assistant", content: "Hello." },
    {
      role: "user",
      content: [
        { type: "text", text: "Summarise this." },
        { type: "file", file: { file_data: "data:application/pdf;base64,JVBERi0xLjQK", filename: "a.pdf" } },
      ],
    },
  ],
};

describe("a file part on a route other than converse", () => {
  for (const route of ["llama", "qwen2", "qwen3", "deepseek_r1", "openai"] as const) {
    it(`is a 400 on the ${route} route, naming the part and the route that takes files`, () => {
      const error = errorOf(() => routes[route].buildBody(request, ARN, {}), BedrockEdgeError);
      expect(error).toMatchObject({ status: 400, param: "messages[2].content[1]" });
      expect(error.message).toBe(
        `messages[2].content[1] is a file, and the ${route} route takes no files: only the converse route does (bedrock/converse/<model-id>, for Bedrock's own models), as Converse documents. Send the file's text instead.`,
      );
    });
  }

  it("is refused before a model's own chat_template renders it", () => {
    const settings = { chat_template: "{% for m in messages %}{{ m.content }}{% endfor %}" };
    const error = errorOf(() => routes.qwen3.buildBody(request, ARN, settings), BedrockEdgeError);
    expect(error.message).toContain("the qwen3 route takes no files");
  });

  it("is a document on the converse route", () => {
    const body = routes.converse.buildBody(request, CLAUDE, {}) as { messages: Array<{ content: unknown[] }> };
    expect(body.messages[2]!.content[1]).toEqual({
      document: { format: "pdf", name: "a", source: { bytes: "JVBERi0xLjQK" } },
    });
  });
});
