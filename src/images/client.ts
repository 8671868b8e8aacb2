// bedrock.images.generate(), edit() and createVariation(): OpenAI's image generation, edits and
// variations on Bedrock's image models (the image route); an edit is Nova Canvas's or Titan's
// INPAINTING or a call to Stability's Stable Image Inpaint, a variation Nova's or Titan's
// IMAGE_VARIATION (edit-images.ts reads the image and mask). The
// InvokeModel calls of the model's family (families.ts): Nova Canvas and Titan draw all n images
// in one, Stability's models (its inpaint model too) one a call, at most MAX_OPEN_CALLS at a time, in order, the first
// failure failing the request and stopping the calls still out, its error telling what the calls
// that went out cost (billImageCalls). The answer is OpenAI's ImagesResponse with each image as
// b64_json.
import type { RequestOptions } from "../client.ts";
import type { ResolvedModel } from "../completions/client.ts";
import { MAX_OPEN_CALLS } from "../completions/plan.ts";
import { mapPooled } from "../completions/pool.ts";
import { callSent, followedSignal, retryOf, type SentCall, sentBy, tryOut } from "../completions/sent-calls.ts";
import { BedrockEdgeError, invalidRequest, type UnmeteredCall, shownText } from "../errors.ts";
import { callJson } from "../model-call.ts";
import { inpaintingInputs, variationImage } from "./edit-images.ts";
import {
  answerImages,
  checkFields,
  checkForFamily,
  contentPolicyError,
  editSize,
  imageBodies,
  imageSize,
  inpaintingBody,
  isStability,
  stabilityInpaintBodies,
  variationBody,
} from "./families.ts";
import { type ImageFamily, imageFamily } from "../routes/image-family-ids.ts";
import {
  parseImageEditRequest,
  parseImageRequest,
  parseImageVariationRequest,
  refusedEditField,
  refusedField,
  refusedVariationField,
} from "./request.ts";
import type {
  ImageDrawParams,
  ImageEditParams,
  ImageGenerateParams,
  ImageInput,
  ImagesResponse,
  ImageVariationParams,
} from "./types.ts";

export interface Images {
  generate(request: ImageGenerateParams, options?: RequestOptions): Promise<ImagesResponse>;
  /**
   * OpenAI's image edit on Nova Canvas or Titan Image Generator v2 (their INPAINTING task), or on
   * Stability AI's Stable Image Inpaint: the image redrawn where the mask (or the image itself) is
   * fully transparent.
   */
  edit(request: ImageEditParams, options?: RequestOptions): Promise<ImagesResponse>;
  /** OpenAI's image variation on Nova Canvas or Titan Image Generator v2 (their IMAGE_VARIATION task). */
  createVariation(request: ImageVariationParams, options?: RequestOptions): Promise<ImagesResponse>;
}

export interface ImagesDeps {
  /** The model, and its deployments' ids: an image entry's deployments are copies of one model. */
  resolve(name: string): Promise<ResolvedModel & { deployments: readonly { modelId: string }[] }>;
}

/** What one call has cost: a try of it went out (SentCall), and Bedrock answered it. */
interface ImageCallMeter extends SentCall {
  answered?: boolean;
}

/**
 * A request that failed after some of its calls went out (Stability's, one per image): Bedrock
 * billed each call that answered for the images it drew (one whose image Stability's filter
 * withheld too: the model drew it), and may have billed each sent that never answered (stopped by
 * another's failure, past timeoutMs): unmeteredCalls, which Bedrock gives no counts for, for an
 * estimate. Not a call refused by Bedrock's error answer, nor one waiting to retry (no try of it
 * out). An error that is no BedrockEdgeError (the caller's abort reason) is thrown as it is.
 */
function billImageCalls(error: unknown, meters: readonly ImageCallMeter[], perCall: number): unknown {
  if (!(error instanceof BedrockEdgeError) || error.unmeteredCalls !== undefined) return error;
  const calls: UnmeteredCall[] = [];
  for (const meter of meters) {
    if (meter.answered) calls.push({ prompt: 0, chunks: 0, images: perCall });
    else if (tryOut(meter)) calls.push({ prompt: 0, chunks: 0, images: 0 });
  }
  if (calls.length > 0) error.unmeteredCalls = calls;
  return error;
}

