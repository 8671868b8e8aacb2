// The transport: sign, send, retry and time out InvokeModel calls. It knows nothing of
// routes or chat: bodies go in as strings, answers come out as JSON or raw stream bytes.
import { badUpstream, BedrockEdgeError, bedrockException, modelNeverReady, upstreamTimeout } from "../errors.ts";
import { parseJsonObject } from "../json.ts";
import { readLimitedText } from "../read-text.ts";
import { resolveAuth, secretsOf, type CredentialsOption } from "./credentials.ts";
import { bedrockBaseUrl, invokeUrl, normaliseEndpoint, parseArn, resolveRegion } from "./endpoint.ts";
import { backoffDelay, parseRetryAfter, retryKind, sleep, type RetryPolicy } from "./retry.ts";
import { authorise, type SigningKeyCache } from "./sign.ts";

export interface TransportOptions {
  /** Default: the region in the model ARN. */
  region?: string;
  credentials?: CredentialsOption;
  /** A Bedrock API key, sent as `Authorization: Bearer`, instead of SigV4. */
  apiKey?: string;
  /** Base URL override: a VPC endpoint, a proxy, or the emulator. */
  endpoint?: string;
  fetch?: typeof fetch;
  /** Retries for throttling, 5xx and network errors (default 2). */
  maxRetries?: number;
  /** Time allowed for Bedrock's answer to begin (plain calls: to finish). Default 10 minutes. */
  timeoutMs?: number;
  /** Longest silence allowed between two pieces of a stream. Default 60 s. */
  idleTimeoutMs?: number;
  /** How long to wait for an imported model to wake up (ModelNotReadyException). Default 5 minutes. */
  modelReadyTimeoutMs?: number;
  /** First backoff step (default 500 ms); later ones double, with full jitter. */
  retryBaseDelayMs?: number;
  /** Longest single backoff (default 20 s). */
  retryMaxDelayMs?: number;
}

export interface Transport {
  policy: RetryPolicy;
  fetch: typeof fetch;
  endpoint: string | undefined;
  region: string | undefined;
  timeoutMs: number;
  idleTimeoutMs: number;
  auth: { credentials?: CredentialsOption; apiKey?: string };
  signingKeys: SigningKeyCache;
}

export interface RetryEvent {
  /** 1 for the first retry. */
  attempt: number;
  delayMs: number;
  error: BedrockEdgeError;
}

export interface InvokeRequest {
  modelId: string;
  body: string;
  stream: boolean;
  /** Overrides the transport's region for this call. */
  region?: string;
  signal?: AbortSignal;
  /** Called before each backoff; the proxy uses it to keep a waiting client's connection alive. */
  onRetry?: (event: RetryEvent) => void;
}

export interface StreamRequest extends InvokeRequest {
  /**
   * Reads ahead until the answer has begun (e.g. its first chunk); what it reads it keeps. If it
   * throws a Bedrock exception, the call is retried like an error answer, since nothing was
   * passed on yet.
   */
  prime?: (reader: ByteReader) => Promise<void>;
}

export interface JsonAnswer {
  headers: Headers;
  json: Record<string, unknown>;
}

/** Reads the raw event-stream bytes, guarded by the idle timeout and the caller's signal. */
export interface ByteReader {
  read(): Promise<ReadableStreamReadResult<Uint8Array>>;
  /** Stops reading and aborts the upstream request. */
  cancel(reason?: unknown): Promise<void>;
}

export interface StreamAnswer {
  headers: Headers;
  reader: ByteReader;
}

// Errors made from Bedrock's own error answers: the only ones (with network failures) worth retrying.
const answeredByBedrock = new WeakSet<BedrockEdgeError>();

const MAX_ERROR_BODY_BYTES = 64 * 1024;
const MAX_JSON_ANSWER_BYTES = 64 * 1024 * 1024;
const EVENT_STREAM = "application/vnd.amazon.eventstream";

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new TypeError(`${name} must be a non-negative number`);
  return value;
}

export function createTransport(options: TransportOptions = {}): Transport {
  const baseFetch = options.fetch;
  return {
    policy: {
      maxRetries: Math.floor(nonNegative(options.maxRetries, 2, "maxRetries")),
      modelReadyTimeoutMs: nonNegative(options.modelReadyTimeoutMs, 300_000, "modelReadyTimeoutMs"),
      baseDelayMs: nonNegative(options.retryBaseDelayMs, 500, "retryBaseDelayMs"),
      maxDelayMs: nonNegative(options.retryMaxDelayMs, 20_000, "retryMaxDelayMs"),
      random: Math.random,
    },
    // Bound late: a bare reference to the global fetch throws "Illegal invocation" in Workers.
    fetch: baseFetch ?? ((input, init) => fetch(input, init)),
    endpoint: options.endpoint === undefined ? undefined : normaliseEndpoint(options.endpoint),
    region: options.region,
    timeoutMs: nonNegative(options.timeoutMs, 600_000, "timeoutMs") || 600_000,
    idleTimeoutMs: nonNegative(options.idleTimeoutMs, 60_000, "idleTimeoutMs") || 60_000,
    auth: { credentials: options.credentials, apiKey: options.apiKey },
    signingKeys: new Map(),
  };
}

