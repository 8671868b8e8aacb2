// bedrock.responses.create(): the Responses API as a mapping over chat completions. The
// request becomes a chat request, the chat answer (or stream) becomes a Response (or events).
import type { ChatCompletions, RequestOptions } from "../client.ts";
import type { OpenAIErrorBody } from "../errors.ts";
import { responseEvents, responseFromCompletion, type ResponseEventStream } from "./from-chat.ts";
import { responseMeta } from "./output.ts";
import { parseResponsesRequest } from "./request.ts";
import { inResponsesTerms, toChatRequest } from "./to-chat.ts";
import type { NonStreamingResponseParams, Response, ResponseCreateParams, StreamingResponseParams } from "./types.ts";

export interface ResponsesRequestOptions extends RequestOptions {
  /** The error object a stream's failure events carry (default: the error's own; the proxy scrubs it). */
  errorBody?: ((error: unknown) => OpenAIErrorBody) | undefined;
  /** Told of a failure after a stream's first event, before its failure events (the proxy logs it). */
  onError?: ((error: unknown) => void) | undefined;
}

export interface Responses {
  create(params: StreamingResponseParams, options?: ResponsesRequestOptions): Promise<ResponseEventStream>;
  create(params: NonStreamingResponseParams, options?: ResponsesRequestOptions): Promise<Response>;
  create(params: ResponseCreateParams, options?: ResponsesRequestOptions): Promise<Response | ResponseEventStream>;
}

export function createResponses(completions: ChatCompletions): Responses {
  async function create(input: ResponseCreateParams, options: ResponsesRequestOptions = {}) {
    const request = parseResponsesRequest(input);
    const { chat, sources } = toChatRequest(request);
    const meta = responseMeta(request.model);
    const { signal, onRetry, onDeployment, onFailover, errorBody, onError } = options;
    try {
      if (request.stream) {
        // Usage always: response.completed carries it.
        const stream = await completions.create(
          { ...chat, stream: true, stream_options: { include_usage: true } },
          { signal, onRetry, onDeployment, onFailover },
        );
        return responseEvents(stream, request, meta, { signal, errorBody, onError });
      }
      const completion = await completions.create(
        { ...chat, stream: false },
        { signal, onRetry, onDeployment, onFailover },
      );
      return responseFromCompletion(completion, request, meta);
    } catch (error) {
      throw inResponsesTerms(error, sources);
    }
  }
  return { create } as Responses;
}
