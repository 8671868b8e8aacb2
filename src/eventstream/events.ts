// Event-stream messages -> what Bedrock meant: a model chunk, nothing, or an error.
import { bedrockException } from "../errors.ts";
import { parseJsonObject } from "../json.ts";
import { streamError, type EventStreamMessage } from "./decode.ts";

const decoder = new TextDecoder();

function headerString(message: EventStreamMessage, name: string): string | undefined {
  const header = message.headers[name];
  return header && typeof header.value === "string" ? header.value : undefined;
}

const NON_ASCII = /[\x80-\xff]/;

/**
 * The model JSON inside a chunk's base64 `bytes`. atob gives one character per byte: when all
 * are ASCII that string already is the UTF-8 text, and only other payloads pay for a decode.
 */
function decodeChunkJson(base64: string): string | undefined {
  let binary: string;
  try {
    binary = atob(base64);
  } catch {
    return undefined;
  }
  if (!NON_ASCII.test(binary)) return binary;
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return decoder.decode(bytes);
}

/**
 * The model JSON of a `chunk` event, `undefined` for events that carry nothing for us,
 * or a thrown BedrockEdgeError for `exception`/`error` messages (DESIGN §5).
 */
export function readBedrockEvent(message: EventStreamMessage): Record<string, unknown> | undefined {
  const type = headerString(message, ":message-type");
  if (type === "exception") {
    const name = headerString(message, ":exception-type") ?? "InternalServerException";
    const payload = parseJsonObject(decoder.decode(message.body));
    throw bedrockException(name, String(payload?.message ?? payload?.Message ?? ""), 500);
  }
  if (type === "error") {
    const code = headerString(message, ":error-code") ?? "InternalServerException";
    throw bedrockException(code, headerString(message, ":error-message") ?? "", 500);
  }
  if (type !== "event" || headerString(message, ":event-type") !== "chunk") return undefined;

  const payload = parseJsonObject(decoder.decode(message.body));
  const json = typeof payload?.bytes === "string" ? decodeChunkJson(payload.bytes) : undefined;
  const chunk = json === undefined ? undefined : parseJsonObject(json);
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
