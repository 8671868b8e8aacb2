// A rule of both streaming APIs (chat and legacy Completions) that no schema of one field states.
import { invalidRequest } from "../errors.ts";

/**
 * `stream_options` only shapes a stream: OpenAI refuses it on a request that does not stream
 * (and so does vLLM), so a client that sends it there is told, rather than left to wonder why
 * its `include_usage` changed nothing.
 */
export function refuseStreamOptionsWithoutStream(request: { stream?: unknown; stream_options?: unknown }): void {
  if (request.stream !== true && request.stream_options != null) {
    throw invalidRequest(
      "stream_options is only allowed when stream is true: remove it, or set stream to true.",
      "stream_options",
    );
  }
}
