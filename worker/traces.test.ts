import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import type { LogLine } from "./log.ts";
import {
  EXPORT_TIMEOUT_MS,
  exportSpan,
  otlpPayload,
  readTraceExport,
  readTraceParent,
  traceHeaderSecrets,
} from "./traces.ts";

describe("the trace export's bindings", () => {
  it("send spans to the endpoint's /v1/traces with the headers, decoded", () => {
    const problems: string[] = [];
    expect(
      readTraceExport({ base: "https://otlp.example.com/base/" }, "x-api-key=abc%3D%3D, x-team = blue", problems),
    ).toEqual({
      url: "https://otlp.example.com/base/v1/traces",
      headers: { "x-api-key": "abc==", "x-team": "blue" },
    });
    expect(readTraceExport({}, undefined, problems)).toBeUndefined();
    expect(problems).toEqual([]);
  });

  it("are problems when malformed, never quoting a header's value", () => {
    const problems: string[] = [];
    readTraceExport({ base: "ftp://otlp.example.com" }, undefined, problems);
    readTraceExport({ base: "https://user:pass@otlp.example.com" }, undefined, problems);
    readTraceExport({ base: "https://otlp.example.com" }, "x-api-key:secret-value", problems);
    readTraceExport({}, "x-api-key=secret-value", problems);
    expect(problems).toHaveLength(4);
    expect(problems.join("\n")).not.toContain("secret-value");
    expect(problems.join("\n")).not.toContain("pass");
  });

  it("refuse a header value no header can carry, naming the header, never quoting the value", () => {
    for (const value of ["abc%0Adef", "abc%0D%0Adef", "a%00b", "a%7Fb", "a%1Fsecret-value"]) {
      const problems: string[] = [];
      expect(
        readTraceExport({ base: "https://otlp.example.com" }, `x-team=blue, x-api-key=${value}`, problems),
      ).toBeUndefined();
      expect(problems, value).toEqual([
        'OTEL_EXPORTER_OTLP_HEADERS: the value of "x-api-key" has a character no HTTP header can carry (a line break or another control character): every export would fail',
      ]);
    }
    // A tab and Latin-1 beyond ASCII fetch sends as they are, and beyond Latin-1 workerd sends
    // as UTF-8 (codereview12 #1: such a value worked on Workers, and was refused).
    const problems: string[] = [];
    expect(
      readTraceExport({ base: "https://otlp.example.com" }, "x-a=a%09b, x-b=caf%C3%A9, x-c=%E2%82%AC-team", problems)
        ?.headers,
    ).toEqual({ "x-a": "a\tb", "x-b": "café", "x-c": "€-team" });
    expect(problems).toEqual([]);
    expect(() => new Headers({ "x-a": "a\tb", "x-b": "café" })).not.toThrow();
  });

  it("refuse an endpoint with a query or a fragment, which the spans' URL would drop", () => {
    for (const endpoint of [
      "https://otlp.example.com?api_key=SECRETQ",
      "https://otlp.example.com/base?",
      "https://otlp.example.com#x",
      "https://otlp.example.com/#",
    ]) {
      const problems: string[] = [];
      expect(readTraceExport({ base: endpoint }, undefined, problems), endpoint).toBeUndefined();
      expect(problems).toEqual([
        "OTEL_EXPORTER_OTLP_ENDPOINT must not carry a query or a fragment: give the collector's URL, and its key in OTEL_EXPORTER_OTLP_HEADERS",
      ]);
      const asTraces: string[] = [];
      expect(readTraceExport({ traces: endpoint }, undefined, asTraces), endpoint).toBeUndefined();
      expect(asTraces).toEqual([
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must not carry a query or a fragment: give the collector's URL, and its key in OTEL_EXPORTER_OTLP_HEADERS",
      ]);
    }
  });

  it("take OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as it is, over the base, as OpenTelemetry's exporters do", () => {
    const problems: string[] = [];
    const headers = "x-api-key=abc";
    for (const url of [
      "https://api.example.com/v1/traces",
      "https://collector.example.com/otlp/v1/traces/",
      "http://127.0.0.1:4318/",
    ]) {
      expect(readTraceExport({ traces: url }, headers, problems)).toEqual({ url, headers: { "x-api-key": "abc" } });
    }
    const both = { base: "https://base.example.com", traces: "https://traces.example.com/spans" };
    expect(readTraceExport(both, undefined, problems)?.url).toBe("https://traces.example.com/spans");
    // A bare origin is its root path, as the WHATWG URL writes it.
    expect(readTraceExport({ traces: "https://traces.example.com" }, undefined, problems)?.url).toBe(
      "https://traces.example.com/",
    );
    expect(problems).toEqual([]);
    readTraceExport({ traces: "ftp://traces.example.com/v1/traces" }, undefined, problems);
    readTraceExport({}, headers, problems);
    expect(problems).toEqual([
      "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must be the collector's traces URL, http(s), e.g. https://otlp.example.com/v1/traces",
      "OTEL_EXPORTER_OTLP_HEADERS is set but neither OTEL_EXPORTER_OTLP_ENDPOINT nor OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is",
    ]);
  });

  it("refuse a base URL that is a traces URL already: its spans would go to /v1/traces/v1/traces", () => {
    for (const base of ["https://otlp.example.com/v1/traces", "https://otlp.example.com/otlp/v1/traces/"]) {
      const problems: string[] = [];
      expect(readTraceExport({ base }, undefined, problems), base).toBeUndefined();
      expect(problems).toEqual([
        "OTEL_EXPORTER_OTLP_ENDPOINT is the collector's base URL, and spans go to its /v1/traces: this one ends in /v1/traces already. Give the base URL, or the whole traces URL as OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
      ]);
    }
    const problems: string[] = [];
    expect(readTraceExport({ base: "https://otlp.example.com/v1/traces-eu" }, undefined, problems)?.url).toBe(
      "https://otlp.example.com/v1/traces-eu/v1/traces",
    );
    expect(problems).toEqual([]);
  });

  it("give their values for redaction, as given and decoded, malformed or not", () => {
    expect(traceHeaderSecrets("x-api-key=abc%3D%3D, x-team=blue").filter(Boolean)).toEqual([
      "abc%3D%3D",
      "abc==",
      "blue",
      "blue",
    ]);
    expect(traceHeaderSecrets("no-equals-sign%zz").filter(Boolean)).toEqual(["no-equals-sign%zz"]);
    // A table (a JSON binding the configuration refuses): its values, and no throw that would lose every secret.
    expect(traceHeaderSecrets({ "x-api-key": "k-123", port: 4318 })).toEqual(["k-123"]);
    expect(traceHeaderSecrets(4318).filter(Boolean)).toEqual([]);
  });
});

