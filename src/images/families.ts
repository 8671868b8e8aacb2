// Bedrock's image families, read from the model id: the sizes each draws, its bounds, its
// InvokeModel bodies and its answer. Nova Canvas and Titan Image Generator v2 share one body
// ({taskType: "TEXT_IMAGE", textToImageParams, imageGenerationConfig}) for all n images and answer
// {images}; Stability's models (SD3.5 Large, Stable Image Core and Ultra) draw one image a call
// from {prompt, aspect_ratio, output_format, seed?} and answer {images, finish_reasons, seeds}.
// Stability's Stable Image Inpaint (one of AWS's "Stability AI Image Services") draws nothing from
// a prompt alone: it edits, one image a call from {prompt, image, mask, output_format, seed?},
// answered as Stability's others are.
import { redactSecrets } from "../bedrock-errors.ts";
import { BedrockEdgeError, badUpstream, invalidRequest, shownText } from "../errors.ts";
import type { JsonObject } from "../json.ts";
import type { InpaintingInputs } from "./edit-images.ts";
import type { ImageDrawParams, ImageGenerateParams } from "./types.ts";

import { type ImageFamily, imageFamily } from "../routes/image-family-ids.ts";

export interface ImageSize {
  width: number;
  height: number;
  /** Stability's aspect_ratio, which it draws at its own pixels (width and height above). */
  ratio?: string;
}

interface FamilySpec {
  name: string;
  /** The prompt's longest, in characters, as Bedrock documents it. */
  maxPrompt: number;
  /** numberOfImages' bound. */
  maxImages: number;
  /** The largest seed it takes (from 0). */
  maxSeed: number;
  /** The size the model draws for the one asked, or why it cannot draw that one. */
  fit(size: ImageSize): ImageSize | string;
}

/** Titan Image Generator v2's sizes, as Bedrock lists them. */
const TITAN_SIZES = [
  "1024x1024",
  "768x768",
  "512x512",
  "768x1152",
  "384x576",
  "1152x768",
  "576x384",
  "768x1280",
  "384x640",
  "1280x768",
  "640x384",
  "896x1152",
  "448x576",
  "1152x896",
  "576x448",
  "768x1408",
  "384x704",
  "1408x768",
  "704x384",
  "640x1408",
  "320x704",
  "1408x640",
  "704x320",
  "1152x640",
  "1173x640",
];

/** Nova Canvas's user guide: "the total pixel count must be less than 4,194,304", so not 2048x2048. */
const NOVA_PIXEL_BOUND = 4_194_304;

const FAMILIES: Record<ImageFamily, FamilySpec> = {
  nova_canvas: {
    name: "Amazon Nova Canvas",
    maxPrompt: 1024,
    maxImages: 5,
    // Nova's request page states no seed bound; AWS's own Nova Canvas examples draw from 0 to this.
    maxSeed: 858_993_459,
    fit(size) {
      const { width, height } = size;
      const fits =
        [width, height].every((side) => side >= 320 && side <= 4096 && side % 16 === 0) &&
        width <= 4 * height &&
        height <= 4 * width &&
        width * height < NOVA_PIXEL_BOUND;
      return fits
        ? size
        : "it takes WIDTHxHEIGHT with each side from 320 to 4096 and a multiple of 16, a ratio between 1:4 and 4:1, and fewer than 4,194,304 pixels (as 1024x1024, 1536x1024, 1024x1536, 1792x1024 or 2048x1536)";
    },
  },
  titan_image_v2: {
    name: "Amazon Titan Image Generator v2",
    maxPrompt: 512,
    maxImages: 5,
    maxSeed: 2_147_483_646,
    fit(size) {
      return TITAN_SIZES.includes(`${size.width}x${size.height}`) ? size : `it takes one of ${TITAN_SIZES.join(", ")}`;
    },
  },
  stability: {
    name: "Stability AI's image models",
    maxPrompt: 10_000,
    maxImages: 5,
    // Its 0 is a random seed, drawn anew on each call.
    maxSeed: 4_294_967_294,
    fit({ width, height }) {
      const divisor = gcd(width, height);
      const ratio = `${width / divisor}:${height / divisor}`;
      const drawn = STABILITY_RATIOS.find(([name, w, h]) => name === ratio || (w === width && h === height));
      if (drawn) return { ratio: drawn[0], width: drawn[1], height: drawn[2] };
      return `it takes a size of one of its aspect ratios (${STABILITY_RATIOS.map(([name]) => name).join(", ")}), as 1024x1024 or 1536x1024, and draws about a megapixel at that ratio (${STABILITY_RATIOS.map(([, w, h]) => `${w}x${h}`).join(", ")})`;
    },
  },
  // Stability's API reference for Inpaint (AWS's "Stability AI Image Services" page refers to it;
  // its answer is that page's {images, finish_reasons, seeds}): a prompt of up to 10,000
  // characters, seeds 0 to 4,294,967,294 (0 random), one image a call.
  stability_inpaint: {
    name: "Stability AI's Stable Image Inpaint",
    maxPrompt: 10_000,
    maxImages: 5,
    maxSeed: 4_294_967_294,
    // Never reached: generation and variations refuse the model before a size is read (client.ts).
    fit: () => "it draws no image from a prompt alone: it edits one (images.edit)",
  },
};

