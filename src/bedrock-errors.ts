// Bedrock's error answers and stream exceptions -> the one error type: exception names, HTTP
// statuses and OpenAI error types meet here and nowhere else, and secrets are cut from what
// Bedrock echoes. Apart from errors.ts so that a caller loads it with the first error answer.
import { learnClock } from "./aws/clock.ts";
import { parseRetryAfter } from "./aws/retry.ts";
import { badUpstream, BedrockEdgeError, nameOf } from "./errors.ts";
import { type JsonObject, parseJsonObject } from "./json.ts";

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

// Literal words with one optional word each (no nested or adjacent repeats): linear-time. Titan
// Text Embeddings says "Too many input tokens. Max input tokens: 8192, …".
const CONTEXT_LENGTH =
  /context length|context window|too many (?:input )?tokens|maximum (?:input|prompt) length|input is too long|prompt is too long/i;

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

/**
 * What the model behind Bedrock said, in the members AWS's model gives ModelStreamErrorException
 * (`originalStatusCode`, `originalMessage`) and ModelErrorException (`originalStatusCode`,
 * `resourceName`) beside their message: `text`, to follow the message ("The model answered 400:
 * …. Resource: …."), and `original`, the model's own message. A member of another type than
 * AWS's model gives it is not read.
 */
export interface ModelWords {
  text: string;
  original: string;
}

/** Those members of an error body or an exception frame's payload. */
export function modelWords(json: JsonObject | undefined): ModelWords {
  const { originalStatusCode: code, originalMessage: said, resourceName: resource } = json ?? {};
  const original = typeof said === "string" ? said.trim() : "";
  const status = Number.isInteger(code) ? ` ${code}` : "";
  const answered = status || original ? `The model answered${status}${original ? `: ${original}` : "."}` : "";
  const named = typeof resource === "string" && resource.trim() ? `Resource: ${resource.trim()}.` : "";
  return { text: `${answered} ${named}`.trim(), original };
}

/** Builds the error for a Bedrock exception; `fallbackStatus` serves names not in the table. */
export function bedrockException(
  rawName: string | undefined,
  message: string,
  fallbackStatus: number,
  extra: { retryAfterMs?: number; secrets?: readonly string[]; inStream?: boolean; model?: ModelWords } = {},
): BedrockEdgeError {
  const name = rawName ? exceptionName(rawName) : undefined;
  const row = name ? EXCEPTIONS[name] : undefined;
  // A model's own refusal of a prompt too long (a ModelStreamErrorException's originalMessage) is
  // the request's fault, whichever exception carries it: the 400 context_length_exceeded of OpenAI.
  const modelContext = CONTEXT_LENGTH.test(redactSecrets(extra.model?.original ?? "", extra.secrets));
  const status = modelContext ? 400 : (row?.status ?? normaliseStatus(fallbackStatus));
  const said = `${message.trim()} ${extra.model?.text ?? ""}`.trim();
  const clean = redactSecrets(said, extra.secrets) || name || `Bedrock answered ${status}`;
  const code =
    modelContext || (status === 400 && CONTEXT_LENGTH.test(clean)) ? "context_length_exceeded" : (row?.code ?? null);
  const error = new BedrockEdgeError({
    status,
    message: clean,
    code,
    bedrockError: name,
    retryAfterMs: extra.retryAfterMs,
    fromBedrock: true,
  });
  if (extra.inStream) error.inStream = true;
  return error;
}

/** Bedrock's error answer (status, headers, body text) -> the one error type, keeping its exception name. */
export function errorFromResponse(
  response: Response,
  text: string,
  secrets: readonly string[] = [],
  host = "",
): BedrockEdgeError {
  if (isRedirect(response)) {
    return badUpstream(
      `The endpoint ${host} answered a redirect${response.status ? ` (${response.status})` : ""}, which is not followed: Bedrock never redirects, so the endpoint is not Bedrock Runtime's.`,
      "upstream_redirect",
    );
  }
  const json = parseJsonObject(text);
  const header = response.headers.get("x-amzn-errortype") ?? undefined;
  const bodyType =
    typeof json?.__type === "string" ? json.__type : typeof json?.code === "string" ? json.code : undefined;
  const rawMessage = json
    ? String(json.message ?? json.Message ?? "")
    : response.headers.get("content-type")?.includes("html")
      ? ""
      : text.trim();
  const error = bedrockException(header ?? bodyType, rawMessage, response.status, {
    retryAfterMs: parseRetryAfter(response.headers),
    secrets,
    model: modelWords(json),
  });
  learnClock(error, response.headers, rawMessage, host);
  return error;
}

/** A 3xx, or what a browser's fetch makes of one under `redirect: "manual"` (status 0). */
export function isRedirect(response: Response): boolean {
  return response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400);
}

/**
 * A fetch that failed: a fetch of the caller's may quote the request, its signed headers too.
 * Cloudflare Workers refuse a fetch past the subrequests their plan allows one request (50 on
 * Workers Free) with an error of their own ("Too many subrequests…"): Bedrock was not asked, and
 * no retry or other copy of the model can be within this request, so it is a 503 of its own
 * (retry.ts never retries it, routing/failover.ts never moves on from it).
 */
