/// <reference types="node" />
// The proxy as it ships: worker/index.ts bundled by esbuild with the workerd conditions, run
// in the real Workers runtime (workerd, through Miniflare) on a real loopback port, talking
// to the Bedrock emulator served from this Node process. Tests drive it with the official
// `openai` package over real HTTP and real SSE.
import { Miniflare, type WorkerOptions } from "miniflare";
import OpenAI from "openai";
import type { Dispatcher } from "undici";
import { inject } from "vitest";
import { EMULATOR_CREDENTIALS } from "../../emulator/credentials.ts";
import { wranglerCompatibility } from "../../scripts/wrangler-compatibility.ts";
import { serveEmulator, type ServedEmulator } from "../../emulator/node.ts";
import type { D1Database, DurableObjectNamespace } from "../../worker/cloudflare.ts";
import type { ProxyEnv } from "../../worker/config.ts";
import { model as modelString } from "../helpers/emulated.ts";
import { eventually } from "../helpers/eventually.ts";
import { recordingFetch, recordOutput } from "../helpers/output-log.ts";
import type { LogLine } from "../../worker/log.ts";
import { bundleWorkerScript } from "./worker-bundle.ts";

// `bedrock/<route>/<emulator ARN>`: the emulator's format follows the route, options pick faults.
export { eventually, modelString };

/** The public names every test proxy serves. */
export const TEST_MODELS: Record<string, string> = {
  r1: modelString("deepseek_r1"),
  llama: modelString("llama"),
  qwen3: modelString("qwen3"),
  qwen2: modelString("qwen2"),
  openai: modelString("openai"),
  "qwen3-tool": modelString("qwen3", "tool"),
  "openai-tool": modelString("openai", "tool"),
  "openai-think": modelString("openai", "think"),
  "openai-echo": modelString("openai", "echo"),
  "throttled-once": modelString("llama", "throttle1"),
  "throttled-always": modelString("llama", "throttle"),
  "cold-qwen3": modelString("qwen3", "notready2"),
  "never-ready": modelString("llama", "notready"),
  "err500-always": modelString("llama", "err500"),
  // err503 + N=1: the first call only.
  "err503-once": modelString("llama", "err5031"),
  "midstream-error": modelString("llama", "midstream-modelStreamErrorException5"),
  dropped: modelString("llama", "drop3"),
  "bad-crc": modelString("llama", "badcrc3"),
  "slow-long": modelString("llama", "slow50", "long200"),
  paced: modelString("llama", "slow40", "long25"),
};

export const TEST_KEYS = ["sk-test-one", "sk-test-two"] as const;

export function baseBindings(emulatorUrl: string): ProxyEnv {
  return {
    MODELS: JSON.stringify(TEST_MODELS),
    PROXY_API_KEYS: TEST_KEYS.join(","),
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
    BEDROCK_ENDPOINT: emulatorUrl,
    // Small and fast, so the fault tests finish in milliseconds yet take the real paths.
    BEDROCK_MAX_RETRIES: "2",
    BEDROCK_RETRY_BASE_DELAY_MS: "5",
    MODEL_READY_TIMEOUT_MS: "800",
    SSE_KEEPALIVE_MS: "40",
    MAX_BODY_BYTES: "65536",
  };
}

let bundled: Promise<string> | undefined;

/** worker/index.ts as wrangler would bundle it: built once per run (global-setup.ts), else here. */
function bundleWorker(): Promise<string> {
  const provided = inject("workerBundle");
  bundled ??= provided ? Promise.resolve(provided) : bundleWorkerScript();
  return bundled;
}

export interface WorkerdProxy {
  /** Base URL of one variant's Worker (its own loopback port), e.g. `http://127.0.0.1:41234`. */
  url(variant?: string): string;
  /**
   * The official client, pointed at `<worker>/v1`; no client-side retries unless asked. Each
   * request on a connection of its own (connections.ts), unless given a `connection`: an undici
   * Client, one kept-alive connection, for a test whose claim is about the connection.
   */
  client(variant?: string, options?: { apiKey?: string; maxRetries?: number; connection?: Dispatcher }): OpenAI;
  served: ServedEmulator;
  /** Parsed JSON log lines of every Worker, in arrival order. */
  logs: LogLine[];
  /** Everything the Workers printed, raw, to check that no secret ever shows up. */
  output: string[];
  /** The Miniflare instance: its D1 databases and Durable Objects, for tests that look inside. */
  miniflare: Miniflare;
  close(): Promise<void>;
}