/** Stability's text-to-image models, which edit no image. */
function editNotWired(): BedrockEdgeError {
  return invalidRequest(
    "Image edits are not wired for Stability AI's SD3.5 Large, Stable Image Core and Ultra: they draw from a prompt alone. Edit with Stability AI's Stable Image Inpaint (stability.stable-image-inpaint-v1:0), Amazon Nova Canvas or Titan Image Generator v2.",
    "model",
    "unsupported_model",
  );
}

/** Stability's models, none of which Bedrock offers to vary an image without a prompt. */
function variationNotWired(): BedrockEdgeError {
  return invalidRequest(
    "Image variations are not wired for Stability AI's models here: none of Stability's models on Bedrock draws a variation of an image without a prompt. Use Amazon Nova Canvas or Titan Image Generator v2.",
    "model",
    "unsupported_model",
  );
}

/** Stable Image Inpaint, which draws nothing from a prompt alone. */
function generationNotWired(): BedrockEdgeError {
  return invalidRequest(
    "Stability AI's Stable Image Inpaint redraws the part of an image a mask marks (images.edit, POST /v1/images/edits): it draws no image from a prompt alone. Generate with Stability's SD3.5 Large, Stable Image Core or Ultra, Amazon Nova Canvas or Titan Image Generator v2.",
    "model",
    "unsupported_model",
  );
}

/** What an image request sends: its InvokeModel bodies, and the images each call draws. */
interface ImageCalls {
  bodies: Record<string, unknown>[];
  perCall: number;
}

