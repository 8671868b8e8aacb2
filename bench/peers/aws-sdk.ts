/// <reference types="node" />
// The AWS SDK's Bedrock Runtime client as a caller uses it for an imported model: InvokeModel
// with the prompt the caller rendered (the SDK leaves templates to the caller), the answer's
// JSON parsed; InvokeModelWithResponseStream with each chunk's JSON parsed.
import { Agent } from "node:http";
import {
  BedrockRuntimeClient,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from "@aws-sdk/client-bedrock-runtime";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { PeerCredentials } from "./ai-sdk.ts";

/**
 * The prompt bedrock-edge's llama route renders for one user message `text`, its default system
 * turn included (Llama 3.1's template writes one even with no system message), so that a direct
 * call carries the request ours sends (test/bench-prompts.test.ts holds the two equal).
 */
export function llamaPrompt(text: string): string {
  const system =
    "<|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|>";
  return `<|begin_of_text|>${system}<|start_header_id|>user<|end_header_id|>\n\n${text}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n`;
}

export type SdkTransport = "http1" | "default";

/**
 * The client. `http1`: NodeHttpHandler with a keep-alive agent, as the SDK's HTTP/1.1 path is
 * configured (the Bedrock Runtime client's default in Node is HTTP/2). `handler` replaces the
 * network altogether (per-call work).
 */
export function awsSdkClient(
  endpoint: string,
  credentials: PeerCredentials,
  transport: SdkTransport | { handle: NodeHttpHandler["handle"] } = "http1",
): BedrockRuntimeClient {
  const requestHandler =
    transport === "http1"
      ? new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 50 }) })
      : transport === "default"
        ? undefined
        : transport;
  return new BedrockRuntimeClient({
    region: "us-east-1",
    endpoint,
    credentials,
    ...(requestHandler ? { requestHandler } : {}),
  });
}

const decoder = new TextDecoder();

/** One InvokeModel call: the generation's text. */
export async function awsSdkText(client: BedrockRuntimeClient, modelId: string, prompt: string): Promise<string> {
  const answer = await client.send(
    new InvokeModelCommand({
      modelId,
      body: JSON.stringify({ prompt }),
      contentType: "application/json",
      accept: "application/json",
    }),
  );
  const json = JSON.parse(decoder.decode(answer.body)) as { generation?: string };
  return json.generation ?? "";
}

/** One InvokeModelWithResponseStream call, read to its end: chunks and characters of text. */
export async function awsSdkStream(
  client: BedrockRuntimeClient,
  modelId: string,
  prompt: string,
): Promise<{ deltas: number; chars: number }> {
  const answer = await client.send(
    new InvokeModelWithResponseStreamCommand({
      modelId,
      body: JSON.stringify({ prompt }),
      contentType: "application/json",
    }),
  );
  let deltas = 0;
  let chars = 0;
  for await (const event of answer.body ?? []) {
    const bytes = event.chunk?.bytes;
    if (!bytes) continue;
    const json = JSON.parse(decoder.decode(bytes)) as { generation?: string };
    if (json.generation) {
      deltas++;
      chars += json.generation.length;
    }
  }
  return { deltas, chars };
}
