// A route's stream parts -> chat.completion.chunk objects: the role chunk each choice opens
// with, the deltas, and the usage chunk a request asked for. The bytes and the iteration are
// stream-reader.ts's.
import type { ChatCompletionChunk, ChatCompletionRequest, ServiceTier, Usage } from "./openai/types.ts";
import type { ModelSettings, Route, StreamPart } from "./routes/types.ts";
import { usageFromInvocationMetrics } from "./routes/usage.ts";
import type { EventMapper, ItemStream } from "./stream-reader.ts";
import { isBedrockEdgeError } from "./errors.ts";

/** A streamed completion: iterate it for chunks; abort() (or leaving the loop) cancels the upstream call. */
export type ChatCompletionStream = ItemStream<ChatCompletionChunk>;

export interface StreamMeta {
  id: string;
  created: number;
  model: string;
}

/**
 * `usage` null: the request asked for usage, which OpenAI's streams then announce in every chunk
 * before the last (`usage: null`), so that a client can tell "not yet" from "not asked".
 */
function chunkOf(meta: StreamMeta, part: StreamPart, usage?: null, tier?: ServiceTier): ChatCompletionChunk {
  // Spelled out rather than spread: this runs once per chunk of every stream.
  const chunk: ChatCompletionChunk = {
    id: meta.id,
    object: "chat.completion.chunk",
    created: meta.created,
    model: meta.model,
    choices: [
      {
        index: part.index ?? 0,
        delta: part.delta,
        finish_reason: part.finish_reason ?? null,
        logprobs: part.logprobs ?? null,
      },
    ],
  };
  if (usage === null) chunk.usage = null;
  if (tier) chunk.service_tier = tier;
  return chunk;
}

/** Whether an object has no own keys, without Object.keys' array (this runs per part). */
function isEmpty(value: object): boolean {
  for (const key in value) if (Object.hasOwn(value, key)) return false;
  return true;
}

/**
 * An error thrown while reading an answer Bedrock gave (a forced call cut short, a broken call):
 * Bedrock billed that answer, so the error carries its counts when the stream had told them.
 */
function billed(error: unknown, usage: Usage | undefined): unknown {
  if (usage && isBedrockEdgeError(error)) error.usage ??= usage;
  return error;
}

export function chatChunkMapper(
  route: Route,
  request: ChatCompletionRequest,
  settings: ModelSettings,
  meta: StreamMeta,
  modelId?: string,
): EventMapper<ChatCompletionChunk> {
  const mapper = route.createStreamMapper(request, settings, modelId);
  const asked = request.stream_options?.include_usage ? null : undefined;
  let usage: Usage | undefined;
  let metricsUsage: Usage | undefined;
  // The tier that served, once the route read it: on that part's chunk and every one after.
  let tier: ServiceTier | undefined;
  // Choices whose role chunk went out: each choice opens with one, as OpenAI's streams do.
  const opened = new Set<number>([0]);

  function emit(parts: StreamPart[], out: ChatCompletionChunk[]): void {
    for (const part of parts) {
      if (part.usage) usage = part.usage;
      if (part.service_tier) tier = part.service_tier;
      if (!part.finish_reason && !part.logprobs && isEmpty(part.delta)) continue;
      const index = part.index ?? 0;
      if (!opened.has(index)) {
        opened.add(index);
        out.push(chunkOf(meta, { index, delta: { role: "assistant", content: "" } }, asked, tier));
      }
      out.push(chunkOf(meta, part, asked, tier));
    }
  }

  return {
    opening: () => [chunkOf(meta, { delta: { role: "assistant", content: "" } }, asked)],
    push(event, out) {
      const metrics = event.json["amazon-bedrock-invocationMetrics"];
      if (metrics !== undefined) metricsUsage = usageFromInvocationMetrics(metrics) ?? metricsUsage;
      try {
        emit(mapper.push(event), out);
      } catch (error) {
        throw billed(error, usage ?? metricsUsage);
      }
    },
    done: () => mapper.done?.() === true,
    flush(out) {
      if (mapper.flush) emit(mapper.flush(), out);
    },
    finished: () => mapper.finished?.() === true,
    end(out) {
      try {
        emit(mapper.end(), out);
      } catch (error) {
        throw billed(error, usage ?? metricsUsage);
      }
      // Usage from the model's own counts first, Bedrock's invocation metrics otherwise.
      const total = usage ?? metricsUsage;
      if (asked === null && total) {
        const last: ChatCompletionChunk = {
          id: meta.id,
          object: "chat.completion.chunk",
          created: meta.created,
          model: meta.model,
          choices: [],
          usage: total,
        };
        if (tier) last.service_tier = tier;
        out.push(last);
      }
    },
  };
}
