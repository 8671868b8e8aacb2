// The proxy: a thin hono adapter over the library. HTTP in, createBedrock() calls, OpenAI
// JSON or SSE out. Everything about Bedrock lives in src/.
//
// Every request: its state (once per environment), then its id and log line, then CORS. Each
// endpoint then adds what it needs: a proxy key, a working configuration, a JSON body. Errors
// are thrown, as BedrockEdgeErrors, and answered in one place (onError). A middleware that waits
// for nothing but next() returns next() instead of being async: hono awaits it all the same (and
// catches what it throws), and every request is spared a promise and a suspension per layer.
// hono/tiny: the small router is plenty for a handful of routes, and 2 KiB lighter.
import { Hono } from "hono/tiny";
import type { MiddlewareHandler } from "hono";
import type { SigningCrypto } from "../src/index.ts";
import type { ProxyBindings } from "./config.ts";
import type { AppContext, AppEnv } from "./context.ts";
import { chatCompletions } from "./endpoints/chat.ts";
import { completions } from "./endpoints/completions.ts";
import { embeddings } from "./endpoints/embeddings.ts";
import { health } from "./endpoints/health.ts";
import { imageEdits, imageGenerations, imageVariations } from "./endpoints/images.ts";
import { getModel, listModels } from "./endpoints/models.ts";
import { responses } from "./endpoints/responses.ts";
import { usage } from "./endpoints/usage.ts";
import { errorResponse, methodNotAllowed, quotedWhole, refusal } from "./http.ts";
import { consoleSink, type LogLine } from "./log.ts";
import { requireAdmin, requireKey } from "./middleware/auth.ts";
import { editBody, formBody } from "./middleware/form-body.ts";
import { jsonBody } from "./middleware/json-body.ts";
import { enforceLimits } from "./middleware/limits.ts";
import { requireReady } from "./middleware/ready.ts";
import { nameEndpoint, requestLog } from "./middleware/request-log.ts";
import { traceRequest } from "./middleware/trace.ts";
import { recordUsage } from "./middleware/usage.ts";
import { rememberedRoutes } from "./remembered-routes.ts";
import { stateCache } from "./state.ts";
import { unservedMethodReason, unservedReason } from "./unserved-paths.ts";

export type { LogLine } from "./log.ts";

export interface AppOptions {
  /** Bindings as an object (Deno, Bun, Node). Without it, the Worker's env is read. */
  env?: ProxyBindings | undefined;
  /** Where log lines go (default: console.log as JSON, one line per request). */
  log?: ((line: LogLine) => void) | undefined;
  /**
   * Interval of SSE comments while a stream has nothing to send: a cold model waking up, Bedrock
   * silent mid-stream (default: SSE_KEEPALIVE_MS, else 5 s).
   */
  keepAliveMs?: number | undefined;
  /** Upstream fetch: on Node, `nodeFetch` from bedrock-edge/node; or one that reaches an in-process emulator. */
  fetch?: typeof fetch | undefined;
  /** SigV4's hashes: on Node, `nodeSigningCrypto` from bedrock-edge/node (default: WebCrypto). */
  signingCrypto?: SigningCrypto | undefined;
  /** Backoff base for retries (default: BEDROCK_RETRY_BASE_DELAY_MS, else 500 ms). */
  retryBaseDelayMs?: number | undefined;
}

interface Endpoint {
  method: "GET" | "POST";
  paths: readonly string[];
  handler: (c: AppContext) => Response | Promise<Response>;
  /** Answered without a proxy key (health checks); every other endpoint needs one. */
  open?: boolean;
  /** Only for keys with admin: true. */
  admin?: boolean;
  /**
   * A POST's body, when it is not JSON: "multipart" (variations, as OpenAI's clients send them),
   * "edit" (multipart/form-data or JSON, as OpenAI's spec takes an edit).
   */
  body?: "multipart" | "edit";
}

