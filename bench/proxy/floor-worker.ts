// The floor of any proxy: a Worker that forwards the request to its upstream with fetch and
// pipes the answer's body back, nothing else. Requests reach it already signed for the upstream
// (the host is the upstream's, set by fetch), so it adds only what any proxy must: one more HTTP
// hop through workerd, in and out.
import { forward } from "./forward.ts";

interface FloorEnv {
  UPSTREAM: string;
}

export default {
  async fetch(request: Request, env: FloorEnv): Promise<Response> {
    const answer = await forward(request, env.UPSTREAM);
    return new Response(answer.body, { status: answer.status, headers: answer.headers });
  },
};
