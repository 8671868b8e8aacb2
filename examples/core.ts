// bedrock-edge/core: the pieces createBedrock() joins, used one by one against the local
// emulator (no AWS account needed):
//   npx tsx examples/core.ts
// docs/LIBRARY-REFERENCE.md#bedrock-edgecore-the-pipeline-piece-by-piece shows this code; a test
// checks that it still does.
import {
  createMessageSplitter,
  createTransport,
  invokeJson,
  invokeStream,
  parseChatRequest,
  parseModelString,
  readBedrockEvent,
  routes,
} from "../src/core.ts";
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { serveEmulator } from "../emulator/node.ts";

// The emulator answers in the qwen3 format for this imported model id.
const ARN = "arn:aws:bedrock:us-east-1:123456789012:imported-model/qwen3";

export async function main(log: (line: string) => void = console.log): Promise<void> {
  const emulator = await serveEmulator({ port: 0 });
  try {
    const endpoint = emulator.url;
    const credentials = EMULATOR_CREDENTIALS;

    // The request, checked as create() checks it; the model string, resolved to a route.
    const request = parseChatRequest({
      model: `bedrock/qwen3/${ARN}`,
      messages: [{ role: "user", content: "Hello!" }],
      max_tokens: 256,
    });
    const { route: name, modelId } = parseModelString(request.model);
    const route = routes[name];

    // The InvokeModel body, with the prompt exactly as the model's chat template renders it.
    const body = route.buildBody(request, modelId, {});
    log(`prompt: ${JSON.stringify(body.prompt)}`);

    // Signed, sent and retried by the transport; the answer mapped back by the route.
    const transport = createTransport({ endpoint, credentials });
    const call = { operation: "invoke" as const, modelId, body: JSON.stringify(body) };
    const { json } = await invokeJson(transport, call);
    log(`answer: ${route.parseAnswer(json, request).choices[0]?.message.content}`);

    // Streamed: event-stream bytes -> Bedrock's events -> the model's JSON -> OpenAI deltas.
    // `prime` may read ahead until the answer has begun (create() reads its first chunk); not here.
    const { reader } = await invokeStream(transport, { ...call, prime: async () => undefined });
    const frames = createMessageSplitter();
    const mapper = route.createStreamMapper(request);
    let streamed = "";
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      for (const message of frames.push(read.value)) {
        const event = readBedrockEvent(message);
        for (const part of event ? mapper.push(event) : []) streamed += part.delta.content ?? "";
      }
    }
    frames.end();
    for (const part of mapper.end()) streamed += part.delta.content ?? "";
    log(`streamed: ${streamed}`);
  } finally {
    await emulator.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
