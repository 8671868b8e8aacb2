// A rung above the JavaScript floor: the pass-through Worker that also reads what it forwards the
// way our proxy does, and nothing more. A stream's frames go through our event-stream decoder
// (prelude and message CRCs, headers, the chunk's base64 JSON) and out as one SSE event each,
// written once per read; a plain answer is parsed and written again. Against floor-js-worker.ts,
// it is the cost of decoding Bedrock's frames; against library-worker.ts, what the library's
// request path adds to it.
import { createMessageSplitter, readBedrockEvent, SSE_DONE, sseData } from "../../src/core.ts";
import { forward } from "./forward.ts";

interface DecodeEnv {
  UPSTREAM: string;
}

const encoder = new TextEncoder();

export default {
  async fetch(request: Request, env: DecodeEnv): Promise<Response> {
    const answer = await forward(request, env.UPSTREAM);
    const type = answer.headers.get("content-type") ?? "";
    if (!answer.body || !type.includes("eventstream")) {
      const json: unknown = JSON.parse(await answer.text());
      return Response.json(json, { status: answer.status });
    }
    const reader = answer.body.getReader();
    const splitter = createMessageSplitter();
    const body = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          for (;;) {
            const read = await reader.read();
            if (read.done) {
              splitter.end();
              controller.enqueue(encoder.encode(SSE_DONE));
              controller.close();
              return;
            }
            let events = "";
            for (const message of splitter.push(read.value)) {
              const event = readBedrockEvent(message);
              if (event) events += sseData(event.json);
            }
            if (events) {
              controller.enqueue(encoder.encode(events));
              return;
            }
          }
        },
        cancel: (reason) => reader.cancel(reason),
      },
      { highWaterMark: 0 },
    );
    return new Response(body, { headers: { "content-type": "text/event-stream" } });
  },
};
