// Responses the proxy writes: OpenAI-shaped JSON, OpenAI error bodies (ARNs shortened), SSE headers.
import { BedrockEdgeError, type OpenAIErrorBody } from "../src/errors.ts";

export const SSE_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  // Tells nginx-style buffers in front of a Node server to pass chunks straight on.
  "x-accel-buffering": "no",
};

export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8" } });
}

/** Any failure as `{"error":{"message","type","param","code"}}`, with the status asProxyError gives it. */
export function errorResponse(error: unknown): Response {
  const known = asProxyError(error);
  return jsonResponse(bodyForClient(known), known.status);
}

/** Any failure as the error object a client may see (an SSE error event carries it too). */
export function clientErrorBody(error: unknown): OpenAIErrorBody {
  return bodyForClient(asProxyError(error));
}

function bodyForClient(error: BedrockEdgeError): OpenAIErrorBody {
  const body = error.toJSON();
  body.error.message = shortenArns(body.error.message);
  return body;
}

// Any ARN: arn:<partition>:<service>:<region>:<account>:<resource>, up to a space, quote or comma.
const ARN = /\barn:[^\s"',]+/g;

/**
 * ARNs name the AWS account, and in Bedrock's AccessDenied messages the IAM role and session
 * too: "User: arn:aws:sts::…:assumed-role/… is not authorized … on resource: arn:aws:bedrock:…".
 * Clients (and the unauthenticated /health) get "arn:…" instead; the log keeps them whole.
 */
export function shortenArns(text: string): string {
  return text.replace(ARN, "arn:…");
}

/** A request the proxy itself refuses (auth, config, routing). */
export function refusal(status: number, message: string, code: string): BedrockEdgeError {
  return new BedrockEdgeError({ status, message, code });
}

/**
 * The proxy's view of a failure, whole (the log line's). Anything not already ours becomes a
 * 500 that tells nothing internal. Bedrock refusing the proxy's own AWS credentials (401/403)
 * is the operator's problem, not the caller's: passed on as is, SDKs would report the caller's
 * key as wrong.
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
