// valibot schemas of OpenAI's image generation and edit requests: checked before anything is sent, a failure
// naming the field in a 400. Then the fields no Bedrock image model can honour, each refused by
// name saying why: a field is honoured, refused, or (user and safety_identifier) accepted and not sent. Under
// drop_params the refused fields that change only how the image is drawn are dropped instead;
// those that change the answer's form (url, jpeg or webp, a stream) are refused whatever it says.
import * as v from "valibot";
import { type BedrockEdgeError, invalidRequest } from "../errors.ts";
import { checkClosedRequest, requestObject } from "../closed-request.ts";
import { MAX_IMAGES } from "../request-bounds.ts";
import type {
  ImageDrawParams,
  ImageEditParams,
  ImageGenerateParams,
  ImageInput,
  ImageVariationParams,
} from "./types.ts";

/** The largest seed any of Bedrock's image models takes (Stability's); each family's own is checked with it. */
const MAX_SEED = 4_294_967_294;

const wholeNumber = (min: number, max: number) =>
  v.pipe(
    v.number("must be a whole number"),
    v.integer("must be a whole number"),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );

// Optional fields take null as unset, as the other requests' do: JSON clients send it.
// The fields generation and edits share.
const drawEntries = {
  model: v.pipe(v.string("must be a string"), v.minLength(1, "must not be empty")),
  prompt: v.pipe(v.string("must be a string"), v.minLength(1, "must not be empty")),
  // OpenAI's own bound; the model's (5) is checked with its family.
  n: v.nullish(wholeNumber(1, MAX_IMAGES)),
  size: v.nullish(v.string('must be "auto" or WIDTHxHEIGHT, as "1024x1024"')),
  quality: v.nullish(
    v.picklist(
      ["standard", "hd", "low", "medium", "high", "xhigh", "max", "auto"],
      'must be "standard", "hd", "low", "medium", "high", "xhigh", "max" or "auto"',
    ),
  ),
  response_format: v.nullish(v.picklist(["url", "b64_json"], 'must be "url" or "b64_json"')),
  output_format: v.nullish(
    v.picklist(["png", "jpeg", "webp", "gif", "svg"], 'must be "png", "jpeg", "webp", "gif" or "svg"'),
  ),
  background: v.nullish(v.picklist(["transparent", "opaque", "auto"], 'must be "transparent", "opaque" or "auto"')),
  output_compression: v.nullish(wholeNumber(0, 100)),
  stream: v.nullish(v.boolean("must be true or false")),
  partial_images: v.nullish(wholeNumber(0, 3)),
  user: v.nullish(v.string("must be a string")),
  safety_identifier: v.nullish(v.string("must be a string")),
  seed: v.nullish(wholeNumber(0, MAX_SEED)),
  drop_params: v.nullish(v.boolean("must be true or false")),
};

const imageRequestSchema = v.looseObject({
  ...drawEntries,
  moderation: v.nullish(v.picklist(["low", "auto"], 'must be "low" or "auto"')),
  style: v.nullish(v.picklist(["vivid", "natural"], 'must be "vivid" or "natural"')),
});

const isImageInput = (value: unknown): value is ImageInput =>
  typeof value === "string" || value instanceof Blob || value instanceof Uint8Array || value instanceof ArrayBuffer;

const IMAGE_INPUT = "must be a file (a Blob or File), its bytes (Uint8Array or ArrayBuffer) or a base64 data URL";

// gpt-image-1 takes up to 16 images; Bedrock's inpainting and variation take one here.
const oneImage = v.union(
  [
    v.custom<ImageInput>(isImageInput, IMAGE_INPUT),
    v.pipe(
      v.array(v.custom<ImageInput>(isImageInput, IMAGE_INPUT)),
      v.length(1, "must hold one image: Bedrock's image models edit one image at a time"),
    ),
  ],
  IMAGE_INPUT,
);

const imageEditSchema = v.looseObject({
  ...drawEntries,
  image: oneImage,
  mask: v.nullish(v.custom<ImageInput>(isImageInput, IMAGE_INPUT)),
  input_fidelity: v.nullish(v.picklist(["high", "low"], 'must be "high" or "low"')),
});

/** What to put in a field that is missing: completes "<field> is required: …". */
const imageVariationSchema = v.looseObject({
  model: drawEntries.model,
  image: oneImage,
  n: drawEntries.n,
  size: drawEntries.size,
  response_format: drawEntries.response_format,
  user: drawEntries.user,
  seed: drawEntries.seed,
  drop_params: drawEntries.drop_params,
});

const REQUIRED: Readonly<Record<string, string>> = {
  model: "name the model, as bedrock/image/<model-id> or a configured name",
  prompt: "describe the image to draw",
};

const EDIT_REQUIRED: Readonly<Record<string, string>> = {
  ...REQUIRED,
  prompt: "describe what to draw where the image changes",
  image: "send the image to edit, a PNG or a JPEG",
};

const unsupported = (message: string, param: string) => invalidRequest(message, param, "unsupported_parameter");

