// A working configuration: while it has problems, a key that operates the proxy is told what
// they are; any other key, how many, and those about itself or the models it may call.
import type { MiddlewareHandler } from "hono";
import type { AppContext, AppEnv } from "../context.ts";
import { errorResponse, misconfigured, misconfiguredUnlisted } from "../http.ts";
import { type ClientKey, problemsFor } from "../keys.ts";

export const requireReady: MiddlewareHandler<AppEnv> = (c, next) => {
  const { ready, configProblems } = c.get("state");
  if (!ready) return Promise.resolve(refuseMisconfigured(c, c.get("key"), configProblems));
  c.set("ready", ready);
  return next();
};

/** The 500 proxy_misconfigured, telling the key what it may read of the problems. */
export function refuseMisconfigured(c: AppContext, key: ClientKey, problems: readonly string[]): Response {
  const whole = misconfigured(problems);
  const shown = problemsFor(key, problems);
  if (shown.length === problems.length) throw whole;
  // The log line still lists them: the log is the operator's.
  c.get("log").record({ error: whole });
  return errorResponse(misconfiguredUnlisted(problems.length, shown));
}
