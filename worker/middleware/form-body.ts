// The multipart body of a POST (image edits): read within the key's limits (worker/form-body.ts),
// then its model checked as a JSON body's is (json-body.ts).
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context.ts";
import { readFormBody } from "../form-body.ts";
import { admitBody } from "./json-body.ts";

export const formBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { bodyLimits } = c.get("ready");
  admitBody(c, await readFormBody(c.req.raw, bodyLimits(c.get("key").models)));
  await next();
};
