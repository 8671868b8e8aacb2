// The floor of any proxy: a Worker that forwards the request to its upstream with fetch and
// pipes the answer's body back, nothing else. Requests reach it already signed for the upstream
// (the host is the upstream's, set by fetch), so it adds only what any proxy must: one more HTTP
// hop through workerd, in and out.
interface FloorEnv {
  UPSTREAM: string;
}

export default {
  async fetch(request: Request, env: FloorEnv): Promise<Response> {
    const url = new URL(request.url);
    const answer = await fetch(`${env.UPSTREAM}${url.pathname}${url.search}`, {
      method: request.method,
      headers: request.headers,
      body: request.body,
    });
    return new Response(answer.body, { status: answer.status, headers: answer.headers });
  },
};
