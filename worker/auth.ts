// Client API keys: compared through SHA-256 digests, every configured key every time, so the
// time taken says nothing about how much of a key was right, or which key matched.
import type { BedrockEdgeError } from "../src/index.ts";
import { refusal } from "./http.ts";
import { type ClientKey, proxyKeyName } from "./keys.ts";
import { secretHint } from "./secret-hint.ts";

const encoder = new TextEncoder();

async function digest(value: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(value)));
}

function sameDigest(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ (b[i] ?? 0);
  return difference === 0;
}

/** The configured key that was presented, if any. */
export type KeyFinder = (presented: string | undefined) => Promise<ClientKey | undefined>;

/**
 * API_KEYS' keys, PROXY_API_KEYS' (named here by their digests: proxyKeyName), and the keys of
 * API_KEYS entries left out for a problem (brokenEntry), which a served key always wins over.
 */
export function createKeyFinder(
  keys: readonly ClientKey[],
  proxyKeys: readonly string[] = [],
  broken: readonly ClientKey[] = [],
): KeyFinder {
  const table = Promise.all([
    ...proxyKeys.map(async (key) => {
      const keyDigest = await digest(key);
      return { keyDigest, key: { name: proxyKeyName(keyDigest), key, admin: false } };
    }),
    ...[...keys, ...broken].map(async (key) => ({ keyDigest: await digest(key.key), key })),
  ]);
  return async (presented) => {
    if (!presented) return undefined;
    const candidate = await digest(presented);
    let found: ClientKey | undefined;
    // Every digest is compared, whichever matches.
    for (const { keyDigest, key } of await table) {
      if (sameDigest(candidate, keyDigest) && (!found || found.brokenEntry)) found = key;
    }
    return found;
  };
}

/**
 * `Authorization: Bearer <key>` or `x-api-key: <key>`, as OpenAI and Anthropic clients send them.
 * An Authorization of another scheme (Basic, set by a gateway in front) is not ours to read: the
 * key is then looked for in x-api-key.
 */
export function presentedKey(headers: Headers): string | undefined {
  const authorization = headers.get("authorization")?.trim();
  if (authorization && /^Bearer(?:\s|$)/i.test(authorization)) {
    return authorization.slice("Bearer".length).trim() || undefined;
  }
  return headers.get("x-api-key")?.trim() || undefined;
}

/** The key a request presented when it is one of the configured ones; otherwise why it may not call. */
export async function authorise(
  headers: Headers,
  configuredKeys: number,
  findKey: KeyFinder,
): Promise<ClientKey | BedrockEdgeError> {
  if (configuredKeys === 0) {
    // Never open by accident: no keys configured refuses everything, and says how to fix it.
    return refusal(
      401,
      `This proxy has no API keys configured, so it refuses every call. Set PROXY_API_KEYS to a comma-separated list of keys, or API_KEYS to named keys (${secretHint("PROXY_API_KEYS")}).`,
      "proxy_keys_not_configured",
    );
  }
  const key = presentedKey(headers);
  if (!key)
    return refusal(401, "Missing API key: send Authorization: Bearer <key> (or x-api-key: <key>).", "missing_api_key");
  return (await findKey(key)) ?? refusal(401, "Incorrect API key provided.", "invalid_api_key");
}
