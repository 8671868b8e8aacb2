// POST /v1/responses: the Responses API, one library call, answered as JSON or as the API's
// named SSE events. A failure after the first byte travels in-band, as the library yields it
// (`error`, then response.failed), with the proxy's error body and recorded in the log line;
// so does a model that never woke up behind the keep-alive comments.
import {
  failedResponseEvents,
  parseResponsesRequest,
  responseBody,
  responseMeta,
  responseSseEvent,
} from "../../src/core.ts";
import type { Response as ResponseObject, ResponseCreateParams, ResponseStreamEvent, Usage } from "../../src/index.ts";
import type { AppContext } from "../context.ts";
import { checkBeforeCall } from "../endpoint-checks.ts";
import { clientErrorBody, jsonResponse } from "../http.ts";
import { failureOutcome, recordPlainAnswer } from "../log.ts";
import { withoutMediaBytes } from "../prompt-media.ts";
import { type SseFormat, sseAnswer } from "../sse.ts";
import { upstreamCall } from "../upstream.ts";

export async function responses(c: AppContext): Promise<Response> {
  const { bedrock, config, keepAliveMs } = c.get("ready");
  const body = c.get("body");
  const log = c.get("log");
  if (config.logPrompts) log.line.messages = { instructions: body.instructions, input: withoutMediaBytes(body.input) };
  // Only what the proxy branches on; create() validates the whole request, once.
  checkBeforeCall("responses", body, config.models);
  const request = body as unknown as ResponseCreateParams;
  const upstream = upstreamCall(c);

  if (request.stream !== true) {
    const response = await bedrock.responses.create({ ...request, stream: false }, upstream.options);
    recordPlainAnswer(log, usageOf(response), response.output);
    log.line.finish_reasons = finishReasonsOf(response);
    if (response.service_tier) log.line.service_tier = response.service_tier;
    return jsonResponse(responseBody(response));
  }
  return sseAnswer({
    opened: bedrock.responses.create(
      { ...request, stream: true },
      {
        ...upstream.options,
        errorBody: clientErrorBody,
        onError: (error) => log.record(failureOutcome(error)),
      },
    ),
    waking: upstream.waking,
    format: namedEvents(body),
    keepAliveMs,
    log,
  });
}

/**
 * The Responses API's SSE: each event named by its type, no end marker (the last event says how
 * the response ended). The relay's own failure, a model that never woke up while comments kept
 * the stream open, ends it as a failure mid-answer does: response.created and
 * response.in_progress, then `error` and response.failed. After the first event only the library
 * can fail (it tells its failures in-band), so there the `error` event alone follows what was sent.
 */
function namedEvents(body: object): SseFormat<ResponseStreamEvent> {
  let next = 0;
  return {
    event(event) {
      next = event.sequence_number + 1;
      return responseSseEvent(event);
    },
    end: "",
    error(error) {
      if (next === 0) {
        // create() has validated the body already: the model it called was asleep. Should the body
        // not parse after all, the lone error event below still tells the client why.
        const request = safely(() => parseResponsesRequest(body));
        if (request) {
          const events = failedResponseEvents(request, responseMeta(request.model), error, clientErrorBody);
          return events.map(responseSseEvent).join("");
        }
      }
      const { message, code, param } = clientErrorBody(error).error;
      return responseSseEvent({ type: "error", code, message, param, sequence_number: next });
    },
    usage: (event) => ("response" in event ? usageOf(event.response) : undefined),
    // The deltas of text, reasoning and call arguments; the `.done` events and snapshots repeat them.
    text: (event, add) => {
      if ("delta" in event) add(event.delta);
    },
    finishes: (event) =>
      event.type === "response.completed" || event.type === "response.incomplete"
        ? finishReasonsOf(event.response).map((finish_reason, index) => ({ index, finish_reason }))
        : [],
    serviceTier: (event) => ("response" in event ? event.response.service_tier : undefined),
    last: (event) =>
      event.type === "response.completed" || event.type === "response.incomplete" || event.type === "response.failed",
  };
}

/** The log line's token counts, from a Response's usage. */
function usageOf(response: ResponseObject): Usage | undefined {
  const usage = response.usage;
  return usage
    ? { prompt_tokens: usage.input_tokens, completion_tokens: usage.output_tokens, total_tokens: usage.total_tokens }
    : undefined;
}

/**
 * Why the model stopped, in the words the log line and traces use for every endpoint (chat's):
 * a Response says it by its status, its incomplete_details and its function calls. A failed one
 * has none: its error says what happened.
 */
function finishReasonsOf(response: ResponseObject): string[] {
  if (response.status === "incomplete")
    return [response.incomplete_details?.reason === "content_filter" ? "content_filter" : "length"];
  if (response.status !== "completed") return [];
  return [response.output.some((item) => item.type === "function_call") ? "tool_calls" : "stop"];
}

function safely<T>(make: () => T): T | undefined {
  try {
    return make();
  } catch {
    return undefined;
  }
}
