// Traces through the Worker in workerd: a collector stub in this process receives each
// request's span as OTLP/HTTP JSON (POST /v1/traces, the configured headers), with the GenAI
// attributes, and prompt text only when LOG_PROMPTS is on.
import { createServer, type Server } from "node:http";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorModelId } from "../../emulator/model-id.ts";
import { errorOf } from "../helpers/errors.ts";
import { recordOutput } from "../helpers/output-log.ts";
import { eventually, startWorkerdProxy, TEST_MODELS, type WorkerdProxy } from "./harness.ts";

const COLLECTOR_KEY = "otlp-collector-key/with=signs";
const PROMPT = "A prompt nobody may read in a trace";
const MODELS = {
  ...TEST_MODELS,
  copies: {
    deployments: [
      { model: `bedrock/llama/${emulatorModelId("llama", ["err503"], "us-east-1", "400000000000")}` },
      { model: `bedrock/llama/${emulatorModelId("llama", [], "us-west-2", "400000000000")}` },
    ],
  },
};

interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: { resourceSpans: { scopeSpans: { spans: Span[] }[] }[] };
}
interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: { key: string; value: Record<string, unknown> }[];
  status: { code: number; message?: string };
}

const received: Received[] = [];
let collector: Server;
let proxy: WorkerdProxy;

