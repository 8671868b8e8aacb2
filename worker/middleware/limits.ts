// A key's limits, checked before its request reaches a model (the models it may call are checked
// with the body, json-body.ts): its request rate (Cloudflare's Rate Limiting binding named in its
// entry), its tokens per day and its open streams (the KeyLimits Durable Object, where each request
// of a key with tokens_per_day reserves what it may use until it ends). Over a limit: 429 with
// Retry-After, the message naming the limit and this key, never another. A limit that cannot be
// checked (its binding failed) lets the request through and says so in the log line: an outage of
// the counters must not become an outage of the proxy. Every counter goes by the key's name, as
// its usage rows do: the name is the client's identity, which docs/PROXY-REFERENCE.md asks never to change or
// reuse (keyed by the key too, a rotation would reset the day, and the usage rows would still merge).
import type { MiddlewareHandler, Next } from "hono";
import {
  deploymentsOf,
  MAX_ANSWER_PIXELS,
  MAX_CALLS,
  MAX_IMPORTED_IMAGES,
  type ModelDeployments,
  mostImagesOf,
  wireFormatOf,
} from "../../src/core.ts";
import { BedrockEdgeError, type ModelTableEntry } from "../../src/index.ts";
import { afterResponse } from "../after-response.ts";
import { checkBeforeCall } from "../endpoint-checks.ts";
import { streamsOn, throwLibraryRefusal, throwRefusalBeforeSending } from "../library-refusal.ts";
import { LONGEST_HONOURED_RETRY_AFTER_S, plural } from "../http.ts";
import type { AppContext, AppEnv, JsonRequest } from "../context.ts";
import { type Admission, type KeyLimitsClient, LEASE_RENEW_MS } from "../durable/key-limits.ts";
import type { ClientKey } from "../keys.ts";
import { type RequestLog, requestDay } from "../log.ts";
import {
  apiOfPath,
  callsOutEstimate,
  type ConverseModel,
  countedImageRequest,
  countPastBounds,
  DEFAULT_OUTPUT_ESTIMATE,
  inputEstimate,
  type ModelApi,
  type ModelBounds,
  outputLimitUnset,
  pastModelBounds,
  streamedOutputEstimate,
  tokenEstimate,
  unmeteredCallEstimate,
} from "../token-estimate.ts";

type RateLimit = NonNullable<ClientKey["rateLimit"]>;

// The Rate Limiting binding does not tell its period (10 or 60 s), so the wait is for the longer
// one, less a second: a 60 s window has reopened by then for any refusal after its first second,
// and a Retry-After of 60 the AI SDK ignores (it retries in 2 s and 4 s, refused again).
const RATE_RETRY_AFTER_S = LONGEST_HONOURED_RETRY_AFTER_S;

export const enforceLimits: MiddlewareHandler<AppEnv> = (c, next) => {
  const key = c.get("key");
  // Embeddings and images have no streams: their `stream: true` is the library's 400, not a place.
  const stream = c.get("body").stream === true && streamsOn(apiOfPath(c.req.path));
  // A key without limits (or a proxy without their bindings) has nothing to wait for.
  return !key.rateLimit && !counterFor(c, key, stream) ? next() : checkLimits(c, key, stream, next);
};

async function checkLimits(c: AppContext, key: ClientKey, stream: boolean, next: Next): Promise<void> {
  // Both counters at once, so that the request waits for one round trip, not two (unless admit()
  // must wait for the rate first). Both are awaited even when one refuses: an admission that took
  // a lease (a reservation, a stream's place) returns it after the answer (here, the refusal). The
  // rate is named first when both refuse.
  const rate = key.rateLimit ? checkRate(c, key, key.rateLimit) : Promise.resolve();
  const checks = await Promise.allSettled([rate, admit(c, key, stream, rate)]);
  const refusals = checks.flatMap((check) => (check.status === "rejected" ? [check.reason as unknown] : []));
  // The library's own refusal, which admit() asks before it admits, first: no wait would serve it.
  const refusal = refusals.find((reason) => !isLimitRefusal(reason)) ?? refusals[0];
  if (refusal !== undefined) {
    // A request the library refuses on its own is told so, not to wait for a limit: waiting
    // would only bring the 400 later (a day later, for tokens_per_day).
    // Asked as the endpoint asks it: its own checks, then the library's parse (endpoint-checks.ts).
    if (isLimitRefusal(refusal)) {
      checkBeforeCall(apiOfPath(c.req.path), c.get("body"), c.get("ready").config.models);
      throwLibraryRefusal(c.req.path, c.get("body"));
    }
    throw refusal;
  }
  await next();
}

