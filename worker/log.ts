// One structured log line per request. Handlers and the SSE relay record what they learn
// (model, usage, a failure after the first byte); the request-log middleware alone writes the
// line, once, when the exchange really ends.
import { HEX_DIGEST, redactSecrets, unbilledRefusal } from "../src/core.ts";
import { BedrockEdgeError, type FailoverUsageEvent, type UnmeteredCall, type Usage } from "../src/index.ts";
import { asProxyError } from "./http.ts";
import { outputEstimate, type TextCount } from "./token-estimate.ts";

/** One line per request. Never a secret; prompt text only with LOG_PROMPTS. */
export interface LogLine {
  time: string;
  /** The proxy's id of this request, also sent back as `x-request-id`. */
  request_id: string;
  /**
   * A sane `x-client-request-id` or `x-request-id` the client sent, for correlating with its own
   * logs; `[redacted]` when it holds a known secret or a secret's shape.
   */
  client_request_id?: string;
  method: string;
  path: string;
  status: number;
  ms: number;
  /** The client key's name (never the key). */
  key?: string;
  model?: string;
  stream?: boolean;
  /** The deployment of the model that served the request (or failed it last), by index. */
  deployment?: number;
  /** How many deployments the request was sent to (more than 1: it moved on from a failing copy). */
  deployments_tried?: number;
  /**
   * Each copy the request gave up, in order (the last copy's too when every copy failed; the
   * first, waited for again after every copy was cold, is then listed and serves): its index, and
   * the code of the error it was left for (a throttle, a 5xx, a timeout, a cold model).
   * Never the error's message, which may quote what Bedrock or a client sent. Absent when none was.
   */
  failovers?: Failover[];
  prompt_tokens?: number;
  completion_tokens?: number;
  /**
   * Why the model stopped, per choice, by index: stop, length, tool_calls… (null for a choice of a
   * stream that had not finished when a later one did, and the stream then failed or was left).
   */
  finish_reasons?: (string | null)[];
  /**
   * The service tier Bedrock says served the request (the converse route), in OpenAI's words:
   * tiers are priced differently. Absent when Bedrock said none.
   */
  service_tier?: string;
  /** Streams: ms until the first chunk went out (the first token, give or take a frame). */
  ttft_ms?: number;
  retries?: number;
  /** A key's limit that could not be checked (its binding failed), so the request went through. */
  limits_unchecked?: string;
  error?: string;
  error_code?: string | null;
  /** The request's messages (LOG_PROMPTS), their media's base64 replaced by its size (prompt-media.ts). */
  messages?: unknown;
  /** A legacy Completions or image request's prompt, or an embeddings request's input (LOG_PROMPTS). */
  prompt?: unknown;
}

/** A copy a request gave up (LogLine.failovers). */
export interface Failover {
  deployment: number;
  error_code: string | null;
}

export type LogSink = (line: LogLine) => void;

export const consoleSink: LogSink = (line) => console.log(JSON.stringify(line));

/** nginx's "client closed request": the exchange was cut by the client, not by us. */
const CLIENT_CLOSED = 499;

/** As much of a path as the line keeps: the 404's quote of it is as long. */
const MAX_LOGGED_PATH = 200;

export interface Outcome {
  /** The status to log when it differs from the answer's (an error event in a 200 stream). */
  status?: number;
  error?: unknown;
  usage?: Usage;
  /** Calls Bedrock answered whose counts were never read (BedrockEdgeError.unmeteredCalls). */
  unmeteredCalls?: readonly UnmeteredCall[];
}

/**
 * What the line's counts leave out, Bedrock having given none for it: tokens_per_day settles an
 * estimate of it (middleware/limits.ts), while the line, the row and the span never invent a count.
 */
