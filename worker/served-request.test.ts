import { describe, expect, it } from "vitest";
import { servedRequest } from "./served-request.ts";

// Deno pastes the Host header into request.url and Bun gives a relative one without it: what the
// app routes on must be the request line's path (http50 #2, #3; the servers: test/runtimes/proxy/).
describe("servedRequest", () => {
  it("passes a request whose Host is host[:port], or that has none, unchanged", () => {
    for (const host of ["127.0.0.1:8787", "x:80", "X", "[::1]:8787", "api.example.com", ""]) {
      const request = new Request("http://127.0.0.1:8787/health", { headers: { host } });
      expect(servedRequest(request)).toBe(request);
    }
    const request = new Request("http://127.0.0.1:8787/health");
    expect(servedRequest(request)).toBe(request);
  });

  it("refuses a Host that is not host[:port] with a JSON 400 that does not quote it", async () => {
    for (const host of ["x/v1/usage?", "x/health#", "user@evil", "a b", "%zz", "x:99999", "[::1", "a, b"]) {
      const answer = servedRequest(new Request("http://127.0.0.1:8787/health", { headers: { host } }));
      expect(answer).toBeInstanceOf(Response);
      const response = answer as Response;
      expect(response.status).toBe(400);
      const text = await response.text();
      expect(JSON.parse(text).error).toMatchObject({ type: "invalid_request_error", code: "invalid_host" });
      expect(text).not.toContain(host);
    }
  });

  it("gives a relative URL (Bun's, without a Host) an origin, keeping path, query, method and body", async () => {
    const relative = { url: "/v1/chat/completions?x=1" } as const;
    // A Request cannot be built with a relative URL here: one that reports it, as Bun's does.
    const bunLike = new Proxy(new Request("http://placeholder/", { method: "POST", body: "{}" }), {
      get: (target, name) => (name === "url" ? relative.url : Reflect.get(target, name, target)),
    });
    const served = servedRequest(bunLike);
    expect(served).toBeInstanceOf(Request);
    expect((served as Request).url).toBe("http://localhost/v1/chat/completions?x=1");
    expect((served as Request).method).toBe("POST");
    expect(await (served as Request).text()).toBe("{}");
  });

  it("keeps a relative URL's path that begins with // (no network-path reference to another host)", () => {
    const bunLike = new Proxy(new Request("http://placeholder/"), {
      get: (target, name) => (name === "url" ? "//evil.example/health" : Reflect.get(target, name, target)),
    });
    const served = servedRequest(bunLike) as Request;
    expect(served.url).toBe("http://localhost//evil.example/health");
    expect(new URL(served.url).pathname).toBe("//evil.example/health");
  });
});
