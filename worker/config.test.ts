import { describe, expect, it } from "vitest";
import { parseConfig, type ProxyConfig, type ProxyEnv } from "./config.ts";

const ARN = "arn:aws:bedrock:us-east-1:123456789012:imported-model/abc123def456";
const good = {
  MODELS: JSON.stringify({ r1: `bedrock/deepseek_r1/${ARN}` }),
  PROXY_API_KEYS: "sk-a, sk-b",
  AWS_ACCESS_KEY_ID: "AKIAEXAMPLEEXAMPLE12",
  AWS_SECRET_ACCESS_KEY: "secret/value+that+must+never+be+shown000",
};

function configOf(env: ProxyEnv): ProxyConfig {
  const result = parseConfig(env);
  if (!result.ok) throw new Error(`unexpected problems: ${result.problems.join("; ")}`);
  return result.config;
}

function problems(env: ProxyEnv): string[] {
  const result = parseConfig(env);
  return result.ok ? [] : result.problems;
}

describe("parseConfig", () => {
  it("reads the bindings", () => {
    const config = configOf({
      ...good,
      BEDROCK_MAX_RETRIES: "4",
      CORS_ORIGINS: "https://a.example, https://b.example",
    });
    expect(config.apiKeys).toEqual(["sk-a", "sk-b"]);
    expect(config.maxRetries).toBe(4);
    expect(config.corsOrigins).toEqual(["https://a.example", "https://b.example"]);
    expect(config.credentials).toEqual({
      accessKeyId: good.AWS_ACCESS_KEY_ID,
      secretAccessKey: good.AWS_SECRET_ACCESS_KEY,
    });
  });

  it("reports every problem at once, by binding name, never quoting a secret or an ARN", () => {
    const found = problems({
      ...good,
      MODELS: JSON.stringify({ r1: `bedrock/nope/${ARN}` }),
      AWS_SECRET_ACCESS_KEY: undefined,
      BEDROCK_MAX_RETRIES: "lots",
      AWS_REGION: "mars-1",
    });
    expect(found).toHaveLength(5);
    expect(found.join("\n")).toMatch(/MODELS\["r1"\]/);
    expect(found.join("\n")).toMatch(/BEDROCK_MAX_RETRIES/);
    expect(found.join("\n")).toMatch(/AWS_REGION/);
    expect(found.join("\n")).toContain("bedrock/nope/arn:…");
    expect(found.join("\n")).not.toContain("123456789012");
    expect(JSON.stringify(found)).not.toContain(good.AWS_SECRET_ACCESS_KEY);
  });

  it("says what MODELS must be when it is missing or not JSON", () => {
    expect(problems({ ...good, MODELS: undefined })[0]).toMatch(/MODELS is not set/);
    expect(problems({ ...good, MODELS: "{nope" })[0]).toMatch(/MODELS is not valid JSON/);
  });
});

describe("BEDROCK_ENDPOINT", () => {
  it("is kept without its trailing slash", () => {
    expect(configOf({ ...good, BEDROCK_ENDPOINT: "https://vpce.example.com/" }).endpoint).toBe(
      "https://vpce.example.com",
    );
  });

  it.each([
    ["a query", "https://vpce.example.com/?x=1"],
    ["a fragment", "https://vpce.example.com/#top"],
    ["user info", "https://user:pass@vpce.example.com"],
    ["another protocol", "ftp://vpce.example.com"],
    ["no URL at all", "vpce.example.com"],
  ])("with %s is a problem naming it, as the client would refuse it on every call", (_, endpoint) => {
    const found = problems({ ...good, BEDROCK_ENDPOINT: endpoint });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^BEDROCK_ENDPOINT: /);
    expect(found[0]).not.toContain("pass");
  });
});

describe("AWS_REGION and the models' ARNs", () => {
  const WEST = "arn:aws:bedrock:us-west-2:123456789012:imported-model/west";

  it("a model whose ARN is in another region is a problem naming it and both regions", () => {
    const found = problems({
      ...good,
      AWS_REGION: "us-east-1",
      MODELS: JSON.stringify({ r1: `bedrock/deepseek_r1/${ARN}`, west: `bedrock/llama/${WEST}` }),
    });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^MODELS\["west"\]: /);
    expect(found[0]).toContain("us-west-2");
    expect(found[0]).toContain("AWS_REGION is us-east-1");
    expect(found[0]).not.toContain("123456789012");
  });

  it("every ARN region is fine without AWS_REGION, and a model with its own region is not AWS_REGION's", () => {
    expect(
      problems({
        ...good,
        MODELS: JSON.stringify({ r1: `bedrock/deepseek_r1/${ARN}`, west: `bedrock/llama/${WEST}` }),
      }),
    ).toEqual([]);
    const own = {
      west: { model: `bedrock/llama/${WEST}`, region: "us-west-2" },
      plain: "bedrock/openai/us-west-2/some-model-id",
    };
    expect(problems({ ...good, AWS_REGION: "us-east-1", MODELS: JSON.stringify(own) })).toEqual([]);
  });

  it("a bare model id (no ARN, no region of its own) needs AWS_REGION", () => {
    const models = JSON.stringify({
      claude: "bedrock/converse/us.anthropic.claude-sonnet-4-20250514-v1:0",
      nova: { model: "bedrock/converse/amazon.nova-pro-v1:0", region: "eu-west-1" },
    });
    expect(problems({ ...good, MODELS: models })).toEqual([
      'MODELS["claude"]: us.anthropic.claude-sonnet-4-20250514-v1:0 names no region: set AWS_REGION, or this entry\'s "region"',
    ]);
    expect(problems({ ...good, AWS_REGION: "us-west-2", MODELS: models })).toEqual([]);
  });
});

describe("DROP_PARAMS", () => {
  it("is off unless set to true", () => {
    expect(configOf(good).dropParams).toBe(false);
    expect(configOf({ ...good, DROP_PARAMS: "true" }).dropParams).toBe(true);
    expect(configOf({ ...good, DROP_PARAMS: " FALSE " }).dropParams).toBe(false);
    expect(configOf({ ...good, DROP_PARAMS: true }).dropParams).toBe(true);
  });

  it("is a problem when it is neither true nor false", () => {
    expect(problems({ ...good, DROP_PARAMS: "yes" })).toEqual(['DROP_PARAMS must be true or false, got "yes"']);
  });
});