export interface Uncounted {
  /** The answer came without counts of its own (a stream's relayed chunks, a plain answer's estimatedOutput). */
  answer: boolean;
  /**
   * Calls answered, and billed, whose counts were never read (this attempt's, and failed-over
   * ones'); and the tries of a legacy batch's or an embeddings request's calls retried with no
   * count (0 chunks each; an embeddings call's with its texts).
   */
  calls: readonly UnmeteredCall[];
  /**
   * Tries sent to Bedrock that may have cost it work no count tells, each classified by how it
   * ended (tryFailed(), and the request's outcome for the last): one our timeout, a lost
   * connection, an exception in its stream or the client's leaving ended before any count; not one
   * Bedrock refused with its error answer (unbilledRefusal), nor one whose error tells its calls
   * (usage, unmeteredCalls), nor the library's 500 before sending (the credentials, the signing).
   */
  attempts: number;
  /**
   * A request of several calls (a legacy batch, an embeddings request, Stability's images) whose
   * last try ended with no count (its client left…): each of its calls sent (callSent) but those
   * then waiting to retry, those that had answered too (the line has no counts of them). That try
   * counts those calls alone, not the calls never sent (waiting for a slot), and is not in `attempts`.
   */
  out?: readonly CallOfSeveral[];
}

/** One call of a request sent as several (RetryEvent.prompt, and an embeddings call's texts). */
type CallOfSeveral = Pick<UnmeteredCall, "prompt" | "texts">;

/** What a stream relayed: its tokens, should it end without the usage Bedrock sends last. */
export interface Relayed {
  /** Chunks relayed (those reporting usage aside): a model streams at least about a token per chunk. */
  chunks: number;
  /** The characters of the text they carried (SseFormat.text): a chunk of several words is several tokens. */
  text: TextCount;
}

/** What handlers see of the log: fields to fill in, and outcomes to record. */
export interface RequestLog {
  /** Fields filled in as they are learnt (model, stream, retries…). */
  readonly line: LogLine;
  /** Set by the SSE relay once its stream has begun, and counted as it relays. */
  relayed?: Relayed;
  /**
   * A plain answer that came without Bedrock's counts: its output's tokens, estimated from its text
   * (recordPlainAnswer), for tokens_per_day alone.
   */
  estimatedOutput?: number;
  /**
   * The HTTP status of the answer handed to the runtime, unset when the client left before there
   * was one. The line's `status` says how the exchange ended instead: an error event inside a
   * 200 stream logs that error's status, a client that left mid-answer 499.
   */
  answered?: number;
  /** Adds to how the exchange went; written with the line when it ends. */
  record(outcome: Outcome): void;
  /**
   * Adds what attempts on other deployments were billed before one served the request
   * (RequestOptions.onFailoverUsage): the line counts them with the answer's own.
   */
  addFailedAttempts(billed: FailoverUsageEvent): void;
  /** What the line's counts leave out, read once it is written. */
  readonly uncounted: Uncounted;
  /** Notes an attempt sent to a deployment of the model (RequestOptions.onDeployment). */
  sent(): void;
  /**
   * Notes how a try ended when the request goes on (RequestOptions.onRetry; onFailover through
   * failedOver): it counts unless Bedrock refused it or its error tells its calls. The next try goes
   * out `nextTryInMs` later (a retry's wait), unreported, or (infinity: a failover, the last copy's
   * failure too) when sent() says, if ever: a retry counts when its own error ends the request, or
   * when the client leaves after it went out, not during the wait before it. A try of one call of a
   * legacy batch or an embeddings request (`call`,
   * RetryEvent.prompt and texts) counts that call's prompt or texts alone, and the request's
   * other calls are still out; should the client leave during that call's wait, the request
   * counts without it (Uncounted.out).
   */
  tryFailed(error: unknown, nextTryInMs: number, call?: CallOfSeveral): void;
  /**
   * Notes a deployment's try that failed (RequestOptions.onFailover, the last copy's too): as
   * tryFailed with no next try until sent() tells one. What its error says the copy was billed
   * (usage, unmeteredCalls: a request of several, some of whose calls answered) reaches the log
   * with the router's outcome, onFailoverUsage or the request's error; a line written before that
   * outcome (its client left during the copy's cool-down write, or while the next copy's calls
   * were out) counts it from here instead, and takes none of the router's outcome after it.
   */
  failedOver(error: unknown): void;
  /**
   * Notes a call of a request of several sent to the deployment sent() told (RequestOptions.onCallSent,
   * told as the call is started, before it is signed and fetched): should the try end with no
   * count, the request counts the calls sent, not those never sent; a call stopped before its
   * fetch counts too (an over-count, never an under-count).
   */
  callSent(call: CallOfSeveral): void;
  /** Notes the time to the first token (ttft_ms), the first time it is called. */
  firstToken(): void;
  /** Settles when the line is written: the request is over then. */
  readonly done: Promise<void>;
}

