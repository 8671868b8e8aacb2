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

const MAX_CACHED_KEYS = 32;
// Loaded by the first call signed with credentials: a client on a Bedrock API key never needs it.
const signer = lazy(() => import("./sigv4.ts"));

/** Adds the authorization headers: SigV4 for service `bedrock`, or `Authorization: Bearer`. */
export async function authorise(
  request: UnsignedRequest,
  auth: Auth,
  region: string,
  cache: SigningKeyCache,
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
  const signed = await v4.sign();
  return signed.headers;
}