/**
 * Cloudflare bindings a variant adds (Durable Objects, D1, rate limiters), as Miniflare takes them.
 * Partial: with zod 4 hoisted (the client matrix's dependencies), Miniflare's option types lose
 * their optional marks.
 */
export type CloudflareBindings = Partial<Pick<WorkerOptions, "durableObjects" | "d1Databases" | "ratelimits">>;

/** A Worker of a test's own beside the proxy's, in the same workerd (one that hosts a Durable Object a variant binds). */
export interface HelperWorker {
  name: string;
  /** The bundled ES module. */
  script: string;
  /** Workers it may call, by binding name (a caller in front of the proxy): `{ PROXY: "main" }`. */
  serviceBindings?: Record<string, string>;
}

/**
 * One workerd process with one Worker per variant (same bundle, bindings = the base ones with
 * the variant's overrides; `undefined` removes a binding), each on its own loopback socket.
 * `cloudflare` gives a variant Durable Objects, D1 databases or rate limiters; `helpers` are
 * further Workers (no socket) whose Durable Objects a variant may bind by `scriptName`, or that
 * call a variant through a service binding (miniflare.getWorker(name) reaches them).
 */
export async function startWorkerdProxy(
  variants: Record<string, Partial<ProxyEnv>> = { main: {} },
  cloudflare: Record<string, CloudflareBindings> = {},
  helpers: readonly HelperWorker[] = [],
): Promise<WorkerdProxy> {
  const [script, served] = await Promise.all([bundleWorker(), serveEmulator({ port: 0 })]);
  const logs: LogLine[] = [];
  const output: string[] = [];
  const compatibility = wranglerCompatibility();
  const mf = new Miniflare({
    structuredWorkerdLogs: true,
    handleStructuredLogs: ({ message }: { message: string }) => {
      recordOutput(message);
      output.push(message);
      const line = parseLogLine(message);
      if (line) logs.push(line);
    },
    workers: [
      ...Object.entries(variants).map(([name, overrides]) => ({
        name,
        modules: [{ type: "ESModule" as const, path: "worker.js", contents: script }],
        ...compatibility,
        bindings: bindingsOf({ ...baseBindings(served.url), ...overrides }),
        unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
        ...cloudflare[name],
      })),
      ...helpers.map(({ name, script: helper, serviceBindings }) => ({
        name,
        modules: [{ type: "ESModule" as const, path: `${name}.js`, contents: helper }],
        ...compatibility,
        ...(serviceBindings ? { serviceBindings } : {}),
      })),
    ],
  });
  const urls = new Map<string, string>();
  try {
    await mf.ready;
    for (const name of Object.keys(variants)) urls.set(name, (await mf.unsafeGetDirectURL(name)).origin);
  } catch (error) {
    // Nobody will close what failed to start, and the files after this one run in this process
    // (vitest.config.mts): a workerd left running would count in their memory and CPU checks.
    await Promise.allSettled([mf.dispose(), served.close()]);
    throw error;
  }
  const url = (variant = "main") => {
    const found = urls.get(variant);
    if (!found) throw new Error(`no Worker variant "${variant}"`);
    return found;
  };
  return {
    url,
    client: (variant, options = {}) =>
      new OpenAI({
        baseURL: `${url(variant)}/v1`,
        apiKey: options.apiKey ?? TEST_KEYS[0],
        maxRetries: options.maxRetries ?? 0,
        fetch: recordingFetch(),
        ...(options.connection ? { fetchOptions: { dispatcher: options.connection } } : {}),
      }),
    served,
    logs,
    output,
    miniflare: mf,
    close: async () => {
      await mf.dispose();
      await served.close();
    },
  };
}

function bindingsOf(env: Partial<ProxyEnv>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined) out[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return out;
}

