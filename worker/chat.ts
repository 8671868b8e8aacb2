// POST /v1/chat/completions: auth, body, then one library call, answered as JSON or SSE.
// The request's log line is written here, when the answer (or the stream) really ends.
import type { ChatCompletionStream } from "../src/client.ts";
import { BedrockEdgeError } from "../src/errors.ts";
import { checkStreamFlags } from "../src/openai/schema.ts";
import type { ChatCompletionCreateParams, Usage } from "../src/openai/types.ts";
import { authorise } from "./auth.ts";
import { parseJsonBody, readBody } from "./body.ts";
import { asProxyError, clientErrorBody, errorResponse, jsonResponse, refusal, SSE_HEADERS } from "./http.ts";
import { CLIENT_CLOSED, type RequestLog } from "./log.ts";
import type { Ready } from "./state.ts";
import { sseFromStream, sseWhileWaiting } from "./stream.ts";

const CLIENT_GONE = "the client closed the connection";

interface Call {
  ready: Ready;
  log: RequestLog;
  request: ChatCompletionCreateParams;
  /** Aborted when the client goes away: it cancels the upstream call. */
  upstream: AbortController;
  onRetry(event: { error: BedrockEdgeError }): void;
  /** Resolves when Bedrock says the model is not ready (a cold imported model). */
  waiting: Promise<"waiting">;
}

export async function handleChat(raw: Request, ready: Ready, log: RequestLog): Promise<Response> {
  const upstream = followClient(raw.signal, log);
  try {
    const denied = await authorise(raw.headers, ready.config.apiKeys.length, ready.checkKey);
    if (denied) throw denied;
    const request = await readChatRequest(raw, ready, log);
    const call = prepareCall(ready, log, request, upstream);
    return request.stream === true ? await streamed(call) : await completed(call);
  } catch (error) {
    return failed(error, log);
  }
}

/**
 * Links the client's connection to the upstream call: when the client goes away (workerd's
 * `request.signal` with enable_request_signal, Node's adapter likewise), Bedrock is told to
 * stop, and the log says 499 even if no stream cancel() ever comes.
 */
function followClient(clientSignal: AbortSignal | undefined, log: RequestLog): AbortController {
  const upstream = new AbortController();
  if (!clientSignal) return upstream;
  const onGone = () => clientGone(log, upstream);
  if (clientSignal.aborted) onGone();
  else clientSignal.addEventListener("abort", onGone, { once: true });
  log.whenWritten(() => clientSignal.removeEventListener("abort", onGone));
  return upstream;
}

function clientGone(log: RequestLog, upstream: AbortController): void {
  log.write(CLIENT_CLOSED, { error: CLIENT_GONE });
  upstream.abort(new DOMException("The client went away.", "AbortError"));
}

/**
 * The body, checked field by field (a 400 naming the field) before the proxy reads `stream` and
 * `stream_options` itself: unchecked, `"stream": "yes"` would get a JSON answer and a string
 * `stream_options` would be spread into an object. The library checks it again; that is cheap.
 */
async function readChatRequest(raw: Request, ready: Ready, log: RequestLog): Promise<ChatCompletionCreateParams> {
  const body = parseJsonBody(await readBody(raw, ready.config.maxBodyBytes));
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw refusal(400, "The request body must be a JSON object.", "invalid_json");
  }
  // Described first, so that the log line of a refused request still names its model.
  describe(log, body as Record<string, unknown>, ready.config.logPrompts);
  // Only what the proxy branches on; create() validates the whole request, once.
  checkStreamFlags(body);
  return body as ChatCompletionCreateParams;
}

function describe(log: RequestLog, body: Record<string, unknown>, logPrompts: boolean): void {
  if (typeof body.model === "string") log.line.model = body.model.slice(0, 200);
  log.line.stream = body.stream === true;
  if (logPrompts) log.line.messages = body.messages;
}

function prepareCall(
  ready: Ready,
  log: RequestLog,
  request: ChatCompletionCreateParams,
  upstream: AbortController,
): Call {
  let startWaiting: () => void = () => undefined;
  const waiting = new Promise<"waiting">((resolve) => (startWaiting = () => resolve("waiting")));
  return {
    ready,
    log,
    request,
    upstream,
    waiting,
    onRetry(event) {
      log.line.retries = (log.line.retries ?? 0) + 1;
      if (event.error.bedrockError === "ModelNotReadyException") startWaiting();
    },
  };
}

async function completed(call: Call): Promise<Response> {
  const options = { signal: call.upstream.signal, onRetry: call.onRetry };
  const completion = await call.ready.bedrock.chat.completions.create({ ...call.request, stream: false }, options);
  call.log.write(200, { usage: completion.usage });
  return jsonResponse(completion);
}

/**
 * Errors before the first byte keep their HTTP status (the race below), except while a cold
 * model wakes up: then the answer starts at once with keep-alive comments, and a later
 * failure travels as an SSE error event.
 */
async function streamed(call: Call): Promise<Response> {
  const { request, log } = call;
  const created = call.ready.bedrock.chat.completions.create(
    // Always ask for usage, for the log line; it reaches the client only if it asked too.
    // (stream_options is an object or null here: readChatRequest checked it.)
    { ...request, stream: true, stream_options: { ...request.stream_options, include_usage: true } },
    { signal: call.upstream.signal, onRetry: call.onRetry },
  );
  const first = await Promise.race([created, call.waiting]);
  const toSse = (stream: ChatCompletionStream) =>
    sseFromStream(stream, {
      wantsUsage: request.stream_options?.include_usage === true,
      onEnd: (usage) => log.write(200, { usage }),
      onError: (error, usage) => logFailure(log, error, usage),
      onCancel: () => clientGone(log, call.upstream),
      errorBody: clientErrorBody,
    });
  if (first !== "waiting") return new Response(toSse(first), { headers: SSE_HEADERS });

  // The waiting branch won the race; a rejection of `created` is handled by the body below.
  created.catch(() => undefined);
  const body = sseWhileWaiting({
    created,
    toSse,
    keepAliveMs: call.ready.keepAliveMs,
    errorBody: clientErrorBody,
    onError: (error) => logFailure(log, error),
    onCancel: () => clientGone(log, call.upstream),
  });
  return new Response(body, { headers: SSE_HEADERS });
}

function failed(error: unknown, log: RequestLog): Response {
  // If the client already left, followClient wrote 499 and this write is ignored.
  logFailure(log, error);
  return errorResponse(error);
}

/**
 * Logs the status and code the client was told, with the whole message (ARNs included: the
 * log is the operator's); an unexpected error keeps its own message.
 */
function logFailure(log: RequestLog, error: unknown, usage?: Usage): void {
  const known = asProxyError(error);
  log.write(known.status, { error: error instanceof BedrockEdgeError ? known : error, usage });
}
