// OpenAI's Images API shapes (CreateImageRequest, CreateImageEditRequest,
// CreateImageVariationRequest, ImagesResponse), as bedrock.images.generate, edit and
// createVariation take and return them. The fields Bedrock's image models cannot honour are in the
// type (openai 7's too), so that OpenAI's params pass as they are with the model named, and refused
// at run time with a 400 naming them.

/** The fields image generation and edits share. */
export interface ImageDrawParams {
  /**
   * `bedrock/image/<model-id>` or a models-table name on the image route. Required, though openai's
   * types make it optional: OpenAI falls back to its own default model, and no Bedrock image model
   * is a default here. Typed openai params go in with it named (`OpenAI.ImageGenerateParams & { model: string }`).
   */
  model: string;
  /** What to draw (Nova Canvas: 1 to 1,024 characters; Titan Image Generator v2: 1 to 512; Stability's models, Stable Image Inpaint too: 1 to 10,000). */
  prompt: string;
  /** Images to make, 1 to the model's bound (5 for Nova Canvas, Titan and Stability's models); default 1. */
  n?: number | null | undefined;
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
  /** 100 (the default) only, which changes nothing: it applies to jpeg and webp, and the models answer PNG. */
  output_compression?: number | null | undefined;
  /** false only: the answer is not streamed. */
  stream?: boolean | null | undefined;
  /** 0 (the default) only: the answer is not streamed. */
  partial_images?: number | null | undefined;
  /**
   * Drops the refused fields that change only how the image is drawn (style, background,
   * moderation, input_fidelity, output_compression, partial_images, a quality the model lacks) instead of
   * refusing them; over the model's drop_params and the client's dropParams. Never sent.
   */
  drop_params?: boolean | null | undefined;
  /** Accepted as OpenAI does, and not sent on: Bedrock's image bodies have no such field. */
  user?: string | null | undefined;
  /** openai 7's successor to `user`, accepted and not sent as `user` is. */
  safety_identifier?: string | null | undefined;
  /**
   * Bedrock's `seed`, an extension: the same prompt and seed draw the same image. Nova Canvas takes
   * 0 to 858,993,459, Titan 0 to 2,147,483,646, Stability 0 to 4,294,967,294 (its 0 is random; its n
   * images are drawn with seed, seed + 1…). Without it each request draws new images, as OpenAI's
   * do: Nova and Titan are sent a random seed, Stability none (it draws a random one).
   */
  seed?: number | null | undefined;
}

export interface ImageGenerateParams extends ImageDrawParams {
  /** `WIDTHxHEIGHT` the model can draw, or "auto" (default): 1024x1024. */
  size?: string | null | undefined;
  /** "auto" only: Bedrock's content filters cannot be lowered. */
  moderation?: "low" | "auto" | null | undefined;
  /** Refused: no Bedrock image model has dall-e-3's vivid or natural style. */
  style?: "vivid" | "natural" | null | undefined;
  /** openai 7's planning effort: refused by name (unknown_parameter), no Bedrock image model has one. */
  complexity?: "low" | "medium" | "high" | null | undefined;
  /** openai 7's gif frames: refused by name (unknown_parameter), as gif output is. */
  frame_count?: number | null | undefined;
  /** openai 7's gif frame delay: refused by name (unknown_parameter), as gif output is. */
  frame_duration_ms?: number | null | undefined;
  /** openai 7's svg author: refused by name (unknown_parameter), as svg output is. */
  svg?: object | null | undefined;
}

/**
 * An image sent to be edited: a Blob or File (the openai package's `toFile` makes one), its bytes,
 * or a base64 data URL (`data:image/png;base64,…`).
 */
export type ImageInput = Blob | Uint8Array | ArrayBuffer | string;

export interface ImageEditParams extends ImageDrawParams {
  /**
   * The image to edit, a PNG or a JPEG of a size the model takes (Stable Image Inpaint: at least 64
   * pixels a side); an array of one is taken as it. Sent to Bedrock as an 8-bit RGB PNG (a JPEG as
   * it is): its transparency is sent as the mask, not in the image.
   */
  image: ImageInput | readonly ImageInput[];
  /**
   * A PNG of the image's size whose fully transparent pixels (alpha 0) mark what to change, as
   * OpenAI's. Without it, the image's own fully transparent pixels do; an edit with neither is
   * refused (Bedrock's inpainting needs to know what to change). Sent as a black-and-white mask of
   * the same pixels: black where to change for Nova Canvas and Titan, white for Stable Image Inpaint.
   */
  mask?: ImageInput | null | undefined;
  /** The image's own `WIDTHxHEIGHT` or "auto" (default): an edit is drawn at its image's size. */
  size?: string | null | undefined;
  /** "low" (the default) only: Bedrock's inpainting has no such setting. */
  input_fidelity?: "high" | "low" | null | undefined;
}

/** OpenAI's CreateImageVariationRequest, as Nova Canvas's and Titan's IMAGE_VARIATION take it. */
export interface ImageVariationParams {
  /** `bedrock/image/<model-id>` or a models-table name on the image route: Nova Canvas or Titan Image Generator v2. */
  model: string;
  /** The image to vary, a PNG or a JPEG (an array of one is taken as it); sent as edit() sends one. */
  image: ImageInput | readonly ImageInput[];
  /** Images to make, 1 to the model's 5; default 1. */
  n?: number | null | undefined;
  /** `WIDTHxHEIGHT` the model can draw, as generate() takes it; default 1024x1024. */
  size?: string | null | undefined;
  /** "b64_json" (the default here); "url" is refused: no files are hosted. */
  response_format?: "url" | "b64_json" | null | undefined;
  /** Accepted as OpenAI does, and not sent on. */
  user?: string | null | undefined;
  /** Bedrock's `seed`, an extension, as generate() takes it (Nova Canvas 0 to 858,993,459, Titan 0 to 2,147,483,646). */
  seed?: number | null | undefined;
  /** As generate()'s; nothing in a variation request is dropped by it. Never sent. */
  drop_params?: boolean | null | undefined;
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