describe("W3C traceparent", () => {
  it("is joined when well formed", () => {
    const header = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    expect(readTraceParent(header)).toEqual({
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      spanId: "00f067aa0ba902b7",
    });
    for (const bad of [null, "", "00-xyz-00f067aa0ba902b7-01", `00-${"0".repeat(32)}-00f067aa0ba902b7-01`, "01-4bf9"]) {
      expect(readTraceParent(bad)).toBeUndefined();
    }
  });
});

describe("the span", () => {
  const line: LogLine = {
    time: "2026-11-28T10:00:00.000Z",
    request_id: "req_abc",
    method: "POST",
    path: "/v1/chat/completions",
    status: 200,
    ms: 1500,
    key: "team-a",
    model: "qwen3",
    stream: true,
    deployment: 1,
    deployments_tried: 2,
    prompt_tokens: 12,
    completion_tokens: 34,
    finish_reasons: ["stop"],
    ttft_ms: 120,
  };
  const random = (length: number) => new Uint8Array(length).fill(0xab);

  function spanOf(payload: unknown) {
    const { resourceSpans } = payload as {
      resourceSpans: { resource: unknown; scopeSpans: { spans: Record<string, unknown>[] }[] }[];
    };
    const span = resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    const attributes = Object.fromEntries(
      (span.attributes as { key: string; value: unknown }[]).map(({ key, value }) => [key, value]),
    );
    return { span, attributes, resource: resourceSpans[0]!.resource };
  }

  it('keeps a stream\'s finish reasons when a choice never finished: its place holds "" (codereview13 #2)', () => {
    const { attributes } = spanOf(
      otlpPayload({ line: { ...line, finish_reasons: [null, "length"] }, request: {}, answered: 200, random }),
    );
    expect(attributes["gen_ai.response.finish_reasons"]).toEqual({
      arrayValue: { values: [{ stringValue: "" }, { stringValue: "length" }] },
    });
  });

  it("carries the service tier Bedrock says served the request, as the log line does, and none when it said none", () => {
    const tiered = spanOf(otlpPayload({ line: { ...line, service_tier: "flex" }, request: {}, answered: 200, random }));
    expect(tiered.attributes["bedrock_edge.service_tier"]).toEqual({ stringValue: "flex" });
    const plain = spanOf(otlpPayload({ line, request: {}, answered: 200, random }));
    expect(plain.attributes).not.toHaveProperty("bedrock_edge.service_tier");
  });

  it("carries each copy given up and the code it was left for, as the log line's failovers, and none without (daytwo49 #7)", () => {
    const failovers = [
      { deployment: 0, error_code: "rate_limit_exceeded" },
      { deployment: 2, error_code: null },
    ];
    const moved = spanOf(otlpPayload({ line: { ...line, failovers }, request: {}, answered: 200, random }));
    expect(moved.attributes["bedrock_edge.failovers"]).toEqual({
      stringValue: '[{"deployment":0,"error_code":"rate_limit_exceeded"},{"deployment":2,"error_code":null}]',
    });
    const plain = spanOf(otlpPayload({ line, request: {}, answered: 200, random }));
    expect(plain.attributes).not.toHaveProperty("bedrock_edge.failovers");
  });

  it("follows the GenAI conventions: a CLIENT span named after the operation and the model", () => {
    const { span, attributes, resource } = spanOf(
      otlpPayload({
        line,
        model: "qwen3",
        request: { max_tokens: 256, temperature: 0.5, top_p: 1 },
        responseModel: "arn:aws:bedrock:us-west-2:123456789012:imported-model/x",
        server: { address: "bedrock-runtime.us-west-2.amazonaws.com", port: 443 },
        answered: 200,
        random,
      }),
    );
    expect(resource).toEqual({ attributes: [{ key: "service.name", value: { stringValue: "bedrock-edge" } }] });
    expect(span).toMatchObject({
      traceId: "ab".repeat(16),
      spanId: "ab".repeat(8),
      name: "chat qwen3",
      kind: 3,
      startTimeUnixNano: "1795860000000000000",
      endTimeUnixNano: "1795860001500000000",
      status: { code: 0 },
    });
    expect(attributes).toEqual({
      "gen_ai.operation.name": { stringValue: "chat" },
      "gen_ai.provider.name": { stringValue: "aws.bedrock" },
      "gen_ai.system": { stringValue: "aws.bedrock" },
      "gen_ai.request.model": { stringValue: "qwen3" },
      "gen_ai.response.model": { stringValue: "arn:aws:bedrock:us-west-2:123456789012:imported-model/x" },
      "gen_ai.request.max_tokens": { intValue: "256" },
      "gen_ai.request.temperature": { doubleValue: 0.5 },
      "gen_ai.request.top_p": { doubleValue: 1 },
      "gen_ai.usage.input_tokens": { intValue: "12" },
      "gen_ai.usage.output_tokens": { intValue: "34" },
      "gen_ai.response.finish_reasons": { arrayValue: { values: [{ stringValue: "stop" }] } },
      "server.address": { stringValue: "bedrock-runtime.us-west-2.amazonaws.com" },
      "server.port": { intValue: "443" },
      "http.response.status_code": { intValue: "200" },
      "bedrock_edge.status": { intValue: "200" },
      "bedrock_edge.request_id": { stringValue: "req_abc" },
      "bedrock_edge.key": { stringValue: "team-a" },
      "bedrock_edge.stream": { boolValue: true },
      "bedrock_edge.deployment": { intValue: "1" },
      "bedrock_edge.deployments_tried": { intValue: "2" },
      "bedrock_edge.ttft_ms": { intValue: "120" },
    });
  });

  it("joins the caller's trace, records errors by their code, and carries prompts only when given", () => {
    const failed = { ...line, status: 429, error_code: "tokens_per_day_exceeded" };
    const parent = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7" };
    const { span, attributes } = spanOf(otlpPayload({ line: failed, request: {}, parent, random }));
    expect(span).toMatchObject({
      traceId: parent.traceId,
      parentSpanId: parent.spanId,
      status: { code: 2, message: "tokens_per_day_exceeded" },
    });
    expect(attributes["error.type"]).toEqual({ stringValue: "tokens_per_day_exceeded" });
    expect(attributes["gen_ai.input.messages"]).toBeUndefined();
    const messages = [{ role: "user", content: "hello" }];
    const withPrompt = spanOf(otlpPayload({ line: { ...line, messages }, request: {}, random })).attributes;
    expect(withPrompt["gen_ai.input.messages"]).toEqual({
      stringValue: JSON.stringify([{ role: "user", parts: [{ type: "text", content: "hello" }] }]),
    });
  });

  it("says the HTTP status that was sent, and the line's (how the exchange ended) beside it (observe5 #4)", () => {
    const ended = (status: number, answered: number | undefined, error_code?: string) => {
      const { span, attributes } = spanOf(
        otlpPayload({ line: { ...line, status, error_code }, request: {}, answered, random }),
      );
      return {
        http: attributes["http.response.status_code"],
        status: attributes["bedrock_edge.status"],
        error: attributes["error.type"],
        code: (span.status as { code: number }).code,
      };
    };
    // An error event inside a 200 stream: the failure is the span's status and error.type.
    expect(ended(424, 200, "model_stream_error")).toEqual({
      http: { intValue: "200" },
      status: { intValue: "424" },
      error: { stringValue: "model_stream_error" },
      code: 2,
    });
    expect(ended(429, 200, "model_not_ready").http).toEqual({ intValue: "200" });
    // A client that left mid-answer was sent 200; one that left before the answer, nothing.
    expect(ended(499, 200)).toMatchObject({ http: { intValue: "200" }, status: { intValue: "499" } });
    expect(ended(499, undefined)).toMatchObject({ http: undefined, status: { intValue: "499" } });
    expect(ended(404, 404, "model_not_found").http).toEqual({ intValue: "404" });
  });

  it("gives each value its convention's type, and leaves out one that type cannot hold", () => {
    const requestValues = (request: Record<string, unknown>) => {
      const { attributes } = spanOf(otlpPayload({ line, request, random }));
      return Object.fromEntries(
        Object.entries(attributes).filter(
          ([key]) => key.startsWith("gen_ai.request.") && key !== "gen_ai.request.model",
        ),
      );
    };
    expect(requestValues({ max_tokens: 1, temperature: 1, top_p: 0 })).toEqual({
      "gen_ai.request.max_tokens": { intValue: "1" },
      "gen_ai.request.temperature": { doubleValue: 1 },
      "gen_ai.request.top_p": { doubleValue: 0 },
    });
    // OTLP/JSON's int64 is a decimal string: 1e21 would be "1e+21", 2 ** 64 is past int64, and past
    // 2 ** 53 a number may not be the integer the client wrote.
    for (const max_tokens of [1e21, 2 ** 64, Number.MAX_SAFE_INTEGER + 1, 1.5, Number.NaN, "64", true, null, [64]]) {
      expect(requestValues({ max_tokens }), String(max_tokens)).toEqual({});
    }
    for (const temperature of ["hot", "0.5", Number.POSITIVE_INFINITY, Number.NaN, null, { value: 1 }]) {
      expect(requestValues({ temperature, top_p: temperature }), String(temperature)).toEqual({});
    }
    const odd = spanOf(
      otlpPayload({ line: { ...line, ttft_ms: 1.5, prompt_tokens: Number.NaN }, request: {}, random }),
    );
    expect(odd.attributes["bedrock_edge.ttft_ms"]).toBeUndefined();
    expect(odd.attributes["gen_ai.usage.input_tokens"]).toBeUndefined();
  });

  it("names the operation after the endpoint: legacy completions are text_completion", () => {
    const legacy = spanOf(
      otlpPayload({ line: { ...line, path: "/v1/completions" }, model: "qwen3", request: {}, random }),
    );
    expect(legacy.span.name).toBe("text_completion qwen3");
    expect(legacy.attributes["gen_ai.operation.name"]).toEqual({ stringValue: "text_completion" });
    const chat = otlpPayload({ line: { ...line, path: "/chat/completions" }, model: "qwen3", request: {}, random });
    expect(spanOf(chat).span.name).toBe("chat qwen3");
    const embeddings = spanOf(
      otlpPayload({ line: { ...line, path: "/v1/embeddings" }, model: "vectors", request: {}, random }),
    );
    expect(embeddings.span.name).toBe("embeddings vectors");
    expect(embeddings.attributes["gen_ai.operation.name"]).toEqual({ stringValue: "embeddings" });
    const images = spanOf(
      otlpPayload({ line: { ...line, path: "/v1/images/generations" }, model: "pictures", request: {}, random }),
    );
    expect(images.span.name).toBe("generate_content pictures");
    expect(images.attributes["gen_ai.operation.name"]).toEqual({ stringValue: "generate_content" });
    const edits = spanOf(
      otlpPayload({ line: { ...line, path: "/v1/images/edits" }, model: "pictures", request: {}, random }),
    );
    expect(edits.span.name).toBe("generate_content pictures");
    const variations = spanOf(
      otlpPayload({ line: { ...line, path: "/v1/images/variations" }, model: "pictures", request: {}, random }),
    );
    expect(variations.span.name).toBe("generate_content pictures");
  });

  it("names a model only when it was served under it: a name the client invented is not the span's (injection12 #4)", () => {
    const invented = "gpt-4o\r\nsecret-team/anything-I-like \u{1F600}\ud83d";
    const notFound = { ...line, status: 404, error_code: "model_not_found", model: invented };
    const { span, attributes } = spanOf(otlpPayload({ line: notFound, request: {}, random }));
    expect(span.name).toBe("chat");
    expect(attributes["gen_ai.request.model"]).toBeUndefined();
    expect(JSON.stringify(span)).not.toContain("anything-I-like");
  });
});

