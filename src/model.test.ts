import type * as v from "valibot";
import { describe, expect, it } from "vitest";
import { errorOf } from "../test/helpers/errors.ts";
import type { Equal } from "../test/helpers/type-equal.ts";
import { BedrockEdgeError } from "./errors.ts";
import type {
  DeploymentConfig,
  deploymentConfigSchema,
  RoutedModelConfig,
  routedModelConfigSchema,
} from "./deployments.ts";
import {
  deploymentsOf,
  type ModelConfig,
  type ModelEntry,
  type modelConfigSchema,
  parseModels,
  parseModelString,
} from "./model.ts";
import { ANSWER_TOKENS_AFTER_THINKING } from "./routes/converse/thinking-tokens.ts";
import { routeEntries } from "./routes/index.ts";

const ARN = "arn:aws:bedrock:us-east-1:123456789012:imported-model/abc123def456";

describe("model strings", () => {
  it("take bedrock/<route>/<id>, the prefix optional", () => {
    expect(parseModelString(`bedrock/deepseek_r1/${ARN}`)).toEqual({ route: "deepseek_r1", modelId: ARN });
    expect(parseModelString(`qwen3/${ARN}`)).toEqual({ route: "qwen3", modelId: ARN });
  });

  it("take bedrock/openai/<region>/<arn>", () => {
    expect(parseModelString(`bedrock/openai/us-east-1/${ARN}`)).toEqual({
      route: "openai",
      modelId: ARN,
      region: "us-east-1",
    });
    expect(parseModelString(`bedrock/openai/${ARN}`)).toEqual({ route: "openai", modelId: ARN });
  });

  it("take a <region>/ segment on every route, before every shape of model id", () => {
    const ids = [
      ARN,
      "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-20250514-v1:0",
      "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0",
      "us.anthropic.claude-sonnet-4-20250514-v1:0",
      "amazon.nova-pro-v1:0",
      "my-imported_model-1",
    ];
    for (const route of Object.keys(routeEntries) as (keyof typeof routeEntries)[]) {
      for (const modelId of ids) {
        expect(parseModelString(`bedrock/${route}/us-east-1/${modelId}`), `${route} ${modelId}`).toEqual({
          route,
          modelId,
          region: "us-east-1",
        });
        expect(parseModelString(`${route}/${modelId}`)).toEqual({ route, modelId });
      }
    }
  });

  it("refuse a region segment that is no region, naming it", () => {
    for (const [bad, region] of [
      [`bedrock/llama/eu-west-1x/${ARN}`, "eu-west-1x"],
      ["bedrock/converse/imported-model/abc", "imported-model"],
      ["bedrock/qwen3/us-east-1.evil.example/x", "us-east-1.evil.example"],
    ] as const) {
      const error = errorOf(() => parseModelString(bad), BedrockEdgeError);
      expect(error, bad).toMatchObject({ status: 400, param: "region" });
      expect(error.message, bad).toBe(`"${region}" is not an AWS region (expected e.g. us-east-1).`);
    }
  });

  it("refuse a slash left in a model id that is no ARN, after a region segment or without one", () => {
    for (const bad of [
      "bedrock/qwen3/us-east-1/a/b",
      "bedrock/converse/us-east-1/anthropic/claude-sonnet-4",
      "bedrock/llama/eu-west-1/my-model/",
    ]) {
      const error = errorOf(() => parseModelString(bad), BedrockEdgeError);
      expect(error, bad).toMatchObject({ status: 400, param: "model" });
      expect(error.message, bad).toBe(
        'The model id must be 1-2048 letters, digits or :._/+-, the first a letter or digit, "/" only in an ARN (expected bedrock/<route>/<model-arn>).',
      );
      // Refused with its entry when a models table is read, not by Bedrock at the first call.
      expect(() => parseModels({ m: bad }, "MODELS"), bad).toThrow(/^MODELS\["m"\]: The model id must be/);
    }
    // Without a region segment, the first "/" of an id that is no ARN ends a region: refused as one.
    expect(errorOf(() => parseModelString("bedrock/qwen3/a/b"), BedrockEdgeError).message).toBe(
      '"a" is not an AWS region (expected e.g. us-east-1).',
    );
  });

  it("take every ARN Bedrock calls, its resource's slashes and all, with a region segment or without", () => {
    for (const arn of [
      ARN,
      "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc123def456",
      "arn:aws:bedrock:us-east-1:123456789012:custom-model/amazon.titan-text-express-v1:0:8k/abc123def456",
      "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123def456",
      "arn:aws:bedrock:us-east-1::foundation-model/meta.llama3-8b-instruct-v1:0",
      "arn:aws:sagemaker:us-east-1:123456789012:endpoint/my-marketplace-endpoint",
    ]) {
      expect(parseModelString(`bedrock/converse/${arn}`), arn).toEqual({ route: "converse", modelId: arn });
      expect(parseModelString(`bedrock/converse/us-east-1/${arn}`), arn).toEqual({
        route: "converse",
        modelId: arn,
        region: "us-east-1",
      });
    }
  });

  it("refuse unknown routes, empty and malformed ids with a 400", () => {
    for (const bad of [
      "bedrock/mistral/x",
      "bedrock/llama",
      "bedrock/llama/",
      "gpt-4o",
      "bedrock/llama/../../x",
      "bedrock/llama/a b",
      "bedrock/llama/x\r\nHost: evil",
    ]) {
      expect(errorOf(() => parseModelString(bad), BedrockEdgeError).status, bad).toBe(400);
    }
  });

  it("say what a model string's id must be, empty or not (. and .. have no bad character, only a bad start)", () => {
    for (const bad of ["bedrock/llama/", "bedrock/llama/..", "bedrock/llama/a b"]) {
      expect(errorOf(() => parseModelString(bad), BedrockEdgeError).message, bad).toBe(
        'The model id must be 1-2048 letters, digits or :._/+-, the first a letter or digit, "/" only in an ARN (expected bedrock/<route>/<model-arn>).',
      );
    }
  });
});

