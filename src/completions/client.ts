// bedrock.completions.create(): OpenAI's legacy Completions API. The prompt goes to the model
// as it is, in the body format its route sends raw prompts in (the template routes: their
// wire_format; the openai route: OpenAICompletion). A request that takes several upstream calls
// runs them at once (plain answers a few at a time) and fails as a whole on the first failure,
// stopping the rest: its error tells what the calls that had answered were billed.
import type { Transport } from "../aws/transport-options.ts";
import type { RequestOptions } from "../client.ts";
import { BedrockEdgeError, invalidRequest, type UnmeteredCall } from "../errors.ts";
import { CHUNK_EVENT } from "../eventstream/events.ts";
import { randomId } from "../ids.ts";
import { applyCompletionCaps } from "../model-caps.ts";
import { callJson, callStream } from "../model-call.ts";
import type { Usage } from "../openai/types.ts";
import { incompleteStream } from "../routes/completion-route.ts";
import type { ModelSettings, Route } from "../routes/types.ts";
import { usageFromInvocationMetrics } from "../routes/usage.ts";
import type { WireFormat } from "../routes/wire-formats/types.ts";
import type { EventMapper, ItemStream } from "../stream-reader.ts";
import { type CompletionMeta, completionFrom, createChunkMaker, totalUsage, usageChunk } from "./answer.ts";
import { whenStreamEnds } from "../routing/in-flight.ts";
import { mergeStreams } from "./merge.ts";
import { DEFAULT_MAX_TOKENS, MAX_OPEN_CALLS, type PlannedCall, planCompletionCalls } from "./plan.ts";
import { mapPooled } from "./pool.ts";
import { parseCompletionRequest } from "./request.ts";
import { callSent, followedSignal, retryOf, type SentCall, sentBy, tryOut } from "./sent-calls.ts";
import type {
  Completion,
  CompletionChunk,
  CompletionCreateParams,
  CompletionStream,
  NonStreamingCompletionParams,
  StreamingCompletionParams,
} from "./types.ts";

export interface Completions {
  create(request: StreamingCompletionParams, options?: RequestOptions): Promise<CompletionStream>;
  create(request: NonStreamingCompletionParams, options?: RequestOptions): Promise<Completion>;
  create(request: CompletionCreateParams, options?: RequestOptions): Promise<Completion | CompletionStream>;
}

/** Where one attempt of a request goes: a deployment of its model. */
export interface DeploymentTarget {
  modelId: string;
  region: string | undefined;
  /** The deployment's transport (its own credentials, or the client's). */
  transport: Transport;
  /** Another deployment remains to be tried: fail at once instead of retrying. */
  failFast: boolean;
  /**
   * Called once the attempt's body is built, just before it is sent: the request reached this
   * deployment (RequestOptions.onDeployment). A request refused while it is built never did.
   */
  sending(): void;
}

/** What the client resolved for a model name. */
export interface ResolvedModel {
  route: Route;
  settings: ModelSettings;
  /** Runs a request's attempt on the model's deployments until one serves it (before its first byte). */
  serve<T>(attempt: (target: DeploymentTarget) => Promise<T>, options: RequestOptions): Promise<T>;
}

export interface CompletionsDeps {
  resolve(name: string): Promise<ResolvedModel>;
}

/** What one call's stream has told of its cost: its usage once read, else the chunks read. */
interface CallMeter extends SentCall {
  chunks: number;
  ended: boolean;
  /** Bedrock's counts: the metrics of its last frame once read, the format's own at its end. */
  usage?: Usage;
  /** A plain call's answer: what an estimate of it reads when Bedrock gave no counts. */
  text?: string;
}

/** A call's meter before it answered. */
function unopened(): CallMeter {
  return { sent: false, chunks: 0, ended: false };
}

