// Bedrock's embedding families, read from the model id: each one's InvokeModel body and answer.
// Titan embeds one text per call; Cohere Embed (v3, v4) takes up to 96 texts per call.
import { badUpstream, invalidRequest } from "../errors.ts";
import type { JsonObject } from "../json.ts";
import { tokenCount } from "../routes/usage.ts";
import type { EmbeddingCreateParams } from "./types.ts";

export type EmbeddingFamily = "titan_v2" | "titan_v1" | "cohere" | "cohere_v4";

/** The output sizes a family documents (its `dimensions`, Cohere v4's `output_dimension`); none: one size. */
const DIMENSIONS: Partial<Record<EmbeddingFamily, readonly number[]>> = {
  titan_v2: [256, 512, 1024],
  cohere_v4: [256, 512, 1024, 1536],
};

const NAMES: Record<EmbeddingFamily, string> = {
  titan_v2: "Titan Text Embeddings V2",
  titan_v1: "Titan Text Embeddings V1",
  cohere: "Cohere Embed v3",
  cohere_v4: "Cohere Embed v4",
};

/** The floats of one vector: the `dimensions` asked for, else the family's one or default size. */
export function vectorSize(family: EmbeddingFamily, dimensions: number | null | undefined): number {
  if (family === "titan_v1") return 1536;
  if (family === "cohere") return 1024;
  return dimensions ?? (family === "titan_v2" ? 1024 : 1536);
}

/** Cohere's families, which take a list of texts and an input_type. */
export function isCohere(family: EmbeddingFamily): boolean {
  return family === "cohere" || family === "cohere_v4";
}

/** Texts per Cohere Embed call, as Bedrock documents `texts`. */
const COHERE_BATCH = 96;

/** The family an id names (a bare id, a cross-region id or an ARN ending in one), if any. */
export function embeddingFamily(modelId: string): EmbeddingFamily | undefined {
  if (/(?:^|[/.])amazon\.titan-embed-text-v2/.test(modelId)) return "titan_v2";
  if (/(?:^|[/.])amazon\.titan-embed-(?:text-v1|g1-text-02)/.test(modelId)) return "titan_v1";
  if (/(?:^|[/.])cohere\.embed-(?:english|multilingual)-v3/.test(modelId)) return "cohere";
  if (/(?:^|[/.])cohere\.embed-v4/.test(modelId)) return "cohere_v4";
  return undefined;
}

/** Refuses what the family cannot honour, before any call: `dimensions`, `input_type`. */
export function checkForFamily(request: EmbeddingCreateParams, family: EmbeddingFamily): void {
  const { dimensions } = request;
  const sizes = DIMENSIONS[family];
  // null is unset, as JSON clients send it.
  if (dimensions != null) {
    if (!sizes) {
      throw invalidRequest(
        `dimensions is not supported by ${NAMES[family]}: its vectors have one size. Titan Text Embeddings V2 and Cohere Embed v4 take dimensions. Remove it.`,
        "dimensions",
        "unsupported_parameter",
      );
    }
    if (!sizes.includes(dimensions)) {
      throw invalidRequest(
        `dimensions must be one of ${sizes.join(", ")} for ${NAMES[family]} (got ${dimensions}).`,
        "dimensions",
      );
    }
  }
  if (request.input_type != null && !isCohere(family)) {
    throw invalidRequest(
      "input_type is for Cohere Embed models only: Titan takes no such field. Remove it.",
      "input_type",
      "unsupported_parameter",
    );
  }
}

/** The texts of one call, in the request's order: one each for Titan, up to 96 for Cohere. */
export function batches(texts: readonly string[], family: EmbeddingFamily): string[][] {
  const size = isCohere(family) ? COHERE_BATCH : 1;
  const out: string[][] = [];
  for (let at = 0; at < texts.length; at += size) out.push(texts.slice(at, at + size));
  return out;
}

/** One call's InvokeModel body. */
export function embeddingBody(
  texts: readonly string[],
  family: EmbeddingFamily,
  request: EmbeddingCreateParams,
): Record<string, unknown> {
  if (isCohere(family)) {
    const body: Record<string, unknown> = { texts, input_type: request.input_type ?? "search_document" };
    // Cohere v4 names its size output_dimension.
    if (request.dimensions != null) body.output_dimension = request.dimensions;
    return body;
  }
  const body: Record<string, unknown> = { inputText: texts[0] };
  if (family === "titan_v2" && request.dimensions != null) body.dimensions = request.dimensions;
  return body;
}

export interface CallVectors {
  vectors: number[][];
  /** The input tokens the body counted (Titan's inputTextTokenCount), when it did. */
  tokens: number | undefined;
}

function isVector(value: unknown): value is number[] {
  return (
    Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === "number" && Number.isFinite(item))
  );
}

/** One call's answer -> its vectors, as many as it was sent texts; anything else is a 502. */
export function answerVectors(json: JsonObject, family: EmbeddingFamily, sent: number): CallVectors {
  if (isCohere(family)) {
    // `embeddings` is the list itself, or by type ({ float: [...] }) when embedding_types is set.
    const raw = json.embeddings;
    const list = Array.isArray(raw) ? raw : raw && typeof raw === "object" ? (raw as JsonObject).float : undefined;
    if (Array.isArray(list) && list.length === sent && list.every(isVector))
      return { vectors: list, tokens: undefined };
    throw badUpstream(`Cohere Embed answered without ${sent} float vectors in embeddings.`);
  }
  const { embedding, inputTextTokenCount: count } = json;
  if (!isVector(embedding)) throw badUpstream("Titan Text Embeddings answered without a float vector in embedding.");
  return { vectors: [embedding], tokens: tokenCount(count) };
}

/** A vector as OpenAI's base64 encoding: its values as little-endian float32 bytes, base64. */
export function base64Floats(vector: readonly number[]): string {
  const bytes = new Uint8Array(vector.length * 4);
  const view = new DataView(bytes.buffer);
  for (const [index, value] of vector.entries()) view.setFloat32(index * 4, value, true);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}
