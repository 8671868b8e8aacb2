// SigV4 for service `bedrock`, loaded by src/aws/sign.ts on the first call signed with
// credentials. aws4fetch's signer alone is imported: importing the package itself lazily would
// keep all of it (its fetch client too), as a namespace cannot be shaken.
//
// aws4fetch forms the canonical parts of a request (its path and query encoded, which headers are
// signed): once per URL and headers, as they are the same for every call of a model. Each call
// then only dates, hashes and signs, on WebCrypto or on the given synchronous hashes.
import { AwsV4Signer } from "aws4fetch";
import { signingTime } from "./clock.ts";
import type { AwsCredentials } from "./credentials.ts";
import { headersWithout, headerValue, type SigningCrypto, type SigningKeyCache, type UnsignedRequest } from "./sign.ts";

/** What aws4fetch makes of a URL and its headers, whatever the time, keys or body. */
interface CanonicalParts {
  host: string;
  /** The canonical request's method, path and query lines. */
  head: string;
  /** The signed headers, sorted, each with its canonical value (the time and token: per call). */
  headers: readonly (readonly [name: string, value: string])[];
  signedHeaders: string;
  /** The body's hash as an x-amz-content-sha256 header gives it, which aws4fetch signs instead. */
  bodyHash: string | undefined;
}

const DATE = "x-amz-date";
const TOKEN = "x-amz-security-token";
const AUTHORIZATION = "authorization";
const SET_BY_SIGNATURE = ["host", DATE, AUTHORIZATION];
const SET_WITH_TOKEN = [...SET_BY_SIGNATURE, TOKEN];
const MAX_CACHED_PARTS = 64;
const parts = new Map<string, CanonicalParts>();
const encoder = new TextEncoder();

function canonicalParts(request: UnsignedRequest, withToken: boolean): CanonicalParts {
  const key = `${withToken}\u0000${request.url}\u0000${JSON.stringify(request.headers)}`;
  let found = parts.get(key);
  if (found) return found;
  // The keys, time and token only stand in: the parts do not depend on their values.
  const v4 = new AwsV4Signer({
    method: "POST",
    url: request.url,
    headers: request.headers,
    accessKeyId: "-",
    secretAccessKey: "-",
    sessionToken: withToken ? "-" : undefined,
    service: "bedrock",
    region: "-",
  });
  const host = new URL(request.url).host;
  found = {
    host,
    head: [v4.method.toUpperCase(), v4.encodedPath, v4.encodedSearch].join("\n"),
    headers: v4.signableHeaders.map((name) => {
      if (name === "host") return [name, host] as const;
      return [name, name === DATE || name === TOKEN ? "" : (v4.headers.get(name) ?? "").replace(/\s+/g, " ")] as const;
    }),
    signedHeaders: v4.signedHeaders,
    // An empty value signs the body's hash, as aws4fetch reads it (`||`).
    bodyHash: v4.headers.get("x-amz-content-sha256") || undefined,
  };
  // The oldest out (a Map keeps insertion order): a proxy of many models keeps its busy ones.
  if (parts.size >= MAX_CACHED_PARTS) parts.delete(parts.keys().next().value ?? "");
  parts.set(key, found);
  return found;
}

// The last second's time as SigV4 writes it: calls signed within one second share the string.
let stampedSecond = Number.NaN;
let stamp = "";

/** `time` as aws4fetch writes it (ISO 8601 without separators or milliseconds: 20261130T091200Z). */
function amzDate(time: Date): string {
  const second = Math.floor(time.getTime() / 1000);
  if (second !== stampedSecond) {
    stamp = time.toISOString().replace(/[:-]|\.\d{3}/g, "");
    stampedSecond = second;
  }
  return stamp;
}

/** The hashes a signature needs, each as a promise (WebCrypto) or at once (`SigningCrypto`). */
interface Hashes {
  sha256Hex(text: string): string | Promise<string>;
  hmac(key: string | ArrayBuffer, text: string): ArrayBuffer | Promise<ArrayBuffer>;
  /** The signature itself, under the derived key (cached as WebCrypto's key object). */
  sign(key: ArrayBuffer, text: string): ArrayBuffer | Promise<ArrayBuffer>;
}

