// A working configuration: while it has problems, keys that may see the whole configuration
// are told what they are; a key kept from some models is told only that there are some.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context.ts";
import { errorResponse, misconfigured, misconfiguredUnlisted } from "../http.ts";
import { seesWholeConfiguration } from "../keys.ts";

export const requireReady: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { ready, configProblems } = c.get("state");
  if (!ready) {
    const whole = misconfigured(configProblems);
    if (seesWholeConfiguration(c.get("key"))) throw whole;
    // The log line still lists them: the log is the operator's.
    c.get("log").record({ error: whole });
    return errorResponse(misconfiguredUnlisted(configProblems.length));
  }
  c.set("ready", ready);
  await next();
};
