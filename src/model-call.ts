// One Bedrock call of a body a route built (InvokeModel, Converse), plain or streamed: the
// transport's call, the usage Bedrock's headers report, and Bedrock's refusal of the body's
// format explained in the caller's terms. Chat and legacy completions both call through here.
import { invokeJson, invokeStream } from "./aws/invoke.ts";
import { BedrockEdgeError } from "./errors.ts";
import type { BedrockOperation } from "./aws/operations.ts";
import type { Transport } from "./aws/transport-options.ts";
import type { JsonObject } from "./json.ts";
import type { RequestOptions } from "./client.ts";
import type { Usage } from "./openai/types.ts";
import { makeUsage, tokenCount } from "./routes/usage.ts";
import { lazy } from "./lazy.ts";
import type { EventMapper, ItemStream } from "./stream-reader.ts";
import type { BedrockStreamEvent } from "./eventstream/events.ts";

// The event-stream reader loads with the first streamed call: plain calls never need it.
const streamReader = lazy(() => import("./stream-reader.ts"));
const formatRefusal = lazy(() => import("./routes/wire-formats/refusal.ts"));

/** Bedrock's refusal of a body format explained; only a 400 can be one, and loads the explanation. */
async function explained(error: unknown, call: ModelCall): Promise<unknown> {
  if (!(error instanceof BedrockEdgeError) || error.status !== 400) return error;
  return (await formatRefusal()).explainFormatRefusal(error, call.body, call.limitParam);
}

export interface ModelCall extends RequestOptions {
  operation: BedrockOperation;
  modelId: string;
  region: string | undefined;
  body: Record<string, unknown>;
  /** One attempt, its retryable failure thrown at once: another deployment of the model remains. */
  failFast?: boolean;
  /** The request's name for its output limit, when not max_tokens: Bedrock's refusal of it says so. */
  limitParam?: string;
}

export interface JsonResult {
  json: JsonObject;
  /** The answer as Bedrock wrote it (a route may read values from it as written). */
  text: string;
  /** What Bedrock's count headers say, when they say it. */
  headerUsage: Usage | undefined;
  /** Bedrock's input count header alone: an embedding model's answer has no output to count. */
  inputTokens: number | undefined;
  /** The answering attempt's secrets, to redact what an error quotes of the answer (invoke.ts). */
  secrets: readonly string[];
}

function request(call: ModelCall) {
  const { operation, modelId, region, body, signal, onRetry, failFast } = call;
  return { operation, modelId, region, body: JSON.stringify(body), signal, onRetry, failFast };
}

export async function callJson(transport: Transport, call: ModelCall): Promise<JsonResult> {
  try {
    const { json, text, headers, secrets } = await invokeJson(transport, request(call));
    const inputTokens = tokenCount(numberHeader(headers, "x-amzn-bedrock-input-token-count"));
    return { json, text, headerUsage: usageFromHeaders(headers, inputTokens), inputTokens, secrets };
  } catch (error) {
    throw await explained(error, call);
  }
}

/**
 * The stream once its first item is in (so that an exception before it rejects here, and is retried).
 * Each attempt reads with a mapper of its own: frames before such an exception went through the
 * failed attempt's mapper without making an item, and a retry's answer starts afresh.
 */
export async function callStream<T>(
  transport: Transport,
  call: ModelCall,
  newMapper: () => EventMapper<T>,
): Promise<ItemStream<T>> {
  const { primeStream, streamItems } = await streamReader();
  try {
    const { reader, primed } = await invokeStream(transport, {
      ...request(call),
      prime: (reader, secrets) => primeStream(reader, secrets, newMapper()),
    });
    return streamItems(reader, primed);
  } catch (error) {
    throw await explained(error, call);
  }
}

/**
 * A stream made of a plain call: its answer, turned into the events its stream would have sent,
 * replayed through the stream's mapper (a model that cannot stream what was asked).
 */
export async function callReplayed<T>(
  transport: Transport,
  call: ModelCall,
  newMapper: () => EventMapper<T>,
  events: (answer: JsonObject, text: string) => BedrockStreamEvent[],
): Promise<ItemStream<T>> {
  const { json, text } = await callJson(transport, call);
  const { replayedItems } = await streamReader();
  return replayedItems(newMapper(), events(json, text), call.signal);
}

/** `input`: the input count header, as callJson has read it. */
function usageFromHeaders(headers: Headers, input: number | undefined): Usage | undefined {
  const output = tokenCount(numberHeader(headers, "x-amzn-bedrock-output-token-count"));
  return input === undefined || output === undefined ? undefined : makeUsage(input, output);
}

// A count header's value: decimal digits, nothing else, as retry-after is read (aws/retry.ts):
// Number reads "", "0x10", "1e2" and "0b11" too, which no server sends for a count (numbers43 #6).
const DIGITS = /^\d+$/;

function numberHeader(headers: Headers, name: string): number | undefined {
  const value = headers.get(name)?.trim() ?? "";
  return DIGITS.test(value) ? Number(value) : undefined;
}
