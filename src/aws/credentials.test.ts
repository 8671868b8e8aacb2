import { describe, expect, it } from "vitest";
import { BedrockEdgeError } from "../errors.ts";
import { errorOf } from "../../test/helpers/errors.ts";
import { resolveAuth } from "./credentials.ts";

const CREDENTIALS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };

describe("resolveAuth", () => {
  it("uses an API key when credentials are given too (routing/credentials-key.ts keys copies by it)", async () => {
    expect(await resolveAuth({ apiKey: "bedrock-api-key", credentials: CREDENTIALS })).toEqual({
      kind: "apiKey",
      apiKey: "bedrock-api-key",
    });
    expect(await resolveAuth({ apiKey: "bedrock-api-key", credentials: async () => CREDENTIALS })).toEqual({
      kind: "apiKey",
      apiKey: "bedrock-api-key",
    });
  });

  it("a provider that throws is missing_credentials saying so, never its own message (which may quote what it read)", async () => {
    const secret = "the provider read wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    for (const provider of [
      () => {
        throw new Error(secret);
      },
      async () => {
        throw new TypeError(secret);
      },
    ]) {
      const error = await errorOf(async () => resolveAuth({ credentials: provider }), BedrockEdgeError);
      expect(error.code).toBe("missing_credentials");
      expect(error.message).toBe("The credentials provider failed.");
      expect(JSON.stringify(error)).not.toContain("wJalrXUtnFEMI");
    }
  });

  it("refuses credentials with an empty key string, given or provided, without quoting them", async () => {
    for (const credentials of [
      { ...CREDENTIALS, accessKeyId: "" },
      { ...CREDENTIALS, secretAccessKey: "" },
    ]) {
      for (const option of [credentials, async () => credentials]) {
        const error = await errorOf(async () => resolveAuth({ credentials: option }), BedrockEdgeError);
        expect(error.code).toBe("missing_credentials");
        expect(error.message).not.toContain(CREDENTIALS.secretAccessKey);
        expect(error.message).not.toContain(CREDENTIALS.accessKeyId);
      }
    }
  });
});
