// The AI SDK doing what the library does, for the size figure: the Bedrock provider and one
// streamed call. Bundled like the AWS SDK's entry, so the comparison is the code a browser or a
// Worker would ship for the same job.
import { createAmazonBedrock } from "@ai-sdk/amazon-bedrock";
import { streamText } from "ai";

export function invokeStream(modelId: string, prompt: string): AsyncIterable<string> {
  const bedrock = createAmazonBedrock({ region: "us-east-1" });
  return streamText({ model: bedrock(modelId), prompt }).textStream;
}
