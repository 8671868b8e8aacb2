// valibot schema of OpenAI's image generation request: checked before anything is sent, a failure
// naming the field in a 400. Then the fields no Bedrock image model can honour, each refused by
// name saying why: a field is honoured, refused, or (user and safety_identifier) accepted and not sent. Under
// drop_params the refused fields that change only how the image is drawn are dropped instead;
// those that change the answer's form (url, jpeg or webp, a stream) are refused whatever it says.
import * as v from "valibot";
import { type BedrockEdgeError, invalidRequest } from "../errors.ts";
import { checkClosedRequest, requestObject } from "../closed-request.ts";
import type { ImageGenerateParams } from "./types.ts";

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
const imageRequestSchema = v.looseObject({
  model: v.pipe(v.string("must be a string"), v.minLength(1, "must not be empty")),
  prompt: v.pipe(v.string("must be a string"), v.minLength(1, "must not be empty")),
  // OpenAI's own bound; the model's (5) is checked with its family.
  n: v.nullish(wholeNumber(1, 10)),
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
  moderation: v.nullish(v.picklist(["low", "auto"], 'must be "low" or "auto"')),
  output_compression: v.nullish(wholeNumber(0, 100)),
  stream: v.nullish(v.boolean("must be true or false")),
  partial_images: v.nullish(wholeNumber(0, 3)),
  style: v.nullish(v.picklist(["vivid", "natural"], 'must be "vivid" or "natural"')),
  user: v.nullish(v.string("must be a string")),
  safety_identifier: v.nullish(v.string("must be a string")),
  seed: v.nullish(wholeNumber(0, MAX_SEED)),
  drop_params: v.nullish(v.boolean("must be true or false")),
});

/** What to put in a field that is missing: completes "<field> is required: …". */
const REQUIRED: Readonly<Record<string, string>> = {
  model: "name the model, as bedrock/image/<model-id> or a configured name",
  prompt: "describe the image to draw",
};

const unsupported = (message: string, param: string) => invalidRequest(message, param, "unsupported_parameter");

/** Said of the fields drop_params would drop. */
const OR_DROP = " (or set drop_params to drop it)";

/**
 * The first field set to what no Bedrock image model does, as its 400; undefined when none.
 * Under `drop` the fields that change only how the image is drawn are let through (never sent).
 */
export function refusedField(request: ImageGenerateParams, drop: boolean): BedrockEdgeError | undefined {
  if (request.response_format === "url") {
    return unsupported(
      'response_format "url" needs the images hosted somewhere, and this proxy hosts no files: ask for "b64_json" (the default here), which holds each image itself.',
      "response_format",
    );
  }
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
  if (request.moderation === "low") {
    return unsupported(
      `moderation "low" is not supported: Bedrock's content filters cannot be lowered per request. Ask for "auto" or leave it out${OR_DROP}.`,
      "moderation",
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
  if (request.style != null) {
    return unsupported(
      `style "${request.style}" is not supported: dall-e-3's vivid and natural are no style of Bedrock's image models (Nova Canvas's styles are its own, not sent from here). Remove it${OR_DROP}.`,
      "style",
    );
  }
  return undefined;
}

/** Validates an unknown value as an image generation request; throws a 400 naming the field. */
export function parseImageRequest(input: unknown): ImageGenerateParams {
  checkClosedRequest(imageRequestSchema, requestObject(input), "image generation", REQUIRED);
  return input as ImageGenerateParams;
}
