// The pure half of `npm start`: which mode to run in, the demo configuration, the env file
// wrangler reads, and what to print. No I/O here, so it is tested directly.
/// <reference types="node" />
import { createHash } from "node:crypto";
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { converseModelId } from "../emulator/converse-model-id.ts";
import { emulatorModelId } from "../emulator/model-id.ts";
import type { ModelEntry, RoutedModelConfig, RouteName } from "../src/index.ts";
import { credentialBindingNames } from "../worker/deployment-credentials.ts";
import { proxyKeyName } from "../worker/keys.ts";

export const DEV_KEY = "sk-local-dev";
/** The emulator mode's named keys (API_KEYS): an admin for GET /v1/usage, and one with every limit. */
export const DEV_ADMIN_KEY = "sk-local-admin";
export const DEV_LIMITED_KEY = "sk-local-limited";
export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_PORT = 8787;
export const DEFAULT_EMULATOR_PORT = 4010;

/** Where the converse demo runs: the emulator serves any region for a bare id. */
const CONVERSE_DEMO_REGION = "us-east-1";

/**
 * One demo model per route (a route without one does not compile). `tool` answers with a tool
 * call only when tools are offered, so every demo model calls the tools it is given, as the
 * instruct models behind these routes do. The converse demo is a foundation model through a
 * cross-region inference profile; a bare id needs a region, so its entry carries one.
 */
const DEMO_ROUTES: Record<RouteName, { name: string; modelId: string; region?: string }> = {
  deepseek_r1: { name: "demo-deepseek-r1", modelId: emulatorModelId("r1", ["tool"]) },
  llama: { name: "demo-llama", modelId: emulatorModelId("llama", ["tool"]) },
  qwen3: { name: "demo-qwen3", modelId: emulatorModelId("qwen3", ["tool"]) },
  qwen2: { name: "demo-qwen2", modelId: emulatorModelId("qwen2", ["tool"]) },
  openai: { name: "demo-openai", modelId: emulatorModelId("openai", ["tool"]) },
  converse: {
    name: "demo-converse",
    modelId: converseModelId("us.anthropic.claude-sonnet-4-20250514-v1:0", ["tool"]),
    region: CONVERSE_DEMO_REGION,
  },
  embed: { name: "demo-embed", modelId: "amazon.titan-embed-text-v2:0", region: CONVERSE_DEMO_REGION },
  image: { name: "demo-image", modelId: "amazon.nova-canvas-v1:0", region: CONVERSE_DEMO_REGION },
};

/**
 * Demo models of per-model settings, after the routes' own: a template route sending Bedrock's
 * OpenAICompletion (n, seed, logprobs, structured_outputs), and the openai route reading the
 * tool calls a Qwen model writes as text.
 */
const DEMO_SETTINGS: Record<string, ModelEntry> = {
  "demo-qwen3-openai-completion": {
    model: `bedrock/qwen3/${emulatorModelId("qwen3", ["tool"])}`,
    wire_format: "openai_completion",
  },
  "demo-openai-qwen-tools": { model: `bedrock/openai/${emulatorModelId("qwen3", ["tool"])}`, tool_parser: "qwen" },
};

export function demoModels(): Record<string, ModelEntry> {
  const models: Record<string, ModelEntry> = {};
  for (const [route, demo] of Object.entries(DEMO_ROUTES)) {
    const model = `bedrock/${route}/${demo.modelId}`;
    models[demo.name] = demo.region ? { model, region: demo.region } : model;
  }
  return { ...models, ...DEMO_SETTINGS };
}

/**
 * Two copies of a model under one name, the first always throttled: failover to see at work. Both
 * call the tools they are offered, as every demo model does.
 */
const FAILOVER_DEMO = "demo-failover";

function failoverDemo(): Record<string, RoutedModelConfig> {
  return {
    [FAILOVER_DEMO]: {
      deployments: [
        { model: `bedrock/llama/${emulatorModelId("llama", ["throttle", "tool"], "us-east-1")}` },
        { model: `bedrock/llama/${emulatorModelId("llama", ["tool"], "us-west-2")}` },
      ],
      routing: "failover",
    },
  };
}

