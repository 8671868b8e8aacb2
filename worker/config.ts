// The proxy's configuration: Worker bindings (wrangler vars and secrets) or, for Deno, Bun
// and Node, the same names in an object. Read once, checked whole, reported precisely.
import {
  checkMilliseconds,
  isValidRegion,
  MAX_BODY_BYTES_CEILING,
  normaliseEndpoint,
  parseModels,
  regionlessModelId,
  shownText,
  type TableRegion,
} from "../src/core.ts";
import type { DeploymentConfig, ModelTableEntry, RoutedModelConfig, SingleModelEntry } from "../src/index.ts";
import { type D1Database, type DurableObjectNamespace, isD1Database, isDurableObjectNamespace } from "./cloudflare.ts";
import { accessKeyIdProblem } from "./access-key-id.ts";
import { resolveDeploymentCredentials } from "./deployment-credentials.ts";
import { maskAwsIds } from "./http.ts";
import { repeatedNames } from "./json-names.ts";
import { bindingJson } from "./json-syntax.ts";
import { type ApiKeyEntry, type ClientKey, parseApiKeys, readClientKeys } from "./keys.ts";
import { kindOf, quoteUrl, quoteValue } from "./quote-value.ts";
import { secretHint } from "./secret-hint.ts";
import { readTraceExport, type TraceExport } from "./traces.ts";

/** The bindings, exactly as wrangler.toml [vars] and `wrangler secret put` name them. */

/** Below this, SSE keep-alive comments would be noise, not keep-alives. */
export const MIN_KEEPALIVE_MS = 10;

/**
 * A MODELS deployment: the library's DeploymentConfig, but naming the bindings that hold its
 * credentials instead of holding them (worker/deployment-credentials.ts), so MODELS may be a var.
 */
export interface ProxyDeploymentConfig extends Omit<DeploymentConfig, "credentials" | "apiKey"> {
  /** The bindings holding this copy's own AWS credentials. */
  credentials?: { access_key_id: string; secret_access_key: string; session_token?: string | undefined } | undefined;
  /** The binding holding this copy's own Bedrock API key. */
  api_key?: string | undefined;
}

/** A MODELS entry serving one name from several deployments. */
export interface ProxyRoutedModelConfig extends Omit<RoutedModelConfig, "deployments"> {
  deployments: ProxyDeploymentConfig[];
}

/** A MODELS entry: a model string, one model's settings, or its deployments (not both: see ModelEntry). */
export type ProxyModelEntry =
  | string
  | SingleModelEntry
  | (ProxyRoutedModelConfig & { model?: undefined; region?: undefined });

export interface ProxyEnv {
  /** Public names -> entries: a JSON object as a string (a var), or the object itself. */
  MODELS?: string | Record<string, ProxyModelEntry> | undefined;
  PROXY_API_KEYS?: string | undefined;
  /** Named keys and their limits: a JSON object as a string (a secret), or the object itself. */
  API_KEYS?: string | Record<string, ApiKeyEntry> | undefined;
  AWS_ACCESS_KEY_ID?: string | undefined;
  AWS_SECRET_ACCESS_KEY?: string | undefined;
  AWS_SESSION_TOKEN?: string | undefined;
  AWS_REGION?: string | undefined;
  AWS_BEARER_TOKEN_BEDROCK?: string | undefined;
  BEDROCK_ENDPOINT?: string | undefined;
  BEDROCK_MAX_RETRIES?: string | number | undefined;
  /** Largest request body accepted, in bytes (default 4 MiB); a model's max_body_bytes overrides it. */
  MAX_BODY_BYTES?: string | number | undefined;
  /**
   * Request-body bytes the requests in flight in one isolate (one process on Node, Deno, Bun) may
   * hold at once (default 12 MiB): past it, another large body is a 503 server_busy.
   */
  MAX_BODY_BYTES_IN_FLIGHT?: string | number | undefined;
  /** Comma-separated origins allowed by CORS, or "*", or a list of them. CORS is off when unset. */
  CORS_ORIGINS?: string | readonly string[] | undefined;
  /** How long to wait for an imported model to wake up, in ms (default 300000). */
  MODEL_READY_TIMEOUT_MS?: string | number | undefined;
  /** Time allowed for Bedrock's answer to begin, in ms (default 600000). */
  UPSTREAM_TIMEOUT_MS?: string | number | undefined;
  /** Longest silence between stream frames, in ms (default 60000). */
  IDLE_TIMEOUT_MS?: string | number | undefined;
  /** "true" to include prompt text in log lines (off by default); true or false, in any case. */
  LOG_PROMPTS?: string | boolean | undefined;
  /** First backoff step of upstream retries, in ms (default 500; later steps double, with jitter). */
  BEDROCK_RETRY_BASE_DELAY_MS?: string | number | undefined;
  /** Interval of SSE comment lines while a cold model wakes up, in ms (default 5000). */
  SSE_KEEPALIVE_MS?: string | number | undefined;
  /** "true" to drop parameters a model cannot honour instead of refusing them (a model's drop_params wins). */
  DROP_PARAMS?: string | boolean | undefined;
  /** How long a failing deployment of a model is skipped, in ms (default 10000). */
  DEPLOYMENT_COOLDOWN_MS?: string | number | undefined;
  /** An OTLP/HTTP collector's base URL: one span per request goes to its /v1/traces. */
  OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
  /** The collector's traces URL itself, used as it is (over OTEL_EXPORTER_OTLP_ENDPOINT). */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string | undefined;
  /** Headers for the collector, `name=value,…` (values percent-encoded), e.g. its API key. */
  OTEL_EXPORTER_OTLP_HEADERS?: string | undefined;
}

