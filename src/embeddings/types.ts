// OpenAI's Embeddings API shapes (CreateEmbeddingRequest, CreateEmbeddingResponse), as
// bedrock.embeddings takes and returns them.

/** Cohere Embed's `input_type`: what the texts are for (OpenAI has no such field). */
export type EmbeddingInputType = "search_document" | "search_query" | "classification" | "clustering";

export interface EmbeddingCreateParams {
  /** `bedrock/embed/<model-id>` or a models-table name on the embed route. */
  model: string;
  /**
   * One text, or a list of texts. Token ids (OpenAI's number arrays) are in the type, so that
   * OpenAI's params pass as they are, and refused with a 400: Bedrock takes text.
   */
  input: string | string[] | number[] | number[][];
  /**
   * The vectors' length, where the model takes one (Titan Text Embeddings V2: 256, 512, 1024;
   * Cohere Embed v4: 256, 512, 1024, 1536); a 400 for the other models.
   */
  dimensions?: number | null | undefined;
  /** Default "float"; "base64" is each vector's little-endian float32 bytes, base64-encoded. */
  encoding_format?: "float" | "base64" | null | undefined;
  /** Accepted as OpenAI does, and not sent on: Bedrock's embedding bodies have no such field. */
  user?: string | null | undefined;
  /** Cohere Embed only (default "search_document"): refused for other families. */
  input_type?: EmbeddingInputType | null | undefined;
}

/** A request for numbers: encoding_format "float", null or left out (what `create()` answers with a CreateEmbeddingResponse). */
export type FloatEmbeddingCreateParams = EmbeddingCreateParams & { encoding_format?: "float" | null | undefined };

/** A request for base64 vectors (what `create()` answers with a Base64EmbeddingResponse). */
export type Base64EmbeddingCreateParams = EmbeddingCreateParams & { encoding_format: "base64" };

/** A vector as numbers, as OpenAI's `Embedding` is. */
export interface Embedding {
  object: "embedding";
  index: number;
  embedding: number[];
}

/** A vector under encoding_format "base64": its little-endian float32 values, base64-encoded. */
export interface Base64Embedding {
  object: "embedding";
  index: number;
  embedding: string;
}

/** The answer to a request for numbers: OpenAI's CreateEmbeddingResponse. */
export interface CreateEmbeddingResponse {
  object: "list";
  data: Embedding[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

/** The answer to a request for base64 vectors (openai 7's Base64EmbeddingResponse). */
export interface Base64EmbeddingResponse {
  object: "list";
  data: Base64Embedding[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}
