// POST /v1/completions: OpenAI's legacy Completions API, one library call, answered as JSON or
// as SSE (`text_completion` chunks, then `data: [DONE]`).
import { checkCompletionStreamFlags } from "../../src/core.ts";
import type { CompletionChunk, CompletionCreateParams } from "../../src/index.ts";
import type { AppContext } from "../context.ts";
import { jsonResponse } from "../http.ts";
import { recordPlainAnswer } from "../log.ts";
import { checkPlainAnswerSize } from "../plain-answer.ts";
import { dataEvents, sseAnswer } from "../sse.ts";
import { upstreamCall } from "../upstream.ts";

export async function completions(c: AppContext): Promise<Response> {
  const { bedrock, config, keepAliveMs } = c.get("ready");
  const body = c.get("body");
  const log = c.get("log");
  if (config.logPrompts) log.line.prompt = body.prompt;
  // Only what the proxy branches on (JSON or SSE, usage or not); create() validates the rest.
  checkCompletionStreamFlags(body);
  checkPlainAnswerSize(body, "completions", config.models);
  const request = body as unknown as CompletionCreateParams;
  const upstream = upstreamCall(c);

  if (request.stream !== true) {
    const completion = await bedrock.completions.create({ ...request, stream: false }, upstream.options);
    recordPlainAnswer(log, completion.usage, completion.choices);
    log.line.finish_reasons = completion.choices.map((choice) => choice.finish_reason);
    return jsonResponse(completion);
  }
  const wantsUsage = request.stream_options?.include_usage === true;
  return sseAnswer({
    // Usage is always asked for, for the log line; it reaches the client only if it asked too.
    opened: bedrock.completions.create(
      { ...request, stream: true, stream_options: { ...request.stream_options, include_usage: true } },
      upstream.options,
    ),
    waking: upstream.waking,
    format: dataEvents<CompletionChunk>({
      usage: (chunk) => chunk.usage ?? undefined,
      text: (chunk, add) => {
        for (const choice of chunk.choices) add(choice.text);
      },
      finishes: (chunk) => chunk.choices,
      wantsUsage,
    }),
    keepAliveMs,
    log,
  });
}
