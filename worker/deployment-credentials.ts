// A MODELS deployment in another account names the bindings that hold its credentials
// (`"credentials": {"access_key_id": "AWS_ACCESS_KEY_ID_WEST", …}` or `"api_key":
// "AWS_BEARER_TOKEN_BEDROCK_WEST"`), never the credentials themselves: MODELS may be a plain
// var. Here those names become the library's `credentials` and `apiKey`, before the table is
// checked as the library checks it.
import { redactSecrets } from "../src/core.ts";
import { accessKeyIdProblem } from "./access-key-id.ts";
import type { ProxyBindings } from "./config.ts";
import { isObject } from "./json-object.ts";
import { secretHint } from "./secret-hint.ts";

const BINDING_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const CREDENTIAL_FIELDS = {
  access_key_id: "accessKeyId",
  secret_access_key: "secretAccessKey",
  session_token: "sessionToken",
} as const;
const CREDENTIALS_SHAPE =
  'must be { "access_key_id": "<binding name>", "secret_access_key": "<binding name>", "session_token"?: "<binding name>" }';

// The bindings the proxy reads for itself, each marked whether it holds a credential a deployment
// may name (the proxy's own account's). A deployment naming any other (AWS_REGION, API_KEYS) is a
// slip that would sign with a region or a key list, and make that value a "secret" cut from every
// message. Keyed by ProxyBindings, so the compiler asks about each new setting; PORT and HOST are
// the Node, Deno and Bun servers' own (examples/proxy/), read from the same environment.
const PROXY_BINDINGS: Record<keyof ProxyBindings | "PORT" | "HOST", boolean> = {
  AWS_ACCESS_KEY_ID: true,
  AWS_SECRET_ACCESS_KEY: true,
  AWS_SESSION_TOKEN: true,
  AWS_BEARER_TOKEN_BEDROCK: true,
  MODELS: false,
  PROXY_API_KEYS: false,
  API_KEYS: false,
  AWS_REGION: false,
  BEDROCK_ENDPOINT: false,
  BEDROCK_MAX_RETRIES: false,
  MAX_BODY_BYTES: false,
  MAX_BODY_BYTES_IN_FLIGHT: false,
  CORS_ORIGINS: false,
  MODEL_READY_TIMEOUT_MS: false,
  UPSTREAM_TIMEOUT_MS: false,
  IDLE_TIMEOUT_MS: false,
  LOG_PROMPTS: false,
  BEDROCK_RETRY_BASE_DELAY_MS: false,
  SSE_KEEPALIVE_MS: false,
  DROP_PARAMS: false,
  DEPLOYMENT_COOLDOWN_MS: false,
  OTEL_EXPORTER_OTLP_ENDPOINT: false,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: false,
  OTEL_EXPORTER_OTLP_HEADERS: false,
  DEPLOYMENT_COOLDOWNS: false,
  KEY_LIMITS: false,
  USAGE_DB: false,
  PORT: false,
  HOST: false,
};

const isProxySetting = (name: string): boolean =>
  Object.hasOwn(PROXY_BINDINGS, name) && !PROXY_BINDINGS[name as keyof typeof PROXY_BINDINGS];

type Result<T> = { ok: true; value: T } | { ok: false; problem: string };
type Lookup = (binding: string) => string | undefined;

const fail = (problem: string): { ok: false; problem: string } => ({ ok: false, problem });

/**
 * The table with each deployment's binding names replaced by the bindings' values. Problems are
 * pushed (naming the entry, the field and the binding, never a value); an entry with one is left
 * out, as a bad entry is. `endpoint` is BEDROCK_ENDPOINT, which every deployment is called at:
 * an access key id is checked for AWS's shape only when it signs for AWS.
 */
export function resolveDeploymentCredentials(
  table: Record<string, unknown>,
  env: object,
  problems: string[],
  endpoint?: string,
): Record<string, unknown> {
  const lookup: Lookup = (binding) => bindingValue(env, binding);
  const out: Record<string, unknown> = {};
  for (const [name, entry] of Object.entries(table)) {
    const resolved = resolveEntry(entry, { lookup, endpoint }, `MODELS["${name}"]`);
    if (resolved.ok) out[name] = resolved.value;
    else problems.push(resolved.problem);
  }
  return out;
}

/**
 * The binding names MODELS' deployments give for their credentials (`credentials.access_key_id`,
 * `secret_access_key`, `session_token`, `api_key`), in order: those resolveDeploymentCredentials
 * reads. A table that is not an object names none.
 */
export function credentialBindingNames(table: unknown): string[] {
  const names: unknown[] = [];
  for (const entry of isObject(table) ? Object.values(table) : []) {
    const deployments = isObject(entry) && Array.isArray(entry.deployments) ? entry.deployments : [];
    for (const deployment of deployments) {
      if (!isObject(deployment)) continue;
      const { credentials, api_key: apiKey } = deployment;
      if (isObject(credentials)) names.push(...Object.keys(CREDENTIAL_FIELDS).map((field) => credentials[field]));
      names.push(apiKey);
    }
  }
  return [
    ...new Set(
      names.filter(
        (name): name is string => typeof name === "string" && BINDING_NAME.test(name) && !isProxySetting(name),
      ),
    ),
  ];
}

