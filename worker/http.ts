// Responses the proxy writes: OpenAI-shaped JSON, OpenAI error bodies, SSE headers.
import { BedrockEdgeError } from "../src/errors.ts";

export const SSE_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  // Tells nginx-style buffers in front of a Node server to pass chunks straight on.
  "x-accel-buffering": "no",
};

export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8" } });
}

/** `{"error":{"message","type","param","code"}}` with the error's status. */
export function errorResponse(error: BedrockEdgeError): Response {
  return jsonResponse(error.toJSON(), error.status);
}

/** A request the proxy itself refuses (auth, config, routing). */
export function refusal(status: number, message: string, code: string): BedrockEdgeError {
  return new BedrockEdgeError({ status, message, code });
}

/**
 * The error a proxy client gets. Anything not already ours becomes a 500 that tells nothing
 * internal. Bedrock refusing the proxy's own AWS credentials (401/403) is the operator's
 * problem, not the caller's: passed on as is, SDKs would report the caller's key as wrong.
 */
export function asProxyError(error: unknown): BedrockEdgeError {
  if (!(error instanceof BedrockEdgeError)) return refusal(500, "The proxy failed unexpectedly.", "internal_error");
  if (error.bedrockError && (error.status === 401 || error.status === 403)) return upstreamAuthFailure(error);
  return error;
}

function upstreamAuthFailure(error: BedrockEdgeError): BedrockEdgeError {
  return new BedrockEdgeError({
    status: 502,
    type: "server_error",
    code: "upstream_auth_failed",
    bedrockError: error.bedrockError,
    message: `Bedrock refused this proxy's AWS credentials (${error.bedrockError}: ${error.message}). The proxy's operator must fix its AWS_* secrets or IAM permissions.`,
  });
}
