// The Bedrock Runtime emulator as a web fetch handler: no node:* imports here or below, so it
// serves from Node, workerd, Deno, Bun or a service worker alike.
//
//   POST /model/{modelId}/invoke
//   POST /model/{modelId}/invoke-with-response-stream
//
// Order of checks, as AWS does it: route, authentication, model id, body, then the faults the
// model id asks for, then the answer.

import { chatAnswer, completionAnswer, type Answer, type CompletionFormat } from "./answers.ts";
import { authenticate } from "./auth.ts";
import { corsHeaders, preflightResponse } from "./cors.ts";
import {
  EMULATOR_API_KEY,
  EMULATOR_CREDENTIALS,
  EMULATOR_SESSION_CREDENTIALS,
  type EmulatorCredentials,
} from "./credentials.ts";
import { awsError, errorResponse, MESSAGES, type AwsError } from "./errors.ts";
import { chunkFrame, corruptMessageCrc, exceptionFrame } from "./frames.ts";
import { faultForCall, parseModelId, type CallFault, type ModelSpec, type StreamExceptionType } from "./model-id.ts";
import {
  chatChunks,
  chatCompletionBody,
  completionBody,
  completionChunks,
  latencyOf,
  stableHash,
  type ChatIdentity,
  type JsonObject,
} from "./model-json.ts";
import { parseRequest, type ParsedRequest } from "./requests.ts";
import { createStats, type EmulatorStats, type StatsRecorder } from "./stats.ts";
import { frameStream, type FrameStep } from "./stream.ts";

export interface EmulatorOptions {
  /** Accepted SigV4 credentials; default: the fixed test credentials (both kinds). */
  credentials?: readonly EmulatorCredentials[];
  /** Accepted Bedrock API keys (`Authorization: Bearer`); default: `EMULATOR_API_KEY`. */
  apiKeys?: readonly string[];
  /** Clock for signature-age checks and `created` fields; default `Date.now`. */
  now?: () => number;
  /** Delay between stream frames (ms) unless the model id says `slow<ms>`; default 0. */
  chunkDelayMs?: number;
}

export interface Emulator {
  fetch(request: Request): Promise<Response>;
  readonly stats: EmulatorStats;
}

interface Config {
  credentials: readonly EmulatorCredentials[];
  apiKeys: readonly string[];
  now: () => number;
  chunkDelayMs: number;
}

interface Call {
  request: Request;
  url: URL;
  requestId: string;
  config: Config;
  recorder: StatsRecorder;
}

type Operation = "invoke" | "invoke-with-response-stream";

const PATH = /^\/model\/([^/]+)\/(invoke|invoke-with-response-stream)$/;

export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const config: Config = {
    credentials: options.credentials ?? [EMULATOR_CREDENTIALS, EMULATOR_SESSION_CREDENTIALS],
    apiKeys: options.apiKeys ?? [EMULATOR_API_KEY],
    now: options.now ?? Date.now,
    chunkDelayMs: options.chunkDelayMs ?? 0,
  };
  const { stats, recorder } = createStats();
  return {
    stats,
    fetch: (request) => handle(request, config, recorder),
  };
}

async function handle(request: Request, config: Config, recorder: StatsRecorder): Promise<Response> {
  const url = new URL(request.url);
  const call: Call = { request, url, requestId: crypto.randomUUID(), config, recorder };
  const match = PATH.exec(url.pathname);
  const modelId = match ? decodeModelId(match[1] ?? "") : null;
  const operation: Operation | undefined =
    match?.[2] === "invoke" ? "invoke" : match ? "invoke-with-response-stream" : undefined;
  let response: Response;
  if (request.method === "OPTIONS") response = preflightResponse();
  else if (!operation || modelId === null || request.method !== "POST") {
    response = errorResponse(awsError("UnknownOperationException", MESSAGES.unknownOperation), call.requestId);
  } else {
    response = await invoke(call, modelId, operation).catch((error: unknown) =>
      fail(
        call,
        awsError(
          "InternalServerException",
          `The emulator failed: ${error instanceof Error ? error.message : "unknown error"}`,
        ),
      ),
    );
  }
  recorder.log({
    method: request.method,
    path: url.pathname,
    modelId,
    status: response.status,
    stream: operation === "invoke-with-response-stream" && response.ok,
  });
  return response;
}

function decodeModelId(encoded: string): string | null {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return null;
  }
}

async function invoke(call: Call, modelId: string, operation: Operation): Promise<Response> {
  const body = new Uint8Array(await call.request.arrayBuffer());
  const auth = await authenticate(call.request, call.url, body, call.config);
  if (!auth.ok) return fail(call, auth.error);
  const spec = parseModelId(modelId);
  if (!spec) return fail(call, awsError("ResourceNotFoundException", MESSAGES.modelNotFound));
  if (auth.kind === "sigv4" && auth.region !== spec.region) {
    return fail(
      call,
      awsError(
        "ValidationException",
        `The model ARN's region (${spec.region}) does not match the region the request was signed for (${auth.region}).`,
      ),
    );
  }
  const json = parseJson(body);
  if (json === undefined) return fail(call, awsError("ValidationException", MESSAGES.malformedJson));
  call.recorder.body(modelId, json);
  const parsed = parseRequest(spec.format, json);
  if (typeof parsed === "string") return fail(call, awsError("ValidationException", parsed));

  const fault = faultForCall(spec.callFaults, call.recorder.nextCall(modelId));
  if (fault) return fail(call, faultError(fault));
  if (spec.waitMs) await new Promise((resolve) => setTimeout(resolve, spec.waitMs));
  const answer = answerFor(spec, parsed);
  if (spec.ctx) return fail(call, contextLengthError(answer.promptTokens));
  return operation === "invoke"
    ? invokeResponse(call, spec, parsed, answer)
    : streamResponse(call, spec, parsed, answer);
}

