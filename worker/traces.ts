// One OpenTelemetry span per request to a model, following the GenAI semantic conventions
// (gen_ai.provider.name "aws.bedrock", gen_ai.operation.name, gen_ai.request.model, usage,
// finish reasons, server.address, error.type), exported as OTLP/HTTP JSON with fetch after the
// answer. Made from the request's log line, so it says what the line says: prompt text only
// when LOG_PROMPTS is on (as the conventions' messages: genai-prompt.ts).
import { isRedirect } from "../src/core.ts";
import { genAiPrompt } from "./genai-prompt.ts";
import type { LogLine } from "./log.ts";
import { NAME_LENGTH, quoteValue } from "./quote-value.ts";

/** Where spans go: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT's /v1/traces. */
export interface TraceExport {
  url: string;
  headers: Record<string, string>;
}

/** The collector as OpenTelemetry's variables give it: a base URL, or the traces URL itself. */
export interface TraceEndpoints {
  /** OTEL_EXPORTER_OTLP_ENDPOINT: spans go to its /v1/traces. */
  base?: string | undefined;
  /** OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: used as it is, over the base. */
  traces?: string | undefined;
}

const BASE = "OTEL_EXPORTER_OTLP_ENDPOINT";
const TRACES = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";

/** The bindings, as OpenTelemetry's exporters read the same variables; problems never quote a header's value. */
export function readTraceExport(
  endpoints: TraceEndpoints,
  headers: string | undefined,
  problems: string[],
): TraceExport | undefined {
  const variable = endpoints.traces ? TRACES : BASE;
  const endpoint = endpoints.traces || endpoints.base;
  if (!endpoint) {
    if (headers) problems.push(`OTEL_EXPORTER_OTLP_HEADERS is set but neither ${BASE} nor ${TRACES} is`);
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    url = new URL("invalid:");
  }
  if ((url.protocol !== "https:" && url.protocol !== "http:") || url.username || url.password) {
    problems.push(
      variable === BASE
        ? `${BASE} must be the collector's base URL, http(s), e.g. https://otlp.example.com (spans go to its /v1/traces)`
        : `${TRACES} must be the collector's traces URL, http(s), e.g. https://otlp.example.com/v1/traces`,
    );
    return undefined;
  }
  // The spans' URL is built from the origin and path: a query would be dropped silently (a bare
  // "?" or "#" leaves search and hash empty, hence the href).
  if (/[?#]/.test(url.href)) {
    problems.push(
      `${variable} must not carry a query or a fragment: give the collector's URL, and its key in OTEL_EXPORTER_OTLP_HEADERS`,
    );
    return undefined;
  }
  // Matched where the run of slashes begins: `/\/+$/` is quadratic in a run that does not end the path.
  const path = url.pathname.replace(/(?<!\/)\/+$/, "");
  // OpenTelemetry's exporters add /v1/traces to the base whatever it ends in: a traces URL given
  // as the base is a mistake to point out, not a path to send spans to twice over.
  if (variable === BASE && path.endsWith("/v1/traces")) {
    problems.push(
      `${BASE} is the collector's base URL, and spans go to its /v1/traces: this one ends in /v1/traces already. Give the base URL, or the whole traces URL as ${TRACES}`,
    );
    return undefined;
  }
  const parsed: Record<string, string> = {};
  for (const pair of (headers ?? "").split(",").filter((item) => item.trim())) {
    const at = pair.indexOf("=");
    const name = at > 0 ? safeDecode(pair.slice(0, at).trim()) : undefined;
    const value = at > 0 ? safeDecode(pair.slice(at + 1).trim()) : undefined;
    if (!name || value === undefined || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      problems.push("OTEL_EXPORTER_OTLP_HEADERS must be name=value pairs separated by commas (values percent-encoded)");
      return undefined;
    }
    if (!isHeaderValue(value)) {
      problems.push(
        `OTEL_EXPORTER_OTLP_HEADERS: the value of ${quoteValue(name, NAME_LENGTH)} has a character no HTTP header can carry (a line break or another control character): every export would fail`,
      );
      return undefined;
    }
    parsed[name] = value;
  }
  return { url: variable === TRACES ? url.href : `${url.origin}${path}/v1/traces`, headers: parsed };
}

/**
 * What a header value may hold anywhere: no control character but a tab. Beyond Latin-1 is not
 * refused: workerd sends it as UTF-8 (Node's fetch refuses it, and that export's failure is logged).
 */
function isHeaderValue(value: string): boolean {
  for (let at = 0; at < value.length; at++) {
    const code = value.charCodeAt(at);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return false;
  }
  return true;
}

/**
 * The header values, as given and decoded, for redaction: read even when they are malformed, a
 * table of them (a JSON binding, which the configuration refuses) included.
 */
export function traceHeaderSecrets(headers: unknown): string[] {
  if (headers !== null && typeof headers === "object")
    return Object.values(headers).filter((value): value is string => typeof value === "string");
  return (typeof headers === "string" ? headers : "").split(",").flatMap((pair) => {
    const value = pair.slice(pair.indexOf("=") + 1).trim();
    return [value, safeDecode(value) ?? ""];
  });
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** W3C trace context: the caller's trace, which this span joins as a child. */
export interface TraceParent {
  traceId: string;
  spanId: string;
}

export function readTraceParent(header: string | null | undefined): TraceParent | undefined {
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/.exec(header?.trim() ?? "");
  if (!match || /^0+$/.test(match[1]!) || /^0+$/.test(match[2]!)) return undefined;
  return { traceId: match[1]!, spanId: match[2]! };
}

/** What a span says beyond the log line. */
export interface SpanFacts {
  line: LogLine;
  /**
   * The configured name the request was served under, as the usage row's model; none for any
   * other. The line keeps the name the client sent, but as a span's name (OpenTelemetry wants
   * those few) and gen_ai.request.model it would let a client invent as many as it likes, line
   * breaks and unpaired surrogates included.
   */
  model?: string | undefined;
  /**
   * The request's output limit, sampling parameters, choice count (n) and seed as the library
   * validated them; empty for a request refused before that. Each goes in the span only as the
   * type GenAI gives it.
   */
  request: { max_tokens?: unknown; temperature?: unknown; top_p?: unknown; n?: unknown; seed?: unknown };
  /**
   * The HTTP status the client was sent (RequestLog.answered): 200 for a stream that failed
   * midway, none when the client left before an answer. The line's status is how it ended.
   */
  answered?: number;
  /** The Bedrock model id of the deployment that served (or failed) the request. */
  responseModel?: string;
  server?: { address: string; port: number };
  parent?: TraceParent;
  /** `length` random bytes, for the span and trace ids (tests pass fixed ones). */
  random?: (length: number) => Uint8Array;
}

type AnyValue =
  | { stringValue: string }
  | { intValue: string }
  | { doubleValue: number }
  | { boolValue: boolean }
  | { arrayValue: { values: AnyValue[] } };

interface KeyValue {
  key: string;
  value: AnyValue;
}

// OTLP's enums, as numbers in OTLP/JSON.
const SPAN_KIND_CLIENT = 3;
const STATUS_UNSET = 0;
const STATUS_ERROR = 2;

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

// One maker per OTLP type, so that each attribute has the type its convention gives it whatever
// value it is handed, and a value that type cannot hold is left out rather than sent malformed
// (a collector that cannot decode one attribute refuses the whole export).
function text(key: string, value: unknown): KeyValue | undefined {
  return typeof value === "string" ? { key, value: { stringValue: value } } : undefined;
}

function flag(key: string, value: unknown): KeyValue | undefined {
  return typeof value === "boolean" ? { key, value: { boolValue: value } } : undefined;
}

/** OTLP/JSON writes an int64 as a decimal string: only a safe integer is written exactly so. */
function int(key: string, value: unknown): KeyValue | undefined {
  return Number.isSafeInteger(value) ? { key, value: { intValue: String(value) } } : undefined;
}

/** A double, even when whole (temperature 1); never NaN or an infinity. */
function double(key: string, value: unknown): KeyValue | undefined {
  return typeof value === "number" && Number.isFinite(value) ? { key, value: { doubleValue: value } } : undefined;
}

function texts(key: string, value: unknown): KeyValue | undefined {
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) return undefined;
  return { key, value: { arrayValue: { values: value.map((item) => ({ stringValue: item })) } } };
}

/**
 * GenAI's operation for an endpoint: legacy completions are `text_completion`, embeddings
 * `embeddings`, image generation `generate_content` (the conventions' name for multimodal output), the rest `chat`.
 */
function operationOf(path: string): string {
  if (/(^|\/)embeddings\/*$/.test(path)) return "embeddings";
  if (/(^|\/)images\/(?:generations|edits|variations)\/*$/.test(path)) return "generate_content";
  return /(^|\/)completions$/.test(path) && !path.endsWith("chat/completions") ? "text_completion" : "chat";
}

function nanos(ms: number): string {
  return `${BigInt(Math.round(ms)) * 1_000_000n}`;
}

/** The OTLP/HTTP JSON body of the request's span (ExportTraceServiceRequest). */
export function otlpPayload(facts: SpanFacts): unknown {
  const { line, request } = facts;
  const random = facts.random ?? ((length: number) => crypto.getRandomValues(new Uint8Array(length)));
  const started = Date.parse(line.time);
  const failed = line.status >= 400;
  const operation = operationOf(line.path);
  const attributes = [
    text("gen_ai.operation.name", operation),
    text("gen_ai.provider.name", "aws.bedrock"),
    // Deprecated for gen_ai.provider.name; still what many backends read.
    text("gen_ai.system", "aws.bedrock"),
    text("gen_ai.request.model", facts.model),
    text("gen_ai.response.model", facts.responseModel),
    int("gen_ai.request.max_tokens", request.max_tokens),
    double("gen_ai.request.temperature", request.temperature),
    double("gen_ai.request.top_p", request.top_p),
    int("gen_ai.usage.input_tokens", line.prompt_tokens),
    int("gen_ai.usage.output_tokens", line.completion_tokens),
    // A choice that never finished (a stream left after a later one did) is "": its place kept.
    texts(
      "gen_ai.response.finish_reasons",
      line.finish_reasons?.map((reason) => reason ?? ""),
    ),
    // The conventions make the choice count conditionally required when it is not 1.
    int("gen_ai.request.choice.count", request.n === 1 ? undefined : request.n),
    int("gen_ai.request.seed", request.seed),
    // As JSON text, which the conventions allow on spans (prompts only with LOG_PROMPTS).
    ...promptAttributes(line),
    text("server.address", facts.server?.address),
    int("server.port", facts.server?.port),
    text("error.type", failed ? (line.error_code ?? String(line.status)) : undefined),
    int("http.response.status_code", facts.answered),
    // The log line's status: the error event's inside a 200 stream, 499 when the client left.
    int("bedrock_edge.status", line.status),
    text("bedrock_edge.request_id", line.request_id),
    text("bedrock_edge.key", line.key),
    flag("bedrock_edge.stream", line.stream),
    int("bedrock_edge.deployment", line.deployment),
    int("bedrock_edge.deployments_tried", line.deployments_tried),
    // As the line's failovers, JSON text: each copy's index stays beside the code it was left for.
    text("bedrock_edge.failovers", line.failovers && JSON.stringify(line.failovers)),
    int("bedrock_edge.retries", line.retries),
    int("bedrock_edge.ttft_ms", line.ttft_ms),
    // The GenAI conventions name a service tier for OpenAI only (openai.response.service_tier).
    text("bedrock_edge.service_tier", line.service_tier),
  ].filter((item): item is KeyValue => item !== undefined);
  const span = {
    traceId: facts.parent?.traceId ?? hex(random(16)),
    spanId: hex(random(8)),
    ...(facts.parent ? { parentSpanId: facts.parent.spanId } : {}),
    name: facts.model ? `${operation} ${facts.model}` : operation,
    kind: SPAN_KIND_CLIENT,
    startTimeUnixNano: nanos(started),
    endTimeUnixNano: nanos(started + line.ms),
    attributes,
    status: failed
      ? { code: STATUS_ERROR, message: line.error_code ?? `status ${line.status}` }
      : { code: STATUS_UNSET },
  };
  return {
    resourceSpans: [
      {
        resource: { attributes: [text("service.name", "bedrock-edge")] },
        scopeSpans: [{ scope: { name: "bedrock-edge" }, spans: [span] }],
      },
    ],
  };
}

/**
 * How long a span's export may take, as OpenTelemetry's own exporters allow by default. A Worker's
 * waitUntil ends it after 30 s anyway; on Node, Deno and Bun nothing else would, and a collector
 * that takes connections but never answers held a socket and the span for each request (5 min).
 */
export const EXPORT_TIMEOUT_MS = 10_000;

export async function exportSpan(target: TraceExport, payload: unknown, timeoutMs = EXPORT_TIMEOUT_MS): Promise<void> {
  const response = await fetch(target.url, {
    method: "POST",
    headers: { ...target.headers, "content-type": "application/json" },
    body: JSON.stringify(payload),
    signal: AbortSignal.timeout(timeoutMs),
    // A redirect followed would take the span, and OTEL_EXPORTER_OTLP_HEADERS (the collector's
    // key) with it, to whatever host the collector names: fetch drops only `authorization`.
    redirect: "manual",
  });
  // The collector's answer may echo what it was sent: only its status is kept.
  await response.body?.cancel();
  if (isRedirect(response)) {
    throw new Error(
      `the OTLP collector answered a redirect (${response.status || "opaque"}), which is not followed: give its final URL`,
    );
  }
  if (!response.ok) throw new Error(`the OTLP collector answered ${response.status}`);
}

/**
 * The most characters of JSON a span holds of each of the prompt's attributes: as much as Workers
 * Logs keeps of a request's lines. Each message costs a span about 70 characters however short
 * (a legacy list of 199,000 empty prompts, 600 KB of body, made a 13.7 MB span: amplify35 #4);
 * past it, the span says how long it was (bedrock_edge.prompt_chars_omitted: the prompt's JSON as
 * the log line holds it, when that alone is past the bound, else the attributes') and the log line
 * keeps the prompt.
 */
const MAX_PROMPT_ATTRIBUTE_CHARS = 256 * 1024;

function promptAttributes(line: LogLine): Array<KeyValue | undefined> {
  // The prompt as the line holds it, over the bound already, is not turned into messages at all:
  // they take up to 23 times its length (the 199,000 empty prompts cost 0.47 s and 42 MiB to build).
  const held = line.prompt ?? line.messages;
  const heldLength = held === undefined ? 0 : JSON.stringify(held).length;
  if (heldLength > MAX_PROMPT_ATTRIBUTE_CHARS) {
    return [int("bedrock_edge.prompt_chars_omitted", heldLength)];
  }
  const prompt = genAiPrompt(line);
  const attributes: Array<KeyValue | undefined> = [];
  let omitted = 0;
  for (const [key, value] of [
    ["gen_ai.system_instructions", prompt.system],
    ["gen_ai.input.messages", prompt.input],
  ] as const) {
    if (value === undefined) continue;
    const json = JSON.stringify(value);
    if (json.length <= MAX_PROMPT_ATTRIBUTE_CHARS) attributes.push(text(key, json));
    else omitted += json.length;
  }
  if (omitted > 0) attributes.push(int("bedrock_edge.prompt_chars_omitted", omitted));
  return attributes;
}