/** A call's stream chunks, metered in `meter`: its usage, once it ends, makes the request's usage chunk. */
function chunkMapper(
  format: WireFormat,
  meta: CompletionMeta,
  planned: PlannedCall,
  choices: number,
  route: string,
  askedUsage: boolean,
  meter: CallMeter,
): EventMapper<CompletionChunk> {
  const reader = format.streamReader(choices);
  const chunk = createChunkMaker(meta, planned.place, askedUsage);
  // Choices whose finish was read: the reader gives each one's once.
  let finishes = 0;
  return {
    opening: () => [],
    push(event, out) {
      if (event.type !== CHUNK_EVENT) return;
      const metrics = event.json["amazon-bedrock-invocationMetrics"];
      if (metrics !== undefined) meter.usage = usageFromInvocationMetrics(metrics) ?? meter.usage;
      for (const piece of reader.push(event.json)) {
        out.push(chunk(piece));
        meter.chunks++;
        if (piece.finish) finishes++;
      }
    },
    finished: () => finishes >= choices,
    end() {
      const { usage, finished } = reader.end();
      // A stream cut before every choice finished would pass a truncated answer off as whole.
      if (!finished) throw incompleteStream(route);
      meter.ended = true;
      meter.usage = usage ?? meter.usage;
    },
  };
}

/** `stream`, then what `last` gives once it has ended. */
function followedBy<T>(stream: ItemStream<T>, last: () => T[]): ItemStream<T> {
  let iterated = false;
  return {
    [Symbol.asyncIterator]() {
      if (iterated) throw new TypeError("A completion stream can be iterated only once.");
      iterated = true;
      const inner = stream[Symbol.asyncIterator]();
      let tail: T[] | undefined;
      const iterator: AsyncIterableIterator<T> = {
        async next() {
          if (!tail) {
            const result = await inner.next();
            if (!result.done) return result;
            tail = last();
          }
          const value = tail.shift();
          return value === undefined ? { done: true, value: undefined } : { done: false, value };
        },
        async return() {
          await inner.return?.();
          return { done: true, value: undefined };
        },
        [Symbol.asyncIterator]() {
          return iterator;
        },
      };
      return iterator;
    },
    abort: () => stream.abort(),
  };
}

/**
 * A request that failed (a stream before its first chunk): Bedrock billed the calls that had
 * opened. The error tells their counts where their last frame had been read (usage), and what is
 * known of the others (unmeteredCalls: the prompt each answered, the chunks read of it), for an
 * estimate; a call sent that never answered (our timeout, or stopped by another's failure) is one
 * of 0 chunks: its prompt was sent, and the model may have read it. Not one stopped while it waited
 * to retry: no try of it was out (tryOut).
 */
function billOpened(error: unknown, meters: readonly CallMeter[], calls: readonly PlannedCall[], n: number): unknown {
  if (!(error instanceof BedrockEdgeError)) return error;
  const counted: Usage[] = [];
  const unmetered: UnmeteredCall[] = [];
  meters.forEach((meter, at) => {
    if (!tryOut(meter)) return;
    if (meter.usage) counted.push(meter.usage);
    // One prompt per call, n calls each (the only format that takes several calls).
    else {
      const prompt = Math.floor(calls[at]!.place.offset / n);
      unmetered.push(
        meter.text === undefined ? { prompt, chunks: meter.chunks } : { prompt, chunks: 0, text: meter.text },
      );
    }
  });
  if (counted.length) error.usage = totalUsage(counted);
  if (unmetered.length) error.unmeteredCalls = unmetered;
  return error;
}

/**
 * Every task's value, or the first failure: that one aborts `controller` (so the calls still
 * running stop) and what the others open anyway is closed with `close`.
 */
async function allOrNothing<T>(
  tasks: Promise<T>[],
  controller: AbortController,
  close: (value: T) => void,
): Promise<T[]> {
  try {
    return await Promise.all(
      tasks.map((task) =>
        task.catch((error: unknown) => {
          controller.abort();
          throw error;
        }),
      ),
    );
  } catch (error) {
    for (const task of tasks) task.then(close, () => undefined);
    throw error;
  }
}

