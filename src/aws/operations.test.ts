import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from "@aws-sdk/client-bedrock-runtime";
import { describe, expect, it } from "vitest";
import { type BedrockOperation, operationHeaders, operationUrl } from "./operations.ts";

const ARN = "arn:aws:bedrock:us-west-2:123456789012:imported-model/abc123def456";
// The ARN encoded once, as one path segment: `:` and `/` escaped, nothing else.
const SEGMENT = "arn%3Aaws%3Abedrock%3Aus-west-2%3A123456789012%3Aimported-model%2Fabc123def456";

describe("operation URLs: /model/{encoded id}/{operation}", () => {
  it("invoke, plain and streamed (InvokeModel, InvokeModelWithResponseStream)", () => {
    expect(operationUrl("https://h", ARN, "invoke", false)).toBe(`https://h/model/${SEGMENT}/invoke`);
    expect(operationUrl("https://h", ARN, "invoke", true)).toBe(
      `https://h/model/${SEGMENT}/invoke-with-response-stream`,
    );
  });

  it("converse, plain and streamed (Converse, ConverseStream)", () => {
    expect(operationUrl("https://h", ARN, "converse", false)).toBe(`https://h/model/${SEGMENT}/converse`);
    expect(operationUrl("https://h", ARN, "converse", true)).toBe(`https://h/model/${SEGMENT}/converse-stream`);
  });

  it("encode the whole model id as one segment, once, whatever it holds", () => {
    expect(operationUrl("https://h", "m", "invoke", true)).toBe("https://h/model/m/invoke-with-response-stream");
    const url = new URL(operationUrl("https://h", "a/b:c+d", "converse", false));
    expect(url.pathname).toBe("/model/a%2Fb%3Ac%2Bd/converse");
    expect(url.pathname.split("/")).toHaveLength(4);
  });
});

describe("operation headers: what AWS's SDK sends", () => {
  it("invoke asks for JSON, in x-amzn-bedrock-accept when streamed", () => {
    expect(operationHeaders("invoke", false)).toEqual({
      "content-type": "application/json",
      accept: "application/json",
    });
    expect(operationHeaders("invoke", true)).toEqual({
      "content-type": "application/json",
      "x-amzn-bedrock-accept": "application/json",
    });
  });

  it("converse sends its JSON body's type and no accept header at all", () => {
    expect(operationHeaders("converse", false)).toEqual({ "content-type": "application/json" });
    expect(operationHeaders("converse", true)).toEqual({ "content-type": "application/json" });
  });

  it("hand out a fresh object each time, so a caller's change cannot leak into later calls", () => {
    operationHeaders("converse", true).accept = "text/plain";
    expect(operationHeaders("converse", true)).toEqual({ "content-type": "application/json" });
  });
});

describe("operations as AWS's own SDK sends them (@aws-sdk/client-bedrock-runtime)", () => {
  interface Sent {
    path: string;
    headers: Record<string, string>;
  }

  /** What the SDK puts on the wire for a call, minus what signing and the HTTP layer add. */
  async function sentBySdk(send: (sdk: BedrockRuntimeClient) => Promise<unknown>): Promise<Sent> {
    let sent: Sent | undefined;
    const sdk = new BedrockRuntimeClient({
      region: "us-west-2",
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
      maxAttempts: 1,
      requestHandler: {
        handle: async (request: { path: string; headers: Record<string, string> }) => {
          sent = { path: request.path, headers: request.headers };
          throw new Error("captured, not sent");
        },
      },
    });
    await send(sdk).catch(() => undefined);
    if (!sent) throw new Error("the SDK sent nothing");
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(sent.headers)) {
      if (!/^(authorization|host|content-length|user-agent|x-amz-|amz-sdk-)/i.test(name))
        headers[name.toLowerCase()] = value;
    }
    return { path: sent.path, headers };
  }

  const messages = [{ role: "user" as const, content: [{ text: "Hi" }] }];
  const json = { body: "{}", contentType: "application/json", accept: "application/json" };
  const cases: Array<[BedrockOperation, boolean, (sdk: BedrockRuntimeClient) => Promise<unknown>]> = [
    ["invoke", false, (sdk) => sdk.send(new InvokeModelCommand({ modelId: ARN, ...json }))],
    ["invoke", true, (sdk) => sdk.send(new InvokeModelWithResponseStreamCommand({ modelId: ARN, ...json }))],
    ["converse", false, (sdk) => sdk.send(new ConverseCommand({ modelId: ARN, messages }))],
    ["converse", true, (sdk) => sdk.send(new ConverseStreamCommand({ modelId: ARN, messages }))],
  ];

  it.each(cases)("%s (stream: %s): same path, same headers", async (operation, stream, send) => {
    const sent = await sentBySdk(send);
    expect(new URL(operationUrl("https://h", ARN, operation, stream)).pathname).toBe(sent.path);
    expect(operationHeaders(operation, stream)).toEqual(sent.headers);
  });
});
