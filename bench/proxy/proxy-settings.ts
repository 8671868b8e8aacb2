// What every proxy under test is given: the same models, key and upstream credentials, whether
// it runs in workerd or in Node.
import { EMULATOR_CREDENTIALS } from "../../emulator/credentials.ts";
import { emulatorModelId } from "../../emulator/model-id.ts";

export const PROXY_KEY = "sk-bench-proxy";

/** Public model names the benchmark calls, and the emulator model behind each. */
const PROXY_MODELS = {
  llama: `bedrock/llama/${emulatorModelId("llama")}`,
  "llama-slow": `bedrock/llama/${emulatorModelId("llama", ["slow50"])}`,
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
 * Portkey refuses a custom host on a private or loopback address unless it is listed (an SSRF
 * guard), in its env binding or its process environment alike.
 */
export function portkeyBindings(emulatorUrl: string): Record<string, string> {
  return { TRUSTED_CUSTOM_HOSTS: new URL(emulatorUrl).hostname };
}
