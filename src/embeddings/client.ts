// bedrock.embeddings.create(): OpenAI's Embeddings API on Bedrock's embedding models (the embed
// route). The texts go in InvokeModel calls of the model's family (families.ts): Titan one text
// a call, Cohere Embed 96; the calls run at most MAX_OPEN_CALLS at a time, the vectors come back
// in the input's order, and the first failure fails the request and stops the calls still out,
// its error telling what the calls that went out cost (billCalls).
import type { RequestOptions } from "../client.ts";
import type { ResolvedModel } from "../completions/client.ts";
import { MAX_OPEN_CALLS } from "../completions/plan.ts";
import { mapPooled } from "../completions/pool.ts";
import {
  callSent,
  followedSignal,
  type RetriedCall,
  retryOf,
  type SentCall,
  sentBy,
  tryOut,
} from "../completions/sent-calls.ts";
import { BedrockEdgeError, invalidRequest, type UnmeteredCall, shownText } from "../errors.ts";
import { callJson } from "../model-call.ts";
import { describingModelId } from "../routes/foundation-model.ts";
import { makeUsage } from "../routes/usage.ts";
import {
  answerVectors,
  base64Floats,
  batches,
  checkForFamily,
  embeddingBody,
  embeddingFamily,
  isCohere,
  vectorSize,
} from "./families.ts";
import { parseEmbeddingRequest } from "./request.ts";
import type {
  Base64EmbeddingCreateParams,
  Base64EmbeddingResponse,
  CreateEmbeddingResponse,
  EmbeddingCreateParams,
  FloatEmbeddingCreateParams,
} from "./types.ts";

/**
 * One signature per encoding_format, as openai 7's: a request for numbers (the default) is
 * answered with numbers, one for base64 with strings; a request whose format is not known until
 * it runs (a variable typed EmbeddingCreateParams) with either.
 */
export interface Embeddings {
  create(request: Base64EmbeddingCreateParams, options?: RequestOptions): Promise<Base64EmbeddingResponse>;
  create(request: FloatEmbeddingCreateParams, options?: RequestOptions): Promise<CreateEmbeddingResponse>;
  create(
    request: EmbeddingCreateParams,
    options?: RequestOptions,
  ): Promise<CreateEmbeddingResponse | Base64EmbeddingResponse>;
}

export interface EmbeddingsDeps {
  resolve(name: string): Promise<ResolvedModel>;
}

/** Titan's calls, one per text: a request of more would hold a Worker's subrequests too long. */
export const MAX_TITAN_INPUTS = 128;
/**
 * The most floats one answer may hold: about 20 MB of JSON, 5.6 MB as base64. The answer is built
 * whole, and a Worker's isolate has 128 MB for every request it serves: 2,048 texts of Cohere v4's
 * 1,536 floats were a 67 MB answer from a 15 KB request (review embedr38 #2).
 */
export const MAX_ANSWER_FLOATS = 1024 * 1024;

/** What one call has cost: a try of it went out (SentCall), it answered, Bedrock's count of it. */
interface CallMeter extends SentCall {
  answered?: boolean;
  tokens?: number | undefined;
}

/**
 * A request that failed, after some of its calls went out: Bedrock billed those that answered
 * (usage: their counts), and may have billed those sent and never answered (stopped by another's
 * failure or the caller's abort, past timeoutMs) or answered with no count (unmeteredCalls: their
 * texts, for an estimate). Not a call stopped while it waited to retry: no try of it was out. The
 * caller's abort reason, no BedrockEdgeError, is wrapped in one to carry them; any other error that
 * is none (not ours to describe) is thrown as it is.
 */
function billCalls(
  error: unknown,
  meters: readonly CallMeter[],
  calls: readonly RetriedCall[],
  caller: AbortSignal | undefined,
): unknown {
  let counted: number | undefined;
  const unmetered: UnmeteredCall[] = [];
  meters.forEach((meter, at) => {
    if (meter.answered && meter.tokens !== undefined) counted = (counted ?? 0) + meter.tokens;
    else if (meter.answered || tryOut(meter)) unmetered.push({ ...calls[at]!, chunks: 0 });
  });
  if (counted === undefined && unmetered.length === 0) return error;
  const aborted = caller?.aborted === true && error === caller.reason;
  const billed = error instanceof BedrockEdgeError ? error : aborted ? abortedAfterSending(error) : undefined;
  if (!billed) return error;
  if (counted !== undefined && billed.usage === undefined) billed.usage = makeUsage(counted, 0);
  if (unmetered.length && billed.unmeteredCalls === undefined) billed.unmeteredCalls = unmetered;
  return billed;
}

/** Each call by the index of its first text in the input, and its texts (RetryEvent.prompt and texts, UnmeteredCall). */
function callsOf(calls: readonly string[][]): RetriedCall[] {
  let first = 0;
  return calls.map((texts) => {
    const call = { prompt: first, texts };
    first += texts.length;
    return call;
  });
}

