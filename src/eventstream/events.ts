// Event-stream messages -> what Bedrock meant: a model chunk, nothing, or an error.
import { bedrockException } from "../errors.ts";
import { decodeBase64 } from "./base64.ts";
import { streamError, type EventStreamMessage } from "./decode.ts";

const decoder = new TextDecoder();

function headerString(message: EventStreamMessage, name: string): string | undefined {
  const header = message.headers[name];
  return header && typeof header.value === "string" ? header.value : undefined;
}

function parseObject(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(decoder.decode(bytes));
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The model JSON of a `chunk` event, `undefined` for events that carry nothing for us,
 * or a thrown BedrockEdgeError for `exception`/`error` messages (DESIGN §5).
 */
export function readBedrockEvent(message: EventStreamMessage): Record<string, unknown> | undefined {
  const type = headerString(message, ":message-type");
  if (type === "exception") {
    const name = headerString(message, ":exception-type") ?? "InternalServerException";
    const payload = parseObject(message.body);
    throw bedrockException(name, String(payload?.message ?? payload?.Message ?? ""), 500);
  }
  if (type === "error") {
    const code = headerString(message, ":error-code") ?? "InternalServerException";
    throw bedrockException(code, headerString(message, ":error-message") ?? "", 500);
  }
  if (type !== "event" || headerString(message, ":event-type") !== "chunk") return undefined;

  const payload = parseObject(message.body);
  const bytes = typeof payload?.bytes === "string" ? decodeBase64(payload.bytes) : undefined;
  const chunk = bytes && parseObject(bytes);
  if (!chunk) throw streamError("Bedrock sent a chunk event whose payload is not base64-encoded JSON.");
  return chunk;
}

/** Bytes -> model JSON objects: the decoder and readBedrockEvent, as one stream. */
export function bedrockEvents(): TransformStream<EventStreamMessage, Record<string, unknown>> {
  return new TransformStream({
    transform(message, controller) {
      const chunk = readBedrockEvent(message);
      if (chunk) controller.enqueue(chunk);
    },
  });
}
