import { lazy } from "../lazy.ts";
import type { Auth } from "./credentials.ts";

export interface UnsignedRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

// Derived signing keys, shared by every request of one client: a key depends only on the
// secret, the day, the region and the service, and deriving it costs four HMACs.
export type SigningKeyCache = Map<string, ArrayBuffer>;

/**
 * Synchronous SHA-256 and HMAC-SHA-256 for SigV4, where the runtime has them (bedrock-edge/node's
 * `nodeSigningCrypto`, on node:crypto). WebCrypto's calls are asynchronous: on Node each one is a
 * trip through the thread pool, which costs far more than hashing a request's few hundred bytes.
 * Text is hashed as UTF-8, as aws4fetch does.
 */
export interface SigningCrypto {
  /** The SHA-256 of the text, in lower-case hex. */
  sha256Hex(text: string): string;
  /** The HMAC-SHA-256 of the text under the key (UTF-8 text or raw bytes). */
  hmacSha256(key: string | ArrayBuffer, text: string): ArrayBuffer;
}

const MAX_CACHED_KEYS = 32;
// Loaded by the first call signed with credentials: a client on a Bedrock API key never needs it.
const signer = lazy(() => import("./sigv4.ts"));

/**
 * Adds the authorization headers: SigV4 for service `bedrock`, or `Authorization: Bearer`.
 * With `crypto`, aws4fetch still forms the canonical request and only the hashing is swapped,
 * so both paths give the same signature byte for byte (sign.test.ts compares them).
 */
export async function authorise(
  request: UnsignedRequest,
  auth: Auth,
  region: string,
  cache: SigningKeyCache,
  crypto?: SigningCrypto,
): Promise<Headers> {
  if (auth.kind === "apiKey") {
    const headers = new Headers(request.headers);
    headers.set("authorization", `Bearer ${auth.apiKey}`);
    return headers;
  }
  if (cache.size > MAX_CACHED_KEYS) cache.clear();
  const { AwsV4Signer } = await signer();
  const v4 = new AwsV4Signer({
    method: "POST",
    url: request.url,
    headers: request.headers,
    body: request.body,
    accessKeyId: auth.credentials.accessKeyId,
    secretAccessKey: auth.credentials.secretAccessKey,
    sessionToken: auth.credentials.sessionToken,
    service: "bedrock",
    region,
    cache,
  });
  if (!crypto) return (await v4.sign()).headers;

  // aws4fetch's signature(), stringToSign() and canonicalString(), on the given hashes; the
  // cache key is its own, so a cache filled by either path serves the other.
  const date = v4.datetime.slice(0, 8);
  const cacheKey = [v4.secretAccessKey, date, v4.region, v4.service].join();
  let key = cache.get(cacheKey);
  if (!key) {
    key = crypto.hmacSha256(`AWS4${v4.secretAccessKey}`, date);
    for (const part of [v4.region, v4.service, "aws4_request"]) key = crypto.hmacSha256(key, part);
    cache.set(cacheKey, key);
  }
  const bodyHash = v4.headers.get("x-amz-content-sha256") ?? crypto.sha256Hex(request.body);
  const canonical = [
    v4.method.toUpperCase(),
    v4.encodedPath,
    v4.encodedSearch,
    `${v4.canonicalHeaders}\n`,
    v4.signedHeaders,
    bodyHash,
  ].join("\n");
  const stringToSign = ["AWS4-HMAC-SHA256", v4.datetime, v4.credentialString, crypto.sha256Hex(canonical)].join("\n");
  const signature = hex(crypto.hmacSha256(key, stringToSign));
  v4.headers.set(
    "authorization",
    `AWS4-HMAC-SHA256 Credential=${v4.accessKeyId}/${v4.credentialString}, SignedHeaders=${v4.signedHeaders}, Signature=${signature}`,
  );
  return v4.headers;
}

function hex(buffer: ArrayBuffer): string {
  let out = "";
  for (const byte of new Uint8Array(buffer)) out += byte.toString(16).padStart(2, "0");
  return out;
}
