import { describe, expect, it } from "vitest";
import { bedrockException, errorFromResponse } from "../bedrock-errors.ts";
import { badUpstream, upstreamTimeout } from "../errors.ts";
import { unbilledRefusal } from "./attempt-usage.ts";

describe("unbilledRefusal: Bedrock's error answer refusing a call before its model ran", () => {
  it("is a throttle, a cold model, a refusal of the request or of the credentials, a 5xx answer", () => {
    for (const [name, status] of [
      ["ThrottlingException", 429],
      ["ModelNotReadyException", 429],
      ["ValidationException", 400],
      ["AccessDeniedException", 403],
      ["ServiceUnavailableException", 503],
    ] as const) {
      expect(unbilledRefusal(bedrockException(name, "x", status))).toBe(true);
    }
    expect(unbilledRefusal(errorFromResponse(new Response("{}", { status: 500 }), "{}"))).toBe(true);
  });

  it("is not an exception in a stream that had begun, ModelTimeoutException or ModelErrorException (the model ran), nor an error of ours", () => {
    expect(unbilledRefusal(bedrockException("ModelStreamErrorException", "x", 500, { inStream: true }))).toBe(false);
    expect(unbilledRefusal(bedrockException("ThrottlingException", "x", 429, { inStream: true }))).toBe(false);
    expect(unbilledRefusal(bedrockException("ModelTimeoutException", "x", 408))).toBe(false);
    expect(unbilledRefusal(bedrockException("ModelErrorException", "x", 424))).toBe(false);
    expect(unbilledRefusal(upstreamTimeout("late"))).toBe(false);
    expect(unbilledRefusal(badUpstream("lost", "upstream_connection_lost"))).toBe(false);
    expect(unbilledRefusal(new DOMException("gone", "AbortError"))).toBe(false);
  });
});
