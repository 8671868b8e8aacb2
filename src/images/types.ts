// OpenAI's Images API shapes (CreateImageRequest, CreateImageEditRequest, ImagesResponse), as
// bedrock.images.generate and edit take and return them. The fields Bedrock's image models cannot honour are in the type, so
// that OpenAI's params pass as they are, and refused at run time with a 400 naming them.

/** The fields image generation and edits share. */
export interface ImageDrawParams {
  /** `bedrock/image/<model-id>` or a models-table name on the image route. */
  model: string;
  /** What to draw (Nova Canvas: 1 to 1,024 characters; Titan Image Generator v2: 1 to 512; Stability's models: 1 to 10,000). */
  prompt: string;
  /** Images to make, 1 to the model's bound (5 for Nova Canvas and Titan); default 1. */
  n?: number | null | undefined;
  /** "standard", "low", "medium", "auto" (default): Bedrock's standard; "hd", "high": premium. */
  quality?: "standard" | "hd" | "low" | "medium" | "high" | "auto" | null | undefined;
  /** "b64_json" (the default here, as gpt-image models answer); "url" is refused: no files are hosted. */
  response_format?: "url" | "b64_json" | null | undefined;
  /** "png" only: Bedrock's image models answer PNG. */
  output_format?: "png" | "jpeg" | "webp" | null | undefined;
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
}

/**
 * An image sent to be edited: a Blob or File (the openai package's `toFile` makes one), its bytes,
 * or a base64 data URL (`data:image/png;base64,…`).
 */
export type ImageInput = Blob | Uint8Array | ArrayBuffer | string;

export interface ImageEditParams extends ImageDrawParams {
  /**
   * The image to edit, a PNG or a JPEG of a size the model takes; an array of one is taken as it.
   * Sent to Bedrock as an 8-bit RGB PNG (a JPEG as it is): Bedrock's models take no transparency.
   */
  image: ImageInput | readonly ImageInput[];
  /**
   * A PNG of the image's size whose fully transparent pixels (alpha 0) mark what to change, as
   * OpenAI's. Without it, the image's own fully transparent pixels do; an edit with neither is
   * refused (Bedrock's inpainting needs to know what to change).
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

export interface Image {
  /** The image, a PNG, base64-encoded. */
  b64_json: string;
}

export interface ImagesResponse {
  /** Unix seconds. */
  created: number;
  data: Image[];
  output_format: "png";
}
