import { describe, expect, it } from "vitest";
import type { ModelDeployment } from "../model.ts";
import { credentialsKey } from "./credentials-key.ts";

const copy = (own: Partial<ModelDeployment>): ModelDeployment => ({
  index: 2,
  key: "us.meta.llama3-3-70b-instruct-v1:0@us-east-1",
  modelId: "us.meta.llama3-3-70b-instruct-v1:0",
  region: "us-east-1",
  weight: 1,
  ...own,
});

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

describe("a copy's key", () => {
  const east = { accessKeyId: "AKIAEASTEXAMPLE00001", secretAccessKey: "east-secret-value" };
  const west = { accessKeyId: "AKIAWESTEXAMPLE00002", secretAccessKey: "west-secret-value" };

  it("is its model id and region without credentials of its own", async () => {
    expect(await credentialsKey(copy({}))).toBe("us.meta.llama3-3-70b-instruct-v1:0@us-east-1");
  });

  it("names its own credentials by 12 hex digits of a SHA-256 digest, never with them", async () => {
    const base = copy({}).key;
    const keys = [
      await credentialsKey(copy({ credentials: east })),
      await credentialsKey(copy({ credentials: west })),
      await credentialsKey(copy({ apiKey: "bedrock-api-key-secret" })),
      await credentialsKey(copy({ apiKey: "bedrock-api-key-secret", credentials: east })),
      await credentialsKey(copy({ credentials: async () => west })),
    ];
    expect(keys).toEqual([
      `${base}#aws-${(await sha256Hex(east.accessKeyId)).slice(0, 12)}`,
      `${base}#aws-${(await sha256Hex(west.accessKeyId)).slice(0, 12)}`,
      `${base}#key-${(await sha256Hex("bedrock-api-key-secret")).slice(0, 12)}`,
      // An API key is what signs when both are given.
      `${base}#key-${(await sha256Hex("bedrock-api-key-secret")).slice(0, 12)}`,
      `${base}#provider-2`,
    ]);
    for (const secret of [...Object.values(east), ...Object.values(west), "bedrock-api-key-secret"]) {
      expect(keys.join(" ")).not.toContain(secret);
    }
  });
});
