// A ConverseStream answer through the whole client, its bytes (real event-stream frames) cut in
// two at every byte offset: reasoning with its signature, text with a multi-byte character, two
// tool calls whose input comes in fragments, the stop reason and the usage. Every cutting must
// give the same chunks' content as the uncut stream.
import { describe, expect, it } from "vitest";
import { eventFrame } from "../emulator/frames.ts";
import { type ChatCompletionChunk, createBedrock } from "../src/index.ts";
import { concat, cut, cuttingRanges, streamOf } from "./helpers/bytes.ts";

const MODEL = "bedrock/converse/us.anthropic.claude-sonnet-4-20250514-v1:0";

const events: Array<[string, Record<string, unknown>]> = [
  ["messageStart", { role: "assistant" }],
  ["contentBlockDelta", { contentBlockIndex: 0, delta: { reasoningContent: { text: "They want the wea" } } }],
  ["contentBlockDelta", { contentBlockIndex: 0, delta: { reasoningContent: { text: "ther twice." } } }],
  ["contentBlockDelta", { contentBlockIndex: 0, delta: { reasoningContent: { signature: "RW1wbG95ZWU=" } } }],
  ["contentBlockStop", { contentBlockIndex: 0 }],
  ["contentBlockDelta", { contentBlockIndex: 1, delta: { text: "Checking 👋 " } }],
  ["contentBlockDelta", { contentBlockIndex: 1, delta: { text: "both." } }],
  ["contentBlockStop", { contentBlockIndex: 1 }],
  ["contentBlockStart", { contentBlockIndex: 2, start: { toolUse: { toolUseId: "tooluse_1", name: "get_weather" } } }],
  ["contentBlockDelta", { contentBlockIndex: 2, delta: { toolUse: { input: '{"city": "Pa' } } }],
  ["contentBlockDelta", { contentBlockIndex: 2, delta: { toolUse: { input: 'ris"}' } } }],
  ["contentBlockStop", { contentBlockIndex: 2 }],
  ["contentBlockStart", { contentBlockIndex: 3, start: { toolUse: { toolUseId: "tooluse_2", name: "get_weather" } } }],
  ["contentBlockDelta", { contentBlockIndex: 3, delta: { toolUse: { input: '{"city": "Rome"}' } } }],
  ["contentBlockStop", { contentBlockIndex: 3 }],
  ["messageStop", { stopReason: "tool_use" }],
  ["metadata", { usage: { inputTokens: 31, outputTokens: 17, totalTokens: 48 }, metrics: { latencyMs: 420 } }],
];
const bytes = concat(events.map(([type, payload], index) => eventFrame(type, payload, index)));

function bedrockAnswering(parts: Uint8Array[]) {
  return createBedrock({
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
    region: "us-east-1",
    fetch: async () =>
      new Response(streamOf(parts), { headers: { "content-type": "application/vnd.amazon.eventstream" } }),
  });
}

async function collect(parts: Uint8Array[]) {
  const stream = await bedrockAnswering(parts).chat.completions.create({
    model: MODEL,
    messages: [{ role: "user", content: "Weather in Paris and Rome?" }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let reasoning = "";
  let content = "";
  const calls: string[] = [];
  const thinking: unknown[] = [];
  let finish: string | null = null;
  let usage: ChatCompletionChunk["usage"];
  for await (const chunk of stream) {
    const delta = chunk.choices[0]?.delta;
    reasoning += delta?.reasoning_content ?? "";
    content += delta?.content ?? "";
    thinking.push(...(delta?.thinking_blocks ?? []));
    for (const call of delta?.tool_calls ?? []) {
      calls[call.index] =
        `${calls[call.index] ?? `${call.id} ${call.function?.name}:`}${call.function?.arguments ?? ""}`;
    }
    finish = chunk.choices[0]?.finish_reason ?? finish;
    usage = chunk.usage ?? usage;
  }
  return { reasoning, content, calls, thinking, finish, usage };
}

const expected = {
  reasoning: "They want the weather twice.",
  content: "Checking 👋 both.",
  calls: ['tooluse_1 get_weather:{"city": "Paris"}', 'tooluse_2 get_weather:{"city": "Rome"}'],
  thinking: [{ type: "thinking", thinking: "They want the weather twice.", signature: "RW1wbG95ZWU=" }],
  finish: "tool_calls",
  usage: { prompt_tokens: 31, completion_tokens: 17, total_tokens: 48 },
};

// About 2 ms of CPU per cutting: 250 a test, each well within its timeout on a loaded 2-core machine.
describe(`ConverseStream answers cut at every byte offset (${bytes.length - 1} cuttings)`, () => {
  it("uncut, give the expected answer", async () => {
    expect(await collect([bytes])).toEqual(expected);
  });

  it.each(cuttingRanges(bytes.length, 250))("give the same answer cut at bytes %i to %i", async (first, last) => {
    for (let at = first; at <= last; at++) {
      expect(await collect(cut(bytes, [at])), `cut at byte ${at}`).toEqual(expected);
    }
  });
});
