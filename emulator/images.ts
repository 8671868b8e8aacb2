// InvokeModel on Bedrock's image models: Amazon Nova Canvas and Titan Image Generator v2, which
// share one body ({taskType: "TEXT_IMAGE", textToImageParams, imageGenerationConfig}, or
// "INPAINTING" with inPaintingParams: {image, text?, maskImage | maskPrompt}, drawn at the image's
// size, its image and mask read and checked; or "IMAGE_VARIATION" with imageVariationParams:
// {images, text?, similarityStrength?}, drawn at the config's size) and answer {images: [base64 PNG…]}, and Stability's SD3.5 Large, Stable Image Core and Ultra ({prompt,
// aspect_ratio?, seed?, output_format?, negative_prompt?, mode?} -> one image, with
// finish_reasons and seeds), and Stability's Stable Image Inpaint ({prompt, image, mask?, …} -> one
// image of the input's size, answered as Stability's others are). Each image is a small deterministic grayscale PNG of the asked size,
// its pixels made from a hash of the prompt, the seed and the image's index, so that a test can
// compute what it should get. Bodies are checked as Bedrock documents them, a bad one refused
// with a ValidationException; a prompt holding "[blocked]" is refused as Bedrock's content
// filters refuse one (Stability's: in finish_reasons).

import type { Call } from "./call.ts";
import { awsError } from "./errors.ts";
import { hashNumber } from "./hash.ts";
import { base64Bytes, grayscalePng, readPng } from "./png.ts";
import { fail, jsonResponse } from "./responses.ts";

export type ImageModel = "nova_canvas" | "titan_image_v2" | "stability" | "stability_inpaint";
/** Nova Canvas and Titan, which share one body. */
type AmazonImageModel = "nova_canvas" | "titan_image_v2";

// A bare id, or a foundation-model ARN of one.
const IMAGE_ID =
  /^(?:arn:aws:bedrock:[a-z0-9-]+::foundation-model\/)?(amazon\.nova-canvas-v1:0|amazon\.titan-image-generator-v2:0|stability\.sd3-5-large-v1:0|stability\.stable-image-(?:core|ultra)-v1:1)$/;

/**
 * Stable Image Inpaint, bare, as a foundation-model ARN or by its US cross-region profile: AWS's
 * "Stability AI Image Services" page calls it as us.stability.stable-image-inpaint-v1:0.
 */
const INPAINT_ID = /^(?:arn:aws:bedrock:[a-z0-9-]+::foundation-model\/|us\.)?stability\.stable-image-inpaint-v1:0$/;

/** The image model an id names, or undefined for every other id. */
export function imageModel(modelId: string): ImageModel | undefined {
  if (INPAINT_ID.test(modelId)) return "stability_inpaint";
  const id = IMAGE_ID.exec(modelId)?.[1];
  if (id === undefined) return undefined;
  if (id.startsWith("stability.")) return "stability";
  return id.startsWith("amazon.nova") ? "nova_canvas" : "titan_image_v2";
}

/**
 * What each model documents: prompt length, the seed it uses when none is sent, its largest seed
 * (Titan's request page: 0 to 2,147,483,646; Nova Canvas's, in AWS's own examples: 0 to 858,993,459).
 */
const LIMITS: Record<AmazonImageModel, { maxText: number; defaultSeed: number; maxSeed: number }> = {
  nova_canvas: { maxText: 1024, defaultSeed: 12, maxSeed: 858_993_459 },
  titan_image_v2: { maxText: 512, defaultSeed: 42, maxSeed: 2_147_483_646 },
};

/** Stability's aspect ratios and the pixels each is drawn at. */
export const STABILITY_SIZES: Readonly<Record<string, readonly [number, number]>> = {
  "1:1": [1024, 1024],
  "16:9": [1344, 768],
  "21:9": [1536, 640],
  "2:3": [832, 1216],
  "3:2": [1216, 832],
  "4:5": [896, 1088],
  "5:4": [1088, 896],
  "9:16": [768, 1344],
  "9:21": [640, 1536],
};
const STABILITY_MAX_TEXT = 10_000;
const STABILITY_MAX_SEED = 4_294_967_294;

