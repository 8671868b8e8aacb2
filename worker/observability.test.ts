// What the proxy tells its operator of a request, taken together: its log line, its usage row,
// its span and the answer's headers, through createApp with the in-process emulator, a D1 that
// records its rows and an OTLP collector on a loopback port (the observe5 review's findings).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { createEmulator } from "../emulator/handler.ts";
import { model } from "../test/helpers/emulated.ts";
import { createApp, type LogLine } from "./app.ts";
import type { D1Database, D1Statement } from "./cloudflare.ts";

const KEY = "sk-observe-0123456789abcdef";
/** A key of API_KEYS that may call llama only. */
const NARROW_KEY = "sk-narrow-0123456789abcdef";

type Attributes = Record<string, unknown>;
interface Observed {
  line: LogLine;
  row: Record<string, unknown>;
  span: { name: string; attributes: Attributes; status: { code: number } };
}

/** A D1 that keeps each usage row as an object of its columns. */
function recordingDatabase(rows: Record<string, unknown>[]): D1Database & { exec(): void } {
  const statement = (sql: string, values: unknown[] = []): D1Statement => ({
    bind: (...bound) => statement(sql, bound),
    async run() {
      const columns = /INSERT INTO usage \(([^)]*)\)/.exec(sql)?.[1]?.split(",");
      if (columns) rows.push(Object.fromEntries(columns.map((column, index) => [column.trim(), values[index]])));
      return {};
    },
    all: async <Row>() => ({ results: [] as Row[] }),
  });
  return { prepare: (sql) => statement(sql), exec: () => undefined };
}

/** An OTLP/HTTP collector: every span it is sent, its attributes read into plain values. */
async function collector(spans: Observed["span"][]): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      const payload = JSON.parse(body) as {
        resourceSpans: {
          scopeSpans: {
            spans: {
              name: string;
              attributes: { key: string; value: Record<string, unknown> }[];
              status: { code: number };
            }[];
          }[];
        }[];
      };
      for (const span of payload.resourceSpans[0]!.scopeSpans[0]!.spans) {
        const attributes = Object.fromEntries(span.attributes.map(({ key, value }) => [key, plain(value)]));
        spans.push({ name: span.name, attributes, status: span.status });
      }
      response.end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function plain(value: Record<string, unknown>): unknown {
  if ("arrayValue" in value) {
    return (value.arrayValue as { values: Record<string, unknown>[] }).values.map(plain);
  }
  return Object.values(value)[0];
}

let server: Server;
const lines: LogLine[] = [];
const rows: Record<string, unknown>[] = [];
const spans: Observed["span"][] = [];
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  const otlp = await collector(spans);
  server = otlp.server;
  const emulator = createEmulator();
  app = createApp({
    env: {
      MODELS: JSON.stringify({
        llama: model("llama"),
        openai: model("openai"),
        slow: model("llama", "slow30", "long60"),
        waity: model("llama", "wait2000"),
        mid: model("llama", "midstream-modelStreamErrorException3"),
        never: model("llama", "notready"),
      }),
      PROXY_API_KEYS: KEY,
      API_KEYS: JSON.stringify({ narrow: { key: NARROW_KEY, models: ["llama"] } }),
      AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
      BEDROCK_ENDPOINT: "http://bedrock.emulator",
      BEDROCK_RETRY_BASE_DELAY_MS: "5",
      MODEL_READY_TIMEOUT_MS: "300",
      SSE_KEEPALIVE_MS: "40",
      USAGE_DB: recordingDatabase(rows),
      // Prompts in spans (gen_ai.input.messages) only with it.
      LOG_PROMPTS: "true",
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
    },
    fetch: (input, init) => emulator.fetch(new Request(input, init)),
    log: (line) => lines.push(structuredClone(line)),
  });
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const client = () =>
  new OpenAI({
    apiKey: KEY,
    baseURL: "http://proxy.test/v1",
    maxRetries: 0,
    fetch: async (url, init) => app.request(String(url), init),
  });