function isLimitRefusal(reason: unknown): boolean {
  return reason instanceof BedrockEdgeError && reason.status === 429;
}

async function checkRate(c: AppContext, key: ClientKey, { binding, limiter }: RateLimit): Promise<void> {
  let allowed: boolean;
  try {
    allowed = (await limiter.limit({ key: key.name })).success;
  } catch (error) {
    return unchecked(c, "rate_limit", error);
  }
  if (!allowed) {
    throw overLimit(
      `The key "${key.name}" is over its request rate (${binding}, a number of requests per period); try again in a minute.`,
      "request_rate_exceeded",
      RATE_RETRY_AFTER_S,
    );
  }
}

/** The key's counter and the limits it checks for this request, if it checks any. */
function counterFor(
  c: AppContext,
  key: ClientKey,
  stream: boolean,
): { keyLimits: KeyLimitsClient; streams: number | undefined } | undefined {
  const { keyLimits } = c.get("ready");
  const streams = stream ? key.concurrentStreams : undefined;
  if (!keyLimits || (key.tokensPerDay === undefined && streams === undefined)) return undefined;
  return { keyLimits, streams };
}

/**
 * Tokens per day and open streams: one call to the key's counter, settled once the request ends.
 * The request holds a lease under its id until then: with tokens_per_day, the tokens it reserves;
 * for a stream, its place. `rate` is the key's rate check, under way: awaited only by a request
 * that must ask the library's call first.
 */