/**
 * Stable Image Inpaint's image: "every side must be at least 64 pixels" (Stability's API reference
 * for Inpaint, which AWS's "Stability AI Image Services" page refers to). Its bound of 9,437,184
 * pixels is past the 4,194,304 any input may have here (edit-images.ts), so never reached.
 */
const INPAINT_MIN_SIDE = 64;

/**
 * The most images (`n`) one request may ask of the model `modelId` names (its family's
 * numberOfImages bound); undefined for an id that names no image family (refused at its call).
 */
export function mostImagesOf(modelId: string): number | undefined {
  const family = imageFamily(modelId);
  return family && FAMILIES[family].maxImages;
}

/** Stability's text-to-image models and its inpaint model: one image a call, one quality, its seeds. */
export function isStability(family: ImageFamily): family is "stability" | "stability_inpaint" {
  return family === "stability" || family === "stability_inpaint";
}

/** Stability's aspect ratios, each with the pixels it draws at that ratio (about a megapixel). */
const STABILITY_RATIOS: readonly (readonly [string, number, number])[] = [
  ["1:1", 1024, 1024],
  ["16:9", 1344, 768],
  ["21:9", 1536, 640],
  ["2:3", 832, 1216],
  ["3:2", 1216, 832],
  ["4:5", 896, 1088],
  ["5:4", 1088, 896],
  ["9:16", 768, 1344],
  ["9:21", 640, 1536],
];

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** What "auto" (or no size) asks for: every family's default (Stability's 1:1). */
const DEFAULT_SIZE: ImageSize = { width: 1024, height: 1024 };

/** The request's size as the family draws it; one it cannot is a 400 naming `size` and what it takes. */
export function imageSize(size: string | null | undefined, family: ImageFamily): ImageSize {
  const spec = FAMILIES[family];
  if (size == null || size === "auto") return spec.fit(DEFAULT_SIZE) as ImageSize;
  const parsed = /^([1-9]\d{0,4})x([1-9]\d{0,4})$/.exec(size);
  const fitted = parsed
    ? spec.fit({ width: Number(parsed[1]), height: Number(parsed[2]) })
    : "it takes WIDTHxHEIGHT, as 1024x1024, or auto";
  if (typeof fitted === "string") {
    throw invalidRequest(
      `size is not one ${spec.name} draws (got ${shownText(size, 40, "a value")}): ${fitted}.`,
      "size",
    );
  }
  return fitted;
}

/** OpenAI's qualities onto Bedrock's two: hd and high are premium, the rest standard. */
function bedrockQuality(quality: ImageDrawParams["quality"]): "standard" | "premium" {
  return quality === "hd" || quality === "high" ? "premium" : "standard";
}

