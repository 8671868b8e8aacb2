// One request's context, passed from the handler to the operation that answers it.

import type { EmulatorCredentials } from "./credentials.ts";
import type { StatsRecorder } from "./stats.ts";

export interface Config {
  credentials: readonly EmulatorCredentials[];
  apiKeys: readonly string[];
  now: () => number;
  chunkDelayMs: number;
}

export interface Call {
  request: Request;
  url: URL;
  requestId: string;
  config: Config;
  recorder: StatsRecorder;
}