/** The line, the row and the span of a request, once all three are written. */
async function observed(requestId: string | null | undefined): Promise<Observed> {
  for (let waited = 0; waited < 3000; waited += 10) {
    const line = lines.find((entry) => entry.request_id === requestId);
    const row = rows.find((entry) => entry.request_id === requestId);
    const span = spans.find((entry) => entry.attributes["bedrock_edge.request_id"] === requestId);
    if (line && row && span) return { line, row, span };
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`the line, row and span of ${requestId}`);
}

async function post(path: string, body: unknown, signal?: AbortSignal, key = KEY) {
  return app.request(path, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
    signal,
  });
}

const hello = [{ role: "user", content: "Hello there" }];

describe("the deployment of a request (observe5 #2)", () => {
  it("is named only for a request that reached it, not for one its route refused while building the body", async () => {
    for (const body of [
      { model: "llama", messages: hello, n: 2 },
      { model: "llama", messages: hello, chat_template_kwargs: { nope: 1 } },
    ]) {
      const answer = await post("/v1/chat/completions", body);
      expect(answer.status).toBe(400);
      expect((await answer.json()).error.param).toMatch(/^(n|chat_template_kwargs\.nope)$/);
      expect(answer.headers.get("x-bedrock-edge-deployment")).toBeNull();
      const { line, row, span } = await observed(answer.headers.get("x-request-id"));
      expect(line).not.toHaveProperty("deployment");
      expect(line).not.toHaveProperty("deployments_tried");
      expect(row).toMatchObject({ status: 400, deployment: null, deployments_tried: null, model: "llama" });
      for (const name of ["gen_ai.response.model", "server.address", "server.port", "bedrock_edge.deployment"]) {
        expect(span.attributes[name], name).toBeUndefined();
      }
    }
    // The same request, valid, names it everywhere.
    const served = await post("/v1/chat/completions", { model: "llama", messages: hello });
    expect(served.headers.get("x-bedrock-edge-deployment")).toBe("0");
    await served.text();
    const { line, row, span } = await observed(served.headers.get("x-request-id"));
    expect(line).toMatchObject({ deployment: 0, deployments_tried: 1 });
    expect(row).toMatchObject({ deployment: 0, deployments_tried: 1 });
    expect(span.attributes).toMatchObject({ "server.address": "bedrock.emulator", "bedrock_edge.deployment": "0" });
  });
});

describe("the server a span names (injection12 #2)", () => {
  it("is none for a model whose ARN's region is no region: the call is refused (400), its span still exported", async () => {
    const collected: Observed["span"][] = [];
    const otlp = await collector(collected);
    try {
      const refused = createApp({
        env: {
          MODELS: JSON.stringify({ odd: "bedrock/llama/arn:aws:bedrock:US-EAST-1:123456789012:imported-model/x" }),
          PROXY_API_KEYS: KEY,
          AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
          OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
        },
        fetch: () => Promise.reject(new Error("nothing is sent for a region that is no region")),
        log: () => undefined,
      });
      const answer = await refused.request("/v1/chat/completions", {
        method: "POST",
        headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "odd", messages: hello }),
      });
      expect([answer.status, (await answer.json()).error.param]).toEqual([400, "region"]);
      for (let waited = 0; waited < 3000 && !collected.length; waited += 10) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(collected).toHaveLength(1);
      expect(collected[0]!.attributes).toMatchObject({ "bedrock_edge.deployment": "0", "bedrock_edge.status": "400" });
      expect(collected[0]!.attributes["server.address"]).toBeUndefined();
    } finally {
      otlp.server.close();
    }
  });
});

