// The behaviour every runtime must show, on web APIs only (fetch, streams, AbortController,
// timers), so this one file runs unchanged in Node, workerd, Deno, Bun and Chromium. It only
// observes and reports plain JSON: judging happens on the Node side (expectations.ts), so a
// runtime that cannot even load vitest is held to exactly the same checks.
import type { ChatCompletionChunk, createBedrock as CreateBedrock } from "../../src/index.ts";
import { EMULATOR_CREDENTIALS } from "../../emulator/credentials.ts";
import { converseModelId } from "../../emulator/converse-model-id.ts";
import { emulatorModelId, type ModelIdOption } from "../../emulator/model-id.ts";

export interface ScenarioTarget {
  /** Base URL of the emulator, used as the library's `endpoint`. */
  emulatorUrl: string;
  /** GET answers the emulator's stream counters as JSON (emulator-server.ts). */
  statsUrl: string;
}

export interface StreamCounters {
  activeStreams: number;
  cancelledStreams: number;
  completedStreams: number;
}

export interface ErrorReport {
  name: string;
  message: string;
  status?: number;
  code?: string | null;
  bedrockError?: string;
}

export interface StreamReport {
  chunks: number;
  firstDelta: unknown;
  content: string;
  reasoning: string;
  finishReason: string | null;
  usage: unknown;
  error?: ErrorReport;
}

export interface ConverseReport {
  plain: { content: string | null; finishReason: string | null; usage: unknown };
  stream: StreamReport;
  /** A tool call streamed through ConverseStream, its fragments joined. */
  toolCall: { id: string; name: string; arguments: string; finishReason: string | null };
}

export interface ScenarioReport {
  plain:
    | { content: string | null; reasoning: string | null; finishReason: string | null; usage: unknown }
    | { error: ErrorReport };
  stream: StreamReport | { error: ErrorReport };
  contextLength: { error?: ErrorReport };
  badSignature: { error?: ErrorReport };
  midStream: StreamReport | { error: ErrorReport };
  /** The converse route: Converse plain, ConverseStream, a streamed tool call. */
  converse: ConverseReport | { error: ErrorReport };
  abort:
    | {
        chunksBeforeAbort: number;
        error?: ErrorReport;
        cancelledBefore: number;
        cancelledAfter: number;
        waitedMs: number;
      }
    | { error: ErrorReport };
  ms: number;
}

const HELLO = [{ role: "user" as const, content: "Hello, wörld 👋" }];

/** A foundation model by ARN (its region is in it), for the converse route. */
const CONVERSE_MODEL = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0";
const WEATHER_TOOL = {
  type: "function" as const,
  function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
};

/** Chunks of the abort step's answer: far more than arrive before the abort (400 × 50 ms = 20 s). */
const ABORT_OPTIONS: ModelIdOption[] = ["slow50", "long400"];
const ABORT_AFTER_CHUNKS = 3;
/** How long the upstream cancel may take to reach the emulator over a real socket. */
const CANCEL_DEADLINE_MS = 5000;