/** The request-log middleware's side: it alone ends the line, once (later calls are ignored). */
export interface LogWriter extends RequestLog {
  /** Writes the line: the answer's status, unless an outcome recorded another. */
  finish(answered: number): void;
  /** Writes the line as 499: the client went away before the exchange ended. */
  abandon(why: string): void;
  readonly finished: boolean;
}

export interface LogStart {
  request: Request;
  /** The path as the router reads it, percent-encodings decoded (the line's until an endpoint names its own). */
  path: string;
  requestId: string;
  clientRequestId: string | undefined;
  sink: LogSink;
  /** Read when the line is written: the configuration (and its secrets) may load after the line starts. */
  secrets: () => readonly string[];
}

export function startRequestLog({ request, path, requestId, clientRequestId, sink, secrets }: LogStart): LogWriter {
  // The line's time is the wall clock's; its durations are the monotonic clock's, which a step of
  // the wall clock (NTP, a VM resumed) does not move, in whole milliseconds as Date's were.
  const started = performance.now();
  const line: LogLine = {
    time: new Date().toISOString(),
    request_id: requestId,
    method: request.method,
    path,
    status: 0,
    ms: 0,
  };
  if (clientRequestId) line.client_request_id = clientRequestId;
  const recorded: Outcome = {};
  const earlier: Billed = { calls: [] };
  // What the copies' failed tries were billed, as their errors said when told to onFailover (the
  // router later adds them to the error it throws, which may be the last of them: kept as counts,
  // not errors, so none counts twice); and whether the router's outcome told it (onFailoverUsage,
  // the request's error), or the line was written before, counting these.
  const failedCopies: Billed = { calls: [] };
  let failoverUsageTold = false;
  let countedFailedCopies = false;
  // Tries that ended with no count; and the last try: none yet, sent (out, its end unknown), or
  // to be sent again after a retry's wait (RetryEvent comes before the wait, and no event tells
  // the new try's sending: it was sent if an error of its own ended the request, or if the client
  // left once the wait was over, at `retryAt`).
  let charged = 0;
  let last: "none" | "sent" | "retrying" = "none";
  let retryAt = 0;
  let leftAt: number | undefined;
  // The calls of the last try's request of several that were sent (onCallSent), and their waits to
  // retry (RetryEvent.prompt): from `from` until `until` `call` had no try out. A call's waits never overlap.
  let sentCalls: CallOfSeveral[] = [];
  let waits: { call: CallOfSeveral; from: number; until: number }[] = [];
  let finished = false;
  let markDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (markDone = resolve));
  const tryFailed = (error: unknown, nextTryInMs: number, call?: CallOfSeveral): void => {
    if (call !== undefined) {
      if (uncountedTry(error)) earlier.calls.push({ ...call, chunks: 0 });
      const from = performance.now();
      waits.push({ call, from, until: from + nextTryInMs });
      return;
    }
    if (uncountedTry(error)) charged++;
    last = "retrying";
    retryAt = performance.now() + nextTryInMs;
  };
  const writer: Omit<LogWriter, "finished" | "uncounted"> = {
    line,
    done,
    record(outcome) {
      Object.assign(recorded, withoutUndefined(outcome));
    },
    addFailedAttempts({ usage, unmeteredCalls }) {
      if (countedFailedCopies) return;
      failoverUsageTold = true;
      addBilled(earlier, usage, unmeteredCalls);
    },
    sent() {
      last = "sent";
      sentCalls = [];
      waits = [];
    },
    callSent(call) {
      sentCalls.push(call);
    },
    tryFailed,
    failedOver(error) {
      if (error instanceof BedrockEdgeError) addBilled(failedCopies, error.usage, error.unmeteredCalls);
      tryFailed(error, Number.POSITIVE_INFINITY);
    },
    firstToken() {
      line.ttft_ms ??= Math.round(performance.now() - started);
    },
    finish(answered) {
      write(recorded.status ?? answered, recorded);
    },
    abandon(why) {
      if (!finished) leftAt = performance.now();
      write(CLIENT_CLOSED, { usage: recorded.usage, error: why });
    },
  };
  // The getters are defined apart: V8 makes an object literal with an accessor a dictionary, in
  // which every read of the log's fields and methods (several a request, and several for each
  // chunk a stream relays) is a slow lookup; defined this way, the object keeps a fast shape.
  return Object.defineProperties(writer, {
    finished: { get: () => finished, enumerable: true, configurable: true },
    uncounted: {
      get(this: LogWriter) {
        // The last try served when an answer or a stream came (its counts, or their estimate).
        const served = this.relayed !== undefined || this.estimatedOutput !== undefined || recorded.usage !== undefined;
        // A retry's try goes out unreported once its wait is over: out if an error ended the request
        // (its own) or the client left after the wait. A failover's (an infinite wait) is told by
        // sent(): until then none is out, and an error ending the request is the one told (the last copy's).
        const retriedOut =
          retryAt !== Number.POSITIVE_INFINITY &&
          (recorded.error instanceof BedrockEdgeError || (leftAt !== undefined && leftAt >= retryAt));
        const out = last === "sent" || (last === "retrying" && retriedOut);
        const counts = out && !served && uncountedTry(recorded.error);
        // A request of several counts its calls out, not the whole request.
        const several = sentCalls.length > 0;
        const callsOut = counts && several ? callsOutAt(leftAt) : [];
        return {
          answer: recorded.usage === undefined,
          // The request's error recorded after the line counted the failed copies tells them again.
          calls: [...earlier.calls, ...((countedFailedCopies ? undefined : recorded.unmeteredCalls) ?? [])],
          attempts: charged + (counts && !several ? 1 : 0),
          ...(callsOut.length > 0 ? { out: callsOut } : {}),
        };
      },
      enumerable: true,
      configurable: true,
    },
  }) as LogWriter;

  /**
   * Each call of the request sent and not waiting to retry when the client left (every call sent,
   * if it did not). A call is known by its prompt: the n calls of a legacy prompt, or Stability's
   * calls of an image request, are alike.
   */
  function callsOutAt(left: number | undefined): CallOfSeveral[] {
    const waiting =
      left === undefined ? [] : waits.filter(({ from, until }) => from <= left && left < until).map(({ call }) => call);
    return sentCalls.filter(({ prompt }) => {
      const at = waiting.findIndex((call) => call.prompt === prompt);
      if (at >= 0) waiting.splice(at, 1);
      return at < 0;
    });
  }

  function write(status: number, outcome: Outcome): void {
    if (finished) return;
    finished = true;
    // Written before the router's outcome (the client left): what the failed copies were billed
    // reaches the line from what onFailover was told, or not at all.
    if (recorded.error === undefined && !failoverUsageTold) {
      countedFailedCopies = failedCopies.usage !== undefined || failedCopies.calls.length > 0;
      addBilled(earlier, failedCopies.usage, failedCopies.calls);
    }
    line.status = status;
    line.ms = Math.round(performance.now() - started);
    addUsage(line, sumOf(outcome.usage, earlier.usage));
    const known = secrets();
    // Unless an endpoint named it, the path is the client's text, of any length: a key pasted in a
    // URL is redacted before the path is cut to its length, so the cut never splits it. An error
    // quotes the path whole or not at all (http.ts quotedWhole), for the same reason.
    line.path = loggedPath(line.path, known);
    // The client's id is its own text too: one that holds a known secret or a secret's shape (a
    // key sent as x-client-request-id) is logged as a fixed marker, never in part.
    const clientId = line.client_request_id;
    if (clientId !== undefined && holdsSecret(clientId, known)) line.client_request_id = "[redacted]";
    if (outcome.error !== undefined) addError(line, outcome.error, known);
    markDone();
    sink(line);
  }
}

