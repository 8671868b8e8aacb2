// Every route, plain and streamed, against the local emulator (no AWS account needed):
//   npx tsx examples/routes.ts
// With real credentials in the environment and real ARNs, the same code calls Bedrock.
import { createBedrock } from "../src/index.ts";
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { serveEmulator } from "../emulator/node.ts";

const ARN = "arn:aws:bedrock:us-east-1:123456789012:imported-model";

export async function main(log: (line: string) => void = console.log): Promise<void> {
  const emulator = await serveEmulator({ port: 0 });
  try {
    const bedrock = createBedrock({ endpoint: emulator.url, credentials: EMULATOR_CREDENTIALS });

    // DeepSeek R1 distill: the reasoning comes back in reasoning_content.
    const r1 = await bedrock.chat.completions.create({
      model: `bedrock/deepseek_r1/${ARN}/r1`,
      messages: [{ role: "user", content: "Why is the sky blue?" }],
      max_tokens: 512,
    });
    log(`deepseek_r1 reasoning: ${r1.choices[0]!.message.reasoning_content}`);
    log(`deepseek_r1 answer:    ${r1.choices[0]!.message.content}`);

    // Llama 3, streamed.
    const stream = await bedrock.chat.completions.create({
      model: `bedrock/llama/${ARN}/llama`,
      messages: [
        { role: "system", content: "You are terse." },
        { role: "user", content: "Say hello." },
      ],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) log(`llama usage: ${JSON.stringify(chunk.usage)}`);
    }
    log(`llama streamed: ${text}`);

    // Qwen3 with a tool; thinking can be switched off per request.
    const qwen3 = await bedrock.chat.completions.create({
      model: `bedrock/qwen3/${ARN}/qwen3.tool`,
      messages: [{ role: "user", content: "What is the weather in Paris?" }],
      tools: [
        {
          type: "function",
          function: {
            name: "get_weather",
            parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
          },
        },
      ],
      chat_template_kwargs: { enable_thinking: false },
    });
    log(`qwen3 tool call: ${JSON.stringify(qwen3.choices[0]!.message.tool_calls)}`);

    // Qwen2.5 instruct.
    const qwen2 = await bedrock.chat.completions.create({
      model: `bedrock/qwen2/${ARN}/qwen2`,
      messages: [{ role: "user", content: "Hello!" }],
      temperature: 0.2,
    });
    log(`qwen2: ${qwen2.choices[0]!.message.content}`);

    // OpenAI-format models (e.g. Qwen 2.5 VL): the request passes through, images included.
    const vision = await bedrock.chat.completions.create({
      model: `bedrock/openai/${ARN}/openai`,
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is in this picture?" },
            { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
          ],
        },
      ],
    });
    log(`openai: ${vision.choices[0]!.message.content}`);

    // Converse: Bedrock's foundation models and inference profiles; a bare id runs in `region`.
    const converse = createBedrock({ endpoint: emulator.url, credentials: EMULATOR_CREDENTIALS, region: "us-east-1" });
    const claude = await converse.chat.completions.create({
      model: "bedrock/converse/us.anthropic.claude-sonnet-4-20250514-v1:0",
      messages: [
        { role: "system", content: "You are terse." },
        { role: "user", content: "Hello!" },
      ],
      max_completion_tokens: 256,
    });
    log(`converse: ${claude.choices[0]!.message.content}`);
  } finally {
    await emulator.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
