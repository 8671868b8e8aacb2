// Every request a valid key makes to a model endpoint writes one usage record, after its answer
// (waitUntil: no added latency), when a D1 database is bound as USAGE_DB. Requests without a
// valid key write none: they would let anyone fill the table.
import type { MiddlewareHandler } from "hono";
import { deploymentsOf } from "../../src/core.ts";
import { afterResponse } from "../after-response.ts";
import type { AppEnv } from "../context.ts";
import { writeUsage } from "../usage.ts";

export const recordUsage: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { config } = c.get("ready");
  const db = config.usageDb;
  if (db) {
    const { line } = c.get("log");
    afterResponse(c, "the usage record", () => {
      const entry =
        line.model !== undefined && Object.hasOwn(config.models, line.model) ? config.models[line.model] : undefined;
      return writeUsage(db, line, entry && deploymentsOf(entry, line.model ?? "").route);
    });
  }
  await next();
};
