// SigV4 for service `bedrock`, loaded by src/aws/sign.ts on the first call signed with
// credentials. aws4fetch's signer alone is imported: importing the package itself lazily would
// keep all of it (its fetch client too), as a namespace cannot be shaken.
import { AwsV4Signer } from "aws4fetch";
import type { AwsCredentials } from "./credentials.ts";
import type { SigningCrypto, SigningKeyCache, UnsignedRequest } from "./sign.ts";

/**
 * The request's headers with SigV4's. With `crypto`, aws4fetch still forms the canonical request
 * and only the hashing is swapped, so both paths give the same signature byte for byte
 * (node/signing-crypto.test.ts compares them).
 */
export async function signV4(
  request: UnsignedRequest,
  credentials: AwsCredentials,
  region: string,
  cache: SigningKeyCache,
  crypto: SigningCrypto | undefined,
): Promise<Headers> {
  const v4 = new AwsV4Signer({
    method: "POST",
    url: request.url,
    headers: request.headers,
    body: request.body,
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    sessionToken: credentials.sessionToken,
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
