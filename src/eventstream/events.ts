// Event-stream messages -> what Bedrock meant: an event, nothing, or an error.
import { bedrockException, modelWords, redactSecrets } from "../bedrock-errors.ts";
import { characterCount, wordsWithin } from "../errors.ts";
import { type JsonObject, parseJsonObject } from "../json.ts";
import { plainChunkText } from "./chunk-payload.ts";
import { type EventStreamMessage, streamError } from "./decode.ts";

/** One event of a Bedrock stream, whichever operation sent it. */
export interface BedrockStreamEvent {
  /**
   * The `:event-type`: `chunk` for InvokeModelWithResponseStream; `messageStart`,
   * `contentBlockStart`, `contentBlockDelta`, `contentBlockStop`, `messageStop`, `metadata` for
   * ConverseStream.
   */
  type: string;
  /** For `chunk`, the model's JSON (the payload's base64 `bytes`, decoded); otherwise the payload. */
  json: JsonObject;
}

/** The event type of InvokeModelWithResponseStream: one model JSON object per event. */
export const CHUNK_EVENT = "chunk";

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

/** The model JSON text of a chunk payload of any shape JSON allows. */
function generalChunkText(body: Uint8Array): string | undefined {
  const payload = parseJsonObject(decoder.decode(body));
  return typeof payload?.bytes === "string" ? decodeChunkJson(payload.bytes) : undefined;
}

function chunkJson(message: EventStreamMessage): JsonObject {
  const json = plainChunkText(message.body) ?? generalChunkText(message.body);
  const chunk = json === undefined ? undefined : parseJsonObject(json);
  if (!chunk) throw streamError("Bedrock sent a chunk event whose payload is not base64-encoded JSON.");
  return chunk;
}

/**
 * The event a message carries, `undefined` for messages that carry nothing for us, or a thrown
 * BedrockEdgeError for `exception`/`error` messages (ARCHITECTURE.md, "Event streams").
 * `secrets` are the values of the call's credentials: an upstream may echo them in an
 * exception's message, and they never pass.
 */
export function readBedrockEvent(
  message: EventStreamMessage,
  secrets: readonly string[] = [],
): BedrockStreamEvent | undefined {
  const kind = headerString(message, ":message-type");
  if (kind === "exception") {
    const name = headerString(message, ":exception-type") ?? "InternalServerException";
    const payload = parseJsonObject(decoder.decode(message.body));
    const model = modelWords(payload);
    throw bedrockException(name, String(payload?.message ?? payload?.Message ?? ""), 500, {
      secrets,
      inStream: true,
      model,
    });
  }
  if (kind === "error") {
    const code = headerString(message, ":error-code") ?? "InternalServerException";
    throw bedrockException(code, headerString(message, ":error-message") ?? "", 500, { secrets, inStream: true });
  }
  const type = kind === "event" ? headerString(message, ":event-type") : undefined;
  if (type === undefined) return undefined;
  if (type === CHUNK_EVENT) return { type, json: chunkJson(message) };
  const json = parseJsonObject(decoder.decode(message.body));
  if (!json) {
    // The event's type is upstream text: redacted with the call's secrets, then cut between words.
    const told = redactSecrets(type, secrets);
    const named = wordsWithin(told, 64);
    const event =
      named === undefined
        ? `an event of a type of ${characterCount(told)} characters`
        : `a ${JSON.stringify(named)} event`;
    throw streamError(`Bedrock sent ${event} whose payload is not a JSON object.`);
  }
  return { type, json };
}

/** Messages -> events: readBedrockEvent as a stream. */
export function bedrockEvents(
  secrets: readonly string[] = [],
): TransformStream<EventStreamMessage, BedrockStreamEvent> {
  return new TransformStream({
    transform(message, controller) {
      const event = readBedrockEvent(message, secrets);
      if (event) controller.enqueue(event);
    },
  });
}