// The endpoints' own paths (nameEndpoint's), each redacted once for a state's known secrets (fixed
// once the state is built): a line names its endpoint on nearly every request, and redacting that
// constant cost more than the rest of the line. A path only the client wrote is redacted each time,
// and none is kept.
const endpointPaths = new Set<string>();
const redactedEndpointPaths = new WeakMap<readonly string[], Map<string, string>>();

/** Notes a path an endpoint is registered at, which a line then names (request-log.ts nameEndpoint). */
export function noteEndpointPath(path: string): void {
  endpointPaths.add(path);
}

/** The line's path, as it is logged: known secrets and secrets' shapes cut, then cut to its length. */
function loggedPath(path: string, known: readonly string[]): string {
  if (!endpointPaths.has(path)) return redactSecrets(path, known).slice(0, MAX_LOGGED_PATH);
  let paths = redactedEndpointPaths.get(known);
  if (!paths) {
    paths = new Map();
    redactedEndpointPaths.set(known, paths);
  }
  let logged = paths.get(path);
  if (logged === undefined) {
    logged = redactSecrets(path, known).slice(0, MAX_LOGGED_PATH);
    paths.set(path, logged);
  }
  return logged;
}

/**
 * Whether a client's id holds a known secret or a secret's shape (an access key id, a Bedrock API
 * key): a digest alone is not one, as clients make ids of digests (a known key of 64 hex digits
 * is still found as a known secret).
 */
