// The proxy reference's MODELS example of one model served by several copies (docs/PROXY-REFERENCE.md,
// Deployments and failover), read as the proxy reads MODELS, with each binding it names set: it
// has no problem, and each copy's credentials come from where the example puts them, a Bedrock
// API key's binding beside `model` (docsdrift49a #5: the page put it in `credentials`, which takes
// the whole proxy down).
import { describe, expect, it } from "vitest";
import { parseConfig } from "../worker/config.ts";
import { readmeSnippet } from "./helpers/readme.ts";

const SECRET = "secret/value+that+must+never+be+shown000";
const BEARER = `ABSK${"QmVkcm9ja0FQSUtleS1leGFtcGxl".repeat(2)}`;

describe("the proxy reference's deployments example", () => {
  it("is a MODELS the proxy takes, each copy signed with the credentials the bindings it names hold", () => {
    const { lang, code } = readmeSnippet("proxy-deployments");
    expect(lang).toBe("json");
    const result = parseConfig({
      MODELS: code,
      PROXY_API_KEYS: "sk-docs-example",
      AWS_ACCESS_KEY_ID: "AKIAEXAMPLEEXAMPLE12",
      AWS_SECRET_ACCESS_KEY: SECRET,
      AWS_ACCESS_KEY_ID_WEST: "AKIAEXAMPLEWEST00012",
      AWS_SECRET_ACCESS_KEY_WEST: SECRET,
      AWS_BEARER_TOKEN_BEDROCK_EU: BEARER,
    } as Parameters<typeof parseConfig>[0]);
    expect(result.ok ? [] : result.problems).toEqual([]);
    if (!result.ok) return;
    const entry = result.config.models.qwen;
    expect(entry).toMatchObject({
      deployments: [
        { model: expect.stringContaining(":us-east-1:") },
        {
          model: expect.stringContaining(":us-west-2:"),
          credentials: { accessKeyId: "AKIAEXAMPLEWEST00012", secretAccessKey: SECRET },
        },
        { model: expect.stringContaining(":eu-west-1:"), apiKey: BEARER },
      ],
    });
    const deployments = entry && "deployments" in entry ? entry.deployments : [];
    expect(deployments).toHaveLength(3);
    // The first signs with the proxy's own AWS_* secrets; the third with its key alone.
    expect(deployments[0]?.credentials).toBeUndefined();
    expect(deployments[0]?.apiKey).toBeUndefined();
    expect(deployments[2]?.credentials).toBeUndefined();
  });
});
