// bedrock.images.generate(): OpenAI's image generation on Bedrock's image models (the image
// route). The InvokeModel calls of the model's family (families.ts): Nova Canvas and Titan draw
// all n images in one, Stability's models one a call, at most MAX_OPEN_CALLS at a time, in order,
// the first failure failing the request and stopping the calls still out. The answer is OpenAI's
// ImagesResponse with each image as b64_json.
import type { RetryEvent } from "../aws/send-with-retries.ts";
import type { RequestOptions } from "../client.ts";
import type { ResolvedModel } from "../completions/client.ts";
import { MAX_OPEN_CALLS } from "../completions/plan.ts";
import { mapPooled } from "../completions/pool.ts";
import { followedSignal } from "../completions/sent-calls.ts";
import { invalidRequest } from "../errors.ts";
import { callJson } from "../model-call.ts";
import { answerImages, checkForFamily, contentPolicyError, imageBodies, imageFamily, imageSize } from "./families.ts";
import { parseImageRequest, refusedField } from "./request.ts";
import type { ImageGenerateParams, ImagesResponse } from "./types.ts";

export interface Images {
  generate(request: ImageGenerateParams, options?: RequestOptions): Promise<ImagesResponse>;
}

export interface ImagesDeps {
  resolve(name: string): Promise<ResolvedModel>;
}

export function createImages(deps: ImagesDeps): Images {
  async function generate(input: ImageGenerateParams, options: RequestOptions = {}): Promise<ImagesResponse> {
    const request = parseImageRequest(input);
    const { route, serve, settings } = await deps.resolve(request.model);
    if (route.name !== "image") {
      throw invalidRequest(
        `This model is on the ${route.name} route: images need an image model, as bedrock/image/amazon.nova-canvas-v1:0.`,
        "model",
        "unsupported_route",
      );
    }
    // The request's drop_params over the model's (or the client's dropParams).
    const drop = request.drop_params ?? settings.drop_params ?? false;
    const refused = refusedField(request, drop);
    if (refused) throw refused;
    return serve(async ({ modelId, region, transport, failFast, sending }) => {
      const family = imageFamily(modelId);
      if (!family) {
        throw invalidRequest(
          `${modelId.slice(0, 200)} names no image model the image route speaks (Amazon Nova Canvas, Titan Image Generator v2, Stability's SD3.5 Large, Stable Image Core and Ultra).`,
          "model",
          "unsupported_model",
        );
      }
      const size = imageSize(request.size, family);
      checkForFamily(request, family, size, drop);
      const bodies = imageBodies(request, family, size);
      // Stability's calls draw one image each; Nova's and Titan's one call draws all n.
      const perCall = family === "stability" ? 1 : (request.n ?? 1);
      // A call's retry of several is its own (RetryEvent.prompt: 0, the one prompt they all draw),
      // while the others go on: a proxy then counts the request whose other calls are out.
      const onRetry =
        bodies.length > 1 ? (event: RetryEvent) => options.onRetry?.({ ...event, prompt: 0 }) : options.onRetry;
      sending();
      // The first failure stops the other calls, as the caller's signal does.
      const { controller, unfollow } = followedSignal(options.signal);
      let images: string[];
      try {
        const answers = await mapPooled(bodies, MAX_OPEN_CALLS, async (body) => {
          const { json } = await callJson(transport, {
            operation: "invoke",
            modelId,
            region,
            body,
            signal: controller.signal,
            onRetry,
            failFast,
          });
          return answerImages(json, perCall);
        });
        images = answers.flat();
      } catch (error) {
        controller.abort(error);
        throw contentPolicyError(error);
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
  return { generate };
}
