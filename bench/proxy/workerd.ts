/// <reference types="node" />
// The Worker in workerd (Miniflare), bundled as wrangler bundles it, served on its own loopback
// socket (unsafeDirectSockets: no Miniflare entry Worker in the path, as in production), with
// the emulator as upstream. Its JSON log lines are kept out of the benchmark's output.
//
// Two Workers of the same bundle: the plain proxy, and the gateway, whose model has two
// deployments (the first, which always serves, is the plain proxy's model) and whose key has
// every limit: the cool-downs read from a Durable Object, the Rate Limiting binding, tokens per
// day and open streams admitted and settled in another. The difference is what routing and the
// limit checks add. (Usage records and traces are written after the answer: not in it.)
import { readFileSync } from "node:fs";
import { Miniflare } from "miniflare";
import { EMULATOR_CREDENTIALS } from "../../emulator/credentials.ts";
import { emulatorModelId } from "../../emulator/model-id.ts";
import { bundle, edgeOptions, ROOT } from "../lib/build.ts";

export const PROXY_KEY = "sk-bench-proxy";
export const GATEWAY_KEY = "sk-bench-gateway";

/** Public model names the benchmark calls, and the emulator model behind each. */
const PROXY_MODELS = {
  llama: `bedrock/llama/${emulatorModelId("llama")}`,
  "llama-slow": `bedrock/llama/${emulatorModelId("llama", ["slow50"])}`,
} as const;

const GATEWAY_MODELS = {
  llama: {
    deployments: [
      { model: PROXY_MODELS.llama },
      { model: `bedrock/llama/${emulatorModelId("llama", [], "us-west-2")}` },
    ],
    routing: "failover",
  },
  "llama-slow": PROXY_MODELS["llama-slow"],
};

// Limits no benchmark reaches: every request is checked, none is refused.
const GATEWAY_KEYS = {
  bench: {
    key: GATEWAY_KEY,
    rate_limit: "RATE_LIMIT_BENCH",
    tokens_per_day: 1_000_000_000_000,
    concurrent_streams: 100_000,
  },
};

export interface WorkerdProxy {
  url: string;
  /** The same Worker with a model of two deployments and a key with every limit. */
  gatewayUrl: string;
  close(): Promise<void>;
}

function wranglerCompatibility(): { compatibilityDate: string; compatibilityFlags: string[] } {
  const toml = readFileSync(`${ROOT}/wrangler.toml`, "utf8");
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)?.[1];
  const flags = /^compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(toml)?.[1] ?? "";
  if (!date) throw new Error("wrangler.toml has no compatibility_date");
  return { compatibilityDate: date, compatibilityFlags: [...flags.matchAll(/"([^"]+)"/g)].map((m) => m[1]!) };
}

export async function startWorkerdProxy(emulatorUrl: string): Promise<WorkerdProxy> {
  const built = await bundle({
    ...edgeOptions("neutral"),
    minify: false,
    entryPoints: ["worker/index.ts"],
    outfile: "worker.js",
  });
  const [contents] = built.outputs.values();
  if (!contents) throw new Error("the Worker bundle is empty");
  const modules = [{ type: "ESModule" as const, path: "worker.js", contents: new TextDecoder().decode(contents) }];
  const bindings = {
    MODELS: JSON.stringify(PROXY_MODELS),
    PROXY_API_KEYS: PROXY_KEY,
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
    BEDROCK_ENDPOINT: emulatorUrl,
  };
  const mf = new Miniflare({
    structuredWorkerdLogs: true,
    handleStructuredLogs: () => undefined,
    workers: [
      {
        name: "proxy",
        modules,
        ...wranglerCompatibility(),
        bindings: { ...bindings, AWS_REGION: "us-east-1" },
        unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
      },
      {
        name: "gateway",
        modules,
        ...wranglerCompatibility(),
        bindings: { ...bindings, MODELS: JSON.stringify(GATEWAY_MODELS), API_KEYS: JSON.stringify(GATEWAY_KEYS) },
        durableObjects: {
          DEPLOYMENT_COOLDOWNS: { className: "DeploymentCooldowns", useSQLite: true },
          KEY_LIMITS: { className: "KeyLimits", useSQLite: true },
        },
        ratelimits: { RATE_LIMIT_BENCH: { simple: { limit: 1_000_000_000, period: 60 } } },
        unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
      },
    ],
  });
  await mf.ready;
  const url = (await mf.unsafeGetDirectURL("proxy")).origin;
  const gatewayUrl = (await mf.unsafeGetDirectURL("gateway")).origin;
  return { url, gatewayUrl, close: () => mf.dispose() };
}