/** Cloudflare's own bindings (wrangler.toml): objects, in a Worker only; each optional. */
export interface CloudflareBindings {
  /** Durable Object namespace (class DeploymentCooldowns): cool-downs shared by every isolate. */
  DEPLOYMENT_COOLDOWNS?: unknown;
  /** Durable Object namespace (class KeyLimits): the keys' tokens per day and open streams. */
  KEY_LIMITS?: unknown;
  /** D1 database of the usage records (migrations/); GET /v1/usage reads it. */
  USAGE_DB?: unknown;
}

/**
 * Everything the proxy reads: its vars and secrets, and Cloudflare's bindings. Bindings named by
 * others (a deployment's credentials in MODELS, a key's Rate Limiting binding in API_KEYS) are
 * read by those names from the same object.
 */
export type ProxyBindings = ProxyEnv & CloudflareBindings;

export interface ProxyConfig {
  models: Record<string, ModelTableEntry>;
  /** PROXY_API_KEYS. */
  apiKeys: string[];
  /** API_KEYS' keys (PROXY_API_KEYS' are apiKeys). */
  keys: ClientKey[];
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  apiKey?: string;
  region?: string;
  endpoint?: string;
  maxRetries?: number;
  maxBodyBytes: number;
  /** MAX_BODY_BYTES_IN_FLIGHT (worker/body-budget.ts). */
  maxBodyBytesInFlight: number;
  modelReadyTimeoutMs?: number;
  timeoutMs?: number;
  idleTimeoutMs?: number;
  retryBaseDelayMs?: number;
  keepAliveMs?: number;
  cooldownMs?: number;
  /** Where cool-downs are shared; without it, each isolate keeps its own. */
  cooldowns?: DurableObjectNamespace;
  /** Where the keys' tokens per day and open streams are counted. */
  keyLimits?: DurableObjectNamespace;
  /** Where usage records go. */
  usageDb?: D1Database;
  /** Where spans go. */
  traces?: TraceExport;
  logPrompts: boolean;
  dropParams: boolean;
}

/** Either the configuration, or every problem with it and the MODELS entries that were fine. */
export type ConfigResult =
  | { ok: true; config: ProxyConfig }
  | {
      ok: false;
      problems: string[];
      models: Record<string, ModelTableEntry>;
      /** AWS_REGION when it reads well: the models were checked against it. */
      region?: string;
    };

export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
/**
 * Three bodies of the default 4 MiB: measured on Node at 128 MB of heap, three of its heaviest (4 MiB
 * of text holding special tokens) were served at once, four ran out (docs/SECURITY.md).
 */
export const DEFAULT_MAX_BODY_BYTES_IN_FLIGHT = 3 * DEFAULT_MAX_BODY_BYTES;

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/**
 * A string binding, trimmed, blank being unset. wrangler makes a [vars] value written without
 * quotes (a list, a table, a number) a JSON binding: that is a problem naming the binding, not
 * a setting silently left unset.
 */
