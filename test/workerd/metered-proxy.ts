// A proxy in workerd set up as the endpoints' metering tests need it.
import type { D1Database } from "../../worker/cloudflare.ts";
import { startWorkerdProxy, TEST_KEYS, type WorkerdProxy } from "./harness.ts";
import { applyMigrations } from "./migrations.ts";

/**
 * A proxy in workerd serving `models` to `keys` (and TEST_KEYS), with the usage database (its
 * schema applied), the keys' limits in their Durable Object, and CORS for https://app.example: what
 * an endpoint's metering tests need.
 */
export async function startMeteredProxy(
  models: Record<string, string>,
  keys: Record<string, unknown>,
): Promise<{ proxy: WorkerdProxy; db: D1Database }> {
  const proxy = await startWorkerdProxy(
    {
      main: {
        MODELS: JSON.stringify(models),
        API_KEYS: JSON.stringify(keys),
        PROXY_API_KEYS: TEST_KEYS.join(","),
        AWS_REGION: "us-east-1",
        CORS_ORIGINS: "https://app.example",
      },
    },
    {
      main: {
        d1Databases: { USAGE_DB: "usage" },
        durableObjects: { KEY_LIMITS: { className: "KeyLimits", useSQLite: true } },
      },
    },
  );
  const db = (await proxy.miniflare.getD1Database("USAGE_DB", "main")) as unknown as D1Database;
  await applyMigrations(db);
  return { proxy, db };
}
