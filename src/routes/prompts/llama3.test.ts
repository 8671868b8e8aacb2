// Golden prompts of the Llama 3 instruct chat template. Each expected string is what
// transformers' apply_chat_template(add_generation_prompt=True) renders for the same conversation.
import { describe, expect, it } from "vitest";
import { errorOf } from "../../../test/helpers/errors.ts";
import { user } from "../../../test/helpers/prompts.ts";
import type { ChatMessage, FunctionTool } from "../../openai/types.ts";
import { renderLlama3Prompt } from "./llama3.ts";

const render = (messages: ChatMessage[], tools?: FunctionTool[]) => renderLlama3Prompt({ messages, tools, kwargs: {} });

describe("llama3: system message", () => {
  it("renders a lone user message after <|begin_of_text|>", () => {
    expect(render([user("Hello")])).toBe(
      "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n" +
        "\n" +
        "Hello<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n" +
        "\n",
    );
  });

  it("renders a developer message under the system header", () => {
    expect(render([{ role: "developer", content: "Rules." }, user("Hi")])).toBe(
      "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n" +
        "\n" +
        "Rules.<|eot_id|><|start_header_id|>user<|end_header_id|>\n" +
        "\n" +
        "Hi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n" +
        "\n",
    );
  });
});

describe("llama3: multi-turn", () => {
  it("trims every message", () => {
    const prompt = render([
      { role: "system", content: "  Be brief.\n" },
      user("2+2?"),
      { role: "assistant", content: " 4 " },
      user("\n\nTimes 3?\n"),
    ]);
    expect(prompt).toBe(
      "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n" +
        "\n" +
        "Be brief.<|eot_id|><|start_header_id|>user<|end_header_id|>\n" +
        "\n" +
        "2+2?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n" +
        "\n" +
        "4<|eot_id|><|start_header_id|>user<|end_header_id|>\n" +
        "\n" +
        "Times 3?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n" +
        "\n",
    );
  });

  it("has no <|begin_of_text|> without messages, as the template only prefixes the first one", () => {
    expect(render([])).toBe("<|start_header_id|>assistant<|end_header_id|>\n\n");
  });
});

describe("llama3: unicode", () => {
  it("trims what Python's str.strip() trims: U+0085 and U+3000 go, U+FEFF stays", () => {
    expect(render([user("\u0085\u3000Ça va ? 日本語 👋🏽\u2028\ufeff")])).toBe(
      "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n" +
        "\n" +
        "Ça va ? 日本語 👋🏽\u2028\ufeff<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n" +
        "\n",
    );
  });
});

describe("llama3: errors", () => {
  it("refuses tools: the template has no tool format", () => {
    const tools: FunctionTool[] = [{ type: "function", function: { name: "f" } }];
    expect(errorOf(() => render([user("Hi")], tools))).toMatchObject({
      status: 400,
      param: "tools",
      message: expect.stringContaining("use a chat_template override"),
    });
  });

  it("accepts an empty tools list", () => {
    expect(render([user("Hi")], [])).toContain("Hi<|eot_id|>");
  });

  it("refuses tool calls and tool results in the history", () => {
    const call = { id: "1", type: "function" as const, function: { name: "f", arguments: "{}" } };
    expect(errorOf(() => render([user("Hi"), { role: "assistant", content: null, tool_calls: [call] }]))).toMatchObject(
      {
        status: 400,
        param: "messages[1].tool_calls",
      },
    );
    expect(errorOf(() => render([user("Hi"), { role: "tool", tool_call_id: "1", content: "x" }]))).toMatchObject({
      status: 400,
      param: "messages[1].role",
    });
  });

  it("refuses image parts", () => {
    const messages: ChatMessage[] = [{ role: "user", content: [{ type: "image_url", image_url: { url: "data:," } }] }];
    expect(errorOf(() => render(messages))).toMatchObject({
      status: 400,
      param: "messages[0].content",
      message:
        "messages[0].content has an image, but the llama3 chat template is text-only: " +
        "send text parts only, or use a vision model.",
    });
  });
});
