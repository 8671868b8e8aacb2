// The proxy: a thin hono adapter over the library. HTTP in, createBedrock() calls, OpenAI
// JSON or SSE out. Everything about Bedrock lives in src/.
// hono/tiny: the small router is plenty for five routes, and 2 KiB lighter.
import { Hono } from "hono/tiny";
import type { Context } from "hono";
import { modelNotFound, type BedrockEdgeError } from "../src/errors.ts";
import { authorise } from "./auth.ts";
import { handleChat } from "./chat.ts";
import type { ProxyEnv } from "./config.ts";
import { errorResponse, jsonResponse, refusal } from "./http.ts";
import { consoleSink, startRequestLog, type LogLine, type RequestLog } from "./log.ts";
import { isMisconfigured, stateCache, type Ready, type State } from "./state.ts";

export type { LogLine } from "./log.ts";

export interface AppOptions {
  /** Bindings as an object (Deno, Bun, Node). Without it, the Worker's env is read. */
  env?: ProxyEnv;
  /** Where log lines go (default: console.log as JSON, one line per request). */
  log?: (line: LogLine) => void;
  /** Interval of SSE comments while a cold model wakes up (default: SSE_KEEPALIVE_MS, else 5 s). */
  keepAliveMs?: number;
  /** Upstream fetch, e.g. to reach an in-process emulator. */
  fetch?: typeof fetch;
  /** Backoff base for retries (default: BEDROCK_RETRY_BASE_DELAY_MS, else 500 ms). */
  retryBaseDelayMs?: number;
}

interface AppEnv {
  Bindings: ProxyEnv;
  Variables: { state: State; log: RequestLog; logsItself: boolean };
}

type AppContext = Context<AppEnv>;

export function createApp(options: AppOptions = {}): Hono<AppEnv> {
  const sink = options.log ?? consoleSink;
  const stateFor = stateCache(options.env, options);
  const app = new Hono<AppEnv>();

  // Outermost: the state, and the log line of every request (chat writes its own, later).
  app.use("*", async (c, next) => {
    const state = stateFor(c.env);
    c.set("state", state);
    const log = startRequestLog(c.req.raw, sink, () => state.secrets);
    c.set("log", log);
    await next();
    if (!c.get("logsItself")) log.write(c.res.status, c.error ? { error: c.error } : {});
  });

  // CORS is off unless CORS_ORIGINS names origins; preflights are answered before auth.
  app.use("*", (c, next) => {
    const state = c.get("state");
    return isMisconfigured(state) || !state.cors ? next() : state.cors(c, next);
  });

  app.get("/health", health);
  app.get("/v1/models", (c) => withReady(c, listModels));
  app.get("/models", (c) => withReady(c, listModels));
  // Names may hold "/" (e.g. "team/r1"), so the rest of the path is the name.
  app.get("/v1/models/*", (c) => withReady(c, (context, ready) => getModel(context, ready, "/v1/models/")));
  app.get("/models/*", (c) => withReady(c, (context, ready) => getModel(context, ready, "/models/")));
  app.post("/v1/chat/completions", (c) => withReady(c, chat));
  app.post("/chat/completions", (c) => withReady(c, chat));

  app.notFound((c) => refuse(c, refusal(404, `No route for ${c.req.method} ${c.req.path}.`, "unknown_url")));
  // Anything thrown this far is a bug: a 500 that tells nothing internal (asProxyError's rule).
  app.onError((error) => errorResponse(error));
  return app;
}

/** 503 with every configuration problem (binding names, never values) until it is fixed. */
async function health(c: AppContext): Promise<Response> {
  const state = c.get("state");
  if (isMisconfigured(state)) return unhealthy(c, state.problems);
  const problems = await readyProblems(state);
  return problems.length
    ? unhealthy(c, problems)
    : jsonResponse({ status: "ok", models: Object.keys(state.config.models).length });
}

/** What a configuration that parsed can still get wrong: no client keys, a chat_template that does not compile. */
async function readyProblems(ready: Ready): Promise<string[]> {
  const keys = ready.config.apiKeys.length === 0 ? ["PROXY_API_KEYS is not set: every call is refused"] : [];
  return [...keys, ...(await ready.modelProblems)];
}

function unhealthy(c: AppContext, problems: string[]): Response {
  // The log line says why too: it is what an operator watching `wrangler tail` sees.
  c.get("log").write(503, { error: misconfigured(problems) });
  return jsonResponse({ status: "misconfigured", problems }, 503);
}

function misconfigured(problems: readonly string[]): BedrockEdgeError {
  return refusal(
    500,
    `The proxy's configuration is invalid: ${problems.join("; ")}. Fix the Worker's vars and secrets (GET /health lists the problems).`,
    "proxy_misconfigured",
  );
}

async function withReady(
  c: AppContext,
  handler: (c: AppContext, ready: Ready) => Promise<Response>,
): Promise<Response> {
  const state = c.get("state");
  return isMisconfigured(state) ? refuse(c, misconfigured(state.problems)) : handler(c, state);
}

// Public names only: the ARNs behind them stay private.
function modelObject(id: string, ready: Ready) {
  return { id, object: "model", created: ready.created, owned_by: "bedrock-edge" };
}

async function listModels(c: AppContext, ready: Ready): Promise<Response> {
  const denied = await authorise(c.req.raw.headers, ready.config.apiKeys.length, ready.checkKey);
  if (denied) return refuse(c, denied);
  return jsonResponse({ object: "list", data: ready.bedrock.listModels().map((id) => modelObject(id, ready)) });
}

/** GET /v1/models/{name}: what the openai SDK's models.retrieve() asks. */
async function getModel(c: AppContext, ready: Ready, prefix: string): Promise<Response> {
  const denied = await authorise(c.req.raw.headers, ready.config.apiKeys.length, ready.checkKey);
  if (denied) return refuse(c, denied);
  let name: string;
  try {
    name = decodeURIComponent(c.req.path.slice(prefix.length));
  } catch {
    name = c.req.path.slice(prefix.length);
  }
  if (!ready.bedrock.listModels().includes(name)) return refuse(c, modelNotFound(name));
  return jsonResponse(modelObject(name, ready));
}

function chat(c: AppContext, ready: Ready): Promise<Response> {
  // A stream outlives this handler: the chat code writes the log line when it really ends.
  c.set("logsItself", true);
  return handleChat(c.req.raw, ready, c.get("log"));
}

/** An error answer whose reason also goes into the request's log line. */
function refuse(c: AppContext, error: BedrockEdgeError): Response {
  c.get("log").write(error.status, { error });
  return errorResponse(error);
}