function holdsSecret(id: string, known: readonly string[]): boolean {
  const redacted = redactSecrets(id, known);
  if (redacted === id) return false;
  return (
    redacted !== id.replace(HEX_DIGEST, "[redacted]") ||
    known.some((secret) => secret.length > 3 && id.includes(secret))
  );
}

// A reason is placed at its choice's index, the choices before it filled with null until they
// finish; an index comes from the model's answer on some routes, and one far out of any request's
// range must not make a line of millions of nulls: it is not placed. The most a request may ask
// for is legacy Completions' 128 prompts × n 128.
const MAX_LOGGED_CHOICES = 128 * 128;

/** Notes why choice `index` stopped, in the line's finish_reasons at that index. */
export function noteFinishReason(line: LogLine, index: number, reason: string): void {
  if (!Number.isSafeInteger(index) || index < 0 || index >= MAX_LOGGED_CHOICES) return;
  const reasons = line.finish_reasons ?? [];
  while (reasons.length < index) reasons.push(null);
  reasons[index] = reason;
  line.finish_reasons = reasons;
}

/**
 * The most failovers a line holds: a model has at most 16 copies (src/deployments.ts), and each is
 * given up once a request; the bound holds should a hook be told more.
 */
export const MAX_LOGGED_FAILOVERS = 16;

// A code as the library and Bedrock's mapped exceptions write one (rate_limit_exceeded); any other
// text is an upstream's own words, which the line does not copy.
const ERROR_CODE = /^[a-z0-9_.-]{1,64}$/i;

/** Notes that the request gave up copy `deployment` for `error` (RequestOptions.onFailover). */
export function noteFailover(line: LogLine, deployment: number, error: { code: string | null }): void {
  const failovers = line.failovers ?? [];
  if (failovers.length >= MAX_LOGGED_FAILOVERS) return;
  const code = error.code !== null && ERROR_CODE.test(error.code) ? error.code : null;
  failovers.push({ deployment, error_code: code });
  line.failovers = failovers;
}

