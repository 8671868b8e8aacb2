// What a model's settings allow a request, through the client against the emulator: the caps
// max_n and max_output_tokens on every route, and the template variables a request may set.
import { describe, expect, it } from "vitest";
import { BedrockEdgeError, type ChatCompletionCreateParams } from "../src/index.ts";
import { emulated, model, ROUTE_FORMATS, type RouteName } from "./helpers/emulated.ts";
import { errorOf } from "./helpers/errors.ts";

const hello = [{ role: "user" as const, content: "Hello" }];
const routes = Object.keys(ROUTE_FORMATS) as RouteName[];

function lastBody(emulator: ReturnType<typeof emulated>["emulator"], route: RouteName): Record<string, unknown> {
  return emulator.stats.lastBody(model(route, "echo").split("/").slice(2).join("/")) as Record<string, unknown>;
}

/** The output limit a body carries, in its route's words. */
function outputLimit(route: RouteName, body: Record<string, unknown>): unknown {
  if (route === "openai") return body.max_completion_tokens ?? body.max_tokens;
  if (route === "converse") return (body.inferenceConfig as Record<string, unknown> | undefined)?.maxTokens;
  return body.max_gen_len;
}

async function refusal(promise: Promise<unknown>): Promise<BedrockEdgeError> {
  return errorOf(() => promise, BedrockEdgeError);
}

describe.each(routes)("caps on route %s", (route) => {
  it("max_output_tokens: the cap is the limit when the request sets none, and a larger limit is a 400", async () => {
    const { bedrock, emulator } = emulated({
      models: { capped: { model: model(route, "echo"), max_output_tokens: 64 } },
    });
    await bedrock.chat.completions.create({ model: "capped", messages: hello });
    expect(outputLimit(route, lastBody(emulator, route))).toBe(64);
    await bedrock.chat.completions.create({ model: "capped", messages: hello, max_completion_tokens: 32 });
    expect(outputLimit(route, lastBody(emulator, route))).toBe(32);
    const before = emulator.stats.requests.length;
    const error = await refusal(bedrock.chat.completions.create({ model: "capped", messages: hello, max_tokens: 65 }));
    expect(error).toMatchObject({ status: 400, param: "max_tokens", code: "integer_above_max_value" });
    expect(error.message).toContain("max_output_tokens of 64");
    expect(emulator.stats.requests.length).toBe(before);
  });

  it("max_n: more choices than the cap is a 400 before anything is sent", async () => {
    const { bedrock, emulator } = emulated({ models: { capped: { model: model(route, "echo"), max_n: 1 } } });
    const error = await refusal(bedrock.chat.completions.create({ model: "capped", messages: hello, n: 2 }));
    expect(error).toMatchObject({ status: 400, param: "n", code: "integer_above_max_value" });
    expect(emulator.stats.requests).toHaveLength(0);
  });
});

describe("caps on the legacy Completions API", () => {
  it("hold there too: Completions' default of 16 within the cap, and generations above max_n are a 400 before anything is sent", async () => {
    const { bedrock, emulator } = emulated({
      models: {
        capped: { model: model("qwen3", "echo"), max_n: 2, max_output_tokens: 64 },
        tight: { model: model("qwen3", "echo"), max_output_tokens: 8 },
      },
    });
    // A request that sets no limit has OpenAI's 16 (not the cap, as a chat request would).
    await bedrock.completions.create({ model: "capped", prompt: "Once upon a time" });
    expect(lastBody(emulator, "qwen3").max_gen_len).toBe(16);
    await bedrock.completions.create({ model: "tight", prompt: "Once upon a time" });
    expect(lastBody(emulator, "qwen3").max_gen_len).toBe(8);
    const before = emulator.stats.requests.length;
    const cases: Array<[{ prompt: string | string[]; max_tokens?: number }, string]> = [
      [{ prompt: ["a", "b", "c"] }, "prompt"],
      [{ prompt: "a", max_tokens: 65 }, "max_tokens"],
    ];
    for (const [extra, param] of cases) {
      const error = await refusal(bedrock.completions.create({ model: "capped", ...extra }));
      expect(error).toMatchObject({ status: 400, param, code: "integer_above_max_value" });
    }
    expect(emulator.stats.requests.length).toBe(before);
  });
});

describe("caps on the Responses API", () => {
  it("hold there too, as it is mapped onto chat: max_output_tokens above the cap is a 400", async () => {
    const { bedrock, emulator } = emulated({
      models: { capped: { model: model("qwen3", "echo"), max_output_tokens: 64 } },
    });
    await bedrock.responses.create({ model: "capped", input: "Hello" });
    expect(lastBody(emulator, "qwen3").max_gen_len).toBe(64);
    const error = await refusal(bedrock.responses.create({ model: "capped", input: "Hello", max_output_tokens: 65 }));
    expect(error).toMatchObject({ status: 400, param: "max_output_tokens", code: "integer_above_max_value" });
  });
});

