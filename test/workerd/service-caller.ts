// A Worker in front of the proxy, calling it through a service binding (a gateway Worker), that
// gives up on its call after `?ms=`: workerd aborts the proxy's request.signal then, as Cloudflare's
// edge does when a client disconnects. It answers what became of the call.
interface Env {
  PROXY: { fetch: typeof fetch };
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const leaving = new AbortController();
    const timer = setTimeout(() => leaving.abort(), Number(url.searchParams.get("ms") ?? "500"));
    try {
      const response = await env.PROXY.fetch(`https://proxy${url.pathname}`, {
        method: "POST",
        headers: request.headers,
        body: await request.text(),
        signal: leaving.signal,
      });
      return new Response(`answered ${response.status}: ${await response.text()}`);
    } catch (error) {
      return new Response(`left: ${error instanceof Error ? error.name : String(error)}`);
    } finally {
      clearTimeout(timer);
    }
  },
};
