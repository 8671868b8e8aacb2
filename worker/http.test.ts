import { describe, expect, it } from "vitest";
import { bedrockException, BedrockEdgeError } from "../src/errors.ts";
import { asProxyError, errorResponse, shortenArns } from "./http.ts";

const PRINCIPAL = "arn:aws:sts::123456789012:assumed-role/BedrockCaller/session-42";
const MODEL = "arn:aws:bedrock:us-east-1:123456789012:imported-model/abc123";
const DENIED = `User: ${PRINCIPAL} is not authorized to perform: bedrock:InvokeModel on resource: ${MODEL} because no identity-based policy allows the bedrock:InvokeModel action`;

async function bodyOf(response: Response): Promise<{ error: { message: string; code: string | null; type: string } }> {
  return (await response.json()) as { error: { message: string; code: string | null; type: string } };
}

describe("ARNs in what clients are told", () => {
  it("an AccessDenied from Bedrock is a 502 upstream_auth_failed naming no account, no principal, no model ARN", async () => {
    const response = errorResponse(asProxyError(bedrockException("AccessDeniedException", DENIED, 403)));
    expect(response.status).toBe(502);
    const { error } = await bodyOf(response);
    expect(error.code).toBe("upstream_auth_failed");
    expect(error.message).not.toContain("123456789012");
    expect(error.message).not.toContain("BedrockCaller");
    expect(error.message).toContain(
      "User: arn:… is not authorized to perform: bedrock:InvokeModel on resource: arn:… because",
    );
  });

  it("any other error's message is shortened the same way", async () => {
    const invalid = bedrockException("ValidationException", `Model ${MODEL}, "${MODEL}", 'x' failed`, 400);
    const { error } = await bodyOf(errorResponse(asProxyError(invalid)));
    expect(error.message).toBe(`Model arn:…, "arn:…", 'x' failed`);
    expect(error.code).toBe("invalid_request");
  });

  it("the log keeps the whole message: operators need to know which principal was refused", () => {
    const mapped = asProxyError(bedrockException("AccessDeniedException", DENIED, 403));
    expect(mapped.code).toBe("upstream_auth_failed");
    expect(mapped.message).toContain(PRINCIPAL);
  });

  it("shortenArns leaves text without ARNs alone, and 'bedrock:InvokeModel' is not an ARN", () => {
    expect(shortenArns("not authorized to perform: bedrock:InvokeModel")).toBe(
      "not authorized to perform: bedrock:InvokeModel",
    );
    expect(shortenArns(`bedrock/llama/${MODEL}`)).toBe("bedrock/llama/arn:…");
    const plain = new BedrockEdgeError({ status: 404, message: "nothing here", code: "x" });
    expect(asProxyError(plain)).toBe(plain);
  });
});
