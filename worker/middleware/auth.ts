// A valid proxy API key, before anything else about the request is looked at: nothing about
// the configuration, the models or the body is told to a caller without one.
import type { MiddlewareHandler } from "hono";
import { authorise } from "../auth.ts";
import type { AppEnv } from "../context.ts";

export const requireKey: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { keys } = c.get("state");
  const denied = await authorise(c.req.raw.headers, keys.count, keys.check);
  if (denied) throw denied;
  await next();
};
