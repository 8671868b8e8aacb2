// InvokeModel on Bedrock's embedding models: Titan Text Embeddings V1 and V2 (one text a call)
// and Cohere Embed v3 and v4 (up to 96 texts). Vectors are deterministic, made from a hash of each text,
// so a test can compute what it should get; the body is checked as Bedrock checks it, a bad one
// refused with its "Malformed input request" ValidationException.

import type { Call } from "./call.ts";
import { foundationId } from "./converse-model-features.ts";
import { parseConverseModelId } from "./converse-model-id.ts";
import { awsError } from "./errors.ts";
import { hashNumber } from "./hash.ts";
import { fail, jsonResponse } from "./responses.ts";

export type EmbeddingModel = "titan_v2" | "titan_v1" | "cohere" | "cohere_v4";

// The embedding models' foundation ids (read as converse-model-id.ts reads any model id).
const EMBEDDING_ID =
  /^(amazon\.titan-embed-text-v2:0|amazon\.titan-embed-text-v1|cohere\.embed-(?:english|multilingual)-v3|cohere\.embed-v4:0)$/;

/**
 * The embedding model an id names: its foundation id bare, with a cross-region geography
 * (`us.cohere.embed-v4:0`, how v4 is usually called; only Bedrock's geographies), or in an ARN, or
 * an application inference profile or a provisioned model told what it serves
 * (`…/a1b2c3d4e5f6+<id>`), each as Converse reads it; undefined for every other id, and for one
 * with the emulator's options, which embeddings do not take.
 */
export function embeddingModel(modelId: string): EmbeddingModel | undefined {
  const target = parseConverseModelId(modelId);
  if (!target) return undefined;
  if (target.modelId !== (target.serves ? `${target.name}+${target.serves}` : target.name)) return undefined;
  const id = EMBEDDING_ID.exec(foundationId(target) ?? "")?.[1];
  if (id === undefined) return undefined;
  if (id.startsWith("cohere.embed-v4")) return "cohere_v4";
  if (id.startsWith("cohere.")) return "cohere";
  return id.endsWith("v2:0") ? "titan_v2" : "titan_v1";
}

const TITAN_V2_DIMENSIONS = [256, 512, 1024] as const;
const TITAN_V1_DIMENSIONS = 1536;
const COHERE_DIMENSIONS = 1024;
const COHERE_V4_DIMENSIONS = [256, 512, 1024, 1536] as const;
export const COHERE_MAX_TEXTS = 96;
const COHERE_INPUT_TYPES = ["search_document", "search_query", "classification", "clustering"];
const TITAN_MAX_CHARS = 50_000;
/** Titan Text Embeddings' context, V1 and V2 alike, in the emulator's count (embeddingTokens). */
const TITAN_MAX_TOKENS = 8192;
const COHERE_MAX_CHARS = 2048;

/** A text's tokens as the emulator counts them: one per 4 characters, at least one. */
export function embeddingTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/**
 * The emulator's vector of a text: `size` values in [-1, 1) from a generator seeded by the text's
 * hash, scaled to length 1 when `normalize`. Exported so that tests compute what they should get.
 */
export function emulatedVector(text: string, size: number, normalize: boolean): number[] {
  let state = hashNumber(text);
  const values: number[] = [];
  for (let index = 0; index < size; index++) {
    // mulberry32: a small generator whose output depends only on the seed.
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), state | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    values.push((((mixed ^ (mixed >>> 14)) >>> 0) / 2 ** 32) * 2 - 1);
  }
  if (!normalize) return values;
  const length = Math.hypot(...values);
  return values.map((value) => value / length);
}

const malformed = (detail: string) => `Malformed input request: ${detail}, please reformat your input and try again.`;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Titan's body -> its problem, or undefined. */
function titanProblem(body: Record<string, unknown>, model: EmbeddingModel): string | undefined {
  const allowed = model === "titan_v2" ? ["inputText", "dimensions", "normalize", "embeddingTypes"] : ["inputText"];
  const extra = Object.keys(body).find((key) => !allowed.includes(key));
  if (extra !== undefined) return malformed(`extraneous key [${extra}] is not permitted`);
  const { inputText, dimensions, normalize } = body;
  if (typeof inputText !== "string") return malformed("#: required key [inputText] not found");
  if (inputText.length === 0) return malformed("#/inputText: expected minLength: 1, actual: 0");
  if (inputText.length > TITAN_MAX_CHARS) {
    return malformed(`#/inputText: expected maxLength: ${TITAN_MAX_CHARS}, actual: ${inputText.length}`);
  }
  // Titan's own words for a text past its context (aws-samples/amazon-bedrock-workshop#136).
  const tokens = embeddingTokens(inputText);
  if (tokens > TITAN_MAX_TOKENS) {
    return `400 Bad Request: Too many input tokens. Max input tokens: ${TITAN_MAX_TOKENS}, request input token count: ${tokens}`;
  }
  if (dimensions !== undefined && !(TITAN_V2_DIMENSIONS as readonly unknown[]).includes(dimensions)) {
    return malformed(`#/dimensions: ${JSON.stringify(dimensions)} is not a valid enum value`);
  }
  if (normalize !== undefined && typeof normalize !== "boolean") {
    return malformed("#/normalize: expected type: Boolean");
  }
  return undefined;
}