/** Titan Image Generator v2's sizes, as Bedrock lists them. */
const TITAN_IMAGE_SIZES: readonly (readonly [number, number])[] = [
  [1024, 1024],
  [768, 768],
  [512, 512],
  [768, 1152],
  [384, 576],
  [1152, 768],
  [576, 384],
  [768, 1280],
  [384, 640],
  [1280, 768],
  [640, 384],
  [896, 1152],
  [448, 576],
  [1152, 896],
  [576, 448],
  [768, 1408],
  [384, 704],
  [1408, 768],
  [704, 384],
  [640, 1408],
  [320, 704],
  [1408, 640],
  [704, 320],
  [1152, 640],
  [1173, 640],
];

const MAX_IMAGES = 5;
/** Nova Canvas's pixels: "the total pixel count must be less than 4,194,304" (its user guide), so not 2048x2048. */
const NOVA_PIXEL_BOUND = 4_194_304;

/** The content filters' refusal, as Bedrock words it. */
export const BLOCKED_MESSAGE =
  "This request has been blocked by our content filters. Please adjust your text prompt to submit a new request.";

const malformed = (detail: string) => `Malformed input request: ${detail}, please reformat your input and try again.`;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

const isInteger = (value: unknown): value is number => typeof value === "number" && Number.isInteger(value);

function extraKey(object: Record<string, unknown>, allowed: readonly string[], at: string): string | undefined {
  const extra = Object.keys(object).find((key) => !allowed.includes(key));
  return extra === undefined ? undefined : malformed(`${at}: extraneous key [${extra}] is not permitted`);
}

function textProblem(value: unknown, at: string, max: number): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string") return malformed(`${at}: expected type: String`);
  if (value.length < 1 || value.length > max) {
    return malformed(`${at}: expected length between 1 and ${max}, actual: ${value.length}`);
  }
  return undefined;
}

/** Nova Canvas's sizes: each side 320-4096 and a multiple of 16, 1:4 to 4:1, fewer than 4,194,304 pixels. */
function novaSizeProblem(width: number, height: number): string | undefined {
  for (const [name, side] of [
    ["width", width],
    ["height", height],
  ] as const) {
    if (side < 320 || side > 4096 || side % 16 !== 0) {
      return malformed(`#/imageGenerationConfig/${name}: ${side} must be between 320 and 4096 and a multiple of 16`);
    }
  }
  if (width > 4 * height || height > 4 * width) {
    return malformed(`#/imageGenerationConfig: the aspect ratio of ${width}x${height} must be between 1:4 and 4:1`);
  }
  if (width * height >= NOVA_PIXEL_BOUND) {
    return malformed(`#/imageGenerationConfig: ${width}x${height} is not less than ${NOVA_PIXEL_BOUND} pixels`);
  }
  return undefined;
}

function configProblem(config: Record<string, unknown>, model: AmazonImageModel): string | undefined {
  const at = "#/imageGenerationConfig";
  const extra = extraKey(config, ["width", "height", "quality", "cfgScale", "seed", "numberOfImages"], at);
  if (extra) return extra;
  const { width = 1024, height = 1024, quality, cfgScale, seed, numberOfImages } = config;
  if (!isInteger(width)) return malformed(`${at}/width: expected type: Integer`);
  if (!isInteger(height)) return malformed(`${at}/height: expected type: Integer`);
  if (model === "nova_canvas") {
    const problem = novaSizeProblem(width, height);
    if (problem) return problem;
  } else if (!TITAN_IMAGE_SIZES.some(([w, h]) => w === width && h === height)) {
    return malformed(`${at}: ${width}x${height} is not a supported size`);
  }
  if (quality !== undefined && quality !== "standard" && quality !== "premium") {
    return malformed(`${at}/quality: ${JSON.stringify(quality)} is not a valid enum value`);
  }
  if (numberOfImages !== undefined) {
    if (!isInteger(numberOfImages)) return malformed(`${at}/numberOfImages: expected type: Integer`);
    if (numberOfImages < 1) return malformed(`${at}/numberOfImages: ${numberOfImages} is not greater or equal to 1`);
    if (numberOfImages > MAX_IMAGES) {
      return malformed(`${at}/numberOfImages: ${numberOfImages} is not less or equal to ${MAX_IMAGES}`);
    }
  }
  if (cfgScale !== undefined && (typeof cfgScale !== "number" || cfgScale < 1.1 || cfgScale > 10)) {
    return malformed(`${at}/cfgScale: ${JSON.stringify(cfgScale)} is not between 1.1 and 10`);
  }
  const { maxSeed } = LIMITS[model];
  if (seed !== undefined && (!isInteger(seed) || seed < 0 || seed > maxSeed)) {
    return malformed(`${at}/seed: ${JSON.stringify(seed)} is not between 0 and ${maxSeed}`);
  }
  return undefined;
}

