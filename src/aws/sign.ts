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

// Values this runtime's Headers accepted, as they hold them: its rules for what a value may hold
// are its own (and differ between runtimes), so it is asked, once per value.
const MAX_ACCEPTED_VALUES = 64;
const acceptedValues = new Map<string, string>();

/** `value` as Headers hold it (its ends' whitespace trimmed); throws as Headers.set would for a value they refuse. */
export function headerValue(name: string, value: string): string {
  let accepted = acceptedValues.get(value);
  if (accepted === undefined) {
    accepted = new Headers([[name, value]]).get(name) ?? "";
    if (acceptedValues.size >= MAX_ACCEPTED_VALUES) acceptedValues.clear();
    acceptedValues.set(value, accepted);
  }
  return accepted;
}

/**
 * `given` but the headers named in `names` (lower case), as a record: what Headers.delete would
 * leave of them, names compared in any case.
 */
export function headersWithout(given: Record<string, string>, names: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of Object.keys(given)) {
    if (!names.includes(name.toLowerCase())) headers[name] = given[name]!;
  }
  return headers;
}

/**
 * The request's headers with the authorization headers: SigV4 for service `bedrock`, or
 * `Authorization: Bearer`. A record, not Headers: fetch makes its own Headers of either, and one
 * built here first, then copied by fetch, cost more (in workerd, 6K to 22K instructions a call).
 * With `crypto`, SigV4's hashes are computed with it instead of WebCrypto (sigv4.ts).
 */
export async function authorise(
  request: UnsignedRequest,
  auth: Auth,
  region: string,
  cache: SigningKeyCache,
  crypto?: SigningCrypto,
): Promise<Record<string, string>> {
  if (auth.kind === "apiKey") {
    const headers = headersWithout(request.headers, ["authorization"]);
    headers.authorization = headerValue("authorization", `Bearer ${auth.apiKey}`);
    return headers;
  }
  if (cache.size > MAX_CACHED_KEYS) cache.clear();
  const { signV4 } = await signer();
  return signV4(request, auth.credentials, region, cache, crypto);
}