export function createImages(deps: ImagesDeps): Images {
  /**
   * The request's model resolved and checked (the image route, no refused field: `refused`, and
   * `check` for its family: what needs no image), then `prepare` (before anything is sent: reading
   * an edit's images, for the first deployment's family: the deployments are one model) and `plan`
   * for the deployment's family, whose calls are then sent.
   */
  async function draw<R extends Pick<ImageDrawParams, "model" | "drop_params">, P>(
    request: R,
    refused: (request: R, drop: boolean) => BedrockEdgeError | undefined,
    check: (family: ImageFamily, drop: boolean) => void,
    prepare: (family: ImageFamily | undefined) => Promise<P>,
    plan: (family: ImageFamily, drop: boolean, prepared: P) => ImageCalls,
    options: RequestOptions,
  ): Promise<ImagesResponse> {
    const { route, serve, settings, deployments } = await deps.resolve(request.model);
    if (route.name !== "image") {
      throw invalidRequest(
        `This model is on the ${route.name} route: images need an image model, as bedrock/image/amazon.nova-canvas-v1:0.`,
        "model",
        "unsupported_route",
      );
    }
    // The request's drop_params over the model's (or the client's dropParams).
    const drop = request.drop_params ?? settings.drop_params ?? false;
    const refusal = refused(request, drop);
    if (refusal) throw refusal;
    // What the model or the request's fields refuse is refused before an image is decoded (which
    // costs up to a second of CPU): the deployments are one model, so the first's family is theirs.
    // An id that names no family is refused for each deployment below, as it is tried.
    const family = imageFamily(deployments[0]?.modelId ?? "");
    if (family) check(family, drop);
    const prepared = await prepare(family);
    return serve(async ({ modelId, region, transport, failFast, sending }) => {
      const family = imageFamily(modelId);
      if (!family) {
        throw invalidRequest(
          `${shownText(modelId, 200, "a model id", false)} names no image model the image route speaks (Amazon Nova Canvas, Titan Image Generator v2, Stability's SD3.5 Large, Stable Image Core, Ultra and Stable Image Inpaint).`,
          "model",
          "unsupported_model",
        );
      }
      const { bodies, perCall } = plan(family, drop, prepared);
      // A call of several is told as prompt 0 (the one prompt they all draw) when it goes out and
      // when it retries, while the others go on: a proxy then counts the request's calls out.
      const retried = bodies.length > 1 ? { prompt: 0 } : undefined;
      sending();
      // The first failure stops the other calls, as the caller's signal does.
      const { controller, unfollow } = followedSignal(options.signal);
      const meters: ImageCallMeter[] = bodies.map(() => ({ sent: false }));
      let images: string[];
      try {
        const answers = await mapPooled(bodies, MAX_OPEN_CALLS, async (body, at) => {
          const meter = meters[at]!;
          // Stopped before it started (an aborted signal): it was never sent.
          controller.signal.throwIfAborted();
          callSent(retried, options.onCallSent);
          const { json, secrets } = await sentBy(
            meter,
            callJson(transport, {
              operation: "invoke",
              modelId,
              region,
              body,
              signal: controller.signal,
              onRetry: retryOf(meter, retried, options.onRetry),
              failFast,
            }),
          );
          meter.answered = true;
          return answerImages(json, perCall, secrets);
        });
        images = answers.flat();
      } catch (error) {
        controller.abort(error);
        throw billImageCalls(contentPolicyError(error), meters, perCall);
      } finally {
        unfollow();
      }
      return {
        created: Math.floor(Date.now() / 1000),
        data: images.map((b64_json) => ({ b64_json })),
        output_format: "png",
      } satisfies ImagesResponse;
    }, options);
  }

  async function generate(input: ImageGenerateParams, options: RequestOptions = {}): Promise<ImagesResponse> {
    const request = parseImageRequest(input);
    return draw(
      request,
      refusedField,
      // Nothing is decoded first: plan checks the rest.
      (family) => {
        if (family === "stability_inpaint") throw generationNotWired();
      },
      async () => undefined,
      (family, drop) => {
        if (family === "stability_inpaint") throw generationNotWired();
        const size = imageSize(request.size, family);
        checkForFamily(request, family, size, drop);
        // Stability's calls draw one image each; Nova's and Titan's one call draws all n.
        return { bodies: imageBodies(request, family, size), perCall: family === "stability" ? 1 : (request.n ?? 1) };
      },
      options,
    );
  }

  async function edit(input: ImageEditParams, options: RequestOptions = {}): Promise<ImagesResponse> {
    const request = parseImageEditRequest(input);
    const image = theImage(request.image);
    return draw(
      request,
      refusedEditField,
      (family, drop) => {
        if (family === "stability") throw editNotWired();
        checkFields(request, family, drop);
      },
      // Stable Image Inpaint's mask is white where to change, Nova's and Titan's black.
      (family) => inpaintingInputs(image, request.mask, family === "stability_inpaint" ? "white" : "black"),
      (family, drop, inputs) => {
        if (family === "stability") throw editNotWired();
        checkForFamily(request, family, editSize(request.size, inputs, family), drop);
        // Stability's inpaint model draws one image a call, as its text-to-image models do.
        if (family === "stability_inpaint") return { bodies: stabilityInpaintBodies(request, inputs), perCall: 1 };
        return { bodies: [inpaintingBody(request, family, inputs)], perCall: request.n ?? 1 };
      },
      options,
    );
  }

  async function createVariation(input: ImageVariationParams, options: RequestOptions = {}): Promise<ImagesResponse> {
    const request = parseImageVariationRequest(input);
    const image = theImage(request.image);
    return draw(
      request,
      refusedVariationField,
      (family, drop) => {
        if (isStability(family)) throw variationNotWired();
        checkForFamily(request, family, imageSize(request.size, family), drop);
      },
      () => variationImage(image),
      (family, drop, sent) => {
        if (isStability(family)) throw variationNotWired();
        const size = imageSize(request.size, family);
        checkForFamily(request, family, size, drop);
        return { bodies: [variationBody(request, family, sent, size)], perCall: request.n ?? 1 };
      },
      options,
    );
  }

  return { generate, edit, createVariation };
}

/** The one image an edit or a variation takes: the openai package sends `image[]`, which the request's parse holds to one. */
function theImage(image: ImageInput | readonly ImageInput[]): ImageInput {
  return Array.isArray(image) ? (image[0] as ImageInput) : (image as ImageInput);
}
