// A model endpoint however the client spells its path: hono routes the path decoded
// (`/v1/%72esponses` is the Responses endpoint) and takes a trailing slash, so the request's log
// line, its usage row and its span name the endpoint that served it, as registered. They named the
// spelling: a client chose the `endpoint` of its usage rows, a legacy Completions call was traced
// as `chat`, and `gen_ai.request.max_tokens` went missing (the inject4 review).
import { afterEach, describe, expect, it, vi } from "vitest";
import { eventually as pollFor } from "../test/helpers/eventually.ts";
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { createEmulator } from "../emulator/handler.ts";
import { emulatorModelId } from "../emulator/model-id.ts";
import { createApp, type LogLine } from "./app.ts";
import type { D1Database, D1Statement } from "./cloudflare.ts";

/** A USAGE_DB binding that keeps each inserted row, by the INSERT's column names. */
function recordingDatabase() {
  const rows: Record<string, unknown>[] = [];
  const statement = (sql: string, values: unknown[] = []): D1Statement => ({
    bind: (...bound) => statement(sql, bound),
    async run() {
      const columns = /INSERT INTO usage \(([^)]*)\)/.exec(sql)?.[1]?.split(",");
      if (columns) rows.push(Object.fromEntries(columns.map((column, i) => [column.trim(), values[i]])));
      return {};
    },
    all: async <Row>() => ({ results: [] as Row[] }),
  });
  const db: D1Database & { exec(): void } = { prepare: (sql) => statement(sql), exec: () => undefined };
  return { db, rows };
}

interface Span {
  name: string;
  attributes: { key: string; value: Record<string, unknown> }[];
}

/** The OTLP exporter's fetch (the global one), answered here: each span it sends. */
function recordingCollector() {
  const spans: Span[] = [];
  vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
    expect(String(input)).toBe("http://otel.test/v1/traces");
    const body = JSON.parse(String(init?.body)) as { resourceSpans: { scopeSpans: { spans: Span[] }[] }[] };
    spans.push(...body.resourceSpans.flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans)));
    return Response.json({});
  });
  return spans;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

function proxy() {
  const emulator = createEmulator();
  const logs: LogLine[] = [];
  const usage = recordingDatabase();
  const spans = recordingCollector();
  const app = createApp({
    env: {
      MODELS: JSON.stringify({ llama: `bedrock/llama/${emulatorModelId("llama")}` }),
      PROXY_API_KEYS: "sk-path-0123456789",
      AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
      BEDROCK_ENDPOINT: "http://bedrock.emulator",
      USAGE_DB: usage.db,
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel.test",
    },
    fetch: (input, init) => emulator.fetch(new Request(input, init)),
    log: (line) => logs.push(line),
  });
  const post = async (path: string, body: unknown) => {
    const response = await app.request(path, {
      method: "POST",
      headers: { authorization: "Bearer sk-path-0123456789", "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    await response.text();
    return response.status;
  };
  return { post, logs, rows: usage.rows, spans };
}

/** What `read` gives once it is recorded, within 3 s. */
const eventually = <T>(read: () => T | undefined) => pollFor(read, 3000, "the record");

function attribute(span: Span, key: string): unknown {
  const found = span.attributes.find((attribute) => attribute.key === key);
  return found && Object.values(found.value)[0];
}

const ENDPOINTS = [
  {
    endpoint: "/v1/responses",
    spellings: ["/v1/%72esponses", "/v1/responses/", "/v1/re%73ponses?x=%2F"],
    body: { model: "llama", input: "hi", max_output_tokens: 50 },
    operation: "chat",
  },
  {
    endpoint: "/v1/chat/completions",
    spellings: ["/v1/chat/%63ompletions", "/v1/%63hat/completions/"],
    body: { model: "llama", messages: [{ role: "user", content: "hi" }], max_completion_tokens: 50 },
    operation: "chat",
  },
  {
    endpoint: "/v1/completions",
    spellings: ["/v1/%63ompletions", "/v1/completions/"],
    body: { model: "llama", prompt: "hi", max_tokens: 50 },
    operation: "text_completion",
  },
  {
    endpoint: "/completions",
    spellings: ["/%63ompletions"],
    body: { model: "llama", prompt: "hi", max_tokens: 50 },
    operation: "text_completion",
  },
];

describe("a model endpoint's records name it as registered, however its path is spelt", () => {
  it.each(ENDPOINTS)("$endpoint", async ({ endpoint, spellings, body, operation }) => {
    const { post, logs, rows, spans } = proxy();
    for (const path of [endpoint, ...spellings]) {
      expect(await post(path, body), path).toBe(200);
      const line = logs.at(-1)!;
      expect(line.path, path).toBe(endpoint);
      const row = await eventually(() => rows.find((recorded) => recorded.request_id === line.request_id));
      expect(row.endpoint, path).toBe(endpoint);
      const span = await eventually(() =>
        spans.find((sent) => attribute(sent, "bedrock_edge.request_id") === line.request_id),
      );
      expect(span.name, path).toBe(`${operation} llama`);
      expect(attribute(span, "gen_ai.operation.name"), path).toBe(operation);
      expect(attribute(span, "gen_ai.request.max_tokens"), path).toBe("50");
    }
  });

  it("a path no endpoint serves is logged decoded, as the router read it and the 404 names it", async () => {
    const { post, logs, rows } = proxy();
    expect(await post("/v1/%72esponse", { model: "llama", input: "hi" })).toBe(404);
    expect(logs.at(-1)).toMatchObject({ path: "/v1/response", status: 404, error_code: "unknown_url" });
    expect(rows).toEqual([]);
  });
});
