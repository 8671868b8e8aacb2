import { describe, expect, it } from "vitest";
import { chunkFrame, encodeFrame, eventFrame, exceptionFrame, stringHeaders } from "../../emulator/frames.ts";
import type { StreamExceptionType } from "../../emulator/model-id.ts";
import { errorOf } from "../../test/helpers/errors.ts";
import { BedrockEdgeError } from "../errors.ts";
import { createMessageSplitter, type EventStreamMessage } from "./decode.ts";
import { bedrockEvents, CHUNK_EVENT, readBedrockEvent } from "./events.ts";

function messageOf(frame: Uint8Array): EventStreamMessage {
  const [message] = createMessageSplitter().push(frame);
  return message!;
}

const readFailure = (frame: Uint8Array, secrets?: readonly string[]) =>
  errorOf(() => readBedrockEvent(messageOf(frame), secrets), BedrockEdgeError);

describe("readBedrockEvent: events", () => {
  it("reads a chunk event as the model JSON inside its base64 bytes", () => {
    const model = { generation: "Hé 👋", stop_reason: null };
    expect(readBedrockEvent(messageOf(chunkFrame(model, 3)))).toEqual({ type: CHUNK_EVENT, json: model });
  });

  it("reads every other event type as its JSON payload, as ConverseStream sends them", () => {
    const events: Array<[string, Record<string, unknown>]> = [
      ["messageStart", { role: "assistant" }],
      ["contentBlockStart", { contentBlockIndex: 1, start: { toolUse: { toolUseId: "t1", name: "f" } } }],
      ["contentBlockDelta", { contentBlockIndex: 0, delta: { text: "Hello" } }],
      ["contentBlockStop", { contentBlockIndex: 0 }],
      ["messageStop", { stopReason: "end_turn" }],
      ["metadata", { usage: { inputTokens: 3, outputTokens: 1, totalTokens: 4 }, metrics: { latencyMs: 9 } }],
    ];
    // Bedrock pads each payload (`p`); it reaches the mapper with the rest, which ignores it.
    for (const [type, json] of events) {
      expect(readBedrockEvent(messageOf(eventFrame(type, json, 2)))).toEqual({ type, json: { ...json, p: "abcdefg" } });
    }
  });

  it("passes messages that carry nothing for us: no event type, or a message type it does not know", () => {
    expect(readBedrockEvent(messageOf(encodeFrame(stringHeaders({ ":message-type": "event" }), "{}")))).toBeUndefined();
    const other = stringHeaders({ ":message-type": "something-new", ":event-type": "chunk" });
    expect(readBedrockEvent(messageOf(encodeFrame(other, "not json")))).toBeUndefined();
  });

  it("refuses a chunk whose bytes are not base64 JSON", () => {
    const headers = stringHeaders({ ":message-type": "event", ":event-type": "chunk" });
    for (const body of ['{"bytes":"***"}', '{"bytes":"bm90IGpzb24="}', "not json", '{"nobytes":1}']) {
      const error = readFailure(encodeFrame(headers, body));
      expect({ status: error.status, code: error.code }).toEqual({ status: 502, code: "invalid_event_stream" });
      expect(error.message).toMatch(/not base64-encoded JSON/);
    }
  });

  it("refuses another event whose payload is not a JSON object", () => {
    const headers = stringHeaders({ ":message-type": "event", ":event-type": "contentBlockDelta" });
    for (const body of ["", "not json", "[1,2]", '"text"']) {
      const error = readFailure(encodeFrame(headers, body));
      expect(error.code).toBe("invalid_event_stream");
      expect(error.message).toMatch(/"contentBlockDelta" event whose payload is not a JSON object/);
    }
  });
});

