/// <reference types="node" />
// `npm start`: the pure decisions (scripts/dev-env.ts), then the real thing: scripts/start.ts
// with wrangler dev and the emulator on free loopback ports, curled, then stopped.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { connect, createServer, type AddressInfo, type Server } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";
import OpenAI from "openai";
import { Client } from "undici";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { EMULATOR_CREDENTIALS } from "../../emulator/credentials.ts";
import { emulatorModelId } from "../../emulator/model-id.ts";
import { isMigrated, localDatabases, migrationInputs, readStamp, STAMP } from "../../scripts/local-database.ts";
import { parseModels, routes } from "../../src/core.ts";
import {
  type BINDING_NAMES,
  bannerText,
  type BusyPort,
  busyPortMessage,
  chooseMode,
  devVarsForEmulator,
  demoModels,
  deploymentBindingNames,
  DEV_ADMIN_KEY,
  DEV_KEY,
  DEV_LIMITED_KEY,
  emulatorBannerLines,
  emulatorBindings,
  emulatorModeBindings,
  envFileName,
  envFileText,
  placeBindings,
  isWranglerRequestLog,
  isWranglerTelemetryNotice,
  staleEnvFiles,
  parseDotenv,
  proxyKeyLogName,
  realBedrockPlan,
  shellBindings,
  wranglerArgs,
  wranglerEnv,
} from "../../scripts/dev-env.ts";
import { childrenOf, descendantsOf, killAll } from "../../scripts/process-tree.ts";
import type { ProxyEnv } from "../../worker/config.ts";
import { resolveDeploymentCredentials } from "../../worker/deployment-credentials.ts";
import type { ProxyBindings } from "../../worker/config.ts";
import { readClientKeys } from "../../worker/keys.ts";
import { eventually, USER_HELLO } from "./harness.ts";
import { readPng } from "../helpers/png.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

