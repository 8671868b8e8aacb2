// The AWS SDK doing what the library does, for the size figure: a client and one streamed
// InvokeModel call. Bundled exactly like the library, so the comparison is the code a Worker
// would have to ship for the same job.
import { BedrockRuntimeClient, InvokeModelWithResponseStreamCommand } from "@aws-sdk/client-bedrock-runtime";

export async function invokeStream(modelId: string, body: string): Promise<unknown> {
  const client = new BedrockRuntimeClient({ region: "us-east-1" });
  const answer = await client.send(
    new InvokeModelWithResponseStreamCommand({ modelId, body, contentType: "application/json" }),
  );
  return answer.body;
}
