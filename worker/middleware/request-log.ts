// Outermost: every request gets an id, every answer carries it (and Retry-After on a 429 or
// 503, and the deployment that served it), and the request's one log line is written here, when the exchange really ends: after
// the last byte of the answer, or when the client is known to have gone (499).
import type { MiddlewareHandler } from "hono";
import { randomId } from "../../src/core.ts";
import type { AppContext, AppEnv } from "../context.ts";
import {
  type DeliveryHooks,
  STALL_TIMES,
  type StallTimes,
  sourceOf,
  watchDelivery,
  watchInPlace,
} from "../delivery.ts";
import { bodyGivenUp, drainUnread, isBodyCut } from "../body.ts";
import { retryAfterSeconds } from "../http.ts";
import { failureOutcome, type LogSink, type LogWriter, noteEndpointPath, startRequestLog } from "../log.ts";

const CLIENT_CLOSED_CONNECTION = "the client closed the connection";
const CLIENT_STOPPED_SENDING = "the client stopped sending its request body";
const DEPLOYMENT_HEADER = "x-bedrock-edge-deployment";

export function requestLog(sink: LogSink, stall: StallTimes = STALL_TIMES): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const requestId = randomId("req_");
    const log = startRequestLog({
      request: c.req.raw,
      path: c.req.path,
      requestId,
      clientRequestId: clientRequestIdOf(c.req.raw.headers),
      sink,
      secrets: () => c.get("state").secrets,
    });
    c.set("log", log);
    const gone = new AbortController();
    c.set("clientGone", gone.signal);
    const leave = (why: string) => {
      if (log.finished) return;
      log.abandon(why);
      gone.abort(new DOMException("The client went away.", "AbortError"));
    };
    followClient(c.req.raw.signal, () => leave(CLIENT_CLOSED_CONNECTION), log.done);
    // In a Worker, the request is kept alive until its line is written: without it, workerd ends
    // the request when the client leaves, and with it every pending cancel, timer and log line.
    // Node, Deno and Bun have no context: the process lives on by itself.
    const worker = workerContext(c);
    worker?.waitUntil(log.done);

    await next();
    // Any answer made without reading the body (a refusal: 401, 404, 405, 415, 500; a GET's 200)
    // leaves it unread, as a 413 would, and workerd would reset the connection: under the 200 when
    // the body is small, instead of it when it is large. That holds a 200 only while the body keeps
    // coming (see DRAIN_WINDOW_MS): one that stalls or trickles is given up within seconds, so no
    // client holds an answer, a refusal or a 200, for as long as it likes.
    await drainUnread(c.req.raw);
    if (isBodyCut(c.error)) leave(CLIENT_STOPPED_SENDING);
    else if (c.error) log.record(failureOutcome(c.error));
    const answer = c.res;
    // Unless the client has gone already, this answer is what it is sent (the span's HTTP status).
    if (!log.finished) log.answered = answer.status;
    const hooks = deliveryHooks(log, answer.status, leave, worker !== undefined);
    // A body given up before its end (a 408, a drain given up): the connection goes with the
    // answer. Bun closes it only when told; Node closes it anyway; Deno 2 and workerd ignore it.
    const closing = bodyGivenUp(c.req.raw);
    // HEAD: hono drops the body of the GET answer; nobody will read it. The proxy's own bodies
    // are watched in place, or else at their source: one stream layer, not a second one.
    const head = c.req.method === "HEAD";
    if (answer.body && !head && watchInPlace(answer.body, hooks, stall)) {
      addProxyHeaders(answer.headers, answer.status, requestId, log.line.deployment, c, closing);
      return;
    }
    const body = answer.body && !head ? watchDelivery(sourceOf(answer.body), hooks, stall) : null;
    const response = new Response(body, {
      status: answer.status,
      statusText: answer.statusText,
      headers: answer.headers,
    });
    addProxyHeaders(response.headers, answer.status, requestId, log.line.deployment, c, closing);
    // Unset first: over a set answer, hono copies the new one again to carry the old one's headers.
    c.res = undefined;
    c.res = response;
    if (!body) log.finish(answer.status);
  };
}

/**
 * First on a model endpoint: its line names the endpoint as registered (`/v1/responses`), however
 * the client spelt the path (`/v1/%72esponses`, a trailing slash), for the usage row, the span and
 * the key's limits read the endpoint there. It is the endpoint that served the request. Made for
 * each registered path, which it is given: hono's routePath(c) would find it again on every
 * request by mapping every route the request matched.
 */
export function nameEndpoint(path: string): MiddlewareHandler<AppEnv> {
  noteEndpointPath(path);
  return (c, next) => {
    c.get("log").line.path = path;
    return next();
  };
}

function deliveryHooks(
  log: LogWriter,
  status: number,
  leave: (why: string) => void,
  sayLastWords: boolean,
): DeliveryHooks {
  return {
    sayLastWords,
    delivered: () => log.finish(status),
    gone: leave,
    failed(error: unknown) {
      log.record(failureOutcome(error));
      log.finish(500);
    },
  };
}

function addProxyHeaders(
  headers: Headers,
  status: number,
  requestId: string,
  deployment: number | undefined,
  c: AppContext,
  closing: boolean,
): void {
  headers.set("x-request-id", requestId);
  if (closing) headers.set("connection", "close");
  // By index, never by ARN: which copy of the model served (or failed) the request.
  if (deployment !== undefined) headers.set(DEPLOYMENT_HEADER, String(deployment));
  if ((status === 429 || status === 503) && !headers.has("retry-after")) {
    headers.set("retry-after", String(retryAfterSeconds(c.error)));
  }
}

/**
 * The client's own id for this request, kept in the log line (never used as ours: ids the
 * proxy answers with are its own, unique per request): OpenAI's `x-client-request-id`, or an
 * `x-request-id` set by a gateway in front.
 */
function clientRequestIdOf(headers: Headers): string | undefined {
  const id = headers.get("x-client-request-id") ?? headers.get("x-request-id");
  return id && /^[\w.:=-]{1,128}$/.test(id) ? id : undefined;
}

/**
 * Runtimes abort `request.signal` when they notice the client has gone (Node's adapter at once;
 * workerd, with enable_request_signal, only once a write to the client fails: see delivery.ts, and
 * the idle comments a silent stream sends for it, sse.ts).
 * Until the line is written, that ends the exchange.
 */
function followClient(signal: AbortSignal | undefined, onGone: () => void, done: Promise<void>): void {
  if (!signal) return;
  if (signal.aborted) {
    onGone();
    return;
  }
  signal.addEventListener("abort", onGone, { once: true });
  void done.then(() => signal.removeEventListener("abort", onGone));
}

/** The Worker's execution context; undefined on Node, Deno and Bun, where hono's getter throws. */
function workerContext(c: AppContext): { waitUntil(promise: Promise<unknown>): void } | undefined {
  try {
    return c.executionCtx;
  } catch {
    return undefined;
  }
}