/** Cohere's body -> its problem, or undefined. v4 takes output_dimension and longer texts. */
function cohereProblem(body: Record<string, unknown>, model: EmbeddingModel): string | undefined {
  const v4 = model === "cohere_v4";
  const allowed = [
    "texts",
    "input_type",
    "truncate",
    "embedding_types",
    ...(v4 ? ["output_dimension", "max_tokens"] : []),
  ];
  const extra = Object.keys(body).find((key) => !allowed.includes(key));
  if (extra !== undefined) return malformed(`extraneous key [${extra}] is not permitted`);
  const { texts, input_type } = body;
  if (!Array.isArray(texts)) return malformed("#: required key [texts] not found");
  if (texts.length === 0) return malformed("#/texts: expected minimum item count: 1, found: 0");
  if (texts.length > COHERE_MAX_TEXTS) {
    return malformed(`#/texts: expected maximum item count: ${COHERE_MAX_TEXTS}, found: ${texts.length}`);
  }
  for (const [index, text] of texts.entries()) {
    if (typeof text !== "string") return malformed(`#/texts/${index}: expected type: String`);
    if (text.length === 0) return malformed(`#/texts/${index}: expected minLength: 1, actual: 0`);
    if (!v4 && text.length > COHERE_MAX_CHARS) {
      return malformed(`#/texts/${index}: expected maxLength: ${COHERE_MAX_CHARS}, actual: ${text.length}`);
    }
  }
  if (input_type === undefined) return malformed("#: required key [input_type] not found");
  if (!COHERE_INPUT_TYPES.includes(input_type as string)) {
    return malformed(`#/input_type: ${JSON.stringify(input_type)} is not a valid enum value`);
  }
  const { output_dimension: size } = body;
  if (size !== undefined && !(COHERE_V4_DIMENSIONS as readonly unknown[]).includes(size)) {
    return malformed(`#/output_dimension: ${JSON.stringify(size)} is not a valid enum value`);
  }
  return undefined;
}

/** InvokeModel on an embedding model; its streamed operation is refused, as Bedrock does. */
export function embed(call: Call, model: EmbeddingModel, json: unknown, stream: boolean): Response {
  if (stream) return fail(call, awsError("ValidationException", "The model is unsupported for streaming."));
  if (!isObject(json)) return fail(call, awsError("ValidationException", malformed("#: expected type: JSONObject")));
  const cohere = model === "cohere" || model === "cohere_v4";
  const problem = cohere ? cohereProblem(json, model) : titanProblem(json, model);
  if (problem) return fail(call, awsError("ValidationException", problem));
  if (cohere) {
    const texts = json.texts as string[];
    const tokens = texts.reduce((sum, text) => sum + embeddingTokens(text), 0);
    const size = model === "cohere_v4" ? ((json.output_dimension as number | undefined) ?? 1536) : COHERE_DIMENSIONS;
    const vectors = texts.map((text) => emulatedVector(text, size, true));
    // With embedding_types, Cohere answers by type ({float: [...]}); without, the list itself.
    const byType = json.embedding_types !== undefined;
    return jsonResponse(
      call,
      {
        embeddings: byType ? { float: vectors } : vectors,
        id: call.requestId,
        response_type: byType ? "embeddings_by_type" : "embeddings_floats",
        texts,
      },
      { "x-amzn-bedrock-input-token-count": String(tokens) },
    );
  }
  const text = json.inputText as string;
  const size = model === "titan_v2" ? ((json.dimensions as number | undefined) ?? 1024) : TITAN_V1_DIMENSIONS;
  // V2 normalises unless told not to; V1 never does.
  const normalize = model === "titan_v2" && json.normalize !== false;
  const embedding = emulatedVector(text, size, normalize);
  const tokens = embeddingTokens(text);
  return jsonResponse(
    call,
    {
      embedding,
      inputTextTokenCount: tokens,
      ...(model === "titan_v2" ? { embeddingsByType: { float: embedding } } : {}),
    },
    { "x-amzn-bedrock-input-token-count": String(tokens) },
  );
}
