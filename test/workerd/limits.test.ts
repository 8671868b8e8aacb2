// Hostile request bodies through the Worker in workerd: each is refused before it is expensive
// (a 4xx within a bounded heap and CPU time), and the request after it is served as usual.
// The table this prints is docs/SECURITY.md's "Bounded cost per request" (Reliability).
import { Client, type Dispatcher } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MAX_BODY_BYTES } from "../../worker/config.ts";
import { modelString, startWorkerdProxy, TEST_KEYS, USER_HELLO, type WorkerdProxy } from "./harness.ts";
import { resetWorkerdPeak, workerdCpuMs, workerdMemory } from "./workerd-process.ts";

const VISION_LIMIT = 16 * 1024 * 1024;
const MODELS = {
  llama: modelString("llama"),
  vision: { model: modelString("openai", "echo"), max_body_bytes: VISION_LIMIT },
};

let proxy: WorkerdProxy;

beforeAll(async () => {
  // MAX_BODY_BYTES unset: the default applies, as it does for a deployment that sets none.
  proxy = await startWorkerdProxy({ main: { MODELS: JSON.stringify(MODELS), MAX_BODY_BYTES: undefined } });
});
afterAll(() => proxy?.close());

const HELLO = `"messages":${JSON.stringify(USER_HELLO)}`;

/** `count` copies of `item`, comma-separated, built without a giant intermediate array. */
function repeated(item: string, count: number): string {
  return `${item},`.repeat(count - 1) + item;
}

interface Sent {
  status: number;
  code: string | undefined;
  /** The refusal's param, where it names one. */
  param: string | undefined;
  ms: number;
  cpuMs: number;
  /** How far workerd's resident memory rose above where it was before the request. */
  heapMiB: number;
}

/** Sends `body` as a chat request, on `connection` if given (else on a connection of its own). */
async function send(body: BodyInit, connection?: Dispatcher): Promise<Sent> {
  resetWorkerdPeak();
  const before = workerdMemory().rssMiB;
  const cpu = workerdCpuMs();
  const started = Date.now();
  const response = await fetch(`${proxy.url()}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${TEST_KEYS[0]}`, "content-type": "application/json" },
    body,
    duplex: "half",
    dispatcher: connection,
  } as RequestInit);
  const text = await response.text();
  const ms = Date.now() - started;
  let code: string | undefined;
  let param: string | undefined;
  try {
    const { error } = JSON.parse(text) as { error?: { code?: string | null; param?: string | null } };
    code = error?.code ?? undefined;
    param = error?.param ?? undefined;
  } catch {
    code = undefined;
  }
  return {
    status: response.status,
    code,
    param,
    ms,
    cpuMs: workerdCpuMs() - cpu,
    heapMiB: workerdMemory().peakMiB - before,
  };
}

/** The usual small request: it must still be served after each hostile one (on `connection` if given). */
async function nextRequestWorks(connection?: Dispatcher): Promise<void> {
  const completion = await proxy.client("main", { connection }).chat.completions.create({
    model: "llama",
    messages: USER_HELLO,
  });
  expect(completion.choices[0]!.message.content).toContain("emulator");
}

function chunked(text: string, pieceBytes = 64 * 1024): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(at, at + pieceBytes));
      at += pieceBytes;
    },
  });
}

/**
 * An assistant turn of `calls` tool calls, each with `arrays` empty arrays in its arguments, and
 * their results: JSON inside strings, which the body's scan reads as one value each.
 */
function toolCallsBody(calls: number, arrays: number): string {
  const args = JSON.stringify(`{"a":[${repeated("[]", arrays)}]}`);
  const call = (i: number) => `{"id":"c${i}","type":"function","function":{"name":"f","arguments":${args}}}`;
  const ids = Array.from({ length: calls }, (_, i) => i);
  return `{"model":"llama","messages":[{"role":"user","content":"go"},{"role":"assistant","content":null,"tool_calls":[${ids.map(call).join(",")}]},${ids.map((i) => `{"role":"tool","tool_call_id":"c${i}","content":"ok"}`).join(",")}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{}}}}]}`;
}

