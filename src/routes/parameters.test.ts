// What template routes do with the parameters they cannot carry: ignore what cannot change the
// answer, refuse the rest by name with what to do instead, drop it under drop_params.
import { describe, expect, it } from "vitest";
import { errorOf } from "../../test/helpers/errors.ts";
import { BedrockEdgeError } from "../errors.ts";
import { FOREIGN_FIELDS } from "../openai/foreign-fields.ts";
import type { ChatCompletionRequest } from "../openai/types.ts";
import { routes } from "./all.ts";

const ARN = "arn:aws:bedrock:us-east-1:123456789012:imported-model/abc123def456";
const base: ChatCompletionRequest = { model: "m", messages: [{ role: "user", content: "Hi" }] };
type Extra = Partial<ChatCompletionRequest> & Record<string, unknown>;

const templateRoutes = ["deepseek_r1", "llama", "qwen3", "qwen2"] as const;

const refusal = (run: () => unknown) => errorOf(run, BedrockEdgeError);

describe("parameters that cannot change the answer", () => {
  const ignorable: Extra = {
    store: false,
    metadata: { team: "a" },
    user: "u-1",
    // The tier an imported model is always served in (the others: "a tier an imported model does not have").
    service_tier: "default",
    parallel_tool_calls: true,
    modalities: ["text"],
    prompt_cache_key: "k",
    prompt_cache_retention: "24h",
    safety_identifier: "hash",
    prediction: { type: "content", content: "x" },
  };

  it.each([...templateRoutes, "converse"] as const)(
    '%s: takes verbosity "medium", OpenAI\'s default, as the no-op it is; low and high stay refused (specreq6 #4)',
    (route) => {
      const modelId = route === "converse" ? "meta.llama3-1-70b-instruct-v1:0" : ARN;
      const body = (extra: Extra) =>
        routes[route].buildBody({ ...base, ...extra } as ChatCompletionRequest, modelId, {});
      expect(body({ verbosity: "medium" })).toEqual(body({}));
      for (const verbosity of ["low", "high"]) {
        expect(refusal(() => body({ verbosity }))).toMatchObject({ param: "verbosity", code: "unsupported_parameter" });
      }
    },
  );

  it.each(templateRoutes)("%s: accepts and ignores them, the body is what it would be without", (route) => {
    const withThem = routes[route].buildBody({ ...base, ...ignorable }, ARN, {});
    expect(withThem).toEqual(routes[route].buildBody(base, ARN, {}));
  });

  it.each([...templateRoutes, "openai"] as const)(
    "%s: a tier an imported model does not have is refused by name, dropped under drop_params; auto and default are served as ever",
    (route) => {
      const body = (extra: Extra) => routes[route].buildBody({ ...base, ...extra } as ChatCompletionRequest, ARN, {});
      for (const service_tier of ["auto", "default", null]) expect(body({ service_tier })).toEqual(body({}));
      for (const service_tier of ["flex", "priority", "fast", "scale"]) {
        const error = refusal(() => body({ service_tier }));
        expect(error).toMatchObject({ status: 400, param: "service_tier", code: "unsupported_parameter" });
        expect(error.message).toContain("which an imported model does not have");
        expect(error.message).toContain(`(route ${route})`);
        expect(body({ service_tier, drop_params: true })).toEqual(body({}));
        expect(
          routes[route].buildBody({ ...base, service_tier } as ChatCompletionRequest, ARN, { drop_params: true }),
        ).toEqual(body({}));
      }
      // A value that names no tier is a wrong value, not a parameter to drop.
      for (const drop_params of [false, true]) {
        expect(refusal(() => body({ service_tier: "turbo", drop_params }))).toMatchObject({
          param: "service_tier",
          message: expect.stringContaining('service_tier must be one of "auto", "default", "flex"'),
        });
      }
    },
  );

  it.each(["deepseek_r1", "llama", "qwen2"] as const)(
    "%s: ignores reasoning_effort, which the model cannot act on",
    (route) => {
      for (const effort of ["none", "minimal", "high"] as const) {
        expect(routes[route].buildBody({ ...base, reasoning_effort: effort }, ARN, {})).toEqual(
          routes[route].buildBody(base, ARN, {}),
        );
      }
    },
  );
});

