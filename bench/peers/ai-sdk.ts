// The AI SDK's Bedrock provider (`ai` + `@ai-sdk/amazon-bedrock`) as a caller uses it: a
// provider for the endpoint, generateText for a plain call, streamText for a stream. It speaks
// Converse and ConverseStream, which the emulator answers with the same text as InvokeModel.
import { createAmazonBedrock } from "@ai-sdk/amazon-bedrock";
import { generateText, type LanguageModel, streamText } from "ai";

export interface PeerCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export function aiSdkModel(
  endpoint: string,
  credentials: PeerCredentials,
  modelId: string,
  fetch?: typeof globalThis.fetch,
): LanguageModel {
  const bedrock = createAmazonBedrock({
    region: "us-east-1",
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    baseURL: endpoint,
    ...(fetch ? { fetch } : {}),
  });
  return bedrock(modelId);
}

/** One plain call: the answer's text. */
export async function aiSdkText(model: LanguageModel, prompt: string): Promise<string> {
  const { text } = await generateText({ model, prompt });
  return text;
}

/** One streamed call, read to its end: how many text deltas and characters came. */
export async function aiSdkStream(model: LanguageModel, prompt: string): Promise<{ deltas: number; chars: number }> {
  const result = streamText({ model, prompt });
  let deltas = 0;
  let chars = 0;
  for await (const text of result.textStream) {
    deltas++;
    chars += text.length;
  }
  return { deltas, chars };
}
