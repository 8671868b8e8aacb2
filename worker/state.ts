// What the proxy builds from its bindings once per environment: the client keys and CORS (always,
// so that an operator, or a browser, can be told what is wrong), every configuration problem,
// and, when there are none, the checked configuration and the Bedrock client.
import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { checkMilliseconds, redactSecrets, regionlessModelId } from "../src/core.ts";
import { type Bedrock, createBedrock, type ModelTableEntry, type SigningCrypto } from "../src/index.ts";
import { createKeyFinder, type KeyFinder } from "./auth.ts";
import type { AppEnv } from "./context.ts";
import type { BodyLimits } from "./body.ts";
import { MIN_KEEPALIVE_MS, parseConfig, type ProxyBindings, type ProxyConfig, readCorsOrigins } from "./config.ts";
import { credentialSecrets } from "./deployment-credentials.ts";
import { durableCooldownStore } from "./durable/cooldowns.ts";
import { type KeyLimitsClient, keyLimitsClient } from "./durable/key-limits.ts";
import { apiKeySecrets, type ClientKey, modelSet, parseApiKeys, readClientKeys } from "./keys.ts";
import { maskAwsIds } from "./http.ts";
import { traceHeaderSecrets } from "./traces.ts";
import { usageTableCheck } from "./usage-table.ts";
import { type UsageWriter, usageWriter } from "./usage.ts";

export interface ProxyState {
  /**
   * Values to cut out of anything logged or answered. Read-only once the state is built: the log
   * keeps each endpoint path's redaction per this array (log.ts loggedPath), so one pushed later
   * would never be cut from those paths.
   */
  secrets: readonly string[];
  keys: { count: number; find: KeyFinder };
  /**
   * CORS_ORIGINS' middleware, when it names origins, whatever else is wrong (readCorsOrigins).
   * Typed with the app's context, not Hono's default of `any`.
   */
  cors?: MiddlewareHandler<AppEnv>;
  /**
   * The configuration's own problems (known secrets and secret-shaped text cut, as from a log
   * line): while there are any, calls answer 500 proxy_misconfigured.
   */
  configProblems: string[];
  /**
   * Every problem /health reports, by binding name: the configuration's, no client keys, and
   * chat_templates that do not compile (checked once, in the background).
   */
  problems: Promise<string[]>;
  /** The working proxy, when the configuration has no problems. */
  ready: Ready | undefined;
}

export interface Ready {
  config: ProxyConfig;
  bedrock: Bedrock;
  /** `created` of every /v1/models entry: when this configuration was loaded. */
  created: number;
  /** Interval of SSE comments while a stream has nothing to send (a cold model, a silent Bedrock). */
  keepAliveMs: number;
  /** The body limits for a key that may call these models (every model when undefined). */
  bodyLimits(models: readonly string[] | undefined): BodyLimits;
  /** Counts the keys' tokens per day and open streams, when KEY_LIMITS is bound. */
  keyLimits?: KeyLimitsClient;
  /** /health's look for USAGE_DB's table, when it is bound: [] once found (usage-table.ts). */
  usageTableProblems?: () => Promise<string[]>;
  /** USAGE_DB's row writer, when it is bound: one per isolate, which learns the table's columns (usage.ts). */
  writeUsage?: UsageWriter;
}

export interface StateOptions {
  fetch?: typeof fetch;
  signingCrypto?: SigningCrypto;
  retryBaseDelayMs?: number;
  keepAliveMs?: number;
}

const DEFAULT_KEEPALIVE_MS = 5000;

/**
 * Never throws: a failure nobody planned for (a binding that cannot be read, a library check
 * the configuration did not repeat) becomes a configuration problem too, so /health names it
 * and every request is answered and logged instead of crashing.
 */
