// POST /v1/images/generations: OpenAI's image generation, one library call answered as JSON. The
// images never reach the log line. Bedrock counts no tokens for an image model (it bills per
// image), so the usage recorded is the proxy's own: the prompt's estimate as input, and as output
// each image drawn as OpenAI counts a gpt-image-1 image of its size and quality (imageOutputTokens).
// The usage row and tokens_per_day count the request so (README "Images" says so); the library's
// answer carries no usage, as Bedrock gives none.
import type { ImageGenerateParams } from "../../src/index.ts";
import type { AppContext } from "../context.ts";
import { jsonResponse } from "../http.ts";
import { imageOutputTokens, inputEstimate, pngPixels } from "../token-estimate.ts";
import { upstreamCall } from "../upstream.ts";

export async function imageGenerations(c: AppContext): Promise<Response> {
  const { bedrock, config } = c.get("ready");
  const body = c.get("body");
  const log = c.get("log");
  if (config.logPrompts) log.line.prompt = body.prompt;
  // generate() validates the whole request.
  const request = body as unknown as ImageGenerateParams;
  const answer = await bedrock.images.generate(request, upstreamCall(c).options);
  const prompt_tokens = inputEstimate(body, "images");
  // Each image by the pixels it was drawn at (Stability's are its own, whatever the size asked).
  const completion_tokens = answer.data.reduce(
    (tokens, image) => tokens + imageOutputTokens(body, pngPixels(image.b64_json)),
    0,
  );
  log.record({ usage: { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens } });
  return jsonResponse(answer);
}
