// The proxy as a library (`bedrock-edge/worker`): createApp() for Deno, Bun, Node, or a Worker
// of your own.
export { createApp } from "./app.ts";
// For a Deno or Bun server of your own: the request made safe to route on, whatever its Host.
export { servedRequest } from "./served-request.ts";
export type { AppOptions, LogLine, ProxyApp } from "./app.ts";
// The app's Hono environment: its bindings, and the variables its middleware sets (what
// `c.get(name)` gives a route added to the app).
export type { AppEnv, JsonRequest } from "./context.ts";
export type { Failover, RequestLog } from "./log.ts";
export type { ProxyState, Ready } from "./state.ts";
export { parseConfig } from "./config.ts";
export type {
  CloudflareBindings,
  ConfigResult,
  ProxyBindings,
  ProxyConfig,
  ProxyDeploymentConfig,
  ProxyEnv,
  ProxyModelEntry,
  ProxyRoutedModelConfig,
} from "./config.ts";
// An object-form API_KEYS entry; what a ProxyConfig holds: its client keys, and the bindings and
// exporter it found.
export type { ApiKeyEntry, ClientKey } from "./keys.ts";
export type { D1Database, D1Statement, DurableObjectNamespace, RateLimiter } from "./cloudflare.ts";
export type { TraceExport } from "./traces.ts";
