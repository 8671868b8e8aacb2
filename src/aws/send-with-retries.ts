// The retry loop around attempts: throttling, 5xx and network failures are retried with
// backoff up to maxRetries; a model waking up is waited for up to modelReadyTimeoutMs.
import { BedrockEdgeError } from "../errors.ts";
import { type Attempt, attempt, type Target } from "./attempt.ts";
import { bedrockBaseUrl, resolveRegion, validateModelId } from "./endpoint.ts";
import { type BedrockOperation, operationHeaders, operationUrl } from "./operations.ts";
import { lazy } from "../lazy.ts";
import type { Transport } from "./transport-options.ts";

export interface RetryEvent {
  /** 1 for the first retry. */
  attempt: number;
  delayMs: number;
  error: BedrockEdgeError;
  /**
   * A request sent as several calls, the retry that call's alone while the request's other calls
   * go on: for legacy Completions (a call per prompt and n) the index of the call's prompt; for
   * embeddings the index of the call's first text in the request's input; for images 0, the
   * request's one prompt (Stability's models, one call per image).
   */
  prompt?: number;
  /** An embeddings call of several (with `prompt`): the texts it sends, what a try of it may cost. */
  texts?: string[];
}

/** One call of a Bedrock operation, as the transport sends it (possibly several times). */
export interface BedrockCall {
  operation: BedrockOperation;
  stream: boolean;
  modelId: string;
  body: string;
  /** Overrides the transport's region for this call. */
  region?: string | undefined;
  signal?: AbortSignal | undefined;
  /** Called before each backoff; the proxy uses it to keep a waiting client's connection alive. */
  onRetry?: ((event: RetryEvent) => void) | undefined;
  /**
   * One attempt only: what would be retried (throttling, 5xx, a network failure, a model waking
   * up) is thrown at once, as Bedrock answered it, for a caller that has another copy of the
   * model to try instead (src/routing/). A signature refused for its time is still tried again
   * once the clock is corrected (src/aws/clock.ts).
   */
  failFast?: boolean | undefined;
}

// What to retry and how long to wait loads with the first failure: most calls never need it.
const retrying = lazy(() => import("./retry.ts"));

// Each transport's targets, by operation, model id, region and endpoint: the same for every call of a model,
// and checking and encoding them cost more than a lookup. A bad id or region is never kept.
const MAX_CACHED_TARGETS = 64;
const targets = new WeakMap<Transport, Map<string, Target>>();

/** The call's target, as targetOf makes it, from the transport's cache when a call made it before. */
function cachedTargetOf(transport: Transport, call: BedrockCall): Target {
  let known = targets.get(transport);
  if (!known) {
    known = new Map();
    targets.set(transport, known);
  }
  // The transport's own region and endpoint too: its fields can be set between calls. As JSON, so
  // no two calls share a key: an unset region (null) is not the region "undefined", which is
  // refused, and no separator inside a value can join two fields differently.
  const key = JSON.stringify([
    call.operation,
    call.stream,
    call.region,
    transport.region,
    transport.endpoint,
    call.modelId,
  ]);
  let target = known.get(key);
  if (target) {
    // Used last, evicted last (a Map keeps insertion order): a client of many models keeps its busy ones.
    known.delete(key);
  } else {
    target = targetOf(transport, call);
    if (known.size >= MAX_CACHED_TARGETS) known.delete(known.keys().next().value ?? "");
  }
  known.set(key, target);
  return target;
}

/** Region, URL and headers: refused (400) before anything is sent when the model id or region is bad. */
function targetOf(transport: Transport, call: BedrockCall): Target {
  // The transport is public (bedrock-edge/core): an id that did not come through
  // parseModelString is checked here, or "." and ".." would move the signed path.
  const modelId = validateModelId(call.modelId, "an ARN or a Bedrock model id");
  const region = resolveRegion(modelId, call.region ?? transport.region);
  const baseUrl = transport.endpoint ?? bedrockBaseUrl(region);
  return {
    url: operationUrl(baseUrl, modelId, call.operation, call.stream),
    region,
    headers: operationHeaders(call.operation, call.stream),
    stream: call.stream,
  };
}

/**
 * Sends `call` until an attempt gets an answer that `finish` accepts. `finish` reads the answer
 * (or, for a stream, its beginning); what it throws is retried like an error answer when it is
 * one of Bedrock's own errors.
 */
export async function sendWithRetries<T>(
  transport: Transport,
  call: BedrockCall,
  finish: (attempt: Attempt) => Promise<T>,
): Promise<T> {
  const target = cachedTargetOf(transport, call);
  const counts = { retries: 0, waits: 0, started: performance.now() };
  for (let attemptNumber = 1; ; attemptNumber++) {
    // A signal aborted before (or between) attempts never fires its event: check it.
    call.signal?.throwIfAborted();
    try {
      return await finish(await attempt(transport, target, call.body, call.signal));
    } catch (error) {
      if (call.signal?.aborted) throw call.signal.reason;
      if (!(error instanceof BedrockEdgeError)) throw error;
      const { retryDelay, sleep } = await retrying();
      const delayMs = retryDelay(transport.policy, error, counts, call.failFast);
      call.onRetry?.({ attempt: attemptNumber, delayMs, error });
      await sleep(delayMs, call.signal);
    }
  }
}
