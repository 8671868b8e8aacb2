// The transport's settings: what a caller may give, checked once, with every default in one place.
import type { CredentialsOption } from "./credentials.ts";
import { normaliseEndpoint } from "./endpoint.ts";
import type { RetryPolicy } from "./retry.ts";
import type { SigningCrypto, SigningKeyCache } from "./sign.ts";

export interface TransportOptions {
  /** Default: the region in the model ARN. */
  region?: string;
  credentials?: CredentialsOption;
  /** A Bedrock API key, sent as `Authorization: Bearer`, instead of SigV4. */
  apiKey?: string;
  /** Base URL override: a VPC endpoint, a proxy, or the emulator. */
  endpoint?: string;
  fetch?: typeof fetch;
  /**
   * Synchronous hashes for SigV4 (bedrock-edge/node's `nodeSigningCrypto`); default: WebCrypto,
   * through aws4fetch. The signature is the same either way.
   */
  signingCrypto?: SigningCrypto;
  /** Retries for throttling, 5xx and network errors (default 2). */
  maxRetries?: number;
  /** Time allowed for Bedrock's answer to begin (plain calls: to finish). Default 10 minutes. */
  timeoutMs?: number;
  /** Longest silence allowed between two pieces of a stream. Default 60 s. */
  idleTimeoutMs?: number;
  /** How long to wait for an imported model to wake up (ModelNotReadyException). Default 5 minutes. */
  modelReadyTimeoutMs?: number;
  /** First backoff step (default 500 ms); later ones double, with full jitter. */
  retryBaseDelayMs?: number;
  /** Longest single backoff (default 20 s). */
  retryMaxDelayMs?: number;
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

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new TypeError(`${name} must be a non-negative number`);
  return value;
}

export function createTransport(options: TransportOptions = {}): Transport {
  const baseFetch = options.fetch;
  return {
    policy: {
      maxRetries: Math.floor(nonNegative(options.maxRetries, 2, "maxRetries")),
      modelReadyTimeoutMs: nonNegative(options.modelReadyTimeoutMs, 300_000, "modelReadyTimeoutMs"),
      baseDelayMs: nonNegative(options.retryBaseDelayMs, 500, "retryBaseDelayMs"),
      maxDelayMs: nonNegative(options.retryMaxDelayMs, 20_000, "retryMaxDelayMs"),
      random: Math.random,
    },
    // Bound late: a bare reference to the global fetch throws "Illegal invocation" in Workers.
    fetch: baseFetch ?? ((input, init) => fetch(input, init)),
    endpoint: options.endpoint === undefined ? undefined : normaliseEndpoint(options.endpoint),
    region: options.region,
    // A zero timeout would fail every call at once: zero means the default, as it always has.
    timeoutMs: nonNegative(options.timeoutMs, 600_000, "timeoutMs") || 600_000,
    idleTimeoutMs: nonNegative(options.idleTimeoutMs, 60_000, "idleTimeoutMs") || 60_000,
    auth: { credentials: options.credentials, apiKey: options.apiKey },
    signingKeys: new Map(),
    signingCrypto: options.signingCrypto,
  };
}
