// bedrock.images.generate(): OpenAI's image generation on Bedrock's image models (the image
// route). One InvokeModel call of the model's family (families.ts) draws all n images; the answer
// is OpenAI's ImagesResponse with each image as b64_json.
import type { RequestOptions } from "../client.ts";
import type { ResolvedModel } from "../completions/client.ts";
import { invalidRequest } from "../errors.ts";
import { callJson } from "../model-call.ts";
import { answerImages, checkForFamily, contentPolicyError, imageBody, imageFamily, imageSize } from "./families.ts";
import { parseImageRequest } from "./request.ts";
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
    const { route, serve } = await deps.resolve(request.model);
    if (route.name !== "image") {
      throw invalidRequest(
        `This model is on the ${route.name} route: images need an image model, as bedrock/image/amazon.nova-canvas-v1:0.`,
        "model",
        "unsupported_route",
      );
    }
    return serve(async ({ modelId, region, transport, failFast, sending }) => {
      const family = imageFamily(modelId);
      if (!family) {
        throw invalidRequest(
          `${modelId.slice(0, 200)} names no image model the image route speaks (Amazon Nova Canvas, Titan Image Generator v2).`,
          "model",
          "unsupported_model",
        );
      }
      const size = imageSize(request.size, family);
      checkForFamily(request, family, size);
      const body = imageBody(request, size);
      sending();
      let json: Awaited<ReturnType<typeof callJson>>["json"];
      try {
        ({ json } = await callJson(transport, {
          operation: "invoke",
          modelId,
          region,
          body,
          signal: options.signal,
          onRetry: options.onRetry,
          failFast,
        }));
      } catch (error) {
        throw contentPolicyError(error);
      }
      const images = answerImages(json, request.n ?? 1);
      return {
        created: Math.floor(Date.now() / 1000),
        data: images.map((b64_json) => ({ b64_json })),
        output_format: "png",
      } satisfies ImagesResponse;
    }, options);
  }
  return { generate };
}