describe("a limit past what the model allows, refused by Bedrock under its body's name (errors4 #4)", () => {
  it("names the request's parameter, not max_gen_len: chat, legacy Completions and Responses", async () => {
    const { bedrock } = emulated();
    const chat = await refusal(
      bedrock.chat.completions.create({ model: model("llama"), messages: hello, max_tokens: 10_000 }),
    );
    // OpenAI's current name on chat, which the caller wrote (codereview11 #5).
    const chatNew = await refusal(
      bedrock.chat.completions.create({ model: model("qwen2"), messages: hello, max_completion_tokens: 10_000 }),
    );
    const completion = await refusal(
      bedrock.completions.create({ model: model("qwen3"), prompt: "Hello", max_tokens: 10_000 }),
    );
    const response = await refusal(
      bedrock.responses.create({ model: model("deepseek_r1"), input: "Hello", max_output_tokens: 10_000 }),
    );
    for (const [error, param] of [
      [chat, "max_tokens"],
      [chatNew, "max_completion_tokens"],
      [completion, "max_tokens"],
      [response, "max_output_tokens"],
    ] as const) {
      expect(error).toMatchObject({ status: 400, param, bedrockError: "ValidationException" });
      expect(error.message).toMatch(
        /^The answer's token limit, 10000, is more than this model allows: 8192 at most\. Bedrock said: .*max_gen_len: 10000 is not less or equal to 8192/,
      );
    }
    // The openai route's body uses the request's own names: Bedrock's refusal already says it.
    const openai = await refusal(
      bedrock.chat.completions.create({ model: model("openai"), messages: hello, max_tokens: 10_000 }),
    );
    expect(openai.message).toMatch(/max_tokens: 10000 is not less or equal to 8192/);
  });
});

describe("the openai route without caps", () => {
  it("sends n and the limit as asked", async () => {
    const { bedrock, emulator } = emulated();
    await bedrock.chat.completions.create({ model: model("openai", "echo"), messages: hello, n: 2, max_tokens: 50 });
    expect(lastBody(emulator, "openai")).toMatchObject({ n: 2, max_tokens: 50 });
  });
});

describe("template variables a request may set", () => {
  it("a built-in template: its own, and a 400 naming any other (dropped with drop_params)", async () => {
    const { bedrock, emulator } = emulated({
      models: {
        lenient: { model: model("qwen3", "echo"), drop_params: true },
        tuned: { model: model("llama", "echo"), template: "qwen3" },
      },
    });
    await bedrock.chat.completions.create({
      model: model("qwen3", "echo"),
      messages: hello,
      chat_template_kwargs: { enable_thinking: false },
    });
    expect(lastBody(emulator, "qwen3").prompt).toMatch(/<think>\n\n<\/think>\n\n$/);

    const error = await refusal(
      bedrock.chat.completions.create({
        model: model("qwen3", "echo"),
        messages: hello,
        chat_template_kwargs: { enable_thinking: false, bos_token: "<|im_start|>" },
      }),
    );
    expect(error).toMatchObject({ status: 400, param: "chat_template_kwargs.bos_token" });

    const other = await refusal(
      bedrock.chat.completions.create({
        model: model("llama", "echo"),
        messages: hello,
        chat_template_kwargs: { x: 1 },
      }),
    );
    expect(other).toMatchObject({ status: 400, param: "chat_template_kwargs.x" });
    expect(other.message).toContain(
      "the llama route's template lets a request set (it takes date_string, tools_in_user_message)",
    );
    // Llama 3.1's custom_tools would offer tools the request does not list: not settable.
    const custom = await refusal(
      bedrock.chat.completions.create({
        model: model("llama", "echo"),
        messages: hello,
        chat_template_kwargs: { custom_tools: [] },
      }),
    );
    expect(custom).toMatchObject({ status: 400, param: "chat_template_kwargs.custom_tools" });
    await bedrock.chat.completions.create({
      model: model("llama", "echo"),
      messages: hello,
      chat_template_kwargs: { date_string: "05 Mar 2025" },
    });
    expect(lastBody(emulator, "llama").prompt).toContain("Today Date: 05 Mar 2025\n");

    await bedrock.chat.completions.create({
      model: "tuned",
      messages: hello,
      chat_template_kwargs: { enable_thinking: false },
    });
    expect(lastBody(emulator, "llama").prompt).toMatch(/<think>\n\n<\/think>\n\n$/);

    await bedrock.chat.completions.create({ model: "lenient", messages: hello, chat_template_kwargs: { mode: "x" } });
    expect(lastBody(emulator, "qwen3").prompt).toMatch(/<\|im_start\|>assistant\n$/);
  });

  it("a custom chat_template: only those the operator declares, never its inputs or special tokens", async () => {
    const chatTemplate =
      "{{ bos_token }}{% for m in messages %}{{ m.content }}{% endfor %}|{{ persona }}|{{ add_generation_prompt }}";
    const { bedrock, emulator } = emulated({
      models: {
        open: {
          model: model("llama", "echo"),
          chat_template: chatTemplate,
          bos_token: "<s>",
          client_template_kwargs: ["persona"],
        },
        closed: { model: model("llama", "echo"), chat_template: chatTemplate, bos_token: "<s>" },
      },
    });
    await bedrock.chat.completions.create({
      model: "open",
      messages: hello,
      chat_template_kwargs: { persona: "pirate" },
    });
    expect(lastBody(emulator, "llama").prompt).toBe("<s>Hello|pirate|true");

    const cases: Array<[string, Record<string, unknown>, string]> = [
      ["open", { bos_token: "" }, "chat_template_kwargs.bos_token"],
      ["open", { add_generation_prompt: false }, "chat_template_kwargs.add_generation_prompt"],
      ["open", { messages: [] }, "chat_template_kwargs.messages"],
      ["closed", { persona: "pirate" }, "chat_template_kwargs.persona"],
    ];
    for (const [name, kwargs, param] of cases) {
      const request: ChatCompletionCreateParams = { model: name, messages: hello, chat_template_kwargs: kwargs };
      expect(await refusal(bedrock.chat.completions.create(request)), param).toMatchObject({ status: 400, param });
    }
  });
});

