// The emulator's model ids: which answer format to speak and which faults to inject.
//   arn:aws:bedrock:<region>:<account>:imported-model/<format>[.<option>]*
// Parsed once per request by a pure function; anything that does not match is "not found".

export type ModelFormat = "r1" | "llama" | "qwen3" | "qwen2" | "openai";

/** The `:exception-type` values of a Bedrock event stream. */
export type StreamExceptionType =
  | "throttlingException"
  | "modelStreamErrorException"
  | "modelTimeoutException"
  | "internalServerException"
  | "serviceUnavailableException"
  | "validationException";

export const STREAM_EXCEPTION_TYPES: readonly StreamExceptionType[] = [
  "throttlingException",
  "modelStreamErrorException",
  "modelTimeoutException",
  "internalServerException",
  "serviceUnavailableException",
  "validationException",
];

/**
 * The faults a model id may ask for instead of an answer: throttled, a cold model, Bedrock's 500
 * and 503, the model's timeout (408) and failure (424), a quota used up (400), and a stream that
 * fails before it begins (424).
 */
const FAULT_KINDS = [
  "throttle",
  "notready",
  "err500",
  "err503",
  "modeltimeout",
  "modelerror",
  "quota",
  "streamerror",
] as const;
type FaultKind = (typeof FAULT_KINDS)[number];
// A fault's name, then its number of calls (none: every call). Literal names: linear.
const FAULT_OPTION = new RegExp(`^(${FAULT_KINDS.join("|")})(\\d*)$`);

/** A fault answered instead of the model for a number of calls (`Infinity`: every call). */
export interface CallFault {
  kind: FaultKind;
  calls: number;
}

/** Bedrock Runtime's operations, by their paths' last segment. */
export type Operation = "invoke" | "invoke-with-response-stream" | "converse" | "converse-stream";

/**
 * The faults AWS's model lists for some operations only (the others' are listed for all four):
 * ServiceQuotaExceededException on the InvokeModel operations, an HTTP ModelStreamErrorException
 * on InvokeModelWithResponseStream.
 */
const FAULT_OPERATIONS: Partial<Record<FaultKind, readonly Operation[]>> = {
  quota: ["invoke", "invoke-with-response-stream"],
  streamerror: ["invoke-with-response-stream"],
};

/**
 * Whether an operation can carry what the options ask: each call fault AWS lists for it, and a
 * stream exception its stream defines (ConverseStreamOutput has no modelTimeoutException, which
 * only InvokeModelWithResponseStream's ResponseStream has). An id asking for more is not served there.
 */
export function fitsOperation(options: ModelOptions, operation: Operation): boolean {
  if (operation === "converse-stream" && options.midstream?.type === "modelTimeoutException") return false;
  return options.callFaults.every((fault) => FAULT_OPERATIONS[fault.kind]?.includes(operation) ?? true);
}

/** What a model id asks of the emulator, whatever the kind of id. */
export interface ModelOptions {
  /** Answer with the prompt (completion formats) or the last user text (chat, Converse), verbatim. */
  echo: boolean;
  /** Answer with a tool call when tools are offered. */
  tool: boolean;
  /** Cut the answer short: stop reason `length` / `max_tokens`. */
  length: boolean;
  /** No token counts anywhere (InvokeModel paths). */
  nousage: boolean;
  /** Chat and Converse: reasoning before the answer (`reasoning_content`, `reasoningContent`). */
  think: boolean;
  /** Append the family's end-of-turn token, as some imported models do. */
  eos: boolean;
  /** Refuse with a context-length ValidationException. */
  ctx: boolean;
  /** Imported before 2025-11-11: speaks only BedrockCompletion (openai format: only its chat body). */
  legacy: boolean;
  /** Converse: stop early with stopReason `stop_sequence`. */
  stopseq: boolean;
  /** Converse: a guardrail intervenes (`guardrail_intervened`). */
  guardrail: boolean;
  /** Converse: the answer is filtered (`content_filtered`). */
  filtered: boolean;
  /** Converse: prompt-cache read and write token counts in `usage`. */
  cache: boolean;
  /** Consumed in order: the first `calls` calls get the first fault, the next ones the second… */
  callFaults: CallFault[];
  midstream?: { type: StreamExceptionType; afterFrames: number };
  dropAfterFrames?: number;
  /** 1-based number of the frame whose message CRC is corrupted. */
  badCrcFrame?: number;
  slowMs?: number;
  /** A pause before answering at all (headers included): a long plain generation, a stalled service. */
  waitMs?: number;
  longPieces?: number;
  /** Words in each piece of a `long<N>` answer: Claude's Converse deltas carry several words each. */
  wordsPerPiece?: number;
}

