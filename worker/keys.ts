// The proxy's client keys: PROXY_API_KEYS (a plain list, as always) and API_KEYS, a JSON secret
// that names each key and gives it its limits:
//
//   {"team-a": {"key": "sk-…", "models": ["qwen3"], "rate_limit": "RATE_LIMIT_STANDARD",
//               "tokens_per_day": 200000, "concurrent_streams": 4, "admin": false}}
//
// A key's name is what the log, the usage records and its own refusals say; the key itself is
// never written anywhere. "key" may be a list of a few keys, all of them the one tenant: a rotation
// puts the new key beside the old, and the old is removed once every client has moved.
import { isDurableObjectNamespace, isRateLimiter, type RateLimiter } from "./cloudflare.ts";
import type { ProxyBindings, ProxyEnv } from "./config.ts";
import { repeatedNames } from "./json-names.ts";
import { keyMembers, keyShaped, withoutComments } from "./key-scan.ts";
import { bindingJson } from "./json-syntax.ts";
import { KEY_PREFIX, keyLike, kindOf, NAME_LENGTH, quoteValue } from "./quote-value.ts";
import { secretHint } from "./secret-hint.ts";

/**
 * An API_KEYS entry as createApp's object-form env holds it (the secret's JSON has the same
 * shape): a misspelt field fails to compile, as readEntry refuses it.
 */
export interface ApiKeyEntry {
  /**
   * The key itself, sent as `Authorization: Bearer <key>`; or a list of up to MAX_KEYS keys, each
   * the same tenant (one name, one set of limits and counts): a rotation's new key beside the old.
   */
  key: string | readonly string[];
  /** The MODELS names it may call; every one when absent. */
  models?: readonly string[] | undefined;
  /** The name of the Rate Limiting binding that counts its requests. */
  rate_limit?: string | undefined;
  /** Input plus output tokens per UTC day (needs KEY_LIMITS). */
  tokens_per_day?: number | undefined;
  /** Streamed requests open at once (needs KEY_LIMITS). */
  concurrent_streams?: number | undefined;
  /** May read GET /v1/usage, and every configuration problem. */
  admin?: boolean | undefined;
}

export interface ClientKey {
  /**
   * Its name in API_KEYS, or for a key of PROXY_API_KEYS `proxy-key-` and the first 8 hex digits
   * of its SHA-256 (proxyKeyName): a name that stays when other keys are added or removed.
   */
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
  /**
   * How configuration problems name its API_KEYS entry (`API_KEYS["team-a"]`). A key of
   * PROXY_API_KEYS has none: that list is the operator's, of a proxy run for one client.
   */
  entry?: string;
  /**
   * Its API_KEYS entry has a problem, so it serves no call: the key is right and the
   * configuration wrong, which is what its holder is told (500 proxy_misconfigured, not 401).
   */
  brokenEntry?: true;
}

// Each models list as a Set, built on its first look-up and kept as long as the list (the parsed
// configuration's, once per isolate): GET /v1/models asks about every MODELS name, and a linear
// search per name cost names × listed names, 0.8 s of CPU a request at 20,000 (amplify48b #2).
const modelSets = new WeakMap<readonly string[], ReadonlySet<string>>();

/** A models list as a Set, the same one for every look-up in the same list. */
export function modelSet(models: readonly string[]): ReadonlySet<string> {
  let set = modelSets.get(models);
  if (set === undefined) {
    set = new Set(models);
    modelSets.set(models, set);
  }
  return set;
}

/** Whether a key may call a MODELS name (every key may call every name it is not kept from). */
export function mayCall(key: Pick<ClientKey, "models">, model: string): boolean {
  return !key.models || modelSet(key.models).has(model);
}

/**
 * Whether a key operates the proxy, and so may be told every configuration problem: an admin key,
 * or a key of PROXY_API_KEYS. API_KEYS' problems name other tenants, their limits and bindings.
 */
export function seesWholeConfiguration(key: Pick<ClientKey, "admin" | "entry">): boolean {
  return key.admin || key.entry === undefined;
}

