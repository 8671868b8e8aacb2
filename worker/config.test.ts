import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "./config.ts";

const ARN = "arn:aws:bedrock:us-east-1:123456789012:imported-model/abc123def456";
const good = {
  MODELS: JSON.stringify({ r1: `bedrock/deepseek_r1/${ARN}` }),
  PROXY_API_KEYS: "sk-a, sk-b",
  AWS_ACCESS_KEY_ID: "AKIAEXAMPLEEXAMPLE12",
  AWS_SECRET_ACCESS_KEY: "secret/value+that+must+never+be+shown000",
};

function problems(env: Record<string, unknown>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  return [];
}

describe("parseConfig", () => {
  it("reads the bindings", () => {
    const config = parseConfig({ ...good, BEDROCK_MAX_RETRIES: "4", CORS_ORIGINS: "https://a.example, https://b.example" });
    expect(config.apiKeys).toEqual(["sk-a", "sk-b"]);
    expect(config.maxRetries).toBe(4);
    expect(config.corsOrigins).toEqual(["https://a.example", "https://b.example"]);
    expect(config.credentials).toEqual({ accessKeyId: good.AWS_ACCESS_KEY_ID, secretAccessKey: good.AWS_SECRET_ACCESS_KEY });
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
    expect(found.join("\n")).not.toContain("123456789012");
    expect(JSON.stringify(found)).not.toContain(good.AWS_SECRET_ACCESS_KEY);
  });

  it("says what MODELS must be when it is missing or not JSON", () => {
    expect(problems({ ...good, MODELS: undefined })[0]).toMatch(/MODELS is not set/);
    expect(problems({ ...good, MODELS: "{nope" })[0]).toMatch(/MODELS is not valid JSON/);
  });
});