function textSetting(name: string, value: unknown, problems: string[]): string | undefined {
  if (!isMistyped(value)) return text(value);
  problems.push(`${name} must be a string, got ${kindOf(value)} (in wrangler.toml's [vars], put the value in quotes)`);
  return undefined;
}

/** A string binding given something else: textSetting's problem, which nothing else repeats. */
function isMistyped(value: unknown): boolean {
  return value !== undefined && typeof value !== "string";
}

// A number binding's text: decimal digits, nothing else, as the library reads retry-after
// (src/aws/retry.ts): Number reads "0x10", "0b101", "1e3", "+5", "5." and ".5e1" too, which would
// pass a value meant as something else (numbers43 #6).
const DIGITS = /^\d+$/;

/**
 * A whole number from `min`, in decimal digits; blank or only whitespace is unset, as for the
 * string bindings (Number(" ") is 0).
 */
function integer(name: string, value: unknown, problems: string[], min: number): number | undefined {
  if (value === undefined || (typeof value === "string" && value.trim() === "")) return undefined;
  const text = typeof value === "string" ? value.trim() : undefined;
  const n = typeof value === "number" ? value : text !== undefined && DIGITS.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(n) || n < min) {
    problems.push(`${name} must be an integer >= ${min} in decimal digits, got ${quoteValue(value)}`);
    return undefined;
  }
  return n;
}

/**
 * MAX_BODY_BYTES: an integer from 1024 to MAX_BODY_BYTES_CEILING, the most one request may hold in
 * a Worker's isolate (a model's max_body_bytes is held to it too, src/model-settings.ts).
 */
function bodyLimit(value: unknown, problems: string[]): number | undefined {
  const n = integer("MAX_BODY_BYTES", value, problems, 1024);
  if (n === undefined || n <= MAX_BODY_BYTES_CEILING) return n;
  problems.push(
    `MAX_BODY_BYTES must be at most ${MAX_BODY_BYTES_CEILING} (8 MiB, the most one request may hold in a Worker's 128 MB), got ${quoteValue(value)}: set it to ${MAX_BODY_BYTES_CEILING} or less (earlier versions took more); a body larger than that, its media too, is refused with a 413.`,
  );
  return undefined;
}

/** A *_MS binding: an integer from `min`, and no longer than a timer can wait (the library's own check). */
function milliseconds(name: string, value: unknown, problems: string[], min: number): number | undefined {
  const n = integer(name, value, problems, min);
  if (n === undefined) return undefined;
  try {
    return checkMilliseconds(n, n, name);
  } catch (error) {
    problems.push(`${message(error)}, got ${quoteValue(value)}`);
    return undefined;
  }
}

/**
 * "true" or "false" in any case, or wrangler.toml's unquoted boolean; blank or only whitespace is
 * unset (false), as for every other binding. Anything else is a problem: a typo must not silently
 * mean false.
 */