function fail(call: Call, error: AwsError): Response {
  return errorResponse(error, call.requestId);
}

function parseJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch {
    return undefined;
  }
}

function faultError(kind: CallFault["kind"]): AwsError {
  switch (kind) {
    case "throttle":
      return awsError("ThrottlingException", MESSAGES.throttling);
    case "notready":
      return awsError("ModelNotReadyException", MESSAGES.modelNotReady);
    case "err500":
      return awsError("InternalServerException", MESSAGES.internalServer);
    case "err503":
      return awsError("ServiceUnavailableException", MESSAGES.serviceUnavailable);
  }
}

export const CONTEXT_WINDOW = 8192;

function contextLengthError(promptTokens: number): AwsError {
  return awsError(
    "ValidationException",
    `This model's maximum context length is ${CONTEXT_WINDOW} tokens. However, you requested ${CONTEXT_WINDOW + promptTokens} tokens. Please reduce the length of the prompt.`,
  );
}

function answerFor(spec: ModelSpec, parsed: ParsedRequest): Answer {
  if (parsed.kind === "chat") return chatAnswer(spec, parsed.body);
  return completionAnswer(spec, completionFormat(spec), parsed.body);
}

function completionFormat(spec: ModelSpec): CompletionFormat {
  return spec.format === "openai" ? "llama" : spec.format;
}

function chatIdentity(call: Call, parsed: ParsedRequest): ChatIdentity {
  const model = parsed.kind === "chat" ? parsed.body.model : "";
  return {
    id: `chatcmpl-emulator-${stableHash(JSON.stringify(parsed.body))}`,
    created: Math.floor(call.config.now() / 1000),
    model,
  };
}

function successHeaders(call: Call): Headers {
  const headers = corsHeaders();
  headers.set("x-amzn-RequestId", call.requestId);
  return headers;
}

function invokeResponse(call: Call, spec: ModelSpec, parsed: ParsedRequest, answer: Answer): Response {
  const usage = !spec.nousage;
  const latency = latencyOf(answer, 0);
  const json: JsonObject =
    parsed.kind === "chat"
      ? chatCompletionBody(chatIdentity(call, parsed), answer, usage)
      : completionBody(completionFormat(spec), answer, usage);
  const headers = successHeaders(call);
  headers.set("content-type", "application/json");
  headers.set("x-amzn-bedrock-invocation-latency", String(latency.totalMs));
  if (usage) {
    headers.set("x-amzn-bedrock-input-token-count", String(answer.promptTokens));
    headers.set("x-amzn-bedrock-output-token-count", String(answer.outputTokens));
  }
  return new Response(JSON.stringify(json), { status: 200, headers });
}

function streamResponse(call: Call, spec: ModelSpec, parsed: ParsedRequest, answer: Answer): Response {
  const usage = !spec.nousage;
  const delayMs = spec.slowMs ?? call.config.chunkDelayMs;
  const latency = latencyOf(answer, delayMs);
  const chunks =
    parsed.kind === "chat"
      ? chatChunks(chatIdentity(call, parsed), answer, usage, latency)
      : completionChunks(completionFormat(spec), answer, usage, latency);
  const { recorder } = call;
  recorder.streamStarted();
  const body = frameStream(frameSteps(chunks, spec), delayMs, {
    onComplete: () => recorder.streamEnded("completed"),
    onCancel: () => recorder.streamEnded("cancelled"),
    onDrop: () => recorder.streamEnded("dropped"),
  });
  const headers = successHeaders(call);
  headers.set("content-type", "application/vnd.amazon.eventstream");
  headers.set("x-amzn-bedrock-content-type", "application/json");
  return new Response(body, { status: 200, headers });
}

/** Model chunks as frames, with the stream faults of the model id applied. */
function* frameSteps(chunks: Iterable<JsonObject>, spec: ModelSpec): Generator<FrameStep> {
  let sent = 0;
  for (const chunk of chunks) {
    if (spec.midstream && sent === spec.midstream.afterFrames) return yield exceptionStep(spec.midstream.type);
    if (spec.dropAfterFrames === sent) return yield { kind: "drop" };
    const frame = chunkFrame(chunk, sent);
    sent++;
    yield { kind: "frame", frame: sent === spec.badCrcFrame ? corruptMessageCrc(frame) : frame };
  }
  // Asked to interrupt after as many frames as the answer has, or more: interrupt at the end.
  if (spec.midstream) yield exceptionStep(spec.midstream.type);
  else if (spec.dropAfterFrames !== undefined) yield { kind: "drop" };
}

function exceptionStep(type: StreamExceptionType): FrameStep {
  return { kind: "frame", frame: exceptionFrame(type, STREAM_EXCEPTION_MESSAGES[type]) };
}

const STREAM_EXCEPTION_MESSAGES: Record<StreamExceptionType, string> = {
  throttlingException: MESSAGES.throttling,
  modelStreamErrorException: "The model stream failed while generating (injected by the emulator).",
  modelTimeoutException: "Model has timed out in processing the request. Try your request again.",
  internalServerException: MESSAGES.internalServer,
  serviceUnavailableException: MESSAGES.serviceUnavailable,
  validationException: "The model rejected the request while streaming (injected by the emulator).",
};
