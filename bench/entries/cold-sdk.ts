// Cold start, the reference: the AWS SDK's client and one InvokeModel call with the same prompt
// our llama route renders (the SDK leaves prompts to the caller).
import { BedrockRuntimeClient, InvokeModelCommand } from "@aws-sdk/client-bedrock-runtime";
import type { ColdStartEntry } from "./cold-start.ts";

const PROMPT =
  "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHello<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n";

export const firstRequest: ColdStartEntry["firstRequest"] = async (endpoint, credentials, modelId) => {
  const client = new BedrockRuntimeClient({ region: "us-east-1", endpoint, credentials });
  try {
    const answer = await client.send(
      new InvokeModelCommand({
        modelId,
        body: JSON.stringify({ prompt: PROMPT }),
        contentType: "application/json",
        accept: "application/json",
      }),
    );
    const json = JSON.parse(new TextDecoder().decode(answer.body)) as { generation?: string };
    return json.generation ?? "";
  } finally {
    // Its HTTP/2 session would otherwise keep the process alive.
    client.destroy();
  }
};