/**
 * The most pixels one answer may hold (n × width × height): five of 1024x1024, or one of Nova's
 * largest. A Nova Canvas PNG is about 1.5 bytes a pixel, a third more as base64, and the answer
 * is held whole, read and written again, in a Worker isolate of 128 MB for every request it serves.
 */
export const MAX_ANSWER_PIXELS = 5 * 1024 * 1024;

/** What checkForFamily reads of a request: a variation's has no prompt. */
type FamilyChecked = Pick<ImageDrawParams, "n" | "quality" | "seed"> & { prompt?: string | undefined };

/** Refuses what the family cannot honour, before any call: the prompt's length, n, the answer's size. */
export function checkForFamily(request: FamilyChecked, family: ImageFamily, size: ImageSize, drop: boolean): void {
  checkFields(request, family, drop);
  checkAnswerSize(request.n ?? 1, size);
}

/**
 * What checkForFamily refuses from the request's fields and the family alone (the prompt's
 * length, quality, seed, n): an edit checks it before its image is decoded.
 */
export function checkFields(request: FamilyChecked, family: ImageFamily, drop: boolean): void {
  const spec = FAMILIES[family];
  if (request.prompt !== undefined && request.prompt.length > spec.maxPrompt) {
    throw invalidRequest(
      `prompt is ${request.prompt.length} characters, and ${spec.name} takes at most ${spec.maxPrompt}. Shorten it.`,
      "prompt",
    );
  }
  // Stability's models draw at one quality: premium cannot be had (under drop_params, not asked for).
  if (isStability(family) && !drop && (request.quality === "hd" || request.quality === "high")) {
    throw invalidRequest(
      `quality "${request.quality}" is not supported: Stability AI's image models draw at one quality. Ask for "standard" or "auto", or leave it out (or set drop_params to drop it).`,
      "quality",
      "unsupported_parameter",
    );
  }
  if (request.seed != null && request.seed > spec.maxSeed) {
    throw invalidRequest(`seed must be at most ${spec.maxSeed} for ${spec.name} (got ${request.seed}).`, "seed");
  }
  const n = request.n ?? 1;
  if (n > spec.maxImages) {
    throw invalidRequest(`n must be at most ${spec.maxImages} for ${spec.name} (got ${n}).`, "n");
  }
}

/** An answer of `n` images of `size` is held whole: past MAX_ANSWER_PIXELS, a 400 naming `n`. */
function checkAnswerSize(n: number, size: ImageSize): void {
  if (n * size.width * size.height > MAX_ANSWER_PIXELS) {
    const fit = Math.floor(MAX_ANSWER_PIXELS / (size.width * size.height));
    throw invalidRequest(
      `${n} images of ${size.width}x${size.height} would make an answer of more than ${MAX_ANSWER_PIXELS} pixels: ask for ${fit > 0 ? `at most ${fit}` : "a smaller size"}.`,
      "n",
      "too_many_images",
    );
  }
}

/** A seed from 0 to `max`, as AWS's examples send one on each call. */
function randomSeed(max: number): number {
  const [value = 0] = crypto.getRandomValues(new Uint32Array(1));
  return value % (max + 1);
}

/**
 * The InvokeModel bodies of a request: one for all n images, or Stability's one per image. A
 * request without a seed draws new images each time, as OpenAI's do: Nova's and Titan's body gets
 * a random seed (their own default is one fixed seed, 12 or 42, which drew the same image for the
 * same prompt every time), Stability's none (its default, 0, is a random seed on each call). A
 * request's seed is sent as it is, Stability's counted up from it so that the n images differ
 * (past its largest, on from 1: its 0 is random); Stability's seed 0 is its random one, sent as none.
 */
export function imageBodies(
  request: ImageGenerateParams,
  family: Exclude<ImageFamily, "stability_inpaint">,
  size: ImageSize,
  random: (max: number) => number = randomSeed,
): Record<string, unknown>[] {
  const { maxSeed } = FAMILIES[family];
  if (family !== "stability") return [novaBody(request, size, request.seed ?? random(maxSeed))];
  return Array.from({ length: request.n ?? 1 }, (_, index) =>
    withStabilitySeed({ prompt: request.prompt, aspect_ratio: size.ratio, output_format: "png" }, request, index),
  );
}

