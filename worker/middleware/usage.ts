// Every request a valid key makes to a model endpoint writes one usage record, after its answer
// (waitUntil: no added latency), when a D1 database is bound as USAGE_DB. Requests without a
// valid key write none: they would let anyone fill the table. A record names a model only when
// the request named a configured one (usage.ts).
import type { MiddlewareHandler } from "hono";
import { deploymentsOf } from "../../src/core.ts";
import { afterResponse } from "../after-response.ts";
import type { AppEnv, JsonRequest } from "../context.ts";
import { explainUsageFailure } from "../usage-table.ts";

export const recordUsage: MiddlewareHandler<AppEnv> = (c, next) => {
  const { config, writeUsage } = c.get("ready");
  if (writeUsage) {
    const { line } = c.get("log");
    afterResponse(c, "the usage record", () => {
      // Set once the body's model is a configured one this key may call: a row names no other.
      const body: JsonRequest | undefined = c.get("body");
      const model = body?.model;
      const served =
        model === undefined ? undefined : { model, route: deploymentsOf(config.models[model], model).route };
      return writeUsage(line, served).catch((error: unknown) => {
        throw explainUsageFailure(error);
      });
    });
  }
  return next();
};
