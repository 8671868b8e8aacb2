// Hostile request bodies through the Worker in workerd: each is refused before it is expensive
// (a 4xx within a bounded heap and CPU time), and the request after it is served as usual.
// The table this prints is docs/SECURITY.md's "Bounded cost per request" (Reliability).
import { Client, type Dispatcher } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_BODY_BYTES_CEILING, MAX_TEXT_BYTES } from "../../src/core.ts";
import { DEFAULT_MAX_BODY_BYTES } from "../../worker/config.ts";
import { modelString, startWorkerdProxy, TEST_KEYS, USER_HELLO, type WorkerdProxy } from "./harness.ts";
import { resetWorkerdPeak, workerdCpuMs, workerdMemory } from "./workerd-process.ts";

const VISION_LIMIT = MAX_BODY_BYTES_CEILING;
const MODELS = {
  llama: modelString("llama"),
  vision: { model: modelString("openai", "echo"), max_body_bytes: VISION_LIMIT },
};

let proxy: WorkerdProxy;

/** The proxy as this test configures it (MAX_BODY_BYTES unset: the default, as a deployment that sets none). */
function startProxy(): Promise<WorkerdProxy> {
  return startWorkerdProxy({ main: { MODELS: JSON.stringify(MODELS), MAX_BODY_BYTES: undefined } });
}

beforeAll(async () => {
  proxy = await startProxy();
});
afterAll(() => proxy?.close());

/**
 * Runs `row` on a workerd of its own, after one small request: its memory rise is then its own.
 * Measured after earlier rows in one workerd, a row rose only as far as the heap those rows had
 * already grown left it to (a 12 MB image: 33 MiB after the others, 97 to 112 MiB alone;
 * amplify48 #3; the ceiling is 8 MiB since). The file's shared workerd idles meanwhile: its peak stays its resident size.
 */
async function alone<T>(row: (fresh: WorkerdProxy) => Promise<T>): Promise<T> {
  const fresh = await startProxy();
  try {
    await nextRequestWorks(undefined, fresh);
    return await row(fresh);
  } finally {
    await fresh.close();
  }
}

const HELLO = `"messages":${JSON.stringify(USER_HELLO)}`;

/**
 * How far one request may raise a fresh workerd's resident memory (its peak over where it was,
 * garbage not yet collected included; see alone). A refused body and a served one of text: 64 MiB,
 * as before, now each measured alone (the most: 47 to 62 MiB for 12 to 16 MB of text refused, read
 * whole before the text is counted; 36 for 4 MiB of text served). A served body of media: the
 * isolate's 128 MB, which no request may reach on its own: at the 8 MiB ceiling, 4 MiB of text
 * holding one special token beside a 4 MiB image rose 107 to 116 MiB, the most of any body (at
 * 12 MiB, 149 to 158: bounds48b). These rows had no ceiling before, and at 64 MiB would fail.
 */
const REFUSED_MIB = 64;
const SERVED_MIB = 64;
const MEDIA_MIB = 128;

/** A chat request to the vision model: `text` characters of text, and an image of `image` base64 characters. */
function visionBody(text: number, image: number): string {
  return JSON.stringify({
    model: "vision",
    messages: [
      {
        role: "user",
        content: [
          { type: "text", text: "x".repeat(text) },
          { type: "image_url", image_url: { url: `data:image/png;base64,${"A".repeat(image)}` } },
        ],
      },
    ],
  });
}

/** `count` copies of `item`, comma-separated, built without a giant intermediate array. */
function repeated(item: string, count: number): string {
  return `${item},`.repeat(count - 1) + item;
}

interface Sent {
  status: number;
  code: string | undefined;
  /** The refusal's param, where it names one. */
  param: string | undefined;
  /** The refusal's message. */
  message: string | undefined;
  ms: number;
  cpuMs: number;
  /** How far workerd's resident memory rose above where it was before the request. */
  heapMiB: number;
}