function withoutUndefined(outcome: Outcome): Outcome {
  const out: Outcome = {};
  if (outcome.status !== undefined) out.status = outcome.status;
  if (outcome.error !== undefined) out.error = outcome.error;
  if (outcome.usage !== undefined) out.usage = outcome.usage;
  if (outcome.unmeteredCalls !== undefined) out.unmeteredCalls = outcome.unmeteredCalls;
  return out;
}

/**
 * The day a request began, in UTC: its usage row's, and the day tokens_per_day counts it on unless
 * it reached the key's counter after that day was over (durable/key-limits.ts).
 */
export function requestDay(line: Pick<LogLine, "time">): string {
  return line.time.slice(0, 10);
}

/**
 * A plain answer's usage, for the line; an answer without Bedrock's counts has its output's
 * tokens estimated (from `output`, its choices or output items) for tokens_per_day instead.
 */
export function recordPlainAnswer(log: RequestLog, usage: Usage | undefined, output: unknown): void {
  log.record({ usage });
  if (!usage) log.estimatedOutput = outputEstimate(output);
}

/**
 * A failure as the log records it: the status and code the client was told, with the whole
 * message (ARNs included: the log is the operator's); an unexpected error keeps its own message.
 */
export function failureOutcome(error: unknown): Outcome {
  const known = asProxyError(error);
  if (!(error instanceof BedrockEdgeError)) return { status: known.status, error };
  // The calls of a failed request that did answer were billed: the usage the error carries counts.
  return { status: known.status, error: known, usage: error.usage, unmeteredCalls: error.unmeteredCalls };
}

/**
 * Whether a try that ended with `error` (or, undefined, whose client left) may have cost Bedrock
 * work that no count tells: not Bedrock's refusal (unbilledRefusal), not an error that tells what
 * its calls cost (usage, unmeteredCalls: counted from those), nor one of the library's before the
 * call went out (missing credentials, a failed signing: 500; the Worker's subrequests used up); a
 * tool call the model broke is one.
 */
function uncountedTry(error: unknown): boolean {
  if (!(error instanceof BedrockEdgeError)) return true;
  if (unbilledRefusal(error) || error.usage !== undefined || error.unmeteredCalls !== undefined) return false;
  // The Worker's plan refused the fetch: Bedrock was not called.
  if (error.code === "subrequest_limit") return false;
  return !(error.status === 500 && error.code !== "invalid_tool_call" && !error.inStream);
}

/** What tries that failed were billed: Bedrock's counts, and the calls answered without them. */
interface Billed {
  usage?: Usage;
  calls: UnmeteredCall[];
}

/** Adds a failed try's counts (its error's usage and unmeteredCalls) to `billed`. */
function addBilled(billed: Billed, usage: Usage | undefined, calls: readonly UnmeteredCall[] | undefined): void {
  billed.usage = sumOf(billed.usage, usage);
  billed.calls.push(...(calls ?? []));
}

/** Two counts added up; either alone when the other is unknown. */
function sumOf(a: Usage | undefined, b: Usage | undefined): Usage | undefined {
  if (!a || !b) return a ?? b;
  const prompt = a.prompt_tokens + b.prompt_tokens;
  const completion = a.completion_tokens + b.completion_tokens;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

function addUsage(line: LogLine, usage: Usage | undefined): void {
  if (!usage) return;
  line.prompt_tokens = usage.prompt_tokens;
  line.completion_tokens = usage.completion_tokens;
}

function addError(line: LogLine, error: unknown, secrets: readonly string[]): void {
  // Error text can quote upstream answers; known secrets and secret-shaped strings are cut.
  line.error = redactSecrets(error instanceof Error ? error.message : String(error), secrets);
  if (error instanceof BedrockEdgeError) line.error_code = error.code;
}
