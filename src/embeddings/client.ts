// bedrock.embeddings.create(): OpenAI's Embeddings API on Bedrock's embedding models (the embed
// route). The texts go in InvokeModel calls of the model's family (families.ts): Titan one text
// a call, Cohere Embed 96; the calls run at most MAX_OPEN_CALLS at a time, the vectors come back
// in the input's order, and the first failure fails the request and stops the calls still out.
import type { RequestOptions } from "../client.ts";
import type { ResolvedModel } from "../completions/client.ts";
import { MAX_OPEN_CALLS } from "../completions/plan.ts";
import { mapPooled } from "../completions/pool.ts";
import { BedrockEdgeError, invalidRequest } from "../errors.ts";
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
import type { CreateEmbeddingResponse, EmbeddingCreateParams } from "./types.ts";

export interface Embeddings {
  create(request: EmbeddingCreateParams, options?: RequestOptions): Promise<CreateEmbeddingResponse>;
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

export function createEmbeddings(deps: EmbeddingsDeps): Embeddings {
  async function create(input: EmbeddingCreateParams, options: RequestOptions = {}) {
    const request = parseEmbeddingRequest(input);
    const { route, settings, serve } = await deps.resolve(request.model);
    if (route.name !== "embed") {
      throw invalidRequest(
        `This model is on the ${route.name} route, a chat model: embeddings need an embedding model, as bedrock/embed/amazon.titan-embed-text-v2:0.`,
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
          `${modelId.slice(0, 200)} names no embedding model the embed route speaks (Titan Text Embeddings V1/V2, Cohere Embed v3/v4).`,
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
      const controller = new AbortController();
      const follow = () => controller.abort(options.signal?.reason);
      if (options.signal?.aborted) follow();
      else options.signal?.addEventListener("abort", follow, { once: true });
      // What the calls that answered used: Bedrock billed them, whatever happens to the others.
      let answered = 0;
      let billed = 0;
      try {
        const answers = await mapPooled(calls, MAX_OPEN_CALLS, async (batch) => {
          const { json, inputTokens } = await callJson(transport, {
            operation: "invoke",
            modelId,
            region,
            body: embeddingBody(batch, family, request),
            signal: controller.signal,
            onRetry: options.onRetry,
            failFast,
          });
          answered++;
          // An answer that does not read as vectors was billed all the same: its header's count.
          let read: ReturnType<typeof answerVectors>;
          try {
            read = answerVectors(json, family, batch.length);
          } catch (error) {
            billed += inputTokens ?? 0;
            throw error;
          }
          const tokens = read.tokens ?? inputTokens ?? 0;
          billed += tokens;
          return { vectors: read.vectors, tokens };
        });
        const base64 = request.encoding_format === "base64";
        const vectors = answers.flatMap((answer) => answer.vectors);
        const tokens = answers.reduce((sum, answer) => sum + answer.tokens, 0);
        return {
          object: "list",
          data: vectors.map((vector, index) => ({
            object: "embedding",
            index,
            embedding: base64 ? base64Floats(vector) : vector,
          })),
          model: request.model,
          usage: { prompt_tokens: tokens, total_tokens: tokens },
        } satisfies CreateEmbeddingResponse;
      } catch (error) {
        controller.abort(error);
        // As legacy Completions' error does: the proxy counts it in its log line and limits.
        if (error instanceof BedrockEdgeError && answered > 0 && error.usage === undefined) {
          error.usage = makeUsage(billed, 0);
        }
        throw error;
      } finally {
        options.signal?.removeEventListener("abort", follow);
      }
    }, options);
  }
  return { create };
}
