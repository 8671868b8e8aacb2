// The request Deno.serve and Bun.serve hand over, made safe to route on. Both build request.url
// from the client's Host header without checking it: Deno pastes it in (`Host: x/v1/usage?` with
// `GET /health` gives http://x/v1/usage?/health, so the app routes and logs /v1/usage), and Bun
// gives a relative URL (/health) when Host is missing or not an authority, of which hono's router
// drops the first segment. Node's @hono/node-server checks the Host itself: the proxy then sees
// what Node's does, whatever the runtime (http50 #2, #3).

/**
 * RFC 3986's authority without userinfo: an IP literal in brackets or a reg-name, then an optional
 * port. Percent-encoding is left out, as Node's server refuses it too. Empty is allowed: RFC 9112
 * §3.2 has a client send an empty Host when the target has no authority.
 */
const AUTHORITY = /^(?:\[[0-9A-Za-z:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=]*)(?::[0-9]*)?$/;

/** Whether a Host header's value is host[:port], one that the URL parser takes too (port, IP). */
function isValidHost(host: string): boolean {
  if (!AUTHORITY.test(host)) return false;
  if (host === "") return true;
  try {
    new URL(`http://${host}/`);
    return true;
  } catch {
    return false;
  }
}

/** Where a request without a Host is taken to come from (Node's server takes its own hostname). */
const NO_HOST_ORIGIN = "http://localhost";

/**
 * The request for app.fetch, its URL's path the request line's; or the 400 refusing a Host that is
 * not host[:port] (RFC 9112 §3.2 asks for a 400 there; two Host lines, which Bun joins with a
 * comma, are refused with it). No Host, or an empty one, is served as Node serves it.
 */
export function servedRequest(request: Request): Request | Response {
  const host = request.headers.get("host");
  if (host !== null && !isValidHost(host)) return invalidHost();
  // Bun, without a Host: the request target alone.
  // Joined as text, not resolved: `//evil.example/health` resolved would be that host's /health.
  if (request.url.startsWith("/")) return new Request(`${NO_HOST_ORIGIN}${request.url}`, request);
  return request;
}

// Never quotes the Host: it is the client's, and may be anything.
function invalidHost(): Response {
  return Response.json(
    {
      error: {
        message:
          "The request's Host header is not a valid host[:port] (a name or an address, an IPv6 address in brackets; no path, user or spaces).",
        type: "invalid_request_error",
        param: null,
        code: "invalid_host",
      },
    },
    { status: 400, headers: { connection: "close" } },
  );
}
