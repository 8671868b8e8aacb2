// What the emulator saw, for tests: a short request log (never an auth header), stream counters,
// the last parsed body per model, and the per-model call counters the fault options consume.
// Bounded, so that a long `npm run emulator` or a soak of distinct model ids does not grow.

export interface RequestLogEntry {
  method: string;
  path: string;
  /** The decoded model id, when the path had one. */
  modelId: string | null;
  status: number;
  stream: boolean;
}

export interface EmulatorStats {
  readonly requests: readonly RequestLogEntry[];
  readonly activeStreams: number;
  /** Streams whose reader went away (ReadableStream cancel). */
  readonly cancelledStreams: number;
  /** Streams that sent their last frame (an exception frame included). */
  readonly completedStreams: number;
  /** Streams ended by the `drop<K>` option. */
  readonly droppedStreams: number;
  /**
   * The last parsed JSON body sent to this model id (`undefined` if none, or if MAX_MODELS other
   * ids have been called since).
   */
  lastBody(modelId: string): unknown;
  /**
   * Calls that reached the model (after auth and validation) for this model id: 0 again once
   * MAX_MODELS other ids have been called since, and its fault options start over.
   */
  calls(modelId: string): number;
  /** Clears the log, the counters, the bodies and the fault counters. */
  reset(): void;
}

/** The writing side, used by the handler only. */
export interface StatsRecorder {
  log(entry: RequestLogEntry): void;
  body(modelId: string, body: unknown): void;
  /** Counts a call and returns its 0-based index for this model id. */
  nextCall(modelId: string): number;
  streamStarted(): void;
  streamEnded(how: "completed" | "cancelled" | "dropped"): void;
}

const MAX_LOG = 500;

/** Model ids whose last body and call count are kept: the least recently called one goes first. */
export const MAX_MODELS = 1000;

interface ModelRecord {
  body: unknown;
  calls: number;
}

export function createStats(): { stats: EmulatorStats; recorder: StatsRecorder } {
  let requests: RequestLogEntry[] = [];
  // In order of their last use: a Map iterates in insertion order, and a used id is set anew.
  const models = new Map<string, ModelRecord>();
  const touch = (modelId: string): ModelRecord => {
    const record = models.get(modelId) ?? { body: undefined, calls: 0 };
    models.delete(modelId);
    models.set(modelId, record);
    const oldest = models.keys().next();
    if (models.size > MAX_MODELS && !oldest.done) models.delete(oldest.value);
    return record;
  };
  const streams = { active: 0, cancelled: 0, completed: 0, dropped: 0 };

  const stats: EmulatorStats = {
    get requests() {
      return requests;
    },
    get activeStreams() {
      return streams.active;
    },
    get cancelledStreams() {
      return streams.cancelled;
    },
    get completedStreams() {
      return streams.completed;
    },
    get droppedStreams() {
      return streams.dropped;
    },
    lastBody: (modelId) => models.get(modelId)?.body,
    calls: (modelId) => models.get(modelId)?.calls ?? 0,
    reset() {
      requests = [];
      models.clear();
      Object.assign(streams, { active: 0, cancelled: 0, completed: 0, dropped: 0 });
    },
  };

  const recorder: StatsRecorder = {
    log(entry) {
      requests.push(entry);
      if (requests.length > MAX_LOG) requests.splice(0, requests.length - MAX_LOG);
    },
    body(modelId, body) {
      touch(modelId).body = body;
    },
    nextCall: (modelId) => touch(modelId).calls++,
    streamStarted: () => void streams.active++,
    streamEnded(how) {
      streams.active = Math.max(0, streams.active - 1);
      streams[how]++;
    },
  };
  return { stats, recorder };
}
