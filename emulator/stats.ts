// What the emulator saw, for tests: a short request log (never an auth header), stream counters,
// the last parsed body per model, and the per-model call counters the fault options consume.

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
  /** The last parsed JSON body sent to this model id (`undefined` if none). */
  lastBody(modelId: string): unknown;
  /** Calls that reached the model (after auth and validation) for this model id. */
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

export function createStats(): { stats: EmulatorStats; recorder: StatsRecorder } {
  let requests: RequestLogEntry[] = [];
  const bodies = new Map<string, unknown>();
  const callCounts = new Map<string, number>();
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
    lastBody: (modelId) => bodies.get(modelId),
    calls: (modelId) => callCounts.get(modelId) ?? 0,
    reset() {
      requests = [];
      bodies.clear();
      callCounts.clear();
      Object.assign(streams, { active: 0, cancelled: 0, completed: 0, dropped: 0 });
    },
  };

  const recorder: StatsRecorder = {
    log(entry) {
      requests.push(entry);
      if (requests.length > MAX_LOG) requests.splice(0, requests.length - MAX_LOG);
    },
    body: (modelId, body) => void bodies.set(modelId, body),
    nextCall(modelId) {
      const index = callCounts.get(modelId) ?? 0;
      callCounts.set(modelId, index + 1);
      return index;
    },
    streamStarted: () => void streams.active++,
    streamEnded(how) {
      streams.active = Math.max(0, streams.active - 1);
      streams[how]++;
    },
  };
  return { stats, recorder };
}
