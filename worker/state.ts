// What the proxy builds from its bindings once per environment: the checked configuration,
// the Bedrock client, the key checker, and the CORS middleware when CORS is on.
import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { createBedrock, type Bedrock } from "../src/client.ts";
import { createKeyChecker, type KeyChecker } from "./auth.ts";
import { ConfigError, parseConfig, type ProxyConfig, type ProxyEnv } from "./config.ts";

export interface Ready {
  config: ProxyConfig;
  bedrock: Bedrock;
  checkKey: KeyChecker;
  /** Values to cut out of anything logged or answered. */
  secrets: string[];
  /** `created` of every /v1/models entry: when this configuration was loaded. */
  created: number;
  /** Interval of SSE comments while a cold model wakes up. */
  keepAliveMs: number;
  cors?: MiddlewareHandler;
}

export type State = Ready | { error: ConfigError };

export interface StateOptions {
  fetch?: typeof fetch;
  retryBaseDelayMs?: number;
  keepAliveMs?: number;
}

const DEFAULT_KEEPALIVE_MS = 5000;

export function buildState(env: ProxyEnv, options: StateOptions): State {
  let config: ProxyConfig;
  try {
    config = parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return { error };
    throw error;
  }
  const ready: Ready = {
    config,
    bedrock: createBedrock({
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
      retryBaseDelayMs: options.retryBaseDelayMs ?? config.retryBaseDelayMs,
      fetch: options.fetch,
    }),
    checkKey: createKeyChecker(config.apiKeys),
    secrets: secretsOf(config),
    created: Math.floor(Date.now() / 1000),
    keepAliveMs: options.keepAliveMs ?? config.keepAliveMs ?? DEFAULT_KEEPALIVE_MS,
  };
  if (config.corsOrigins.length) ready.cors = corsFor(config.corsOrigins);
  return ready;
}

function secretsOf(config: ProxyConfig): string[] {
  return [
    ...config.apiKeys,
    config.credentials?.secretAccessKey,
    config.credentials?.sessionToken,
    config.credentials?.accessKeyId,
    config.apiKey,
  ].filter((secret): secret is string => Boolean(secret));
}

function corsFor(origins: string[]): MiddlewareHandler {
  return cors({
    origin: origins.includes("*") ? "*" : origins,
    allowHeaders: ["authorization", "content-type", "x-api-key"],
    allowMethods: ["GET", "POST", "OPTIONS"],
    maxAge: 600,
  });
}

/**
 * One state per environment object: a Worker's `env` is the same object for every request of
 * an isolate, so bindings are parsed once, yet a new deployment (new env) is read afresh.
 */
export function stateCache(fixedEnv: ProxyEnv | undefined, options: StateOptions): (env: unknown) => State {
  const fixed = fixedEnv ? buildState(fixedEnv, options) : undefined;
  const perEnv = new WeakMap<object, State>();
  const empty = {};
  return (env) => {
    if (fixed) return fixed;
    const key = env !== null && typeof env === "object" ? env : empty;
    let found = perEnv.get(key);
    if (!found) {
      found = buildState(key as ProxyEnv, options);
      perEnv.set(key, found);
    }
    return found;
  };
}