/** Said of the fields drop_params would drop. */
const OR_DROP = " (or set drop_params to drop it)";

/**
 * The first field of a generation request set to what no Bedrock image model does, as its 400;
 * undefined when none. Under `drop` the fields that change only how the image is drawn are let
 * through (never sent).
 */
export function refusedField(request: ImageGenerateParams, drop: boolean): BedrockEdgeError | undefined {
  const refused = refusedDrawField(request, drop);
  if (refused || drop) return refused;
  if (request.moderation === "low") {
    return unsupported(
      `moderation "low" is not supported: Bedrock's content filters cannot be lowered per request. Ask for "auto" or leave it out${OR_DROP}.`,
      "moderation",
    );
  }
  if (request.style != null) {
    return unsupported(
      `style "${request.style}" is not supported: dall-e-3's vivid and natural are no style of Bedrock's image models (Nova Canvas's styles are its own, not sent from here). Remove it${OR_DROP}.`,
      "style",
    );
  }
  return undefined;
}

/** refusedField for an edit request: the fields it shares with generation, then input_fidelity. */
export function refusedEditField(request: ImageEditParams, drop: boolean): BedrockEdgeError | undefined {
  const refused = refusedDrawField(request, drop);
  if (refused || drop) return refused;
  if (request.input_fidelity === "high") {
    return unsupported(
      `input_fidelity "high" is not supported: Bedrock's inpainting has no such setting (it keeps the pixels outside the mask as they are). Ask for "low" or leave it out${OR_DROP}.`,
      "input_fidelity",
    );
  }
  return undefined;
}

/** refusedField for a variation request: response_format "url" alone (drop_params changes nothing). */
export function refusedVariationField(request: ImageVariationParams): BedrockEdgeError | undefined {
  return refusedUrl(request);
}

/** response_format "url", which no image request here can answer. */
function refusedUrl(request: Pick<ImageDrawParams, "response_format">): BedrockEdgeError | undefined {
  if (request.response_format !== "url") return undefined;
  return unsupported(
    'response_format "url" needs the images hosted somewhere, and this proxy hosts no files: ask for "b64_json" (the default here), which holds each image itself.',
    "response_format",
  );
}

/** The first refused field of those generation and edits share. */
function refusedDrawField(request: ImageDrawParams, drop: boolean): BedrockEdgeError | undefined {
  const url = refusedUrl(request);
  if (url) return url;
  if (request.output_format != null && request.output_format !== "png") {
    return unsupported(
      `output_format "${request.output_format}" is not supported: Bedrock's image models answer PNG. Ask for "png" or leave it out.`,
      "output_format",
    );
  }
  if (request.stream === true) {
    return unsupported(
      "stream is not supported: Bedrock's image models answer whole images, never partial ones. Remove it.",
      "stream",
    );
  }
  if (drop) return undefined;
  // 100, the spec's default, asks for nothing: a client that always sends it is not refused.
  if (request.output_compression != null && request.output_compression !== 100) {
    return unsupported(
      `output_compression applies to jpeg and webp, and Bedrock's image models answer PNG. Remove it (or send 100, the default)${OR_DROP}.`,
      "output_compression",
    );
  }
  if (request.background === "transparent") {
    return unsupported(
      `background "transparent" is not supported: Bedrock's image models draw opaque images. Ask for "opaque" or "auto"${OR_DROP}.`,
      "background",
    );
  }
  // 0, the default, asks for no partial image (stream: true was refused above).
  if (request.partial_images != null && request.partial_images !== 0) {
    return unsupported(
      `partial_images is not supported: Bedrock's image models answer whole images, never partial ones. Remove it (or send 0)${OR_DROP}.`,
      "partial_images",
    );
  }
  if (request.quality === "xhigh" || request.quality === "max") {
    return unsupported(
      `quality "${request.quality}" is not supported: the best Bedrock's image models draw is premium. Ask for "hd" or "high", or leave it out${OR_DROP}.`,
      "quality",
    );
  }
  return undefined;
}

/** Validates an unknown value as an image generation request; throws a 400 naming the field. */
export function parseImageRequest(input: unknown): ImageGenerateParams {
  checkClosedRequest(imageRequestSchema, requestObject(input), "image generation", REQUIRED);
  return input as ImageGenerateParams;
}

/** Validates an unknown value as an image edit request; throws a 400 naming the field. */
export function parseImageEditRequest(input: unknown): ImageEditParams {
  checkClosedRequest(imageEditSchema, requestObject(input), "image edits", EDIT_REQUIRED);
  return input as ImageEditParams;
}

/** Validates an unknown value as an image variation request; throws a 400 naming the field. */
export function parseImageVariationRequest(input: unknown): ImageVariationParams {
  checkClosedRequest(imageVariationSchema, requestObject(input), "image variations", {
    model: REQUIRED.model as string,
    image: "send the image to vary, a PNG or a JPEG",
  });
  return input as ImageVariationParams;
}