export async function runScenario(
  createBedrock: typeof CreateBedrock,
  target: ScenarioTarget,
): Promise<ScenarioReport> {
  const started = Date.now();
  const bedrock = createBedrock({ endpoint: target.emulatorUrl, credentials: EMULATOR_CREDENTIALS, maxRetries: 0 });
  const llama = (...options: ModelIdOption[]) => `bedrock/llama/${emulatorModelId("llama", options)}`;

  const plain = await attempt(async () => {
    const completion = await bedrock.chat.completions.create({ model: llama(), messages: HELLO });
    const choice = completion.choices[0];
    return {
      content: choice?.message.content ?? null,
      reasoning: choice?.message.reasoning_content ?? null,
      finishReason: choice?.finish_reason ?? null,
      usage: completion.usage,
    };
  });

  const stream = await attempt(async () =>
    readStream(
      await bedrock.chat.completions.create({
        model: `bedrock/deepseek_r1/${emulatorModelId("r1")}`,
        messages: HELLO,
        stream: true,
        stream_options: { include_usage: true },
      }),
    ),
  );

  const contextLength = await expectFailure(() =>
    bedrock.chat.completions.create({ model: llama("ctx"), messages: HELLO }),
  );

  const wrongSecret = createBedrock({
    endpoint: target.emulatorUrl,
    credentials: { ...EMULATOR_CREDENTIALS, secretAccessKey: "not-the-emulator-secret/EXAMPLEKEY0000000000" },
    maxRetries: 0,
  });
  const badSignature = await expectFailure(() =>
    wrongSecret.chat.completions.create({ model: llama(), messages: HELLO }),
  );

  const midStream = await attempt(async () =>
    // Frames paced apart: the text must reach the client before the exception does (an exception
    // arriving in the same read as the first text is retried, since nothing had been passed on).
    // 150 ms apart: at 10, and once at 40 (a clean-clone run at load 3), a loaded machine let
    // Chromium read all of it at once.
    readStream(
      await bedrock.chat.completions.create({
        model: llama("midstream-throttlingException3", "slow150"),
        messages: HELLO,
        stream: true,
      }),
    ),
  );

  const converse = await attempt(async (): Promise<ConverseReport> => {
    const converseModel = (...options: ModelIdOption[]) =>
      `bedrock/converse/${converseModelId(CONVERSE_MODEL, options)}`;
    const completion = await bedrock.chat.completions.create({ model: converseModel(), messages: HELLO });
    const stream = await readStream(
      await bedrock.chat.completions.create({
        model: converseModel(),
        messages: HELLO,
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    const toolCall = { id: "", name: "", arguments: "", finishReason: null as string | null };
    for await (const chunk of await bedrock.chat.completions.create({
      model: converseModel("tool"),
      messages: [{ role: "user", content: "Weather in Paris?" }],
      tools: [WEATHER_TOOL],
      stream: true,
    })) {
      for (const call of chunk.choices[0]?.delta.tool_calls ?? []) {
        toolCall.id += call.id ?? "";
        toolCall.name += call.function?.name ?? "";
        toolCall.arguments += call.function?.arguments ?? "";
      }
      toolCall.finishReason = chunk.choices[0]?.finish_reason ?? toolCall.finishReason;
    }
    const choice = completion.choices[0];
    return {
      plain: {
        content: choice?.message.content ?? null,
        finishReason: choice?.finish_reason ?? null,
        usage: completion.usage,
      },
      stream,
      toolCall,
    };
  });

  const abort = await attempt(async () => {
    const cancelledBefore = (await counters(target.statsUrl)).cancelledStreams;
    const controller = new AbortController();
    const answer = await bedrock.chat.completions.create(
      { model: llama(...ABORT_OPTIONS), messages: HELLO, stream: true },
      { signal: controller.signal },
    );
    let chunksBeforeAbort = 0;
    let error: ErrorReport | undefined;
    try {
      for await (const _chunk of answer) {
        if (++chunksBeforeAbort === ABORT_AFTER_CHUNKS) controller.abort();
      }
    } catch (caught) {
      error = describeError(caught);
    }
    // The cancel travels from the runtime's fetch over the socket to the emulator: poll for it.
    const waitStarted = Date.now();
    let cancelledAfter = cancelledBefore;
    while (Date.now() - waitStarted < CANCEL_DEADLINE_MS) {
      cancelledAfter = (await counters(target.statsUrl)).cancelledStreams;
      if (cancelledAfter > cancelledBefore) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return { chunksBeforeAbort, error, cancelledBefore, cancelledAfter, waitedMs: Date.now() - waitStarted };
  });

  return { plain, stream, contextLength, badSignature, midStream, converse, abort, ms: Date.now() - started };
}

async function readStream(chunks: AsyncIterable<ChatCompletionChunk>): Promise<StreamReport> {
  const report: StreamReport = {
    chunks: 0,
    firstDelta: undefined,
    content: "",
    reasoning: "",
    finishReason: null,
    usage: undefined,
  };
  try {
    for await (const chunk of chunks) {
      if (report.chunks++ === 0) report.firstDelta = chunk.choices[0]?.delta;
      for (const choice of chunk.choices) {
        report.content += choice.delta.content ?? "";
        report.reasoning += choice.delta.reasoning_content ?? "";
        report.finishReason = choice.finish_reason ?? report.finishReason;
      }
      if (chunk.usage) report.usage = chunk.usage;
    }
  } catch (error) {
    report.error = describeError(error);
  }
  return report;
}

async function counters(statsUrl: string): Promise<StreamCounters> {
  const response = await fetch(statsUrl, { cache: "no-store" });
  if (!response.ok) throw new Error(`stats endpoint answered ${response.status}`);
  return (await response.json()) as StreamCounters;
}

async function attempt<T>(step: () => Promise<T>): Promise<T | { error: ErrorReport }> {
  try {
    return await step();
  } catch (error) {
    return { error: describeError(error) };
  }
}

/** A step that must fail: a success is reported as the absence of an error. */
async function expectFailure(step: () => Promise<unknown>): Promise<{ error?: ErrorReport }> {
  try {
    await step();
    return {};
  } catch (error) {
    return { error: describeError(error) };
  }
}

/** Errors cross process and page boundaries as JSON; keep what the checks need (duck-typed, not instanceof). */
function describeError(error: unknown): ErrorReport {
  if (typeof error !== "object" || error === null) return { name: typeof error, message: String(error) };
  const fields = error as {
    name?: unknown;
    message?: unknown;
    status?: unknown;
    code?: unknown;
    bedrockError?: unknown;
  };
  const report: ErrorReport = { name: String(fields.name ?? "Error"), message: String(fields.message ?? "") };
  if (typeof fields.status === "number") report.status = fields.status;
  if (typeof fields.code === "string" || fields.code === null) report.code = fields.code;
  if (typeof fields.bedrockError === "string") report.bedrockError = fields.bedrockError;
  return report;
}