export function unreachable(host: string, error: unknown, secrets: readonly string[]): BedrockEdgeError {
  // Node's fetch says only "fetch failed"; why is its cause's code (ECONNREFUSED, ENOTFOUND,
  // UND_ERR_CONNECT_TIMEOUT, CERT_HAS_EXPIRED): a name, no secret, so one of that shape is added
  // (and redacted with the message all the same). Read by shape, as src/ knows no Node error
  // type: Object() takes any value, and String() is called once, so what is tested is what is shown.
  const cause = Object(Object(error).cause);
  const code = String(cause.code);
  const named = /^[A-Z][A-Z\d_]{2,39}$/.test(code) ? ` (${code})` : "";
  const why = error instanceof Error && error.message ? redactSecrets(error.message + named, secrets) : "";
  if (/too many subrequests/i.test(why)) {
    return new BedrockEdgeError({
      status: 503,
      code: "subrequest_limit",
      message: `The Worker's plan allows no more calls to Bedrock in one request. Cloudflare said: ${why}`,
    });
  }
  const told = badUpstream(
    `Could not reach Bedrock at ${host}${why ? `: ${why}` : ""}.`,
    "upstream_unreachable",
    nameOf(error),
  );
  // Bun puts the code on the error itself; Deno's (hyper's) message names the connect phase.
  const phase = String(cause.message);
  if (NEVER_CONNECTED.has(code) || NEVER_CONNECTED.has(String(Object(error).code)) || /\(Connect\)/.test(phase)) {
    told.unsent = true;
  }
  return told;
}

/**
 * The codes of a fetch whose connection was never made: refused, a name that did not resolve, no
 * route, a connect timeout, a TLS handshake refused. No request went out. Not ECONNRESET,
 * ETIMEDOUT or UND_ERR_SOCKET: those may end a connection that carried the request.
 */
const NEVER_CONNECTED: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

function normaliseStatus(status: number): number {
  return Number.isInteger(status) && status >= 400 && status <= 599 ? status : 502;
}

const MAX_MESSAGE_CHARS = 1000;
/** A SHA-256 digest in hex: a signature's shape, which redactSecrets takes for one. */
export const HEX_DIGEST = /\b[0-9a-f]{64}\b/gi;
/**
 * The most of a message redacted and kept: its first 64 KiB (an error body is read no further), the
 * rest dropped before any pass. A stream's exception frame may hold 16 MiB, and each pass costs its
 * size, when only the first 1000 characters are kept.
 */
const MAX_REDACTED_CHARS = 64 * 1024;

// A header's or a parameter's value after its name: up to a space, a separator or a quote, and not
// the backslash of an escaped closing quote (`\"`), a backslash before any other character (`\/`)
// its own. Each character one way only: linear.
const VALUE = String.raw`(?:[^\s,;"'\\]|\\+[^\s,;"'\\])+`;
const PARAMETER = new RegExp(`(Signature=|Credential=|Bearer\\s+|X-Amz-Security-Token[=:]\\s*)${VALUE}`, "gi");
// The token's header in a JSON dump of the headers (`"x-amz-security-token":"…"`, or its value in
// a list, `: ["…"]`), its quotes escaped once or more when that dump is itself inside a JSON string.
const TOKEN_HEADER = new RegExp(`(X-Amz-Security-Token\\\\*["']\\s*:\\s*(?:\\[\\s*)?\\\\*["'])${VALUE}`, "gi");

/**
 * Removes what must never leave the process: known secret values (plain, percent-encoded or
 * JSON-escaped), and anything shaped like a signature, an access key or a token. AWS echoes the
 * canonical request (which holds the session token) on signature mismatches, so that part is cut
 * entirely. Not base64: a secret's base64 inside a longer one (Basic auth's `id:secret`) depends
 * on its offset, and looking for all three on every log line's path is not worth its cost.
 */