const quoted = (mark: string) => `\\s*${mark}(?:\\\\${mark}|[^${mark}])*${mark}`;
// One entry: its name, then its value (quoted, or bare up to a comment), then an optional comment.
const DOTENV_ENTRY = new RegExp(
  `^\\s*(?:export\\s+)?([\\w.-]+)(?:\\s*=\\s*?|:\\s+?)(${[quoted("'"), quoted('"'), quoted("`"), "[^#\\n]+"].join("|")})?\\s*(?:#.*)?$`,
  "gm",
);

/**
 * `.dev.vars` as wrangler reads it (with dotenv 16): `KEY=value` or `KEY: value`, `export ` allowed;
 * a value in single, double or back quotes (which may span lines, and hold their own quote after
 * a backslash), else up to a `#` or the line's end, trimmed; in double quotes, `\n` and `\r` are
 * a newline and a carriage return. Nothing is expanded, as when wrangler reads .dev.vars by
 * itself (withDollar: when it does not).
 */
export function parseDotenv(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [, name = "", raw = ""] of text.replace(/\r\n?/g, "\n").matchAll(DOTENV_ENTRY)) {
    const value = raw.trim();
    const unquoted = value.replace(/^(['"`])([\s\S]*)\1$/, "$2");
    vars[name] = value.startsWith('"') ? unquoted.replaceAll("\\n", "\n").replaceAll("\\r", "\r") : unquoted;
  }
  return vars;
}

/** The binding names that make a real-Bedrock setup (SigV4 keys or a Bedrock API key). */
const CREDENTIAL_NAMES = ["AWS_ACCESS_KEY_ID", "AWS_BEARER_TOKEN_BEDROCK"] as const;

/** Every binding the proxy reads: what `npm start` passes on from the shell, in every mode. */
export const BINDING_NAMES = [
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
  "MAX_BODY_BYTES_IN_FLIGHT",
  "CORS_ORIGINS",
  "MODEL_READY_TIMEOUT_MS",
  "UPSTREAM_TIMEOUT_MS",
  "IDLE_TIMEOUT_MS",
  "SSE_KEEPALIVE_MS",
  "LOG_PROMPTS",
  "DROP_PARAMS",
  "API_KEYS",
  "DEPLOYMENT_COOLDOWN_MS",
  "OTEL_EXPORTER_OTLP_ENDPOINT",
  "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
  "OTEL_EXPORTER_OTLP_HEADERS",
] as const;

export type Mode =
  /**
   * The emulator upstream, demo models, the dev key: when there are no credentials anywhere, or
   * when `npm start -- --emulator` asked for it (`asked`), credentials or not.
   */
  | { kind: "emulator"; asked?: boolean }
  /** Credentials in .dev.vars: `wrangler dev` reads it (with the shell's bindings over it, if any). */
  | { kind: "dev-vars" }
  /** Credentials in the shell only: passed to wrangler through a private env file. */
  | { kind: "shell" };

export function chooseMode(devVars: Record<string, string> | undefined, env: Record<string, string | undefined>): Mode {
  if (devVars && hasCredentials(devVars)) return { kind: "dev-vars" };
  if (!hasCredentials(env)) return { kind: "emulator" };
  return { kind: "shell" };
}

function hasCredentials(vars: Record<string, string | undefined>): boolean {
  return CREDENTIAL_NAMES.some((name) => Boolean(vars[name]?.trim()));
}

/**
 * The .dev.vars emulator mode layers over the demo: none when `--emulator` overrides a .dev.vars
 * that holds AWS credentials. That file is a real-Bedrock setup; its MODELS name models the
 * emulator does not serve, and the demo is what `--emulator` asks for.
 */
export function devVarsForEmulator(
  devVars: Record<string, string> | undefined,
  asked: boolean,
): Record<string, string> | undefined {
  return asked && devVars && hasCredentials(devVars) ? undefined : devVars;
}

/**
 * The proxy's bindings set (and not empty) in the shell `npm start` runs in: those it always
 * reads, and those the deployments of MODELS name for their credentials. MODELS is the one
 * wrangler will see: the shell's, else .dev.vars', else wrangler.toml's [vars] (`declared`).
 */
export function shellBindings(
  env: Record<string, string | undefined>,
  devVars?: Record<string, string>,
  declared?: Record<string, string>,
): Record<string, string> {
  const vars: Record<string, string> = {};
  const models = env.MODELS || devVars?.MODELS || declared?.MODELS;
  for (const name of new Set<string>([...BINDING_NAMES, ...deploymentBindingNames(models)])) {
    const value = env[name];
    if (value !== undefined && value !== "") vars[name] = value;
  }
  return vars;
}

/** wrangler.toml's [vars]' string values: a binding the proxy reads is text, and a JSON var is no MODELS. */
export function stringsOf(vars: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(vars).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
  );
}

/**
 * The binding names MODELS' deployments give for their credentials, as the Worker reads them
 * (worker/deployment-credentials.ts). MODELS that does not parse names none: the proxy reports it.
 */
export function deploymentBindingNames(models: string | undefined): string[] {
  try {
    return credentialBindingNames(JSON.parse(models ?? "null"));
  } catch {
    return [];
  }
}

export interface RealBedrockPlan {
  /**
   * The shell's bindings, for an env file read after .dev.vars (with .dev.vars' values that hold a
   * `$`: withDollar); undefined when the shell sets none, and wrangler reads .dev.vars by itself.
   */
  shellFile: Record<string, string> | undefined;
  description: string;
  key: string | undefined;
  keySource: string;
}

/** Real Bedrock, from .dev.vars and the shell (which wins): what goes to wrangler, and what the banner says. */
export function realBedrockPlan(
  shell: Record<string, string>,
  devVars: Record<string, string> | undefined,
): RealBedrockPlan {
  const from = (names: readonly string[]) =>
    names.some((name) => shell[name]) ? "the shell environment" : ".dev.vars";
  const endpoint = shell.BEDROCK_ENDPOINT || devVars?.BEDROCK_ENDPOINT;
  const credentials = `credentials from ${from(CREDENTIAL_NAMES)}`;
  return {
    shellFile: Object.keys(shell).length ? { ...withDollar(devVars ?? {}), ...shell } : undefined,
    description: endpoint
      ? `${endpointShown(endpoint)} (BEDROCK_ENDPOINT in ${from(["BEDROCK_ENDPOINT"])}; ${credentials})`
      : `Amazon Bedrock (${credentials})`,
    key: firstKey(shell.PROXY_API_KEYS ?? devVars?.PROXY_API_KEYS),
    keySource: `the first of PROXY_API_KEYS in ${from(["PROXY_API_KEYS"])}`,
  };
}

/**
 * Where BEDROCK_ENDPOINT sends the proxy, as the banner says it: the URL's origin, so that a
 * user name or password in it is never printed (the proxy refuses such an endpoint anyway).
 */
function endpointShown(endpoint: string): string {
  try {
    const url = new URL(endpoint.trim());
    if (url.protocol === "http:" || url.protocol === "https:") return url.origin;
  } catch {
    // Said below, without the value.
  }
  return "an endpoint that is not an http(s) URL";
}

/** The first of a key list, separated as the Worker separates it (worker/keys.ts): commas or line breaks. */
export function firstKey(keys: string | undefined): string | undefined {
  return keys
    ?.split(/[,\r\n]/)
    .map((key) => key.trim())
    .find(Boolean);
}

/**
 * The name the proxy gives a key of PROXY_API_KEYS in its log lines, usage rows and traces: the
 * Worker's own proxyKeyName over the key's SHA-256 (worker/auth.ts digests it the same way).
 */
export function proxyKeyLogName(key: string): string {
  return proxyKeyName(createHash("sha256").update(key).digest());
}

/**
 * What real-Bedrock mode's banner adds: that the public dev key guards real credentials, and,
 * when the mode comes only from AWS credentials in the shell with no MODELS or no keys of the
 * user's own (wrangler.toml's placeholder model, every call refused), how to get the demo instead.
 */
export function realBedrockNotes(
  mode: Mode,
  shell: Record<string, string>,
  devVars: Record<string, string> | undefined,
): string[] {
  const set = (name: string) => Boolean(shell[name] || devVars?.[name]);
  const key = firstKey(shell.PROXY_API_KEYS ?? devVars?.PROXY_API_KEYS);
  const unset = [
    ...(set("MODELS") ? [] : ["MODELS"]),
    ...(set("PROXY_API_KEYS") || set("API_KEYS") ? [] : ["PROXY_API_KEYS"]),
  ];
  return [
    ...(key === DEV_KEY
      ? [
          `warning          ${DEV_KEY} is the public dev key, and here it guards real AWS credentials: set PROXY_API_KEYS to a key of your own`,
        ]
      : []),
    ...(mode.kind === "shell" && unset.length
      ? [
          `demo             AWS credentials in your shell chose real Bedrock, with no ${unset.join(" and no ")} of yours set: for the demo on the emulator, npm start -- --emulator`,
        ]
      : []),
  ];
}

/**
 * What emulator mode's banner adds when the shell names an AWS CLI profile: the Worker reads only
 * its bindings, no ~/.aws files, so a profile's credentials go unseen unless exported.
 */
export function profileNotes(mode: Mode, env: Record<string, string | undefined>): string[] {
  const profile = env.AWS_PROFILE?.trim();
  if (mode.kind !== "emulator" || mode.asked || !profile) return [];
  const shown = /^[\w.@+-]+$/.test(profile) ? profile : "<profile>";
  return [
    `AWS_PROFILE      not read (the Worker reads no ~/.aws files). For real Bedrock, export its keys and start again:`,
    `                 eval "$(aws configure export-credentials --profile ${shown} --format env)" && npm start`,
    `                 or put them in .dev.vars`,
  ];
}

/** Bindings for the emulator mode: they override wrangler.toml's [vars]. */
export function emulatorBindings(emulatorUrl: string): Record<string, string> {
  return {
    MODELS: JSON.stringify({ ...demoModels(), ...failoverDemo() }),
    PROXY_API_KEYS: DEV_KEY,
    // Limits counted by wrangler.toml's local Durable Object and rate limiter.
    API_KEYS: JSON.stringify({
      "local-admin": { key: DEV_ADMIN_KEY, admin: true },
      "local-limited": {
        key: DEV_LIMITED_KEY,
        rate_limit: "RATE_LIMIT_STANDARD",
        tokens_per_day: 100_000,
        concurrent_streams: 2,
      },
    }),
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
    BEDROCK_ENDPOINT: emulatorUrl,
  };
}

/**
 * What emulator mode keeps to itself: the emulator's address, its test credentials, and the
 * region of its ARNs. A value for any of these in .dev.vars (real-Bedrock settings, with
 * `-- --emulator`) or in the shell would send the proxy elsewhere, sign for a key the emulator
 * refuses, or (AWS_REGION against the demo models' us-east-1 ARNs) make every demo model a
 * configuration error.
 */
const EMULATOR_OWNED: readonly string[] = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_BEARER_TOKEN_BEDROCK",
  "AWS_REGION",
  "BEDROCK_ENDPOINT",
];

/** The names a source of bindings gave that were used, and those left out (EMULATOR_OWNED). */
export interface SourceNames {
  used: string[];
  ignored: string[];
}

export interface EmulatorModeBindings {
  /**
   * The env files wrangler reads, in order (later ones win): the demo's bindings, .dev.vars itself
   * when it exists (wrangler parses it), then what must win over it: the emulator's own bindings
   * (empty where the demo sets none), .dev.vars' values that hold a `$` (withDollar), the shell's.
   */
  files: Array<Record<string, string> | "dev-vars">;
  /** What the proxy ends up with, .dev.vars read as parseDotenv reads it: for the banner. */
  bindings: Record<string, string>;
  /** The shell's bindings that replaced or joined the demo's. */
  fromShell: string[];
  /** The shell's bindings left out (EMULATOR_OWNED). */
  ignored: string[];
  /** What .dev.vars gave, when it exists. */
  devVars?: SourceNames;
  /** The demo's gateway parts still in use, for the banner. */
  demoInUse: DemoInUse;
}

/**
 * The demo configuration with .dev.vars over it, and the shell's bindings over both (MODELS,
 * PROXY_API_KEYS, CORS_ORIGINS…), but the emulator's own.
 */
export function emulatorModeBindings(
  emulatorUrl: string,
  shell: Record<string, string>,
  devVars?: Record<string, string>,
): EmulatorModeBindings {
  const demo = emulatorBindings(emulatorUrl);
  const own = Object.fromEntries(EMULATOR_OWNED.map((name) => [name, demo[name] ?? ""]));
  const fromDevVars = devVars && notOwned(devVars);
  const fromShell = notOwned(shell);
  const bindings = { ...demo, ...fromDevVars?.vars, ...fromShell.vars };
  const over = { ...own, ...withDollar(fromDevVars?.vars ?? {}), ...fromShell.vars };
  return {
    files: fromDevVars ? [demo, "dev-vars", over] : [{ ...demo, ...over }],
    bindings,
    fromShell: Object.keys(fromShell.vars),
    ignored: fromShell.ignored,
    ...(fromDevVars && { devVars: { used: Object.keys(fromDevVars.vars), ignored: fromDevVars.ignored } }),
    demoInUse: { namedKeys: bindings.API_KEYS === demo.API_KEYS, failover: bindings.MODELS === demo.MODELS },
  };
}

/**
 * The values that hold a `$`, to be said again in an env file read after .dev.vars. Wrangler
 * expands `$NAME` in every env file it is given, .dev.vars too when it comes with others, but not
 * in .dev.vars read by itself: said again (envFileText writes `\$`), they stay as written there.
 */
function withDollar(vars: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(vars).filter(([, value]) => value.includes("$")));
}

