// The HTTP responses every operation answers with: JSON, event streams with the model id's
// stream faults applied, and the errors the model id's call faults ask for.

import type { Call } from "./call.ts";
import { corsHeaders } from "./cors.ts";
import { type AwsError, awsError, CONTEXT_WINDOW, errorResponse, type ExceptionMembers, MESSAGES } from "./errors.ts";
import { corruptMessageCrc, exceptionFrame } from "./frames.ts";
import type { CallFault, ModelOptions, StreamExceptionType } from "./model-id.ts";
import { frameStream, type FrameStep } from "./stream.ts";

export function fail(call: Call, error: AwsError): Response {
  return errorResponse(error, call.requestId);
}

function successHeaders(call: Call): Headers {
  const headers = corsHeaders();
  headers.set("x-amzn-RequestId", call.requestId);
  return headers;
}

export function jsonResponse(call: Call, json: unknown, extraHeaders: Record<string, string> = {}): Response {
  const headers = successHeaders(call);
  headers.set("content-type", "application/json");
  for (const [name, value] of Object.entries(extraHeaders)) headers.set(name, value);
  return new Response(JSON.stringify(json), { status: 200, headers });
}

/** An event-stream answer: the frames, paced and broken as the model id asks. */
export function eventStreamResponse(
  call: Call,
  options: ModelOptions,
  frames: Iterable<Uint8Array>,
  extraHeaders: Record<string, string> = {},
): Response {
  const { recorder } = call;
  recorder.streamStarted();
  const body = frameStream(withStreamFaults(frames, options), options.slowMs ?? call.config.chunkDelayMs, {
    onComplete: () => recorder.streamEnded("completed"),
    onCancel: () => recorder.streamEnded("cancelled"),
    onDrop: () => recorder.streamEnded("dropped"),
  });
  const headers = successHeaders(call);
  headers.set("content-type", "application/vnd.amazon.eventstream");
  for (const [name, value] of Object.entries(extraHeaders)) headers.set(name, value);
  return new Response(body, { status: 200, headers });
}

/** Frames with the stream faults of the model id applied: an exception, a drop, a corrupt CRC. */
function* withStreamFaults(frames: Iterable<Uint8Array>, options: ModelOptions): Generator<FrameStep> {
  let sent = 0;
  for (const frame of frames) {
    if (options.midstream && sent === options.midstream.afterFrames) return yield exceptionStep(options);
    if (options.dropAfterFrames === sent) return yield { kind: "drop" };
    sent++;
    yield { kind: "frame", frame: sent === options.badCrcFrame ? corruptMessageCrc(frame) : frame };
  }
  // Asked to interrupt after as many frames as the answer has, or more: interrupt at the end.
  if (options.midstream) yield exceptionStep(options);
  else if (options.dropAfterFrames !== undefined) yield { kind: "drop" };
}

function exceptionStep(options: ModelOptions): FrameStep {
  const type = options.midstream?.type ?? "internalServerException";
  const members = type === "modelStreamErrorException" ? modelStreamMembers(options) : {};
  return { kind: "frame", frame: exceptionFrame(type, STREAM_EXCEPTION_MESSAGES[type], members) };
}

/**
 * ModelStreamErrorException's `originalStatusCode` and `originalMessage`, the model's own status
 * and words: with `ctx`, the context-length refusal of a model behind Bedrock (which then comes
 * this way instead of as ctx's ValidationException: carriesContextLength); else a server failure.
 */
function modelStreamMembers(options: ModelOptions): ExceptionMembers {
  return options.ctx
    ? {
        originalStatusCode: 400,
        originalMessage: `This model's maximum context length is ${CONTEXT_WINDOW} tokens. Please reduce the length of the prompt.`,
      }
    : { originalStatusCode: 500, originalMessage: MESSAGES.modelServerFailed };
}

/**
 * Whether `ctx`'s refusal comes inside a ModelStreamErrorException of the stream, as its
 * originalMessage, rather than as a ValidationException before it.
 */
export function carriesContextLength(options: ModelOptions, stream: boolean): boolean {
  return stream && options.midstream?.type === "modelStreamErrorException";
}

const STREAM_EXCEPTION_MESSAGES: Record<StreamExceptionType, string> = {
  throttlingException: MESSAGES.throttling,
  modelStreamErrorException: MESSAGES.modelStreamError,
  modelTimeoutException: MESSAGES.modelTimeout,
  internalServerException: MESSAGES.internalServer,
  serviceUnavailableException: MESSAGES.serviceUnavailable,
  validationException: "The model rejected the request while streaming (injected by the emulator).",
};

/** The error of a call fault; `target`: the model id (ModelErrorException's resourceName) and its options. */
export function faultError(kind: CallFault["kind"], target: ModelOptions & { modelId: string }): AwsError {
  switch (kind) {
    case "throttle":
      return awsError("ThrottlingException", MESSAGES.throttling);
    case "notready":
      return awsError("ModelNotReadyException", MESSAGES.modelNotReady);
    case "err500":
      return awsError("InternalServerException", MESSAGES.internalServer);
    case "err503":
      return awsError("ServiceUnavailableException", MESSAGES.serviceUnavailable);
    case "modeltimeout":
      return awsError("ModelTimeoutException", MESSAGES.modelTimeout);
    case "modelerror":
      return awsError("ModelErrorException", MESSAGES.modelError, {
        originalStatusCode: 500,
        resourceName: target.modelId,
      });
    case "quota":
      return awsError("ServiceQuotaExceededException", MESSAGES.serviceQuota);
    case "streamerror":
      return awsError("ModelStreamErrorException", MESSAGES.modelStreamError, modelStreamMembers(target));
  }
}

/** Sleeps for the model id's `wait<ms>` before anything is answered. */
export async function waitFor(options: ModelOptions): Promise<void> {
  if (options.waitMs) await new Promise((resolve) => setTimeout(resolve, options.waitMs));
}