/** Stability's body's problem, or undefined. */
function stabilityProblem(body: Record<string, unknown>): string | undefined {
  const allowed = ["prompt", "negative_prompt", "aspect_ratio", "seed", "output_format", "mode"];
  const extra = extraKey(body, allowed, "#");
  if (extra) return extra;
  const { prompt, aspect_ratio: ratio, seed, output_format: format, mode } = body;
  if (prompt === undefined) return malformed("#: required key [prompt] not found");
  const text =
    textProblem(prompt, "#/prompt", STABILITY_MAX_TEXT) ??
    textProblem(body.negative_prompt, "#/negative_prompt", STABILITY_MAX_TEXT);
  if (text) return text;
  if (ratio !== undefined && !(typeof ratio === "string" && ratio in STABILITY_SIZES)) {
    return malformed(`#/aspect_ratio: ${JSON.stringify(ratio)} is not a valid enum value`);
  }
  if (seed !== undefined && (!isInteger(seed) || seed < 0 || seed > STABILITY_MAX_SEED)) {
    return malformed(`#/seed: ${JSON.stringify(seed)} is not between 0 and ${STABILITY_MAX_SEED}`);
  }
  if (format !== undefined && format !== "png" && format !== "jpeg") {
    return malformed(`#/output_format: ${JSON.stringify(format)} is not a valid enum value`);
  }
  // The emulator draws from text only: image-to-image is not emulated.
  if (mode !== undefined && mode !== "text-to-image") {
    return malformed(`#/mode: ${JSON.stringify(mode)} is not a valid enum value`);
  }
  return undefined;
}

/** Stability's answer: one image of the ratio's pixels, or its filter's reason for a blocked prompt. */
function stabilityAnswer(call: Call, body: Record<string, unknown>): Response {
  const prompt = body.prompt as string;
  // Stability's seed 0 (its default) is a random one; the emulator's stays 0, to be reproducible.
  const seed = (body.seed as number | undefined) ?? 0;
  if (prompt.includes("[blocked]")) {
    return jsonResponse(call, { images: [], finish_reasons: ["Filter reason: prompt"], seeds: [seed] });
  }
  const [width, height] = STABILITY_SIZES[(body.aspect_ratio as string | undefined) ?? "1:1"] ?? [1024, 1024];
  return jsonResponse(call, {
    images: [emulatedImage(prompt, seed, 0, width, height)],
    finish_reasons: [null],
    seeds: [seed],
  });
}

// Stable Image Inpaint's request, as Stability's API reference for Inpaint gives it (AWS's
// "Stability AI Image Services" page refers to it, and gives the answer's shape): prompt and
// image required; mask, negative_prompt, seed, output_format, style_preset and grow_mask
// optional. Its image: every side at least 64 pixels, 4,096 to 9,437,184 pixels in all, jpeg,
// png or webp (the emulator reads PNG and JPEG).
// Its mask is any image, resized to the image's size by the model, so neither its size nor its
// colours are checked; without one the image's alpha is the mask.
const INPAINT_KEYS = [
  "prompt",
  "image",
  "mask",
  "negative_prompt",
  "seed",
  "output_format",
  "style_preset",
  "grow_mask",
];
const INPAINT_MIN_SIDE = 64;
const INPAINT_MAX_PIXELS = 9_437_184;
const INPAINT_MAX_GROW = 20;
const STYLE_PRESETS = [
  "3d-model",
  "analog-film",
  "anime",
  "cinematic",
  "comic-book",
  "digital-art",
  "enhance",
  "fantasy-art",
  "isometric",
  "line-art",
  "low-poly",
  "modeling-compound",
  "neon-punk",
  "origami",
  "photographic",
  "pixel-art",
  "tile-texture",
];