describe("readBedrockEvent: exceptions end the stream with a typed error", () => {
  it("turns every exception frame into its status", () => {
    const table: Array<[StreamExceptionType, number]> = [
      ["throttlingException", 429],
      ["modelStreamErrorException", 424],
      ["modelTimeoutException", 408],
      ["internalServerException", 500],
      ["serviceUnavailableException", 503],
      ["validationException", 400],
    ];
    for (const [type, status] of table) {
      const error = readFailure(exceptionFrame(type, `boom ${type}`));
      expect(error.status).toBe(status);
      expect(error.message).toBe(`boom ${type}`);
      expect(error.bedrockError).toBe(type.charAt(0).toUpperCase() + type.slice(1));
      // Bedrock's own answer: the retry loop may retry it while nothing was passed on.
      expect(error.fromBedrock).toBe(true);
      // But not its refusal of the call: the stream had begun, the model had read the prompt.
      expect(error.inStream).toBe(true);
    }
  });

  it("quotes a modelStreamErrorException's originalStatusCode and originalMessage, and reads a context-length one as such (awsfidelity46 #2)", () => {
    const secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    const failed = readFailure(
      exceptionFrame("modelStreamErrorException", "Received error from model while streaming.", {
        originalStatusCode: 500,
        originalMessage: `worker crashed near ${secret}`,
      }),
      [secret],
    );
    expect(failed).toMatchObject({ status: 424, code: "model_stream_error", inStream: true });
    expect(failed.message).toBe(
      "Received error from model while streaming. The model answered 500: worker crashed near [redacted]",
    );
    const tooLong = readFailure(
      exceptionFrame("modelStreamErrorException", "Received error from model while streaming.", {
        originalStatusCode: 400,
        originalMessage: "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens.",
      }),
    );
    expect(tooLong).toMatchObject({
      status: 400,
      code: "context_length_exceeded",
      bedrockError: "ModelStreamErrorException",
    });
    expect(tooLong.message).toContain("maximum context length is 8192 tokens");
  });

  it("turns an error message into an error", () => {
    const headers = stringHeaders({
      ":message-type": "error",
      ":error-code": "InternalFailure",
      ":error-message": "bad",
    });
    const error = readFailure(encodeFrame(headers, ""));
    expect(error.message).toBe("bad");
    expect(error.fromBedrock).toBe(true);
  });

  it("marks damage in the stream as ours, never Bedrock's answer", () => {
    const headers = stringHeaders({ ":message-type": "event", ":event-type": "chunk" });
    expect(readFailure(encodeFrame(headers, "not json")).fromBedrock).toBe(false);
  });
});

describe("readBedrockEvent: no secret of the call survives into a stream error", () => {
  const secretAccessKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  const sessionToken = "IQoJb3JpZ2luX2VjEXAMPLE/TOKEN+wEaCXVzLWVhc3QtMSJHMEUCIQ==";
  const accessKeyId = "ASIAEXAMPLESTREAM123";
  const secrets = [secretAccessKey, sessionToken, accessKeyId];

  // Percent-encoded as a URL or a canonical request writes it, escapes in either case.
  const encoded = (secret: string) => encodeURIComponent(secret);
  const lowerEscapes = (secret: string) => encoded(secret).replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase());

  it("in an exception frame's message, plain or URL-encoded", () => {
    const echoed =
      `key ${secretAccessKey} token ${sessionToken} id ${accessKeyId} ` +
      `url ${encoded(secretAccessKey)} ${lowerEscapes(sessionToken)}`;
    const error = readFailure(exceptionFrame("validationException", echoed), secrets);
    for (const secret of secrets) {
      expect(error.message).not.toContain(secret);
      expect(error.message).not.toContain(encoded(secret));
      expect(error.message).not.toContain(lowerEscapes(secret));
    }
    expect(error.message).toMatch(
      /^key \[redacted\] token \[redacted\] id \[redacted\] url \[redacted\] \[redacted\]$/,
    );
  });

  it("in an error message's header", () => {
    const headers = stringHeaders({
      ":message-type": "error",
      ":error-code": "InternalFailure",
      ":error-message": `failed for ${secretAccessKey}`,
    });
    expect(readFailure(encodeFrame(headers, ""), secrets).message).toBe("failed for [redacted]");
  });

  it("through bedrockEvents(secrets) as well", async () => {
    const messages = new ReadableStream<EventStreamMessage>({
      start(controller) {
        controller.enqueue(messageOf(exceptionFrame("throttlingException", `slow ${secretAccessKey}`)));
        controller.close();
      },
    });
    const reader = messages.pipeThrough(bedrockEvents(secrets)).getReader();
    const error = await errorOf(() => reader.read(), BedrockEdgeError);
    expect(error.message).toBe("slow [redacted]");
  });
});
