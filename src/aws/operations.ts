// The Bedrock Runtime operations the transport can call, each plain or streamed: its path under
// /model/{modelId}/ and the headers AWS's own SDK sends with it. All are signed for service
// `bedrock` and share the transport's retries, timeouts and aborts.

export type BedrockOperation = "invoke" | "converse";

interface OperationSpec {
  path: string;
  streamPath: string;
  headers: Readonly<Record<string, string>>;
  streamHeaders: Readonly<Record<string, string>>;
}

const JSON_BODY = { "content-type": "application/json" } as const;

const OPERATIONS: Readonly<Record<BedrockOperation, OperationSpec>> = {
  // InvokeModel / InvokeModelWithResponseStream: the SDK sends the wanted answer type as `accept`,
  // and for streams as `x-amzn-bedrock-accept` (the HTTP accept is the event stream itself).
  invoke: {
    path: "invoke",
    streamPath: "invoke-with-response-stream",
    headers: { ...JSON_BODY, accept: "application/json" },
    streamHeaders: { ...JSON_BODY, "x-amzn-bedrock-accept": "application/json" },
  },
  // Converse / ConverseStream: the SDK sends no accept header of either kind (aws-sdk-js-v3
  // se_ConverseStreamCommand, and @aws-sdk/client-bedrock-runtime 3.1164 as sent on the wire).
  converse: {
    path: "converse",
    streamPath: "converse-stream",
    headers: JSON_BODY,
    streamHeaders: JSON_BODY,
  },
};

/** `<base>/model/<encodeURIComponent(modelId)>/<operation path>`: the id is one path segment. */
export function operationUrl(baseUrl: string, modelId: string, operation: BedrockOperation, stream: boolean): string {
  const spec = OPERATIONS[operation];
  return `${baseUrl}/model/${encodeURIComponent(modelId)}/${stream ? spec.streamPath : spec.path}`;
}

/** The unsigned headers of a call: what AWS's SDK sends for the same operation. */
export function operationHeaders(operation: BedrockOperation, stream: boolean): Record<string, string> {
  const spec = OPERATIONS[operation];
  return { ...(stream ? spec.streamHeaders : spec.headers) };
}