// The request's drop_params wins over the model's (docs/LIBRARY-REFERENCE.md, "Parameters"), for template variables as
// for every other parameter, on each API a chat model answers.
const kwargs = { some_flag: true, enable_thinking: false };

function dropSettings(route: RouteName, drop: boolean | undefined) {
  return { models: { m: { model: model(route, "echo"), ...(drop === undefined ? {} : { drop_params: drop }) } } };
}

describe.each(routes)("a request's drop_params and template variables on route %s", (route) => {
  const param = route === "converse" ? "chat_template_kwargs" : "chat_template_kwargs.some_flag";

  it("drop_params: true drops a variable the template does not take, on a model that refuses it", async () => {
    const { bedrock, emulator } = emulated(dropSettings(route, undefined));
    const chat = { model: "m", messages: hello, chat_template_kwargs: kwargs };
    expect(await refusal(bedrock.chat.completions.create(chat))).toMatchObject({ status: 400, param });

    await bedrock.chat.completions.create({ ...chat, drop_params: true });
    expect(JSON.stringify(lastBody(emulator, route))).not.toContain("some_flag");
    // What the template does take is still honoured.
    if (route === "qwen3") expect(lastBody(emulator, route).prompt).toMatch(/<think>\n\n<\/think>\n\n$/);

    emulator.stats.reset();
    // Fields the Responses API does not name go on to the chat request (responses/to-chat.ts).
    const responses = { model: "m", input: "Hello", chat_template_kwargs: kwargs, drop_params: true };
    await bedrock.responses.create(responses);
    expect(JSON.stringify(lastBody(emulator, route))).not.toContain("some_flag");
  });

  it("drop_params: false refuses it on a model that drops", async () => {
    const { bedrock, emulator } = emulated(dropSettings(route, true));
    await bedrock.chat.completions.create({ model: "m", messages: hello, chat_template_kwargs: kwargs });
    expect(JSON.stringify(lastBody(emulator, route))).not.toContain("some_flag");
    emulator.stats.reset();

    const chat = { model: "m", messages: hello, chat_template_kwargs: kwargs, drop_params: false };
    expect(await refusal(bedrock.chat.completions.create(chat))).toMatchObject({ status: 400, param });
    const responses = { model: "m", input: "Hello", chat_template_kwargs: kwargs, drop_params: false };
    expect(await refusal(bedrock.responses.create(responses))).toMatchObject({ status: 400, param });
    expect(emulator.stats.requests).toHaveLength(0);
  });
});

// converse takes conversations only: no raw prompt to test there.
describe.each(routes.filter((route) => route !== "converse"))("a request's drop_params on route %s", (route) => {
  it("legacy completions: chat_template_kwargs is not theirs, and the request's flag wins", async () => {
    const strict = emulated(dropSettings(route, undefined));
    const asked = { model: "m", prompt: "Hello", chat_template_kwargs: kwargs };
    expect(await refusal(strict.bedrock.completions.create(asked))).toMatchObject({
      status: 400,
      param: "chat_template_kwargs",
    });
    await strict.bedrock.completions.create({ ...asked, drop_params: true });
    expect(JSON.stringify(lastBody(strict.emulator, route))).not.toContain("some_flag");

    const lenient = emulated(dropSettings(route, true));
    await lenient.bedrock.completions.create(asked);
    const refused = await refusal(lenient.bedrock.completions.create({ ...asked, drop_params: false }));
    expect(refused).toMatchObject({ status: 400, param: "chat_template_kwargs" });
  });
});

describe("a cap no request could reach (numbers43 #3)", () => {
  it("max_output_tokens past a request's 1,000,000 is refused when the client is made, naming it", () => {
    for (const max_output_tokens of [2_000_000, 1e308]) {
      expect(() => emulated({ models: { capped: { model: model("openai", "echo"), max_output_tokens } } })).toThrow(
        /^models\["capped"\]\.max_output_tokens: max_output_tokens must be a whole number of tokens, at least 1, at most 1000000 \(as max_tokens\)/,
      );
    }
  });
});
