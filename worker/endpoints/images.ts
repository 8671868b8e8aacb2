// POST /v1/images/generations: OpenAI's image generation, one library call answered as JSON. The
// images never reach the log line. Bedrock counts no tokens for an image model, so the usage
// recorded is the prompt's estimate as input and no output: the usage row and tokens_per_day
// count the request by its prompt (README "Images" says so).
import type { ImageGenerateParams } from "../../src/index.ts";
import type { AppContext } from "../context.ts";
import { jsonResponse } from "../http.ts";
import { inputEstimate } from "../token-estimate.ts";
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
  log.record({ usage: { prompt_tokens, completion_tokens: 0, total_tokens: prompt_tokens } });
  return jsonResponse(answer);
}
