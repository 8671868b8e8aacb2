// What every pass-through Worker of the benchmark does first: the request sent on to the
// upstream as it came (path, query, method, headers, body streamed), signed already for it.

/** `request` sent to `upstream` (an origin) with its own path and query. */
export function forward(request: Request, upstream: string): Promise<Response> {
  const url = new URL(request.url);
  return fetch(`${upstream}${url.pathname}${url.search}`, {
    method: request.method,
    headers: request.headers,
    body: request.body,
  });
}