function flag(name: string, value: unknown, problems: string[]): boolean {
  if (typeof value === "boolean") return value;
  if (value === undefined || (typeof value === "string" && value.trim() === "")) return false;
  const word = typeof value === "string" ? value.trim().toLowerCase() : "";
  if (word !== "true" && word !== "false") problems.push(`${name} must be true or false, got ${quoteValue(value)}`);
  return word === "true";
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Validates every binding: the configuration, or every problem by binding name. Problems are
 * shown without authentication (GET /health), so ARNs are shortened and secret values are
 * never quoted in the first place.
 */
export function parseConfig(env: ProxyBindings): ConfigResult {
  const problems: string[] = [];
  // Read first, reported in its place: MODELS is checked against it (an ARN that contradicts it).
  const regionProblems: string[] = [];
  const regionSetting = textSetting("AWS_REGION", env.AWS_REGION, regionProblems);
  const region = readRegion(regionSetting, regionProblems);
  const { models, written } = readModels(env, problems, region);
  const auth = readCredentials(env, problems);
  problems.push(...regionProblems);
  // A region of the wrong type is its own problem: the models are not told it is unset.
  if (!regionSetting && !isMistyped(env.AWS_REGION)) {
    problems.push(...regionless(models));
  }
  const endpoint = readEndpoint(textSetting("BEDROCK_ENDPOINT", env.BEDROCK_ENDPOINT, problems), problems);
  // Read again, on its own, for CORS (readCorsOrigins): here only for its problems.
  parseOrigins(env.CORS_ORIGINS, problems);
  const config: ProxyConfig = {
    ...auth,
    models,
    apiKeys: parseApiKeys(env),
    keys: readClientKeys(env, problems, written),
    maxBodyBytes: bodyLimit(env.MAX_BODY_BYTES, problems) ?? DEFAULT_MAX_BODY_BYTES,
    maxBodyBytesInFlight:
      integer("MAX_BODY_BYTES_IN_FLIGHT", env.MAX_BODY_BYTES_IN_FLIGHT, problems, 1024) ??
      DEFAULT_MAX_BODY_BYTES_IN_FLIGHT,
    logPrompts: flag("LOG_PROMPTS", env.LOG_PROMPTS, problems),
    dropParams: flag("DROP_PARAMS", env.DROP_PARAMS, problems),
    maxRetries: integer("BEDROCK_MAX_RETRIES", env.BEDROCK_MAX_RETRIES, problems, 0),
    modelReadyTimeoutMs: milliseconds("MODEL_READY_TIMEOUT_MS", env.MODEL_READY_TIMEOUT_MS, problems, 0),
    timeoutMs: milliseconds("UPSTREAM_TIMEOUT_MS", env.UPSTREAM_TIMEOUT_MS, problems, 1),
    idleTimeoutMs: milliseconds("IDLE_TIMEOUT_MS", env.IDLE_TIMEOUT_MS, problems, 1),
    retryBaseDelayMs: milliseconds("BEDROCK_RETRY_BASE_DELAY_MS", env.BEDROCK_RETRY_BASE_DELAY_MS, problems, 0),
    keepAliveMs: milliseconds("SSE_KEEPALIVE_MS", env.SSE_KEEPALIVE_MS, problems, MIN_KEEPALIVE_MS),
    cooldownMs: milliseconds("DEPLOYMENT_COOLDOWN_MS", env.DEPLOYMENT_COOLDOWN_MS, problems, 0),
  };
  if (region) config.region = region;
  if (endpoint) config.endpoint = endpoint;
  Object.assign(config, readGatewayParts(env, problems));
  if (!problems.length) return { ok: true, config };
  const failed: ConfigResult = { ok: false, problems: problems.map(maskAwsIds), models };
  if (region) failed.region = region;
  return failed;
}

/** The gateway's parts: Cloudflare's bindings and the trace export, each optional, each checked. */
function readGatewayParts(
  env: ProxyBindings,
  problems: string[],
): Pick<ProxyConfig, "cooldowns" | "keyLimits" | "usageDb" | "traces"> {
  const parts: Pick<ProxyConfig, "cooldowns" | "keyLimits" | "usageDb" | "traces"> = {};
  const cooldowns = binding("DEPLOYMENT_COOLDOWNS", env.DEPLOYMENT_COOLDOWNS, problems);
  if (cooldowns) parts.cooldowns = cooldowns;
  const keyLimits = binding("KEY_LIMITS", env.KEY_LIMITS, problems);
  if (keyLimits) parts.keyLimits = keyLimits;
  if (env.USAGE_DB !== undefined) {
    if (isD1Database(env.USAGE_DB)) parts.usageDb = env.USAGE_DB;
    else problems.push("USAGE_DB must be a D1 database binding ([[d1_databases]] in wrangler.toml)");
  }
  const base = textSetting("OTEL_EXPORTER_OTLP_ENDPOINT", env.OTEL_EXPORTER_OTLP_ENDPOINT, problems);
  const tracesUrl = textSetting("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, problems);
  const headers = textSetting("OTEL_EXPORTER_OTLP_HEADERS", env.OTEL_EXPORTER_OTLP_HEADERS, problems);
  // An endpoint of the wrong type is its own problem: the headers are not told it is unset.
  const mistyped = isMistyped(env.OTEL_EXPORTER_OTLP_ENDPOINT) || isMistyped(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  const traces = mistyped ? undefined : readTraceExport({ base, traces: tracesUrl }, headers, problems);
  if (traces) parts.traces = traces;
  return parts;
}

/** An optional Durable Object binding: absent is fine, anything else by that name is a mistake. */
function binding(name: string, value: unknown, problems: string[]): DurableObjectNamespace | undefined {
  if (value === undefined || isDurableObjectNamespace(value)) return value;
  problems.push(`${name} must be a Durable Object binding ([[durable_objects.bindings]] in wrangler.toml)`);
  return undefined;
}

/**
 * The models that parsed, and every name MODELS writes, refused entries' too: API_KEYS' lists are
 * checked against those, so that an entry with a problem is not also told missing from MODELS
 * (undefined when MODELS could not be read: there are no names to check a list against).
 */
interface ModelTable {
  models: Record<string, ModelTableEntry>;
  written?: ReadonlySet<string>;
}

/**
 * Every entry is checked, so that one bad entry does not hide the next. AWS_REGION serves every
 * model without a region of its own, and an imported model lives in its ARN's region only: a
 * contradiction would fail every call to that model (a 400), so it is reported now instead.
 */
function readModels(env: ProxyBindings, problems: string[], region: string | undefined): ModelTable {
  const raw = env.MODELS;
  if (raw === undefined || raw === "") {
    problems.push('MODELS is not set: give a JSON object of public name -> "bedrock/<route>/<model-arn>"');
    return { models: {} };
  }
  const table = bindingJson("MODELS", raw, problems);
  if (table === undefined) return { models: {} };
  const fallback = region ? { region, setting: "AWS_REGION" } : undefined;
  if (table === null || typeof table !== "object" || Array.isArray(table))
    return { models: parseEntries(table, problems, fallback) };
  if (typeof raw === "string") {
    for (const name of repeatedNames(raw))
      problems.push(
        `MODELS[${shownText(name, 100)}]: the name is given twice, and JSON keeps only the last entry: give each entry its own name`,
      );
  }
  const models: Record<string, ModelTableEntry> = {};
  const resolved = resolveDeploymentCredentials(ownNames(table, problems), env, problems, env.BEDROCK_ENDPOINT);
  for (const [name, entry] of Object.entries(resolved))
    Object.assign(models, parseEntries({ [name]: entry }, problems, fallback));
  if (Object.keys(table).length === 0) problems.push("MODELS is empty: name at least one model");
  return { models, written: new Set(Object.keys(table)) };
}

/**
 * The table without an entry named __proto__: JSON.parse makes it an entry, but an assignment
 * (every table built from it) sets the object's prototype instead, and the model vanished.
 */
function ownNames(table: object, problems: string[]): Record<string, unknown> {
  const entries = Object.entries(table).filter(([name]) => name !== "__proto__");
  if (Object.hasOwn(table, "__proto__"))
    problems.push('MODELS["__proto__"]: is a name JavaScript keeps for itself: give the model another name');
  return Object.fromEntries(entries);
}

function parseEntries(table: unknown, problems: string[], fallback?: TableRegion): Record<string, ModelTableEntry> {
  try {
    return parseModels(table, "MODELS", fallback);
  } catch (error) {
    problems.push(message(error));
    return {};
  }
}

function readCredentials(env: ProxyBindings, problems: string[]): Pick<ProxyConfig, "credentials" | "apiKey"> {
  // One problem per binding of the wrong type, rather than more about what is then missing.
  const typeProblems: string[] = [];
  const accessKeyId = textSetting("AWS_ACCESS_KEY_ID", env.AWS_ACCESS_KEY_ID, typeProblems);
  const secretAccessKey = textSetting("AWS_SECRET_ACCESS_KEY", env.AWS_SECRET_ACCESS_KEY, typeProblems);
  const sessionToken = textSetting("AWS_SESSION_TOKEN", env.AWS_SESSION_TOKEN, typeProblems);
  const bearer = textSetting("AWS_BEARER_TOKEN_BEDROCK", env.AWS_BEARER_TOKEN_BEDROCK, typeProblems);
  if (typeProblems.length) {
    problems.push(...typeProblems);
    return {};
  }
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    problems.push("set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither");
  }
  if (bearer) return { apiKey: bearer };
  if (accessKeyId && secretAccessKey) {
    const wrong = accessKeyIdProblem(accessKeyId, sessionToken, "AWS_SESSION_TOKEN", env.BEDROCK_ENDPOINT);
    if (wrong) problems.push(`AWS_ACCESS_KEY_ID ${wrong}`);
    return {
      credentials: sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey },
    };
  }
  problems.push(
    `no Bedrock credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_BEARER_TOKEN_BEDROCK (each ${secretHint("NAME")})`,
  );
  return {};
}

function readRegion(region: string | undefined, problems: string[]): string | undefined {
  if (!region || isValidRegion(region)) return region;
  problems.push(`AWS_REGION must be an AWS region like us-east-1, got ${quoteValue(region)}`);
  return undefined;
}

/** Bare model ids (foundation models, cross-region profiles) run in AWS_REGION unless their entry names one. */
function regionless(models: Record<string, ModelTableEntry>): string[] {
  const problems: string[] = [];
  for (const [name, entry] of Object.entries(models)) {
    const modelId = regionlessModelId(entry);
    if (modelId === undefined) continue;
    problems.push(
      `MODELS["${name}"]: ${shownText(modelId, 200, "a model id", false)} names no region: set AWS_REGION, or this entry's "region"`,
    );
  }
  return problems;
}

/**
 * The client's own check (http(s), no query, fragment or user info), made once, up front, in
 * words that quote the value only as quoteValue does: the client's message quotes a value that
 * is not a URL whole, and that may be a secret put in the wrong field.
 */
function readEndpoint(endpoint: string | undefined, problems: string[]): string | undefined {
  if (!endpoint) return undefined;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    problems.push(`BEDROCK_ENDPOINT: ${quoteUrl(endpoint)} is not a URL like https://host[:port][/path]`);
    return undefined;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    problems.push(`BEDROCK_ENDPOINT: must be http(s), got ${quoteValue(url.protocol)}`);
    return undefined;
  }
  // A bare "?" or "#" leaves search and hash empty, yet each call's path would go after it.
  if (/[?#]/.test(url.href) || url.username || url.password) {
    problems.push(
      "BEDROCK_ENDPOINT: must not carry a query, a fragment (a bare ? or # included) or credentials (user info): give the base URL, e.g. https://vpce-….bedrock-runtime.us-east-1.vpce.amazonaws.com",
    );
    return undefined;
  }
  try {
    return normaliseEndpoint(endpoint);
  } catch (error) {
    problems.push(`BEDROCK_ENDPOINT: ${message(error).slice(0, 200)}`);
    return undefined;
  }
}

/**
 * CORS_ORIGINS on its own, for CORS to stay on while the configuration is wrong: a browser then
 * reads the 500 that says what, rather than a bare network error. An entry that is not an origin
 * but a URL (`https://app.example.com/`, a problem parseConfig reports) stands for its origin.
 */
export function readCorsOrigins(env: ProxyBindings): string[] {
  return parseOrigins(env.CORS_ORIGINS, []).flatMap((origin) => {
    if (origin === "*") return [origin];
    try {
      const url = new URL(origin);
      return url.protocol === "https:" || url.protocol === "http:" ? [url.origin] : [];
    } catch {
      return [];
    }
  });
}

/**
 * "*" or exact origins (`https://app.example.com`): a path or a trailing slash would never match.
 * Comma-separated, or a list (`CORS_ORIGINS = ["https://app.example.com"]`, a JSON binding).
 */
function parseOrigins(value: unknown, problems: string[]): string[] {
  if (value === undefined) return [];
  const list: unknown = typeof value === "string" ? value.split(",") : value;
  if (!Array.isArray(list)) {
    problems.push(`CORS_ORIGINS must be comma-separated origins, or *, or a list of them, got ${kindOf(value)}`);
    return [];
  }
  // The entries that are strings still stand, as a wrong origin does (readCorsOrigins).
  const texts = list.filter((origin): origin is string => typeof origin === "string");
  if (texts.length < list.length) {
    const at = list.findIndex((origin) => typeof origin !== "string");
    problems.push(`CORS_ORIGINS[${at}] must be an origin in quotes, got ${kindOf(list[at])}`);
  }
  const origins = texts.map((origin) => origin.trim()).filter(Boolean);
  for (const origin of origins) {
    if (origin === "*") continue;
    // new URL() keeps a "*" in a host, and such an origin would match none.
    if (origin.includes("*"))
      problems.push(
        `CORS_ORIGINS: ${quoteUrl(origin)} has a wildcard, and only * alone (every origin) is supported: list each origin`,
      );
    else if (!isOrigin(origin))
      problems.push(`CORS_ORIGINS: ${quoteUrl(origin)} is not an origin like https://app.example.com, or *`);
  }
  return origins;
}

function isOrigin(value: string): boolean {
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
}
