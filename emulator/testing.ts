// Helpers for tests that talk to the emulator: sign a request as the library does (aws4fetch's
// AwsV4Signer, service "bedrock") and decode a streamed answer into events. Web APIs only.
// Checks nothing itself: tests assert on what these return.

import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { AwsV4Signer } from "aws4fetch";
import { EMULATOR_CREDENTIALS, type EmulatorCredentials } from "./credentials.ts";

export type Operation = "invoke" | "invoke-with-response-stream" | "converse" | "converse-stream";

export interface SignedRequestOptions {
  /** InvokeModelWithResponseStream instead of InvokeModel. */
  stream?: boolean;
  /** The operation; default InvokeModel (or its stream with `stream`). */
  operation?: Operation;
  credentials?: EmulatorCredentials;
  region?: string;
  /** `YYYYMMDDTHHMMSSZ`; default now. */
  datetime?: string;
  headers?: Record<string, string>;
}

export function invokeUrl(baseUrl: string, modelId: string, stream = false): string {
  return operationUrl(baseUrl, modelId, stream ? "invoke-with-response-stream" : "invoke");
}

function operationUrl(baseUrl: string, modelId: string, operation: Operation): string {
  return `${baseUrl}/model/${encodeURIComponent(modelId)}/${operation}`;
}

/** A POST to the invoke path, signed with SigV4 by aws4fetch (which leaves content-type unsigned). */
export async function signedRequest(
  baseUrl: string,
  modelId: string,
  body: unknown,
  options: SignedRequestOptions = {},
): Promise<Request> {
  const credentials = options.credentials ?? EMULATOR_CREDENTIALS;
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const operation = options.operation ?? (options.stream ? "invoke-with-response-stream" : "invoke");
  const streamed = operation === "invoke-with-response-stream" || operation === "converse-stream";
  const signer = new AwsV4Signer({
    method: "POST",
    url: operationUrl(baseUrl, modelId, operation),
    headers: {
      "content-type": "application/json",
      accept: streamed ? "application/vnd.amazon.eventstream" : "application/json",
      ...options.headers,
    },
    body: text,
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    sessionToken: credentials.sessionToken,
    service: "bedrock",
    region: options.region ?? "us-east-1",
    datetime: options.datetime,
  });
  const signed = await signer.sign();
  return new Request(signed.url, { method: signed.method, headers: signed.headers, body: text });
}

export type StreamEvent =
  | { kind: "chunk"; json: Record<string, unknown>; padding: unknown }
  | { kind: "exception"; exceptionType: string; message: string }
  /** Any other event (ConverseStream's): its type and JSON payload, padding included. */
  | { kind: "event"; eventType: string; payload: Record<string, unknown> }
  | { kind: "other"; headers: Record<string, string> };

/** Reads a whole event-stream body into events. Frames may arrive split or coalesced; CRCs are checked. */
export async function readEvents(body: ReadableStream<Uint8Array> | null): Promise<StreamEvent[]> {
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  const events: StreamEvent[] = [];
  if (!body) return events;
  const reader = body.getReader();
  let pending: Uint8Array = new Uint8Array(0);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    pending = concat(pending, value);
    while (pending.length >= 4) {
      const length = new DataView(pending.buffer, pending.byteOffset, 4).getUint32(0);
      if (pending.length < length) break;
      const message = codec.decode(pending.subarray(0, length));
      events.push(toEvent(message.headers, message.body));
      pending = pending.subarray(length);
    }
  }
  if (pending.length > 0) throw new Error(`event stream ended inside a frame (${pending.length} bytes left)`);
  return events;
}

/** Joins the unread rest (at most one partial frame) with the next chunk. */
function concat(rest: Uint8Array, chunk: Uint8Array): Uint8Array {
  if (rest.length === 0) return chunk;
  const joined = new Uint8Array(rest.length + chunk.length);
  joined.set(rest);
  joined.set(chunk, rest.length);
  return joined;
}

function toEvent(rawHeaders: Record<string, { value: unknown }>, body: Uint8Array): StreamEvent {
  const headers: Record<string, string> = {};
  for (const [name, header] of Object.entries(rawHeaders)) headers[name] = String(header.value);
  const payload: unknown = JSON.parse(toUtf8(body));
  const record = typeof payload === "object" && payload !== null ? (payload as Record<string, unknown>) : {};
  if (headers[":message-type"] === "exception") {
    return { kind: "exception", exceptionType: headers[":exception-type"] ?? "", message: String(record.message) };
  }
  if (headers[":event-type"] === "chunk" && typeof record.bytes === "string") {
    const json: unknown = JSON.parse(toUtf8(fromBase64(record.bytes)));
    return { kind: "chunk", json: json as Record<string, unknown>, padding: record.p };
  }
  if (headers[":message-type"] === "event" && headers[":event-type"]) {
    return { kind: "event", eventType: headers[":event-type"], payload: record };
  }
  return { kind: "other", headers };
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

/** The chunk objects of a stream, in order. */
export function chunksOf(events: readonly StreamEvent[]): Record<string, unknown>[] {
  return events.flatMap((event) => (event.kind === "chunk" ? [event.json] : []));
}
