// The openai route sends Bedrock an allow-list, through the client against the emulator: the
// Chat Completions fields and Bedrock's extensions for imported models go; a client's chat
// template, vLLM's own switches and the template's reserved variables do not.
import { describe, expect, it } from "vitest";
import { BedrockEdgeError, type ChatCompletionCreateParams } from "../src/index.ts";
import { emulatorModelId } from "../emulator/model-id.ts";
import { emulated, model } from "./helpers/emulated.ts";
import { errorOf } from "./helpers/errors.ts";
import { NULL_CHAT_PARAMS } from "./helpers/null-params.ts";

const ECHO = model("openai", "echo");
const hello = [{ role: "user" as const, content: "Hello" }];

function sent(emulator: ReturnType<typeof emulated>["emulator"]): Record<string, unknown> {
  return emulator.stats.lastBody(ECHO.split("/").slice(2).join("/")) as Record<string, unknown>;
}

/** A request with fields outside the SDK's types, as a raw JSON body would carry them. */
function request(fields: Record<string, unknown>, name = ECHO): ChatCompletionCreateParams {
  return { model: name, messages: hello, ...fields } as ChatCompletionCreateParams;
}

describe("what the openai route sends", () => {
  it("the Chat Completions fields and Bedrock's extensions, as asked; not the stream flags, not user", async () => {
    const { bedrock, emulator } = emulated();
    const fields = {
      temperature: 0.5,
      top_p: 0.9,
      top_k: 20,
      n: 2,
      seed: 7,
      max_completion_tokens: 50,
      stop: ["\n\n"],
      logprobs: true,
      top_logprobs: 2,
      prompt_logprobs: 1,
      structured_outputs: { choice: ["yes", "no"] },
      chat_template_kwargs: { enable_thinking: false },
    };
    await bedrock.chat.completions.create(request({ ...fields, user: "user-42" }));
    expect(sent(emulator)).toEqual({
      model: ECHO.split("/").slice(2).join("/"),
      messages: hello,
      ...fields,
    });
  });

  it("streams without stream flags in the body", async () => {
    const { bedrock, emulator } = emulated();
    const stream = await bedrock.chat.completions.create({
      model: ECHO,
      messages: hello,
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const _ of stream);
    expect(Object.keys(sent(emulator)).sort()).toEqual(["messages", "model"]);
  });

  it("no null: OpenAI's nullable parameters and Bedrock's extensions sent as null are not set, plain and streamed", async () => {
    const { bedrock, emulator } = emulated();
    const nulls = { ...NULL_CHAT_PARAMS, top_k: null, structured_outputs: null, prompt_logprobs: null };
    const bare = { model: ECHO.split("/").slice(2).join("/"), messages: hello };
    const completion = await bedrock.chat.completions.create({ ...request(nulls), stream: false });
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    expect(sent(emulator)).toEqual(bare);
    const stream = await bedrock.chat.completions.create({ ...request(nulls), stream: true });
    for await (const _ of stream);
    expect(sent(emulator)).toEqual(bare);
  });
});

describe("what asks for nothing is not sent (specreq6)", () => {
  const bare = { model: ECHO.split("/").slice(2).join("/"), messages: hello };

  it('the no-op values every route accepts: store: false, modalities: ["text"], n: 1, verbosity: "medium"…', async () => {
    const { bedrock, emulator } = emulated();
    const noOps = {
      store: false,
      modalities: ["text"],
      n: 1,
      logprobs: false,
      presence_penalty: 0,
      logit_bias: {},
      parallel_tool_calls: true,
      verbosity: "medium",
      metadata: { a: "b" },
    };
    await bedrock.chat.completions.create(request(noOps));
    expect(sent(emulator)).toEqual(bare);
  });

  it('tool_choice "auto" or "none" with no tools, in chat and the Responses API, where vLLM would refuse it after the call', async () => {
    const { bedrock, emulator } = emulated();
    for (const tool_choice of ["auto", "none"] as const) {
      for (const tools of [undefined, []]) {
        await bedrock.chat.completions.create(request({ tool_choice, tools }));
        expect(sent(emulator)).toEqual(bare);
        // What a Response echoes when the request offered no tools, sent back.
        const response = await bedrock.responses.create({ model: ECHO, input: "Hello", tool_choice, tools });
        expect(response.status).toBe("completed");
        expect(sent(emulator)).not.toHaveProperty("tool_choice");
      }
    }
  });

  it("a forced tool_choice with no tools is a 400 naming tool_choice before any call, as on the other routes", async () => {
    for (const tool_choice of ["required", { type: "function", function: { name: "f" } }]) {
      const { bedrock, emulator } = emulated();
      const error = await errorOf(() => bedrock.chat.completions.create(request({ tool_choice })), BedrockEdgeError);
      expect(error).toMatchObject({ status: 400, param: "tool_choice" });
      expect(emulator.stats.requests).toHaveLength(0);
    }
  });

  it('the Responses API\'s text.verbosity "medium", its default, is served', async () => {
    const { bedrock, emulator } = emulated();
    const response = await bedrock.responses.create({ model: ECHO, input: "Hello", text: { verbosity: "medium" } });
    expect(response.status).toBe("completed");
    expect(sent(emulator)).not.toHaveProperty("verbosity");
    const error = await errorOf(
      () => bedrock.responses.create({ model: ECHO, input: "Hello", text: { verbosity: "low" } }),
      BedrockEdgeError,
    );
    expect(error).toMatchObject({ status: 400, param: "text.verbosity", code: "unsupported_parameter" });
  });
});

describe("what it refuses, naming the field", () => {
  it.each([
    ["chat_template", { chat_template: "{{ messages }}" }],
    ["skip_special_tokens", { skip_special_tokens: false }],
    ["repetition_penalty", { repetition_penalty: 1.2 }],
    ["chat_template_kwargs.chat_template", { chat_template_kwargs: { chat_template: "{{ x }}" } }],
    ["chat_template_kwargs.bos_token", { chat_template_kwargs: { bos_token: "<|im_start|>" } }],
    ["chat_template_kwargs.mode", { chat_template_kwargs: { mode: "unsafe" } }],
  ])("%s", async (param, fields) => {
    const { bedrock, emulator } = emulated();
    const error = await errorOf(() => bedrock.chat.completions.create(request(fields)), BedrockEdgeError);
    expect(error).toMatchObject({ status: 400, param, code: "unsupported_parameter" });
    expect(error.message).toMatch(/Remove it, or set drop_params/);
    expect(emulator.stats.requests).toHaveLength(0);
  });
});

describe("a model's settings", () => {
  it("client_template_kwargs: the variables its own template reads go too", async () => {
    const { bedrock, emulator } = emulated({
      models: { vl: { model: ECHO, client_template_kwargs: ["add_vision_id"] } },
    });
    await bedrock.chat.completions.create(request({ chat_template_kwargs: { add_vision_id: true } }, "vl"));
    expect(sent(emulator).chat_template_kwargs).toEqual({ add_vision_id: true });
  });

  it("drop_params: what would be refused is left out, and the rest sent", async () => {
    const { bedrock, emulator } = emulated({ models: { vl: { model: ECHO, drop_params: true } } });
    const fields = {
      chat_template: "{{ x }}",
      skip_special_tokens: false,
      top_k: 5,
      chat_template_kwargs: { chat_template: "{{ x }}", enable_thinking: true },
    };
    await bedrock.chat.completions.create(request(fields, "vl"));
    const body = sent(emulator);
    expect(body).not.toHaveProperty("chat_template");
    expect(body).not.toHaveProperty("skip_special_tokens");
    expect(body).toMatchObject({ top_k: 5, chat_template_kwargs: { enable_thinking: true } });
  });
});

describe("numbers outside OpenAI's bounds: a 400 naming the field before any call (numbers43)", () => {
  // The legacy Completions of a model whose wire_format carries seed and logit_bias.
  const LEGACY = {
    legacy: { model: `bedrock/qwen3/${emulatorModelId("qwen3")}`, wire_format: "openai_completion" as const },
  };

  it.each([
    ["seed", { seed: 1e308 }],
    ["seed", { seed: 2 ** 53 }],
    ["seed", { seed: -(2 ** 64) }],
    ["logit_bias.50256", { logit_bias: { "50256": 1e308 } }],
    ["logit_bias.13", { logit_bias: { "50256": 1, "13": -1000 } }],
    ["logit_bias.abc", { logit_bias: { abc: 5 } }],
  ])("%s, in chat and legacy Completions", async (param, fields) => {
    const { bedrock, emulator } = emulated({ models: LEGACY });
    const chat = await errorOf(() => bedrock.chat.completions.create(request(fields)), BedrockEdgeError);
    expect(chat).toMatchObject({ status: 400, param });
    const legacy = await errorOf(
      () => bedrock.completions.create({ model: "legacy", prompt: "a", ...fields } as never),
      BedrockEdgeError,
    );
    expect(legacy).toMatchObject({ status: 400, param, message: chat.message });
    expect(emulator.stats.requests).toHaveLength(0);
  });

  it("the largest seed JSON carries exactly, and biases at OpenAI's bounds, are sent as they are", async () => {
    const { bedrock, emulator } = emulated();
    const logit_bias = { "50256": -100, "13": 100 };
    await bedrock.chat.completions.create(request({ seed: Number.MAX_SAFE_INTEGER, logit_bias }));
    expect(sent(emulator)).toMatchObject({ seed: Number.MAX_SAFE_INTEGER, logit_bias });
  });
});
