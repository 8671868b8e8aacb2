// CORS on every response, so a page on another origin (a browser test) can call the emulator.

const ALLOW_HEADERS = [
  "authorization",
  "content-type",
  "accept",
  "x-amz-date",
  "x-amz-security-token",
  "x-amz-content-sha256",
  "x-amzn-bedrock-accept",
  "x-amz-user-agent",
  "amz-sdk-invocation-id",
  "amz-sdk-request",
].join(", ");

const EXPOSE_HEADERS = [
  "x-amzn-ErrorType",
  "x-amzn-RequestId",
  "x-amzn-bedrock-input-token-count",
  "x-amzn-bedrock-output-token-count",
  "x-amzn-bedrock-invocation-latency",
  "x-amzn-bedrock-content-type",
].join(", ");

export function corsHeaders(): Headers {
  return new Headers({
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Headers": ALLOW_HEADERS,
    "Access-Control-Expose-Headers": EXPOSE_HEADERS,
  });
}

/** The answer to an `OPTIONS` preflight. */
export function preflightResponse(): Response {
  const headers = corsHeaders();
  headers.set("Access-Control-Allow-Methods", "POST, OPTIONS");
  headers.set("Access-Control-Max-Age", "600");
  return new Response(null, { status: 204, headers });
}