/** A source's bindings but those emulator mode owns, and the names of those. */
function notOwned(vars: Record<string, string>): { vars: Record<string, string>; ignored: string[] } {
  const entries = Object.entries(vars);
  return {
    vars: Object.fromEntries(entries.filter(([name]) => !EMULATOR_OWNED.includes(name))),
    ignored: entries.map(([name]) => name).filter((name) => EMULATOR_OWNED.includes(name)),
  };
}

/**
 * A dotenv file wrangler's `--env-file` reads, every value kept as it is. Wrangler parses env files
 * with dotenv, then expands `$NAME` in them (dotenv-expand), where `\$` stands for a `$`. So a
 * value is quoted (single quotes, or backquotes when it holds a single quote; either keeps double
 * quotes, `#` and newlines) and its `$` written `\$`. Only a value no quoting keeps is refused:
 * one with both kinds of quote, a carriage return (dotenv reads it as a newline), or a backslash
 * at its end (dotenv reads it with the closing quote as a quote inside the value).
 */
export function envFileText(vars: Record<string, string>, owner?: number): string {
  const lines = [
    `# Written by \`npm start\` (scripts/start.ts${owner === undefined ? "" : `, pid ${owner}`}) for wrangler dev --env-file; regenerated on every start.`,
  ];
  for (const [name, value] of Object.entries(vars)) {
    if (!fitsEnvFile(value)) {
      throw new Error(
        `${name} holds both ' and \`, a carriage return or a final backslash, which wrangler's env file cannot keep; put it in .dev.vars instead`,
      );
    }
    const quote = value.includes("'") ? "`" : "'";
    lines.push(`${name}=${quote}${value.replaceAll("$", "\\$")}${quote}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Whether an env file can keep `value` (envFileText's quoting). */
function fitsEnvFile(value: string): boolean {
  return !(value.includes("'") && value.includes("`")) && !value.includes("\r") && !value.endsWith("\\");
}

/**
 * Bindings that may go on wrangler's command line (`--var NAME:VALUE`, which wins over every env
 * file) when no env file can keep them: plain vars only, as a command line is visible to every
 * process. MODELS is the one that needs it: a chat_template can hold both kinds of quote and a `$`.
 */
const COMMAND_LINE_VARS: ReadonlySet<string> = new Set(["MODELS"]);

/**
 * Env files' bindings in the order wrangler reads them, each file's own to write, and the values
 * that go on the command line instead: the last word on a binding, when no env file keeps it.
 */
export function placeBindings(files: readonly Record<string, string>[]): {
  files: Record<string, string>[];
  commandLine: Record<string, string>;
} {
  const commandLine: Record<string, string> = {};
  const placed = files.map((vars) => {
    const file: Record<string, string> = {};
    for (const [name, value] of Object.entries(vars)) {
      if (!fitsEnvFile(value) && COMMAND_LINE_VARS.has(name)) {
        commandLine[name] = value;
      } else {
        file[name] = value;
        // A later file says it: an earlier --var would win over it.
        delete commandLine[name];
      }
    }
    return file;
  });
  return { files: placed, commandLine };
}

/**
 * The environment wrangler runs in: quiet, and offline without complaint. Whatever the shell
 * sets explicitly wins over these.
 * - WRANGLER_SEND_METRICS: no telemetry. Its notice is another matter: wrangler prints it, once per
 *   version, whenever its global config says a user once opted in (any wrangler run without this
 *   variable writes that), whatever the variable says; npm start drops the line
 *   (isWranglerTelemetryNotice), since it sends nothing.
 * - WRANGLER_HIDE_BANNER: no version banner, and with it no update check against npm's registry
 *   (an "update available" line; our own banner follows once the proxy answers).
 * - CLOUDFLARE_CF_FETCH_ENABLED: `request.cf` from Miniflare's placeholder instead of a download
 *   from workers.cloudflare.com, which offline prints a getaddrinfo ENOTFOUND stack trace, twice.
 *   The proxy never reads `request.cf`.
 * - VSCODE_INSPECTOR_OPTIONS: no DevTools inspector proxy. Wrangler 4.86 (the last that runs on
 *   Node 20) puts an InspectorProxyWorker in its front workerd that asks for the Worker's network
 *   events whether or not DevTools is attached, and sends each event back to wrangler's Node
 *   process as a request of its own. A burst of clients leaving streamed calls early left those
 *   connections open by the thousand, until the front process ran out of file descriptors (EMFILE)
 *   and stopped answering. Wrangler and Miniflare skip the inspector proxy when this variable is
 *   set (they take it as VS Code's JavaScript debug terminal, which attaches its own debugger);
 *   the Worker's log lines still print. docs/SECURITY.md: the measurements.
 */
export function wranglerEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  return {
    WRANGLER_SEND_METRICS: "false",
    WRANGLER_HIDE_BANNER: "true",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    VSCODE_INSPECTOR_OPTIONS: "{}",
    ...env,
  };
}

// Wrangler's own line per request (`[wrangler:info] POST /v1/chat/completions 200 OK (22ms)`),
// printed beside the Worker's JSON log line, which says all of it and more.
const WRANGLER_REQUEST_LOG = /^\[wrangler:info\] [A-Z]+ \S+ \d{3}\b.*\(\d+ms\)$/;

/** Whether a line of wrangler's output (colour codes removed) is its request log line. */
export function isWranglerRequestLog(line: string): boolean {
  return WRANGLER_REQUEST_LOG.test(line.trimEnd());
}

// Wrangler 4.86's telemetry notice, which WRANGLER_SEND_METRICS=false does not silence (wranglerEnv).
const WRANGLER_TELEMETRY_NOTICE = /^Cloudflare collects anonymous telemetry about your usage of Wrangler\b/;

/** Whether a line of wrangler's output (colour codes removed) is its telemetry notice. */
export function isWranglerTelemetryNotice(line: string): boolean {
  return WRANGLER_TELEMETRY_NOTICE.test(line.trim());
}

/** A port `npm start` needs that another process holds, and the variable that moves it. */
export interface BusyPort {
  name: "PORT" | "EMULATOR_PORT";
  port: number;
  /** A free port to suggest instead, if one was found. */
  free: number | undefined;
}

/**
 * What `npm start` says when ports it needs are taken: every one in one message, with the one
 * command that moves them all (told one at a time, a second `npm start` beside a first would
 * fail once per port).
 */
export function busyPortMessage(
  host: string,
  busy: readonly BusyPort[],
  args: readonly string[] = [],
  kept: Partial<Record<BusyPort["name"], number>> = {},
): string {
  const what = (name: BusyPort["name"]) => (name === "PORT" ? "the proxy" : "the Bedrock emulator");
  const ports = busy.map(({ name, port }) => `${host}:${port}, the port for ${what(name)},`);
  // A free port the user chose is said again: the command without it would move that one too.
  const chosen = { ...kept, ...Object.fromEntries(busy.map(({ name, free }) => [name, free ?? "<port>"])) };
  const moves = (["PORT", "EMULATOR_PORT"] as const)
    .filter((name) => chosen[name] !== undefined)
    .map((name) => `${name}=${chosen[name]}`)
    .join(" ");
  const verb = busy.length === 1 ? "is" : "are";
  const choose = busy.length === 1 ? "Choose another" : "Choose others";
  // The command as it was given (`-- --emulator`), or following it would start another mode.
  const command = args.length ? `npm start -- ${args.join(" ")}` : "npm start";
  return `${ports.join(" and ")} ${verb} in use (another npm start?). ${choose}: ${moves} ${command}`;
}

/** The env files `npm start` writes for wrangler under .wrangler/ (wranglerArgs' `--env-file`s). */
export type EnvFileKind = "emulator" | "emulator-over" | "bedrock-from-shell";

/**
 * An env file's name, one per instance: its PORT, which no other running `npm start` can have.
 * With one name per checkout, a second `npm start` beside a first overwrote the first's file, and
 * wrangler, reloading the first on a wrangler.toml edit, read the second's emulator and keys.
 */
export function envFileName(kind: EnvFileKind, port: number): string {
  return `${kind}-${port}.env`;
}

const ENV_FILE_NAME = /^(?:emulator|emulator-over|bedrock-from-shell)-\d+\.env$/;
const ENV_FILE_OWNER = /^# Written by `npm start` \(scripts\/start\.ts, pid (\d+)\)/;

/**
 * The env files under .wrangler/ whose `npm start` no longer runs: the pid in their first line
 * (envFileText's owner) is not `running`, or they name none (written before pids were). A start
 * removes its own on exit, but not when killed (SIGKILL) or the machine goes down, and
 * bedrock-from-shell's holds the shell's AWS credentials; the next start removes them. A running
 * one's are kept: two `npm start` in one checkout each keep their own (envFileName).
 */
export function staleEnvFiles(
  files: ReadonlyArray<{ name: string; text: string }>,
  running: (pid: number) => boolean,
): string[] {
  return files
    .filter(({ name, text }) => {
      if (!ENV_FILE_NAME.test(name)) return false;
      const owner = ENV_FILE_OWNER.exec(text)?.[1];
      return owner === undefined || !running(Number(owner));
    })
    .map(({ name }) => name);
}

/** Creates or updates the local D1 database of usage records from migrations/ (no account needed). */
export const MIGRATE_ARGS = ["d1", "migrations", "apply", "USAGE_DB", "--local"] as const;

/** `wrangler dev` in the local runtime; with `--env-file`s (later ones win) .dev.vars is not read. */
export function wranglerArgs(
  host: string,
  port: number,
  envFiles: readonly string[] = [],
  commandLine: Record<string, string> = {},
): string[] {
  const args = ["dev", "--local", "--ip", host, "--port", String(port), "--show-interactive-dev-session=false"];
  for (const file of envFiles) args.push("--env-file", file);
  // wrangler splits `--var` at its first colon: the value keeps its own.
  for (const [name, value] of Object.entries(commandLine)) args.push("--var", `${name}:${value}`);
  return args;
}

export interface Banner {
  url: string;
  upstream: string;
  key: string | undefined;
  /** Where the key comes from, e.g. "PROXY_API_KEYS in .dev.vars". */
  keySource: string;
  models: string[];
  /** The proxy answered that its configuration has problems (GET /health lists them). */
  misconfigured?: boolean;
  /** The bindings taken from .dev.vars when it was read, and those emulator mode left out. */
  devVars?: Readonly<SourceNames>;
  /** The bindings taken from the shell, and those emulator mode left out. */
  shell?: Readonly<SourceNames>;
  /** More lines about what the mode offers (the emulator mode's named keys and failover demo). */
  extra?: readonly string[];
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

/** Which of the demo's gateway parts are in use: its API_KEYS and its MODELS, not replaced. */
export interface DemoInUse {
  namedKeys: boolean;
  failover: boolean;
}

/** What the emulator mode's banner adds: the keys and the model to try the gateway's parts with. */
export function emulatorBannerLines(url: string, demo: DemoInUse): string[] {
  return [
    ...(demo.namedKeys
      ? [
          `named keys       ${DEV_ADMIN_KEY} (admin: curl ${url}/v1/usage -H "Authorization: Bearer ${DEV_ADMIN_KEY}")`,
          `                 ${DEV_LIMITED_KEY} (a rate limit, 100000 tokens a day, 2 streams at once)`,
        ]
      : []),
    ...(demo.failover
      ? [`failover         ${FAILOVER_DEMO}: two copies, the first always throttled (see x-bedrock-edge-deployment)`]
      : []),
  ];
}

export function bannerText(banner: Banner): string {
  const { url, upstream, key, keySource, models, misconfigured, extra = [] } = banner;
  const model = models[0] ?? "<model>";
  const auth = key ? `-H "Authorization: Bearer ${key === DEV_KEY ? key : "<your key>"}" ` : "";
  const problems = key
    ? `curl ${url}/health ${auth.trimEnd()} lists them`
    : "the Worker's log lists them (GET /health does too, with a key of PROXY_API_KEYS or an admin key)";
  return [
    "",
    misconfigured
      ? `bedrock-edge proxy up on ${url}, but its configuration has problems  (local Workers runtime)`
      : `bedrock-edge proxy ready on ${url}  (local Workers runtime)`,
    ...(misconfigured ? [`  problems         ${problems}`] : []),
    `  OpenAI base URL  ${url}/v1`,
    `  API key          ${key ? `${shownKey(key)}  (${keySource})` : "(none: set PROXY_API_KEYS in .dev.vars, every call is refused until then)"}`,
    ...(key ? [`                   named ${proxyKeyLogName(key)} in the log's lines and /v1/usage rows`] : []),
    `  models           ${models.length ? models.join(", ") : misconfigured ? "(none: see the problems above)" : "(none listed)"}`,
    `  upstream         ${upstream}`,
    ...extra.map((line) => `  ${line}`),
    ...sourceLines(banner),
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

/**
 * Where the bindings came from besides wrangler.toml and the mode's own: .dev.vars when it was
 * read (said even when it gave nothing), the shell, and what emulator mode left out of each.
 */
function sourceLines({ devVars, shell }: Banner): string[] {
  const ignored = [
    ...(devVars?.ignored.length ? [`${devVars.ignored.join(", ")} from .dev.vars`] : []),
    ...(shell?.ignored.length ? [`${shell.ignored.join(", ")} from the shell`] : []),
  ];
  return [
    ...(devVars ? [`  from .dev.vars   ${devVars.used.length ? devVars.used.join(", ") : "(nothing used)"}`] : []),
    ...(shell?.used.length ? [`  from the shell   ${shell.used.join(", ")}`] : []),
    ...(ignored.length ? [`  not used         ${ignored.join("; ")} (emulator mode sets its own)`] : []),
  ];
}