beforeAll(async () => {
  collector = createServer((request, response) => {
    let text = "";
    request.on("data", (data: Buffer) => (text += data.toString()));
    request.on("end", () => {
      recordOutput(text);
      received.push({ path: request.url ?? "", headers: request.headers, body: JSON.parse(text) });
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve));
  const address = collector.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const bindings = {
    MODELS: JSON.stringify(MODELS),
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
    OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${encodeURIComponent(COLLECTOR_KEY)}`,
  };
  proxy = await startWorkerdProxy({ main: bindings, prompts: { ...bindings, LOG_PROMPTS: "true" } });
});
afterAll(async () => {
  await proxy?.close();
  await new Promise((resolve) => collector?.close(resolve));
});

/** The span exported for the request with this id. */
function spanOf(requestId: string | null | undefined) {
  return eventually(
    () => {
      for (const { path, headers, body } of received) {
        const span = body.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
        const attributes = Object.fromEntries(span.attributes.map(({ key, value }) => [key, Object.values(value)[0]]));
        if (attributes["bedrock_edge.request_id"] === requestId) return { path, headers, span, attributes };
      }
      return undefined;
    },
    3000,
    `the span of ${requestId}`,
  );
}

const hello = [{ role: "user" as const, content: PROMPT }];

/** The span's attributes with their OTLP types: `{ intValue: "64" }`. */
function typed(span: Span): Record<string, Record<string, unknown>> {
  return Object.fromEntries(span.attributes.map(({ key, value }) => [key, value]));
}

const INT64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };

/** Whether an OTLP/JSON AnyValue is well formed: one type, an int64 as its decimal string, a finite double. */
function isValidValue(value: Record<string, unknown>): boolean {
  const entries = Object.entries(value);
  if (entries.length !== 1) return false;
  const [type, inner] = entries[0]!;
  switch (type) {
    case "stringValue":
      return typeof inner === "string";
    case "boolValue":
      return typeof inner === "boolean";
    case "doubleValue":
      return typeof inner === "number" && Number.isFinite(inner);
    case "intValue":
      return (
        typeof inner === "string" && /^-?\d+$/.test(inner) && BigInt(inner) >= INT64.min && BigInt(inner) <= INT64.max
      );
    case "arrayValue": {
      const values = (inner as { values?: unknown }).values;
      return Array.isArray(values) && values.every((item) => isValidValue(item as Record<string, unknown>));
    }
    default:
      return false;
  }
}

describe("one span per request, exported after the answer", () => {
  it("a plain call: GenAI attributes, the collector's path and headers, no prompt text", async () => {
    const { data, response } = await proxy
      .client()
      .chat.completions.create({ model: "qwen3", messages: hello, max_tokens: 64, temperature: 0.2 })
      .withResponse();
    const { path, headers, span, attributes } = await spanOf(response.headers.get("x-request-id"));
    expect(path).toBe("/v1/traces");
    expect(headers["content-type"]).toBe("application/json");
    expect(headers.authorization).toBe(`Bearer ${COLLECTOR_KEY}`);
    expect(span.name).toBe("chat qwen3");
    expect(span.kind).toBe(3);
    expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(span.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(BigInt(span.endTimeUnixNano) >= BigInt(span.startTimeUnixNano)).toBe(true);
    expect(attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "aws.bedrock",
      "gen_ai.system": "aws.bedrock",
      "gen_ai.request.model": "qwen3",
      "gen_ai.response.model": emulatorModelId("qwen3"),
      "gen_ai.request.max_tokens": "64",
      "gen_ai.request.temperature": 0.2,
      "gen_ai.usage.input_tokens": String(data.usage!.prompt_tokens),
      "gen_ai.usage.output_tokens": String(data.usage!.completion_tokens),
      "gen_ai.response.finish_reasons": { values: [{ stringValue: "stop" }] },
      "server.address": "127.0.0.1",
      "http.response.status_code": "200",
      "bedrock_edge.key": "proxy-key-36de5af9",
    });
    expect(span.status).toEqual({ code: 0 });
    expect(JSON.stringify(received)).not.toContain(PROMPT);
  });

  it("a stream that moved to another copy, joined to the caller's trace", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const response = await fetch(`${proxy.url()}/v1/chat/completions`, {
      method: "POST",
      headers: {
        authorization: "Bearer sk-test-one",
        "content-type": "application/json",
        traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
      },
      body: JSON.stringify({ model: "copies", messages: hello, stream: true }),
    });
    await response.text();
    const { span, attributes } = await spanOf(response.headers.get("x-request-id"));
    expect(span.traceId).toBe(traceId);
    expect(span.parentSpanId).toBe("00f067aa0ba902b7");
    expect(attributes).toMatchObject({
      "bedrock_edge.stream": true,
      "bedrock_edge.deployment": "1",
      "bedrock_edge.deployments_tried": "2",
      // Why the first copy was left (daytwo49 #7): its index and code, never its message.
      "bedrock_edge.failovers": '[{"deployment":0,"error_code":"service_unavailable"}]',
      "gen_ai.response.model": emulatorModelId("llama", [], "us-west-2", "400000000000"),
      "gen_ai.response.finish_reasons": { values: [{ stringValue: "stop" }] },
    });
    expect(Number(attributes["bedrock_edge.ttft_ms"])).toBeGreaterThanOrEqual(0);
  });

  it("a failure: an error status and error.type", async () => {
    const error = await errorOf(
      () => proxy.client().chat.completions.create({ model: "throttled-always", messages: hello }),
      OpenAI.RateLimitError,
    );
    const { span, attributes } = await spanOf(error.requestID);
    expect(span.status).toEqual({ code: 2, message: "rate_limit_exceeded" });
    expect(attributes["error.type"]).toBe("rate_limit_exceeded");
    expect(attributes["http.response.status_code"]).toBe("429");
  });

  it("the prompt only with LOG_PROMPTS on", async () => {
    const { response } = await proxy
      .client("prompts")
      .chat.completions.create({ model: "llama", messages: hello })
      .withResponse();
    const { attributes } = await spanOf(response.headers.get("x-request-id"));
    // In the GenAI conventions' parts schema, not the request's own shape (observe5 #5).
    expect(JSON.parse(String(attributes["gen_ai.input.messages"]))).toEqual(
      hello.map(({ role, content }) => ({ role, parts: [{ type: "text", content }] })),
    );
  });

  it("a request refused as invalid: its values are left out, and the span is valid OTLP/JSON", async () => {
    const response = await fetch(`${proxy.url()}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer sk-test-one", "content-type": "application/json" },
      body: `{"model":"llama","max_tokens":1e21,"temperature":"hot","top_p":0.5,"messages":${JSON.stringify(hello)}}`,
    });
    expect(response.status).toBe(400);
    await response.text();
    const { span, attributes } = await spanOf(response.headers.get("x-request-id"));
    expect(attributes["http.response.status_code"]).toBe("400");
    expect(Object.keys(attributes).filter((key) => key.startsWith("gen_ai.request."))).toEqual([
      "gen_ai.request.model",
    ]);
    for (const { key, value } of span.attributes) expect(isValidValue(value), key).toBe(true);
  });

  it("the values as validated, each in its type, on every API", async () => {
    const client = proxy.client();
    const asks = { temperature: 1, top_p: 0.5 };
    const calls = [
      client.chat.completions.create({ model: "qwen3", messages: hello, max_completion_tokens: 40, ...asks }),
      client.completions.create({ model: "llama", prompt: PROMPT, max_tokens: 30, ...asks }),
      client.responses.create({ model: "qwen3", input: PROMPT, max_output_tokens: 50, ...asks }),
    ];
    const limits = ["40", "30", "50"];
    for (const [at, call] of calls.entries()) {
      const { response } = await call.withResponse();
      const { span } = await spanOf(response.headers.get("x-request-id"));
      expect(typed(span)).toMatchObject({
        "gen_ai.request.max_tokens": { intValue: limits[at] },
        "gen_ai.request.temperature": { doubleValue: 1 },
        "gen_ai.request.top_p": { doubleValue: 0.5 },
      });
      for (const { key, value } of span.attributes) expect(isValidValue(value), key).toBe(true);
    }
  });

  it("the collector's key never reaches a log line", () => {
    expect(proxy.output.join("\n")).not.toContain("otlp-collector-key");
  });
});
