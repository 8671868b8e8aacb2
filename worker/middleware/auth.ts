// A valid proxy API key, before anything else about the request is looked at: nothing about
// the configuration, the models or the body is told to a caller without one.
import type { MiddlewareHandler } from "hono";
import { BedrockEdgeError } from "../../src/index.ts";
import { authorise } from "../auth.ts";
import type { AppEnv } from "../context.ts";
import { refusal } from "../http.ts";
import { refuseMisconfigured } from "./ready.ts";

export const requireKey: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { keys } = c.get("state");
  const key = await authorise(c.req.raw.headers, keys.count, keys.find);
  if (key instanceof BedrockEdgeError) throw key;
  // The key's name, never the key: which client the line is about.
  c.get("log").line.key = key.name;
  // Right key, broken entry: the configuration is wrong, not the key, and the key serves nothing.
  if (key.brokenEntry) return refuseMisconfigured(c, key, c.get("state").configProblems);
  c.set("key", key);
  await next();
};

/** Keys with `"admin": true` in API_KEYS only (GET /v1/usage). */
export const requireAdmin: MiddlewareHandler<AppEnv> = (c, next) => {
  if (!c.get("key").admin) {
    throw refusal(403, 'This endpoint needs a key with "admin": true in API_KEYS.', "admin_key_required");
  }
  return next();
};