// One line per endpoint. A POST endpoint gets a JSON body (or a multipart one) whose model is a
// configured one, within the key's limits, and leaves a usage record and a trace.
const ENDPOINTS: readonly Endpoint[] = [
  { method: "GET", paths: ["/health"], handler: health, open: true },
  { method: "GET", paths: ["/v1/models", "/models"], handler: listModels },
  { method: "GET", paths: ["/v1/models/*", "/models/*"], handler: getModel },
  { method: "POST", paths: ["/v1/chat/completions", "/chat/completions"], handler: chatCompletions },
  { method: "POST", paths: ["/v1/completions", "/completions"], handler: completions },
  { method: "POST", paths: ["/v1/responses", "/responses"], handler: responses },
  { method: "POST", paths: ["/v1/embeddings", "/embeddings"], handler: embeddings },
  { method: "POST", paths: ["/v1/images/generations", "/images/generations"], handler: imageGenerations },
  { method: "POST", paths: ["/v1/images/edits", "/images/edits"], handler: imageEdits, body: "edit" },
  {
    method: "POST",
    paths: ["/v1/images/variations", "/images/variations"],
    handler: imageVariations,
    body: "multipart",
  },
  { method: "GET", paths: ["/v1/usage", "/usage"], handler: usage, admin: true },
];

/**
 * The proxy as createApp() makes it: a Hono app, its context typed by AppEnv. Named, so a project
 * that emits declarations can export the app (`export default createApp()`).
 */
export type ProxyApp = Hono<AppEnv>;

export function createApp(options: AppOptions = {}): ProxyApp {
  const stateFor = stateCache(options.env, options);
  const app = new Hono<AppEnv>();
  // Before any route is added: the router that finds a path's handlers once (remembered-routes.ts).
  app.router = rememberedRoutes(app.router);

  app.use("*", (c, next) => {
    c.set("state", stateFor(c.env));
    return next();
  });
  app.use("*", requestLog(options.log ?? consoleSink));
  // CORS is off unless CORS_ORIGINS names origins; preflights are answered before auth.
  app.use("*", (c, next) => c.get("state").cors?.(c, next) ?? next());

  // Path by path, as hono adds the routes of a list of paths: the same routes in the same order.
  for (const endpoint of ENDPOINTS) {
    for (const path of endpoint.paths)
      app.on(endpoint.method, [path], ...middlewareFor(endpoint, path), endpoint.handler);
  }
  // Registered after the endpoints: a known path asked with another method.
  for (const [path, methods] of allowedMethods(ENDPOINTS)) {
    app.all(path, (c) => {
      // With CORS on, every path answers OPTIONS (the CORS middleware, before this).
      const allowed = c.get("state").cors ? [...methods, "OPTIONS"] : methods;
      throw methodNotAllowed(c.req.method, c.req.path, allowed, unservedMethodReason(c.req.method, c.req.path));
    });
  }
  app.all("*", (c) => {
    const why = unservedReason(c.req.path);
    const asked = `No route for ${c.req.method} ${quotedWhole(c.req.path, "path")}`;
    throw refusal(404, why ? `${asked}: ${why}.` : `${asked}.`, "unknown_url");
  });
  // The one place errors become answers; anything unexpected is a 500 that tells nothing internal.
  app.onError((error) => errorResponse(error));
  return app;
}

function middlewareFor(endpoint: Endpoint, path: string): MiddlewareHandler<AppEnv>[] {
  if (endpoint.open) return [];
  if (endpoint.admin) return [requireKey, requireReady, requireAdmin];
  return endpoint.method === "POST"
    ? [
        nameEndpoint(path),
        requireKey,
        requireReady,
        recordUsage,
        traceRequest,
        endpoint.body === "edit" ? editBody : endpoint.body === "multipart" ? formBody : jsonBody,
        enforceLimits,
      ]
    : [requireKey, requireReady];
}

/** Each path and the methods it answers (HEAD with GET, as hono serves it). */
function allowedMethods(endpoints: readonly Endpoint[]): Map<string, string[]> {
  const byPath = new Map<string, string[]>();
  for (const { method, paths } of endpoints) {
    for (const path of paths) {
      const methods = byPath.get(path) ?? [];
      methods.push(...(method === "GET" ? ["GET", "HEAD"] : [method]));
      byPath.set(path, methods);
    }
  }
  return byPath;
}
