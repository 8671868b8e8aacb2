// The proxy's client keys: PROXY_API_KEYS (a plain list, as always) and API_KEYS, a JSON secret
// that names each key and gives it its limits:
//
//   {"team-a": {"key": "sk-…", "models": ["qwen3"], "rate_limit": "RATE_LIMIT_STANDARD",
//               "tokens_per_day": 200000, "concurrent_streams": 4, "admin": false}}
//
// A key's name is what the log, the usage records and its own refusals say; the key itself is
// never written anywhere.
import { isRateLimiter, type RateLimiter } from "./cloudflare.ts";
import type { ProxyBindings, ProxyEnv } from "./config.ts";

export interface ClientKey {
  /** Its name in API_KEYS, or `proxy-key-<n>` for the n-th key of PROXY_API_KEYS. */
  name: string;
  key: string;
  /** The MODELS names it may call; every one when absent. */
  models?: readonly string[];
  /** The Rate Limiting binding that counts its requests (its limit and period are the binding's). */
  rateLimit?: { binding: string; limiter: RateLimiter };
  /** Input plus output tokens of its finished requests, per UTC day. */
  tokensPerDay?: number;
  /** Streamed requests it may have open at once. */
  concurrentStreams?: number;
  /** May read GET /v1/usage. */
  admin: boolean;
}

/** Whether a key may call a MODELS name (every key may call every name it is not kept from). */
export function mayCall(key: Pick<ClientKey, "models">, model: string): boolean {
  return !key.models || key.models.includes(model);
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._:@+-]{0,63}$/;
const BINDING_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const FIELDS = ["key", "models", "rate_limit", "tokens_per_day", "concurrent_streams", "admin"];

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/** PROXY_API_KEYS as a list: read on its own, so keys work even when the rest is misconfigured. */
export function parseApiKeys(env: ProxyEnv): string[] {
  return (text(env.PROXY_API_KEYS) ?? "")
    .split(",")
    .map((key) => key.trim())
    .filter(Boolean);
}

/**
 * Every client key: PROXY_API_KEYS, then each API_KEYS entry that is well formed. What is wrong
 * is pushed to `problems`, naming the entry and the field, never a key; `models`, when given,
 * are the MODELS names a key's list is checked against.
 */
export function readClientKeys(env: ProxyBindings, problems: string[], models?: ReadonlySet<string>): ClientKey[] {
  const keys: ClientKey[] = parseApiKeys(env).map((key, i) => ({ name: `proxy-key-${i + 1}`, key, admin: false }));
  const table = readTable(env.API_KEYS, problems);
  for (const [name, entry] of Object.entries(table)) {
    const at = `API_KEYS["${name.slice(0, 64)}"]`;
    const key = readEntry(env, name, entry, at, problems, models);
    if (!key) continue;
    const twin = keys.find((other) => other.key === key.key || other.name === key.name);
    if (twin) {
      problems.push(`${at}: ${twin.key === key.key ? "the same key" : "the same name"} as ${twin.name}`);
      continue;
    }
    keys.push(key);
  }
  return keys;
}

/** Every key API_KEYS holds, for redaction: its well-formed entries' and the others' alike. */
export function apiKeySecrets(env: ProxyEnv): string[] {
  return Object.values(readTable(env.API_KEYS, []))
    .map((entry) => (entry !== null && typeof entry === "object" ? text(Reflect.get(entry, "key")) : undefined))
    .filter((key): key is string => key !== undefined);
}

function readTable(raw: ProxyEnv["API_KEYS"], problems: string[]): Record<string, unknown> {
  if (raw === undefined || raw === "") return {};
  let table: unknown;
  try {
    table = typeof raw === "string" ? JSON.parse(raw) : raw;
  } catch {
    // Not the parser's message: it may quote the text around the error, a key perhaps.
    problems.push("API_KEYS is not valid JSON");
    return {};
  }
  if (table === null || typeof table !== "object" || Array.isArray(table)) {
    problems.push('API_KEYS must be a JSON object of key name -> { "key": "…", … }');
    return {};
  }
  return table as Record<string, unknown>;
}

function readEntry(
  env: ProxyBindings,
  name: string,
  entry: unknown,
  at: string,
  problems: string[],
  models: ReadonlySet<string> | undefined,
): ClientKey | undefined {
  if (!NAME.test(name)) {
    problems.push(`${at}: a key's name must be 1-64 letters, digits or ._:@+- (it is what logs and usage show)`);
    return undefined;
  }
  if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
    problems.push(`${at}: must be an object like { "key": "sk-…" }`);
    return undefined;
  }
  const fields = entry as Record<string, unknown>;
  const before = problems.length;
  const unknown = Object.keys(fields).find((field) => !FIELDS.includes(field));
  if (unknown) problems.push(`${at}.${unknown.slice(0, 40)}: is not a key setting; they are ${FIELDS.join(", ")}`);
  const key = text(fields.key);
  if (!key) problems.push(`${at}.key: must be the key, a non-empty string`);
  const out: ClientKey = { name, key: key ?? "", admin: false };
  if (fields.admin !== undefined) {
    if (typeof fields.admin === "boolean") out.admin = fields.admin;
    else problems.push(`${at}.admin: must be true or false`);
  }
  if (fields.models !== undefined) {
    const list = fields.models;
    if (!Array.isArray(list) || !list.every((model): model is string => typeof model === "string")) {
      problems.push(`${at}.models: must be a list of MODELS names`);
    } else {
      const missing = models && list.find((model) => !models.has(model));
      if (missing !== undefined) problems.push(`${at}.models: "${missing.slice(0, 60)}" is not a MODELS name`);
      out.models = list;
    }
  }
  if (fields.rate_limit !== undefined) {
    const binding =
      typeof fields.rate_limit === "string" && BINDING_NAME.test(fields.rate_limit) ? fields.rate_limit : "";
    const limiter: unknown = binding ? Reflect.get(env, binding) : undefined;
    if (isRateLimiter(limiter)) out.rateLimit = { binding, limiter };
    else
      problems.push(
        `${at}.rate_limit: ${binding ? `no Rate Limiting binding is named ${binding}` : "must be the name of a Rate Limiting binding"} ([[ratelimits]] in wrangler.toml)`,
      );
  }
  for (const [field, set] of [
    ["tokens_per_day", (n: number) => (out.tokensPerDay = n)],
    ["concurrent_streams", (n: number) => (out.concurrentStreams = n)],
  ] as const) {
    const value = fields[field];
    if (value === undefined) continue;
    if (typeof value === "number" && Number.isInteger(value) && value >= 1) set(value);
    else problems.push(`${at}.${field}: must be a whole number, at least 1`);
  }
  return problems.length === before ? out : undefined;
}
