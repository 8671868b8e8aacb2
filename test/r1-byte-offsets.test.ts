// The R1 marker case through the whole client: Bedrock's stream bytes (real event-stream frames)
// cut in two at every byte offset, `</think>` itself split across frames. Every cutting must give
// the same reasoning, content and usage as the plain answer.
import { describe, expect, it } from "vitest";
import { createBedrock, type ChatCompletionChunk } from "../src/index.ts";
import { chunkFrame } from "../emulator/frames.ts";
import { concat, cut, cuttingRanges } from "./helpers/bytes.ts";

const ARN = "arn:aws:bedrock:us-east-1:123456789012:imported-model/abcd1234efgh";
const pieces = ["Okay, the user gree", "ts me.\n</th", "ink>\n\nHel", "lo 👋 there!"];
const bytes = concat(
  pieces.map((generation, i) =>
    chunkFrame({
      generation,
      prompt_token_count: i === 0 ? 11 : null,
      generation_token_count: i + 1,
      stop_reason: i === pieces.length - 1 ? "stop" : null,
      ...(i === pieces.length - 1
        ? { "amazon-bedrock-invocationMetrics": { inputTokenCount: 11, outputTokenCount: 4 } }
        : {}),
    }),
  ),
);

function bedrockAnswering(parts: Uint8Array[]) {
  return createBedrock({
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
    fetch: async () =>
      new Response(
        new ReadableStream({
          start(controller) {
            for (const part of parts) controller.enqueue(part);
            controller.close();
          },
        }),
        { headers: { "content-type": "application/vnd.amazon.eventstream" } },
      ),
  });
}

async function collect(parts: Uint8Array[]) {
  const stream = await bedrockAnswering(parts).chat.completions.create({
    model: `bedrock/deepseek_r1/${ARN}`,
    messages: [{ role: "user", content: "Hi" }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let reasoning = "";
  let content = "";
  let finish: string | null = null;
  let usage: ChatCompletionChunk["usage"];
  for await (const chunk of stream) {
    reasoning += chunk.choices[0]?.delta.reasoning_content ?? "";
    content += chunk.choices[0]?.delta.content ?? "";
    finish = chunk.choices[0]?.finish_reason ?? finish;
    usage = chunk.usage ?? usage;
  }
  return { reasoning, content, finish, usage };
}

const expected = {
  reasoning: "Okay, the user greets me.",
  content: "Hello 👋 there!",
  finish: "stop",
  usage: { prompt_tokens: 11, completion_tokens: 4, total_tokens: 15 },
};

// About 2 ms of CPU per cutting: 250 a test, each well within its timeout on a loaded 2-core machine.
describe(`deepseek_r1 streams cut at every byte offset (${bytes.length - 1} cuttings)`, () => {
  it("uncut, give the expected answer", async () => {
    expect(await collect([bytes])).toEqual(expected);
  });

  it.each(cuttingRanges(bytes.length, 250))("give the same answer cut at bytes %i to %i", async (first, last) => {
    for (let at = first; at <= last; at++) {
      expect(await collect(cut(bytes, [at])), `cut at byte ${at}`).toEqual(expected);
    }
  });
});
