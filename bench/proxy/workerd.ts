/// <reference types="node" />
// The Worker in workerd (Miniflare), bundled as wrangler bundles it, served on its own loopback
// socket (unsafeDirectSockets: no Miniflare entry Worker in the path, as in production), with
// the emulator as upstream. Its JSON log lines are kept out of the benchmark's output.
import { readFileSync } from "node:fs";
import { Miniflare } from "miniflare";
import { EMULATOR_CREDENTIALS } from "../../emulator/credentials.ts";
import { emulatorModelId } from "../../emulator/model-id.ts";
import { bundle, edgeOptions, ROOT } from "../lib/build.ts";

export const PROXY_KEY = "sk-bench-proxy";

/** Public model names the benchmark calls, and the emulator model behind each. */
const PROXY_MODELS = {
  llama: `bedrock/llama/${emulatorModelId("llama")}`,
  "llama-slow": `bedrock/llama/${emulatorModelId("llama", ["slow50"])}`,
} as const;

export interface WorkerdProxy {
  url: string;
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
  const mf = new Miniflare({
    structuredWorkerdLogs: true,
    handleStructuredLogs: () => undefined,
    workers: [
      {
        name: "proxy",
        modules: [{ type: "ESModule", path: "worker.js", contents: new TextDecoder().decode(contents) }],
        ...wranglerCompatibility(),
        bindings: {
          MODELS: JSON.stringify(PROXY_MODELS),
          PROXY_API_KEYS: PROXY_KEY,
          AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
          AWS_REGION: "us-east-1",
          BEDROCK_ENDPOINT: emulatorUrl,
        },
        unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
      },
    ],
  });
  await mf.ready;
  const url = (await mf.unsafeGetDirectURL("proxy")).origin;
  return { url, close: () => mf.dispose() };
}
