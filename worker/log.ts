// One structured log line per request, written exactly once however the request ends: a
// normal answer, an error, the end of a stream, or a client that went away mid-stream.
import { BedrockEdgeError, redactSecrets } from "../src/errors.ts";
import type { Usage } from "../src/openai/types.ts";

/** One line per request. Never a secret; prompt text only with LOG_PROMPTS. */
export interface LogLine {
  time: string;
  method: string;
  path: string;
  status: number;
  ms: number;
  model?: string;
  stream?: boolean;
  prompt_tokens?: number;
  completion_tokens?: number;
  retries?: number;
  error?: string;
  error_code?: string | null;
  messages?: unknown;
}

export type LogSink = (line: LogLine) => void;

export const consoleSink: LogSink = (line) => console.log(JSON.stringify(line));

/** nginx's "client closed request": the exchange was cut by the client, not by us. */
export const CLIENT_CLOSED = 499;

export interface Outcome {
  error?: unknown;
  usage?: Usage;
}

export interface RequestLog {
  /** Fields the handler fills in as it learns them (model, stream, retries…). */
  readonly line: LogLine;
  readonly written: boolean;
  /** Writes the line (the first call wins; later ones are ignored). */
  write(status: number, outcome?: Outcome): void;
  /** Runs `task` when the line is written: the request is over then. */
  whenWritten(task: () => void): void;
}

export function startRequestLog(request: Request, sink: LogSink, secrets: () => readonly string[]): RequestLog {
  const started = Date.now();
  const line: LogLine = {
    time: new Date(started).toISOString(),
    method: request.method,
    path: new URL(request.url).pathname,
    status: 0,
    ms: 0,
  };
  const tasks: (() => void)[] = [];
  let written = false;
  return {
    line,
    get written() {
      return written;
    },
    write(status, outcome = {}) {
      if (written) return;
      written = true;
      line.status = status;
      line.ms = Date.now() - started;
      addUsage(line, outcome.usage);
      if (outcome.error !== undefined) addError(line, outcome.error, secrets());
      for (const task of tasks.splice(0)) task();
      sink(line);
    },
    whenWritten(task) {
      if (written) task();
      else tasks.push(task);
    },
  };
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