/**
 * Stability's body of image `index`, its seed as imageBodies says: the request's counted up (past
 * its largest, on from 1), none for 0 or none (Stability's 0 is random).
 */
function withStabilitySeed(
  body: Record<string, unknown>,
  request: Pick<ImageDrawParams, "seed">,
  index: number,
): Record<string, unknown> {
  const seed = request.seed ?? 0;
  if (seed > 0) body.seed = 1 + ((seed - 1 + index) % FAMILIES.stability.maxSeed);
  return body;
}

/**
 * Stable Image Inpaint's bodies for an edit, one a call for each of n images (Stability's API
 * reference for Inpaint: prompt and image required, mask optional): the image and its mask
 * (edit-images.ts, white where to redraw), the prompt, PNG asked for as generation asks, the seed as
 * imageBodies counts Stability's. Its optional negative_prompt, style_preset and grow_mask have no
 * OpenAI field: not sent (grow_mask keeps Stability's default).
 */
export function stabilityInpaintBodies(request: ImageDrawParams, inputs: InpaintingInputs): Record<string, unknown>[] {
  return Array.from({ length: request.n ?? 1 }, (_, index) =>
    withStabilitySeed(
      { prompt: request.prompt, image: inputs.image, mask: inputs.maskImage, output_format: "png" },
      request,
      index,
    ),
  );
}

/** Nova Canvas and Titan, which share their bodies. */
type AmazonFamily = "nova_canvas" | "titan_image_v2";

/** Nova Canvas's and Titan's body. */
function novaBody(request: ImageGenerateParams, size: ImageSize, seed: number): Record<string, unknown> {
  const config = { ...novaConfig(request, seed), width: size.width, height: size.height };
  return { taskType: "TEXT_IMAGE", textToImageParams: { text: request.prompt }, imageGenerationConfig: config };
}

/** What every Nova Canvas and Titan task's imageGenerationConfig says, but TEXT_IMAGE's size. */
function novaConfig(request: Pick<ImageDrawParams, "n" | "quality">, seed: number): Record<string, unknown> {
  return { numberOfImages: request.n ?? 1, quality: bedrockQuality(request.quality), seed };
}

/**
 * Nova Canvas's and Titan's INPAINTING body for an edit: its image and mask (edit-images.ts), the
 * prompt as what to draw in the mask, and no size (the image's own is drawn). A seed as
 * imageBodies sends one: the request's, else a random one within the family's bound.
 */
export function inpaintingBody(
  request: ImageDrawParams,
  family: AmazonFamily,
  inputs: InpaintingInputs,
  random: (max: number) => number = randomSeed,
): Record<string, unknown> {
  return {
    taskType: "INPAINTING",
    inPaintingParams: { image: inputs.image, text: request.prompt, maskImage: inputs.maskImage },
    imageGenerationConfig: novaConfig(request, request.seed ?? random(FAMILIES[family].maxSeed)),
  };
}

/**
 * Nova Canvas's and Titan's IMAGE_VARIATION body: the image (edit-images.ts) and no text (OpenAI's
 * variation has no prompt), drawn at the size asked as generation's, its seed as imageBodies sends one.
 */
export function variationBody(
  request: Pick<ImageDrawParams, "n" | "seed">,
  family: AmazonFamily,
  image: string,
  size: ImageSize,
  random: (max: number) => number = randomSeed,
): Record<string, unknown> {
  const seed = request.seed ?? random(FAMILIES[family].maxSeed);
  return {
    taskType: "IMAGE_VARIATION",
    imageVariationParams: { images: [image] },
    imageGenerationConfig: { ...novaConfig(request, seed), width: size.width, height: size.height },
  };
}

/**
 * An edit's size: the image's own, or "auto" (or none) for it; any other is a 400 naming `size`,
 * as Bedrock's inpainting (Stability's too) draws at its image's size. Stable Image Inpaint's image
 * smaller than it takes is a 400 naming `image`.
 */
