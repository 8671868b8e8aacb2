// What the proxy builds from its bindings once per environment: the checked configuration,
// the Bedrock client, the key checker, and the CORS middleware when CORS is on; or, when the
// bindings are wrong, the list of problems every request answers with.
import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { createBedrock, type Bedrock } from "../src/client.ts";
import { redactSecrets } from "../src/errors.ts";
import { createKeyChecker, type KeyChecker } from "./auth.ts";
import { parseConfig, type ProxyConfig, type ProxyEnv } from "./config.ts";
import { shortenArns } from "./http.ts";

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
  /** Models whose chat_template does not compile: templates are checked once, in the background. */
  modelProblems: Promise<string[]>;
  cors?: MiddlewareHandler;
}

export interface Misconfigured {
  /** What to fix, by binding name; shown by GET /health without authentication. */
  problems: string[];
  secrets: string[];
}

export type State = Ready | Misconfigured;

export function isMisconfigured(state: State): state is Misconfigured {
  return "problems" in state;
}

export interface StateOptions {
  fetch?: typeof fetch;
  retryBaseDelayMs?: number;
  keepAliveMs?: number;
}

const DEFAULT_KEEPALIVE_MS = 5000;

/**
 * Never throws: a failure nobody planned for (a binding that cannot be read, a library check
 * the configuration did not repeat) becomes a configuration problem too, so /health names it
 * and every request is answered and logged instead of crashing.
 */
export function buildState(env: ProxyEnv, options: StateOptions): State {
  let secrets: string[] = [];
  try {
    secrets = proxySecrets(env);
    const parsed = parseConfig(env);
    return parsed.ok ? readyFrom(parsed.config, secrets, options) : { problems: parsed.problems, secrets };
  } catch (error) {
    return {
      problems: [`the proxy could not be set up (${shortenArns(redactSecrets(describeError(error), secrets))})`],
      secrets,
    };
  }
}

function readyFrom(config: ProxyConfig, secrets: string[], options: StateOptions): Ready {
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
    retryBaseDelayMs: options.retryBaseDelayMs ?? config.retryBaseDelayMs,
    fetch: options.fetch,
  });
  const state: Ready = {
    config,
    bedrock,
    checkKey: createKeyChecker(config.apiKeys),
    secrets,
    created: Math.floor(Date.now() / 1000),
    keepAliveMs: options.keepAliveMs ?? config.keepAliveMs ?? DEFAULT_KEEPALIVE_MS,
    modelProblems: checkTemplates(bedrock),
  };
  if (config.corsOrigins.length) state.cors = corsFor(config.corsOrigins);
  return state;
}

/**
 * Started now, awaited by /health: a broken chat_template would otherwise only show on its
 * first call. Nobody awaits it before the first /health, so a rejection must not escape (Node
 * ends the process on an unhandled one): it becomes a problem too.
 */
function checkTemplates(bedrock: Bedrock): Promise<string[]> {
  return bedrock.checkModels("MODELS").then(
    (problems) => problems.map(shortenArns),
    (error: unknown) => [`the chat templates could not be checked (${describeError(error)})`],
  );
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * The secret bindings' values, read from the bindings themselves rather than the parsed
 * configuration, so they are known (and cut from logs) even when the configuration is wrong.
 */
function proxySecrets(env: ProxyEnv): string[] {
  const keys = typeof env.PROXY_API_KEYS === "string" ? env.PROXY_API_KEYS.split(",") : [];
  return [
    ...keys,
    env.AWS_SECRET_ACCESS_KEY,
    env.AWS_SESSION_TOKEN,
    env.AWS_ACCESS_KEY_ID,
    env.AWS_BEARER_TOKEN_BEDROCK,
  ]
    .map((value) => (typeof value === "string" ? value.trim() : ""))
    .filter(Boolean);
}

/**
 * Request headers are not listed: hono then allows what the preflight asks for, which covers
 * the openai SDK's x-stainless-* headers (and whatever a later version adds); the origin list
 * is what restricts who may call. Nothing is exposed: the proxy answers no response header a
 * client reads beyond the CORS-safelisted content-type.
 */
function corsFor(origins: string[]): MiddlewareHandler {
  return cors({
    origin: origins.includes("*") ? "*" : origins,
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