/**
 * The caller's abort of a request some of whose calls had gone out, as an error that can tell what
 * they cost: 499 (the caller closed the request, as a proxy logs it), the signal's reason its cause.
 */
function abortedAfterSending(reason: unknown): BedrockEdgeError {
  const why = reason instanceof Error ? reason.message : String(reason);
  return new BedrockEdgeError({
    status: 499,
    code: "request_aborted",
    message: `The request was aborted after some of its calls went to Bedrock (${shownText(why, 200, "a reason", false)}): its usage and unmeteredCalls tell what they cost.`,
    cause: reason,
  });
}

export function createEmbeddings(deps: EmbeddingsDeps): Embeddings {
  async function create(input: EmbeddingCreateParams, options: RequestOptions = {}) {
    const request = parseEmbeddingRequest(input);
    const { route, settings, serve } = await deps.resolve(request.model);
    if (route.name !== "embed") {
      throw invalidRequest(
        `This model is on the ${route.name} route${route.name === "image" ? ", an image model" : ", a chat model"}: embeddings need an embedding model, as bedrock/embed/amazon.titan-embed-text-v2:0.`,
        "model",
        "unsupported_route",
      );
    }
    // parseEmbeddingRequest refused token ids: only text is left.
    const texts = typeof request.input === "string" ? [request.input] : (request.input as string[]);

    return serve(async ({ modelId, region, transport, failFast, sending }) => {
      // An opaque id (an application inference profile…) is its entry's foundation_model's family.
      const family = embeddingFamily(describingModelId(modelId, settings));
      if (!family) {
        throw invalidRequest(
          `${shownText(modelId, 200, "a model id", false)} names no embedding model the embed route speaks (Titan Text Embeddings V1/V2, Cohere Embed v3/v4).`,
          "model",
          "unsupported_model",
        );
      }
      checkForFamily(request, family);
      if (!isCohere(family) && texts.length > MAX_TITAN_INPUTS) {
        throw invalidRequest(
          `Titan embeds one text per call, and a request may take at most ${MAX_TITAN_INPUTS} (got ${texts.length}). Send fewer texts per request.`,
          "input",
          "too_many_inputs",
        );
      }
      const size = vectorSize(family, request.dimensions);
      if (texts.length * size > MAX_ANSWER_FLOATS) {
        throw invalidRequest(
          `${texts.length} texts of ${size} floats each would make an answer of more than ${MAX_ANSWER_FLOATS} floats: send at most ${Math.floor(MAX_ANSWER_FLOATS / size)} texts per request${family === "titan_v2" || family === "cohere_v4" ? ", or ask for fewer dimensions" : ""}.`,
          "input",
          "too_many_inputs",
        );
      }
      const calls = batches(texts, family);
      sending();
      // The first failure stops the other calls, as the caller's signal does.
      const { controller, unfollow } = followedSignal(options.signal);
      const meters: CallMeter[] = calls.map(() => ({ sent: false }));
      // A call's retry of several is its own, told with its first text's index and its texts (a
      // proxy counts a try of it, or its wait, by them); a single call's is the request's.
      const located = callsOf(calls);
      const several = calls.length > 1;
      try {
        const answers = await mapPooled(calls, MAX_OPEN_CALLS, async (batch, at) => {
          const meter = meters[at]!;
          const call = several ? located[at] : undefined;
          // Stopped before it started (an aborted signal): it was never sent.
          controller.signal.throwIfAborted();
          callSent(call, options.onCallSent);
          const { json, inputTokens } = await sentBy(
            meter,
            callJson(transport, {
              operation: "invoke",
              modelId,
              region,
              body: embeddingBody(batch, family, request),
              signal: controller.signal,
              onRetry: retryOf(meter, call, options.onRetry),
              failFast,
            }),
          );
          // Billed whatever its body holds: the header's count until the body's is read (embedr38 #4).
          meter.answered = true;
          meter.tokens = inputTokens;
          const read = answerVectors(json, family, batch.length);
          meter.tokens = read.tokens ?? inputTokens;
          return { vectors: read.vectors, tokens: meter.tokens ?? 0 };
        });
        const vectors = answers.flatMap((answer) => answer.vectors);
        const tokens = answers.reduce((sum, answer) => sum + answer.tokens, 0);
        const list = {
          object: "list",
          model: request.model,
          usage: { prompt_tokens: tokens, total_tokens: tokens },
        } as const;
        if (request.encoding_format === "base64") {
          const data = vectors.map(
            (vector, index) => ({ object: "embedding", index, embedding: base64Floats(vector) }) as const,
          );
          return { ...list, data } satisfies Base64EmbeddingResponse;
        }
        const data = vectors.map((vector, index) => ({ object: "embedding", index, embedding: vector }) as const);
        return { ...list, data } satisfies CreateEmbeddingResponse;
      } catch (error) {
        controller.abort(error);
        throw billCalls(error, meters, located, options.signal);
      } finally {
        unfollow();
      }
    }, options);
  }
  // The overloads are create()'s one signature split by encoding_format, which the answer follows.
  return { create } as Embeddings;
}
