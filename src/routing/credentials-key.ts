// A copy with credentials of its own is not the same copy as its model id called with other
// credentials: the same inference profile in two accounts throttles, fails and sleeps apart, so
// it needs its own cool-down and least_busy count. Its key says whose credentials call it, by a
// short SHA-256 digest of its API key or access key id, never the value: a cool-down store (a
// Durable Object's storage, say) keeps the keys.
import type { ModelDeployment } from "../model.ts";

const encoder = new TextEncoder();

/** 48 bits: enough to tell a table's credentials apart, far too few to say anything of them. */
async function shortDigest(secret: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(secret)));
  return Array.from(digest.subarray(0, 6), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** `<model id>@<region>`, then `#<whose credentials>` for a copy that has its own. */
export async function credentialsKey(deployment: ModelDeployment): Promise<string> {
  const { key, apiKey, credentials } = deployment;
  // resolveAuth's precedence: an API key is used when both are given.
  if (apiKey) return `${key}#key-${await shortDigest(apiKey)}`;
  // A provider's credentials are unknown until it is called: its place in the entry names it.
  if (typeof credentials === "function") return `${key}#provider-${deployment.index}`;
  if (credentials) return `${key}#aws-${await shortDigest(credentials.accessKeyId)}`;
  return key;
}
