// A working configuration: while it has problems, authenticated callers are told what they are.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context.ts";
import { misconfigured } from "../http.ts";

export const requireReady: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { ready, configProblems } = c.get("state");
  if (!ready) throw misconfigured(configProblems);
  c.set("ready", ready);
  await next();
};