export function editSize(size: string | null | undefined, inputs: InpaintingInputs, family: ImageFamily): ImageSize {
  const own = `${inputs.width}x${inputs.height}`;
  if (family === "stability_inpaint" && Math.min(inputs.width, inputs.height) < INPAINT_MIN_SIDE) {
    throw invalidRequest(
      `image is ${own}, and ${FAMILIES[family].name} takes images of at least ${INPAINT_MIN_SIDE} pixels on every side.`,
      "image",
    );
  }
  if (size != null && size !== "auto" && size !== own) {
    throw invalidRequest(
      `size is not the image's, ${own} (got ${shownText(size, 40, "a value")}): an edit is drawn at its image's size. Send ${own} or "auto", or leave it out.`,
      "size",
    );
  }
  return { width: inputs.width, height: inputs.height };
}

// Bedrock's words when its content filters refuse the prompt, or the images drawn from it.
const CONTENT_FILTERED = /blocked by our content filters|Responsible AI Policy/i;

/**
 * What the image model said, for an error: redacted with the call's secrets, as every text Bedrock
 * sends back is (an endpoint in front of Bedrock may echo the request's headers), then cut between
 * words only (errors.ts shownText), so that what the log's redaction finds it finds whole.
 */
function modelSaid(text: string, max: number, secrets: readonly string[]): string {
  return shownText(redactSecrets(text, secrets), max, "a text", false);
}

/**
 * The filters' refusal as OpenAI's content_policy_violation. `refusal` is Bedrock's error answer
 * (Nova's and Titan's ValidationException: the call was refused, and is not billed; its message
 * already redacted); without it, a reason read from a 200 answer (Stability's finish_reasons): the
 * model ran and drew the image the filter withheld, and Bedrock billed the call, so the error is
 * not tagged as Bedrock's refusal.
 */
function contentPolicyViolation(
  said: string,
  secrets: readonly string[],
  refusal?: BedrockEdgeError,
): BedrockEdgeError {
  return new BedrockEdgeError({
    status: 400,
    code: "content_policy_violation",
    param: "prompt",
    message: `Bedrock's content filters refused this request (the prompt, or the images drawn from it). Bedrock said: ${modelSaid(said, 500, secrets)}`,
    ...(refusal ? { bedrockError: refusal.bedrockError, fromBedrock: true, cause: refusal } : {}),
  });
}

/** Bedrock's content-filter refusal as OpenAI's content_policy_violation; any other error as it is. */
export function contentPolicyError(error: unknown): unknown {
  if (
    error instanceof BedrockEdgeError &&
    error.status === 400 &&
    error.bedrockError === "ValidationException" &&
    CONTENT_FILTERED.test(error.message)
  ) {
    return contentPolicyViolation(error.message, [], error);
  }
  return error;
}

/**
 * An answer -> its base64 images, as many as its body asked; anything else is a 502 (or the
 * filters' 400). `secrets` are the answering call's: what the answer says is redacted with them.
 */
export function answerImages(json: JsonObject, asked: number, secrets: readonly string[] = []): string[] {
  const { images, error, finish_reasons: reasons } = json;
  // Stability says why an image was not drawn: "Filter reason: prompt", "Filter reason: output image"…
  const reason = Array.isArray(reasons) ? reasons.find((item) => typeof item === "string") : undefined;
  if (typeof reason === "string") {
    if (reason.startsWith("Filter reason")) throw contentPolicyViolation(reason, secrets);
    throw badUpstream(`The image model drew no image: ${modelSaid(reason, 300, secrets)}`);
  }
  if (Array.isArray(images) && images.length === asked && images.every((image) => typeof image === "string" && image)) {
    return images as string[];
  }
  if (typeof error === "string" && CONTENT_FILTERED.test(error)) throw contentPolicyViolation(error, secrets);
  throw badUpstream(
    `The image model answered without ${asked} images${typeof error === "string" ? `: ${modelSaid(error, 300, secrets)}` : "."}`,
  );
}