/** An inpaint body's problem that its JSON alone shows, or undefined (its images are read after). */
function inpaintBodyProblem(body: Record<string, unknown>): string | undefined {
  const extra = extraKey(body, INPAINT_KEYS, "#");
  if (extra) return extra;
  const { prompt, image, mask, seed, output_format: format, style_preset: style, grow_mask: grow } = body;
  if (prompt === undefined) return malformed("#: required key [prompt] not found");
  if (image === undefined) return malformed("#: required key [image] not found");
  const text =
    textProblem(prompt, "#/prompt", STABILITY_MAX_TEXT) ??
    textProblem(body.negative_prompt, "#/negative_prompt", STABILITY_MAX_TEXT);
  if (text) return text;
  if (typeof image !== "string") return malformed("#/image: expected type: String");
  if (mask !== undefined && typeof mask !== "string") return malformed("#/mask: expected type: String");
  if (seed !== undefined && (!isInteger(seed) || seed < 0 || seed > STABILITY_MAX_SEED)) {
    return malformed(`#/seed: ${JSON.stringify(seed)} is not between 0 and ${STABILITY_MAX_SEED}`);
  }
  if (format !== undefined && !["jpeg", "png", "webp"].includes(format as string)) {
    return malformed(`#/output_format: ${JSON.stringify(format)} is not a valid enum value`);
  }
  if (style !== undefined && !STYLE_PRESETS.includes(style as string)) {
    return malformed(`#/style_preset: ${JSON.stringify(style)} is not a valid enum value`);
  }
  if (grow !== undefined && (typeof grow !== "number" || grow < 0 || grow > INPAINT_MAX_GROW)) {
    return malformed(`#/grow_mask: ${JSON.stringify(grow)} is not between 0 and ${INPAINT_MAX_GROW}`);
  }
  return undefined;
}

/** A PNG's size from its IHDR (bytes 16 to 23), read before its pixels; undefined for no PNG. */
function pngHeaderSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((byte, at) => bytes[at] === byte);
  if (!png || bytes.length < 24) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** An inpaint image or mask read: its size, or the ValidationException's words. */
async function inpaintInput(
  base64: string,
  field: "image" | "mask",
): Promise<{ width: number; height: number } | { problem: string }> {
  const bytes = decodedBase64(base64);
  const size = bytes && (jpegSize(bytes) ?? pngHeaderSize(bytes));
  if (!bytes || !size) return { problem: BAD_IMAGE(field) };
  if (field === "image") {
    const { width, height } = size;
    if (width < INPAINT_MIN_SIDE || height < INPAINT_MIN_SIDE) {
      return {
        problem: `The image must be at least ${INPAINT_MIN_SIDE} pixels on every side (got ${width}x${height}).`,
      };
    }
    if (width * height > INPAINT_MAX_PIXELS) {
      return { problem: `The image must have at most 9,437,184 pixels (got ${width}x${height}).` };
    }
  }
  // A JPEG's header is all the emulator reads of it; a PNG is read whole, so a damaged one is refused.
  if (bytes[0] === 0xff) return size;
  const png = await readPng(bytes, INPAINT_MAX_PIXELS);
  return typeof png === "string" ? { problem: BAD_IMAGE(field) } : size;
}

/**
 * Stable Image Inpaint: one image of the input image's size, drawn from the prompt and seed as
 * Stability's other models draw theirs, once the image and mask are read; its filter's reason for
 * a blocked prompt.
 */
async function stabilityInpaint(call: Call, body: Record<string, unknown>): Promise<Response> {
  const image = await inpaintInput(body.image as string, "image");
  if ("problem" in image) return fail(call, awsError("ValidationException", image.problem));
  if (typeof body.mask === "string") {
    const mask = await inpaintInput(body.mask, "mask");
    if ("problem" in mask) return fail(call, awsError("ValidationException", mask.problem));
  }
  const prompt = body.prompt as string;
  const seed = (body.seed as number | undefined) ?? 0;
  if (prompt.includes("[blocked]")) {
    return jsonResponse(call, { images: [], finish_reasons: ["Filter reason: prompt"], seeds: [seed] });
  }
  return jsonResponse(call, {
    images: [emulatedImage(prompt, seed, 0, image.width, image.height)],
    finish_reasons: [null],
    seeds: [seed],
  });
}