/** An imported-model ARN of the emulator: where it lives, which format it speaks, its options. */
export interface ModelSpec extends ModelOptions {
  modelId: string;
  partition: string;
  region: string;
  account: string;
  format: ModelFormat;
}

/**
 * An ARN's partition and region, as groups: AWS's partitions by name (China, GovCloud, the ISO
 * partitions, the European Sovereign Cloud), a region of two letters' prefix or the Sovereign
 * Cloud's "eusc".
 */
export const ARN_PARTITION_REGION =
  "arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc):bedrock:((?:[a-z]{2}|eusc)(?:-[a-z]+)+-\\d+):";
const ARN = new RegExp(`^${ARN_PARTITION_REGION}(\\d{12}):imported-model/([A-Za-z0-9.-]+)$`);
const FORMATS: readonly ModelFormat[] = ["r1", "llama", "qwen3", "qwen2", "openai"];
const FLAGS = [
  "echo",
  "tool",
  "length",
  "nousage",
  "think",
  "eos",
  "ctx",
  "legacy",
  "stopseq",
  "guardrail",
  "filtered",
  "cache",
] as const;
type Flag = (typeof FLAGS)[number];

const MAX_COUNT = 1_000_000;
const MAX_SLOW_MS = 60_000;
const MAX_LONG_PIECES = 200_000;
const MAX_WORDS_PER_PIECE = 1000;

const NUMBERED = ["drop", "badcrc", "slow", "wait", "long", "words"] as const;
type Numbered = (typeof NUMBERED)[number];
/** The least and the most each numbered option takes. */
const NUMBERED_RANGES: Record<Numbered, readonly [number, number]> = {
  drop: [0, MAX_COUNT],
  badcrc: [1, MAX_COUNT],
  slow: [0, MAX_SLOW_MS],
  wait: [0, MAX_SLOW_MS],
  long: [1, MAX_LONG_PIECES],
  words: [1, MAX_WORDS_PER_PIECE],
};

type Option =
  | { name: Flag }
  | { name: "fault"; fault: CallFault }
  | { name: "midstream"; type: StreamExceptionType; afterFrames: number }
  | { name: Numbered; value: number };

/** Parses an emulator model id; `undefined` when it is not one. */
export function parseModelId(modelId: string): ModelSpec | undefined {
  const match = ARN.exec(modelId);
  if (!match) return undefined;
  const [, partition = "", region = "", account = "", name = ""] = match;
  const [formatName = "", ...optionNames] = name.split(".");
  const format = FORMATS.find((candidate) => candidate === formatName);
  if (!format) return undefined;
  const options = parseOptions(optionNames);
  return options && { modelId, partition, region, account, format, ...options };
}

/** Option names (`["tool", "throttle2"]`) -> options; `undefined` for an unknown or repeated one. */
export function parseOptions(optionNames: readonly string[]): ModelOptions | undefined {
  const options = noOptions();
  const seen = new Set<string>();
  for (const optionName of optionNames) {
    const option = parseOption(optionName);
    if (!option) return undefined;
    const key = option.name === "fault" ? option.fault.kind : option.name;
    if (seen.has(key)) return undefined;
    seen.add(key);
    applyOption(options, option);
  }
  return options;
}