/** InvokeModel: the model's JSON answer. */
export async function invokeJson(transport: Transport, request: InvokeRequest): Promise<JsonAnswer> {
  return sendWithRetries(transport, { ...request, stream: false }, async (sent) => {
    try {
      const text = await untilAborted(readLimitedText(sent.response.body, MAX_JSON_ANSWER_BYTES), sent.signal);
      if (text === undefined) throw badUpstream(`Bedrock's answer is larger than ${MAX_JSON_ANSWER_BYTES} bytes.`);
      const json = parseJsonObject(text);
      if (!json) throw badUpstream("Bedrock answered with a body that is not a JSON object.");
      return { headers: sent.response.headers, json };
    } catch (error) {
      throw sent.failure(error);
    } finally {
      sent.release();
    }
  });
}

/**
 * InvokeModelWithResponseStream: the raw event-stream body, once Bedrock accepted the call and,
 * with `prime`, once the answer has really begun. A stream can open with an exception frame
 * (throttling, say) right after its 200: while nothing has been passed on, that is as
 * retryable as the same error in an HTTP answer.
 */
export async function invokeStream(transport: Transport, request: StreamRequest): Promise<StreamAnswer> {
  return sendWithRetries(transport, { ...request, stream: true }, async (sent) => {
    const body = sent.response.body;
    if (!body) {
      sent.release();
      throw badUpstream("Bedrock answered a stream request with an empty body.");
    }
    const reader = guardReader(body, sent, transport.idleTimeoutMs);
    if (request.prime) {
      try {
        await request.prime(reader);
      } catch (error) {
        await reader.cancel(error).catch(() => undefined);
        // An exception frame is Bedrock's answer, like an error status; anything else is ours.
        if (error instanceof BedrockEdgeError && error.bedrockError) answeredByBedrock.add(error);
        throw error;
      }
    }
    return { headers: sent.response.headers, reader };
  });
}

interface Sent {
  response: Response;
  /** Aborted by the caller, a timeout, or cancel(). */
  signal: AbortSignal;
  /** Ends the per-attempt timers and signal links. */
  release(): void;
  /** Why the attempt's body failed: a timeout, the caller's abort, or a lost connection. */
  failure(error: unknown): unknown;
  abort(reason: unknown): void;
}

async function sendWithRetries<T>(
  transport: Transport,
  request: InvokeRequest,
  finish: (sent: Sent) => Promise<T>,
): Promise<T> {
  const region = resolveRegion(request.modelId, request.region ?? transport.region);
  const baseUrl = transport.endpoint ?? bedrockBaseUrl(region, parseArn(request.modelId)?.partition);
  const url = invokeUrl(baseUrl, request.modelId, request.stream);
  const { policy } = transport;
  const started = Date.now();
  let retries = 0;
  let waits = 0;
  for (let attempt = 1; ; attempt++) {
    // A signal aborted before (or between) attempts never fires its event: check it.
    request.signal?.throwIfAborted();
    try {
      return await finish(await sendOnce(transport, request, url, region));
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason;
      if (!(error instanceof BedrockEdgeError)) throw error;
      const kind = retryKind(error, answeredByBedrock.has(error));
      let delayMs: number;
      if (kind === "model_not_ready") {
        delayMs = backoffDelay(policy, waits++, kind, error.retryAfterMs);
        const waited = Date.now() - started;
        if (waited + delayMs > policy.modelReadyTimeoutMs) throw modelNeverReady(error, waited);
      } else if (kind === "retryable" && retries < policy.maxRetries) {
        delayMs = backoffDelay(policy, retries++, kind, error.retryAfterMs);
      } else {
        throw error;
      }
      request.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs, request.signal);
    }
  }
}