describe("qwen3's reasoning_effort", () => {
  const prompt = (extra: Extra) => String(routes.qwen3.buildBody({ ...base, ...extra }, ARN, {}).prompt);

  it('switches thinking off for "none" and "minimal" (Qwen3 cannot think a little), as enable_thinking: false does', () => {
    const off = prompt({ chat_template_kwargs: { enable_thinking: false } });
    expect(off.endsWith("<|im_start|>assistant\n<think>\n\n</think>\n\n")).toBe(true);
    expect(prompt({ reasoning_effort: "none" })).toBe(off);
    expect(prompt({ reasoning_effort: "minimal" })).toBe(off);
  });

  it("leaves thinking on for the other efforts, and null means unset", () => {
    for (const effort of ["low", "medium", "high", "xhigh", "max", null] as const)
      expect(prompt({ reasoning_effort: effort })).toBe(prompt({}));
  });

  it("refuses a contradiction with chat_template_kwargs.enable_thinking", () => {
    const error = refusal(() =>
      routes.qwen3.buildBody(
        { ...base, reasoning_effort: "none", chat_template_kwargs: { enable_thinking: true } },
        ARN,
        {},
      ),
    );
    expect(error).toMatchObject({ status: 400, param: "reasoning_effort" });
    expect(error.message).toContain("chat_template_kwargs.enable_thinking");
    expect(prompt({ reasoning_effort: "high", chat_template_kwargs: { enable_thinking: true } })).toBe(prompt({}));
  });

  it("describes a contradicting value of any shape by its kind, even one whose toString is not a function (fuzz2 #1)", () => {
    const message = (enable_thinking: unknown) =>
      refusal(() =>
        routes.qwen3.buildBody(
          { ...base, reasoning_effort: "low", chat_template_kwargs: { enable_thinking } },
          ARN,
          {},
        ),
      ).message;
    expect(message(JSON.parse('{"toString":1}'))).toBe(
      'reasoning_effort "low" contradicts chat_template_kwargs.enable_thinking: an object; give one of them.',
    );
    expect(message(JSON.parse('[{"toString":1}]'))).toContain("enable_thinking: an array;");
    expect(message("no")).toContain('enable_thinking: "no";');
  });
});

describe("refusals", () => {
  it("name the parameter, say why this route cannot honour it and what the caller can do", () => {
    const seed = refusal(() => routes.qwen2.buildBody({ ...base, seed: 7 }, ARN, {}));
    expect(seed).toMatchObject({ status: 400, param: "seed", code: "unsupported_parameter" });
    expect(seed.message).toBe(
      "seed is not in Bedrock's completion format, which this route sends (route qwen2). Remove it, or set " +
        "drop_params: true (in the request, or for the model) to ignore parameters this route cannot honour, " +
        'or use the model\'s wire_format "openai_completion", which honours it.',
    );
  });

  it("call OpenAI's own parameters by what they are, and only unknown fields unknown", () => {
    for (const extra of [{ seed: 1 }, { store: true }, { verbosity: "high" }, { n: 2 }] as Extra[]) {
      expect(refusal(() => routes.llama.buildBody({ ...base, ...extra }, ARN, {})).message).not.toContain(
        "not a Chat Completions parameter",
      );
    }
    expect(
      refusal(() => routes.llama.buildBody({ ...base, ...({ tempreature: 1 } as Extra) }, ARN, {})).message,
    ).toMatch(/^tempreature is not a Chat Completions parameter \(route llama\)\. Remove it/);
  });

  it("say store: true cannot work because this server keeps nothing", () => {
    expect(refusal(() => routes.deepseek_r1.buildBody({ ...base, store: true }, ARN, {})).message).toMatch(
      /^store cannot be true: this server keeps nothing/,
    );
  });
});

describe("drop_params", () => {
  const unhonourable: Extra = { n: 2, seed: 1, presence_penalty: 1, store: true, verbosity: "low" };

  it("in the request drops what would be refused, and never reaches the body", () => {
    const body = routes.qwen3.buildBody({ ...base, ...unhonourable, drop_params: true }, ARN, {});
    expect(body).toEqual(routes.qwen3.buildBody(base, ARN, {}));
    expect(body).not.toHaveProperty("drop_params");
  });

  it("of the request overrides the model's, both ways", () => {
    expect(
      routes.qwen3.buildBody({ ...base, seed: 1, drop_params: true }, ARN, { drop_params: false }),
    ).not.toHaveProperty("seed");
    expect(
      refusal(() => routes.qwen3.buildBody({ ...base, seed: 1, drop_params: false }, ARN, { drop_params: true })).param,
    ).toBe("seed");
  });

  it("is never sent upstream by the openai route, which refuses store: true unless dropping", () => {
    const body = routes.openai.buildBody(
      { ...base, drop_params: false, metadata: { a: "b" } } as ChatCompletionRequest,
      ARN,
      {},
    );
    // metadata is accepted there too, and, as on every route, not sent: it cannot change the answer.
    expect(body).toEqual({ model: ARN, messages: base.messages });
    expect(refusal(() => routes.openai.buildBody({ ...base, store: true }, ARN, {})).param).toBe("store");
    expect(routes.openai.buildBody({ ...base, store: true, drop_params: true }, ARN, {})).toEqual({
      model: ARN,
      messages: base.messages,
    });
    // store: false asks for nothing: accepted, and not sent (docs/SECURITY.md, "What the openai route sends").
    expect(routes.openai.buildBody({ ...base, store: false }, ARN, {})).not.toHaveProperty("store");
  });
});

