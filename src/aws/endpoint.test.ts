import { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";
import { describe, expect, it } from "vitest";
import { createBedrock } from "../index.ts";
import { isAwsHost } from "./aws-hosts.ts";
import { bedrockBaseUrl, normaliseEndpoint, parseArn, resolveRegion, validateModelId } from "./endpoint.ts";

const ARN = "arn:aws:bedrock:us-west-2:123456789012:imported-model/abc123def456";

describe("region resolution", () => {
  it("takes the explicit option, else the ARN's field 4", () => {
    expect(resolveRegion("my-model", "eu-central-1")).toBe("eu-central-1");
    expect(resolveRegion(ARN, "us-west-2")).toBe("us-west-2");
    expect(resolveRegion(ARN)).toBe("us-west-2");
    expect(resolveRegion("arn:aws-us-gov:bedrock:us-gov-west-1:1:imported-model/x")).toBe("us-gov-west-1");
  });

  it("refuses an explicit region that contradicts the ARN's", () => {
    expect(() => resolveRegion(ARN, "eu-central-1")).toThrow(
      /ARN is in us-west-2 but the region setting says eu-central-1/,
    );
    // Any ARN, not only an imported model's: an application inference profile lives in one region too.
    const profile = "arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/a1b2c3d4e5f6";
    expect(() => resolveRegion(profile, "us-east-1")).toThrow(
      "The model's ARN is in eu-west-1 but the region setting says us-east-1: a model ARN can only be called in its own region.",
    );
  });

  it("reads a region only from a bedrock ARN: another service's ARN names none of a model's", () => {
    const other = "arn:aws:sagemaker:eu-west-1:123456789012:endpoint/x";
    expect(parseArn(other)).toBeUndefined();
    expect(() => resolveRegion(other)).toThrow(/No region/);
    expect(resolveRegion(other, "us-east-1")).toBe("us-east-1");
  });

  it("errors (400) with no region at all", () => {
    expect(() => resolveRegion("my-model")).toThrow(/No region/);
  });

  it("refuses anything that is not a region: it would become part of a host name", () => {
    for (const bad of [
      "us-east-1.evil.example",
      "us-east-1/",
      "US-EAST-1",
      "evil.com#",
      "us-east-1\r\nx: y",
      "a",
      "us-east-1a",
      "evil-east-1",
      "",
    ]) {
      const arn = `arn:aws:bedrock:${bad}:1:imported-model/x`;
      expect(() => resolveRegion(arn, bad || undefined), bad).toThrow();
    }
  });
});

describe("hosts and paths", () => {
  it("uses the domain of the region's partition, as AWS's own SDK resolves it", () => {
    const sdk = new BedrockRuntimeClient({
      region: "us-east-1",
      credentials: { accessKeyId: "a", secretAccessKey: "b" },
    });
    const regions = ["us-east-1", "ap-southeast-7", "il-central-1", "mx-central-1", "us-gov-west-1"];
    // China, the ISO partitions and the European Sovereign Cloud each have a domain of their own.
    regions.push("cn-north-1", "cn-northwest-1", "us-iso-east-1", "us-isob-east-1", "us-isof-south-1");
    regions.push("eu-isoe-west-1", "eusc-de-east-1");
    for (const region of regions) {
      const theirs = sdk.config.endpointProvider({ Region: region, UseFIPS: false, UseDualStack: false });
      expect(`${bedrockBaseUrl(region)}/`, region).toBe(theirs.url.href);
    }
    expect(resolveRegion("amazon.nova-pro-v1:0", "eusc-de-east-1")).toBe("eusc-de-east-1");
    expect(parseArn("arn:aws-cn:bedrock:cn-north-1:1:imported-model/x")).toEqual({
      partition: "aws-cn",
      region: "cn-north-1",
    });
  });

  it("knows every host AWS's own SDK signs Bedrock calls for as AWS's: FIPS and dual-stack ones, in every partition (codereview29 #5)", () => {
    const sdk = new BedrockRuntimeClient({
      region: "us-east-1",
      credentials: { accessKeyId: "a", secretAccessKey: "b" },
    });
    const regions = ["us-east-1", "us-gov-west-1", "cn-north-1", "us-iso-east-1", "us-isob-east-1", "us-isof-south-1"];
    regions.push("eu-isoe-west-1", "eusc-de-east-1");
    const hosts: string[] = [];
    for (const Region of regions) {
      for (const UseFIPS of [false, true]) {
        for (const UseDualStack of [false, true]) {
          hosts.push(sdk.config.endpointProvider({ Region, UseFIPS, UseDualStack }).url.hostname);
        }
      }
    }
    expect(hosts).toContain("bedrock-runtime.us-east-1.api.aws");
    expect(hosts).toContain("bedrock-runtime.us-iso-east-1.api.aws.ic.gov");
    expect(hosts).toContain("bedrock-runtime.eusc-de-east-1.amazonaws.eu");
    for (const host of hosts) {
      expect(isAwsHost(host), host).toBe(true);
      expect(isAwsHost(`${host.toUpperCase()}.`), host).toBe(true);
    }
    expect(isAwsHost("vpce-0123-abcd.bedrock-runtime.us-east-1.vpce.amazonaws.com")).toBe(true);
    // A suffix itself is AWS's host too.
    for (const host of ["amazonaws.com", "api.aws"]) expect(isAwsHost(host), host).toBe(true);
    for (const host of [
      "localhost",
      "127.0.0.1",
      "bedrock.test.example",
      "amazonaws.com.evil.example",
      "notamazonaws.com",
    ]) {
      expect(isAwsHost(host), host).toBe(false);
    }
    expect(isAwsHost("amazonaws.com..")).toBe(false);
  });

  it("names no host for anything but a region: bedrock-edge/core exports bedrockBaseUrl", () => {
    for (const bad of ["x/@evil.example/", "us-east-1.evil.example:443/", "evil.example#", "US-EAST-1", "", "a"]) {
      expect(() => bedrockBaseUrl(bad), bad).toThrow(
        expect.objectContaining({
          status: 400,
          param: "region",
          message: `"${bad}" is not an AWS region (expected e.g. us-east-1).`,
        }),
      );
    }
  });

  it("sends a bare model id to its region's partition, as its ARN would be", async () => {
    const hosts: string[] = [];
    const fetch = async (input: RequestInfo | URL) => {
      hosts.push(new URL(input instanceof Request ? input.url : input).host);
      return Response.json({
        output: { message: { role: "assistant", content: [{ text: "ok" }] } },
        stopReason: "end_turn",
      });
    };
    const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" };
    const messages = [{ role: "user" as const, content: "hi" }];
    const bare = createBedrock({ region: "cn-north-1", credentials, fetch, maxRetries: 0 });
    await bare.chat.completions.create({ model: "bedrock/converse/amazon.nova-pro-v1:0", messages });
    const byArn = createBedrock({ credentials, fetch, maxRetries: 0 });
    const arn = "arn:aws-cn:bedrock:cn-north-1::foundation-model/amazon.nova-pro-v1:0";
    await byArn.chat.completions.create({ model: `bedrock/converse/${arn}`, messages });
    expect(hosts).toEqual([
      "bedrock-runtime.cn-north-1.amazonaws.com.cn",
      "bedrock-runtime.cn-north-1.amazonaws.com.cn",
    ]);
  });

  it("refuses ids that could escape their segment or smuggle characters", () => {
    for (const bad of ["..", ".", "../x", "a b", "a%2Fb", "a\r\nb", "a?b", "a#b", "", "x".repeat(3000)]) {
      expect(() => validateModelId(bad), JSON.stringify(bad)).toThrow();
    }
    expect(validateModelId(ARN)).toBe(ARN);
  });

  it("refuses a slash in an id that is no ARN, and takes each ARN Bedrock calls (their resources hold one)", () => {
    for (const bad of ["a/b", "us-east-1/a", "anthropic.claude-v2/x", "x/"]) {
      expect(() => validateModelId(bad), bad).toThrow(/"\/" only in an ARN/);
    }
    for (const good of [
      "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc123def456",
      "arn:aws:bedrock:us-east-1:123456789012:custom-model/amazon.titan-text-express-v1:0:8k/abc123def456",
      "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-20250514-v1:0",
      "arn:aws-us-gov:bedrock:us-gov-west-1::foundation-model/meta.llama3-8b-instruct-v1:0",
      "arn:aws:sagemaker:us-east-1:123456789012:endpoint/my-endpoint",
      "us.anthropic.claude-sonnet-4-20250514-v1:0",
      "my_imported-model.v2",
    ]) {
      expect(validateModelId(good)).toBe(good);
    }
  });

  it("validates an endpoint override", () => {
    expect(normaliseEndpoint("http://127.0.0.1:4010/")).toBe("http://127.0.0.1:4010");
    // Every trailing slash, however many; slashes inside the path stay.
    expect(normaliseEndpoint("http://127.0.0.1:4010/proxy///")).toBe("http://127.0.0.1:4010/proxy");
    expect(normaliseEndpoint(`http://127.0.0.1:4010/a${"/".repeat(40_000)}b/`)).toBe(
      `http://127.0.0.1:4010/a${"/".repeat(40_000)}b`,
    );
    expect(normaliseEndpoint("https://vpce-1.bedrock-runtime.us-east-1.vpce.amazonaws.com")).toBe(
      "https://vpce-1.bedrock-runtime.us-east-1.vpce.amazonaws.com",
    );
    expect(() => normaliseEndpoint("ftp://x")).toThrow();
    expect(() => normaliseEndpoint("https://x/?a=1")).toThrow();
    expect(() => normaliseEndpoint("https://user:pw@x")).toThrow();
    expect(() => normaliseEndpoint("not a url")).toThrow();
  });

  it("refuses a bare ? or #, after which every call's path would go", () => {
    for (const endpoint of ["https://x/?", "https://x?", "https://x/#", "https://x/prefix?", "https://x/?#"]) {
      expect(() => normaliseEndpoint(endpoint), endpoint).toThrow(/must not carry a query, a fragment/);
    }
  });
});
