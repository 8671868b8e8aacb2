// Our side of the decode figure: the real client, as a caller uses it. Only the network is
// replaced: the injected fetch answers with the prepared pieces, one per read.
import { EMULATOR_CREDENTIALS } from "../../emulator/credentials.ts";
import { createBedrock, type Bedrock } from "../../src/index.ts";
import { bodyOf, EVENT_STREAM } from "../fixtures/event-stream.ts";
import type { Decoded } from "./bare.ts";

const LLAMA = "bedrock/llama/arn:aws:bedrock:us-east-1:123456789012:imported-model/benchmark";

export interface StreamingClient {
  /** Streams one answer made of `pieces` through createBedrock().chat.completions.create. */
  decode(pieces: readonly Uint8Array[]): Promise<Decoded>;
}

/** The invoke route by default; `bedrock/converse/<id>` for ConverseStream (a bare id: the region is set). */
export function streamingClient(model = LLAMA): StreamingClient {
  let next: readonly Uint8Array[] = [];
  const bedrock: Bedrock = createBedrock({
    endpoint: "http://bedrock.bench.invalid",
    credentials: EMULATOR_CREDENTIALS,
    region: "us-east-1",
    fetch: async () => new Response(bodyOf(next), { headers: { "content-type": EVENT_STREAM } }),
  });
  return {
    async decode(pieces) {
      next = pieces;
      const stream = await bedrock.chat.completions.create({
        model,
        messages: [{ role: "user", content: "Benchmark." }],
        stream: true,
      });
      let chunks = 0;
      let chars = 0;
      for await (const chunk of stream) {
        const content = chunk.choices[0]?.delta.content;
        if (content) {
          chunks++;
          chars += content.length;
        }
      }
      return { chunks, chars };
    },
  };
}
