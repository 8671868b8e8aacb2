import { PatternRouter } from "hono/router/pattern-router";
import { describe, expect, it } from "vitest";
import { createApp } from "./app.ts";
import { rememberedRoutes } from "./remembered-routes.ts";

/** A PatternRouter that counts the matches it is asked for. */
function countingRouter() {
  const inner = new PatternRouter<string>();
  const counted = { matches: 0 };
  const match = inner.match.bind(inner);
  inner.match = (method, path) => {
    counted.matches++;
    return match(method, path);
  };
  return { inner, counted };
}

describe("routes remembered by method and path", () => {
  it("match a path seen before without testing the patterns again, and match as the router does", () => {
    const { inner, counted } = countingRouter();
    const router = rememberedRoutes(inner);
    router.add("ALL", "*", "every");
    router.add("POST", "/v1/chat/completions", "chat");
    router.add("GET", "/v1/models/*", "model");
    const plain = new PatternRouter<string>();
    plain.add("ALL", "*", "every");
    plain.add("POST", "/v1/chat/completions", "chat");
    plain.add("GET", "/v1/models/*", "model");
    for (const [method, path] of [
      ["POST", "/v1/chat/completions"],
      ["POST", "/v1/chat/completions/"],
      ["GET", "/v1/chat/completions"],
      ["GET", "/v1/models/llama"],
      ["POST", "/v1/models/llama"],
    ] as const) {
      const first = router.match(method, path);
      expect(first).toEqual(plain.match(method, path));
      expect(router.match(method, path)).toBe(first);
    }
    expect(counted.matches).toBe(5);
  });

  it("forget every match when a route is added", () => {
    const { inner, counted } = countingRouter();
    const router = rememberedRoutes(inner);
    router.add("POST", "/a", "a");
    expect(router.match("POST", "/b")[0]).toEqual([]);
    router.add("POST", "/b", "b");
    expect(router.match("POST", "/b")[0].map(([handler]) => handler)).toEqual(["b"]);
    expect(counted.matches).toBe(2);
  });

  it("keep only short paths, and a bounded number of them: made-up paths cannot grow it for ever", () => {
    const { inner, counted } = countingRouter();
    const router = rememberedRoutes(inner);
    router.add("ALL", "*", "every");
    const long = `/${"x".repeat(200)}`;
    router.match("GET", long);
    router.match("GET", long);
    expect(counted.matches).toBe(2);
    // An extension method is a token of any length where the runtime passes it through.
    const method = "M".repeat(100_000);
    router.match(method, "/a");
    router.match(method, "/a");
    expect(counted.matches).toBe(4);
    counted.matches = 0;
    // 256 are kept; the 257th drops them all, and is kept alone.
    for (let i = 0; i <= 256; i++) router.match("GET", `/made-up/${i}`);
    router.match("GET", "/made-up/256");
    expect(counted.matches).toBe(257);
    router.match("GET", "/made-up/0");
    expect(counted.matches).toBe(258);
  });

  it("serve the proxy's app: a path's second request is answered as its first", async () => {
    const app = createApp({ env: {}, log: () => undefined });
    const health = (await app.request("/health")).status;
    for (let i = 0; i < 2; i++) {
      expect((await app.request("/health")).status).toBe(health);
      expect((await app.request("/nowhere")).status).toBe(404);
      const wrongMethod = await app.request("/v1/chat/completions");
      expect(wrongMethod.status).toBe(405);
      expect(wrongMethod.headers.get("allow")).toBe("POST");
    }
  });
});