describe("the span's export", () => {
  it("gives up on a collector that takes the connection and never answers, closing it (the leaks review)", async () => {
    let closed: Promise<void> | undefined;
    const server = createServer((request) => {
      closed = new Promise((resolve) => request.socket.once("close", () => resolve()));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const target = { url: `http://127.0.0.1:${port}/v1/traces`, headers: {} };
      await expect(exportSpan(target, {}, 100)).rejects.toMatchObject({ name: "TimeoutError" });
      await closed;
    } finally {
      server.close();
    }
    // OpenTelemetry's exporters' own default.
    expect(EXPORT_TIMEOUT_MS).toBe(10_000);
  });

  it("does not follow a redirect, which would take the span and the collector's key elsewhere: a failed export (injection12 #5)", async () => {
    const elsewhere: string[] = [];
    const other = createServer((request, response) => {
      elsewhere.push(`${request.method} ${request.url} ${request.headers["x-honeycomb-team"]}`);
      response.end("{}");
    });
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    const otherPort = (other.address() as AddressInfo).port;
    const collector = createServer((request, response) => {
      response.writeHead(Number(request.url?.split("/").at(-1)), { location: `http://localhost:${otherPort}/steal` });
      response.end();
    });
    await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = collector.address() as AddressInfo;
      for (const status of [301, 302, 303, 307, 308]) {
        const target = {
          url: `http://127.0.0.1:${port}/v1/traces/${status}`,
          headers: { "x-honeycomb-team": "hc-key" },
        };
        await expect(exportSpan(target, {})).rejects.toThrow(
          `the OTLP collector answered a redirect (${status}), which is not followed: give its final URL`,
        );
      }
      expect(elsewhere).toEqual([]);
    } finally {
      collector.close();
      other.close();
    }
  });
});