// The derived key imported once: importing it costs as much as the signature itself.
const importedKeys = new WeakMap<ArrayBuffer, Promise<CryptoKey>>();

function importHmacKey(key: string | ArrayBuffer): Promise<CryptoKey> {
  const raw = typeof key === "string" ? encoder.encode(key) : key;
  return crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

const webCrypto: Hashes = {
  async sha256Hex(text) {
    return hex(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
  },
  async hmac(key, text) {
    return crypto.subtle.sign("HMAC", await importHmacKey(key), encoder.encode(text));
  },
  async sign(key, text) {
    let imported = importedKeys.get(key);
    if (!imported) {
      imported = importHmacKey(key);
      importedKeys.set(key, imported);
    }
    return crypto.subtle.sign("HMAC", await imported, encoder.encode(text));
  },
};

function hashesOf(crypto: SigningCrypto): Hashes {
  return {
    sha256Hex: (text) => crypto.sha256Hex(text),
    hmac: (key, text) => crypto.hmacSha256(key, text),
    sign: (key, text) => crypto.hmacSha256(key, text),
  };
}

/**
 * The request's headers with SigV4's, as aws4fetch signs them byte for byte (src/aws/sigv4.test.ts
 * compares them), with WebCrypto's hashes or `crypto`'s.
 */
export async function signV4(
  request: UnsignedRequest,
  credentials: AwsCredentials,
  region: string,
  cache: SigningKeyCache,
  crypto: SigningCrypto | undefined,
): Promise<Record<string, string>> {
  const hashes = crypto ? hashesOf(crypto) : webCrypto;
  const token = credentials.sessionToken;
  const canonical = canonicalParts(request, Boolean(token));
  // aws4fetch's time (on the endpoint's clock, once an answer told it), its cache key, its chain
  // of keys and its strings, as it writes them.
  const datetime = amzDate(signingTime(canonical.host));
  const date = datetime.slice(0, 8);
  const cacheKey = [credentials.secretAccessKey, date, region, "bedrock"].join();
  let key = cache.get(cacheKey);
  if (!key) {
    key = await hashes.hmac(`AWS4${credentials.secretAccessKey}`, date);
    for (const part of [region, "bedrock", "aws4_request"]) key = await hashes.hmac(key, part);
    cache.set(cacheKey, key);
  }
  // The token as Headers hold it (trimmed), refused here as Headers.set would refuse it.
  const sentToken = token ? headerValue(TOKEN, token) : undefined;
  // The access key is sent in the authorization header: a value Headers refuse fails here too.
  headerValue(AUTHORIZATION, `-${credentials.accessKeyId}-`);
  // Those the signature sets go, and `host` (the URL's).
  const headers = headersWithout(request.headers, token ? SET_WITH_TOKEN : SET_BY_SIGNATURE);
  headers[DATE] = datetime;
  if (sentToken !== undefined) headers[TOKEN] = sentToken;
  let headerLines = "";
  for (const [name, value] of canonical.headers) {
    // The token as the headers hold it (trimmed), its spaces collapsed, as aws4fetch reads it.
    const line = name === DATE ? datetime : name === TOKEN ? (sentToken ?? "").replace(/\s+/g, " ") : value;
    headerLines += `${name}:${line}\n`;
  }
  const bodyHash = canonical.bodyHash ?? (await hashes.sha256Hex(request.body));
  const canonicalRequest = `${canonical.head}\n${headerLines}\n${canonical.signedHeaders}\n${bodyHash}`;
  const credentialString = `${date}/${region}/bedrock/aws4_request`;
  const stringToSign = `AWS4-HMAC-SHA256\n${datetime}\n${credentialString}\n${await hashes.sha256Hex(canonicalRequest)}`;
  const signature = hex(await hashes.sign(key, stringToSign));
  headers[AUTHORIZATION] =
    `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${credentialString}, SignedHeaders=${canonical.signedHeaders}, Signature=${signature}`;
  return headers;
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

function hex(buffer: ArrayBuffer): string {
  const bytes = new Uint8Array(buffer);
  let out = "";
  // Indexed: in workerd a for-of here ran through the array iterator's builtin once per byte
  // (three hashes a signature, 96 bytes), about 130 instructions a byte.
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]!];
  return out;
}