describe("models tables", () => {
  it("accept strings and configs", () => {
    expect(
      parseModels({
        a: `bedrock/llama/${ARN}`,
        b: { model: `bedrock/qwen3/${ARN}`, template: "qwen2", drop_params: true },
        c: { model: `bedrock/openai/${ARN}`, max_body_bytes: 8_000_000 },
      }),
    ).toEqual({
      a: { model: `bedrock/llama/${ARN}` },
      b: { model: `bedrock/qwen3/${ARN}`, template: "qwen2", drop_params: true },
      c: { model: `bedrock/openai/${ARN}`, max_body_bytes: 8_000_000 },
    });
  });

  // codereview46 #11: "the name a string of 164 characters must be…" read badly.
  it("tell a name or a model string past what is quoted by its length, in words that read", () => {
    const long = "k".repeat(164);
    expect(() => parseModels({ [long]: `bedrock/llama/${ARN}` }, "MODELS")).toThrow(
      "MODELS: a name must be 1-128 letters, digits or ._:/@+- (got a name of 164 characters)",
    );
    expect(() => parseModels({ "bad name": `bedrock/llama/${ARN}` }, "MODELS")).toThrow('(got "bad name")');
    expect(() => parseModels({ a: `bedrock/${long}${long}` }, "MODELS")).toThrow(
      'MODELS["a"]: Unknown model name of 336 characters: expected bedrock/<route>/<model-arn>',
    );
  });

  it("name the entry and the field that is wrong", () => {
    expect(() => parseModels({ a: "bedrock/nope/x" }, "MODELS")).toThrow(/^MODELS\["a"\]: Unknown model/);
    expect(() => parseModels({ a: { model: `bedrock/llama/${ARN}`, template: "gpt" } }, "MODELS")).toThrow(
      /MODELS\["a"\]\.template: template must be one of/,
    );
    expect(() => parseModels({ a: { model: `bedrock/llama/${ARN}`, region: "moon-1" } }, "MODELS")).toThrow(
      /MODELS\["a"\]\.region/,
    );
    expect(() => parseModels({ a: { model: `bedrock/llama/${ARN}`, tempalte: "qwen2" } }, "MODELS")).toThrow(
      /MODELS\["a"\]\.tempalte/,
    );
    expect(() => parseModels({ a: { model: `bedrock/llama/${ARN}`, template: "qwen2", chat_template: "x" } })).toThrow(
      /not both/,
    );
    // Past 8 MiB (bounds48, bounds48b): more than one request may hold in a Worker's isolate.
    for (const size of ["20MB", 1.5e6 + 0.5, 100, 8_388_609, 12_582_912, 16_777_216])
      expect(() => parseModels({ a: { model: `bedrock/openai/${ARN}`, max_body_bytes: size } }, "MODELS")).toThrow(
        /MODELS\["a"\]\.max_body_bytes: max_body_bytes must be a whole number of bytes, at least 1024/,
      );
    expect(() => parseModels([])).toThrow(/JSON object/);
    expect(() => parseModels({ "bad name!": `bedrock/llama/${ARN}` })).toThrow(/name/);
  });
});

describe("the ModelConfig type", () => {
  it("is what the models-table schema checks, field for field (a setting on one side only fails to compile)", () => {
    const same: Equal<v.InferOutput<typeof modelConfigSchema>, ModelConfig> = true;
    expect(same).toBe(true);
  });
});

describe("per-model settings follow the route", () => {
  it("are refused on a route that does not honour them, naming the entry, the setting and why", () => {
    expect(() => parseModels({ vl: { model: `bedrock/openai/${ARN}`, template: "qwen3" } }, "MODELS")).toThrow(
      // Routes added later join the list.
      new RegExp(
        '^MODELS\\["vl"\\]\\.template: the openai route does not use template, which renders the prompt with another ' +
          "built-in chat template than the route's own; only the deepseek_r1, llama, qwen3, qwen2(, \\w+)* routes do\\. " +
          "Remove it from this entry\\.$",
      ),
    );
    for (const setting of [
      { chat_template: "{{ messages }}" },
      { bos_token: "<s>" },
      { eos_token: "</s>" },
      // Converse's own and the template routes'; drop_params is the openai route's too, since it
      // refuses fields it does not send.
      { reasoning_budget: 2048 },
      { wire_format: "openai_completion" },
    ]) {
      const [name] = Object.keys(setting);
      expect(() => parseModels({ vl: { model: `bedrock/openai/${ARN}`, ...setting } }, "MODELS"), name).toThrow(
        new RegExp(`^MODELS\\["vl"\\]\\.${name}: the openai route does not use ${name}, which `),
      );
    }
  });

  it("wire_format is the template routes', tool_parser the openai route's, each a name from its list", () => {
    expect(() => parseModels({ m: { model: `bedrock/llama/${ARN}`, tool_parser: "qwen" } }, "MODELS")).toThrow(
      /^MODELS\["m"\]\.tool_parser: the llama route does not use tool_parser, which reads tool calls the model writes as text[^;]*; only the openai routes? do\./,
    );
    expect(() => parseModels({ m: { model: `bedrock/llama/${ARN}`, wire_format: "vllm" } }, "MODELS")).toThrow(
      /^MODELS\["m"\]\.wire_format: wire_format must be one of bedrock_completion, openai_completion \(got "vllm"\)\.$/,
    );
    expect(() => parseModels({ m: { model: `bedrock/openai/${ARN}`, tool_parser: "hermes" } }, "MODELS")).toThrow(
      /^MODELS\["m"\]\.tool_parser: tool_parser must be one of qwen, deepseek_r1(, \w+)* \(got "hermes"\)\.$/,
    );
    const parsed = { model: `bedrock/openai/${ARN}`, tool_parser: "qwen" as const };
    expect(parseModels({ m: parsed })).toEqual({ m: parsed });
  });

  it("are taken on the routes that honour them", () => {
    for (const route of ["deepseek_r1", "llama", "qwen3", "qwen2"]) {
      const entry = {
        model: `bedrock/${route}/${ARN}`,
        chat_template: "{{ messages }}",
        bos_token: "<s>",
        eos_token: "</s>",
        drop_params: true,
        wire_format: "openai_completion" as const,
      };
      expect(parseModels({ m: entry })).toEqual({ m: entry });
    }
    const vision = {
      model: `bedrock/openai/${ARN}`,
      region: "us-east-1",
      max_body_bytes: 8_388_608,
      drop_params: true,
    };
    expect(parseModels({ vl: vision })).toEqual({ vl: vision });
  });
});