describe("npm start decides", () => {
  it("the emulator when no credentials exist anywhere", () => {
    expect(chooseMode(undefined, {})).toEqual({ kind: "emulator" });
    expect(chooseMode({ PROXY_API_KEYS: "k" }, { AWS_REGION: "us-east-1" })).toEqual({ kind: "emulator" });
    expect(chooseMode({ AWS_ACCESS_KEY_ID: " " }, { AWS_BEARER_TOKEN_BEDROCK: "" })).toEqual({ kind: "emulator" });
  });

  it("plain wrangler dev when .dev.vars holds credentials (SigV4 or a Bedrock API key)", () => {
    expect(chooseMode({ AWS_ACCESS_KEY_ID: "AKIA1", AWS_SECRET_ACCESS_KEY: "s" }, {})).toEqual({ kind: "dev-vars" });
    expect(chooseMode({ AWS_BEARER_TOKEN_BEDROCK: "ABSK1" }, { AWS_ACCESS_KEY_ID: "AKIA2" })).toEqual({
      kind: "dev-vars",
    });
  });

  it("with --emulator over a .dev.vars that holds credentials, the demo without that .dev.vars (its models are real ones)", () => {
    const real = { AWS_ACCESS_KEY_ID: "AKIA1", AWS_SECRET_ACCESS_KEY: "s", MODELS: '{"mine":"bedrock/llama/x"}' };
    expect(devVarsForEmulator(real, true)).toBeUndefined();
    expect(devVarsForEmulator(real, false)).toBe(real);
    // A .dev.vars made for the emulator (no credentials) is layered, asked for or not.
    const local = { MODELS: '{"mine":"bedrock/llama/x"}', PROXY_API_KEYS: "sk-mine" };
    expect(devVarsForEmulator(local, true)).toBe(local);
    expect(devVarsForEmulator(local, false)).toBe(local);
    expect(devVarsForEmulator(undefined, true)).toBeUndefined();
  });

  it("to pass on every binding the proxy reads, no more (checked by the type-checker)", () => {
    expectTypeOf<(typeof BINDING_NAMES)[number]>().toEqualTypeOf<keyof ProxyEnv>();
  });

  it("the shell's credentials, and only the proxy's bindings of the shell, when .dev.vars has none", () => {
    const shell = { AWS_ACCESS_KEY_ID: "AKIA3", AWS_SECRET_ACCESS_KEY: "s3", HOME: "/root", PATH: "/bin" };
    expect(chooseMode({ MODELS: "{}" }, shell)).toEqual({ kind: "shell" });
    expect(shellBindings(shell)).toEqual({ AWS_ACCESS_KEY_ID: "AKIA3", AWS_SECRET_ACCESS_KEY: "s3" });
    expect(shellBindings({ CORS_ORIGINS: "*", LOG_PROMPTS: "", TERM: "xterm" })).toEqual({ CORS_ORIGINS: "*" });
  });

  it("the bindings MODELS' deployments name for their credentials, from the shell, MODELS the shell's, .dev.vars' or wrangler.toml's", () => {
    const models = JSON.stringify({
      qwen: {
        deployments: [
          { model: "bedrock/qwen3/arn:aws:bedrock:us-east-1:123456789012:imported-model/qwen3" },
          {
            model: "bedrock/qwen3/arn:aws:bedrock:us-west-2:123456789012:imported-model/qwen3",
            credentials: { access_key_id: "AWS_ACCESS_KEY_ID_WEST", secret_access_key: "AWS_SECRET_ACCESS_KEY_WEST" },
          },
          {
            model: "bedrock/qwen3/arn:aws:bedrock:eu-west-1:123456789012:imported-model/qwen3",
            api_key: "BEDROCK_KEY_EU",
          },
        ],
      },
    });
    const shell = {
      AWS_ACCESS_KEY_ID: "AKIA6",
      AWS_SECRET_ACCESS_KEY: "s6",
      AWS_ACCESS_KEY_ID_WEST: "AKIAWEST",
      AWS_SECRET_ACCESS_KEY_WEST: "west-secret",
      BEDROCK_KEY_EU: "ABSKEU",
      UNRELATED_SECRET: "x",
    };
    const passed = {
      AWS_ACCESS_KEY_ID: "AKIA6",
      AWS_SECRET_ACCESS_KEY: "s6",
      AWS_ACCESS_KEY_ID_WEST: "AKIAWEST",
      AWS_SECRET_ACCESS_KEY_WEST: "west-secret",
      BEDROCK_KEY_EU: "ABSKEU",
    };
    expect(shellBindings({ ...shell, MODELS: models })).toEqual({ MODELS: models, ...passed });
    // MODELS in .dev.vars names them just the same; the shell's MODELS wins over it.
    expect(shellBindings(shell, { MODELS: models })).toEqual(passed);
    expect(shellBindings({ ...shell, MODELS: '{"m":"bedrock/llama/x"}' }, { MODELS: models })).toEqual({
      MODELS: '{"m":"bedrock/llama/x"}',
      AWS_ACCESS_KEY_ID: "AKIA6",
      AWS_SECRET_ACCESS_KEY: "s6",
    });
    // MODELS only in wrangler.toml's [vars] names them too (codereview49d #3), under .dev.vars' and the shell's.
    expect(shellBindings(shell, undefined, { MODELS: models })).toEqual(passed);
    expect(shellBindings(shell, { MODELS: '{"m":"bedrock/llama/x"}' }, { MODELS: models })).toEqual({
      AWS_ACCESS_KEY_ID: "AKIA6",
      AWS_SECRET_ACCESS_KEY: "s6",
    });
    // A MODELS that does not parse, or names no binding, adds nothing (the proxy reports it).
    expect(deploymentBindingNames("{not json")).toEqual([]);
    expect(deploymentBindingNames(undefined)).toEqual([]);
    expect(deploymentBindingNames('{"q":{"deployments":[{"credentials":{"access_key_id":"not a name"}},7]}}')).toEqual(
      [],
    );
  });

  it("the same binding names the Worker looks up for MODELS' deployments", () => {
    const models = {
      a: {
        deployments: [
          { model: "bedrock/llama/arn:aws:bedrock:us-east-1:123456789012:imported-model/llama" },
          {
            model: "bedrock/llama/arn:aws:bedrock:us-west-2:123456789012:imported-model/llama",
            credentials: { access_key_id: "ID_W", secret_access_key: "SECRET_W", session_token: "TOKEN_W" },
          },
        ],
      },
      b: {
        deployments: [
          { model: "bedrock/llama/arn:aws:bedrock:eu-west-1:123456789012:imported-model/llama", api_key: "KEY_EU" },
        ],
      },
      c: "bedrock/llama/arn:aws:bedrock:us-east-1:123456789012:imported-model/llama",
    };
    const looked: string[] = [];
    const env = new Proxy(
      {},
      {
        get: (_target, name) => {
          if (typeof name === "string") looked.push(name);
          // Shaped as every binding here may need to be: an access key id is checked for its shape.
          return "AKIAEXAMPLEEXAMPLE12";
        },
      },
    );
    const problems: string[] = [];
    resolveDeploymentCredentials(models, env, problems);
    expect(problems).toEqual([]);
    expect(deploymentBindingNames(JSON.stringify(models))).toEqual(looked);
  });

  it("with real Bedrock, .dev.vars with the shell's bindings over it, and where the keys came from", () => {
    const devVars = {
      AWS_ACCESS_KEY_ID: "AKIA5",
      AWS_SECRET_ACCESS_KEY: "s5",
      PROXY_API_KEYS: "sk-devvars-1234567890",
    };
    expect(realBedrockPlan({ CORS_ORIGINS: "*", LOG_PROMPTS: "true" }, devVars)).toEqual({
      shellFile: { CORS_ORIGINS: "*", LOG_PROMPTS: "true" },
      description: "Amazon Bedrock (credentials from .dev.vars)",
      key: "sk-devvars-1234567890",
      keySource: "the first of PROXY_API_KEYS in .dev.vars",
    });
    expect(realBedrockPlan({ AWS_BEARER_TOKEN_BEDROCK: "ABSK5", PROXY_API_KEYS: " sk-a , sk-b" }, devVars)).toEqual({
      shellFile: { AWS_BEARER_TOKEN_BEDROCK: "ABSK5", PROXY_API_KEYS: " sk-a , sk-b" },
      description: "Amazon Bedrock (credentials from the shell environment)",
      key: "sk-a",
      keySource: "the first of PROXY_API_KEYS in the shell environment",
    });
    // Nothing in the shell: no env file, so wrangler reads .dev.vars by itself.
    expect(realBedrockPlan({}, devVars).shellFile).toBeUndefined();
  });

  it("with real Bedrock and an env file after .dev.vars, .dev.vars' values holding a $ said again, as written", () => {
    // Wrangler expands $NAME in .dev.vars when it comes with an env file, not when read alone.
    const devVars = { AWS_ACCESS_KEY_ID: "AKIA7", PROXY_API_KEYS: "sk-a$b-1234567890", MODELS: "{}" };
    expect(realBedrockPlan({ LOG_PROMPTS: "true" }, devVars).shellFile).toEqual({
      PROXY_API_KEYS: "sk-a$b-1234567890",
      LOG_PROMPTS: "true",
    });
    expect(realBedrockPlan({ PROXY_API_KEYS: "sk-shell" }, devVars).shellFile).toEqual({ PROXY_API_KEYS: "sk-shell" });
  });

  it("with real Bedrock behind BEDROCK_ENDPOINT, the banner names the endpoint's origin, never its user or password", () => {
    const devVars = { AWS_ACCESS_KEY_ID: "AKIA8", BEDROCK_ENDPOINT: "http://127.0.0.1:4042" };
    expect(realBedrockPlan({}, devVars).description).toBe(
      "http://127.0.0.1:4042 (BEDROCK_ENDPOINT in .dev.vars; credentials from .dev.vars)",
    );
    const shell = { BEDROCK_ENDPOINT: "https://user:p4ss@vpce-1.bedrock-runtime.us-east-1.vpce.amazonaws.com/x?y" };
    const { description } = realBedrockPlan(shell, devVars);
    expect(description).toBe(
      "https://vpce-1.bedrock-runtime.us-east-1.vpce.amazonaws.com (BEDROCK_ENDPOINT in the shell environment; credentials from .dev.vars)",
    );
    expect(realBedrockPlan({ BEDROCK_ENDPOINT: "p4ss-not-a-url" }, devVars).description).toBe(
      "an endpoint that is not an http(s) URL (BEDROCK_ENDPOINT in the shell environment; credentials from .dev.vars)",
    );
    expect(realBedrockPlan({}, { AWS_ACCESS_KEY_ID: "AKIA8" }).description).toBe(
      "Amazon Bedrock (credentials from .dev.vars)",
    );
  });

  it("in emulator mode, the shell's settings over the demo's, but the emulator's own address, keys and region", () => {
    const shell = {
      CORS_ORIGINS: "https://app.example",
      LOG_PROMPTS: "true",
      PROXY_API_KEYS: "sk-mine-1234567890",
      AWS_REGION: "eu-west-1",
      AWS_ACCESS_KEY_ID: "AKIA4",
      AWS_SECRET_ACCESS_KEY: "s4",
      AWS_BEARER_TOKEN_BEDROCK: "ABSK4",
      BEDROCK_ENDPOINT: "https://elsewhere.example",
    };
    const { bindings, fromShell, ignored } = emulatorModeBindings("http://127.0.0.1:4010", shell);
    expect(bindings).toEqual({
      ...emulatorBindings("http://127.0.0.1:4010"),
      CORS_ORIGINS: "https://app.example",
      LOG_PROMPTS: "true",
      PROXY_API_KEYS: "sk-mine-1234567890",
    });
    expect(fromShell).toEqual(["CORS_ORIGINS", "LOG_PROMPTS", "PROXY_API_KEYS"]);
    expect(ignored).toEqual([
      "AWS_REGION",
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "AWS_BEARER_TOKEN_BEDROCK",
      "BEDROCK_ENDPOINT",
    ]);
    expect(emulatorModeBindings("http://e", { MODELS: '{"mine":"bedrock/llama/x"}' }).bindings.MODELS).toBe(
      '{"mine":"bedrock/llama/x"}',
    );
  });

  it("in emulator mode, .dev.vars over the demo's and the shell's over both, but the emulator's own", () => {
    const url = "http://127.0.0.1:4010";
    const devVars = {
      MODELS: '{"mine":"bedrock/llama/x"}',
      PROXY_API_KEYS: "sk-dev$vars-1234567890",
      CORS_ORIGINS: "https://devvars.example",
      AWS_ACCESS_KEY_ID: "AKIAREAL",
      AWS_REGION: "eu-west-1",
    };
    const shell = { CORS_ORIGINS: "https://shell.example", BEDROCK_ENDPOINT: "https://elsewhere.example" };
    const planned = emulatorModeBindings(url, shell, devVars);
    const demo = emulatorBindings(url);
    // The demo's file, .dev.vars itself (wrangler parses it), then what must win over it.
    expect(planned.files).toEqual([
      demo,
      "dev-vars",
      {
        AWS_ACCESS_KEY_ID: demo.AWS_ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY: demo.AWS_SECRET_ACCESS_KEY,
        AWS_SESSION_TOKEN: "",
        AWS_BEARER_TOKEN_BEDROCK: "",
        AWS_REGION: "",
        BEDROCK_ENDPOINT: url,
        // Said again after .dev.vars, or wrangler would expand its $vars.
        PROXY_API_KEYS: "sk-dev$vars-1234567890",
        CORS_ORIGINS: "https://shell.example",
      },
    ]);
    expect(planned.bindings).toEqual({
      ...demo,
      MODELS: '{"mine":"bedrock/llama/x"}',
      PROXY_API_KEYS: "sk-dev$vars-1234567890",
      CORS_ORIGINS: "https://shell.example",
    });
    expect(planned.devVars).toEqual({
      used: ["MODELS", "PROXY_API_KEYS", "CORS_ORIGINS"],
      ignored: ["AWS_ACCESS_KEY_ID", "AWS_REGION"],
    });
    expect(planned.fromShell).toEqual(["CORS_ORIGINS"]);
    expect(planned.ignored).toEqual(["BEDROCK_ENDPOINT"]);
    // The demo's named keys are still in use, its failover demo is not (MODELS is .dev.vars').
    expect(planned.demoInUse).toEqual({ namedKeys: true, failover: false });
    expect(emulatorBannerLines("http://p", planned.demoInUse).join("\n")).not.toContain("failover");
    expect(emulatorBannerLines("http://p", planned.demoInUse).join("\n")).toContain(DEV_ADMIN_KEY);
    // Without .dev.vars, one file.
    const alone = emulatorModeBindings(url, {});
    expect(alone.files).toHaveLength(1);
    expect(alone.devVars).toBeUndefined();
    expect(alone.demoInUse).toEqual({ namedKeys: true, failover: true });
  });

  it("wrangler quiet and offline without complaint, unless the shell says otherwise", () => {
    expect(wranglerEnv({ PATH: "/bin" })).toEqual({
      PATH: "/bin",
      WRANGLER_SEND_METRICS: "false",
      WRANGLER_HIDE_BANNER: "true",
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
      VSCODE_INSPECTOR_OPTIONS: "{}",
    });
    expect(wranglerEnv({ WRANGLER_SEND_METRICS: "true" }).WRANGLER_SEND_METRICS).toBe("true");
  });

  it("wrangler without its DevTools inspector proxy, which leaked sockets until EMFILE", () => {
    expect(wranglerEnv({}).VSCODE_INSPECTOR_OPTIONS).toBeTruthy();
    // In VS Code's debug terminal, its own options stay.
    expect(wranglerEnv({ VSCODE_INSPECTOR_OPTIONS: '{"a":1}' }).VSCODE_INSPECTOR_OPTIONS).toBe('{"a":1}');
  });

  it("wrangler's request log lines told apart from the Worker's and from real errors", () => {
    expect(isWranglerRequestLog("[wrangler:info] POST /v1/chat/completions 200 OK (208ms)")).toBe(true);
    expect(isWranglerRequestLog("[wrangler:info] GET /health 503 Service Unavailable (3ms)\r")).toBe(true);
    expect(isWranglerRequestLog("[wrangler:info] Ready on http://127.0.0.1:8787")).toBe(false);
    expect(isWranglerRequestLog('{"time":"…","method":"GET","path":"/health","status":200,"ms":0}')).toBe(false);
    expect(isWranglerRequestLog("[wrangler:error] Error: something broke (12ms)")).toBe(false);
    expect(isWranglerRequestLog("✘ [ERROR] Address already in use (127.0.0.1:8787)")).toBe(false);
  });

  it("wrangler's telemetry notice told apart, coloured or not, from lines that name telemetry", () => {
    const notice =
      "Cloudflare collects anonymous telemetry about your usage of Wrangler. Learn more at https://github.com/cloudflare/workers-sdk/tree/main/packages/wrangler/telemetry.md";
    expect(isWranglerTelemetryNotice(notice)).toBe(true);
    expect(isWranglerTelemetryNotice(stripVTControlCharacters(`\u001b[90m${notice}\u001b[39m`))).toBe(true);
    expect(
      isWranglerTelemetryNotice('{"path":"/v1/chat/completions","messages":"Cloudflare collects anonymous telemetry"}'),
    ).toBe(false);
    expect(isWranglerTelemetryNotice("✘ [ERROR] telemetry failed")).toBe(false);
  });

  it("a busy port named with the variable that moves it, and a free one", () => {
    expect(busyPortMessage("127.0.0.1", [{ name: "PORT", port: 8787, free: 8788 }])).toBe(
      "127.0.0.1:8787, the port for the proxy, is in use (another npm start?). Choose another: PORT=8788 npm start",
    );
    expect(busyPortMessage("127.0.0.1", [{ name: "EMULATOR_PORT", port: 4010, free: undefined }])).toMatch(
      /the Bedrock emulator, is in use .* EMULATOR_PORT=<port> npm start$/,
    );
  });

  it("a busy port's advice keeps the arguments npm start was given (-- --emulator)", () => {
    // A port the user chose and that is free is kept in the command, or following it would move it.
    expect(busyPortMessage("127.0.0.1", [{ name: "EMULATOR_PORT", port: 4090, free: 4091 }], [], { PORT: 8900 })).toBe(
      "127.0.0.1:4090, the port for the Bedrock emulator, is in use (another npm start?). Choose another: PORT=8900 EMULATOR_PORT=4091 npm start",
    );
    expect(busyPortMessage("127.0.0.1", [{ name: "PORT", port: 8787, free: 8788 }], ["--emulator"])).toMatch(
      /Choose another: PORT=8788 npm start -- --emulator$/,
    );
  });

  it("both busy ports in one message, moved by one command (a second npm start beside a first)", () => {
    const busy: BusyPort[] = [
      { name: "PORT", port: 8787, free: 8788 },
      { name: "EMULATOR_PORT", port: 4010, free: 4011 },
    ];
    expect(busyPortMessage("127.0.0.1", busy)).toBe(
      "127.0.0.1:8787, the port for the proxy, and 127.0.0.1:4010, the port for the Bedrock emulator, are in use (another npm start?). Choose others: PORT=8788 EMULATOR_PORT=4011 npm start",
    );
  });

  it("one valid demo model per route, all pointing at the emulator", () => {
    const models = parseModels(demoModels(), "MODELS");
    // Every route of the registry, in its order: demo-deepseek-r1, demo-llama, … demo-embed, demo-image.
    const names = Object.keys(routes);
    expect(names.slice(0, 5)).toEqual(["deepseek_r1", "llama", "qwen3", "qwen2", "openai"]);
    // Then the demos of settings: a template route in OpenAICompletion, the openai route's tool parser.
    const settings = ["demo-qwen3-openai-completion", "demo-openai-qwen-tools"];
    expect(Object.keys(models)).toEqual([...names.map((route) => `demo-${route.replaceAll("_", "-")}`), ...settings]);
    expect(Object.values(models).map((entry) => ("model" in entry ? entry.model : "").split("/")[1])).toEqual([
      ...names,
      "qwen3",
      "openai",
    ]);
    expect(models["demo-qwen3-openai-completion"]?.wire_format).toBe("openai_completion");
    expect(models["demo-openai-qwen-tools"]?.tool_parser).toBe("qwen");
    const bindings = emulatorBindings("http://127.0.0.1:4010");
    expect(bindings.PROXY_API_KEYS).toBe(DEV_KEY);
    expect(bindings.BEDROCK_ENDPOINT).toBe("http://127.0.0.1:4010");
  });

  it("a demo of two copies of a model, the first always throttled, and named keys with every limit", () => {
    const bindings = emulatorBindings("http://127.0.0.1:4010");
    const failover = parseModels(JSON.parse(bindings.MODELS!), "MODELS")["demo-failover"];
    expect(
      failover && "deployments" in failover && failover.deployments.map((d) => d.model.split(".").slice(1)),
    ).toEqual([["throttle", "tool"], ["tool"]]);
    const problems: string[] = [];
    const rateLimiter = { limit: async () => ({ success: true }) };
    // The rate limiter and the KEY_LIMITS Durable Object wrangler.toml declares, as the Worker gets
    // them: bindings beside the vars (without KEY_LIMITS, the limited key's counted limits are problems).
    const keyLimits = { idFromName: () => ({}), get: () => ({ fetch: async () => new Response() }) };
    const env: ProxyBindings = { API_KEYS: bindings.API_KEYS, PROXY_API_KEYS: bindings.PROXY_API_KEYS };
    Object.assign(env, { RATE_LIMIT_STANDARD: rateLimiter, KEY_LIMITS: keyLimits });
    const keys = readClientKeys(env, problems);
    expect(problems).toEqual([]);
    expect(keys.find((key) => key.key === DEV_ADMIN_KEY)?.admin).toBe(true);
    expect(keys.find((key) => key.key === DEV_LIMITED_KEY)).toMatchObject({
      rateLimit: { binding: "RATE_LIMIT_STANDARD" },
      tokensPerDay: 100_000,
      concurrentStreams: 2,
    });
  });

  it("an env file that reads back the same (JSON intact), refusing what dotenv would mangle", () => {
    const vars = emulatorBindings("http://127.0.0.1:4010");
    expect(parseDotenv(envFileText(vars))).toEqual(vars);
    // What wrangler would mangle, kept: a quote in backquotes, a $ written \$ (wrangler's
    // dotenv-expand reads it as a $), a newline and # inside quotes.
    expect(envFileText({ A: "it's", B: "$HOME-$X", C: "a\n# b" }).split("\n").slice(1)).toEqual([
      "A=`it's`",
      "B='\\$HOME-\\$X'",
      "C='a",
      "# b'",
      "",
    ]);
    // Only what no quoting keeps is refused, naming the binding, never its value; .dev.vars keeps it.
    for (const value of ["it's `x`", "a\rb", "C:\\dir\\"]) {
      expect(() => envFileText({ SECRET_ONE: value })).toThrow(/^SECRET_ONE holds .* put it in .dev.vars instead$/);
      expect(() => envFileText({ SECRET_ONE: value })).not.toThrow(value);
    }
    expect(parseDotenv('# c\nexport A=1 # note\nB="x y"\nC=\'{"k": 1}\'\nnot a line\n')).toEqual({
      A: "1",
      B: "x y",
      C: '{"k": 1}',
    });
  });

  it(".dev.vars read as wrangler reads it (dotenv): comments, quotes over lines, escapes, no expansion", () => {
    const text = [
      "A=sk-1#not a comment in shells, but in dotenv",
      "B='x # y'",
      'C="line one\\nline two"',
      "D='multi",
      "line'",
      "E=`it's`",
      "F: colon",
      "G=$HOME",
      `MODELS='{"t":"{{ m['content'] }}"}'`,
      "H=1\r",
    ].join("\r\n");
    expect(parseDotenv(text)).toEqual({
      A: "sk-1",
      B: "x # y",
      C: "line one\nline two",
      D: "multi\nline",
      E: "it's",
      F: "colon",
      G: "$HOME",
      MODELS: `{"t":"{{ m['content'] }}"}`,
      H: "1",
    });
  });

  it("MODELS no env file can keep (both quotes and a $, as a chat_template may have) goes on wrangler's command line, the last word on it only", () => {
    const template = "{{ '```json' }} costs $5 {{ messages[0]['content'] }}";
    const models = JSON.stringify({ fence: { model: "bedrock/llama/x", chat_template: template } });
    const demo = { MODELS: '{"demo":"bedrock/llama/x"}', PROXY_API_KEYS: "sk-local-dev" };
    const placed = placeBindings([demo, { MODELS: models }]);
    expect(placed.commandLine).toEqual({ MODELS: models });
    expect(placed.files).toEqual([demo, {}]);
    expect(() => placed.files.map(envFileText)).not.toThrow();
    expect(wranglerArgs("127.0.0.1", 8787, ["a.env"], placed.commandLine).slice(-2)).toEqual([
      "--var",
      `MODELS:${models}`,
    ]);
    // A later file that says MODELS in a form it keeps wins, as --var would win over it.
    expect(placeBindings([{ MODELS: models }, { MODELS: "{}" }]).commandLine).toEqual({});
    // Secrets stay off the command line (every process sees it): refused, naming the binding.
    const key = "sk-it's-`x`-$HOME";
    const secret = placeBindings([{ PROXY_API_KEYS: key }]);
    expect(secret.commandLine).toEqual({});
    expect(() => envFileText(secret.files[0]!)).toThrow(/^PROXY_API_KEYS holds/);
  });

  it("env files named for the instance's PORT: a second npm start in the checkout writes its own, not over the first's", () => {
    const kinds = ["emulator", "emulator-over", "bedrock-from-shell"] as const;
    const first = kinds.map((kind) => envFileName(kind, 8787));
    const second = kinds.map((kind) => envFileName(kind, 8788));
    expect(first).toEqual(["emulator-8787.env", "emulator-over-8787.env", "bedrock-from-shell-8787.env"]);
    expect(new Set([...first, ...second]).size).toBe(kinds.length * 2);
  });

  it("env files a killed npm start left, their pid gone, are stale; a running one's, or another file, are not (left49 #3)", () => {
    const owned = (pid: number) => envFileText({ A: "1" }, pid);
    expect(owned(4242).split("\n")[0]).toContain("(scripts/start.ts, pid 4242)");
    const running = (pid: number) => pid === 1;
    const files = [
      { name: envFileName("bedrock-from-shell", 8787), text: owned(4242) },
      { name: envFileName("emulator", 8788), text: owned(1) },
      { name: envFileName("emulator-over", 8788), text: owned(1) },
      // Written before files named their pid: no start of this version owns it.
      { name: envFileName("emulator", 8789), text: envFileText({ A: "1" }) },
      // Not npm start's: a user's own file there.
      { name: "mine.env", text: "# mine" },
    ];
    expect(staleEnvFiles(files, running)).toEqual([
      envFileName("bedrock-from-shell", 8787),
      envFileName("emulator", 8789),
    ]);
    expect(parseDotenv(owned(4242))).toEqual({ A: "1" });
  });

  it("wrangler dev local on loopback, env files in order", () => {
    expect(wranglerArgs("127.0.0.1", 8787, ["a.env", "b.env"])).toEqual([
      "dev",
      "--local",
      "--ip",
      "127.0.0.1",
      "--port",
      "8787",
      "--show-interactive-dev-session=false",
      "--env-file",
      "a.env",
      "--env-file",
      "b.env",
    ]);
  });

  it("a banner with the URL, the dev key, the models and curl examples", () => {
    const text = bannerText({
      url: "http://127.0.0.1:8787",
      upstream: "emulator",
      key: DEV_KEY,
      keySource: "the emulator's dev key",
      models: ["demo-llama", "demo-qwen2"],
    });
    expect(text).toContain("http://127.0.0.1:8787/v1");
    expect(text).toContain("API key          sk-local-dev  (the emulator's dev key)");
    expect(text).toContain("demo-llama, demo-qwen2");
    expect(text).toContain(`curl http://127.0.0.1:8787/v1/chat/completions -H "Authorization: Bearer sk-local-dev"`);
    expect(bannerText({ url: "u", upstream: "x", key: undefined, keySource: ".dev.vars", models: [] })).toMatch(
      /set PROXY_API_KEYS/,
    );
  });

  it("a banner that never prints a real key: its last 4 characters and where it comes from", () => {
    const key = "sk-team-7f3a9c21e0b4d8aa";
    const text = bannerText({
      url: "http://127.0.0.1:8787",
      upstream: "Amazon Bedrock",
      key,
      keySource: "PROXY_API_KEYS in .dev.vars",
      models: ["m"],
    });
    expect(text).not.toContain(key);
    expect(text).not.toContain("7f3a9c21");
    expect(text).toContain("API key          sk-…d8aa  (PROXY_API_KEYS in .dev.vars)");
    expect(text).toContain(`-H "Authorization: Bearer <your key>"`);
    // A short key keeps even its tail to itself.
    expect(bannerText({ url: "u", upstream: "x", key: "abc123", keySource: "s", models: [] })).not.toContain("123");
  });

  it("a banner that says the configuration has problems, and where to read them, rather than that no model is listed", () => {
    const text = bannerText({
      url: "http://127.0.0.1:8787",
      upstream: "x",
      key: DEV_KEY,
      keySource: "s",
      models: [],
      misconfigured: true,
    });
    expect(text).toContain("bedrock-edge proxy up on http://127.0.0.1:8787, but its configuration has problems");
    expect(text).toContain(
      `  problems         curl http://127.0.0.1:8787/health -H "Authorization: Bearer ${DEV_KEY}" lists them\n`,
    );
    expect(text).toContain("  models           (none: see the problems above)\n");
    expect(text).not.toMatch(/ready on|none listed/);
    // A real key is never printed; without one, the log.
    const real = bannerText({
      url: "u",
      upstream: "x",
      key: "sk-team-7f3a9c21e0b4d8aa",
      keySource: "s",
      models: [],
      misconfigured: true,
    });
    expect(real).toContain('curl u/health -H "Authorization: Bearer <your key>" lists them');
    expect(real).not.toContain("7f3a9c21");
    expect(
      bannerText({ url: "u", upstream: "x", key: undefined, keySource: "s", models: [], misconfigured: true }),
    ).toContain("the Worker's log lists them");
  });

  it("a banner naming what it read from .dev.vars, and what emulator mode left out of it", () => {
    const text = bannerText({
      url: "u",
      upstream: "x",
      key: DEV_KEY,
      keySource: "s",
      models: [],
      devVars: { used: ["MODELS", "PROXY_API_KEYS"], ignored: ["AWS_ACCESS_KEY_ID"] },
      shell: { used: ["CORS_ORIGINS"], ignored: ["AWS_REGION"] },
    });
    expect(text).toContain("  from .dev.vars   MODELS, PROXY_API_KEYS\n  from the shell   CORS_ORIGINS\n");
    expect(text).toContain(
      "  not used         AWS_ACCESS_KEY_ID from .dev.vars; AWS_REGION from the shell (emulator mode sets its own)\n",
    );
    // Read, even when it gave nothing.
    const empty = { used: [], ignored: [] };
    expect(bannerText({ url: "u", upstream: "x", key: DEV_KEY, keySource: "s", models: [], devVars: empty })).toContain(
      "  from .dev.vars   (nothing used)\n",
    );
  });

  it("a banner naming the shell's settings it took, and those emulator mode did not", () => {
    const text = bannerText({
      url: "u",
      upstream: "x",
      key: DEV_KEY,
      keySource: "s",
      models: [],
      shell: { used: ["CORS_ORIGINS", "LOG_PROMPTS"], ignored: ["AWS_REGION"] },
    });
    expect(text).toContain("  from the shell   CORS_ORIGINS, LOG_PROMPTS\n");
    expect(text).toContain("  not used         AWS_REGION from the shell (emulator mode sets its own)\n");
    expect(bannerText({ url: "u", upstream: "x", key: DEV_KEY, keySource: "s", models: [] })).not.toMatch(
      /from the shell|not used/,
    );
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address !== "object") throw new Error("no port");
  return address.port;
}

/** The environment of a clean shell: no AWS or Cloudflare settings leak into the run. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(AWS_|CLOUDFLARE_|WRANGLER_|MODELS$|PROXY_API_KEYS$|BEDROCK_)/.test(name)) env[name] = value;
  }
  return { ...env, ...extra };
}

/** A JSON body of `bytes` bytes sent in pieces, with no Content-Length (chunked). */
function oversized(bytes: number): ReadableStream<Uint8Array> {
  const piece = new TextEncoder().encode("x".repeat(64 * 1024));
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent === 0) controller.enqueue(new TextEncoder().encode('{"model":"demo-llama","x":"'));
      if (sent >= bytes) return controller.close();
      controller.enqueue(piece);
      sent += piece.length;
    },
  });
}