export function createCompletions(deps: CompletionsDeps): Completions {
  async function create(input: CompletionCreateParams, options: RequestOptions = {}) {
    const parsed = parseCompletionRequest(input);
    const { route, settings, serve } = await deps.resolve(parsed.model);
    // The model's caps hold here as on chat; its special tokens do not: a raw prompt is the
    // caller's own, written with them, and no template of the server's frames it.
    const request = applyCompletionCaps(parsed, settings, DEFAULT_MAX_TOKENS);
    const rawPrompt = route.rawPrompt;
    if (!rawPrompt) {
      throw invalidRequest(
        `The ${route.name} route takes conversations, not raw prompts: call this model through chat completions.`,
        "model",
        "unsupported_route",
      );
    }
    const meta: CompletionMeta = {
      id: randomId("cmpl-"),
      created: Math.floor(Date.now() / 1000),
      model: request.model,
    };
    const prompts = typeof request.prompt === "string" ? 1 : request.prompt.length;

    // Every call of the request on one deployment: a failure moves them all to the next.
    return serve(async ({ modelId, region, transport, failFast, sending }) => {
      const { format, model, passesAnyResponseFormat } = rawPrompt(modelId, settings);
      const calls = planCompletionCalls(request, format, {
        route: route.name,
        dropParams: settings.drop_params,
        ...(model ? { model } : {}),
        ...(passesAnyResponseFormat ? { passesAnyResponseFormat } : {}),
      });
      sending();
      // The first failure stops every other call of the request, as the caller's signal does.
      const { controller, unfollow } = followedSignal(options.signal);
      const signal = controller.signal;
      const several = calls.length > 1;
      const n = request.n ?? 1;
      // One prompt per call, n calls each, when there are several (as billOpened reads them).
      const whichCall = (planned: PlannedCall) =>
        several ? { prompt: Math.floor(planned.place.offset / n) } : undefined;
      const callOf = (planned: PlannedCall, meter: CallMeter) => ({
        // A raw prompt goes in one of InvokeModel's formats, whatever the route's chat operation.
        operation: "invoke" as const,
        modelId,
        region,
        body: format.body(planned.text),
        signal,
        onRetry: retryOf(meter, whichCall(planned), options.onRetry),
        failFast,
      });
      const choicesPerCall = format.onePerCall ? 1 : prompts * (request.n ?? 1);

      if (request.stream) {
        const askedUsage = request.stream_options?.include_usage === true;
        const meters = calls.map(unopened);
        const streams = await allOrNothing(
          calls.map(async (planned, at) => {
            const meter = meters[at]!;
            const mapper = () => chunkMapper(format, meta, planned, choicesPerCall, route.name, askedUsage, meter);
            callSent(whichCall(planned), options.onCallSent);
            return sentBy(meter, callStream(transport, callOf(planned, meter), mapper));
          }),
          controller,
          (stream) => stream.abort(),
        ).catch((error: unknown) => {
          unfollow();
          throw billOpened(error, meters, calls, request.n ?? 1);
        });
        const merged = whenStreamEnds(streams.length === 1 ? streams[0]! : mergeStreams(streams), unfollow);
        if (!askedUsage) return merged;
        return followedBy(merged, () => {
          const usage = meters.every((meter) => meter.ended)
            ? totalUsage(meters.map((meter) => meter.usage))
            : undefined;
          return usage ? [usageChunk(meta, usage)] : [];
        });
      }
      // A few at a time: a Worker holds only so many connections open (plan.ts).
      const meters = calls.map(unopened);
      const answers = await mapPooled(calls, MAX_OPEN_CALLS, async (planned, at) => {
        callSent(whichCall(planned), options.onCallSent);
        const { json, headerUsage } = await sentBy(meters[at]!, callJson(transport, callOf(planned, meters[at]!)));
        let usage: Usage | undefined;
        let text: string | undefined;
        try {
          const answer = format.readAnswer(json, choicesPerCall, route.name);
          usage = answer.usage ?? headerUsage;
          text = answer.pieces.map((piece) => piece.text).join("");
          return { place: planned.place, answer: { ...answer, usage } };
        } catch (error) {
          // An answer refused once read that tells its counts (a generation the model server gave
          // up): this call's, billed, and not one to estimate (billOpened).
          if (error instanceof BedrockEdgeError) usage = error.usage;
          throw error;
        } finally {
          meters[at] = { sent: true, chunks: 0, ended: true, ...(usage ? { usage } : { text }) };
        }
      })
        .finally(unfollow)
        .catch((error: unknown) => {
          controller.abort();
          // The calls that answered were billed, though the request as a whole failed.
          throw billOpened(error, meters, calls, request.n ?? 1);
        });
      return completionFrom(meta, answers);
    }, options);
  }

  return { create } as Completions;
}