describe("service_tier and service_tiers: Bedrock's service tiers on converse", () => {
  const NOVA = "bedrock/converse/amazon.nova-pro-v1:0";
  const refusal = (entry: unknown) => errorOf(() => parseModels({ m: entry }, "MODELS"), TypeError).message;

  it("are taken on the converse route, each a tier Bedrock names", () => {
    const entry = {
      model: NOVA,
      service_tier: "flex" as const,
      service_tiers: ["default" as const, "priority" as const],
    };
    expect(parseModels({ m: entry })).toEqual({ m: entry });
  });

  it("refuse what is not one of Bedrock's tiers, naming the setting and the tiers", () => {
    expect(refusal({ model: NOVA, service_tier: "scale" })).toBe(
      'MODELS["m"].service_tier: service_tier must be one of Bedrock\'s service tiers: priority, default, flex, reserved (got "scale").',
    );
    expect(refusal({ model: NOVA, service_tiers: ["default", "fast"] })).toMatch(
      /^MODELS\["m"\]\.service_tiers\[1\]: .*must be one of Bedrock's service tiers: priority, default, flex, reserved/,
    );
    expect(refusal({ model: NOVA, service_tiers: "priority" })).toMatch(/^MODELS\["m"\]\.service_tiers: /);
  });

  it("are refused on an imported model's ARN on converse: an import has no tiers, and none is sent", () => {
    for (const [setting, value] of [
      ["service_tier", "default"],
      ["service_tiers", ["default", "flex"]],
    ] as const) {
      expect(refusal({ model: `bedrock/converse/${ARN}`, [setting]: value })).toBe(
        `MODELS["m"].${setting}: an imported model has no service tiers (Bedrock serves Custom Model Import on demand, in its default tier only), so the converse route sends it none. Remove it from this entry.`,
      );
      const copies = { deployments: [{ model: NOVA }, { model: `bedrock/converse/${ARN}` }], [setting]: value };
      expect(refusal(copies)).toMatch(
        /^MODELS\["m"\]\.deployments\[1\]: service_tiers?: an imported model has no service tiers/,
      );
    }
    expect(parseModels({ m: { model: `bedrock/converse/${ARN}` } })).toEqual({
      m: { model: `bedrock/converse/${ARN}` },
    });
  });

  it("are refused on the other routes, whose models (imports) have no tiers", () => {
    for (const [setting, value] of [
      ["service_tier", "flex"],
      ["service_tiers", ["flex"]],
    ] as const) {
      expect(refusal({ model: `bedrock/openai/${ARN}`, [setting]: value })).toMatch(
        new RegExp(
          `^MODELS\\["m"\\]\\.${setting}: the openai route does not use ${setting}, which .*; only the converse routes? do\\. Remove it from this entry\\.$`,
        ),
      );
      expect(refusal({ model: `bedrock/llama/${ARN}`, [setting]: value })).toMatch(/the llama route does not use/);
    }
  });
});

describe("latency: Bedrock's latency-optimized inference on converse", () => {
  const refusal = (entry: unknown) => errorOf(() => parseModels({ m: entry }, "MODELS"), TypeError).message;

  it("is taken on the converse route, standard or optimized", () => {
    const entry = {
      model: "bedrock/converse/us.anthropic.claude-3-5-haiku-20241022-v1:0",
      latency: "optimized" as const,
    };
    expect(parseModels({ m: entry })).toEqual({ m: entry });
  });

  it("refuses other values, and the other routes", () => {
    expect(refusal({ model: "bedrock/converse/amazon.nova-pro-v1:0", latency: "fast" })).toBe(
      'MODELS["m"].latency: latency must be "standard" or "optimized" (got "fast").',
    );
    expect(refusal({ model: `bedrock/openai/${ARN}`, latency: "optimized" })).toMatch(
      /^MODELS\["m"\]\.latency: the openai route does not use latency, which asks Bedrock for latency-optimized inference \(performanceConfig\); only the converse routes? do\. Remove it from this entry\.$/,
    );
  });
});

