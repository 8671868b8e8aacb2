// Request authentication as Bedrock Runtime does it: SigV4 (verified by recomputing the signature
// with @smithy/signature-v4, an implementation independent of the aws4fetch signer the library
// uses) or a Bedrock API key (`Authorization: Bearer`).

import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import type { EmulatorCredentials } from "./credentials.ts";
import { awsError, MESSAGES, type AwsError } from "./errors.ts";

export interface AuthConfig {
  credentials: readonly EmulatorCredentials[];
  apiKeys: readonly string[];
  now: () => number;
}

export type AuthResult =
  | { ok: true; kind: "sigv4"; region: string }
  | { ok: true; kind: "apiKey" }
  | { ok: false; error: AwsError };

/** The parts of `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`. */
export interface SigV4Authorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

const ALGORITHM = "AWS4-HMAC-SHA256";
const SERVICE = "bedrock";
const MAX_SKEW_MS = 5 * 60 * 1000;

export async function authenticate(
  request: Request,
  url: URL,
  body: Uint8Array,
  config: AuthConfig,
): Promise<AuthResult> {
  const header = request.headers.get("authorization");
  if (header === null || header.trim() === "")
    return fail(awsError("MissingAuthenticationTokenException", MESSAGES.missingAuth));
  if (/^bearer\s/i.test(header)) return checkApiKey(header.replace(/^bearer\s+/i, "").trim(), config.apiKeys);
  const parsed = parseAuthorization(header);
  if (typeof parsed === "string") return fail(awsError("IncompleteSignatureException", parsed));
  return verifySigV4(request, url, body, parsed, config);
}

function fail(error: AwsError): AuthResult {
  return { ok: false, error };
}

function checkApiKey(key: string, apiKeys: readonly string[]): AuthResult {
  let found = false;
  for (const candidate of apiKeys) found = constantTimeEqual(key, candidate) || found;
  if (found) return { ok: true, kind: "apiKey" };
  const known = key.startsWith("ABSK") || apiKeys.some((candidate) => candidate.slice(0, 4) === key.slice(0, 4));
  return fail(awsError("AccessDeniedException", known ? MESSAGES.invalidApiKey : MESSAGES.invalidApiKeyFormat));
}

/** Parses a SigV4 `Authorization` header; a string is the complaint (it never quotes the header). */
function parseAuthorization(header: string): SigV4Authorization | string {
  const trimmed = header.trim();
  if (!trimmed.startsWith(`${ALGORITHM} `)) {
    return `Authorization header requires the ${ALGORITHM} algorithm or a Bearer API key.`;
  }
  const fields = new Map<string, string>();
  for (const part of trimmed.slice(ALGORITHM.length).split(",")) {
    const equals = part.indexOf("=");
    if (equals > 0) fields.set(part.slice(0, equals).trim(), part.slice(equals + 1).trim());
  }
  const credential = fields.get("Credential");
  const signedHeaders = fields.get("SignedHeaders");
  const signature = fields.get("Signature");
  const missing = [
    credential ? "" : "Authorization header requires 'Credential' parameter.",
    signedHeaders ? "" : "Authorization header requires 'SignedHeaders' parameter.",
    signature ? "" : "Authorization header requires 'Signature' parameter.",
  ].filter(Boolean);
  if (!credential || !signedHeaders || !signature) return missing.join(" ");
  const scope = credential.split("/");
  const [accessKeyId = "", date = "", region = "", service = "", terminator = ""] = scope;
  if (scope.length !== 5 || terminator !== "aws4_request" || !accessKeyId || !/^\d{8}$/.test(date) || !region) {
    return "Credential should be scoped to a valid region, service and date: <key>/<yyyymmdd>/<region>/<service>/aws4_request.";
  }
  return {
    accessKeyId,
    date,
    region,
    service,
    signedHeaders: signedHeaders.split(";").map((name) => name.trim().toLowerCase()),
    signature: signature.toLowerCase(),
  };
}

async function verifySigV4(
  request: Request,
  url: URL,
  body: Uint8Array,
  auth: SigV4Authorization,
  config: AuthConfig,
): Promise<AuthResult> {
  if (auth.service !== SERVICE) {
    return fail(awsError("InvalidSignatureException", `Credential should be scoped to correct service: '${SERVICE}'.`));
  }
  const credentials = config.credentials.find((candidate) => candidate.accessKeyId === auth.accessKeyId);
  if (!credentials) return fail(awsError("UnrecognizedClientException", MESSAGES.unrecognizedClient));
  if (!sessionTokenMatches(credentials, request.headers.get("x-amz-security-token"))) {
    return fail(awsError("UnrecognizedClientException", MESSAGES.unrecognizedClient));
  }
  if (!auth.signedHeaders.includes("host") && !auth.signedHeaders.includes(":authority")) {
    return fail(
      awsError(
        "InvalidSignatureException",
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
      ),
    );
  }
  const amzDate = request.headers.get("x-amz-date");
  const signingDate = amzDate === null ? undefined : parseAmzDate(amzDate);
  if (amzDate === null || !signingDate || !auth.signedHeaders.includes("x-amz-date")) {
    return fail(
      awsError(
        "IncompleteSignatureException",
        "Authorization header requires existence of a signed 'X-Amz-Date' header in ISO-8601 basic format.",
      ),
    );
  }
  if (amzDate.slice(0, 8) !== auth.date) {
    return fail(
      awsError(
        "InvalidSignatureException",
        `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date}' != '${amzDate.slice(0, 8)}', from 'x-amz-date'.`,
      ),
    );
  }
  const skewed = skewComplaint(signingDate.getTime(), config.now());
  if (skewed) return fail(awsError("InvalidSignatureException", skewed));
  const bodyHash = await sha256Hex(body);
  const claimedHash = request.headers.get("x-amz-content-sha256");
  if (claimedHash !== null && claimedHash !== bodyHash) {
    return fail(awsError("InvalidSignatureException", MESSAGES.contentSha256Mismatch));
  }
  const expected = await expectedSignature(request, url, body, auth, credentials, signingDate);
  if (!constantTimeEqual(expected, auth.signature)) {
    return fail(awsError("InvalidSignatureException", MESSAGES.signatureMismatch));
  }
  return { ok: true, kind: "sigv4", region: auth.region };
}