/** The body's problem, or undefined. */
function bodyProblem(body: Record<string, unknown>, model: AmazonImageModel): string | undefined {
  const extra = extraKey(
    body,
    ["taskType", "textToImageParams", "inPaintingParams", "imageVariationParams", "imageGenerationConfig"],
    "#",
  );
  if (extra) return extra;
  const { taskType, textToImageParams: params, imageGenerationConfig: config = {} } = body;
  if (taskType === undefined) return malformed("#: required key [taskType] not found");
  // The emulator draws from text and inpaints: Bedrock's other tasks (variation, outpainting…) are not emulated.
  if (taskType === "INPAINTING") return inpaintingProblem(body, model);
  if (taskType === "IMAGE_VARIATION") return variationProblem(body, model);
  if (taskType !== "TEXT_IMAGE") return malformed(`#/taskType: ${JSON.stringify(taskType)} is not a valid enum value`);
  if (!isObject(params)) return malformed("#: required key [textToImageParams] not found");
  const allowed = model === "nova_canvas" ? ["text", "negativeText", "style"] : ["text", "negativeText"];
  const { maxText } = LIMITS[model];
  return (
    extraKey(params, allowed, "#/textToImageParams") ??
    (params.text === undefined ? malformed("#/textToImageParams: required key [text] not found") : undefined) ??
    textProblem(params.text, "#/textToImageParams/text", maxText) ??
    textProblem(params.negativeText, "#/textToImageParams/negativeText", maxText) ??
    (isObject(config) ? configProblem(config, model) : malformed("#/imageGenerationConfig: expected type: JSONObject"))
  );
}

/** An INPAINTING body's problem that its JSON alone shows, or undefined (its images are read after). */
function inpaintingProblem(body: Record<string, unknown>, model: AmazonImageModel): string | undefined {
  const { inPaintingParams: params, imageGenerationConfig: config = {} } = body;
  if (body.textToImageParams !== undefined) return malformed("#: extraneous key [textToImageParams] is not permitted");
  if (!isObject(params)) return malformed("#: required key [inPaintingParams] not found");
  const at = "#/inPaintingParams";
  const allowed = ["image", "text", "negativeText", "maskImage", "maskPrompt"];
  const { maxText } = LIMITS[model];
  const problem =
    extraKey(params, model === "titan_image_v2" ? [...allowed, "returnMask"] : allowed, at) ??
    (params.image === undefined ? malformed(`${at}: required key [image] not found`) : undefined) ??
    (typeof params.image === "string" ? undefined : malformed(`${at}/image: expected type: String`)) ??
    textProblem(params.text, `${at}/text`, maxText) ??
    textProblem(params.negativeText, `${at}/negativeText`, maxText) ??
    textProblem(params.maskPrompt, `${at}/maskPrompt`, maxText);
  if (problem) return problem;
  if ((params.maskImage === undefined) === (params.maskPrompt === undefined)) {
    return malformed(`${at}: exactly one of maskImage and maskPrompt is required`);
  }
  if (params.maskImage !== undefined && typeof params.maskImage !== "string") {
    return malformed(`${at}/maskImage: expected type: String`);
  }
  if (!isObject(config)) return malformed("#/imageGenerationConfig: expected type: JSONObject");
  // The image's own size is drawn: a size in the config is not taken.
  return (
    extraKey(config, ["quality", "cfgScale", "seed", "numberOfImages"], "#/imageGenerationConfig") ??
    configProblem(config, model)
  );
}

/** Standard base64 as bytes, or undefined when it is not. */
function decodedBase64(text: string): Uint8Array | undefined {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text) || text === "") return undefined;
  const binary = atob(text);
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

/** A JPEG's size from its SOFn segment, or undefined. */
function jpegSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  for (let at = 2; at + 9 < bytes.length && bytes[at] === 0xff; ) {
    const marker = bytes[at + 1] as number;
    if ([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf].includes(marker)) {
      return { height: (bytes[at + 5]! << 8) | bytes[at + 6]!, width: (bytes[at + 7]! << 8) | bytes[at + 8]! };
    }
    at += 2 + ((bytes[at + 2]! << 8) | bytes[at + 3]!);
  }
  return undefined;
}

/** What Nova Canvas says of an input image it cannot read. */
const BAD_IMAGE = (field: string) =>
  `The ${field} provided is not valid: it must be a base64-encoded PNG or JPEG with 8 bits per colour channel.`;