/**
 * How long `npm start` may take to print its banner (tsx, scripts/start.ts, wrangler dev and the
 * emulator): seconds on an idle machine, more than 45 s at a load of 28 on 2 cores. A test's own
 * timeout is this plus what it does after the banner.
 */
const BANNER_MS = 120_000;

const TSX = `${ROOT}node_modules/tsx/dist/cli.mjs`;
// scripts/start.ts of the working directory: this checkout's, or a copy's (projectCopy).
const START = [TSX, "scripts/start.ts", "--emulator"];

let started: ChildProcess | undefined;
// After a failed test: SIGTERM, which tsx relays and npm start answers by stopping wrangler and
// the emulator. A SIGKILL would end only tsx's own process and leave both running.
afterAll(async () => {
  if (started) await stopped(started, "SIGTERM");
});

/** The processes whose command line names `dir` (Linux): what an npm start in it left running. */
function processesNaming(dir: string): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .flatMap((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(dir) ? [Number(pid)] : [];
      } catch {
        return [];
      }
    });
}

/** A process and every process under it. */
const withDescendants = (pid: number): number[] => [pid, ...descendantsOf(pid)];

/** Stops `npm start` with `signal` (SIGINT: Ctrl-C), firmly after 10 s; its exit code. */
async function stopped(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.kill(signal);
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

/**
 * A copy of this checkout to run `npm start` in, with the given .dev.vars or none: scripts/
 * copied (start.ts finds the project by its own path), and whatever else a test edits,
 * everything else linked but .dev.vars and .wrangler/. A developer's own .dev.vars, which every
 * mode reads, stays out of the tests.
 */
function projectCopy(devVars?: string, copied: readonly string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), "bedrock-edge-start-"));
  for (const entry of readdirSync(ROOT)) {
    if ([".dev.vars", ".wrangler", ".git"].includes(entry)) continue;
    if (entry === "scripts" || copied.includes(entry)) cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
    else symlinkSync(join(ROOT, entry), join(dir, entry));
  }
  if (devVars !== undefined) writeFileSync(join(dir, ".dev.vars"), devVars);
  return dir;
}

