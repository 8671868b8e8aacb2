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
  /** The vectors' length, where the model takes one (Titan Text Embeddings V2: 256, 512, 1024). */
  dimensions?: number | null | undefined;
  /** Default "float"; "base64" is each vector's little-endian float32 bytes, base64-encoded. */
  encoding_format?: "float" | "base64" | null | undefined;
  /** Accepted as OpenAI does, and not sent on: Bedrock's embedding bodies have no such field. */
  user?: string | null | undefined;
  /** Cohere Embed only (default "search_document"): refused for other families. */
  input_type?: EmbeddingInputType | null | undefined;
}

export interface Embedding {
  object: "embedding";
  index: number;
  /** Numbers, or a base64 string of little-endian float32 values under encoding_format "base64". */
  embedding: number[] | string;
}

export interface CreateEmbeddingResponse {
  object: "list";
  data: Embedding[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}