function buildState(env: ProxyBindings, options: StateOptions): ProxyState {
  const secrets = attempt(() => proxySecrets(env), []);
  // Every key that reads well, whatever else is wrong: an operator must be able to authenticate.
  // Those of entries left out for a problem too: their holders are told the configuration is wrong.
  const broken: ClientKey[] = [];
  const clientKeys = attempt((): ClientKey[] => readClientKeys(env, [], undefined, broken), []);
  const proxyKeys = attempt(() => parseApiKeys(env), []);
  const keys = {
    count: proxyKeys.length + clientKeys.length + broken.length,
    find: createKeyFinder(clientKeys, proxyKeys, broken),
  };
  const noKeys = keys.count
    ? []
    : [
        env.API_KEYS === undefined || env.API_KEYS === ""
          ? "PROXY_API_KEYS is not set (nor API_KEYS): every call is refused"
          : "API_KEYS holds no key that can be read, and PROXY_API_KEYS is not set: every call is refused",
      ];
  const origins = attempt(() => readCorsOrigins(env), []);
  const cors = origins.length ? corsFor(origins) : undefined;
  // Problems go to keys that may read them (/health, 500 proxy_misconfigured) as they go to the
  // log: without a secret an operator put in the wrong field (a key where a name belongs).
  const clean = (problems: string[]) => problems.map((problem) => redactSecrets(problem, secrets));
  try {
    const parsed = parseConfig(env);
    secrets.push(...credentialSecrets(env.MODELS, env));
    if (parsed.ok) {
      const ready = readyFrom(parsed.config, options);
      const problems = checkTemplates(ready.bedrock).then((broken) => clean([...noKeys, ...broken]));
      return { secrets, keys, cors, configProblems: [], problems, ready };
    }
    const configProblems = clean(parsed.problems);
    const problems = checkTemplates(templateChecker(parsed.models, parsed.region)).then((broken) => [
      ...configProblems,
      ...clean([...noKeys, ...broken]),
    ]);
    return { secrets, keys, cors, configProblems, problems, ready: undefined };
  } catch (error) {
    const configProblems = [
      `the proxy could not be set up (${maskAwsIds(redactSecrets(describeError(error), secrets))})`,
    ];
    return {
      secrets,
      keys,
      cors,
      configProblems,
      problems: Promise.resolve([...configProblems, ...noKeys]),
      ready: undefined,
    };
  }
}

function attempt<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    // buildState's try reads the same binding again and reports why.
    return fallback;
  }
}

function readyFrom(config: ProxyConfig, options: StateOptions): Ready {
  const bedrock = createBedrock({
    models: config.models,
    onlyListedModels: true,
    credentials: config.credentials,
    apiKey: config.apiKey,
    region: config.region,
    endpoint: config.endpoint,
    maxRetries: config.maxRetries,
    modelReadyTimeoutMs: config.modelReadyTimeoutMs,
    timeoutMs: config.timeoutMs,
    idleTimeoutMs: config.idleTimeoutMs,
    dropParams: config.dropParams,
    retryBaseDelayMs: options.retryBaseDelayMs ?? config.retryBaseDelayMs,
    cooldownMs: config.cooldownMs,
    cooldownStore: config.cooldowns && durableCooldownStore(config.cooldowns),
    fetch: options.fetch,
    signingCrypto: options.signingCrypto,
  });
  const ready: Ready = {
    config,
    bedrock,
    created: Math.floor(Date.now() / 1000),
    keepAliveMs: keepAliveOption(options.keepAliveMs, config.keepAliveMs ?? DEFAULT_KEEPALIVE_MS),
    bodyLimits: bodyLimitsOf(config),
  };
  if (config.keyLimits) ready.keyLimits = keyLimitsClient(config.keyLimits);
  if (config.usageDb) {
    ready.usageTableProblems = usageTableCheck(config.usageDb);
    ready.writeUsage = usageWriter(config.usageDb, logWarning);
  }
  return ready;
}

/** A fact of the isolate, not of one request: a line of its own (no request_id, no status). */
function logWarning(message: string): void {
  console.warn(JSON.stringify({ time: new Date().toISOString(), warning: message }));
}

/**
 * MAX_BODY_BYTES, unless a model says otherwise (a vision model's images need more). Only the
 * models a key may call have limits of their own for it: any other name, configured or not, gets
 * MAX_BODY_BYTES, so that a 413 tells a restricted key nothing of the models it may not call.
 */
function bodyLimitsOf(config: ProxyConfig): Ready["bodyLimits"] {
  const own = (model: string, allowed: readonly string[] | undefined) =>
    Object.hasOwn(config.models, model) && (!allowed || modelSet(allowed).has(model))
      ? config.models[model]!.max_body_bytes
      : undefined;
  const everyModel = Object.keys(config.models);
  const limitsFor = (allowed: readonly string[] | undefined): BodyLimits => {
    const limits = (allowed ?? everyModel).map((model) => own(model, allowed) ?? 0);
    return {
      largest: Math.max(config.maxBodyBytes, ...limits),
      forModel: (model) => (model === undefined ? undefined : own(model, allowed)) ?? config.maxBodyBytes,
    };
  };
  // Made once for every model, and once per key's list of models (each key keeps its own list):
  // not again on every request.
  const forEveryModel = limitsFor(undefined);
  const byKey = new WeakMap<readonly string[], BodyLimits>();
  return (allowed) => {
    if (!allowed) return forEveryModel;
    let found = byKey.get(allowed);
    if (!found) {
      found = limitsFor(allowed);
      byKey.set(allowed, found);
    }
    return found;
  };
}