const copies: string[] = [];
afterAll(async () => {
  // A test that failed with npm start running: stopped as Ctrl-C would, then whatever still runs
  // from a copy (wrangler dev and its workerd, which outlived a SIGTERM once in CI after a failed
  // assertion) killed, so that a failed run leaves nothing listening.
  if (started) await stopped(started, "SIGTERM");
  for (const dir of copies) {
    killAll(processesNaming(dir).flatMap(withDescendants));
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * `npm start` (with `args`) in a copy of the project (`dir`, one made already, or a new one), its
 * output gathered; the banner awaited.
 */
async function startInCopy(
  devVars: string | undefined,
  args: readonly string[],
  env: Record<string, string>,
  { detached = false, dir = projectCopy(devVars) }: { detached?: boolean; dir?: string } = {},
): Promise<{ child: ChildProcess; dir: string; output: () => string; url: string }> {
  copies.push(dir);
  // A port found free may be taken before npm start binds it (the other suites' connections draw
  // from the same ephemeral range): npm start then says so and exits, and is started again on
  // other ports. Any other failure to reach the banner fails the test.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child = spawn(process.execPath, [TSX, "scripts/start.ts", ...args], {
      cwd: dir,
      detached,
      env: cleanEnv({ PORT: String(port), EMULATOR_PORT: String(await freePort()), ...env }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (data: Buffer) => (output += data.toString()));
    child.stderr!.on("data", (data: Buffer) => (output += data.toString()));
    const taken = () => /in use \(another npm start\?\)/.test(output);
    try {
      await eventually(() => output.includes("Ctrl-C stops everything.") || taken(), BANNER_MS, "the banner");
    } catch (error) {
      await stopped(child, "SIGTERM");
      throw new Error(`${error instanceof Error ? error.message : error}; output:\n${output}`);
    }
    if (!taken()) return { child, dir, output: () => output, url: `http://127.0.0.1:${port}` };
    await stopped(child, "SIGTERM");
    if (attempt === 3) throw new Error(`npm start found its ports taken three times; output:\n${output}`);
  }
}

const APP_ORIGIN = "https://app.example";

describe("npm start, for real", () => {
  it("serves the demo models from wrangler dev + the emulator, and stops both on a signal", {
    timeout: BANNER_MS + 15_000,
  }, async () => {
    const [port, emulatorPort] = [await freePort(), await freePort()];
    let output = "";
    // Settings a user might have exported: two the proxy honours, one emulator mode must not take.
    const shell = { CORS_ORIGINS: APP_ORIGIN, LOG_PROMPTS: "true", AWS_REGION: "eu-west-1" };
    // In a copy without .dev.vars: emulator mode would read a developer's own.
    const dir = projectCopy();
    copies.push(dir);
    // Wrangler's global config as a developer's may be: opted in to telemetry by a wrangler run of
    // another version, so that this wrangler prints its notice (and notes it was shown). HOME too:
    // wrangler takes ~/.wrangler over XDG_CONFIG_HOME's where a developer has one.
    const config = mkdtempSync(join(tmpdir(), "bedrock-edge-wrangler-config-"));
    copies.push(config);
    const metrics = join(config, ".wrangler", "metrics.json");
    mkdirSync(dirname(metrics));
    const optedIn = { enabled: true, date: "2026-01-01T00:00:00.000Z", bannerLastShown: "0.0.0" };
    writeFileSync(metrics, JSON.stringify({ deviceId: "start-test", permission: optedIn }));
    started = spawn(process.execPath, START, {
      cwd: dir,
      env: cleanEnv({
        PORT: String(port),
        EMULATOR_PORT: String(emulatorPort),
        HOME: config,
        XDG_CONFIG_HOME: config,
        ...shell,
      }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    started.stdout!.on("data", (data: Buffer) => (output += data.toString()));
    started.stderr!.on("data", (data: Buffer) => (output += data.toString()));
    await eventually(
      () => output.includes("Ctrl-C stops everything."),
      BANNER_MS,
      `the banner; output so far:\n${output}`,
    );
    // Migrated, and stamped with the database files wrangler made where local-database.ts looks:
    // the next start in this checkout skips the migration.
    expect(Object.keys(readStamp(dir)?.databases ?? {}).length).toBeGreaterThan(0);
    // In npm start's environment, which cleanEnv() leaves without a CLOUDFLARE_ENV.
    expect(isMigrated(readStamp(dir), migrationInputs(dir, {}), localDatabases(dir))).toBe(true);

    const url = `http://127.0.0.1:${port}`;
    expect(output).toContain(`bedrock-edge proxy ready on ${url}`);
    expect(output).toContain("API key          sk-local-dev");
    // Emulator mode because --emulator asked for it, not for want of credentials.
    expect(output).toContain("the Bedrock emulator (asked for with --emulator: credentials, if any, are not used)");
    expect(output).toContain(
      "demo-deepseek-r1, demo-llama, demo-qwen3, demo-qwen2, demo-openai, demo-converse, demo-embed, demo-image, " +
        "demo-qwen3-openai-completion, demo-openai-qwen-tools",
    );

    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: DEV_KEY, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: "demo-qwen2", messages: USER_HELLO });
    expect(completion.choices[0]!.message.content).toContain("Hello from the Bedrock emulator (qwen2)");
    const stream = await client.chat.completions.create({
      model: "demo-deepseek-r1",
      messages: USER_HELLO,
      stream: true,
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toContain("Hello from the Bedrock emulator (r1)");
    // The converse demo: a bare inference-profile id, run in its entry's region.
    const converse = await client.chat.completions.create({ model: "demo-converse", messages: USER_HELLO });
    expect(converse.choices[0]!.message.content).toContain("Hello from the Bedrock emulator (us.anthropic.claude-");
    expect((await client.models.list()).data.map((model) => model.id)).toContain("demo-openai");
    // The embeddings demo, as the library reference's example calls it: Titan V2's 1024 values a text.
    const vectors = await client.embeddings.create({
      model: "demo-embed",
      input: ["The sky is blue.", "Grass is green."],
    });
    expect(vectors.data.map((item) => item.embedding.length)).toEqual([1024, 1024]);
    // The images demo, as the library reference's example calls it: Nova Canvas's PNG of the asked size.
    const drawn = await client.images.generate({
      model: "demo-image",
      prompt: "A lighthouse at dawn",
      size: "512x512",
    });
    expect(readPng(drawn.data?.[0]?.b64_json ?? "")).toMatchObject({ width: 512, height: 512 });
    const texts = await client.completions.create({
      model: "demo-qwen3-openai-completion",
      prompt: "Once upon a time",
      n: 2,
      max_tokens: 200,
    });
    expect(texts.choices.map((choice) => choice.index)).toEqual([0, 1]);

    // The shell's settings, honoured in emulator mode (and said so), but its AWS_REGION left out.
    expect(output).toContain("  from the shell   CORS_ORIGINS, LOG_PROMPTS\n");
    expect(output).toContain("  not used         AWS_REGION from the shell (emulator mode sets its own)\n");
    const preflight = await fetch(`${url}/v1/chat/completions`, {
      method: "OPTIONS",
      headers: { origin: APP_ORIGIN, "access-control-request-method": "POST" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBe(APP_ORIGIN);
    const logLines = (method: string) =>
      output.split("\n").filter((line) => line.startsWith(`{"time":`) && line.includes(`"method":"${method}"`));
    await eventually(
      () => logLines("OPTIONS").length > 0 && logLines("POST").length >= 4,
      5000,
      "the log lines of the chat and completions calls and the preflight",
    );
    expect(logLines("OPTIONS")).toHaveLength(1);
    const postLines = logLines("POST").map(
      (line) => JSON.parse(line) as { path: string; messages?: unknown; prompt?: unknown },
    );
    expect(postLines.filter((line) => line.path === "/v1/chat/completions").map((line) => line.messages)).toEqual([
      USER_HELLO,
      USER_HELLO,
      USER_HELLO,
    ]);
    expect(postLines.filter((line) => line.path === "/v1/completions").map((line) => line.prompt)).toEqual([
      "Once upon a time",
    ]);

    // One line per request, the Worker's: none of wrangler's own, and none of its offline noise,
    // its telemetry notice among it, which it printed (so it noted) though it sends nothing here.
    expect(output).not.toMatch(/\[wrangler:info\] (GET|POST|OPTIONS) /);
    expect(output).not.toMatch(/ENOTFOUND|getaddrinfo|update available|telemetry|wrangler \d+\.\d+/i);
    expect(JSON.parse(readFileSync(metrics, "utf8")).permission.bannerLastShown).not.toBe("0.0.0");
    expect(output).toContain("Ready on");

    // The gateway's parts, local: the failover demo, a key whose limits the local Durable Object
    // and rate limiter count, and the usage records in the local D1 database.
    expect(output).toContain(`named keys       ${DEV_ADMIN_KEY}`);
    const failover = await client.chat.completions
      .create({ model: "demo-failover", messages: USER_HELLO })
      .withResponse();
    expect(failover.response.headers.get("x-bedrock-edge-deployment")).toBe("1");
    // Like every demo model, it calls the tools it is offered.
    const weather = {
      type: "function" as const,
      function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
    };
    const called = await client.chat.completions.create({
      model: "demo-failover",
      messages: [{ role: "user", content: "Weather in Paris?" }],
      tools: [weather],
    });
    expect(called.choices[0]!.finish_reason).toBe("tool_calls");
    expect(called.choices[0]!.message.tool_calls?.[0]).toMatchObject({ function: { name: "get_weather" } });
    const limited = new OpenAI({ baseURL: `${url}/v1`, apiKey: DEV_LIMITED_KEY, maxRetries: 0 });
    let limitedText = "";
    for await (const chunk of await limited.chat.completions.create({
      model: "demo-llama",
      messages: USER_HELLO,
      stream: true,
    })) {
      limitedText += chunk.choices[0]?.delta.content ?? "";
    }
    expect(limitedText).toContain("(llama)");
    const usage = await eventually(
      async () => {
        const response = await fetch(`${url}/v1/usage`, { headers: { authorization: `Bearer ${DEV_ADMIN_KEY}` } });
        const body = (await response.json()) as { data?: { key: string; model: string }[] };
        return body.data?.some((row) => row.key === "local-limited") && body.data;
      },
      10_000,
      "the usage records of this run",
    );
    expect(usage.some((row) => row.model === "demo-failover")).toBe(true);

    // A body over the limit without Content-Length: wrangler dev answered the next request on the
    // connection with "Your worker restarted mid-request" until the proxy drained the rest. One
    // connection for all six requests, which the project's fetch would not reuse (connections.ts).
    const connection = new Client(url);
    let connects = 0;
    connection.on("connect", () => connects++);
    const onConnection = new OpenAI({
      baseURL: `${url}/v1`,
      apiKey: DEV_KEY,
      maxRetries: 0,
      fetchOptions: { dispatcher: connection },
    });
    try {
      for (let round = 0; round < 3; round++) {
        const tooLarge = await fetch(`${url}/v1/chat/completions`, {
          method: "POST",
          headers: { authorization: `Bearer ${DEV_KEY}`, "content-type": "application/json" },
          body: oversized(6 * 1024 * 1024),
          duplex: "half",
          dispatcher: connection,
        } as RequestInit);
        expect(tooLarge.status).toBe(413);
        await tooLarge.text();
        const next = await onConnection.chat.completions.create({ model: "demo-llama", messages: USER_HELLO });
        expect(next.choices[0]!.message.content).toContain("Hello from the Bedrock emulator (llama)");
      }
      expect(connects).toBe(1);
    } finally {
      await connection.close();
    }

    // Clients that leave streamed calls at once, in a burst: wrangler's inspector proxy took the
    // front workerd from about 200 open descriptors to 19,000 with 300 of them (EMFILE at the usual
    // limit of 1,024), without it about 1,500 at most, all closed again. Linux only (/proc).
    const before = openDescriptors(started.pid!);
    if (before !== undefined) {
      await leaveEarly(port, 300);
      let peak = before;
      for (let sample = 0; sample < 24; sample++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        peak = Math.max(peak, openDescriptors(started.pid!) ?? 0);
      }
      expect(peak - before, `open descriptors of npm start: ${before}, then at most ${peak}`).toBeLessThan(4000);
      const after = await client.chat.completions.create({ model: "demo-llama", messages: USER_HELLO });
      expect(after.choices[0]!.message.content).toContain("Hello from the Bedrock emulator (llama)");
    }

    const exited = new Promise<number | null>((resolve) => started!.once("exit", (code) => resolve(code)));
    started.kill("SIGINT");
    expect(await exited).toBe(0);
    for (const open of [url, `http://127.0.0.1:${emulatorPort}`]) {
      await expect(fetch(open, { signal: AbortSignal.timeout(1000) })).rejects.toThrow();
    }
  });
});

describe("npm start, with the user's own settings", () => {
  it(".dev.vars read in emulator mode between the demo's and the shell's, and the bindings MODELS' deployments name passed from the shell", {
    timeout: BANNER_MS + 45_000,
  }, async () => {
    // What the review tried: a chat_template full of quotes and a key holding a $, in .dev.vars; a
    // deployment whose credentials are bindings of their own, set in the shell. AWS_REGION is
    // emulator mode's own: taken, it would refuse the us-east-1 ARNs.
    const models = {
      mine: {
        model: `bedrock/llama/${emulatorModelId("llama")}`,
        chat_template: "{% for m in messages %}{{ m['content'] }}{% endfor %}",
      },
      pair: {
        deployments: [
          { model: `bedrock/llama/${emulatorModelId("llama", ["throttle"])}` },
          {
            model: `bedrock/llama/${emulatorModelId("llama", [], "us-west-2")}`,
            credentials: { access_key_id: "AWS_ACCESS_KEY_ID_WEST", secret_access_key: "AWS_SECRET_ACCESS_KEY_WEST" },
          },
        ],
        routing: "failover",
      },
    };
    const devVarsKey = "sk-dev$vars-1234567890";
    const devVars = [
      "# No AWS credentials: emulator mode.",
      `MODELS='${JSON.stringify(models)}'`,
      `PROXY_API_KEYS='${devVarsKey}'`,
      "AWS_REGION=eu-west-1",
      "",
    ].join("\n");
    // A shell value with a quote and a $, which the shell's env file once refused.
    const shellKey = "sk-o'brien-$HOME-123456";
    const run = await startInCopy(devVars, [], {
      API_KEYS: JSON.stringify({ obrien: { key: shellKey } }),
      AWS_ACCESS_KEY_ID_WEST: EMULATOR_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY_WEST: EMULATOR_CREDENTIALS.secretAccessKey,
      // A profile's credentials are never read: the banner says so, and how to export them.
      AWS_PROFILE: "dev",
    });
    try {
      const output = run.output();
      expect(output).toContain(`bedrock-edge proxy ready on ${run.url}`);
      expect(output).toContain("the Bedrock emulator (no AWS credentials found;");
      const port = Number(new URL(run.url).port);
      expect(readdirSync(join(run.dir, ".wrangler")).filter((name) => name.endsWith(".env"))).toEqual([
        envFileName("emulator", port),
        envFileName("emulator-over", port),
      ]);
      expect(output).toContain(
        `  API key          sk-…7890  (the first of PROXY_API_KEYS in .dev.vars)\n                   named ${proxyKeyLogName(devVarsKey)} in the log's lines and /v1/usage rows\n`,
      );
      expect(output).toContain(
        `  AWS_PROFILE      not read (the Worker reads no ~/.aws files). For real Bedrock, export its keys and start again:\n                   eval "$(aws configure export-credentials --profile dev --format env)" && npm start\n`,
      );
      expect(output).toContain("  models           mine, pair\n");
      expect(output).toContain("  from .dev.vars   MODELS, PROXY_API_KEYS\n");
      expect(output).toContain("  from the shell   API_KEYS, AWS_ACCESS_KEY_ID_WEST, AWS_SECRET_ACCESS_KEY_WEST\n");
      expect(output).toContain("  not used         AWS_REGION from .dev.vars (emulator mode sets its own)\n");
      // The demo's named keys and failover are not in use: the banner does not offer them.
      expect(output).not.toMatch(/named keys|demo-failover/);
      for (const secret of [EMULATOR_CREDENTIALS.secretAccessKey, devVarsKey, shellKey]) {
        expect(output).not.toContain(secret);
      }

      const client = new OpenAI({ baseURL: `${run.url}/v1`, apiKey: devVarsKey, maxRetries: 0 });
      const mine = await client.chat.completions.create({ model: "mine", messages: USER_HELLO });
      expect(mine.choices[0]!.message.content).toContain("Hello from the Bedrock emulator (llama)");
      // The first copy throttles; the second, signed with the shell's *_WEST credentials, answers.
      const pair = await client.chat.completions.create({ model: "pair", messages: USER_HELLO }).withResponse();
      expect(pair.response.headers.get("x-bedrock-edge-deployment")).toBe("1");
      expect(pair.data.choices[0]!.message.content).toContain("Hello from the Bedrock emulator (llama)");
      const named = new OpenAI({ baseURL: `${run.url}/v1`, apiKey: shellKey, maxRetries: 0 });
      expect((await named.models.list()).data.map((model) => model.id)).toEqual(["mine", "pair"]);

      expect(await stopped(run.child, "SIGINT")).toBe(0);
      // The generated env files held .dev.vars' and the shell's values: gone with the proxy.
      expect(readdirSync(join(run.dir, ".wrangler")).filter((name) => name.endsWith(".env"))).toEqual([]);
    } finally {
      await stopped(run.child, "SIGTERM");
    }
  });

  it("AWS credentials in the shell alone, no MODELS or keys: real Bedrock, and the banner gives the command for the demo", {
    timeout: BANNER_MS + 45_000,
  }, async () => {
    // AWS's documentation example keys: nothing is called with them.
    const run = await startInCopy(undefined, [], {
      AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
      AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      AWS_REGION: "us-east-1",
    });
    try {
      const output = run.output();
      expect(output).toContain("  upstream         Amazon Bedrock (credentials from the shell environment)\n");
      expect(output).toContain(
        "  demo             AWS credentials in your shell chose real Bedrock, with no MODELS and no PROXY_API_KEYS of yours set: for the demo on the emulator, npm start -- --emulator\n",
      );
      expect(output).not.toContain("wJalrXUtnFEMI");
      // The shell's credentials, in a file of this instance's own (a second npm start writes another).
      expect(readdirSync(join(run.dir, ".wrangler")).filter((name) => name.endsWith(".env"))).toEqual([
        envFileName("bedrock-from-shell", Number(new URL(run.url).port)),
      ]);
      // Stopped, it stops the wrangler dev it started (whose command line names the copy's env
      // file): importing wrangler into npm start's process once left it running, an orphan.
      expect(processesNaming(run.dir)).not.toEqual([]);
      await stopped(run.child, "SIGTERM");
      await eventually(() => processesNaming(run.dir).length === 0, 5_000, "wrangler dev stopped with npm start");
    } finally {
      await stopped(run.child, "SIGTERM");
      // With the workerd processes each started, whose command lines do not name the copy.
      killAll(processesNaming(run.dir).flatMap(withDescendants));
    }
  });

  it("a Ctrl-C removes the env files it wrote before it waits for wrangler: tsx kills a script slow to answer, and they hold secrets", {
    timeout: BANNER_MS + 15_000,
  }, async () => {
    const secret = "sk-shell-secret-key-0001";
    // Its own process group, so that everything it started can be ended whatever happens here.
    const run = await startInCopy(undefined, [], { PROXY_API_KEYS: secret }, { detached: true });
    const group = run.child.pid!;
    const envFiles = () => readdirSync(join(run.dir, ".wrangler")).filter((name) => name.endsWith(".env"));
    try {
      // Named for this instance's PORT: another npm start in the same checkout writes its own.
      expect(envFiles()).toEqual([envFileName("emulator", Number(new URL(run.url).port))]);
      // tsx's process runs scripts/start.ts, which runs wrangler: frozen, wrangler cannot stop,
      // so whatever waits for it cannot come first.
      const [script] = childrenOf(group);
      const [wrangler] = childrenOf(script!);
      process.kill(wrangler!, "SIGSTOP");
      process.kill(script!, "SIGINT");
      await eventually(() => envFiles().length === 0, 2_000, "the env files removed while wrangler is still stopping");
    } finally {
      try {
        process.kill(-group, "SIGKILL");
      } catch {
        // The group has ended already.
      }
    }
  });

  it("a start removes the env files a killed one left, its pid gone, and keeps a running one's (left49 #3)", {
    timeout: BANNER_MS + 30_000,
  }, async () => {
    const dir = projectCopy();
    mkdirSync(join(dir, ".wrangler"));
    // A pid no process has: a child's once it has exited. And one that runs: this test's own.
    const gone = spawnSync(process.execPath, ["-e", ""]).pid;
    const killed = envFileName("bedrock-from-shell", 1);
    const running = envFileName("emulator", 2);
    const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    writeFileSync(join(dir, ".wrangler", killed), envFileText({ AWS_SECRET_ACCESS_KEY: secret }, gone), {
      mode: 0o600,
    });
    writeFileSync(join(dir, ".wrangler", running), envFileText({ A: "1" }, process.pid), { mode: 0o600 });
    const envFiles = () =>
      readdirSync(join(dir, ".wrangler"))
        .filter((name) => name.endsWith(".env"))
        .sort();
    const run = await startInCopy(undefined, ["--emulator"], {}, { dir });
    try {
      expect(envFiles()).toEqual([envFileName("emulator", Number(new URL(run.url).port)), running].sort());
    } finally {
      await stopped(run.child, "SIGTERM");
    }
    // Its own gone on exit; the running one's still kept.
    expect(envFiles()).toEqual([running]);
  });

  it("two in one checkout (firsthour48 D1): a wrangler.toml edit reloads each with its own emulator, and one stopping leaves the other serving", {
    timeout: 2 * BANNER_MS + 60_000,
  }, async () => {
    // wrangler.toml copied, not linked: the test edits it, as a user edits MODELS there.
    const dir = projectCopy(undefined, ["wrangler.toml"]);
    const first = await startInCopy(undefined, ["--emulator"], {}, { dir });
    const stamp = join(dir, STAMP);
    const stamped = statSync(stamp).mtimeMs;
    let second: Awaited<ReturnType<typeof startInCopy>> | undefined;
    try {
      second = await startInCopy(undefined, ["--emulator"], {}, { dir });
      // The second found the database the first migrated, and did not migrate it again.
      expect(statSync(stamp).mtimeMs).toBe(stamped);
      const client = new OpenAI({ baseURL: `${first.url}/v1`, apiKey: DEV_KEY, maxRetries: 0 });
      const hello = () => client.chat.completions.create({ model: "demo-llama", messages: USER_HELLO });
      const before = first.output().length;
      appendFileSync(join(dir, "wrangler.toml"), "\n# an edit, as a user makes one\n");
      await eventually(
        () => /Reloading local server/.test(first.output().slice(before)),
        30_000,
        "the first one's reload",
      );
      await eventually(
        () =>
          hello().then(
            () => true,
            () => false,
          ),
        30_000,
        "the first one serving again",
      );
      expect(await stopped(second.child, "SIGINT")).toBe(0);
      // Through its own emulator: with one env file per checkout it had reloaded with the
      // second's, and answered 502 once that one stopped.
      expect((await hello()).choices[0]!.message.content).toContain("Hello from the Bedrock emulator (llama)");
    } finally {
      if (second) await stopped(second.child, "SIGTERM");
      await stopped(first.child, "SIGTERM");
    }
  });

  it("a configuration with problems: the banner says so, and where to read them, not that no model is listed", {
    timeout: BANNER_MS + 45_000,
  }, async () => {
    const models = {
      pair: {
        deployments: [
          {
            model: `bedrock/llama/${emulatorModelId("llama")}`,
            credentials: { access_key_id: "AWS_ACCESS_KEY_ID_UNSET", secret_access_key: "AWS_SECRET_ACCESS_KEY_UNSET" },
          },
        ],
      },
    };
    const run = await startInCopy(undefined, ["--emulator"], { MODELS: JSON.stringify(models) });
    try {
      const output = run.output();
      expect(output).toContain(`bedrock-edge proxy up on ${run.url}, but its configuration has problems`);
      expect(output).toContain(
        `  problems         curl ${run.url}/health -H "Authorization: Bearer ${DEV_KEY}" lists them\n`,
      );
      expect(output).toContain("  models           (none: see the problems above)\n");
      expect(output).not.toMatch(/ready on|none listed/);
      const health = await fetch(`${run.url}/health`, { headers: { authorization: `Bearer ${DEV_KEY}` } });
      expect(health.status).toBe(503);
      expect(JSON.stringify(await health.json())).toContain("the binding AWS_ACCESS_KEY_ID_UNSET is not set");
    } finally {
      await stopped(run.child, "SIGTERM");
    }
  });
});

/** Open file descriptors of a process and all its descendants; undefined without /proc. */
function openDescriptors(root: number): number | undefined {
  if (!existsSync("/proc/self/fd")) return undefined;
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The parent pid is the second field after the command, which may hold spaces and parentheses.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // The process ended while being read.
    }
  }
  let count = 0;
  const pending = [root];
  for (let pid = pending.pop(); pid !== undefined; pid = pending.pop()) {
    try {
      count += readdirSync(`/proc/${pid}/fd`).length;
    } catch {
      // Ended meanwhile.
    }
    pending.push(...(children.get(pid) ?? []));
  }
  return count;
}

/** `count` streamed chat calls, 16 at a time, each dropped by its client 20 ms after it was sent. */
async function leaveEarly(port: number, count: number): Promise<void> {
  const body = JSON.stringify({ model: "demo-llama", stream: true, messages: USER_HELLO });
  const request =
    `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${DEV_KEY}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  const once = () =>
    new Promise<void>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => socket.write(request));
      socket.on("error", () => {});
      socket.on("close", () => resolve());
      setTimeout(() => socket.destroy(), 20);
    });
  let sent = 0;
  const lane = async () => {
    while (sent < count) {
      sent++;
      await once();
    }
  };
  await Promise.all(Array.from({ length: 16 }, lane));
}

/**
 * Runs `npm start` (emulator mode) until it exits by itself, which a refused start does once tsx
 * has loaded scripts/start.ts: 3 s here at a load of 2, 60 s at a load of 28 on 2 cores, so it is
 * killed only after BANNER_MS, as a start that hangs would be. What proves the refusal came
 * before anything started is its output (no wrangler), not its time.
 */
function startUntilExit(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, START, { cwd: ROOT, env: cleanEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (data: Buffer) => (output += data.toString()));
  child.stderr.on("data", (data: Buffer) => (output += data.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), BANNER_MS);
  return new Promise((resolve) =>
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}

describe("npm start, a port in use", () => {
  let busy: Server;
  let busyPort: number;
  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    busyPort = (busy.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

  it.each(["PORT", "EMULATOR_PORT"] as const)(
    "%s: refused before anything starts, saying how to move it",
    {
      timeout: BANNER_MS + 15_000,
    },
    async (name) => {
      const other = name === "PORT" ? "EMULATOR_PORT" : "PORT";
      const otherPort = await freePort();
      const { code, output } = await startUntilExit({ [name]: String(busyPort), [other]: String(otherPort) });
      expect(code).toBe(1);
      expect(output).toContain(
        `127.0.0.1:${busyPort}, the port for ${name === "PORT" ? "the proxy" : "the Bedrock emulator"}, is in use`,
      );
      // The other port, set and free, is kept in the command: without it, following it would move it.
      const moves = name === "PORT" ? `PORT=\\d+ EMULATOR_PORT=${otherPort}` : `PORT=${otherPort} EMULATOR_PORT=\\d+`;
      expect(output).toMatch(new RegExp(`Choose another: ${moves} npm start -- --emulator\n`));
      expect(output).not.toContain("--port");
      expect(output).not.toContain("wrangler");
    },
  );

  it("both in use: one message names both and the one command that moves them", {
    timeout: BANNER_MS + 15_000,
  }, async () => {
    const second = createServer();
    await new Promise<void>((resolve) => second.listen(0, "127.0.0.1", resolve));
    try {
      const secondPort = (second.address() as AddressInfo).port;
      const { code, output } = await startUntilExit({ PORT: String(busyPort), EMULATOR_PORT: String(secondPort) });
      expect(code).toBe(1);
      expect(output).toContain(
        `127.0.0.1:${busyPort}, the port for the proxy, and 127.0.0.1:${secondPort}, the port for the Bedrock emulator, are in use`,
      );
      expect(output).toMatch(/Choose others: PORT=\d+ EMULATOR_PORT=\d+ npm start -- --emulator\n/);
      expect(output).not.toContain("wrangler");
    } finally {
      await new Promise<void>((resolve) => second.close(() => resolve()));
    }
  });
});
