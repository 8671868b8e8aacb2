// The transport's settings: what a caller may give, checked once, with every default in one place.
import { CREDENTIALS_SHAPE, type CredentialsOption, isCredentialsOption } from "./credentials.ts";
import { isValidRegion, normaliseEndpoint, REGION_SHAPE } from "./endpoint.ts";
import type { RetryPolicy } from "./retry.ts";
import type { SigningCrypto, SigningKeyCache } from "./sign.ts";
import { shownText } from "../errors.ts";

/**
 * Every option in milliseconds takes 0 to 2147483647 (about 24.8 days, the longest a timer can
 * wait), but timeoutMs and idleTimeoutMs, which take at least 1.
 */
export interface TransportOptions {
  /** Default: the region in the model ARN. */
  region?: string | undefined;
  /**
   * AWS credentials for SigV4, or a function giving them, called for each request (so they can
   * rotate). `apiKey`, when set, is used instead. With neither, every call fails with a 500
   * `missing_credentials`: nothing is read from the environment.
   */
  credentials?: CredentialsOption | undefined;
  /** A Bedrock API key, sent as `Authorization: Bearer`, instead of SigV4. */
  apiKey?: string | undefined;
  /** Base URL override: a VPC endpoint, a proxy, or the emulator. */
  endpoint?: string | undefined;
  /**
   * The fetch every call to Bedrock goes through (bedrock-edge/node's, the emulator's, a test
   * double); default: the global fetch. It should honour the `signal` it is given: on an abort or
   * a timeout the call stops waiting for it either way.
   */
  fetch?: typeof fetch | undefined;
  /**
   * Synchronous hashes for SigV4 (bedrock-edge/node's `nodeSigningCrypto`); default: WebCrypto,
   * through aws4fetch. The signature is the same either way.
   */
  signingCrypto?: SigningCrypto | undefined;
  /** Retries for throttling, 5xx and network errors (default 2). */
  maxRetries?: number | undefined;
  /**
   * Time allowed for Bedrock's answer to begin (plain calls: to finish), from the start of each
   * attempt. Default 10 minutes; at least 1 (0 is refused, not read as "none").
   */
  timeoutMs?: number | undefined;
  /** Longest silence allowed between two pieces of a stream. Default 60 s; at least 1. */
  idleTimeoutMs?: number | undefined;
  /** How long to wait for an imported model to wake up (ModelNotReadyException). Default 5 minutes. */
  modelReadyTimeoutMs?: number | undefined;
  /** First backoff step (default 500 ms); later ones double, with full jitter. */
  retryBaseDelayMs?: number | undefined;
  /** Longest single backoff (default 20 s). */
  retryMaxDelayMs?: number | undefined;
}

export interface Transport {
  policy: RetryPolicy;
  fetch: typeof fetch;
  endpoint: string | undefined;
  region: string | undefined;
  timeoutMs: number;
  idleTimeoutMs: number;
  auth: { credentials?: CredentialsOption; apiKey?: string };
  signingKeys: SigningKeyCache;
  signingCrypto: SigningCrypto | undefined;
}

/**
 * The longest delay setTimeout keeps (about 24.8 days): Node, browsers and Deno fire a longer one
 * at once, so a "practically never" timeout would end every call and a stream's watchdog would
 * wake every millisecond. Every option in milliseconds is held to it, whether or not it reaches a
 * timer today.
 */
const MAX_TIMER_MS = 2 ** 31 - 1;

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new TypeError(`${name} must be a non-negative number`);
  return value;
}

/** An option in milliseconds: from `least` (default 0) to MAX_TIMER_MS, or `fallback` when not given. */
export function checkMilliseconds(value: number | undefined, fallback: number, name: string, least = 0): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`${name} must be a non-negative number of milliseconds`);
  }
  if (value < least) throw new TypeError(`${name} must be at least ${least} ms`);
  if (value > MAX_TIMER_MS) {
    throw new TypeError(`${name} must be at most ${MAX_TIMER_MS} ms (about 24.8 days, the longest a timer can wait)`);
  }
  return value;
}

/**
 * Where and as whom calls go, checked as a deployment's own settings are (deployments.ts): a
 * mistake is a TypeError naming the option now, not every call failing later as the request's
 * fault, Bedrock's or the network's.
 */
function checkAccess({ region, credentials, apiKey, fetch, signingCrypto }: TransportOptions): void {
  let wrong: string | undefined;
  if (region !== undefined && !isValidRegion(region)) {
    wrong = `region ${REGION_SHAPE} (got ${typeof region === "string" ? shownText(region, 40) : shownText(String(JSON.stringify(region)), 40, "a value", false)})`;
  } else if (credentials !== undefined && !isCredentialsOption(credentials)) {
    // Never the value: it may be a secret written in the wrong shape.
    wrong = `credentials ${CREDENTIALS_SHAPE}`;
  } else if (apiKey !== undefined && (typeof apiKey !== "string" || !apiKey)) {
    wrong = "apiKey must be a non-empty string";
  } else if (fetch !== undefined && typeof fetch !== "function") {
    wrong = "fetch must be a function";
  } else if (
    signingCrypto !== undefined &&
    (typeof signingCrypto?.sha256Hex !== "function" || typeof signingCrypto.hmacSha256 !== "function")
  ) {
    wrong = "signingCrypto must be { sha256Hex, hmacSha256 } functions, as bedrock-edge/node's nodeSigningCrypto is";
  }
  if (wrong) throw new TypeError(wrong);
}

/** `""` for region or apiKey is not set, as an empty environment variable (`AWS_REGION=`) is. */
function blanksUnset(options: TransportOptions): TransportOptions {
  if (options.region !== "" && options.apiKey !== "") return options;
  return { ...options, region: options.region || undefined, apiKey: options.apiKey || undefined };
}

export function createTransport(given: TransportOptions = {}): Transport {
  const options = blanksUnset(given);
  checkAccess(options);
  const baseFetch = options.fetch;
  return {
    policy: {
      maxRetries: Math.floor(nonNegative(options.maxRetries, 2, "maxRetries")),
      modelReadyTimeoutMs: checkMilliseconds(options.modelReadyTimeoutMs, 300_000, "modelReadyTimeoutMs"),
      baseDelayMs: checkMilliseconds(options.retryBaseDelayMs, 500, "retryBaseDelayMs"),
      maxDelayMs: checkMilliseconds(options.retryMaxDelayMs, 20_000, "retryMaxDelayMs"),
      random: Math.random,
    },
    // Bound late: a bare reference to the global fetch throws "Illegal invocation" in Workers.
    fetch: baseFetch ?? ((input, init) => fetch(input, init)),
    endpoint: options.endpoint === undefined ? undefined : normaliseEndpoint(options.endpoint),
    region: options.region,
    // Zero would end every call at once (it once meant the default, silently): refused, as the
    // proxy's UPSTREAM_TIMEOUT_MS and IDLE_TIMEOUT_MS refuse it.
    timeoutMs: checkMilliseconds(options.timeoutMs, 600_000, "timeoutMs", 1),
    idleTimeoutMs: checkMilliseconds(options.idleTimeoutMs, 60_000, "idleTimeoutMs", 1),
    auth: { credentials: options.credentials, apiKey: options.apiKey },
    signingKeys: new Map(),
    signingCrypto: options.signingCrypto,
  };
}