describe("guardrail_config: AWS's patterns for the guardrail's identifier and version (awsfidelity46 #6)", () => {
  const refusal = (entry: unknown) => errorOf(() => parseModels({ m: entry }, "MODELS"), TypeError).message;
  const CONVERSE = "bedrock/converse/us.amazon.nova-pro-v1:0";
  const entry = (guardrailIdentifier: string, guardrailVersion: string) => ({
    model: CONVERSE,
    guardrail_config: { guardrailIdentifier, guardrailVersion },
  });

  it("takes an id of lowercase letters and digits or a guardrail's ARN, and a version 1 to 99999999 or DRAFT", () => {
    for (const [id, version] of [
      ["abc123def456", "1"],
      ["x", "DRAFT"],
      ["arn:aws:bedrock:us-east-1:123456789012:guardrail/abc123def456", "12345678"],
      ["arn:aws-us-gov:bedrock:us-gov-west-1:123456789012:guardrail/a1", "10"],
      ["arn:aws-cn:bedrock:cn-north-1:123456789012:guardrail/z9", "99999999"],
    ]) {
      expect(parseModels({ m: entry(id!, version!) }), `${id} ${version}`).toEqual({ m: entry(id!, version!) });
    }
  });

  it.each([
    ["My Guardrail", "guardrailIdentifier"],
    ["gr-abc123", "guardrailIdentifier"],
    ["ABC123", "guardrailIdentifier"],
    ["arn:aws:bedrock:us-east-1:12345678901:guardrail/abc", "guardrailIdentifier"],
    ["arn:aws:bedrock:us-east-1:123456789012:guardrail/Abc", "guardrailIdentifier"],
    ["arn:aws:bedrock:us-east-1:123456789012:guardrail-profile/abc", "guardrailIdentifier"],
    ["arn:aws:s3:us-east-1:123456789012:guardrail/abc", "guardrailIdentifier"],
  ])("refuses the identifier %j, naming the field", (id, field) => {
    expect(refusal(entry(id, "1"))).toMatch(
      new RegExp(`^MODELS\\["m"\\]\\.guardrail_config\\.${field}: guardrail_config\\.${field} must be `),
    );
  });

  it.each(["draft", "v1", "0", "01", "123456789", "1.0", " 1", ""])(
    "refuses the version %j, naming the field",
    (version) => {
      expect(refusal(entry("abc123", version))).toMatch(
        /^MODELS\["m"\]\.guardrail_config\.guardrailVersion: guardrail_config\.guardrailVersion must /,
      );
    },
  );

  it("words the refusal with what is expected", () => {
    expect(refusal(entry("My Guardrail", "1"))).toBe(
      'MODELS["m"].guardrail_config.guardrailIdentifier: guardrail_config.guardrailIdentifier must be lowercase letters and digits, or a guardrail\'s ARN (got "My Guardrail").',
    );
    expect(refusal(entry("abc123", "draft"))).toBe(
      'MODELS["m"].guardrail_config.guardrailVersion: guardrail_config.guardrailVersion must be 1 to 99999999 or DRAFT (got "draft").',
    );
  });
});

