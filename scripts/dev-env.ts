// The pure half of `npm start`: which mode to run in, the demo configuration, the env file
// wrangler reads, and what to print. No I/O here, so it is tested directly.
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { emulatorModelId, type ModelFormat } from "../emulator/model-id.ts";
import type { RouteName } from "../src/index.ts";

export const DEV_KEY = "sk-local-dev";
export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_PORT = 8787;
export const DEFAULT_EMULATOR_PORT = 4010;

/**
 * One demo model per route (a route without one does not compile). `tool` answers with a tool
 * call only when tools are offered.
 */
const DEMO_ROUTES: Record<RouteName, { name: string; format: ModelFormat; options: string[] }> = {
  deepseek_r1: { name: "demo-deepseek-r1", format: "r1", options: [] },
  llama: { name: "demo-llama", format: "llama", options: [] },
  qwen3: { name: "demo-qwen3", format: "qwen3", options: ["tool"] },
  qwen2: { name: "demo-qwen2", format: "qwen2", options: [] },
  openai: { name: "demo-openai", format: "openai", options: ["tool"] },
};

export function demoModels(): Record<string, string> {
  const models: Record<string, string> = {};
  for (const [route, demo] of Object.entries(DEMO_ROUTES))
    models[demo.name] = `bedrock/${route}/${emulatorModelId(demo.format, demo.options)}`;
  return models;
}

/** The subset of dotenv syntax wrangler's `.dev.vars` uses: KEY=value, optional quotes, # comments. */
export function parseDotenv(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    vars[match[1]!] = unquote(match[2]!);
  }
  return vars;
}

function unquote(value: string): string {
  const quote = value[0];
  if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) return value.slice(1, -1);
  // An unquoted value ends at a comment.
  return value.replace(/\s+#.*$/, "");
}

/** The binding names that make a real-Bedrock setup (SigV4 keys or a Bedrock API key). */
const CREDENTIAL_NAMES = ["AWS_ACCESS_KEY_ID", "AWS_BEARER_TOKEN_BEDROCK"] as const;

/** Every binding the proxy reads: what is passed on from the shell in real mode. */
const BINDING_NAMES = [
  "MODELS",
  "PROXY_API_KEYS",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_REGION",
  "AWS_BEARER_TOKEN_BEDROCK",
  "BEDROCK_ENDPOINT",
  "BEDROCK_MAX_RETRIES",
  "BEDROCK_RETRY_BASE_DELAY_MS",
  "MAX_BODY_BYTES",
  "CORS_ORIGINS",
  "MODEL_READY_TIMEOUT_MS",
  "UPSTREAM_TIMEOUT_MS",
  "IDLE_TIMEOUT_MS",
  "SSE_KEEPALIVE_MS",
  "LOG_PROMPTS",
] as const;

export type Mode =
  /** No credentials anywhere: the emulator upstream, demo models, the dev key. */
  | { kind: "emulator" }
  /** Credentials in .dev.vars: plain `wrangler dev`, which reads .dev.vars itself. */
  | { kind: "dev-vars" }
  /** Credentials in the shell only: passed to wrangler through a private env file. */
  | { kind: "shell"; vars: Record<string, string> };

export function chooseMode(devVars: Record<string, string> | undefined, env: Record<string, string | undefined>): Mode {
  const has = (vars: Record<string, string | undefined>) =>
    CREDENTIAL_NAMES.some((name) => Boolean(vars[name]?.trim()));
  if (devVars && has(devVars)) return { kind: "dev-vars" };
  if (!has(env)) return { kind: "emulator" };
  const vars: Record<string, string> = {};
  for (const name of BINDING_NAMES) {
    const value = env[name];
    if (value !== undefined && value !== "") vars[name] = value;
  }
  return { kind: "shell", vars };
}

/** Bindings for the emulator mode: they override wrangler.toml's [vars]. */
export function emulatorBindings(emulatorUrl: string): Record<string, string> {
  return {
    MODELS: JSON.stringify(demoModels()),
    PROXY_API_KEYS: DEV_KEY,
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
    BEDROCK_ENDPOINT: emulatorUrl,
  };
}

/**
 * A dotenv file wrangler's `--env-file` reads. Values are single-quoted (taken literally, so
 * MODELS' JSON keeps its double quotes). Wrangler also expands `$NAME` in them, so a value
 * holding `$`, a single quote or a newline is refused rather than silently mangled.
 */
export function envFileText(vars: Record<string, string>): string {
  const lines = [
    "# Written by `npm start` (scripts/start.ts) for wrangler dev --env-file; regenerated on every start.",
  ];
  for (const [name, value] of Object.entries(vars)) {
    if (/['$\r\n]/.test(value)) throw new Error(`${name} holds a quote, a $ or a newline; put it in .dev.vars instead`);
    lines.push(`${name}='${value}'`);
  }
  return `${lines.join("\n")}\n`;
}

/** `wrangler dev` in the local runtime; with `--env-file`s (later ones win) .dev.vars is not read. */
export function wranglerArgs(host: string, port: number, envFiles: readonly string[] = []): string[] {
  const args = ["dev", "--local", "--ip", host, "--port", String(port), "--show-interactive-dev-session=false"];
  for (const file of envFiles) args.push("--env-file", file);
  return args;
}

export interface Banner {
  url: string;
  upstream: string;
  key: string | undefined;
  /** Where the key comes from, e.g. "PROXY_API_KEYS in .dev.vars". */
  keySource: string;
  models: string[];
}

// Shorter keys keep even their tail to themselves.
const MIN_KEY_TO_HINT = 12;

/**
 * How the banner shows a key: the dev key as is (it is public), any other only by its last 4
 * characters, so a terminal, a screenshot or a CI log never holds a real proxy key.
 */
function shownKey(key: string): string {
  if (key === DEV_KEY) return key;
  const prefix = key.startsWith("sk-") ? "sk-" : "";
  return key.length >= MIN_KEY_TO_HINT ? `${prefix}…${key.slice(-4)}` : `${prefix}…`;
}

export function bannerText({ url, upstream, key, keySource, models }: Banner): string {
  const model = models[0] ?? "<model>";
  const auth = key ? `-H "Authorization: Bearer ${key === DEV_KEY ? key : "<your key>"}" ` : "";
  return [
    "",
    `bedrock-edge proxy ready on ${url}  (local Workers runtime)`,
    `  OpenAI base URL  ${url}/v1`,
    `  API key          ${key ? `${shownKey(key)}  (${keySource})` : "(none: set PROXY_API_KEYS in .dev.vars, every call is refused until then)"}`,
    `  models           ${models.length ? models.join(", ") : "(none listed)"}`,
    `  upstream         ${upstream}`,
    "",
    "Try:",
    `  curl ${url}/v1/chat/completions ${auth}\\`,
    `    -H "Content-Type: application/json" \\`,
    `    -d '{"model":"${model}","messages":[{"role":"user","content":"Hello!"}]}'`,
    `  curl -N ${url}/v1/chat/completions ${auth}\\`,
    `    -H "Content-Type: application/json" \\`,
    `    -d '{"model":"${model}","stream":true,"messages":[{"role":"user","content":"Hello!"}]}'`,
    `  curl ${url}/v1/models ${auth.trimEnd()}`,
    "",
    "Ctrl-C stops everything.",
    "",
  ].join("\n");
}
