// A KEY_LIMITS call that fails, in workerd with the real KeyLimits object (leases45 #1): an
// admission whose answer is lost after the object stored its lease, and a settlement that fails
// once (before the object ran it, or after: its answer lost). Each lets the stream through, and
// leaves neither its place nor its reservation held (before, for 15 minutes: the next stream was
// refused), and counts its tokens once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DurableObjectNamespace } from "../../worker/cloudflare.ts";
import { eventually, modelString, startWorkerdProxy, TEST_MODELS, USER_HELLO, type WorkerdProxy } from "./harness.ts";
import { bundleWorkerScript } from "./worker-bundle.ts";

const KEYS = { one: { key: "sk-failing-limits-0001", tokens_per_day: 1_000_000, concurrent_streams: 1 } };
const MODELS = { ...TEST_MODELS, "slow-stream": modelString("llama", "slow250", "long2400") };
const VARIANTS = {
  "lost-admit": "LostAdmitAnswer",
  "lost-settle": "LostSettleAnswer",
  "overloaded-settle": "OverloadedSettle",
} as const;
type Variant = keyof typeof VARIANTS;

let proxy: WorkerdProxy;

beforeAll(async () => {
  const env = { API_KEYS: JSON.stringify(KEYS), MODELS: JSON.stringify(MODELS) };
  const objects = (className: string) => ({
    durableObjects: { KEY_LIMITS: { className, scriptName: "failing-key-limits", useSQLite: true } },
  });
  proxy = await startWorkerdProxy(
    Object.fromEntries(Object.keys(VARIANTS).map((variant) => [variant, env])),
    Object.fromEntries(Object.entries(VARIANTS).map(([variant, className]) => [variant, objects(className)])),
    [{ name: "failing-key-limits", script: await bundleWorkerScript("test/workerd/failing-key-limits.ts") }],
  );
});
afterAll(() => proxy?.close());

interface Limits {
  tokens: number;
  streams: number;
  reserved: number;
  requests: number;
}

async function read(variant: Variant): Promise<Limits> {
  const namespace = (await proxy.miniflare.getDurableObjectNamespace(
    "KEY_LIMITS",
    variant,
  )) as unknown as DurableObjectNamespace;
  const answer = await namespace
    .get(namespace.idFromName("one"))
    .fetch("https://durable-object/read", { method: "POST", body: "{}" });
  return (await answer.json()) as Limits;
}

const stream = (variant: Variant) =>
  fetch(`${proxy.url(variant)}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${KEYS.one.key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "llama", messages: USER_HELLO, stream: true }),
  });

describe("a KEY_LIMITS call that fails once (leases45 #1)", () => {
  for (const variant of Object.keys(VARIANTS) as Variant[]) {
    it(`${variant}: the stream is served, its place and reservation are returned, its tokens counted once`, async () => {
      const response = await stream(variant);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain("[DONE]");
      const id = response.headers.get("x-request-id");
      const line = await eventually(() => proxy.logs.find((logged) => logged.request_id === id), 3000, "its line");
      if (variant === "lost-admit") {
        expect(line.limits_unchecked).toBe(
          "tokens_per_day, concurrent_streams: admit answered 500: Network connection lost.",
        );
      }
      const used = line.prompt_tokens! + line.completion_tokens!;
      expect(used).toBeGreaterThan(0);
      // Settled within the retries' waits (250 ms, 1 s).
      const settled = await eventually(
        async () => {
          const limits = await read(variant);
          return limits.streams === 0 && limits.tokens > 0 && limits;
        },
        5000,
        "the settlement",
      );
      expect(settled).toMatchObject({ tokens: used, streams: 0, reserved: 0, requests: 0 });
      // No settlement counted twice, and nothing logged as failed.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(await read(variant)).toMatchObject({ tokens: used, streams: 0, reserved: 0, requests: 0 });
      expect(proxy.output.filter((text) => text.includes("settling the key's limits"))).toEqual([]);
      // The key's next stream is served, not refused for one that is not open.
      const next = await stream(variant);
      expect(next.status).toBe(200);
      await next.text();
    });
  }
});