/** A tool whose parameters hold `zeros` zeros in one array nested `depth` arrays deep. */
function nestedTool(depth: number, zeros: number): string {
  const nested = `${"[".repeat(depth)}[${repeated("0", zeros)}]${"]".repeat(depth)}`;
  return `{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{},"x":${nested}}}}`;
}

const measured: Array<[string, number, Sent]> = [];

const HOSTILE: Array<{ name: string; body: () => string; status: number; code: string | undefined; param?: string }> = [
  {
    name: "a million empty arrays (3 MB)",
    body: () => `{"model":"llama",${HELLO},"extra":[${repeated("[]", 1_000_000)}]}`,
    status: 413,
    code: "request_too_large",
  },
  {
    name: "nesting a million deep (2 MB)",
    body: () => `{"model":"llama",${HELLO},"extra":${"[".repeat(1_000_000)}${"]".repeat(1_000_000)}}`,
    status: 400,
    code: "invalid_json",
  },
  {
    name: "300,000 small objects (2.4 MB)",
    body: () => `{"model":"llama",${HELLO},"extra":[${repeated('{"a":1}', 300_000)}]}`,
    status: 413,
    code: "request_too_large",
  },
  {
    name: "300,000 keys in one object (3.5 MB)",
    body: () =>
      `{"model":"llama",${HELLO},"extra":{${Array.from({ length: 300_000 }, (_, i) => `"k${i}":0`).join(",")}}}`,
    status: 400,
    code: "invalid_json",
  },
  {
    // Within the values limit: every pass after JSON.parse walked it whole (cpucost8 #2).
    name: "190,000 unknown top-level fields (2.2 MB)",
    body: () => `{"model":"llama",${HELLO},${Array.from({ length: 190_000 }, (_, i) => `"f${i}":1`).join(",")}}`,
    status: 400,
    code: "invalid_json",
  },
  {
    name: "a million one-letter strings (4 MB)",
    body: () => `{"model":"llama",${HELLO},"extra":[${repeated('"a"', 1_000_000)}]}`,
    status: 413,
    code: "request_too_large",
  },
  {
    // Within every body limit: the Llama template writes each tool indented a level at a time,
    // so each `0,` 56 levels deep took ~245 characters of prompt (46 MB, inputcost34 #1).
    name: "tools nested 56 deep (380 KB; 46 MB as Llama writes them)",
    body: () => `{"model":"llama",${HELLO},"tools":[${nestedTool(56, 190_000)}]}`,
    status: 400,
    code: "tools_too_large",
  },
  {
    // Each call's arguments within the limits alone: 1.25 million arrays were parsed (redos43 #2).
    name: "25 tool calls of 49,991 arrays each (3.75 MB)",
    body: () => toolCallsBody(25, 49_991),
    status: 400,
    code: undefined,
    // The call whose arguments pass the request's shared budget: the second.
    param: "messages[1].tool_calls[1].function.arguments",
  },
  {
    name: "4 MB of text for an unknown model",
    body: () => `{"model":"nope",${HELLO},"extra":"${"x".repeat(DEFAULT_MAX_BODY_BYTES - 100)}"}`,
    status: 404,
    code: "model_not_found",
  },
  {
    name: "12 MB of text for a 4 MiB model",
    body: () => `{"model":"llama",${HELLO},"extra":"${"x".repeat(12_000_000)}"}`,
    status: 413,
    code: "request_too_large",
  },
  {
    name: "20 MB of text, over every limit",
    body: () => `{"model":"vision",${HELLO},"extra":"${"x".repeat(20_000_000)}"}`,
    status: 413,
    code: "request_too_large",
  },
];

