// Responses the proxy writes: OpenAI-shaped JSON, OpenAI error bodies (AWS identifiers masked),
// the headers every answer carries, and the proxy's own refusals.
import { modelNotFound } from "../src/core.ts";
import { BedrockEdgeError, type OpenAIErrorBody } from "../src/index.ts";
import { bytesSource, madeFrom, streamOf } from "./delivery.ts";

export const SSE_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  // Tells nginx-style buffers in front of a Node server to pass chunks straight on.
  "x-accel-buffering": "no",
};

const encoder = new TextEncoder();

// A key may travel in x-api-key, which no shared cache knows to key on (only Authorization keeps
// an answer out of one): a cache in front would serve one key's model list, usage or error to a
// caller with another key, or with none. No answer of the proxy is for storing.
const JSON_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "application/json; charset=utf-8",
  "cache-control": "no-store",
};

export function jsonResponse(body: unknown, status = 200): Response {
  const source = bytesSource(encoder.encode(JSON.stringify(body)));
  const headers = JSON_HEADERS;
  return madeFrom(new Response(streamOf(source), { status, headers }), source);
}

/**
 * Any failure as `{"error":{"message","type","param","code"}}`, with the status asProxyError gives
 * it, and `x-should-retry: false` when a client's retry cannot succeed (FINAL_CODES).
 */
export function errorResponse(error: unknown): Response {
  const known = asProxyError(error);
  const response = jsonResponse(bodyForClient(known), known.status);
  if ("allow" in known && typeof known.allow === "string") response.headers.set("allow", known.allow);
  if (retryCannotSucceed(known)) response.headers.set("x-should-retry", "false");
  if (known.status === 401) response.headers.set("www-authenticate", challengeFor(known));
  return response;
}

/**
 * RFC 9110 §11.6.1: a 401 names the scheme that would be accepted, here RFC 6750's Bearer (a wrong
 * key is its invalid_token; a missing one has no error). Browsers do not prompt for Bearer.
 */
function challengeFor(error: BedrockEdgeError): string {
  const realm = 'Bearer realm="bedrock-edge"';
  return error.code === "invalid_api_key" ? `${realm}, error="invalid_token"` : realm;
}

/**
 * A FINAL_CODES error, unless the proxy's own Retry-After on it says the refusal ends within the
 * longest wait the openai SDKs honour (a key's day in its last minute): the retry they make after
 * that wait passes, and is theirs to make. Bedrock's hint says nothing of when a final error ends.
 */
function retryCannotSucceed(error: BedrockEdgeError): boolean {
  if (error.code === null || !FINAL_CODES.has(error.code)) return false;
  const endsSoon =
    error.retryAfterMs !== undefined && !error.fromBedrock && retryAfterSeconds(error) <= LONGEST_OPENAI_SDK_WAIT_S;
  return !endsSoon;
}

/**
 * The openai SDKs (node and python) retry every 429 and 5xx twice unless the answer says
 * `x-should-retry: false`, which they read before the status, and node 6 sleeps for whatever
 * Retry-After asks, however long (7 backs off on its own past 60 s). These errors fail the same way until the operator acts (the
 * proxy's configuration, its AWS credentials, a model's settings, an endpoint that is not
 * Bedrock's, the usage table's migrations), until Bedrock's quota of the account or the day frees
 * (ServiceQuotaExceededException: the library does not retry it either), or until 00:00 UTC (a key's tokens for the day, Retry-After hours away; in
 * the day's last minute it is left to the retry: retryCannotSucceed): a retry
 * repeats the failure, upstream_auth_failed with another signed call to Bedrock. Throttles,
 * Bedrock's 5xx, timeouts, a cold model and the key's other limits pass: the SDKs retry those.
 * Only here, on HTTP answers: once a stream has begun, nothing is retried.
 */
const FINAL_CODES: ReadonlySet<string> = new Set([
  "tokens_per_day_exceeded",
  "quota_exceeded",
  "proxy_misconfigured",
  "upstream_auth_failed",
  "upstream_redirect",
  "invalid_model_config",
  "missing_credentials",
  "signing_failed",
  "invalid_fetch",
  "usage_table_missing",
]);

/** Any failure as the error object a client may see (an SSE error event carries it too). */
export function clientErrorBody(error: unknown): OpenAIErrorBody {
  return bodyForClient(asProxyError(error));
}

function bodyForClient(error: BedrockEdgeError): OpenAIErrorBody {
  const body = error.toJSON();
  // Well-formed: a message quoting a value cut in the middle of an emoji holds half of it, and
  // Python's client cannot print a lone surrogate.
  body.error.message = maskAwsIds(body.error.message).toWellFormed();
  // So is param, which may name a key the client sent holding half an emoji (left49 #2).
  if (body.error.param) body.error.param = body.error.param.toWellFormed();
  return body;
}