function sessionTokenMatches(credentials: EmulatorCredentials, token: string | null): boolean {
  if (credentials.sessionToken === undefined) return token === null;
  return token !== null && constantTimeEqual(token, credentials.sessionToken);
}

/** The signature of the request exactly as received: method, raw path, query, signed headers, body. */
async function expectedSignature(
  request: Request,
  url: URL,
  body: Uint8Array,
  auth: SigV4Authorization,
  credentials: EmulatorCredentials,
  signingDate: Date,
): Promise<string> {
  const headers: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const value = signedHeaderValue(request, url, name);
    if (value !== null) headers[name] = value;
  }
  const tokenSigned = auth.signedHeaders.includes("x-amz-security-token");
  const signer = new SignatureV4({
    service: SERVICE,
    region: auth.region,
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: tokenSigned ? credentials.sessionToken : undefined,
    },
    sha256: Sha256,
    // The canonical URI is the received (already percent-encoded) path, encoded once more.
    uriEscapePath: true,
    // Only what the client signed goes in; the signer must not add a checksum header.
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: url.protocol,
      hostname: url.hostname,
      path: url.pathname,
      query: queryOf(url),
      headers,
      body,
    },
    // Exactly the headers the client says it signed: without this, the signer drops the ones it
    // never signs itself (cache-control, pragma, referer, from, proxy-*, sec-*), which aws4fetch
    // and other signers do sign, and a valid signature over them would be called a mismatch.
    { signingDate, signingRegion: auth.region, signingService: SERVICE, signableHeaders: new Set(auth.signedHeaders) },
  );
  const authorization = signed.headers.authorization ?? "";
  return /Signature=([0-9a-f]+)/.exec(authorization)?.[1] ?? "";
}

/**
 * A signed header's value as received. HTTP/2 clients (the AWS SDK in Node) sign the
 * `:authority` pseudo-header instead of `host`; servers see it as the URL's host.
 */
function signedHeaderValue(request: Request, url: URL, name: string): string | null {
  if (name === ":authority") return url.host;
  if (name === "host") return request.headers.get("host") ?? url.host;
  return request.headers.get(name);
}

function queryOf(url: URL): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of url.searchParams) {
    const existing = query[key];
    query[key] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return query;
}

/** `20240102T030405Z` → Date; `undefined` when it is not in that form. */
function parseAmzDate(text: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
  const time = Date.UTC(year ?? 0, (month ?? 1) - 1, day, hour, minute, second);
  const date = new Date(time);
  return Number.isNaN(time) || formatAmzDate(date) !== text ? undefined : date;
}

function formatAmzDate(date: Date): string {
  return date.toISOString().replace(/[-:]|\.\d{3}/g, "");
}

/** AWS's own wording when the signing date is more than five minutes away from now. */
function skewComplaint(signedAt: number, now: number): string | undefined {
  const text = (time: number) => formatAmzDate(new Date(time));
  if (signedAt < now - MAX_SKEW_MS) {
    return `Signature expired: ${text(signedAt)} is now earlier than ${text(now - MAX_SKEW_MS)} (${text(now)} - 5 min.)`;
  }
  if (signedAt > now + MAX_SKEW_MS) {
    return `Signature not yet current: ${text(signedAt)} is still later than ${text(now + MAX_SKEW_MS)} (${text(now)} + 5 min.)`;
  }
  return undefined;
}

async function sha256Hex(body: Uint8Array): Promise<string> {
  const hash = new Sha256();
  hash.update(body);
  return toHex(await hash.digest());
}

function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0");
  return out;
}

/** Compares in time that depends only on the lengths, never on where the strings differ. */
function constantTimeEqual(a: string, b: string): boolean {
  const length = Math.max(a.length, b.length);
  let difference = a.length ^ b.length;
  for (let index = 0; index < length; index++) {
    difference |= (a.charCodeAt(index) || 0) ^ (b.charCodeAt(index) || 0);
  }
  return difference === 0;
}
