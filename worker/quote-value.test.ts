import { describe, expect, it } from "vitest";
import { kindOf, mayBeSecret, quoteUrl, quoteValue, URL_LENGTH } from "./quote-value.ts";

// An AWS secret access key, an OpenAI-style key, a UUID, an access key id, a Bedrock API key.
const SECRETS = [
  "wJalrXUtnFEMI/K7MDENG+bPxRfiCYzzSECRETzz",
  "sk-live-zzPROXYSECRET00000000000001",
  "123e4567-e89b-12d3-a456-426614174000",
  "AKIAZZSECRETAKID0001",
  "ABSKQmVkcm9ja0FQSUtleS1zZWNyZXQ=",
];

describe("a binding's value in a problem", () => {
  it("is quoted when it could be what its setting wants", () => {
    expect(quoteValue("mars-1")).toBe('"mars-1"');
    expect(quoteValue("lots")).toBe('"lots"');
    expect(quoteValue("3000000000")).toBe('"3000000000"');
    expect(quoteValue(" ")).toBe('" "');
    expect(quoteValue(1.5)).toBe("1.5");
    expect(quoteValue(true)).toBe("true");
    expect(quoteValue("https://frontend.staging.example.com/", URL_LENGTH)).toBe(
      '"https://frontend.staging.example.com/"',
    );
    expect(quoteValue("vpce-0a1b2c3d.bedrock-runtime.us-east-1.vpce.amazonaws.com", URL_LENGTH)).toBe(
      '"vpce-0a1b2c3d.bedrock-runtime.us-east-1.vpce.amazonaws.com"',
    );
  });

  it("is only its length when longer than such a value is, or shaped like a key", () => {
    // Longer than a region, a number or a flag.
    expect(quoteValue("us-east-1-and-then-some")).toBe("[redacted: 23 characters]");
    for (const secret of SECRETS) {
      expect(mayBeSecret(secret), secret).toBe(true);
      expect(quoteValue(secret, URL_LENGTH)).toBe(`[redacted: ${secret.length} characters]`);
      expect(quoteValue(`https://${secret}.example.com/`, URL_LENGTH)).toMatch(/^\[redacted: \d+ characters\]$/);
    }
    // Short, but begins as a key does.
    expect(quoteValue("sk-one")).toBe("[redacted: 6 characters]");
    expect(quoteValue("x".repeat(URL_LENGTH + 1), URL_LENGTH)).toBe(`[redacted: ${URL_LENGTH + 1} characters]`);
  });

  it("an origin or a URL is quoted when its host's labels and path's segments are no key's, a real VPC endpoint's or a long preview host's included (codereview12 #4)", () => {
    for (const url of [
      "https://vpce-0a1b2c3d4e5f67890-abcdefgh.bedrock-runtime.us-east-1.vpce.amazonaws.com",
      "https://my-shop-frontend-staging.vercel.app/",
      "https://frontend.staging.example.com/",
    ]) {
      expect(quoteUrl(url)).toBe(JSON.stringify(url));
    }
    // Keys stay hidden, in a URL's shape or not.
    for (const secret of SECRETS) {
      expect(quoteUrl(secret)).toBe(`[redacted: ${secret.length} characters]`);
      expect(quoteUrl(`https://${secret}.example.com/`)).toMatch(/^\[redacted: \d+ characters\]$/);
    }
  });

  it("is told by its kind when it is neither a string, a number nor a boolean", () => {
    expect(quoteValue(["us-east-2"])).toBe("a list");
    expect(quoteValue({ toString: 1 })).toBe("an object");
    expect(quoteValue(null)).toBe("null");
    expect(kindOf(5)).toBe("a number");
    expect(kindOf(false)).toBe("true or false");
  });
});