describe("foundation_model: the model an opaque converse id serves", () => {
  const PROFILE = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6";
  const PROVISIONED = "arn:aws:bedrock:us-west-2:123456789012:provisioned-model/a1b2c3d4e5f6";
  const CLAUDE_45 = "anthropic.claude-sonnet-4-5-20250929-v1:0";
  const refusal = (entry: unknown) => errorOf(() => parseModels({ m: entry }, "MODELS"), TypeError).message;
  const UNKNOWN =
    'MODELS["m"].foundation_model: it names no family bedrock-edge knows (a foundation id of Claude, Nova, gpt-oss, DeepSeek-R1, Mistral or Llama, as anthropic.claude-sonnet-4-5-20250929-v1:0, with a cross-region prefix or not).';
  const NAMED =
    "foundation_model: this model id names its model already, or serves an imported one (the setting is for ids that name none: application inference profiles, provisioned models, custom model deployments).";

  it("is taken on an id that names no model: an application inference profile, a provisioned model", () => {
    for (const entry of [
      { model: `bedrock/converse/${PROFILE}`, foundation_model: CLAUDE_45 },
      { model: `bedrock/converse/${PROFILE}`, foundation_model: `us.${CLAUDE_45}`, reasoning_budget: 2048 },
      { model: `bedrock/converse/${PROVISIONED}`, foundation_model: "amazon.nova-pro-v1:0" },
    ]) {
      expect(parseModels({ m: entry })).toEqual({ m: entry });
    }
  });

  it("reasoning_budget: at most what leaves the answer's 4096 within a request's 1,000,000 (numbers43 #3)", () => {
    const entry = (reasoning_budget: unknown) => ({
      model: `bedrock/converse/${PROFILE}`,
      foundation_model: CLAUDE_45,
      reasoning_budget,
    });
    expect(995_904 + ANSWER_TOKENS_AFTER_THINKING).toBe(1_000_000);
    expect(parseModels({ m: entry(995_904) })).toEqual({ m: entry(995_904) });
    for (const budget of [995_905, 1_000_000, 1e308]) {
      expect(refusal(entry(budget))).toBe(
        `MODELS["m"].reasoning_budget: reasoning_budget must be a whole number of tokens, at least 1024 (Claude's smallest thinking budget), at most 995904 (1000000 less the answer's 4096) (got ${budget}).`,
      );
    }
  });

  it("is refused on the other routes, as every setting a route does not use", () => {
    expect(refusal({ model: `bedrock/openai/${ARN}`, foundation_model: CLAUDE_45 })).toBe(
      'MODELS["m"].foundation_model: the openai route does not use foundation_model, which names the model an opaque id serves; only the converse, embed routes do. Remove it from this entry.',
    );
  });

  it("is refused on an id that names its model: the two could disagree", () => {
    for (const id of [
      `us.${CLAUDE_45}`,
      "amazon.nova-pro-v1:0",
      `arn:aws:bedrock:us-east-1::foundation-model/${CLAUDE_45}`,
      `arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.${CLAUDE_45}`,
    ]) {
      expect(refusal({ model: `bedrock/converse/${id}`, foundation_model: CLAUDE_45 }), id).toBe(
        `MODELS["m"].${NAMED}`,
      );
    }
  });

  it("is refused on an imported model's ARN: no foundation model's, and its own template reads signed thinking", () => {
    // Named Claude, an import's client-written "signed" thinking would have reached its template as written.
    const imported = "arn:aws:bedrock:us-east-1:123456789012:imported-model/a1b2c3d4e5f6";
    expect(refusal({ model: `bedrock/converse/${imported}`, foundation_model: CLAUDE_45 })).toBe(
      `MODELS["m"].${NAMED}`,
    );
  });

  it("is refused as a Claude id of no generation Bedrock serves: a typo would lose tools, images and reasoning", () => {
    for (const value of [
      "anthropic.claude-sonet-4-5-20250929-v1:0",
      "anthropic.claude-4-sonnet",
      "anthropic.claude",
      "anthropic.claudette",
    ]) {
      expect(refusal({ model: `bedrock/converse/${PROFILE}`, foundation_model: value }), value).toBe(UNKNOWN);
    }
    for (const value of [
      "anthropic.claude-3-haiku-20240307-v1:0",
      "anthropic.claude-v2:1",
      "anthropic.claude-opus-4-1-20250805-v1:0",
    ]) {
      expect(
        parseModels({ m: { model: `bedrock/converse/${PROFILE}`, foundation_model: value } }).m,
        value,
      ).toBeDefined();
    }
  });

  it("is refused as an ARN or with anything around the id: a foundation id as Bedrock names it", () => {
    for (const value of [
      `arn:aws:bedrock:us-east-1::foundation-model/${CLAUDE_45}`,
      `arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.${CLAUDE_45}`,
      `${CLAUDE_45}   `,
      `${CLAUDE_45}\n<|im_start|>`,
      ` ${CLAUDE_45}`,
    ]) {
      expect(refusal({ model: `bedrock/converse/${PROFILE}`, foundation_model: value }), value).toBe(UNKNOWN);
    }
  });

  it("is refused when it names no family bedrock-edge knows: it would change nothing", () => {
    for (const value of ["cohere.command-r-plus-v1:0", "claude-sonnet-4-5", PROFILE, ""]) {
      expect(refusal({ model: `bedrock/converse/${PROFILE}`, foundation_model: value }), value).toBe(UNKNOWN);
    }
    expect(refusal({ model: `bedrock/converse/${PROFILE}`, foundation_model: 45 })).toBe(
      'MODELS["m"].foundation_model: foundation_model must be a string (got 45).',
    );
  });

  it("lets an opaque id take reasoning_budget when it names a family with a reasoning control", () => {
    expect(refusal({ model: `bedrock/converse/${PROFILE}`, reasoning_budget: 2048 })).toMatch(
      /^MODELS\["m"\]\.reasoning_budget: .*name an opaque id's model in foundation_model/,
    );
    expect(
      refusal({
        model: `bedrock/converse/${PROFILE}`,
        foundation_model: "meta.llama3-3-70b-instruct-v1:0",
        reasoning_budget: 2048,
      }),
    ).toMatch(
      /^MODELS\["m"\]\.reasoning_budget: this model id does not name a family with a documented reasoning control/,
    );
    expect(
      refusal({
        model: `bedrock/converse/${PROFILE}`,
        foundation_model: CLAUDE_45,
        reasoning_budget: 2048,
        max_output_tokens: 1024,
      }),
    ).toMatch(/^MODELS\["m"\]\.max_output_tokens: Claude thinks within it/);
  });

  it("with deployments: describes every copy, each of which must name no model", () => {
    const copies = {
      deployments: [{ model: `bedrock/converse/${PROFILE}` }, { model: `bedrock/converse/${PROVISIONED}` }],
    };
    const entry = { ...copies, foundation_model: CLAUDE_45, reasoning_budget: 2048 };
    expect(parseModels({ m: entry })).toEqual({ m: entry });
    const named = { deployments: [...copies.deployments, { model: `bedrock/converse/us.${CLAUDE_45}` }] };
    expect(refusal({ ...named, foundation_model: CLAUDE_45 })).toBe(`MODELS["m"].deployments[2]: ${NAMED}`);
    expect(refusal({ ...copies, foundation_model: "cohere.command-r-plus-v1:0" })).toBe(
      `MODELS["m"].deployments[0]: ${UNKNOWN.slice('MODELS["m"].'.length)}`,
    );
    expect(refusal({ deployments: [{ model: `bedrock/qwen3/${ARN}` }], foundation_model: CLAUDE_45 })).toMatch(
      /^MODELS\["m"\]\.foundation_model: the qwen3 route does not use foundation_model/,
    );
  });
});

