// POST /v1/completions: OpenAI's legacy Completions API, one library call, answered as JSON or
// as SSE (`text_completion` chunks, then `data: [DONE]`).
import type { CompletionChunk, CompletionCreateParams } from "../../src/index.ts";
import type { AppContext } from "../context.ts";
import { checkBeforeCall } from "../endpoint-checks.ts";
import { jsonResponse } from "../http.ts";
import { recordPlainAnswer } from "../log.ts";
import { dataEvents, sseAnswer } from "../sse.ts";
import { upstreamCall } from "../upstream.ts";

export async function completions(c: AppContext): Promise<Response> {
  const { bedrock, config, keepAliveMs } = c.get("ready");
  const body = c.get("body");
  const log = c.get("log");
  if (config.logPrompts) log.line.prompt = body.prompt;
  // Only what the proxy branches on (JSON or SSE, usage or not) and a plain answer too large to
  // build (endpoint-checks.ts); create() validates the rest.
  checkBeforeCall("completions", body, config.models);
  const request = body as unknown as CompletionCreateParams;
  const upstream = upstreamCall(c);

  if (request.stream !== true) {
    const completion = await bedrock.completions.create({ ...request, stream: false }, upstream.options);
    const echoed = echoedPrompts(request);
    recordPlainAnswer(
      log,
      completion.usage,
      completion.choices.map((choice) => ({ text: withoutEcho(choice.text, echoed(choice.index)) })),
    );
    log.line.finish_reasons = completion.choices.map((choice) => choice.finish_reason);
    return jsonResponse(completion);
  }
  const wantsUsage = request.stream_options?.include_usage === true;
  const echoed = echoedPrompts(request);
  const begun = new Set<number>();
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
        for (const { index, text } of chunk.choices) {
          if (begun.has(index)) add(text);
          else add(withoutEcho(text, echoed(index)));
          begun.add(index);
        }
      },
      finishes: (chunk) => chunk.choices,
      wantsUsage,
    }),
    keepAliveMs,
    log,
  });
}

/**
 * The prompt `echo: true` writes before choice `index`'s text (prompts in order, `n` answers
 * each), "" without echo. An answer's output estimate leaves it out: it is the request's input,
 * already counted as such.
 */
function echoedPrompts(request: CompletionCreateParams): (index: number) => string {
  if (request.echo !== true) return () => "";
  const prompts = Array.isArray(request.prompt) ? request.prompt : [request.prompt];
  const n = request.n ?? 1;
  return (index) => {
    const prompt = prompts[Math.floor(index / n)];
    return typeof prompt === "string" ? prompt : "";
  };
}

function withoutEcho(text: string, echo: string): string {
  return echo !== "" && text.startsWith(echo) ? text.slice(echo.length) : text;
}