function noOptions(): ModelOptions {
  return {
    echo: false,
    tool: false,
    length: false,
    nousage: false,
    think: false,
    eos: false,
    ctx: false,
    legacy: false,
    stopseq: false,
    guardrail: false,
    filtered: false,
    cache: false,
    callFaults: [],
  };
}

function parseOption(text: string): Option | undefined {
  const flag = FLAGS.find((candidate) => candidate === text);
  if (flag) return { name: flag };

  const fault = FAULT_OPTION.exec(text);
  if (fault) {
    const calls = fault[2] ? count(fault[2], 1) : Infinity;
    const kind = fault[1];
    if (calls === undefined || !isFaultKind(kind)) return undefined;
    return { name: "fault", fault: { kind, calls } };
  }

  const midstream = /^midstream-([A-Za-z]+?)(\d*)$/.exec(text);
  if (midstream) {
    const type = STREAM_EXCEPTION_TYPES.find((candidate) => candidate === midstream[1]);
    const afterFrames = midstream[2] ? count(midstream[2], 0) : 0;
    if (!type || afterFrames === undefined) return undefined;
    return { name: "midstream", type, afterFrames };
  }

  const numbered = /^([a-z]+)(\d+)$/.exec(text);
  const name = NUMBERED.find((candidate) => candidate === numbered?.[1]);
  if (name) {
    const [minimum, maximum] = NUMBERED_RANGES[name];
    const value = count(numbered?.[2] ?? "", minimum, maximum);
    return value === undefined ? undefined : { name, value };
  }
  return undefined;
}

function isFaultKind(kind: string | undefined): kind is FaultKind {
  return FAULT_KINDS.some((candidate) => candidate === kind);
}

function count(digits: string, minimum: number, maximum = MAX_COUNT): number | undefined {
  if (digits.length > 9) return undefined;
  const value = Number.parseInt(digits, 10);
  return Number.isInteger(value) && value >= minimum && value <= maximum ? value : undefined;
}

function applyOption(spec: ModelOptions, option: Option): void {
  switch (option.name) {
    case "fault":
      spec.callFaults.push(option.fault);
      return;
    case "midstream":
      spec.midstream = { type: option.type, afterFrames: option.afterFrames };
      return;
    case "drop":
      spec.dropAfterFrames = option.value;
      return;
    case "badcrc":
      spec.badCrcFrame = option.value;
      return;
    case "slow":
      spec.slowMs = option.value;
      return;
    case "wait":
      spec.waitMs = option.value;
      return;
    case "long":
      spec.longPieces = option.value;
      return;
    case "words":
      spec.wordsPerPiece = option.value;
      return;
    default:
      spec[option.name] = true;
  }
}

/** The fault for the call with this 0-based index, consuming `callFaults` in order. */
export function faultForCall(faults: readonly CallFault[], callIndex: number): CallFault["kind"] | undefined {
  let start = 0;
  for (const fault of faults) {
    if (callIndex < start + fault.calls) return fault.kind;
    start += fault.calls;
  }
  return undefined;
}

/**
 * An option of a model id, as parseOption reads it: a flag, a fault for a number of calls (every
 * call without one), a mid-stream exception (after a number of frames), or a numbered option. The
 * numbers' ranges are checked when the id is parsed; a misspelt name fails to compile.
 */
export type ModelIdOption =
  | Flag
  | CallFault["kind"]
  | `${CallFault["kind"]}${number}`
  | `midstream-${StreamExceptionType}`
  | `midstream-${StreamExceptionType}${number}`
  | `${Numbered}${number}`;

/** Builds an emulator model id: `emulatorModelId("r1", ["echo"])`. */
export function emulatorModelId(
  format: ModelFormat,
  options: readonly ModelIdOption[] = [],
  region = "us-east-1",
  account = "123456789012",
): string {
  return `arn:aws:bedrock:${region}:${account}:imported-model/${[format, ...options].join(".")}`;
}
