// The floor again, with every piece of the answer passed through JavaScript: read from the
// upstream body, enqueued into a stream of the Worker's own. Any proxy that looks at what it
// forwards (decodes frames, writes SSE) pays at least this per piece; the bare floor pays none,
// as workerd pipes a body it is handed untouched without entering JavaScript.
import { forward } from "./forward.ts";

interface FloorEnv {
  UPSTREAM: string;
}

export default {
  async fetch(request: Request, env: FloorEnv): Promise<Response> {
    const answer = await forward(request, env.UPSTREAM);
    const reader = answer.body?.getReader();
    const body = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          const read = await reader?.read();
          if (!read || read.done) controller.close();
          else controller.enqueue(read.value);
        },
        cancel: (reason) => reader?.cancel(reason),
      },
      { highWaterMark: 0 },
    );
    return new Response(body, { status: answer.status, headers: answer.headers });
  },
};