describe("a model name the proxy does not serve (injection12 #4)", () => {
  it("is in the log line, but neither the span's name nor its gen_ai.request.model, as the usage row has no model", async () => {
    const invented = "gpt-4o\r\nsecret-team/anything-I-like \u{1F600}\ud83d";
    const answer = await post("/v1/chat/completions", { model: invented, messages: hello });
    expect(answer.status).toBe(404);
    await answer.text();
    const { line, row, span } = await observed(answer.headers.get("x-request-id"));
    expect(line.model).toBe(invented);
    expect(row.model).toBeNull();
    expect(span.name).toBe("chat");
    expect(span.attributes["gen_ai.request.model"]).toBeUndefined();
    // A served name is both, as before.
    const served = await post("/v1/chat/completions", { model: "llama", messages: hello });
    await served.text();
    const named = (await observed(served.headers.get("x-request-id"))).span;
    expect([named.name, named.attributes["gen_ai.request.model"]]).toEqual(["chat llama", "llama"]);
  });

  it("nor is a configured model the key may not call (codereview25 #3)", async () => {
    // openai is in MODELS, but not among the narrow key's models: a 404, as if it did not exist.
    const answer = await post("/v1/chat/completions", { model: "openai", messages: hello }, undefined, NARROW_KEY);
    expect(answer.status).toBe(404);
    await answer.text();
    const { line, row, span } = await observed(answer.headers.get("x-request-id"));
    expect(line.model).toBe("openai");
    expect(row.model).toBeNull();
    expect(span.name).toBe("chat");
    expect(span.attributes["gen_ai.request.model"]).toBeUndefined();
    // A model the key may call is named.
    const allowed = await post("/v1/chat/completions", { model: "llama", messages: hello }, undefined, NARROW_KEY);
    expect(allowed.status).toBe(200);
    await allowed.text();
    const named = (await observed(allowed.headers.get("x-request-id"))).span;
    expect([named.name, named.attributes["gen_ai.request.model"]]).toEqual(["chat llama", "llama"]);
  });
});

describe("a stream's finish_reasons (observe5 #3)", () => {
  it("are by choice index, as the client reads them, however the choices' ends arrive", async () => {
    const { data: stream, response } = await client()
      .completions.create({ model: "openai", prompt: ["Once", "Twice upon"], max_tokens: 20, stream: true })
      .withResponse();
    const byIndex: string[] = [];
    const arrival: string[] = [];
    for await (const chunk of stream) {
      for (const choice of chunk.choices) {
        if (!choice.finish_reason) continue;
        byIndex[choice.index] = choice.finish_reason;
        arrival.push(choice.finish_reason);
      }
    }
    // The review's case: the second prompt's choice ends first.
    expect(arrival).not.toEqual(byIndex);
    const { line, span } = await observed(response.headers.get("x-request-id"));
    expect(line.finish_reasons).toEqual(byIndex);
    expect(span.attributes["gen_ai.response.finish_reasons"]).toEqual(byIndex);
    const plain = await client()
      .completions.create({ model: "openai", prompt: ["Once", "Twice upon"], max_tokens: 20 })
      .withResponse();
    expect((await observed(plain.response.headers.get("x-request-id"))).line.finish_reasons).toEqual(byIndex);
  });
});

describe("a model never ready, through the proxy (docsdrift49a S3)", () => {
  it("is told by the proxy's setting, MODEL_READY_TIMEOUT_MS, not the library's option, to the client and in the log", async () => {
    for (const stream of [false, true]) {
      const answer = await post("/v1/chat/completions", { model: "never", messages: hello, stream });
      const said = await answer.text();
      const { line } = await observed(answer.headers.get("x-request-id"));
      expect(line.error_code).toBe("model_not_ready");
      for (const text of [said, String(line.error)]) {
        expect(text).toMatch(/still not ready after .* of waiting \(MODEL_READY_TIMEOUT_MS\)/);
        expect(text).not.toContain("modelReadyTimeoutMs");
      }
    }
  });
});

