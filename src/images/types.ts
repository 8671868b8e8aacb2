// OpenAI's Images API shapes (CreateImageRequest, ImagesResponse), as bedrock.images.generate
// takes and returns them. The fields Bedrock's image models cannot honour are in the type (openai
// 7's too), so that OpenAI's params pass as they are with the model named, and refused at run time
// with a 400 naming them.

export interface ImageGenerateParams {
  /**
   * `bedrock/image/<model-id>` or a models-table name on the image route. Required, though openai's
   * types make it optional: OpenAI falls back to its own default model, and no Bedrock image model
   * is a default here. Typed openai params go in with it named (`OpenAI.ImageGenerateParams & { model: string }`).
   */
  model: string;
  /** What to draw (Nova Canvas: 1 to 1,024 characters; Titan Image Generator v2: 1 to 512; Stability's models: 1 to 10,000). */
  prompt: string;
  /** Images to make, 1 to the model's bound (5 for Nova Canvas, Titan and Stability's models); default 1. */
  n?: number | null | undefined;
  /** `WIDTHxHEIGHT` the model can draw, or "auto" (default): 1024x1024. */
  size?: string | null | undefined;
  /**
   * "standard", "low", "medium", "auto" (default): Bedrock's standard; "hd", "high": premium.
   * openai 7's "xhigh" and "max" are refused: premium is the best Bedrock's image models draw.
   */
  quality?: "standard" | "hd" | "low" | "medium" | "high" | "xhigh" | "max" | "auto" | null | undefined;
  /** "b64_json" (the default here, as gpt-image models answer); "url" is refused: no files are hosted. */
  response_format?: "url" | "b64_json" | null | undefined;
  /** "png" only: Bedrock's image models answer PNG (jpeg, webp and openai 7's gif and svg are refused). */
  output_format?: "png" | "jpeg" | "webp" | "gif" | "svg" | null | undefined;
  /** "auto" or "opaque": the models draw opaque images; "transparent" is refused. */
  background?: "transparent" | "opaque" | "auto" | null | undefined;
  /** "auto" only: Bedrock's content filters cannot be lowered. */
  moderation?: "low" | "auto" | null | undefined;
  /** 100 (the default) only, which changes nothing: it applies to jpeg and webp, and the models answer PNG. */
  output_compression?: number | null | undefined;
  /** false only: the answer is not streamed. */
  stream?: boolean | null | undefined;
  /** 0 (the default) only: the answer is not streamed. */
  partial_images?: number | null | undefined;
  /** Refused: no Bedrock image model has dall-e-3's vivid or natural style. */
  style?: "vivid" | "natural" | null | undefined;
  /**
   * Drops the refused fields that change only how the image is drawn (style, background,
   * moderation, output_compression, partial_images, a quality the model lacks) instead of
   * refusing them; over the model's drop_params and the client's dropParams. Never sent.
   */
  drop_params?: boolean | null | undefined;
  /** Accepted as OpenAI does, and not sent on: Bedrock's image bodies have no such field. */
  user?: string | null | undefined;
  /** openai 7's successor to `user`, accepted and not sent as `user` is. */
  safety_identifier?: string | null | undefined;
  /** openai 7's planning effort: refused by name (unknown_parameter), no Bedrock image model has one. */
  complexity?: "low" | "medium" | "high" | null | undefined;
  /** openai 7's gif frames: refused by name (unknown_parameter), as gif output is. */
  frame_count?: number | null | undefined;
  /** openai 7's gif frame delay: refused by name (unknown_parameter), as gif output is. */
  frame_duration_ms?: number | null | undefined;
  /** openai 7's svg author: refused by name (unknown_parameter), as svg output is. */
  svg?: object | null | undefined;
  /**
   * Bedrock's `seed`, an extension: the same prompt and seed draw the same image. Nova Canvas takes
   * 0 to 858,993,459, Titan 0 to 2,147,483,646, Stability 0 to 4,294,967,294 (its 0 is random; its n
   * images are drawn with seed, seed + 1…). Without it each request draws new images, as OpenAI's
   * do: Nova and Titan are sent a random seed, Stability none (it draws a random one).
   */
  seed?: number | null | undefined;
}

// Optional fields of openai's ImagesResponse and Image that are never set are declared too, as
// chat's result types declare theirs: code written against openai's types reads them and
// compiles, and gets undefined.

export interface Image {
  /** The image, a PNG, base64-encoded. */
  b64_json: string;
  /** Never set: the prompt is drawn as it was sent. */
  revised_prompt?: string;
  /** Never set: response_format "url" is refused. */
  url?: string;
}

export interface ImagesResponse {
  /** Unix seconds. */
  created: number;
  data: Image[];
  output_format: "png";
  /** Never set. */
  background?: "transparent" | "opaque";
  /** Never set. */
  quality?: "low" | "medium" | "high";
  /** Never set. */
  size?: "1024x1024" | "1024x1536" | "1536x1024";
  /** Never set: Bedrock's image models answer no token counts. */
  usage?: ImagesUsage;
  /** Never set (openai 7). */
  safety_identifier?: string | null;
  /** Never set (openai 7). */
  svg_usage?: {
    input_tokens: number;
    model: string;
    output_tokens: number;
    reasoning_tokens: number;
    total_tokens: number;
  };
}

/** OpenAI's image token counts (ImagesResponse.usage): never set. */
export interface ImagesUsage {
  input_tokens: number;
  input_tokens_details: { image_tokens: number; text_tokens: number };
  output_tokens: number;
  total_tokens: number;
  output_tokens_details?: { image_tokens: number; text_tokens: number };
}
