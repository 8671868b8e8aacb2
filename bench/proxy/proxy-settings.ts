// What every proxy under test is given: the same models, key and upstream credentials, whether
// it runs in workerd or in Node.
import { EMULATOR_CREDENTIALS } from "../../emulator/credentials.ts";
import { emulatorModelId } from "../../emulator/model-id.ts";

export const PROXY_KEY = "sk-bench-proxy";
export const GATEWAY_KEY = "sk-bench-gateway";
/** The pieces (output tokens) of the `llama-long` model's answer. */
const LONG_PIECES = 500;

/**
 * The emulator's llama model as every side of the proxy comparison calls it: 21 pieces of answer
 * through InvokeModel and Converse alike. Its own greeting says "your prompt" to the one and "your
 * last message" to the other, a token more, and Portkey calls Converse: each of its streams
 * relayed one piece more than ours (benchcheck44).
 */
export function benchLlama(region?: string): string {
  return emulatorModelId("llama", ["long21"], region);
}

/** Public model names the benchmark calls, and the emulator model behind each. */
export const PROXY_MODELS = {
  llama: `bedrock/llama/${benchLlama()}`,
  "llama-slow": `bedrock/llama/${emulatorModelId("llama", ["slow50"])}`,
  // A streamed answer of 500 pieces, a token each: what a stream's CPU grows by per chunk.
  "llama-long": `bedrock/llama/${emulatorModelId("llama", [`long${LONG_PIECES}`])}`,
} as const;

/** Our proxy's bindings (wrangler vars and secrets; createApp's `env` in Node). */
export function proxyBindings(emulatorUrl: string): Record<string, string> {
  return {
    MODELS: JSON.stringify(PROXY_MODELS),
    PROXY_API_KEYS: PROXY_KEY,
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
    AWS_REGION: "us-east-1",
    BEDROCK_ENDPOINT: emulatorUrl,
  };
}

/**
 * The gateway: the same proxy with a model of two deployments (failover; the first, the plain
 * proxy's model, always serves) and a key with every limit, none of which a benchmark reaches:
 * each request is routed and checked, none refused.
 */
export function gatewayBindings(emulatorUrl: string): Record<string, string> {
  const llama = {
    deployments: [
      { model: PROXY_MODELS.llama },
      { model: `bedrock/llama/${benchLlama("us-west-2")}`, region: "us-west-2" },
    ],
    routing: "failover",
  };
  const keys = {
    bench: {
      key: GATEWAY_KEY,
      rate_limit: "RATE_LIMIT_BENCH",
      tokens_per_day: 1_000_000_000_000,
      concurrent_streams: 100_000,
    },
  };
  return {
    ...proxyBindings(emulatorUrl),
    MODELS: JSON.stringify({ ...PROXY_MODELS, llama }),
    API_KEYS: JSON.stringify(keys),
  };
}

/** The gateway's Cloudflare bindings: its two Durable Objects and a rate limiter. */
export const GATEWAY_CLOUDFLARE = {
  durableObjects: {
    DEPLOYMENT_COOLDOWNS: { className: "DeploymentCooldowns", useSQLite: true },
    KEY_LIMITS: { className: "KeyLimits", useSQLite: true },
  },
  ratelimits: { RATE_LIMIT_BENCH: { simple: { limit: 1_000_000_000, period: 60 } } },
};

/**
 * Portkey refuses a custom host on a private or loopback address unless it is listed (an SSRF
 * guard), in its env binding or its process environment alike.
 */
export function portkeyBindings(emulatorUrl: string): Record<string, string> {
  return { TRUSTED_CUSTOM_HOSTS: new URL(emulatorUrl).hostname };
}