/** Sends `body` as a chat request to `on`, on `connection` if given (else on a connection of its own). */
function send(body: BodyInit, connection?: Dispatcher, on: WorkerdProxy = proxy): Promise<Sent> {
  return measure(() =>
    fetch(`${on.url()}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_KEYS[0]}`, "content-type": "application/json" },
      body,
      duplex: "half",
      dispatcher: connection,
    } as RequestInit),
  );
}

/** Sends `body` as an image edit (multipart/form-data, boundary `b`) to `on`. */
function sendEdit(body: string, on: WorkerdProxy = proxy): Promise<Sent> {
  return measure(() =>
    fetch(`${on.url()}/v1/images/edits`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_KEYS[0]}`, "content-type": "multipart/form-data; boundary=b" },
      body,
    }),
  );
}

/** The answer to one request, and what it cost workerd. */
async function measure(request: () => Promise<Response>): Promise<Sent> {
  resetWorkerdPeak();
  const before = workerdMemory().rssMiB;
  const cpu = workerdCpuMs();
  const started = Date.now();
  const response = await request();
  const text = await response.text();
  const ms = Date.now() - started;
  let code: string | undefined;
  let param: string | undefined;
  let message: string | undefined;
  try {
    const { error } = JSON.parse(text) as {
      error?: { code?: string | null; param?: string | null; message?: string };
    };
    code = error?.code ?? undefined;
    param = error?.param ?? undefined;
    message = error?.message;
  } catch {
    code = undefined;
  }
  return {
    status: response.status,
    code,
    param,
    message,
    ms,
    cpuMs: workerdCpuMs() - cpu,
    heapMiB: workerdMemory().peakMiB - before,
  };
}

/** The usual small request: it must still be served after each hostile one (on `connection` if given). */
async function nextRequestWorks(connection?: Dispatcher, on: WorkerdProxy = proxy): Promise<void> {
  const completion = await on.client("main", { connection }).chat.completions.create({
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
      await alone(async (fresh) => {
        const text = hostile.body();
        const sent = await send(text, undefined, fresh);
        measured.push([hostile.name, text.length, sent]);
        expect({ status: sent.status, code: sent.code }).toEqual({ status: hostile.status, code: hostile.code });
        if (hostile.param !== undefined) expect(sent.param).toBe(hostile.param);
        expect(sent.heapMiB).toBeLessThan(REFUSED_MIB);
        await nextRequestWorks(undefined, fresh);
      });
    });
  }

  // 100 MB sent in all.
  it("over the limit and chunked (no Content-Length): 413 after the rest is drained, and the connection stays usable", {
    timeout: 90_000,
  }, async () => {
    await alone(async (fresh) => {
      // One connection for all ten requests: the claim is about the connection, which the
      // project's fetch would not reuse (connections.ts).
      const connection = new Client(fresh.url());
      let connects = 0;
      connection.on("connect", () => connects++);
      try {
        for (let round = 0; round < 5; round++) {
          const sent = await send(chunked(`{"model":"vision","x":"${"x".repeat(20_000_000)}"}`), connection, fresh);
          if (round === 0) {
            measured.push(["20 MB chunked, over every limit", 20_000_000, sent]);
            expect(sent.heapMiB).toBeLessThan(REFUSED_MIB);
          }
          expect({ status: sent.status, code: sent.code }).toEqual({ status: 413, code: "request_too_large" });
          await nextRequestWorks(connection, fresh);
        }
        expect(connects).toBe(1);
      } finally {
        await connection.close();
      }
    });
  });
});

describe("the most a body within every limit costs, served", () => {
  const served = (name: string, body: () => string, ceilingMiB = SERVED_MIB) =>
    it(`${name}: answered`, { timeout: 90_000 }, async () => {
      await alone(async (fresh) => {
        const text = body();
        const sent = await send(text, undefined, fresh);
        measured.push([`${name} (served)`, text.length, sent]);
        expect(sent.status).toBe(200);
        expect(sent.heapMiB).toBeLessThan(ceilingMiB);
      });
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
  // MAX_TEXT_BYTES of text beside an image that fills the rest of MAX_BODY_BYTES_CEILING, on the
  // echo model, which answers the text back.
  served(
    "4 MiB of text beside a 4 MiB image, for the model allowed 8 MiB",
    () => visionBody(MAX_TEXT_BYTES - 200, MAX_BODY_BYTES_CEILING - MAX_TEXT_BYTES - 100),
    MEDIA_MIB,
  );
  // The most one request may hold: the same with one special token in the text, which the
  // neutraliser breaks, holding the text at two bytes a character from there on (codereview48b #2:
  // 149 MiB at a 12 MiB ceiling).
  served(
    "4 MiB of text with one special token beside a 4 MiB image, for the model allowed 8 MiB",
    () =>
      visionBody(MAX_TEXT_BYTES - 200, MAX_BODY_BYTES_CEILING - MAX_TEXT_BYTES - 100).replace(
        '"text":"x',
        '"text":"<think>',
      ),
    MEDIA_MIB,
  );
});

describe("a model's own limit", () => {
  // 16 MB sent, 8 MB of it served: well over the default 20 s at a load of 28 on 2 cores.
  it("a vision model's max_body_bytes lets a large image through that the default refuses", {
    timeout: 90_000,
  }, async () => {
    const image = visionBody(20, 8_000_000);
    const vision = await alone((fresh) => send(image, undefined, fresh));
    measured.push(["an 8 MB image for an 8 MiB model (served)", 8_000_000, vision]);
    expect(vision.status).toBe(200);
    expect(vision.heapMiB).toBeLessThan(MEDIA_MIB);
    const llama = await send(image.replace('"model":"vision"', '"model":"llama"'));
    expect({ status: llama.status, code: llama.code }).toEqual({ status: 413, code: "request_too_large" });
  });

  it("but only for media: 8 MiB of text for that model is a 413, refused before it is parsed", {
    timeout: 90_000,
  }, async () => {
    // In the message itself: served before bounds48, at 7 to 8 times its size.
    const text = JSON.stringify({
      model: "vision",
      messages: [{ role: "user", content: "x".repeat(VISION_LIMIT - 200) }],
    });
    const sent = await alone((fresh) => send(text, undefined, fresh));
    measured.push(["8 MiB of text for an 8 MiB model", text.length, sent]);
    expect({ status: sent.status, code: sent.code }).toEqual({ status: 413, code: "request_too_large" });
    expect(sent.heapMiB).toBeLessThan(REFUSED_MIB);
  });
});

describe("a multipart edit's text, whatever its headers say besides Content-Disposition's filename", () => {
  /**
   * POST /v1/images/edits: the model's name, then a part of `size` bytes under `headers`. The
   * vision model lets 8 MiB through, so only the text bound can refuse the part.
   */
  const edit = async (headers: string, size: number) => {
    const boundary = "left49";
    const body = [
      `--${boundary}\r\nContent-Disposition: form-data; name="model"\r\n\r\nvision\r\n`,
      `--${boundary}\r\n${headers}\r\n\r\n${"x".repeat(size)}\r\n--${boundary}--\r\n`,
    ].join("");
    const response = await fetch(`${proxy.url()}/v1/images/edits`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${TEST_KEYS[0]}`,
        "content-type": `multipart/form-data; boundary=${boundary}`,
      },
      body,
    });
    const { error } = (await response.json()) as { error: { code: string | null; message: string } };
    return { status: response.status, code: error.code, message: error.message };
  };
  const SIZE = MAX_TEXT_BYTES + 1000;

  it("is text unless its Content-Disposition names a filename as workerd's parser reads one: 413 before it is parsed (left49 #1)", {
    timeout: 60_000,
  }, async () => {
    // Each a string to workerd's parser (the filename elsewhere, quoted in the name, or a parameter
    // it does not read as one), which the check took as a file and did not count.
    const disguised = [
      'Content-Disposition: form-data; name="prompt"\r\nContent-Type: text/plain; filename=x',
      'Content-Disposition: form-data; name="prompt;filename=b"',
      'Content-Disposition: form-data; name="prompt; filename=b"',
      'Content-Disposition: form-data; name="prompt"; filename=b',
      'Content-Disposition: form-data; name="prompt"; FILENAME="b"',
      "Content-Disposition: form-data; name=\"prompt\"; filename*=utf-8''b",
      'Content-Disposition: form-data; name="prompt"; filename=""',
      'Content-Disposition: form-data; name="prompt"; filename="b\\"',
      // workerd's headers end at the first blank line, CR or none: the filename below it is text.
      'Content-Disposition: form-data; name="prompt"\n\nX: 1; filename="b"',
      // A lone CR ends a line for workerd, which takes the first Content-Disposition.
      'X: 1\rContent-Disposition: form-data; name="prompt"\r\nContent-Disposition: form-data; name="prompt"; filename="b"',
      // Headers ended by an LF-only blank line, the text after it 15,000 bytes more than a part
      // read from its later CRLF CRLF holds: counted from workerd's end, over the bound; from
      // undici's, 8 KiB under it (codereview49 #3).
      `Content-Disposition: form-data; name="prompt"\n\n${"y".repeat(15_000)}`,
    ];
    const refused = {
      status: 413,
      code: "request_too_large",
      message: expect.stringMatching(/^The request body holds \d+ bytes of text, more than this proxy accepts/),
    };
    const sent = [];
    for (const headers of disguised) {
      const size = headers.endsWith("y".repeat(15_000)) ? MAX_TEXT_BYTES - 8 * 1024 : SIZE;
      sent.push({ headers, ...(await edit(headers, size)) });
    }
    expect(sent).toEqual(disguised.map((headers) => ({ headers, ...refused })));
  });

  const UNENDED =
    "The multipart body could not be read: a part's headers do not end in a blank line within 16 KiB and before the next boundary (multipart/form-data, RFC 7578).";
  const UNCLOSED =
    "The multipart body could not be read: its last boundary does not close it (`--` after it, RFC 2046).";

  it("a part whose headers do not end before the next delimiter is refused before it is parsed (codereview49 #1)", {
    timeout: 90_000,
  }, async () => {
    // The prompt's headers run into the next delimiter: workerd reads on past it to the first blank
    // line (`--b: x` is a header to it, the first Content-Disposition its name), and the 8 MB after
    // is the prompt's string: counted as a 45-byte part and a file, it rose workerd 74 MiB.
    const crossed =
      `--b\r\nContent-Disposition: form-data; name="model"\r\n\r\nvision\r\n` +
      `--b\r\nContent-Disposition: form-data; name="prompt"` +
      `\n--b: x\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n\r\n` +
      `${"x".repeat(VISION_LIMIT - 1000)}\r\n--b--\r\n`;
    const sent = await alone((fresh) => sendEdit(crossed, fresh));
    measured.push(["a multipart part's headers across a delimiter", crossed.length, sent]);
    expect({ status: sent.status, code: sent.code, message: sent.message }).toEqual({
      status: 400,
      code: "invalid_multipart",
      message: UNENDED,
    });
    expect(sent.heapMiB).toBeLessThan(REFUSED_MIB);
    // A part of 4 MiB without a blank line: workerd's header search ran over it all (1.1 s of CPU).
    const unended = await sendEdit(`--b\r\n${"x".repeat(MAX_TEXT_BYTES - 100)}\r\n--b--\r\n`);
    expect({ status: unended.status, message: unended.message }).toEqual({ status: 400, message: UNENDED });
    // Headers past the 16 KiB looked through (a 413 as text before): no client sends them, and
    // workerd would read them on past a delimiter as above.
    const padded = await edit(`Content-Disposition: form-data; name="prompt"\r\nX-Pad: ${"p".repeat(17_000)}`, SIZE);
    expect(padded).toEqual({ status: 400, code: "invalid_multipart", message: UNENDED });
  });

  it("a body whose last delimiter is not its close is refused before it is parsed (codereview49 #2)", {
    timeout: 90_000,
  }, async () => {
    // workerd refuses each too, after a regex search over all that follows the delimiter: 2.1 to
    // 2.7 s of CPU for 8 MiB, against 160 ms for an 8 MiB image served.
    const field = `Content-Disposition: form-data; name="model"\r\n\r\nvision\r\n`;
    const bodies = {
      "8 MiB after the only delimiter": `--b\r\n${"x".repeat(VISION_LIMIT - 100)}`,
      "8 MiB of CRLF-ended lines after it": `--b\r\n${"a\r\n".repeat(Math.floor((VISION_LIMIT - 100) / 3))}`,
      "8 MiB of CRs after it": `--b\r\n${"\r".repeat(VISION_LIMIT - 100)}`,
      "a form whose last delimiter opens a part": `--b\r\n${field}--b\r\n`,
    };
    for (const [name, body] of Object.entries(bodies)) {
      const sent = await sendEdit(body);
      measured.push([`multipart: ${name}, no close`, body.length, sent]);
      expect({ name, status: sent.status, code: sent.code, message: sent.message }).toEqual({
        name,
        status: 400,
        code: "invalid_multipart",
        message: UNCLOSED,
      });
      // The message is the pre-check's own: workerd's parser never ran (its CPU is in the table).
    }
  });

  it("a part delimited as workerd's parser delimits one, by a line feed without its CR, is counted too (left49)", {
    timeout: 60_000,
  }, async () => {
    const post = async (body: string) => {
      const response = await fetch(`${proxy.url()}/v1/images/edits`, {
        method: "POST",
        headers: { authorization: `Bearer ${TEST_KEYS[0]}`, "content-type": "multipart/form-data; boundary=b" },
        body,
      });
      const { error } = (await response.json()) as { error: { code: string | null; message: string } };
      return { status: response.status, code: error.code, message: error.message };
    };
    const field = (name: string, value: string) => `Content-Disposition: form-data; name="${name}"\r\n\r\n${value}`;
    // The prompt closed by `\n--b--`: workerd reads it as a string, which the count passed by.
    const prompt = await post(`--b\r\n${field("model", "vision")}\n--b\r\n${field("prompt", "x".repeat(SIZE))}\n--b--`);
    expect(prompt).toMatchObject({ status: 413, code: "request_too_large" });
    // 40 parts so delimited: workerd builds each (the review's 60,000 took 0.8 s), the count refuses them first.
    const parts = Array.from({ length: 40 }, (_, index) => `--b\n${field(`f${index}`, "")}\n`).join("");
    expect(await post(`${parts}--b--`)).toMatchObject({
      status: 400,
      message: "The multipart body has more than 32 parts, more than any edit request.",
    });
    // Text before the first boundary, which workerd's parser skips to the first `--b` and undici's
    // refuses: refused before it is parsed, whatever follows.
    expect(await post(`xx--b\r\n${field("prompt", "x".repeat(SIZE))}\r\n--b--\r\n`)).toMatchObject({
      status: 400,
      code: "invalid_multipart",
      message:
        "The multipart body could not be read: its parts do not follow its boundary (multipart/form-data, RFC 7578).",
    });
  });

  it("a file, its filename in Content-Disposition, is no text: parsed, and refused for what it holds", {
    timeout: 60_000,
  }, async () => {
    for (const headers of [
      'Content-Disposition: form-data; name="image"; filename="room.png"\r\nContent-Type: image/png',
      'content-disposition: form-data; name="image"; filename="C:\\room.png"',
    ]) {
      const sent = await edit(headers, SIZE);
      expect({ headers, status: sent.status }).toEqual({ headers, status: 400 });
    }
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
