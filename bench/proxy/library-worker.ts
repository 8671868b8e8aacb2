// A rung below our proxy: createBedrock() in a Worker of its own, with the proxy's models,
// credentials, region and endpoint (its other settings are defaults in the benchmark too),
// answering chat requests with nothing of the proxy around it: no key check, log
// line, delivery watch, CORS, limits, usage or trace. Against decode-worker.ts, it is what the
// library's request path adds to decoding (validation, the template, SigV4, mapping frames to
// chunks); against the proxy, what the Worker's own parts add to the library.
import { createBedrock, type Bedrock, type ChatCompletionCreateParams } from "../../src/index.ts";
import { SSE_DONE, sseData } from "../../src/core.ts";

interface LibraryEnv {
  MODELS: string;
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
  AWS_REGION: string;
  BEDROCK_ENDPOINT: string;
}

const encoder = new TextEncoder();
let bedrock: Bedrock | undefined;

function clientOf(env: LibraryEnv): Bedrock {
  bedrock ??= createBedrock({
    models: JSON.parse(env.MODELS) as Record<string, string>,
    onlyListedModels: true,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
    region: env.AWS_REGION,
    endpoint: env.BEDROCK_ENDPOINT,
  });
  return bedrock;
}

export default {
  async fetch(request: Request, env: LibraryEnv): Promise<Response> {
    const chat = clientOf(env).chat.completions;
    const body = (await request.json()) as ChatCompletionCreateParams;
    if (body.stream !== true) return Response.json(await chat.create({ ...body, stream: false }));
    const stream = await chat.create({ ...body, stream: true });
    const chunks = stream[Symbol.asyncIterator]();
    // One write per read of Bedrock's stream, as the proxy's relay writes.
    const sse = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          const next = await chunks.next();
          if (next.done) {
            controller.enqueue(encoder.encode(SSE_DONE));
            controller.close();
            return;
          }
          let events = sseData(next.value);
          for (const chunk of stream.takeBuffered?.() ?? []) events += sseData(chunk);
          controller.enqueue(encoder.encode(events));
        },
        cancel: () => stream.abort?.(),
      },
      { highWaterMark: 0 },
    );
    return new Response(sse, { headers: { "content-type": "text/event-stream" } });
  },
};
