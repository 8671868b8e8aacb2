// Chat Completions answers as Responses: a chat.completion becomes a Response, a stream of
// chat.completion.chunk objects becomes the Responses stream events. Both go through the same
// output assembler, so a streamed answer ends with the Response a plain call would return.
import type { ChatCompletionStream } from "../completion-stream.ts";
import { BedrockEdgeError, type OpenAIErrorBody } from "../errors.ts";
import type { ChatCompletion, ChatCompletionChunk, ChunkDelta } from "../openai/types.ts";
import { toErrorBody } from "../openai/sse.ts";
import { createOutputAssembler, type Failure, type OutputAssembler, type ResponseMeta } from "./output.ts";
import type { Response, ResponseStreamEvent, ResponsesRequest } from "./types.ts";

/** A streamed response: iterate it for events; abort() (or leaving the loop) cancels the upstream call. */
export interface ResponseEventStream extends AsyncIterable<ResponseStreamEvent> {
  abort(): void;
}

export interface ResponseEventsOptions {
  /** The caller's signal: its abort ends the stream with the abort's reason, not failure events. */
  signal?: AbortSignal | undefined;
  /** The error object the failure events carry (default: the error's own; the proxy scrubs it). */
  errorBody?: ((error: unknown) => OpenAIErrorBody) | undefined;
  /** Told of a failure after the first event, before the failure events are yielded. */
  onError?: ((error: unknown) => void) | undefined;
}

/** One chat delta (or a whole message, as one delta) into the assembler. */
function feed(assembler: OutputAssembler, delta: ChunkDelta, out: ResponseStreamEvent[]): void {
  if (delta.reasoning_content) assembler.reasoning(delta.reasoning_content, out);
  if (delta.thinking_blocks) assembler.thinking(delta.thinking_blocks, out);
  if (delta.content) assembler.content(delta.content, out);
  for (const call of delta.tool_calls ?? []) {
    assembler.toolCall(
      { index: call.index, id: call.id, name: call.function?.name, arguments: call.function?.arguments },
      out,
    );
  }
}

/** A chat.completion as the Response the Responses API returns for it. */
export function responseFromCompletion(
  completion: ChatCompletion,
  request: ResponsesRequest,
  meta: ResponseMeta,
): Response {
  const assembler = createOutputAssembler(request, meta);
  // A plain answer's events are not sent anywhere.
  const unused: ResponseStreamEvent[] = [];
  const choice = completion.choices.find((candidate) => candidate.index === 0) ?? completion.choices[0];
  if (choice) {
    const { message } = choice;
    feed(
      assembler,
      {
        ...(message.reasoning_content ? { reasoning_content: message.reasoning_content } : {}),
        ...(message.thinking_blocks ? { thinking_blocks: message.thinking_blocks } : {}),
        ...(message.content ? { content: message.content } : {}),
        ...(message.tool_calls
          ? { tool_calls: message.tool_calls.map((call, index) => ({ index, id: call.id, function: call.function })) }
          : {}),
      },
      unused,
    );
    assembler.finish(choice.finish_reason);
  }
  if (completion.usage) assembler.usage(completion.usage);
  if (completion.service_tier) assembler.serviceTier(completion.service_tier);
  return assembler.complete(unused);
}

function failureOf(error: unknown, errorBody: (error: unknown) => OpenAIErrorBody): Failure {
  const { message, code, param } = errorBody(error).error;
  return { status: error instanceof BedrockEdgeError ? error.status : 500, message, code, param };
}

/**
 * A stream that failed before its answer began, for a server that had already begun it (the
 * proxy sends keep-alive comments while a cold model wakes up, and it may never wake): the
 * events a failure mid-answer ends with, response.created and response.in_progress first, then
 * the `error` event and response.failed. A client that needs response.created before anything
 * else (the openai SDK's responses.stream()) then reports this error, not a broken stream.
 */
export function failedResponseEvents(
  request: ResponsesRequest,
  meta: ResponseMeta,
  error: unknown,
  errorBody: (error: unknown) => OpenAIErrorBody = toErrorBody,
): ResponseStreamEvent[] {
  const assembler = createOutputAssembler(request, meta);
  const out: ResponseStreamEvent[] = [];
  assembler.start(out);
  assembler.fail(failureOf(error, errorBody), out);
  return out;
}

/**
 * A chat stream as Responses events: response.created and response.in_progress at once, then the
 * items as the chunks arrive, and response.completed (or response.incomplete) with the whole
 * Response. A failure after the first event is told in-band, as the API does: an `error` event
 * and response.failed, and the stream ends.
 */
export function responseEvents(
  chat: ChatCompletionStream,
  request: ResponsesRequest,
  meta: ResponseMeta,
  options: ResponseEventsOptions = {},
): ResponseEventStream {
  const assembler = createOutputAssembler(request, meta);
  let aborted = false;

  async function* events(): AsyncGenerator<ResponseStreamEvent, void, undefined> {
    let out: ResponseStreamEvent[] = [];
    try {
      assembler.start(out);
      yield* out;
      try {
        for await (const chunk of chat) {
          out = [];
          feedChunk(chunk, out);
          yield* out;
        }
      } catch (error) {
        // The caller's own abort is not a failure of the answer: it ends the loop as chat's does.
        if (aborted || options.signal?.aborted) throw error;
        options.onError?.(error);
        out = [];
        assembler.fail(failureOf(error, options.errorBody ?? toErrorBody), out);
        yield* out;
        return;
      }
      out = [];
      assembler.complete(out);
      yield* out;
    } finally {
      // Leaving early (even before the first chunk was read) must end the upstream call too;
      // after the stream's own end this does nothing.
      chat.abort();
    }
  }

  function feedChunk(chunk: ChatCompletionChunk, out: ResponseStreamEvent[]): void {
    if (chunk.usage) assembler.usage(chunk.usage);
    if (chunk.service_tier) assembler.serviceTier(chunk.service_tier);
    const choice = chunk.choices.find((candidate) => candidate.index === 0);
    if (!choice) return;
    feed(assembler, choice.delta, out);
    if (choice.finish_reason) assembler.finish(choice.finish_reason);
  }

  const iterator = events();
  let iterated = false;
  return {
    [Symbol.asyncIterator]() {
      if (iterated) throw new TypeError("A ResponseEventStream can be iterated only once.");
      iterated = true;
      return iterator;
    },
    abort() {
      aborted = true;
      chat.abort();
    },
  };
}