describe("the hardening settings", () => {
  it("are taken on every chat route: special_tokens, max_n, max_output_tokens", () => {
    for (const route of Object.keys(routeEntries).filter((name) => name !== "embed" && name !== "image")) {
      const entry = { model: `bedrock/${route}/${ARN}`, special_tokens: "keep", max_n: 1, max_output_tokens: 4096 };
      expect(parseModels({ m: entry })).toEqual({ m: entry });
    }
  });

  it("are refused on the embed route, whose models generate no text", () => {
    for (const setting of [{ special_tokens: "keep" }, { max_n: 1 }, { max_output_tokens: 4096 }]) {
      const entry = { model: "bedrock/embed/amazon.titan-embed-text-v2:0", ...setting };
      expect(() => parseModels({ m: entry })).toThrow(/the embed route does not use/);
    }
  });

  it("are refused on the image route, whose models generate no text", () => {
    for (const setting of [{ special_tokens: "keep" }, { max_n: 1 }, { max_output_tokens: 4096 }]) {
      const entry = { model: "bedrock/image/amazon.nova-canvas-v1:0", ...setting };
      expect(() => parseModels({ m: entry })).toThrow(/the image route does not use/);
    }
  });

  it("take client_template_kwargs where a template of the model's own reads them", () => {
    const openai = { model: `bedrock/openai/${ARN}`, client_template_kwargs: ["enable_thinking", "date_string"] };
    const custom = { model: `bedrock/llama/${ARN}`, chat_template: "{{ messages }}", client_template_kwargs: ["x"] };
    expect(parseModels({ openai, custom })).toEqual({ openai, custom });
  });

  it("refuse client_template_kwargs for a built-in template, which reads only its own variables", () => {
    expect(() =>
      parseModels({ q: { model: `bedrock/qwen3/${ARN}`, client_template_kwargs: ["enable_thinking"] } }, "MODELS"),
    ).toThrow(
      'MODELS["q"].client_template_kwargs: names variables of the model\'s own chat_template, and this entry has none ' +
        "(a built-in template takes only its own). Add the chat_template, or remove client_template_kwargs.",
    );
  });

  it("refuse bad values, naming the setting and what it must be", () => {
    const refusal = (settings: Record<string, unknown>) =>
      errorOf(() => parseModels({ a: { model: `bedrock/openai/${ARN}`, ...settings } }, "MODELS"), TypeError).message;
    expect(refusal({ special_tokens: "strip" })).toBe(
      'MODELS["a"].special_tokens: special_tokens must be "escape" or "keep" (got "strip").',
    );
    for (const n of [0, 129, 1.5, "2"]) {
      expect(refusal({ max_n: n })).toMatch(/^MODELS\["a"\]\.max_n: max_n must be a whole number from 1 to 128/);
    }
    for (const tokens of [0, 2.5, "4096"]) {
      expect(refusal({ max_output_tokens: tokens })).toMatch(
        /^MODELS\["a"\]\.max_output_tokens: max_output_tokens must be a whole number of tokens, at least 1/,
      );
    }
    // No more than a request's max_tokens may ask (an extra zero, 1e308): numbers43 #3.
    for (const tokens of [1_000_001, 2_000_000, 1e308]) {
      expect(refusal({ max_output_tokens: tokens })).toBe(
        `MODELS["a"].max_output_tokens: max_output_tokens must be a whole number of tokens, at least 1, at most 1000000 (as max_tokens) (got ${tokens}).`,
      );
    }
    expect(
      parseModels({ a: { model: `bedrock/openai/${ARN}`, max_output_tokens: 1_000_000 } }, "MODELS").a,
    ).toMatchObject({
      max_output_tokens: 1_000_000,
    });
    expect(refusal({ client_template_kwargs: ["a b"] })).toMatch(
      /^MODELS\["a"\]\.client_template_kwargs\[0\]: .*must be a template variable name/,
    );
    for (const reserved of ["bos_token", "eos_token", "messages", "tools", "add_generation_prompt", "chat_template"]) {
      expect(refusal({ client_template_kwargs: ["ok", reserved] })).toMatch(
        new RegExp(
          `^MODELS\\["a"\\]\\.client_template_kwargs\\[1\\]: client_template_kwargs\\[1\\] must not be "${reserved}": ` +
            "the template's inputs, special tokens and helpers are the server's to set\\.$",
        ),
      );
    }
  });
});

describe("models table refusals read as sentences", () => {
  it("word for word", () => {
    const refusal = (entry: unknown) => errorOf(() => parseModels({ a: entry }, "MODELS"), TypeError).message;
    expect(refusal(5)).toBe(
      'MODELS["a"]: the entry must be a model string ("bedrock/<route>/<model-arn>") or an object like ' +
        '{ "model": "bedrock/…" } (got 5).',
    );
    // Templates added later join the list.
    expect(refusal({ model: `bedrock/llama/${ARN}`, template: "gpt" })).toMatch(
      /^MODELS\["a"\]\.template: template must be one of deepseek_r1, llama3, qwen3, qwen2(, \w+)* \(got "gpt"\)\.$/,
    );
    expect(refusal({ model: `bedrock/llama/${ARN}`, tempalte: "qwen2" })).toBe(
      'MODELS["a"].tempalte: tempalte is not a model setting; the settings are model, region, template, ' +
        "chat_template, bos_token, eos_token, drop_params, max_body_bytes, additional_model_request_fields, " +
        "guardrail_config, reasoning_budget, foundation_model, service_tier, service_tiers, latency, special_tokens, max_n, max_output_tokens, client_template_kwargs, " +
        "wire_format, tool_parser.",
    );
    expect(refusal({ model: `bedrock/llama/${ARN}`, bos_token: 5 })).toBe(
      'MODELS["a"].bos_token: bos_token must be a string (got 5).',
    );
    expect(refusal({ template: "qwen2" })).toBe('MODELS["a"].model: model is required.');
  });
});

describe("regions that contradict the ARN", () => {
  it("are refused in a model string, on every route", () => {
    for (const route of Object.keys(routeEntries)) {
      const error = errorOf(() => parseModelString(`bedrock/${route}/eu-west-1/${ARN}`), BedrockEdgeError);
      expect(error).toMatchObject({ status: 400, param: "region" });
      expect(error.message).toBe(
        "The model's ARN is in us-east-1 but the region setting says eu-west-1: a model ARN can only be called in its own region.",
      );
    }
  });

  it("are refused between an entry and its model string's region segment", () => {
    const model = "bedrock/converse/eu-west-1/amazon.nova-pro-v1:0";
    expect(() => parseModels({ a: { model, region: "us-west-2" } }, "MODELS")).toThrow(
      'MODELS["a"]: its "region" us-west-2 contradicts its model string\'s eu-west-1',
    );
    expect(() => parseModels({ a: { deployments: [{ model, region: "us-west-2" }] } }, "MODELS")).toThrow(
      'MODELS["a"].deployments[0]: its "region" us-west-2 contradicts its model string\'s eu-west-1',
    );
    expect(parseModels({ a: { model, region: "eu-west-1" } })).toEqual({ a: { model, region: "eu-west-1" } });
  });

  it("a model string's region segment is its region: no fallback contradicts it, and deployments use it", () => {
    const west = ARN.replace("us-east-1", "eu-west-1");
    const model = `bedrock/llama/eu-west-1/${west}`;
    expect(parseModels({ a: model }, "MODELS", { region: "us-east-1", setting: "AWS_REGION" })).toEqual({
      a: { model },
    });
    expect(deploymentsOf({ model }, model).deployments).toEqual([
      { index: 0, key: `${west}@eu-west-1`, modelId: west, region: "eu-west-1", weight: 1 },
    ]);
  });

  it("are reported as the configuration's problem, naming the entry", () => {
    expect(() => parseModels({ a: { model: `bedrock/llama/${ARN}`, region: "eu-west-1" } }, "MODELS")).toThrow(
      /^MODELS\["a"\]: The model's ARN is in us-east-1/,
    );
    expect(parseModels({ a: { model: `bedrock/llama/${ARN}`, region: "us-east-1" } })).toEqual({
      a: { model: `bedrock/llama/${ARN}`, region: "us-east-1" },
    });
  });
});