describe("a timeout, through the proxy", () => {
  it("is told by the proxy's settings, UPSTREAM_TIMEOUT_MS and IDLE_TIMEOUT_MS, not the library's options", async () => {
    const emulator = createEmulator();
    const logged: LogLine[] = [];
    const timed = createApp({
      env: {
        MODELS: JSON.stringify({ waity: model("llama", "wait2000"), slow: model("llama", "slow400", "long60") }),
        PROXY_API_KEYS: KEY,
        AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
        BEDROCK_ENDPOINT: "http://bedrock.emulator",
        BEDROCK_MAX_RETRIES: "0",
        UPSTREAM_TIMEOUT_MS: "100",
        IDLE_TIMEOUT_MS: "100",
      },
      fetch: (input, init) => emulator.fetch(new Request(input, init)),
      log: (line) => logged.push(structuredClone(line)),
    });
    for (const [name, stream, setting, option] of [
      ["waity", false, "UPSTREAM_TIMEOUT_MS", "(timeoutMs)"],
      ["slow", true, "IDLE_TIMEOUT_MS", "(idleTimeoutMs)"],
    ] as const) {
      const answer = await timed.request("/v1/chat/completions", {
        method: "POST",
        headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
        body: JSON.stringify({ model: name, messages: hello, stream }),
      });
      const said = await answer.text();
      let line: LogLine | undefined;
      for (let waited = 0; !line && waited < 3000; waited += 10) {
        line = logged.find((entry) => entry.request_id === answer.headers.get("x-request-id"));
        if (!line) await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(line?.error_code).toBe("upstream_timeout");
      for (const text of [said, String(line?.error)]) {
        expect(text).toContain(`(${setting})`);
        expect(text).not.toContain(option);
      }
    }
  });
});

describe("the span's HTTP status (observe5 #4)", () => {
  it("is the status sent: 200 for a stream that failed inside, the line's status beside it", async () => {
    for (const [body, logged, code] of [
      [{ model: "mid", messages: hello, stream: true }, 424, "model_stream_error"],
      [{ model: "never", messages: hello, stream: true }, 429, "model_not_ready"],
    ] as const) {
      const answer = await post("/v1/chat/completions", body);
      expect(answer.status).toBe(200);
      await answer.text();
      const { line, span } = await observed(answer.headers.get("x-request-id"));
      expect(line).toMatchObject({ status: logged, error_code: code });
      expect(span.attributes).toMatchObject({
        "http.response.status_code": "200",
        "bedrock_edge.status": String(logged),
        "error.type": code,
      });
      expect(span.status.code).toBe(2);
    }
  });

  it("is 200 for a client that left mid-stream, and none for one that left before the answer", async () => {
    const leaving = new AbortController();
    const answer = await post("/v1/chat/completions", { model: "slow", messages: hello, stream: true }, leaving.signal);
    const reader = answer.body!.getReader();
    await reader.read();
    leaving.abort();
    await reader.cancel().catch(() => undefined);
    const mid = await observed(answer.headers.get("x-request-id"));
    expect(mid.line.status).toBe(499);
    expect(mid.span.attributes).toMatchObject({ "http.response.status_code": "200", "bedrock_edge.status": "499" });

    const early = new AbortController();
    const before = lines.length;
    const pending = post("/v1/chat/completions", { model: "waity", messages: hello }, early.signal);
    setTimeout(() => early.abort(), 100);
    await pending.then((late) => late.text()).catch(() => undefined);
    let line: LogLine | undefined;
    for (let waited = 0; !line && waited < 3000; waited += 10) {
      line = lines.slice(before).find((entry) => entry.model === "waity");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const gone = await observed(line?.request_id);
    expect(gone.line.status).toBe(499);
    expect(gone.span.attributes["http.response.status_code"]).toBeUndefined();
    expect(gone.span.attributes["bedrock_edge.status"]).toBe("499");
  });
});

describe("the span's GenAI request attributes (observe5 #5)", () => {
  const spanOf = async (path: string, body: unknown) => {
    const answer = await post(path, body);
    expect(answer.status).toBe(200);
    await answer.text();
    return (await observed(answer.headers.get("x-request-id"))).span.attributes;
  };

  it("the choice count when it is not 1, and the seed", async () => {
    const many = await spanOf("/v1/chat/completions", { model: "openai", messages: hello, n: 3, seed: 7 });
    expect(many).toMatchObject({ "gen_ai.request.choice.count": "3", "gen_ai.request.seed": "7" });
    const one = await spanOf("/v1/chat/completions", { model: "openai", messages: hello, n: 1 });
    expect(one["gen_ai.request.choice.count"]).toBeUndefined();
    expect(one["gen_ai.request.seed"]).toBeUndefined();
    const legacy = await spanOf("/v1/completions", { model: "openai", prompt: "Once", n: 2, seed: 9, max_tokens: 4 });
    expect(legacy).toMatchObject({ "gen_ai.request.choice.count": "2", "gen_ai.request.seed": "9" });
  });

  it("the prompt (LOG_PROMPTS) as the conventions' messages on every endpoint, Responses' instructions apart", async () => {
    const chat = await spanOf("/v1/chat/completions", {
      model: "llama",
      messages: [
        { role: "system", content: "Be brief" },
        { role: "user", content: "Hi" },
      ],
    });
    expect(JSON.parse(chat["gen_ai.input.messages"] as string)).toEqual([
      { role: "system", parts: [{ type: "text", content: "Be brief" }] },
      { role: "user", parts: [{ type: "text", content: "Hi" }] },
    ]);
    expect(chat["gen_ai.system_instructions"]).toBeUndefined();
    const legacy = await spanOf("/v1/completions", { model: "llama", prompt: "Once upon", max_tokens: 4 });
    expect(JSON.parse(legacy["gen_ai.input.messages"] as string)).toEqual([
      { role: "user", parts: [{ type: "text", content: "Once upon" }] },
    ]);
    const response = await spanOf("/v1/responses", { model: "llama", instructions: "Be brief", input: "Hi" });
    expect(JSON.parse(response["gen_ai.input.messages"] as string)).toEqual([
      { role: "user", parts: [{ type: "text", content: "Hi" }] },
    ]);
    expect(JSON.parse(response["gen_ai.system_instructions"] as string)).toEqual([
      { type: "text", content: "Be brief" },
    ]);
  });
});

describe("a prompt too long for a span, LOG_PROMPTS on (amplify35 #4)", () => {
  it("a legacy list of empty prompts: its length in the span, not megabytes of messages; the line keeps it", async () => {
    // 60,000: the list's JSON (180 KB) is within the bound, the messages made of it are not.
    const prompt = Array.from({ length: 60_000 }, () => "");
    const answer = await post("/v1/completions", { model: "llama", prompt, max_tokens: 1 });
    await answer.text();
    const { line, span } = await observed(answer.headers.get("x-request-id"));
    expect(span.attributes["gen_ai.input.messages"]).toBeUndefined();
    // Each empty prompt is {"role":"user","parts":[{"type":"text","content":""}]}, and a comma.
    expect(Number(span.attributes["bedrock_edge.prompt_chars_omitted"])).toBe(60_000 * 55 + 1);
    expect(line.prompt).toEqual(prompt);
    // 100,000: the list's JSON alone is past it, and no message is made of it (codereview36 #4).
    const longer = Array.from({ length: 100_000 }, () => "");
    const past = await post("/v1/completions", { model: "llama", prompt: longer, max_tokens: 1 });
    await past.text();
    const omitted = (await observed(past.headers.get("x-request-id"))).span.attributes;
    expect(omitted["gen_ai.input.messages"]).toBeUndefined();
    expect(Number(omitted["bedrock_edge.prompt_chars_omitted"])).toBe(JSON.stringify(longer).length);
    // Below the bound, the messages as before.
    const small = await post("/v1/completions", { model: "llama", prompt: ["a", "b"], max_tokens: 1 });
    await small.text();
    const kept = (await observed(small.headers.get("x-request-id"))).span.attributes;
    expect(JSON.parse(kept["gen_ai.input.messages"] as string)).toHaveLength(2);
    expect(kept["bedrock_edge.prompt_chars_omitted"]).toBeUndefined();
  });
});

describe("a request with a 300 KB image, LOG_PROMPTS on (multimodal7 #2)", () => {
  // Workers Logs keeps 256 KB of one invocation's logs: a line with the image's base64 (400 KB)
  // would be lost, and with it the request's status, key and tokens.
  const base64 = "BwcH".repeat(100_000); // 300,000 bytes of 0x07

  it("keeps the bytes out of the line and the span, which still record the request", async () => {
    for (const [path, body] of [
      [
        "/v1/chat/completions",
        {
          model: "openai",
          messages: [
            {
              role: "user",
              content: [
                { type: "text", text: "What is this?" },
                { type: "image_url", image_url: { url: `data:image/jpeg;base64,${base64}` } },
              ],
            },
          ],
        },
      ],
      [
        "/v1/responses",
        {
          model: "openai",
          input: [
            {
              role: "user",
              content: [
                { type: "input_text", text: "What is this?" },
                { type: "input_image", image_url: `data:image/jpeg;base64,${base64}`, detail: "auto" },
              ],
            },
          ],
        },
      ],
    ] as const) {
      const answer = await post(path, body);
      expect(answer.status, path).toBe(200);
      await answer.text();
      const { line, span } = await observed(answer.headers.get("x-request-id"));
      expect(JSON.stringify(line).length, path).toBeLessThan(2_000);
      expect(line).toMatchObject({ status: 200, key: "proxy-key-6a326efb", model: "openai" });
      expect(line.prompt_tokens).toBeGreaterThan(0);
      expect(line.completion_tokens).toBeGreaterThan(0);
      expect(JSON.stringify(line.messages)).toContain('"data:image/jpeg;base64,[300000 bytes omitted]"');
      expect(JSON.stringify(line.messages)).toContain("What is this?");
      const prompt = span.attributes["gen_ai.input.messages"] as string;
      expect(prompt.length, path).toBeLessThan(1_000);
      expect(JSON.parse(prompt)).toEqual([
        {
          role: "user",
          parts: [
            { type: "text", content: "What is this?" },
            { type: "blob", modality: "image", mime_type: "image/jpeg", content: "", size: 300_000 },
          ],
        },
      ]);
    }
  });

  it("keeps bytes in any shape out of them, refused or not, and the line its status and key (codereview17 #3)", async () => {
    const bytes = "A".repeat(300_000);
    const svg = `<svg>${"x".repeat(300_000)}</svg>`;
    const parts = [
      // Anthropic's image part, which clients send to OpenAI-compatible endpoints by mistake.
      [400, { type: "image", source: { type: "base64", media_type: "image/png", data: bytes } }],
      [400, { type: "image_url", image_url: { url: `data:image/svg+xml,${encodeURIComponent(svg)}` } }],
      [400, { type: "image_url", image_url: { url: `data:image/svg+xml;utf8,${svg}` } }],
      [200, { type: "image_url", image_url: { url: `data:image/png;base64,${bytes.replace(/A/g, "%41")}` } }],
    ] as const;
    for (const [status, part] of parts) {
      const messages = [{ role: "user", content: [{ type: "text", text: "What is this?" }, part] }];
      const answer = await post("/v1/chat/completions", { model: "openai", messages });
      expect(answer.status, part.type).toBe(status);
      await answer.text();
      const { line, span } = await observed(answer.headers.get("x-request-id"));
      expect(JSON.stringify(line).length, part.type).toBeLessThan(2_000);
      expect(line).toMatchObject({ status, key: "proxy-key-6a326efb", model: "openai" });
      expect(JSON.stringify(line.messages)).toContain("What is this?");
      expect(JSON.stringify(span.attributes).length).toBeLessThan(4_000);
    }
  });
});

/** The log line of a request, once written (a request that makes no usage row nor span). */
async function lineOf(requestId: string | null): Promise<LogLine> {
  for (let waited = 0; waited < 3000; waited += 10) {
    const line = lines.find((entry) => entry.request_id === requestId);
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`the line of ${requestId}`);
}

describe("a request's log line, whatever became of its client (mutation7c #9, #11)", () => {
  it("a client gone before the proxy saw its request: 499, the client closed the connection, nothing served", async () => {
    const answer = await post("/v1/chat/completions", { model: "llama", messages: hello }, AbortSignal.abort());
    await answer.text().catch(() => undefined);
    const { line, row } = await observed(answer.headers.get("x-request-id"));
    expect(line).toMatchObject({ status: 499, error: "the client closed the connection" });
    expect(line).not.toHaveProperty("deployment");
    expect(row).toMatchObject({ status: 499 });
  });

  it("a HEAD: its answer has no body to deliver, so its line is written as answered, never as a client gone", async () => {
    const answer = await app.request("/v1/models", { method: "HEAD", headers: { authorization: `Bearer ${KEY}` } });
    expect(answer.status).toBe(200);
    const line = await lineOf(answer.headers.get("x-request-id"));
    expect(line).toMatchObject({ method: "HEAD", status: 200 });
    expect(line).not.toHaveProperty("error");
  });
});
