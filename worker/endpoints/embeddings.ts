// POST /v1/embeddings: OpenAI's Embeddings API, one library call answered as JSON. Its usage is
// its input's only: an embedding has no output tokens.
import type { EmbeddingCreateParams } from "../../src/index.ts";
import type { AppContext } from "../context.ts";
import { jsonResponse } from "../http.ts";
import { upstreamCall } from "../upstream.ts";

export async function embeddings(c: AppContext): Promise<Response> {
  const { bedrock, config } = c.get("ready");
  const body = c.get("body");
  const log = c.get("log");
  if (config.logPrompts) log.line.prompt = body.input;
  // create() validates the whole request.
  const request = body as unknown as EmbeddingCreateParams;
  const answer = await bedrock.embeddings.create(request, upstreamCall(c).options);
  const { prompt_tokens } = answer.usage;
  log.record({ usage: { prompt_tokens, completion_tokens: 0, total_tokens: prompt_tokens } });
  return jsonResponse(answer);
}