async function admit(c: AppContext, key: ClientKey, stream: boolean, rate: Promise<void>): Promise<void> {
  const counter = counterFor(c, key, stream);
  if (!counter) return;
  const { keyLimits, streams } = counter;
  const log = c.get("log");
  const body = c.get("body");
  const lease = log.line.request_id;
  const api = apiOfPath(c.req.path);
  // What the request would hold until its 400 is refused before it holds it, each check in the
  // order its endpoint makes them, so that a key's limits change no request's 400. First the
  // endpoint's own (its stream flags; a plain answer too large to build, which would reserve up to
  // the key's whole day): cheap, asked of every request. A count past the library's bounds (n 1000)
  // would reserve as much: the library's 400 at once. A stream that takes a place is parsed first,
  // as it would hold its place until its 400 (a bad message, a field of the wrong type) and refuse
  // a valid stream at the limit meanwhile: such a stream is parsed twice, by the proxy and the
  // library. Any other request is parsed here only when its count is past the bounds.
  checkBeforeCall(api, body, c.get("ready").config.models);
  if (streams !== undefined || (key.tokensPerDay !== undefined && countPastBounds(body, api))) {
    throwLibraryRefusal(c.req.path, body);
  }
  // What the request's model entry says of its output limit and its counts, read once; and the
  // request as its images are counted (an edit's at its image's size), reserved and settled, and as
  // they are checked against its model (at no size the proxy assumed).
  const output = outputFacts(c, body, api);
  const { counted, checked } =
    key.tokensPerDay === undefined ? { counted: body, checked: body } : await countedImageRequest(body, c.req.path);
  // A count past what its model takes (its max_n, its max_output_tokens, Converse's one answer, an
  // image model's images…), which the library refuses only once it has read the request against its
  // model: asked of the library before the request reserves or takes a place, by its own call
  // stopped where it would send. Only once the rate has admitted the request: that call may read an
  // edit's image and mask, work a request over its rate must not get done (it gets the rate's 429,
  // as it would on a key without a counter). Such a request reaches the counter a round trip later.
  if (pastModelBounds(checked, api, output.cap, output.converse, output.bounds)) {
    await rate;
    await throwRefusalBeforeSending(c.get("ready").bedrock, c.req.path, body, c.get("clientGone"));
  }
  // What tokens_per_day reads of the request's output limit, once for its reservation and its limit.
  const daily = key.tokensPerDay === undefined ? undefined : { limit: key.tokensPerDay, output, counted };
  const settle = (day: string) =>
    afterResponse(
      c,
      "settling the key's limits",
      () => keyLimits.settle(key.name, { tokens: daily && tokensUsed(log, daily.counted), lease, day }),
      SETTLE_RETRY_WAITS_MS,
    );
  let admission: Admission;
  try {
    admission = await keyLimits.admit(key.name, {
      tokensPerDay: key.tokensPerDay,
      reserve: daily && reservation(daily.counted, daily.output, daily.limit),
      concurrentStreams: streams,
      lease,
      day: requestDay(log.line),
    });
  } catch (error) {
    const limits = [
      key.tokensPerDay === undefined ? "" : "tokens_per_day",
      streams === undefined ? "" : "concurrent_streams",
    ];
    unchecked(c, limits.filter(Boolean).join(", "), error);
    // Settled all the same: a call can fail after the object ran it (Cloudflare documents a lost
    // answer), and a lease it stored would hold the stream's place and the reservation until it
    // lapsed, 15 minutes of 429s, with the request's tokens never counted (leases45 #1). A lease
    // never stored is only counted: its tokens, which a request that ran did use. On the day it
    // began, the one its lease would hold. Renewed while it runs too, as that lease would lapse
    // under a stream that runs past LEASE_MS (renewing a lease never stored does nothing).
    renewWhileOpen(keyLimits, key.name, lease, log.done);
    return settle(requestDay(log.line));
  }
  if (!admission.ok) throw refusalOf(key, admission);
  if (daily) c.set("body", withReservedOutput(body, daily.output));
  renewWhileOpen(keyLimits, key.name, lease, log.done);
  // One day per request: the day the counter admitted it against, which holds its reservation, is
  // the day its tokens count on. That is the day it began (its usage row's), unless that day was
  // over when the request reached the counter (a body sent after 00:00 UTC): then the new one.
  settle(admission.day);
}

/**
 * A settlement that fails is tried again after each of these waits, within ctx.waitUntil's 30 s:
 * left unsettled, its lease would hold the stream's place and the reservation until it lapsed
 * (LEASE_MS, 15 minutes), and its tokens would never count (leases45 #1). The object counts a
 * settlement tried again once, even when the first was applied and only its answer lost.
 */
const SETTLE_RETRY_WAITS_MS = [250, 1000];

/**
 * The tokens a request reserves: the most it is expected to use (token-estimate.ts), with its
 * model's max_output_tokens as its output limit when it sets none (and when it asks more, which
 * the library refuses), else on a converse model the limit its thinking is sent with; its answers
 * and images no more than its model takes (ModelBounds). Never more than the whole day: a larger
 * reservation would hold nothing more.
 */
function reservation(body: JsonRequest, { api, cap, converse, bounds }: OutputFacts, tokensPerDay: number): number {
  return Math.min(tokenEstimate(body, api, cap, converse, bounds), tokensPerDay);
}

/**
 * What a request reserved is what it may use: one that sets no output limit, on an imported
 * model whose limit is not known, reserved DEFAULT_OUTPUT_ESTIMATE for its answer and is sent with
 * that as its limit (as the library sends a model's max_output_tokens). Otherwise a burst of long answers,
 * a reasoning model's say, took a key past its day by several requests, not one.
 */
function withReservedOutput(body: JsonRequest, { api, cap, converse }: OutputFacts): JsonRequest {
  // Not on a converse model: some foundation models' own ceiling is below it, which Bedrock refuses.
  if (converse || !outputLimitUnset(body, api, cap)) return body;
  return { ...body, [api === "responses" ? "max_output_tokens" : "max_tokens"]: DEFAULT_OUTPUT_ESTIMATE };
}

