import { describe, expect, it } from "vitest";
import { bedrockException } from "../src/bedrock-errors.ts";
import { BedrockEdgeError } from "../src/errors.ts";
import { asProxyError, errorResponse, maskAwsIds, methodNotAllowed, retryAfterSeconds } from "./http.ts";

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

  it("a bare account id in an upstream message is masked too", async () => {
    const denied = bedrockException(
      "AccessDeniedException",
      "Account 123456789012 is not authorized to invoke models owned by 210987654321.",
      403,
    );
    const { error } = await bodyOf(errorResponse(asProxyError(denied)));
    expect(error.message).toContain(
      "(AccessDeniedException: Account … is not authorized to invoke models owned by ….)",
    );
    expect(error.message).not.toMatch(/\d{12}/);
  });

  it("maskAwsIds leaves text without ARNs or account ids alone, and 'bedrock:InvokeModel' is not an ARN", () => {
    expect(maskAwsIds("not authorized to perform: bedrock:InvokeModel")).toBe(
      "not authorized to perform: bedrock:InvokeModel",
    );
    expect(maskAwsIds("max_tokens 1000000 of 12345678901234 tokens, id abc123456789012")).toBe(
      "max_tokens 1000000 of 12345678901234 tokens, id abc123456789012",
    );
    expect(maskAwsIds(`bedrock/llama/${MODEL}`)).toBe("bedrock/llama/arn:…");
    const plain = new BedrockEdgeError({ status: 404, message: "nothing here", code: "x" });
    expect(asProxyError(plain)).toBe(plain);
  });
});

describe("answers that tell the client when or how to try again", () => {
  it("a 405 names the allowed methods in Allow and in an OpenAI error body", async () => {
    const response = errorResponse(methodNotAllowed("GET", "/v1/chat/completions", ["POST"]));
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
    expect((await bodyOf(response)).error).toMatchObject({
      type: "invalid_request_error",
      code: "method_not_allowed",
      message: "GET is not allowed on /v1/chat/completions: use POST.",
    });
  });

  it("Retry-After is upstream's when it said, rounded up to whole seconds, else a default", () => {
    const throttled = (retryAfterMs?: number) =>
      bedrockException("ThrottlingException", "Too many requests", 429, { retryAfterMs });
    expect(retryAfterSeconds(throttled(2500))).toBe(3);
    expect(retryAfterSeconds(throttled(10))).toBe(1);
    expect(retryAfterSeconds(throttled())).toBe(5);
    expect(retryAfterSeconds(bedrockException("ModelNotReadyException", "warming", 429))).toBe(30);
    expect(retryAfterSeconds(undefined)).toBe(5);
  });
});