describe("entries with several deployments", () => {
  const WEST = "arn:aws:bedrock:us-west-2:123456789012:imported-model/abc123def456";
  const deployments = [{ model: `bedrock/qwen3/${ARN}` }, { model: `bedrock/qwen3/${WEST}`, weight: 2 }];

  it("are taken as given, with the entry's settings", () => {
    const entry = { deployments, routing: "weighted", template: "qwen2", drop_params: true };
    expect(parseModels({ q: entry })).toEqual({ q: entry });
    const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" };
    const provider = async () => credentials;
    const own = {
      deployments: [
        { model: `bedrock/llama/${ARN}`, credentials },
        { model: `bedrock/llama/${WEST}`, credentials: provider },
      ],
    };
    expect(parseModels({ l: own })).toEqual({ l: own });
    expect(
      parseModels({ k: { deployments: [{ model: `bedrock/llama/${ARN}`, apiKey: "bedrock-key" }] } }),
    ).toBeTruthy();
  });

  it("become deployments: index, identity, model id, region, weight, own credentials", () => {
    const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" };
    const table = parseModels({
      q: { deployments: [deployments[0], { ...deployments[1], credentials }], routing: "weighted" },
      one: { model: `bedrock/openai/us-east-1/${ARN}` },
    });
    expect(deploymentsOf(table.q, "q")).toEqual({
      route: "qwen3",
      routing: "weighted",
      deployments: [
        { index: 0, key: ARN, modelId: ARN, region: undefined, weight: 1 },
        { index: 1, key: WEST, modelId: WEST, region: undefined, weight: 2, credentials },
      ],
    });
    expect(deploymentsOf(table.one, "one")).toEqual({
      route: "openai",
      routing: "failover",
      deployments: [{ index: 0, key: `${ARN}@us-east-1`, modelId: ARN, region: "us-east-1", weight: 1 }],
    });
    // A model string that no entry names is one deployment too.
    expect(deploymentsOf(undefined, `bedrock/llama/${WEST}`).deployments).toEqual([
      { index: 0, key: WEST, modelId: WEST, region: undefined, weight: 1 },
    ]);
  });

  it("are refused when wrong, naming the entry, the deployment and the field", () => {
    const refusal = (entry: unknown) => errorOf(() => parseModels({ q: entry }, "MODELS"), TypeError).message;
    expect(refusal({ deployments: [] })).toBe(
      'MODELS["q"].deployments: deployments must list at least one deployment.',
    );
    expect(refusal({ routing: "failover" })).toBe('MODELS["q"].deployments: deployments is required.');
    expect(refusal({ deployments, routing: "random" })).toBe(
      'MODELS["q"].routing: routing must be one of failover, weighted, least_busy (got "random").',
    );
    expect(refusal({ deployments: [{ model: `bedrock/qwen3/${ARN}`, weight: 0 }], routing: "weighted" })).toBe(
      'MODELS["q"].deployments[0].weight: deployments[0].weight must be a number greater than 0, at most 1000000.',
    );
    expect(refusal({ deployments })).toBe(
      'MODELS["q"].deployments[1].weight: only routing "weighted" uses weight; remove it or set that routing',
    );
    expect(refusal({ deployments: [{ model: `bedrock/qwen3/${ARN}` }, { model: `bedrock/llama/${WEST}` }] })).toBe(
      'MODELS["q"].deployments[1].model: its route is llama but deployments[0]\'s is qwen3; the deployments of one name are copies of one model, on one route',
    );
    expect(refusal({ deployments: [{ model: `bedrock/qwen3/${ARN}` }, { model: `qwen3/${ARN}` }] })).toBe(
      'MODELS["q"].deployments[1]: the same model as deployments[0]',
    );
    expect(refusal({ deployments: [{ model: `bedrock/qwen3/${ARN}`, region: "eu-west-1" }] })).toMatch(
      /^MODELS\["q"\]\.deployments\[0\]: The model's ARN is in us-east-1/,
    );
    expect(refusal({ deployments: [{ model: `bedrock/qwen3/${ARN}`, modle: "x" }] })).toBe(
      'MODELS["q"].deployments[0].modle: deployments[0].modle is not a field of a deployment; they are model, region, credentials, apiKey, weight.',
    );
    expect(refusal({ deployments: [{ model: `bedrock/qwen3/${ARN}`, credentials: { accessKeyId: "A" } }] })).toMatch(
      /^MODELS\["q"\]\.deployments\[0\]\.credentials: deployments\[0\]\.credentials must be \{ accessKeyId, secretAccessKey, sessionToken\? \}/,
    );
    // An entry mixing the two kinds is told so (typesapi41 #6), not what the other kind lacks.
    expect(refusal({ model: `bedrock/qwen3/${ARN}`, deployments })).toBe(
      `MODELS["q"]: has model and deployments; an entry is one model or deployments of one (each its own model), not both`,
    );
    expect(refusal({ model: `bedrock/qwen3/${ARN}`, routing: "failover" })).toBe(
      `MODELS["q"]: has model and routing; an entry is one model or deployments of one (each its own model), not both`,
    );
    expect(refusal({ deployments: [{ model: `bedrock/openai/${ARN}` }], template: "qwen3" })).toMatch(
      /^MODELS\["q"\]\.template: the openai route does not use template/,
    );
    // Credentials in the wrong shape may still be secrets: the refusal names the field, never the value.
    const secret = "AKIAEXAMPLEEXAMPLE12:wJalrXUtnFEMI/K7MDENG";
    for (const wrong of [secret, { accessKeyId: secret }, [secret]]) {
      const message = refusal({ deployments: [{ model: `bedrock/qwen3/${ARN}`, credentials: wrong }] });
      expect(message).toBe(
        'MODELS["q"].deployments[0].credentials: deployments[0].credentials must be { accessKeyId, secretAccessKey, sessionToken? } or a function returning that.',
      );
    }
    expect(refusal({ deployments: [{ model: `bedrock/qwen3/${ARN}`, apiKey: "" }] })).toBe(
      'MODELS["q"].deployments[0].apiKey: deployments[0].apiKey must not be empty.',
    );
    const many = Array.from({ length: 17 }, (_, i) => ({ model: `bedrock/qwen3/${ARN.replace("abc", `a${i}c`)}` }));
    expect(refusal({ deployments: many })).toBe(
      'MODELS["q"].deployments: deployments must list at most 16 deployments (it has 17).',
    );
  });

  it("have types that are what their schemas check, field for field", () => {
    const entry: Equal<v.InferOutput<typeof routedModelConfigSchema>, RoutedModelConfig> = true;
    const deployment: Equal<v.InferOutput<typeof deploymentConfigSchema>, DeploymentConfig> = true;
    expect([entry, deployment]).toEqual([true, true]);
  });
});

