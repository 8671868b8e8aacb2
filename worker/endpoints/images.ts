// POST /v1/images/generations, /v1/images/edits and /v1/images/variations: OpenAI's image
// generation, edits and variations, one library call answered as JSON. The images never reach the log line (an edit's image and mask
// neither). Bedrock counts no tokens for an image model (it bills per image), so the usage
// recorded is the proxy's own: the prompt's estimate as input, and as output each image drawn as
// OpenAI counts a gpt-image-1 image of its size and quality (imageOutputTokens); an edit's image
// and mask, and a variation's image, are not counted as input (a variation has no prompt). The usage row and tokens_per_day count the request so
// (docs/LIBRARY-REFERENCE.md, "Images", says so); the library's answer carries no usage, as Bedrock gives none.
import type {
  ImageEditParams,
  ImageGenerateParams,
  ImagesResponse,
  ImageVariationParams,
  RequestOptions,
} from "../../src/index.ts";
import type { AppContext } from "../context.ts";
import { jsonResponse } from "../http.ts";
import { imageOutputTokens, inputEstimate, pngPixels } from "../token-estimate.ts";
import { upstreamCall } from "../upstream.ts";

export function imageGenerations(c: AppContext): Promise<Response> {
  const { bedrock } = c.get("ready");
  // generate() validates the whole request.
  return drawn(c, (options) => bedrock.images.generate(c.get("body") as unknown as ImageGenerateParams, options));
}

export function imageEdits(c: AppContext): Promise<Response> {
  const { bedrock } = c.get("ready");
  // edit() validates the whole request: the form's fields (form-body.ts) and its files, or the
  // JSON form's, its data URLs made the same fields (image-edit-json.ts).
  return drawn(c, (options) => bedrock.images.edit(c.get("body") as unknown as ImageEditParams, options));
}

export function imageVariations(c: AppContext): Promise<Response> {
  const { bedrock } = c.get("ready");
  // createVariation() validates the whole request, as edit() does.
  return drawn(c, (options) =>
    bedrock.images.createVariation(c.get("body") as unknown as ImageVariationParams, options),
  );
}

/** The call's answer as JSON, its usage recorded as the header says. */
async function drawn(c: AppContext, draw: (options: RequestOptions) => Promise<ImagesResponse>): Promise<Response> {
  const { config } = c.get("ready");
  const body = c.get("body");
  const log = c.get("log");
  if (config.logPrompts) log.line.prompt = body.prompt;
  const answer = await draw(upstreamCall(c).options);
  const prompt_tokens = inputEstimate(body, "images");
  // Each image by the pixels it was drawn at (Stability's are its own, whatever the size asked).
  const completion_tokens = answer.data.reduce(
    (tokens, image) => tokens + imageOutputTokens(body, pngPixels(image.b64_json)),
    0,
  );
  log.record({ usage: { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens } });
  return jsonResponse(answer);
}