/**
 * An input image (INPAINTING's, IMAGE_VARIATION's): its size, a PNG's or a JPEG's header's; its
 * transparency refused as Nova Canvas documents ("PNG images can contain an alpha channel, but it
 * must not contain transparent or translucent pixels").
 */
async function inputImage(base64: string): Promise<{ width: number; height: number } | { problem: string }> {
  const imageBytes = decodedBase64(base64);
  if (!imageBytes) return { problem: BAD_IMAGE("image") };
  const jpeg = jpegSize(imageBytes);
  if (jpeg) return jpeg;
  const png = await readPng(imageBytes, NOVA_PIXEL_BOUND);
  if (typeof png === "string") return { problem: BAD_IMAGE("image") };
  if (png.channels === 2 || png.channels === 4) {
    for (let at = png.channels - 1; at < png.pixels.length; at += png.channels) {
      if (png.pixels[at] !== 255) {
        return { problem: "The input image must not contain transparent or translucent pixels." };
      }
    }
  }
  return png;
}

/** An IMAGE_VARIATION body's problem that its JSON alone shows, or undefined (its images are read after). */
function variationProblem(body: Record<string, unknown>, model: AmazonImageModel): string | undefined {
  const { imageVariationParams: params, imageGenerationConfig: config = {} } = body;
  const extra = ["textToImageParams", "inPaintingParams"].find((key) => body[key] !== undefined);
  if (extra) return malformed(`#: extraneous key [${extra}] is not permitted`);
  if (!isObject(params)) return malformed("#: required key [imageVariationParams] not found");
  const at = "#/imageVariationParams";
  const { maxText } = LIMITS[model];
  const { images, similarityStrength: strength } = params;
  const problem =
    extraKey(params, ["images", "text", "negativeText", "similarityStrength"], at) ??
    (images === undefined ? malformed(`${at}: required key [images] not found`) : undefined) ??
    (Array.isArray(images) && images.every((image) => typeof image === "string")
      ? undefined
      : malformed(`${at}/images: expected type: JSONArray of String`)) ??
    textProblem(params.text, `${at}/text`, maxText) ??
    textProblem(params.negativeText, `${at}/negativeText`, maxText);
  if (problem) return problem;
  const count = (images as unknown[]).length;
  if (count < 1 || count > 5) return malformed(`${at}/images: expected between 1 and 5 items, actual: ${count}`);
  if (strength !== undefined && (typeof strength !== "number" || strength < 0.2 || strength > 1)) {
    return malformed(`${at}/similarityStrength: ${JSON.stringify(strength)} is not between 0.2 and 1.0`);
  }
  return isObject(config)
    ? configProblem(config, model)
    : malformed("#/imageGenerationConfig: expected type: JSONObject");
}

/**
 * IMAGE_VARIATION: images of the config's size (TEXT_IMAGE's default 1024x1024), drawn from the
 * text (else "") as TEXT_IMAGE's are, once every input image is read and checked.
 */
async function vary(call: Call, model: AmazonImageModel, json: Record<string, unknown>): Promise<Response> {
  const params = json.imageVariationParams as { images: string[]; text?: string };
  for (const image of params.images) {
    const read = await inputImage(image);
    if ("problem" in read) return fail(call, awsError("ValidationException", read.problem));
  }
  const text = params.text ?? "";
  if (text.includes("[blocked]")) return fail(call, awsError("ValidationException", BLOCKED_MESSAGE));
  const config = (json.imageGenerationConfig ?? {}) as Record<string, number | undefined>;
  const { width = 1024, height = 1024, numberOfImages = 1 } = config;
  const seed = imageSeed(model, config.seed);
  const images = Array.from({ length: numberOfImages }, (_, index) => emulatedImage(text, seed, index, width, height));
  return jsonResponse(call, { images });
}

/**
 * An INPAINTING body's image and mask, read: the image's size (a PNG, or a JPEG's header), its
 * transparency refused as Nova Canvas documents ("PNG images can contain an alpha channel, but it
 * must not contain transparent or translucent pixels"), the mask a PNG or JPEG of the same size,
 * pure black and pure white. The image's size, or the ValidationException's words.
 */