/**
 * A client for the entries that parsed, only to compile their chat_templates for /health. It
 * makes no call. The entries were checked against AWS_REGION when it reads well, so the client
 * takes it; without it, an entry whose model names no region (parseConfig reported it) is left
 * out, as the client would refuse it.
 */
function templateChecker(models: Record<string, ModelTableEntry>, region: string | undefined): Bedrock {
  if (region) return createBedrock({ models, region });
  const placed = Object.entries(models).filter(([, entry]) => regionlessModelId(entry) === undefined);
  return createBedrock({ models: Object.fromEntries(placed) });
}

/**
 * Started now, awaited by /health: a broken chat_template would otherwise only show on its
 * first call. Nobody awaits it before the first /health, so a rejection must not escape (Node
 * ends the process on an unhandled one): it becomes a problem too.
 */
function checkTemplates(bedrock: Bedrock): Promise<string[]> {
  return bedrock.checkModels("MODELS").then(
    (problems) => problems.map(maskAwsIds),
    (error: unknown) => [`the chat templates could not be checked (${describeError(error)})`],
  );
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * The secret bindings' values, read from the bindings themselves rather than the parsed
 * configuration, so they are known (and cut from logs) even when the configuration is wrong.
 * (The credentials MODELS names are added once MODELS is read: they serve calls only then.)
 */
function proxySecrets(env: ProxyBindings): string[] {
  return [
    ...parseApiKeys(env),
    ...apiKeySecrets(env),
    env.AWS_SECRET_ACCESS_KEY,
    env.AWS_SESSION_TOKEN,
    env.AWS_ACCESS_KEY_ID,
    env.AWS_BEARER_TOKEN_BEDROCK,
    ...traceHeaderSecrets(env.OTEL_EXPORTER_OTLP_HEADERS),
  ]
    .map((value) => (typeof value === "string" ? value.trim() : ""))
    .filter(Boolean);
}

/**
 * Request headers are not listed: hono then allows what the preflight asks for, which covers
 * the openai SDK's x-stainless-* headers (and whatever a later version adds); the origin list
 * is what restricts who may call. Exposed: the request id (the SDK's `_request_id`),
 * Retry-After (its backoff), x-should-retry (whether it retries at all) and the deployment that
 * served, which a browser would otherwise hide from the SDK.
 */
function corsFor(origins: string[]): MiddlewareHandler<AppEnv> {
  return cors({
    origin: origins.includes("*") ? "*" : origins,
    allowMethods: ["GET", "POST", "OPTIONS"],
    exposeHeaders: ["x-request-id", "retry-after", "x-should-retry", "x-bedrock-edge-deployment"],
    maxAge: 600,
  });
}

/**
 * One state per environment object: a Worker's `env` is the same object for every request of
 * an isolate, so bindings are parsed once, yet a new deployment (new env) is read afresh.
 */
export function stateCache(fixedEnv: ProxyBindings | undefined, options: StateOptions): (env: unknown) => ProxyState {
  const fixed = fixedEnv ? buildState(fixedEnv, options) : undefined;
  const perEnv = new WeakMap<object, ProxyState>();
  const empty = {};
  return (env) => {
    if (fixed) return fixed;
    const key = env !== null && typeof env === "object" ? env : empty;
    let found = perEnv.get(key);
    if (!found) {
      found = buildState(key as ProxyBindings, options);
      perEnv.set(key, found);
    }
    return found;
  };
}

/** createApp's keepAliveMs, checked as SSE_KEEPALIVE_MS is: a timer's delay, and not below the minimum. */
function keepAliveOption(value: number | undefined, fallback: number): number {
  const ms = checkMilliseconds(value, fallback, "keepAliveMs");
  if (ms < MIN_KEEPALIVE_MS) throw new TypeError(`keepAliveMs must be at least ${MIN_KEEPALIVE_MS} ms`);
  return ms;
}
