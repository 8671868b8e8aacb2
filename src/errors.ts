// The one error type of bedrock-edge, and every mapping that makes one.
// Bedrock exception names, HTTP statuses and OpenAI error types meet here and nowhere else.
import { parseRetryAfter } from "./aws/retry.ts";
import { parseJsonObject } from "./json.ts";

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export interface BedrockEdgeErrorInit {
  status: number;
  message: string;
  type?: string;
  code?: string | null;
  param?: string | null;
  /** The Bedrock exception name, e.g. `ThrottlingException`, when Bedrock said so. */
  bedrockError?: string;
  /** From `retry-after` / `retry-after-ms`, when the upstream asked for a pause. */
  retryAfterMs?: number;
  /** Bedrock itself answered with this error (see BedrockEdgeError.fromBedrock). */
  fromBedrock?: boolean;
  cause?: unknown;
}

export class BedrockEdgeError extends Error {
  override readonly name = "BedrockEdgeError";
  readonly status: number;
  readonly type: string;
  readonly code: string | null;
  readonly param: string | null;
  readonly bedrockError: string | undefined;
  readonly retryAfterMs: number | undefined;
  /**
   * True when Bedrock itself answered with this error: an error status or a stream exception
   * frame. With network failures, these are the only errors worth retrying; the ones this
   * library raised (a timeout, a malformed answer, missing credentials) would only fail again.
   */
  readonly fromBedrock: boolean;

  constructor(init: BedrockEdgeErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.type = init.type ?? typeForStatus(init.status);
    this.code = init.code ?? null;
    this.param = init.param ?? null;
    this.bedrockError = init.bedrockError;
    this.retryAfterMs = init.retryAfterMs;
    this.fromBedrock = init.fromBedrock ?? false;
  }

  /** The OpenAI error body: `{"error":{"message","type","param","code"}}`. */
  toJSON(): OpenAIErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export function isBedrockEdgeError(value: unknown): value is BedrockEdgeError {
  return value instanceof BedrockEdgeError;
}

/** OpenAI's error `type` for a status, as its API uses them. */
export function typeForStatus(status: number): string {
  if (status === 400 || status === 404 || status === 409 || status === 413 || status === 422) {
    return status === 404 ? "not_found_error" : "invalid_request_error";
  }
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 408 || status === 504) return "timeout_error";
  if (status === 429) return "rate_limit_error";
  return status >= 500 ? "server_error" : "api_error";
}

interface ExceptionRow {
  status: number;
  code: string;
}

// ARCHITECTURE.md, "Errors". A stream's exception names differ only in their first letter
// (`throttlingException`): exceptionName() normalises them.
const EXCEPTIONS: Record<string, ExceptionRow> = {
  ValidationException: { status: 400, code: "invalid_request" },
  AccessDeniedException: { status: 403, code: "access_denied" },
  UnrecognizedClientException: { status: 401, code: "invalid_aws_credentials" },
  InvalidSignatureException: { status: 401, code: "invalid_aws_signature" },
  ExpiredTokenException: { status: 401, code: "expired_aws_token" },
  ResourceNotFoundException: { status: 404, code: "model_not_found" },
  ThrottlingException: { status: 429, code: "rate_limit_exceeded" },
  ModelNotReadyException: { status: 429, code: "model_not_ready" },
  ServiceQuotaExceededException: { status: 429, code: "quota_exceeded" },
  ModelTimeoutException: { status: 408, code: "model_timeout" },
  ModelErrorException: { status: 424, code: "model_error" },
  ModelStreamErrorException: { status: 424, code: "model_stream_error" },
  ServiceUnavailableException: { status: 503, code: "service_unavailable" },
  InternalServerException: { status: 500, code: "internal_server_error" },
};

const CONTEXT_LENGTH =
  /context length|context window|too many tokens|maximum (input|prompt) length|input is too long|prompt is too long/i;

/**
 * Normalises an exception name from `x-amzn-ErrorType` (`Name:http://…`), a JSON `__type`
 * (`com.amazon…#Name`) or an event-stream `:exception-type` (`throttlingException`).
 */