/**
 * The values of the bindings MODELS' deployments name for their credentials, for redaction: read
 * from MODELS as written, not from what resolved, so an entry that fails to resolve (one
 * deployment's binding missing) still has its other deployments' credentials cut (pins50).
 */
export function credentialSecrets(models: unknown, env: object): string[] {
  let table = models;
  if (typeof models === "string") {
    try {
      table = JSON.parse(models);
    } catch {
      return [];
    }
  }
  return credentialBindingNames(table).flatMap((name) => bindingValue(env, name) ?? []);
}

function bindingValue(env: object, name: string): string | undefined {
  if (!BINDING_NAME.test(name)) return undefined;
  const value: unknown = Reflect.get(env, name);
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/** Where a deployment's bindings are read, and the endpoint its credentials sign for. */
interface Bindings {
  lookup: Lookup;
  endpoint: string | undefined;
}

function resolveEntry(entry: unknown, bindings: Bindings, at: string): Result<unknown> {
  if (!isObject(entry) || !Array.isArray(entry.deployments)) return { ok: true, value: entry };
  const deployments: unknown[] = [];
  for (const [index, deployment] of entry.deployments.entries()) {
    const resolved = resolveDeployment(deployment, bindings, `${at}.deployments[${index}]`);
    if (!resolved.ok) return resolved;
    deployments.push(resolved.value);
  }
  return { ok: true, value: { ...entry, deployments } };
}

function resolveDeployment(deployment: unknown, bindings: Bindings, at: string): Result<unknown> {
  if (!isObject(deployment)) return { ok: true, value: deployment };
  const { credentials, api_key: apiKey, ...rest } = deployment;
  // The library's own field would put a key into MODELS itself.
  if ("apiKey" in rest) {
    return fail(`${at}.apiKey: MODELS names the binding that holds a key ("api_key": "<binding name>"), never the key`);
  }
  const out: Record<string, unknown> = { ...rest };
  if (apiKey !== undefined) {
    const value = bindingNamed(apiKey, bindings.lookup, `${at}.api_key`);
    if (!value.ok) return value;
    out.apiKey = value.value;
  }
  if (credentials !== undefined) {
    const value = resolveCredentials(credentials, bindings, `${at}.credentials`);
    if (!value.ok) return value;
    out.credentials = value.value;
  }
  return { ok: true, value: out };
}

function resolveCredentials(
  credentials: unknown,
  { lookup, endpoint }: Bindings,
  at: string,
): Result<Record<string, string>> {
  if (!isObject(credentials)) return fail(`${at}: ${CREDENTIALS_SHAPE}`);
  const out: Record<string, string> = {};
  for (const [field, name] of Object.entries(credentials)) {
    // A field set to undefined is absent (session_token's type allows it), as api_key is above.
    if (name === undefined) continue;
    if (!Object.hasOwn(CREDENTIAL_FIELDS, field))
      return fail(`${at}.${field}: is not a credentials field; ${CREDENTIALS_SHAPE}`);
    const value = bindingNamed(name, lookup, `${at}.${field}`);
    if (!value.ok) return value;
    out[CREDENTIAL_FIELDS[field as keyof typeof CREDENTIAL_FIELDS]] = value.value;
  }
  if (!out.accessKeyId || !out.secretAccessKey) return fail(`${at}: ${CREDENTIALS_SHAPE}`);
  const wrong = accessKeyIdProblem(out.accessKeyId, out.sessionToken, `${at}.session_token`, endpoint);
  if (wrong) return fail(`${at}.access_key_id: the binding ${String(credentials.access_key_id)} ${wrong}`);
  return { ok: true, value: out };
}

/** The value of the binding `name` names, or the problem (never quoting a value). */
function bindingNamed(name: unknown, lookup: Lookup, at: string): Result<string> {
  if (typeof name !== "string" || !BINDING_NAME.test(name)) return fail(`${at}: must be the name of a binding`);
  if (isProxySetting(name)) {
    return fail(
      `${at}: ${name} is one of the proxy's own settings, not a binding that holds a credential: name the binding of this deployment's own secret`,
    );
  }
  const value = lookup(name);
  if (value !== undefined) return { ok: true, value };
  if (readsAsSecret(name)) {
    return fail(
      `${at}: names no binding that is set, and looks like a secret itself (so it is not repeated here): put the secret in a binding (${secretHint("<NAME>")}) and give that NAME here`,
    );
  }
  return fail(`${at}: the binding ${name} is not set (${secretHint(name)})`);
}

// Letters of both cases and digits, 20 or more, no underscore: a secret access key or a token
// with no "/" or "+" in it reads so; names such as AWS_SECRET_ACCESS_KEY_WEST do not.
const RANDOM_LOOKING = /^(?=[^a-z]*[a-z])(?=[^A-Z]*[A-Z])(?=\D*\d)[A-Za-z0-9]{20,}$/;

/**
 * Whether a value where a binding's name belongs is more likely the secret itself: operators
 * do paste the access key id (AKIA…), the Bedrock API key (ABSK…) or the secret key there. Such
 * a value, unknown to the proxy (no binding holds it), must not be quoted back to the log or to
 * the keys that read /health.
 */
function readsAsSecret(name: string): boolean {
  return redactSecrets(name) !== name || RANDOM_LOOKING.test(name);
}