interface OutputFacts {
  api: ModelApi;
  cap: number | undefined;
  converse: ConverseModel | undefined;
  bounds: ModelBounds;
}

/** The request's API, and what its model's entry says of its output limit and its answers. */
function outputFacts(c: AppContext, body: JsonRequest, api: ModelApi): OutputFacts {
  const { models } = c.get("ready").config;
  const entry = Object.hasOwn(models, body.model) ? models[body.model] : undefined;
  if (!entry) return { api, cap: undefined, converse: undefined, bounds: {} };
  // Read once for both: the entry's route and deployments.
  const deployed = deploymentsOf(entry, body.model);
  return {
    api,
    cap: entry.max_output_tokens,
    converse: converseModel(entry, deployed),
    bounds: modelBounds(entry, deployed, api),
  };
}

/**
 * The most answers and images a request of `api` may have on its model, as the library refuses
 * more: its entry's max_n; on Bedrock's completion format, which answers once per call, chat's one
 * answer (n other than 1 is refused there, or dropped under drop_params) and legacy Completions'
 * MAX_CALLS, a call per prompt and answer (the openai route sends them in one call, as does a
 * template route whose wire_format is openai_completion); the openai route's images, MAX_IMPORTED_IMAGES;
 * an image model's images (mostImagesOf) and its answer's pixels (MAX_ANSWER_PIXELS).
 */
function modelBounds(entry: ModelTableEntry, { route, deployments }: ModelDeployments, api: ModelApi): ModelBounds {
  // An image model's (its deployments are one model: the first's family is theirs, as the library reads it).
  if (api === "images") {
    const most = route === "image" && deployments[0] ? mostImagesOf(deployments[0].modelId) : undefined;
    return most === undefined ? {} : { answers: most, pixels: MAX_ANSWER_PIXELS };
  }
  const answerPerCall = route !== "openai" && wireFormatOf(entry.wire_format).onePerCall;
  const perCallMost =
    api === "completions" ? MAX_CALLS : api === "chat" && route !== "converse" ? 1 : Number.POSITIVE_INFINITY;
  const answers = Math.min(
    entry.max_n ?? Number.POSITIVE_INFINITY,
    answerPerCall ? perCallMost : Number.POSITIVE_INFINITY,
  );
  return {
    ...(Number.isFinite(answers) ? { answers } : {}),
    ...(route === "openai" ? { images: MAX_IMPORTED_IMAGES } : {}),
  };
}

/**
 * A converse entry's model ids and reasoning_budget: Claude's thinking sets the output limit it is
 * sent with. An entry's foundation_model describes each of its deployments (whose ids name no model).
 */
function converseModel(entry: ModelTableEntry, { route, deployments }: ModelDeployments): ConverseModel | undefined {
  if (route !== "converse") return undefined;
  const modelIds = entry.foundation_model ? [entry.foundation_model] : deployments.map(({ modelId }) => modelId);
  return { modelIds, reasoningBudget: entry.reasoning_budget };
}

/**
 * The request's tokens: its usage, as the log line has it (input and output, when Bedrock said,
 * failed-over attempts' included), and an estimate of what used tokens without Bedrock's counts,
 * or a model that gives none, or leaving before the end, would dodge tokens_per_day:
 * - an answer without counts: the prompt's estimate (its text and its images, once per call that
 *   sent it: inputEstimate) and its output's: for a stream (the client left, upstream failed
 *   midway) the larger of a token per chunk relayed and its relayed text's estimate
 *   (streamedOutputEstimate), for a plain answer its text's estimate;
 * - each call Bedrock answered whose counts were never read (a stream of a request that failed
 *   before its first byte): its prompt's estimate and a token per chunk read;
 * - each try sent to Bedrock that ended with none of these (its client left while it was out, our
 *   timeout or a lost connection ended it, its stream failed before any count, whether another try
 *   then served or not): its prompt's estimate (uncounted.attempts), never an output it did not see,
 *   but for an image request, its prompt and every image it asked for (Bedrock bills the images it
 *   may have drawn, and they are known before); a request of several calls (a legacy batch, an
 *   embeddings request, Stability's images) counts its calls then out alone, not those waiting to
 *   retry or for a slot: their prompts or texts, an image request its prompt once and an image per
 *   call out (callsOutEstimate).
 * A request refused, failed before it was sent, or whose every try Bedrock refused with its error
 * answer (a throttle, a cold model, a 5xx: no client leaving during a wait for a retry changes
 * that), counts none.
 */
