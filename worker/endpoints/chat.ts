// POST /v1/chat/completions: one library call, answered as JSON or as SSE.
import type { ChatCompletionChunk, ChatCompletionCreateParams } from "../../src/index.ts";
import type { AppContext } from "../context.ts";
import { checkBeforeCall } from "../endpoint-checks.ts";
import { jsonResponse } from "../http.ts";
import { recordPlainAnswer } from "../log.ts";
import { withoutMediaBytes } from "../prompt-media.ts";
import { dataEvents, sseAnswer } from "../sse.ts";
import { upstreamCall } from "../upstream.ts";

export async function chatCompletions(c: AppContext): Promise<Response> {
  const { bedrock, config, keepAliveMs } = c.get("ready");
  const body = c.get("body");
  const log = c.get("log");
  if (config.logPrompts) log.line.messages = withoutMediaBytes(body.messages);
  // Only what the proxy branches on (JSON or SSE, usage or not) and a plain answer too large to
  // build (endpoint-checks.ts); create() validates the whole request, once. Unchecked,
  // `"stream": "yes"` would get a JSON answer.
  checkBeforeCall("chat", body, config.models);
  const request = body as unknown as ChatCompletionCreateParams;
  const upstream = upstreamCall(c);

  if (request.stream !== true) {
    const completion = await bedrock.chat.completions.create({ ...request, stream: false }, upstream.options);
    recordPlainAnswer(log, completion.usage, completion.choices);
    log.line.finish_reasons = completion.choices.map((choice) => choice.finish_reason);
    if (completion.service_tier) log.line.service_tier = completion.service_tier;
    return jsonResponse(completion);
  }
  const wantsUsage = request.stream_options?.include_usage === true;
  return sseAnswer({
    // Usage is always asked for, for the log line; it reaches the client only if it asked too.
    opened: bedrock.chat.completions.create(
      { ...request, stream: true, stream_options: { ...request.stream_options, include_usage: true } },
      upstream.options,
    ),
    waking: upstream.waking,
    format: dataEvents<ChatCompletionChunk>({
      usage: (chunk) => chunk.usage ?? undefined,
      text: chunkText,
      finishes: (chunk) => chunk.choices,
      serviceTier: (chunk) => chunk.service_tier,
      wantsUsage,
    }),
    keepAliveMs,
    log,
  });
}

/** A chat chunk's generated text, for SseFormat.text: its deltas' content, reasoning, refusal and tool-call arguments. */
export function chunkText(chunk: ChatCompletionChunk, add: (text: string) => void): void {
  // By index: this runs for every chunk relayed (sse.ts).
  const { choices } = chunk;
  for (let i = 0; i < choices.length; i++) {
    const { delta } = choices[i] as ChatCompletionChunk["choices"][number];
    if (delta.content) add(delta.content);
    if (delta.reasoning_content) add(delta.reasoning_content);
    if (delta.refusal) add(delta.refusal);
    const calls = delta.tool_calls;
    if (calls) {
      for (let j = 0; j < calls.length; j++) {
        const args = calls[j]?.function?.arguments;
        if (args) add(args);
      }
    }
  }
}