export function redactSecrets(message: string, secrets: readonly string[] = []): string {
  const bounded = message.length > MAX_REDACTED_CHARS;
  let out = bounded ? message.slice(0, MAX_REDACTED_CHARS) : message;
  const cut = out.search(/The Canonical String for this request should have been|The String-to-Sign should have been/);
  if (cut >= 0) out = out.slice(0, cut).trimEnd();
  const known = secrets.filter((secret) => secret.length > 3);
  if (known.length > 0) out = withoutKnown(out, known);
  out = out
    .replace(/\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{12,}\b/g, "[redacted]")
    // Bedrock API keys: long-term ones are ABSK + base64, short-term ones bedrock-api-key- + base64.
    .replace(/\b(?:ABSK|bedrock-api-key-)[A-Za-z0-9+/=]{16,}/g, "[redacted]")
    .replace(HEX_DIGEST, "[redacted]")
    .replace(PARAMETER, "$1[redacted]")
    .replace(TOKEN_HEADER, "$1[redacted]");
  // A secret across the bound is cut there, and shows only its head, which no pass can know; and
  // the passes may shorten what comes before it (a long `Signature=…` made `Signature=[redacted]`)
  // until that head is within the 1000 characters kept. It is in the text's last word: dropped,
  // when the text's end is near enough to be kept (a head is at most a shape's length, or a known
  // secret's written the longest way found: JSON-escaped three times, `\\\\u00XX`, then
  // percent-encoded, 27 characters a character); else the cap below leaves it out anyway, and a
  // long message of one word still shows its first 1000 characters.
  const reach = MAX_MESSAGE_CHARS + 2048 + 27 * Math.max(0, ...known.map((secret) => secret.length));
  if (bounded && cut < 0 && out.length <= reach)
    out = out.slice(0, Math.max(...[" ", "\n", "\r", "\t"].map((space) => out.lastIndexOf(space)), 0));
  if (out.length <= MAX_MESSAGE_CHARS) return bounded && out ? `${out}…` : out;
  // Not between a surrogate pair's halves: half an emoji is no character (the Worker makes a
  // client's message well-formed all the same).
  const end = /[\uD800-\uDBFF]/.test(out.charAt(MAX_MESSAGE_CHARS - 1)) ? MAX_MESSAGE_CHARS - 1 : MAX_MESSAGE_CHARS;
  return `${out.slice(0, end)}…`;
}

/**
 * The text without the known secrets, found plain or encoded: percent-encoded, whole (a URL's
 * query, a canonical request) or in part (Python's quote keeps `/` and encodes `+`; a path's
 * decodeURI leaves `%2F`); JSON-escaped, as an error text quoting a JSON document of the request
 * shows it (`\/`, as PHP's and Java's encoders write `/`, or `\u002f`, `\u002b`, `\u003d`),
 * escaped twice when that document is quoted in a JSON string (`\\/`); or both (quote()'s `%2B`
 * in a PHP encoder's `\/`, or the other way round). Each level, the text and then up to three
 * unescapings, each one linear pass, is percent-decoded too, and unescaped from that; a level on
 * which a secret is found is the text from then on, cut of it.
 */
function withoutKnown(text: string, secrets: readonly string[]): string {
  let out = withoutSecrets(text, secrets);
  // Read twice when it holds a `%`: with each level's escapes as they are (a secret whose own
  // characters include `%41`, in a JSON document), and decoded before it is unescaped (a JSON
  // document percent-encoded, `%5C%2F`, shows its escapes only once decoded).
  for (const decodeFirst of out.includes("%") ? [false, true] : [false]) {
    let level = out;
    for (let depth = 0; ; depth++) {
      if (level.includes("%")) {
        const decoded = percentDecoded(level);
        const clean = withoutSecrets(decoded, secrets);
        if (clean !== decoded) out = level = clean;
        else if (decodeFirst) level = decoded;
      }
      if (depth === 3 || !level.includes("\\")) break;
      level = jsonUnescaped(level);
      const clean = withoutSecrets(level, secrets);
      if (clean !== level) out = level = clean;
    }
  }
  return out;
}

function withoutSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join("[redacted]");
  return out;
}

const JSON_ESCAPED: Record<string, string> = { b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

/**
 * The text with JSON's escapes decoded (`\/`, `\"`, `\\`, `\n`, `\u002f`), each on its own: one pass
 * from backslash to backslash (a regex's callback for each took five times as long on a run of them).
 */
function jsonUnescaped(text: string): string {
  let out = "";
  let from = 0;
  for (let at = text.indexOf("\\"); at >= 0 && at + 1 < text.length; at = text.indexOf("\\", from)) {
    const next = text.charAt(at + 1);
    const hex = next === "u" && /^[\dA-Fa-f]{4}$/.test(text.slice(at + 2, at + 6));
    out += text.slice(from, at);
    out += hex ? String.fromCharCode(Number.parseInt(text.slice(at + 2, at + 6), 16)) : (JSON_ESCAPED[next] ?? next);
    from = at + (hex ? 6 : 2);
  }
  return out + text.slice(from);
}

/**
 * The text with each %XX escape of a UTF-8 character decoded: one character at a time, so that an
 * escape that is not UTF-8 (`%FF`, a stray continuation `%80`) leaves only itself encoded, not
 * the run it is in (a secret's `%2F` beside it included). A character of the right shape that is
 * still not UTF-8 (an overlong `%C0%AF`, a surrogate) is left too: decodeURIComponent refuses it.
 * Any other `%` is left as it is.
 */
function percentDecoded(text: string): string {
  return text.replace(
    /%[0-7][\dA-F]|%[CD][\dA-F]%[89AB][\dA-F]|%E[\dA-F](?:%[89AB][\dA-F]){2}|%F[0-7](?:%[89AB][\dA-F]){3}/gi,
    (escaped) => {
      try {
        return decodeURIComponent(escaped);
      } catch {
        return escaped;
      }
    },
  );
}