function parseLogLine(message: string): LogLine | undefined {
  if (!message.startsWith("{")) return undefined;
  try {
    const value: unknown = JSON.parse(message);
    return value !== null && typeof value === "object" && "status" in value ? (value as LogLine) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Waits out a UTC midnight less than `marginMs` away: tokens_per_day counts per UTC day and
 * workerd's clock cannot be faked, so a test whose counts must fall within one day starts after it.
 */
export async function awayFromMidnight(marginMs = 20_000): Promise<void> {
  const now = new Date();
  const untilMidnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1) - now.getTime();
  if (untilMidnight < marginMs) await new Promise((resolve) => setTimeout(resolve, untilMidnight + 500));
}

/** The usage row of request `id`, once written (after the answer, as waitUntil runs it). */
export function usageRow(db: D1Database, id: string): Promise<Record<string, unknown>> {
  return eventually(
    async () =>
      (await db.prepare("SELECT * FROM usage WHERE request_id = ?").bind(id).all<Record<string, unknown>>()).results[0],
    3000,
    "the usage row",
  );
}

/**
 * Streams the slow "slow-long" model through `client` and leaves after three chunks, as a client
 * that goes away mid-stream; how many chunks the loop saw (the SDK ends an aborted stream's loop
 * quietly, swallowing its own AbortError).
 */
export async function leaveSlowStream(client: OpenAI): Promise<number> {
  const controller = new AbortController();
  const stream = await client.chat.completions.create(
    { model: "slow-long", messages: USER_HELLO, stream: true },
    { signal: controller.signal },
  );
  let chunks = 0;
  for await (const _chunk of stream) if (++chunks === 3) controller.abort();
  return chunks;
}

/** The raw SSE text of a streamed call, read with fetch (comments included, which SDKs hide). */
export async function rawSse(
  url: string,
  body: unknown,
  apiKey: string = TEST_KEYS[0],
  path = "/v1/chat/completions",
): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  recordOutput(text);
  return { status: response.status, headers: response.headers, text };
}

/** The `data:` payloads of an SSE text, parsed (`[DONE]` kept as the string). */
export function sseEvents(text: string): unknown[] {
  return text
    .split("\n\n")
    .map((block) =>
      block
        .split("\n")
        .filter((line) => line.startsWith("data: "))
        .map((line) => line.slice(6))
        .join("\n"),
    )
    .filter(Boolean)
    .map((data) => (data === "[DONE]" ? data : (JSON.parse(data) as unknown)));
}

export const USER_HELLO = [{ role: "user" as const, content: "Hello there, how are you?" }];

type KeyLimitsStub = ReturnType<DurableObjectNamespace["get"]>;
const keyLimitsStubs = new WeakMap<WorkerdProxy, Map<string, KeyLimitsStub>>();

/**
 * The main Worker's KEY_LIMITS object of a key, one stub per key for a proxy's whole life:
 * `idFromName` and `get` are synchronous calls through Miniflare's proxy, and polling them every
 * 10 ms on a loaded machine once answered one call with another's reply (Miniflare's own
 * assertion), failing every later read of the file.
 */
export async function keyLimitsStub(proxy: WorkerdProxy, key: string): Promise<KeyLimitsStub> {
  let stubs = keyLimitsStubs.get(proxy);
  if (!stubs) {
    stubs = new Map();
    keyLimitsStubs.set(proxy, stubs);
  }
  let stub = stubs.get(key);
  if (!stub) {
    const namespace = (await proxy.miniflare.getDurableObjectNamespace(
      "KEY_LIMITS",
      "main",
    )) as unknown as DurableObjectNamespace;
    stub = namespace.get(namespace.idFromName(key));
    stubs.set(key, stub);
  }
  return stub;
}

/** What a key's KEY_LIMITS object counts now: its tokens of the day, requests and open streams. */
export async function keyLimitsCounts(
  proxy: WorkerdProxy,
  key: string,
): Promise<{ tokens: number; requests: number; streams: number }> {
  const stub = await keyLimitsStub(proxy, key);
  const response = await stub.fetch("https://durable-object/read", { method: "POST", body: "{}" });
  return (await response.json()) as { tokens: number; requests: number; streams: number };
}