function tokensUsed(
  { line, relayed, estimatedOutput, uncounted }: Pick<RequestLog, "line" | "relayed" | "estimatedOutput" | "uncounted">,
  body: JsonRequest,
): number {
  let tokens = (line.prompt_tokens ?? 0) + (line.completion_tokens ?? 0);
  const output = relayed ? streamedOutputEstimate(relayed.chunks, relayed.text) : estimatedOutput;
  const api = apiOfPath(line.path);
  const input = () => inputEstimate(body, api);
  if (uncounted.answer && output !== undefined) tokens += input() + output;
  // A lost try of an image request's call (Stability's, a call per image; its retry told it, with
  // no images) may have drawn its image, which Bedrock bills: one.
  const calls = api === "images" ? uncounted.calls.map((call) => ({ images: 1, ...call })) : uncounted.calls;
  for (const call of calls) tokens += unmeteredCallEstimate(body, call);
  // An image request's calls all send its one prompt, billed by the image: counted once, as served.
  if (calls.some((call) => call.images !== undefined)) tokens += input();
  // A try of an image request that ended uncounted (its client left, our timeout) may have drawn
  // every image it asked for, and Bedrock bills the image, not the prompt: its whole estimate.
  const perTry = () => (api === "images" ? tokenEstimate(body, api, undefined) : input());
  if (uncounted.attempts > 0) tokens += perTry() * uncounted.attempts;
  if (uncounted.out) tokens += callsOutEstimate(body, api, uncounted.out);
  return tokens;
}

/**
 * A lease lapses LEASE_MS after it was last renewed: renewed here until the exchange ends (its line
 * is written), however long the request runs. A renewal that fails is tried again at the
 * next interval; the lease has time for three.
 */
function renewWhileOpen(keyLimits: KeyLimitsClient, key: string, lease: string, done: Promise<void>): void {
  const timer = setInterval(() => {
    keyLimits.renew(key, lease).catch(() => undefined);
  }, LEASE_RENEW_MS);
  void done.then(() => clearInterval(timer));
}

function refusalOf(key: ClientKey, refused: Exclude<Admission, { ok: true }>): BedrockEdgeError {
  switch (refused.limit) {
    case "tokens_per_day":
      return overLimit(
        `The key "${key.name}" has used its tokens for today (tokens_per_day: ${key.tokensPerDay}, used: ${refused.used}); the count starts again at 00:00 UTC.`,
        "tokens_per_day_exceeded",
        refused.retryAfterS,
      );
    case "tokens_in_flight":
      return overLimit(
        `The key "${key.name}" has requests in flight that may use the rest of its tokens for today (tokens_per_day: ${key.tokensPerDay}, used: ${refused.used}, reserved by ${plural(refused.requests, "request")} in flight: ${refused.reserved}); try again when one has finished.`,
        "tokens_per_day_in_flight",
        refused.retryAfterS,
      );
    case "concurrent_streams":
      return overLimit(
        `The key "${key.name}" already has ${plural(refused.open, "stream")} open (concurrent_streams: ${key.concurrentStreams}); try again when one has finished.`,
        "concurrent_streams_exceeded",
        refused.retryAfterS,
      );
  }
}

function overLimit(message: string, code: string, retryAfterS: number): BedrockEdgeError {
  return new BedrockEdgeError({ status: 429, code, message, retryAfterMs: retryAfterS * 1000 });
}

function unchecked(c: AppContext, limits: string, error: unknown): void {
  const { line } = c.get("log");
  const why = `${limits}: ${error instanceof Error ? error.message : String(error)}`.slice(0, 200);
  line.limits_unchecked = line.limits_unchecked ? `${line.limits_unchecked}; ${why}` : why;
}