describe("hostile bodies are refused before they are expensive", () => {
  for (const hostile of HOSTILE) {
    it(`${hostile.name}: ${hostile.status}, then the next request works`, async () => {
      const text = hostile.body();
      const sent = await send(text);
      measured.push([hostile.name, text.length, sent]);
      expect({ status: sent.status, code: sent.code }).toEqual({ status: hostile.status, code: hostile.code });
      if (hostile.param !== undefined) expect(sent.param).toBe(hostile.param);
      expect(sent.heapMiB).toBeLessThan(64);
      await nextRequestWorks();
    });
  }

  // 100 MB sent in all.
  it("over the limit and chunked (no Content-Length): 413 after the rest is drained, and the connection stays usable", {
    timeout: 90_000,
  }, async () => {
    // One connection for all ten requests: the claim is about the connection, which the
    // project's fetch would not reuse (connections.ts).
    const connection = new Client(proxy.url());
    let connects = 0;
    connection.on("connect", () => connects++);
    try {
      for (let round = 0; round < 5; round++) {
        const sent = await send(chunked(`{"model":"vision","x":"${"x".repeat(20_000_000)}"}`), connection);
        if (round === 0) measured.push(["20 MB chunked, over every limit", 20_000_000, sent]);
        expect({ status: sent.status, code: sent.code }).toEqual({ status: 413, code: "request_too_large" });
        await nextRequestWorks(connection);
      }
      expect(connects).toBe(1);
    } finally {
      await connection.close();
    }
  });
});

describe("the most a body within every limit costs, served", () => {
  const served = (name: string, body: () => string) =>
    it(`${name}: answered`, async () => {
      const text = body();
      const sent = await send(text);
      measured.push([`${name} (served)`, text.length, sent]);
      expect(sent.status).toBe(200);
      expect(sent.heapMiB).toBeLessThan(64);
    });

  // At the bound on the arguments' arrays and objects, over all of a request's calls: 25 × 2,000.
  served("25 tool calls of 2,000 arrays and objects each, 50,000 in all", () => toolCallsBody(25, 1_998));
  // Near the bound on tools as a template writes them: 4 million characters of prompt.
  served("tools nested 56 deep, 3.9 M characters as Llama writes them", () =>
    JSON.stringify({ model: "llama", messages: USER_HELLO, tools: [JSON.parse(nestedTool(56, 15_500))] }),
  );
  served("4 MiB of text in one message", () =>
    JSON.stringify({ model: "llama", messages: [{ role: "user", content: "x".repeat(DEFAULT_MAX_BODY_BYTES - 100) }] }),
  );
  served("16,000 messages (48,000 arrays and objects)", () =>
    JSON.stringify({
      model: "llama",
      messages: Array.from({ length: 16_000 }, (_, i) => ({
        role: i % 2 ? "assistant" : "user",
        content: [{ type: "text", text: `turn ${i}` }],
      })),
    }),
  );
});

describe("a model's own limit", () => {
  // 24 MB sent, 12 MB of it served: well over the default 20 s at a load of 28 on 2 cores.
  it("a vision model's max_body_bytes lets a large image through that the default refuses", {
    timeout: 90_000,
  }, async () => {
    const image = `data:image/png;base64,${"A".repeat(12_000_000)}`;
    const message = (model: string) =>
      JSON.stringify({
        model,
        messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: image } }] }],
      });
    const vision = await send(message("vision"));
    measured.push(["a 12 MB image for a 16 MiB model (served)", 12_000_000, vision]);
    expect(vision.status).toBe(200);
    const llama = await send(message("llama"));
    expect({ status: llama.status, code: llama.code }).toEqual({ status: 413, code: "request_too_large" });
  });
});

afterAll(() => {
  console.log(
    [
      "body | bytes | status | ms | workerd CPU ms | workerd memory rise MiB",
      ...measured.map(
        ([name, bytes, sent]) =>
          `${name} | ${(bytes / 1e6).toFixed(1)} MB | ${sent.status} | ${sent.ms} | ${sent.cpuMs} | ${sent.heapMiB}`,
      ),
    ].join("\n"),
  );
});