describe("the converse route takes the server-wide part", () => {
  const LLAMA = "meta.llama3-1-70b-instruct-v1:0";
  const converse = (extra: Extra, settings = {}) =>
    routes.converse.buildBody({ ...base, ...extra } as ChatCompletionRequest, LLAMA, settings);

  it("ignores what cannot change the answer, as the template routes do", () => {
    // service_tier "auto" asks for the model's own tier, of which this one has none (request.test.ts has the others).
    const ignorable: Extra = { store: false, metadata: { team: "a" }, service_tier: "auto", prompt_cache_key: "k" };
    expect(converse(ignorable)).toEqual(converse({}));
  });

  it("refuses what no route can do, and unknown fields, in the same words; drop_params in the request drops them", () => {
    expect(refusal(() => converse({ store: true })).message).toMatch(
      /^store cannot be true: this server keeps nothing.*\(route converse\)\. Remove it, or set drop_params: true/,
    );
    expect(refusal(() => converse({ tempreature: 1 })).message).toMatch(
      /^tempreature is not a Chat Completions parameter/,
    );
    expect(converse({ store: true, seed: 3, drop_params: true })).toEqual(converse({}));
  });
});

describe("fields of another API's request that it does not have (openai/foreign-fields.ts)", () => {
  const fromResponses = (extra: Extra, fields: string[]) =>
    Object.assign({ ...base, ...extra }, { [FOREIGN_FIELDS]: { api: "Responses API", fields } });

  it.each(["llama", "openai", "converse"] as const)(
    "%s: refused first, by name, in that API's words; dropped under drop_params",
    (route) => {
      const model = route === "converse" ? "meta.llama3-1-70b-instruct-v1:0" : ARN;
      const request = fromResponses({ temperature: 0.5, store: true }, ["stop", "surprise"]);
      const error = refusal(() => routes[route].buildBody(request, model, {}));
      expect(error).toMatchObject({ status: 400, param: "stop", code: "unsupported_parameter" });
      expect(error.message).toBe(
        `stop is not a Responses API parameter (route ${route}). Remove it, or set drop_params: true (in the request, or for the model) to ignore parameters this route cannot honour.`,
      );
      const dropped = routes[route].buildBody(request, model, { drop_params: true });
      expect(dropped).toEqual(routes[route].buildBody({ ...base, temperature: 0.5 }, model, {}));
    },
  );
});

describe("what the model's wire_format carries is honoured, not refused", () => {
  const carried: Extra = {
    n: 2,
    seed: 1,
    presence_penalty: 0.5,
    frequency_penalty: 0.5,
    logprobs: true,
    top_logprobs: 2,
    logit_bias: { "5": 1 },
    structured_outputs: { choice: ["a", "b"] },
  };

  it.each(templateRoutes)("%s: openai_completion sends them, bedrock_completion refuses each by name", (route) => {
    const body = routes[route].buildBody({ ...base, ...carried }, ARN, { wire_format: "openai_completion" });
    expect(body).toMatchObject({
      n: 2,
      seed: 1,
      presence_penalty: 0.5,
      frequency_penalty: 0.5,
      logprobs: 2,
      logit_bias: { "5": 1 },
      structured_outputs: { choice: ["a", "b"] },
    });
    for (const [param, value] of Object.entries(carried)) {
      const ask = param === "top_logprobs" ? { logprobs: true, top_logprobs: value } : { [param]: value };
      const error = refusal(() => routes[route].buildBody({ ...base, ...ask } as ChatCompletionRequest, ARN, {}));
      expect(error).toMatchObject({ status: 400, param: param === "top_logprobs" ? "logprobs" : param });
      expect(error.message).toContain('wire_format "openai_completion"');
    }
  });

  it("the server-wide rules hold on either format", () => {
    const settings = { wire_format: "openai_completion" as const };
    expect(refusal(() => routes.qwen3.buildBody({ ...base, store: true }, ARN, settings)).param).toBe("store");
    expect(refusal(() => routes.qwen3.buildBody({ ...base, parallel_tool_calls: false }, ARN, settings)).param).toBe(
      "parallel_tool_calls",
    );
  });
});
