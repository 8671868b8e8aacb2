// The transport's two calls: a Bedrock operation's JSON answer, or its event stream once the
// answer has begun. It knows Bedrock operations, never routes or chat: bodies go in as strings,
// answers come out as JSON or raw stream bytes.
import { badUpstream } from "../errors.ts";
import { type JsonObject, parseJsonObject } from "../json.ts";
import { lazy } from "../lazy.ts";
import { readLimitedText } from "../read-text.ts";
import type { Attempt } from "./attempt.ts";
import type { ByteReader } from "./byte-reader.ts";
import { type BedrockCall, sendWithRetries } from "./send-with-retries.ts";
import type { Transport } from "./transport-options.ts";
import { untilAborted } from "./until-aborted.ts";

export type InvokeRequest = Omit<BedrockCall, "stream">;

export interface StreamRequest<P> extends InvokeRequest {
  /**
   * Reads ahead until the answer has begun (e.g. its first chunk) and returns what it read. If it
   * throws one of Bedrock's own errors (an exception frame), the call is retried like an error
   * answer, since nothing was passed on yet. `secrets` are the values of the credentials that
   * signed this attempt: errors made from the stream must not quote them.
   */
  prime: (reader: ByteReader, secrets: readonly string[]) => Promise<P>;
}

export interface JsonAnswer {
  headers: Headers;
  json: JsonObject;
  /** The answer as Bedrock wrote it, where values are read as written rather than parsed. */
  text: string;
  /**
   * The answering attempt's secrets (its credentials' values): what the answer's text quotes in an
   * error (an image model's reason for drawing nothing) is redacted with them, as error answers are.
   */
  secrets: readonly string[];
}

export interface StreamAnswer<P> {
  headers: Headers;
  reader: ByteReader;
  /** What `prime` returned. */
  primed: P;
}

/**
 * The most of a plain answer read from Bedrock: its text, its parse and the answer made of it are
 * in memory at once. A 32 MiB answer needs 88 MiB of heap on the proxy (a small request 16), 48 MiB
 * one 128 (bounds48; amplify48 #4: at 64 MiB, a 50 MiB answer was read and needed 160). It is the
 * request side's bound too (MAX_PLAIN_ANSWER_TOKENS in worker/plain-answer.ts: 1,048,576 tokens at
 * 32 bytes a token), and a token of text is far fewer bytes of JSON (4 or so; 12 for a CJK character
 * that Bedrock escapes as \uXXXX), so an answer the request bound admits is read whole.
 * It bounds what is read, not the answer built from it: a tool call's input becomes OpenAI's
 * `arguments`, JSON inside a JSON string, where each `"` or `\` Bedrock wrote as 2 bytes takes 4.
 * A Converse answer of 30 MiB, a tool input of 15 MiB of quotes, became a 60 MiB chat answer that
 * needed 112 MiB of Node's old space (96 ran out), where 31.9 MiB of text needed 96 (amplify48b #3).
 */
export const MAX_JSON_ANSWER_BYTES = 32 * 1024 * 1024;
// The stream's reader and its idle watchdog load with the first stream: a plain call never needs them.
const streamGuard = lazy(() => import("./guarded-reader.ts"));

/** The operation's plain call (InvokeModel, Converse): its JSON answer. */
export function invokeJson(transport: Transport, request: InvokeRequest): Promise<JsonAnswer> {
  return sendWithRetries(transport, { ...request, stream: false }, readJson);
}

/**
 * The operation's streamed call (InvokeModelWithResponseStream, ConverseStream): the raw
 * event-stream body, once Bedrock accepted the call and `prime` saw the answer begin. A stream
 * can open with an exception frame (throttling, say) right after its 200: while nothing has
 * been passed on, that is as retryable as the same error in an HTTP answer.
 */
export function invokeStream<P>(transport: Transport, request: StreamRequest<P>): Promise<StreamAnswer<P>> {
  const { prime, ...call } = request;
  return sendWithRetries(transport, { ...call, stream: true }, (attempt) =>
    openStream(attempt, prime, transport.idleTimeoutMs),
  );
}

/**
 * The answer's text. A declared length within the limit lets the runtime read the body itself,
 * in one piece (in workerd, a read loop here costs more than the rest of the answer's handling);
 * the runtime holds the body to that length. Without one, the body is read here, capped.
 */
function answerText(response: Response): Promise<string | undefined> {
  const declared = response.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) <= MAX_JSON_ANSWER_BYTES) return response.text();
  return readLimitedText(response.body, MAX_JSON_ANSWER_BYTES);
}

async function readJson(attempt: Attempt): Promise<JsonAnswer> {
  try {
    const text = await untilAborted(answerText(attempt.response), attempt.signal);
    if (text === undefined) throw badUpstream(`Bedrock's answer is larger than ${MAX_JSON_ANSWER_BYTES} bytes.`);
    const json = parseJsonObject(text);
    if (!json) throw badUpstream("Bedrock answered with a body that is not a JSON object.");
    return { headers: attempt.response.headers, json, text, secrets: attempt.secrets };
  } catch (error) {
    throw attempt.failure(error);
  } finally {
    attempt.release();
  }
}

async function openStream<P>(
  attempt: Attempt,
  prime: StreamRequest<P>["prime"],
  idleTimeoutMs: number,
): Promise<StreamAnswer<P>> {
  const body = attempt.response.body;
  if (!body) {
    attempt.release();
    throw badUpstream("Bedrock answered a stream request with an empty body.");
  }
  let reader: ByteReader;
  try {
    reader = (await streamGuard()).guardReader(body, attempt, idleTimeoutMs);
  } catch (error) {
    // Its module did not load (a network error in a browser): nothing else would free the answer.
    attempt.release();
    await body.cancel().catch(() => undefined);
    throw error;
  }
  try {
    const primed = await prime(reader, attempt.secrets);
    return { headers: attempt.response.headers, reader, primed };
  } catch (error) {
    await reader.cancel(error).catch(() => undefined);
    throw error;
  }
}