describe("a models-table key set to undefined", () => {
  // The option types promise that an explicit undefined means absent. ModelEntry's two kinds each
  // take the other's keys as undefined only, so each entry below compiles, a key of the other kind
  // included (set, it does not: exact-optional-types.test.ts).
  const single = { model: `bedrock/llama/${ARN}` };
  const routed = { deployments: [{ model: `bedrock/llama/${ARN}` }] };

  it("is absent: the entry is checked as its own kind, and taken as it is without the key", () => {
    const cases: Array<[ModelEntry, ModelEntry]> = [
      [{ ...single, routing: undefined }, single],
      [{ ...single, deployments: undefined }, single],
      [{ ...routed, region: undefined }, routed],
      [{ ...routed, model: undefined }, routed],
      // A setting that the route does not honour, left unset: nothing to refuse.
      [{ ...single, tool_parser: undefined }, single],
      [{ ...routed, routing: undefined, tool_parser: undefined }, routed],
    ];
    for (const [given, without] of cases) {
      expect(parseModels({ m: given })).toStrictEqual(parseModels({ m: without }));
    }
  });

  it("is refused when no entry has such a key: a typo, set or not, as the types refuse it", () => {
    const refusal = (entry: unknown) => errorOf(() => parseModels({ m: entry }), TypeError).message;
    for (const [entry, kind] of [
      [single, "model setting; the settings are model, region,"],
      [routed, "setting of an entry with deployments"],
    ] as const) {
      // A JavaScript caller's typo, or a key read from elsewhere that happens to be unset.
      for (const key of ["tempalte", "toString", "reasoningBudget"]) {
        const unset = refusal({ ...entry, [key]: undefined });
        expect(unset).toBe(refusal({ ...entry, [key]: "qwen3" }));
        expect(unset.startsWith(`models["m"].${key}: ${key} is not a ${kind}`), unset).toBe(true);
      }
    }
  });

  it("with a value is still refused where the entry's kind has no such setting", () => {
    const refusal = (entry: unknown) => errorOf(() => parseModels({ m: entry }), TypeError).message;
    expect(refusal({ ...routed, region: "us-east-1" })).toMatch(
      /^models\["m"\]\.region: region is not a setting of an entry with deployments/,
    );
    expect(refusal({ ...routed, model: null })).toMatch(
      /^models\["m"\]: has model and deployments; an entry is one model or deployments of one/,
    );
    expect(refusal({ ...single, routing: "failover" })).toMatch(
      /^models\["m"\]: has model and routing; an entry is one model or deployments of one/,
    );
    expect(refusal({ ...single, tool_parser: "qwen" })).toMatch(
      /^models\["m"\]\.tool_parser: the llama route does not use tool_parser/,
    );
  });
});

describe("additional_model_request_fields: an object, as Converse takes it (specfuzz46b #1)", () => {
  const CONVERSE = "bedrock/converse/us.anthropic.claude-sonnet-4-20250514-v1:0";
  it("refuses an array, which valibot's record() lets through and Converse refuses on every call", () => {
    for (const fields of [[], [{ top_k: 5 }], "x", 5, null]) {
      const message = errorOf(
        () => parseModels({ m: { model: CONVERSE, additional_model_request_fields: fields } }, "MODELS"),
        TypeError,
      ).message;
      expect(message).toMatch(
        /^MODELS\["m"\]\.additional_model_request_fields: .*must be a JSON object of the model's own request fields/,
      );
    }
    const fields = { top_k: 5 };
    expect(parseModels({ m: { model: CONVERSE, additional_model_request_fields: fields } })).toEqual({
      m: { model: CONVERSE, additional_model_request_fields: fields },
    });
  });
});