async function sendOnce(transport: Transport, request: InvokeRequest, url: string, region: string): Promise<Sent> {
  const auth = await resolveAuth(transport.auth);
  const secrets = secretsOf(auth);
  const headers = await authorise(
    {
      url,
      body: request.body,
      headers: request.stream
        ? { "content-type": "application/json", "x-amzn-bedrock-accept": "application/json" }
        : { "content-type": "application/json", accept: "application/json" },
    },
    auth,
    region,
    transport.signingKeys,
  );

  const controller = new AbortController();
  const userSignal = request.signal;
  // The caller may have aborted while credentials were fetched or the request signed.
  userSignal?.throwIfAborted();
  const onUserAbort = () => controller.abort(userSignal?.reason);
  userSignal?.addEventListener("abort", onUserAbort, { once: true });
  // The error is made when the timer fires: an Error with its stack costs more than the request's signing.
  let timer: ReturnType<typeof setTimeout> | undefined = setTimeout(
    () =>
      controller.abort(
        upstreamTimeout(`Bedrock did not answer within ${Math.round(transport.timeoutMs / 1000)} s (timeoutMs).`),
      ),
    transport.timeoutMs,
  );
  const stopTimer = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  const release = () => {
    stopTimer();
    userSignal?.removeEventListener("abort", onUserAbort);
  };

  let response: Response;
  try {
    response = await untilAborted(
      transport.fetch(url, { method: "POST", headers, body: request.body, signal: controller.signal }),
      controller.signal,
    );
  } catch (error) {
    release();
    if (controller.signal.aborted) throw controller.signal.reason;
    throw badUpstream(
      `Could not reach Bedrock at ${new URL(url).host}${error instanceof Error && error.message ? `: ${error.message}` : ""}.`,
      "upstream_unreachable",
      error instanceof Error ? error.name : undefined,
    );
  }
  const sent: Sent = {
    response,
    signal: controller.signal,
    release,
    failure(error) {
      if (controller.signal.aborted) return controller.signal.reason;
      if (error instanceof BedrockEdgeError) return error;
      return badUpstream(
        "The connection to Bedrock was lost while reading its answer.",
        "upstream_connection_lost",
        error instanceof Error ? error.name : undefined,
      );
    },
    abort(reason) {
      controller.abort(reason);
    },
  };

  if (!response.ok) {
    // An error body past 64 KiB is not one Bedrock writes: its exception name still says what happened.
    const text = (await readLimitedText(response.body, MAX_ERROR_BODY_BYTES).catch(() => "")) ?? "";
    release();
    const error = errorFromResponse(response, text, secrets);
    answeredByBedrock.add(error);
    throw error;
  }
  const contentType = response.headers.get("content-type") ?? "";
  if (request.stream && !contentType.startsWith(EVENT_STREAM)) {
    await response.body?.cancel().catch(() => undefined);
    release();
    throw badUpstream(
      `Bedrock answered a stream request with content-type "${contentType.slice(0, 80)}", not an event stream.`,
    );
  }
  // A stream's answer has begun: from here only the idle timeout applies.
  if (request.stream) stopTimer();
  return sent;
}

/** Bedrock's error answer -> the one error type, keeping its exception name and status. */
export function errorFromResponse(response: Response, text: string, secrets: readonly string[] = []): BedrockEdgeError {
  const json = parseJsonObject(text);
  const header = response.headers.get("x-amzn-errortype") ?? undefined;
  const bodyType =
    typeof json?.__type === "string" ? json.__type : typeof json?.code === "string" ? json.code : undefined;
  const rawMessage = json
    ? String(json.message ?? json.Message ?? "")
    : response.headers.get("content-type")?.includes("html")
      ? ""
      : text.trim();
  return bedrockException(header ?? bodyType, rawMessage, response.status, {
    retryAfterMs: parseRetryAfter(response.headers),
    secrets,
  });
}

/**
 * The fetch body's reader, guarded: the caller's abort or cancel() ends a pending read (an
 * injected fetch may ignore its signal), and one watchdog timer, not one per read, ends a read
 * that waits longer than idleTimeoutMs.
 */
function guardReader(body: ReadableStream<Uint8Array>, sent: Sent, idleTimeoutMs: number): ByteReader {
  const reader = body.getReader();
  const onAbort = () => void reader.cancel(sent.signal.reason).catch(() => undefined);
  sent.signal.addEventListener("abort", onAbort, { once: true });
  let reading = false;
  let readStarted = 0;
  let watchdog: ReturnType<typeof setTimeout> | undefined;
  let finished = false;

  const check = () => {
    watchdog = undefined;
    if (!reading) return;
    const silent = Date.now() - readStarted;
    if (silent >= idleTimeoutMs) {
      sent.abort(
        upstreamTimeout(`Bedrock's stream went silent for ${Math.round(idleTimeoutMs / 1000)} s (idleTimeoutMs).`),
      );
    } else {
      watchdog = setTimeout(check, idleTimeoutMs - silent);
    }
  };
  const finish = () => {
    if (finished) return;
    finished = true;
    if (watchdog !== undefined) clearTimeout(watchdog);
    sent.release();
    sent.signal.removeEventListener("abort", onAbort);
  };

  return {
    async read() {
      if (finished && !sent.signal.aborted) return { done: true, value: undefined };
      reading = true;
      readStarted = Date.now();
      watchdog ??= setTimeout(check, idleTimeoutMs);
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (error) {
        finish();
        throw sent.failure(error);
      } finally {
        reading = false;
      }
      if (sent.signal.aborted) {
        finish();
        throw sent.signal.reason;
      }
      if (result.done) finish();
      return result;
    },
    async cancel(reason) {
      finish();
      sent.abort(reason);
      await reader.cancel(reason).catch(() => undefined);
    },
  };
}

/** A ByteReader as a ReadableStream, for those who want to pipeThrough(decodeEventStream()). */
export function readableFrom(reader: ByteReader): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}

/** Settles with `promise`, or rejects with the signal's reason as soon as it aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