async function inpaintingImages(
  params: Record<string, unknown>,
): Promise<{ width: number; height: number } | { problem: string }> {
  const image = await inputImage(params.image as string);
  if ("problem" in image) return image;
  if (typeof params.maskImage !== "string") return image;
  const maskBytes = decodedBase64(params.maskImage);
  const mask = maskBytes ? await readPng(maskBytes, NOVA_PIXEL_BOUND) : "not base64";
  if (typeof mask === "string") return { problem: BAD_IMAGE("maskImage") };
  if (mask.width !== image.width || mask.height !== image.height) {
    return {
      problem: `The mask image (${mask.width}x${mask.height}) must be the same size as the input image (${image.width}x${image.height}).`,
    };
  }
  const colours = mask.channels <= 2 ? 1 : 3;
  for (let at = 0; at < mask.pixels.length; at += mask.channels) {
    const first = mask.pixels[at];
    const pure =
      (first === 0 || first === 255) && mask.pixels.subarray(at, at + colours).every((sample) => sample === first);
    if (!pure)
      return {
        problem: "The mask image must contain only pure black (0, 0, 0) and pure white (255, 255, 255) pixels.",
      };
  }
  return image;
}

/**
 * The emulator's image `index` of a request: a grayscale PNG whose pixels come from a hash of the
 * prompt, the seed and the index, as base64. Exported so that tests compute what they should get.
 */
export function emulatedImage(prompt: string, seed: number, index: number, width: number, height: number): string {
  const hash = hashNumber(`${prompt}\u0000${seed}\u0000${index}`);
  return base64Bytes(grayscalePng(width, height, (x, y) => hash >>> (((x + y) % 4) * 8)));
}

/** The seed a body's images are drawn with: its own, else the model's default. */
function imageSeed(model: AmazonImageModel, seed: number | undefined): number {
  return seed ?? LIMITS[model].defaultSeed;
}

/**
 * INPAINTING: the images of the input's size, drawn as TEXT_IMAGE's are from the text (or, without
 * one, the mask prompt, else ""), once the image and mask are read and checked.
 */
async function inpaint(call: Call, model: AmazonImageModel, json: Record<string, unknown>): Promise<Response> {
  const params = json.inPaintingParams as Record<string, unknown>;
  const size = await inpaintingImages(params);
  if ("problem" in size) return fail(call, awsError("ValidationException", size.problem));
  const text = (params.text ?? params.maskPrompt ?? "") as string;
  if (text.includes("[blocked]")) return fail(call, awsError("ValidationException", BLOCKED_MESSAGE));
  const config = (json.imageGenerationConfig ?? {}) as Record<string, number | undefined>;
  const seed = imageSeed(model, config.seed);
  const images = Array.from({ length: config.numberOfImages ?? 1 }, (_, index) =>
    emulatedImage(text, seed, index, size.width, size.height),
  );
  return jsonResponse(call, { images });
}

/** InvokeModel on an image model; its streamed operation is refused, as Bedrock does. */
export function generateImages(
  call: Call,
  model: ImageModel,
  json: unknown,
  stream: boolean,
): Response | Promise<Response> {
  if (stream) return fail(call, awsError("ValidationException", "The model is unsupported for streaming."));
  if (!isObject(json)) return fail(call, awsError("ValidationException", malformed("#: expected type: JSONObject")));
  if (model === "stability") {
    const problem = stabilityProblem(json);
    return problem ? fail(call, awsError("ValidationException", problem)) : stabilityAnswer(call, json);
  }
  if (model === "stability_inpaint") {
    const problem = inpaintBodyProblem(json);
    return problem ? fail(call, awsError("ValidationException", problem)) : stabilityInpaint(call, json);
  }
  const problem = bodyProblem(json, model);
  if (problem) return fail(call, awsError("ValidationException", problem));
  if (json.taskType === "INPAINTING") return inpaint(call, model, json);
  if (json.taskType === "IMAGE_VARIATION") return vary(call, model, json);
  const params = json.textToImageParams as { text: string };
  if (params.text.includes("[blocked]")) return fail(call, awsError("ValidationException", BLOCKED_MESSAGE));
  const config = (json.imageGenerationConfig ?? {}) as Record<string, number | undefined>;
  const { width = 1024, height = 1024, numberOfImages = 1 } = config;
  const seed = imageSeed(model, config.seed);
  const images = Array.from({ length: numberOfImages }, (_, index) =>
    emulatedImage(params.text, seed, index, width, height),
  );
  return jsonResponse(call, { images });
}