// A problem about one API_KEYS entry begins with how it names it: `API_KEYS["team"]`, `API_KEYS
// (entry 2, its name not shown)`, `API_KEYS: an entry's name (not shown)`. One about the secret as
// a whole (`API_KEYS is not valid JSON`) is about every entry.
const ENTRY_PROBLEM = /^API_KEYS(?:\[| \(|:)/;

/**
 * The configuration problems a key may be told: every one when it operates the proxy. Any other
 * key is told those about its own entry or API_KEYS as a whole, and those about the models it
 * may call: with a models list, the problems naming one of them (`MODELS["qwen3"]…`); without, every
 * problem but those of other entries (the bindings serve every model).
 */
export function problemsFor(key: Pick<ClientKey, "admin" | "entry" | "models">, problems: readonly string[]): string[] {
  if (seesWholeConfiguration(key)) return [...problems];
  return problems.filter((problem) => {
    if (ENTRY_PROBLEM.test(problem)) return key.entry !== undefined && problem.startsWith(key.entry);
    if (problem.startsWith("API_KEYS")) return true;
    return !key.models || key.models.some((model) => problem.startsWith(`MODELS["${model}"]`));
  });
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._:@+-]{0,63}$/;
/**
 * A setting's name: words of lowercase letters joined by `_`, `-` or `.` (`concurrent_streams_limit`),
 * which no random key is (its letters are of both cases, with digits among them).
 */
const SETTING_NAME = /^[a-z]+(?:[_.-][a-z]+)+$/;
// The names proxyKeyName gives: an API_KEYS entry may not take one, or two keys would share it.
const PROXY_KEY_NAME = /^proxy-key-[0-9a-f]{8}$/i;
const BINDING_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/**
 * The most keys an entry's list holds: a rotation needs two (the new and the old), and a few more
 * cover one begun before the last ended. A longer list is likelier several tenants in one entry,
 * which would share one set of limits.
 */
const MAX_KEYS = 4;
// Every field of ApiKeyEntry, once: the compiler checks the list against the type.
const FIELDS = Object.keys({
  key: 0,
  models: 0,
  rate_limit: 0,
  tokens_per_day: 0,
  concurrent_streams: 0,
  admin: 0,
} satisfies Record<keyof ApiKeyEntry, 0>);

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/**
 * PROXY_API_KEYS as a list: read on its own, so keys work even when the rest is misconfigured.
 * Separated by commas or line breaks (a secret put from a file of one key per line); a key
 * holding a line break could never be sent in a header anyway.
 */
export function parseApiKeys(env: ProxyEnv): string[] {
  return (text(env.PROXY_API_KEYS) ?? "")
    .split(/[,\r\n]/)
    .map((key) => key.trim())
    .filter(Boolean);
}

/**
 * A PROXY_API_KEYS key's name, from the SHA-256 digest of the key the key check computes: stable
 * whatever the key's place in the list (by position, removing one key renamed every later one in
 * logs, usage rows and traces). 32 bits of a digest say nothing usable about a key.
 */
export function proxyKeyName(digest: Uint8Array): string {
  const hex = Array.from(digest.subarray(0, 4), (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `proxy-key-${hex}`;
}

/**
 * The keys of API_KEYS, each entry that is well formed (PROXY_API_KEYS' keys are named by their
 * digests, so by the key check: createKeyFinder). What is wrong is pushed to `problems`, naming
 * the entry (by position when its name may be a key) and the field, never a key; `models`, when
 * given, are the MODELS names a key's list is checked against. The keys of the entries left out
 * for a problem go to `broken`, with what of their entry reads well. Without KEY_LIMITS, every
 * entry's counted limits are told too, the entries with problems of their own included: one
 * round of fixes, not one per problem the last round hid.
 */
export function readClientKeys(
  env: ProxyBindings,
  problems: string[],
  models?: ReadonlySet<string>,
  broken: ClientKey[] = [],
): ClientKey[] {
  const proxyKeys = parseApiKeys(env);
  const keys: ClientKey[] = [];
  if (env.PROXY_API_KEYS !== undefined && typeof env.PROXY_API_KEYS !== "string") {
    problems.push(
      `PROXY_API_KEYS must be a string, the keys separated by commas or lines, got ${kindOf(env.PROXY_API_KEYS)} (${secretHint("PROXY_API_KEYS")})`,
    );
  }
  const table = readTable(env.API_KEYS, problems);
  // Every key a name may be: an entry named by a key (its own or another's) would write that key
  // as the `key` of its log lines, usage rows and spans.
  const known = new Set([...proxyKeys, ...Object.values(table).flatMap(keysOf)]);
  // A key commented out (a revoked one kept for the record) is no tenant's: 401, as any wrong key.
  for (const key of keyMembers(withoutComments(unreadableText(env.API_KEYS)))) {
    broken.push({ name: "API_KEYS", key, admin: false, models: [], entry: "API_KEYS (not read)", brokenEntry: true });
  }
  const uncounted: string[] = [];
  for (const [index, [name, entry]] of Object.entries(table).entries()) {
    const shown = nameShown(name, entry, known);
    const at = shown ? `API_KEYS["${name}"]` : `API_KEYS (entry ${index + 1}, its name not shown)`;
    const before = problems.length;
    const secrets = keysOf(entry);
    // Refused only when it surely is one: a long name of words ("analytics-team-production") is
    // a name, told by position in problems but kept, as names of up to 64 characters always were.
    if (NAME.test(name) && secrets.length > 0 && (known.has(name) || keyShaped(name))) {
      problems.push(
        `${at}: its name is a key (one of the keys given, or sk- and 24 characters or more as keys are), and a name is what logs and usage show: give the entry a name that is no key`,
      );
    }
    const key = readEntry(env, name, entry, at, problems, models);
    if (key && !isDurableObjectNamespace(env.KEY_LIMITS)) uncounted.push(...uncountedLimits(key, at));
    // A key written where its entry's name or the entry goes (`{"sk-…": {…}}`, `"team": "sk-…"`) is
    // still its holder's: told that the configuration is wrong, not that the key is.
    const written = [...secrets, secrets.length === 0 && mayBeKey(name) ? name : undefined, text(entry)];
    if (!key || problems.length > before) {
      // Named as its problems name it: a name not shown may be the key itself.
      const shape = { admin: false, ...key, name: shown ? name : at, entry: at };
      for (const secret of new Set(written)) if (secret) broken.push(brokenKey(shape, secret));
      continue;
    }
    // Every key of the entry is the one tenant: the same name, limits and counts.
    const twins = secrets.flatMap((secret, index) => {
      const twin = proxyKeys.includes(secret)
        ? "a key of PROXY_API_KEYS"
        : keys.find((other) => other.key === secret)?.name;
      // A list's key is told by its place in the list; a key alone, as it always was.
      const where = Array.isArray(entryKey(entry)) ? `${at}.key (item ${index + 1})` : at;
      return twin === undefined ? [] : [{ secret, problem: `${where}: the same key as ${twin}` }];
    });
    if (twins.length > 0) {
      problems.push(...twins.map(({ problem }) => problem));
      // Its other keys are its holders': told that the entry is wrong. A twin is the other's.
      for (const secret of secrets.filter((secret) => !twins.some((twin) => twin.secret === secret))) {
        broken.push(brokenKey(key, secret));
      }
      continue;
    }
    if (PROXY_KEY_NAME.test(key.name)) {
      problems.push(`${at}: proxy-key-<8 hex digits> names a key of PROXY_API_KEYS: give this key another name`);
      for (const secret of secrets) broken.push(brokenKey(key, secret));
      continue;
    }
    keys.push(...secrets.map((secret) => ({ ...key, key: secret })));
  }
  // After the entries' own problems (told apart from them, an entry's brokenness is not changed).
  problems.push(...uncounted);
  return keys;
}

/** One of an entry's keys kept apart: its holder is told that the configuration is wrong (500), not that the key is (401). */
function brokenKey(key: Omit<ClientKey, "key">, secret: string): ClientKey {
  return { ...key, key: secret, models: key.models ?? [], brokenEntry: true };
}

/**
 * Without KEY_LIMITS, a key's tokens_per_day and concurrent_streams would be limits in name only:
 * one problem per field, so that fixing the first does not reveal the second.
 */
function uncountedLimits(key: ClientKey, at: string): string[] {
  return [
    key.tokensPerDay === undefined ? undefined : "tokens_per_day",
    key.concurrentStreams === undefined ? undefined : "concurrent_streams",
  ]
    .filter((field) => field !== undefined)
    .map((field) => `${at}.${field} needs the KEY_LIMITS Durable Object binding, which counts it`);
}

/**
 * Every key API_KEYS holds, for redaction: its well-formed entries' and the others' alike, and
 * what may be a key put in the wrong place (the key-like name of an entry with no key, an entry
 * that is a string).
 */
export function apiKeySecrets(env: ProxyEnv): string[] {
  const entries = Object.entries(readTable(env.API_KEYS, [])).flatMap(([name, entry]) => {
    const secrets = keysOf(entry);
    const key = secrets[0];
    // A stray field that may be a key (a rotated-out key kept beside the new one), and a name that
    // may be one: any of a keyless entry, else one refused as a key (a key's own name is listed as
    // its entry's key). A long name of an entry with a key is a name, kept in logs as it is.
    const stray = isFields(entry) ? unknownFields(entry).filter(strayMayBeKey) : [];
    const named = (key === undefined ? mayBeKey(name) : keyShaped(name)) ? name : undefined;
    return [...secrets, named, ...stray, key === undefined ? text(entry) : undefined].filter(
      (value): value is string => value !== undefined,
    );
  });
  // Those commented out too (a revoked key is still a secret), and those a comment parts from
  // their "key" (`"key": /* rotated */ "sk-…"`), which only the text without comments shows.
  const unreadable = unreadableText(env.API_KEYS);
  return [...new Set([...entries, ...keyMembers(unreadable), ...keyMembers(withoutComments(unreadable))])];
}

/**
 * API_KEYS when it is not valid JSON (a trailing comma, say), "" otherwise: its entries cannot
 * be read, but their "key" members still hold the tenants' keys, to redact and to tell their
 * holders that the configuration is wrong rather than their key.
 */
function unreadableText(raw: ProxyEnv["API_KEYS"]): string {
  return typeof raw === "string" && parsedJson(raw) === undefined ? raw : "";
}

/** What JSON.parse makes of the text, parsed once; undefined when it refuses it (JSON has no undefined). */
function parsedJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/**
 * Whether the name of an entry with no key is likely the key itself: a short name is a team's
 * or a model's, and redacting it would cut that word out of every message, the very problem
 * that names the entry included.
 */
function mayBeKey(name: string): boolean {
  return !NAME.test(name) || keyLike(name);
}

/**
 * Whether a field no entry takes may be a key (a rotated-out one kept beside the new one): as a
 * name may, unless it reads as a mistyped setting's name, which its problem then names. One that
 * begins as keys do is a key however it reads (this proxy's own examples: `sk-local-dev`).
 */
function strayMayBeKey(field: string): boolean {
  return mayBeKey(field) && (KEY_PREFIX.test(field) || !SETTING_NAME.test(field));
}

function isFields(entry: unknown): entry is Record<string, unknown> {
  return entry !== null && typeof entry === "object" && !Array.isArray(entry);
}

function unknownFields(fields: Record<string, unknown>): string[] {
  return Object.keys(fields).filter((field) => !FIELDS.includes(field));
}

/** An entry's "key" as written: a string, a list, or anything else. */
function entryKey(entry: unknown): unknown {
  return isFields(entry) ? entry.key : undefined;
}

/**
 * Every key an entry holds, well formed or not: its "key", or each string of its list. What is
 * wrong with them is readEntry's to tell; here they are its holders' keys, and secrets.
 */
function keysOf(entry: unknown): string[] {
  const key = entryKey(entry);
  const listed = Array.isArray(key) ? key.map(text) : [text(key)];
  return [...new Set(listed.filter((secret): secret is string => secret !== undefined))];
}

/**
 * Whether problems may quote an entry's name. An entry with no key is likely named by the key
 * itself (`{"sk-…": {"models": […]}}`), and a name that is not a name, has a key's shape or is a
 * key (`known`: every key of API_KEYS and PROXY_API_KEYS) may be one too: those entries are told
 * by position instead (Object.entries' order: as written, unless a name is a whole number).
 */
function nameShown(name: string, entry: unknown, known: ReadonlySet<string | undefined> = new Set()): boolean {
  return NAME.test(name) && keysOf(entry).length > 0 && !mayBeKey(name) && !known.has(name);
}

function readTable(raw: ProxyEnv["API_KEYS"], problems: string[]): Record<string, unknown> {
  if (raw === undefined || raw === "") return {};
  const table = bindingJson("API_KEYS", raw, problems);
  if (table === undefined) return {};
  if (table === null || typeof table !== "object" || Array.isArray(table)) {
    problems.push('API_KEYS must be a JSON object of key name -> { "key": "…", … }');
    return {};
  }
  if (typeof raw === "string") {
    for (const name of repeatedNames(raw)) {
      // A name that may be the key itself is not shown, as everywhere else: nor one of an entry
      // without a key (JSON kept the last), which is likely named by the key.
      const shown = !mayBeKey(name) && nameShown(name, (table as Record<string, unknown>)[name]);
      const at = shown ? `API_KEYS["${name}"]: the name` : "API_KEYS: an entry's name (not shown)";
      problems.push(`${at} is given twice, and JSON keeps only the last entry: give each key its own name`);
    }
  }
  return table as Record<string, unknown>;
}

/**
 * What is wrong with an entry's list of keys, each told by its place in the list: no key is quoted,
 * nor any part of one.
 */
function keyListProblems(list: readonly unknown[], at: string): string[] {
  if (list.length === 0)
    return [`${at}.key: an empty list holds no key: give the key, or a list of up to ${MAX_KEYS} keys`];
  const problems: string[] = [];
  if (list.length > MAX_KEYS) {
    problems.push(
      `${at}.key: a list of ${list.length} keys; at most ${MAX_KEYS} (a rotation needs 2: the new and the old)`,
    );
  }
  const seen = new Map<string, number>();
  for (const [index, item] of list.entries()) {
    const key = text(item);
    if (key === undefined) {
      problems.push(
        `${at}.key: item ${index + 1} must be a key, a non-empty string (a list is the keys of one tenant, the new beside the old while clients move)`,
      );
      continue;
    }
    const first = seen.get(key);
    if (first !== undefined)
      problems.push(`${at}.key: items ${first + 1} and ${index + 1} are the same key: give each key once`);
    else seen.set(key, index);
  }
  return problems;
}

/**
 * An entry as a key, its problems pushed: undefined when it holds none to read. A key returned
 * with problems is left out (readClientKeys), as what of its entry reads well.
 */
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
    // Its key, if it has one, is still its holder's: told by position, as the problem is.
    return { name: at, key: keysOf(entry)[0] ?? "", admin: false, models: [], entry: at };
  }
  if (!isFields(entry)) {
    problems.push(`${at}: must be an object like { "key": "sk-…" }`);
    return undefined;
  }
  const fields = entry;
  const key = keysOf(fields)[0];
  const unknown = unknownFields(fields)[0];
  if (unknown !== undefined) {
    // A stray field may be the key itself (`{"team": {"sk-…": …}}`), or a rotated-out key kept
    // beside the new one: one that may be a key is told by its length, never quoted in part.
    const field = !key
      ? ": has a field (not shown) that is not"
      : strayMayBeKey(unknown)
        ? `: has a field (a name of ${unknown.length} characters, not shown) that is not`
        : `.${unknown}: is not`;
    problems.push(`${at}${field} a key setting; they are ${FIELDS.join(", ")}`);
  }
  if (Array.isArray(fields.key)) problems.push(...keyListProblems(fields.key, at));
  else if (!key) {
    problems.push(
      `${at}.key: must be the key, a non-empty string (each entry is "<name>": { "key": "sk-…", … }, and a name is never the key)`,
    );
  }
  const out: ClientKey = { name, key: key ?? "", admin: false, entry: at };
  if (fields.admin !== undefined) {
    if (typeof fields.admin === "boolean") out.admin = fields.admin;
    else problems.push(`${at}.admin: must be true or false`);
  }
  if (fields.models !== undefined) {
    const list = fields.models;
    if (!Array.isArray(list) || !list.every((model): model is string => typeof model === "string")) {
      problems.push(`${at}.models: must be a list of MODELS names`);
      // Its holder's key is kept from every model (the problems told to it included).
      out.models = [];
    } else {
      const missing = models && list.find((model) => !models.has(model));
      if (missing !== undefined)
        problems.push(`${at}.models: ${quoteValue(missing, NAME_LENGTH)} is not a MODELS name`);
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
  return out;
}