// Any ARN: arn:<partition>:<service>:<region>:<account>:<resource>, up to a space, quote or comma.
const ARN = /\barn:[^\s"',]+/g;
// An AWS account id on its own: twelve digits.
const ACCOUNT_ID = /\b\d{12}\b/g;

/**
 * ARNs name the AWS account, and in Bedrock's AccessDenied messages the IAM role and session
 * too: "User: arn:aws:sts::…:assumed-role/… is not authorized … on resource: arn:aws:bedrock:…";
 * some messages name the account alone. Clients get "arn:…" and "…" instead; the log keeps them.
 */
export function maskAwsIds(text: string): string {
  return text.replace(ARN, "arn:…").replace(ACCOUNT_ID, "…");
}

/** The most of a client's text (a path, a model's name) an answer quotes. */
const MAX_QUOTED = 200;

/** The longest name a model can be configured under (PUBLIC_NAME, src/model.ts). */
export const MAX_MODEL_NAME = 128;

/**
 * A name longer than any model's, told by its length: it cannot be served, and with no part of it
 * quoted (in the log or the 404) none needs redacting, which for a body's 4 MiB of name cost a
 * second to keep the log line's 200 characters (inputcost34 #4). GET /v1/models/{name} counts
 * it the same way (codereview49 #4).
 */
export function byLength(name: string): string | undefined {
  return name.length > MAX_MODEL_NAME ? `(a name of ${name.length} characters)` : undefined;
}

/**
 * A client's text as an answer quotes it: whole, or, when longer than MAX_QUOTED, its length only.
 * Never cut: the message is the log line's `error` too, and a cut through a key pasted there would
 * leave a part the log's redaction, which finds secrets whole, cannot know. Never redacted: the
 * client would read from "[redacted]" that its guess is one of the proxy's secrets.
 */
export function quotedWhole(text: string, what: string): string {
  return text.length <= MAX_QUOTED ? text : `(a ${what} of ${text.length} characters)`;
}

/**
 * The proxy's 404 for a model it does not serve, or that the key may not call (the same words for
 * both): unlike the library's, it names where the served names are listed.
 */
export function modelNotServed(name: string): BedrockEdgeError {
  return modelNotFound(name, "does not exist here; GET /v1/models lists the configured names");
}

/** A request the proxy itself refuses (auth, config, routing). */
export function refusal(status: number, message: string, code: string): BedrockEdgeError {
  return new BedrockEdgeError({ status, message, code });
}

/** A 405 carries the methods its path allows: errorResponse sends them as `Allow`. */
export function methodNotAllowed(
  method: string,
  path: string,
  allowed: readonly string[],
  why?: string,
): BedrockEdgeError {
  const error = new BedrockEdgeError({
    status: 405,
    type: "invalid_request_error",
    code: "method_not_allowed",
    message: `${method} is not allowed on ${quotedWhole(path, "path")}: use ${allowed.join(" or ")}.${why ? ` ${why}.` : ""}`,
  });
  return Object.assign(error, { allow: allowed.join(", ") });
}

/** The deployment's fault: what to fix, for keys that may see the whole configuration (and for the log). */
export function misconfigured(problems: readonly string[]): BedrockEdgeError {
  return refusal(
    500,
    `The proxy's configuration is invalid: ${listed(problems)}. Fix its settings (a Worker's vars and secrets, elsewhere the environment; GET /health lists the problems).`,
    "proxy_misconfigured",
  );
}

/**
 * The same fault told to a key that does not operate the proxy: how many problems there are, and
 * of them only those it may read (keys.ts, problemsFor), never other tenants' or other models'.
 */
export function misconfiguredUnlisted(count: number, shown: readonly string[] = []): BedrockEdgeError {
  const own = shown.length ? ` Of them, those about this key or the models it may call: ${listed(shown)}.` : "";
  return refusal(
    500,
    `The proxy's configuration is invalid (${plural(count, "problem")}), so it answers no call until its operator fixes its settings.${own} ${WHERE_PROBLEMS_ARE}`,
    "proxy_misconfigured",
  );
}

/**
 * Problems as one sentence's list: some end in their own full stop, which the list's "; " and
 * final "." would double (an ellipsis is left whole).
 */
function listed(problems: readonly string[]): string {
  return problems.map((problem) => problem.replace(/(?<!\.)\.$/, "")).join("; ");
}

/** A count and its noun, singular for one: "1 stream", "2 streams". */
export function plural(count: number, noun: string): string {
  return `${count} ${count === 1 ? noun : `${noun}s`}`;
}

/** Where an operator reads the problems, for callers who are not told them all. */
export const WHERE_PROBLEMS_ARE =
  "The proxy's log lists the problems; so does GET /health with an admin key or a key of PROXY_API_KEYS.";

/**
 * The proxy's view of a failure, whole (the log line's). Anything not already ours becomes a
 * 500 that tells nothing internal. Bedrock refusing the proxy's own AWS credentials (401/403)
 * is the operator's problem, not the caller's: passed on as is, SDKs would report the caller's
 * key as wrong.
 */
export function asProxyError(error: unknown): BedrockEdgeError {
  if (!(error instanceof BedrockEdgeError)) return refusal(500, "The proxy failed unexpectedly.", "internal_error");
  if (error.bedrockError && (error.status === 401 || error.status === 403)) return upstreamAuthFailure(error);
  const named = error.code && Object.hasOwn(SETTINGS_NAMED, error.code) ? SETTINGS_NAMED[error.code] : undefined;
  return named ? namedAsSet(error, named) : error;
}

// The library names its option; the proxy's operator sets the binding that feeds it (config.ts).
const SETTINGS_NAMED: Readonly<Record<string, readonly (readonly [string, string])[]>> = {
  model_not_ready: [["(modelReadyTimeoutMs)", "(MODEL_READY_TIMEOUT_MS)"]],
  upstream_timeout: [
    ["(timeoutMs)", "(UPSTREAM_TIMEOUT_MS)"],
    ["(idleTimeoutMs)", "(IDLE_TIMEOUT_MS)"],
  ],
};

/** A wait told by the setting the proxy's operator changes, not the library's option. */
function namedAsSet(error: BedrockEdgeError, named: readonly (readonly [string, string])[]): BedrockEdgeError {
  const option = named.find(([library]) => error.message.includes(library));
  if (!option) return error;
  const { status, type, code, param, bedrockError, retryAfterMs, fromBedrock, cause } = error;
  const message = error.message.replace(option[0], option[1]);
  const renamed = new BedrockEdgeError({
    status,
    type,
    code,
    param,
    bedrockError,
    retryAfterMs,
    fromBedrock,
    cause,
    message,
  });
  // What the error tells of its calls (usage, unmeteredCalls, inStream, unsent) stays with it.
  for (const field of ["usage", "unmeteredCalls", "inStream", "unsent"] as const) {
    if (error[field] !== undefined) Object.assign(renamed, { [field]: error[field] });
  }
  return renamed;
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

/** Without a hint from upstream: long enough for a throttle window or a cold model to pass. */
const DEFAULT_RETRY_AFTER_S = 5;
const MODEL_WAKING_RETRY_AFTER_S = 30;
/**
 * The longest Retry-After the openai SDKs, the clients that read x-should-retry, wait for:
 * openai-node 7 and openai-python one of 60 s or less (past it, they retry on their own backoff;
 * openai-node 6 waits any).
 */
const LONGEST_OPENAI_SDK_WAIT_S = 60;
/**
 * The longest Retry-After every client we know of waits for rather than backing off on its own:
 * the AI SDK honours a hint under 60 s only (`ms < 60 * 1e3`), openai-node 7 one of 60 s or less,
 * openai-python and LangChain the same; so 59. It caps an upstream's hint (Bedrock's or
 * BEDROCK_ENDPOINT's: openai-node 6 sleeps whatever Retry-After says, up to the 24.8 days a Node
 * timer holds, so a misbehaving one must not park clients for days) and is the proxy's own rate
 * limit's (limits.ts). The proxy's other limits say theirs as they are (a day's tokens: until
 * 00:00 UTC).
 */
export const LONGEST_HONOURED_RETRY_AFTER_S = 59;

/**
 * Seconds a client should wait before trying again after a 429 or 503: Bedrock's own
 * `retry-after` when it sent one (at most LONGEST_HONOURED_RETRY_AFTER_S), the proxy's when one of
 * its limits refused, else a default (longer for a model still waking up).
 */
export function retryAfterSeconds(error: unknown): number {
  if (error instanceof BedrockEdgeError && error.retryAfterMs !== undefined) {
    const seconds = Math.max(1, Math.ceil(error.retryAfterMs / 1000));
    return error.fromBedrock ? Math.min(seconds, LONGEST_HONOURED_RETRY_AFTER_S) : seconds;
  }
  if (error instanceof BedrockEdgeError && error.code === "model_not_ready") return MODEL_WAKING_RETRY_AFTER_S;
  return DEFAULT_RETRY_AFTER_S;
}