export function exceptionName(raw: string): string {
  let name = raw.split(":")[0] ?? "";
  const hash = name.lastIndexOf("#");
  if (hash >= 0) name = name.slice(hash + 1);
  name = name.trim();
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** Builds the error for a Bedrock exception; `fallbackStatus` serves names not in the table. */
export function bedrockException(
  rawName: string | undefined,
  message: string,
  fallbackStatus: number,
  extra: { retryAfterMs?: number; secrets?: readonly string[] } = {},
): BedrockEdgeError {
  const name = rawName ? exceptionName(rawName) : undefined;
  const row = name ? EXCEPTIONS[name] : undefined;
  const status = row?.status ?? normaliseStatus(fallbackStatus);
  const clean = redactSecrets(message, extra.secrets) || name || `Bedrock answered ${status}`;
  const code = status === 400 && CONTEXT_LENGTH.test(clean) ? "context_length_exceeded" : (row?.code ?? null);
  return new BedrockEdgeError({
    status,
    message: clean,
    code,
    bedrockError: name,
    retryAfterMs: extra.retryAfterMs,
    fromBedrock: true,
  });
}

/** Bedrock's error answer (status, headers, body text) -> the one error type, keeping its exception name. */
export function errorFromResponse(response: Response, text: string, secrets: readonly string[] = []): BedrockEdgeError {
  const json = parseJsonObject(text);
  const header = response.headers.get("x-amzn-errortype") ?? undefined;
  const bodyType =
    typeof json?.__type === "string" ? json.__type : typeof json?.code === "string" ? json.code : undefined;
  const rawMessage = json
    ? String(json.message ?? json.Message ?? "")
    : response.headers.get("content-type")?.includes("html")
      ? ""
      : text.trim();
  return bedrockException(header ?? bodyType, rawMessage, response.status, {
    retryAfterMs: parseRetryAfter(response.headers),
    secrets,
  });
}

function normaliseStatus(status: number): number {
  return Number.isInteger(status) && status >= 400 && status <= 599 ? status : 502;
}

/** A request we refuse before sending anything: 400 naming the parameter. */
export function invalidRequest(
  message: string,
  param: string | null = null,
  code: string | null = null,
): BedrockEdgeError {
  return new BedrockEdgeError({ status: 400, message, param, code });
}

/** Bedrock answered something this library cannot use, or the connection failed (502). */
export function badUpstream(message: string, code = "bad_upstream_response", cause?: unknown): BedrockEdgeError {
  return new BedrockEdgeError({ status: 502, type: "server_error", code, message, cause });
}

/** One of this library's own time limits passed (504). */
export function upstreamTimeout(message: string): BedrockEdgeError {
  return new BedrockEdgeError({ status: 504, code: "upstream_timeout", message });
}

/** The deployment, not the caller, is at fault: credentials, a model's settings (500). */
export function configurationError(message: string, code: string, cause?: unknown): BedrockEdgeError {
  return new BedrockEdgeError({ status: 500, type: "server_error", code, message, cause });
}

export function modelNotFound(name: string): BedrockEdgeError {
  return new BedrockEdgeError({
    status: 404,
    code: "model_not_found",
    param: "model",
    message: `The model "${name.slice(0, 200)}" does not exist here; GET /v1/models lists the configured names.`,
  });
}

/** ModelNotReadyException for longer than the wait budget: still a 429, with what Bedrock said. */
export function modelNeverReady(last: BedrockEdgeError, waitedMs: number): BedrockEdgeError {
  return new BedrockEdgeError({
    status: 429,
    code: "model_not_ready",
    bedrockError: last.bedrockError,
    message: `The imported model was still not ready after ${Math.round(waitedMs / 1000)} s of waiting (modelReadyTimeoutMs); it may still be starting, try again shortly. Bedrock said: ${last.message}`,
  });
}

const MAX_MESSAGE_CHARS = 1000;

/**
 * A secret as it may be echoed back: as it is, and percent-encoded the way a URL or a canonical
 * request writes it (a session token or secret key holding `/`, `+` or `=`), in either case.
 */
function secretForms(secret: string): string[] {
  const encoded = encodeURIComponent(secret);
  if (encoded === secret) return [secret];
  const lower = encoded.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase());
  return lower === encoded ? [secret, encoded] : [secret, encoded, lower];
}

/**
 * Removes what must never leave the process: known secret values (plain or percent-encoded),
 * and anything shaped like a signature, an access key or a token. AWS echoes the canonical
 * request (which holds the session token) on signature mismatches, so that part is cut entirely.
 */
export function redactSecrets(message: string, secrets: readonly string[] = []): string {
  let out = message;
  const cut = out.search(/The Canonical String for this request should have been|The String-to-Sign should have been/);
  if (cut >= 0) out = out.slice(0, cut).trimEnd();
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    for (const form of secretForms(secret)) out = out.split(form).join("[redacted]");
  }
  out = out
    .replace(/\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{12,}\b/g, "[redacted]")
    .replace(/\b[0-9a-f]{64}\b/gi, "[redacted]")
    .replace(/(Signature=|Credential=|Bearer\s+|X-Amz-Security-Token[=:]\s*)[^\s,;"']+/gi, "$1[redacted]");
  return out.length > MAX_MESSAGE_CHARS ? `${out.slice(0, MAX_MESSAGE_CHARS)}…` : out;
}

/** The same error naming another field: a caller's own name for what a lower layer called `param`. */
export function renamedParam(error: BedrockEdgeError, param: string | null, message: string): BedrockEdgeError {
  return new BedrockEdgeError({
    status: error.status,
    type: error.type,
    code: error.code,
    param,
    message,
    bedrockError: error.bedrockError,
    retryAfterMs: error.retryAfterMs,
    cause: error.cause,
  });
}
