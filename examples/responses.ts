// The Responses API against the local emulator (no AWS account needed):
//   npx tsx examples/responses.ts
// Stateless: each call carries the whole conversation, the previous answer's items included.
import { createBedrock, type ResponseInputItem } from "../src/index.ts";
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { serveEmulator } from "../emulator/node.ts";

const ARN = "arn:aws:bedrock:us-east-1:123456789012:imported-model";

export async function main(log: (line: string) => void = console.log): Promise<void> {
  const emulator = await serveEmulator({ port: 0 });
  try {
    const bedrock = createBedrock({ endpoint: emulator.url, credentials: EMULATOR_CREDENTIALS });

    // Qwen3 thinks first: a reasoning item, then the message.
    const response = await bedrock.responses.create({
      model: `bedrock/qwen3/${ARN}/qwen3`,
      instructions: "Be brief.",
      input: "Why is the sky blue?",
    });
    for (const item of response.output) {
      if (item.type === "reasoning") log(`reasoning: ${item.content?.[0]?.text}`);
      if (item.type === "message") log(`answer: ${item.content[0]?.text}`);
    }

    // Streamed: the official events, each with its sequence number.
    const stream = await bedrock.responses.create({
      model: `bedrock/llama/${ARN}/llama`,
      input: "Say hello.",
      stream: true,
    });
    let text = "";
    for await (const event of stream) {
      if (event.type === "response.output_text.delta") text += event.delta;
      if (event.type === "response.completed") log(`streamed: ${text} (${event.response.usage?.output_tokens} tokens)`);
    }

    // A function tool: the call, its output sent back with the conversation, the answer.
    const model = `bedrock/qwen3/${ARN}/qwen3.tool`;
    const tools = [
      {
        type: "function" as const,
        name: "get_weather",
        parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
        strict: true,
      },
    ];
    const input: ResponseInputItem[] = [{ role: "user", content: "Weather in Paris?" }];
    const first = await bedrock.responses.create({ model, input, tools });
    input.push(...first.output);
    for (const item of first.output) {
      if (item.type !== "function_call") continue;
      log(`call: ${item.name}(${item.arguments})`);
      input.push({ type: "function_call_output", call_id: item.call_id, output: "sunny, 21 °C" });
    }
    const second = await bedrock.responses.create({ model, input, tools });
    const answer = second.output.find((item) => item.type === "message");
    log(`after the tool: ${answer?.type === "message" ? answer.content[0]?.text : ""}`);
  } finally {
    await emulator.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
