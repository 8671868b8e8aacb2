// Answers made before the request body is read (401, 404, 405, 500, and a GET's 200), on the wire
// in workerd, to a client that writes its whole body before it reads anything (Python's
// http.client, hence urllib): the body is read and dropped first, so the client gets the answer,
// not a reset, and its connection carries the next request.
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DRAIN_WINDOW_MS } from "../../worker/body.ts";
import { startWorkerdProxy, TEST_KEYS, type WorkerdProxy } from "./harness.ts";

let proxy: WorkerdProxy;

beforeAll(async () => {
  proxy = await startWorkerdProxy({
    main: {},
    nokeys: { PROXY_API_KEYS: undefined },
    misconfigured: { BEDROCK_MAX_RETRIES: "lots" },
  });
});
afterAll(() => proxy?.close());

/** Large enough that workerd cannot take it all into its buffers: unread, the connection is reset. */
const BODY = JSON.stringify({ model: "llama", messages: [{ role: "user", content: "x".repeat(6_000_000) }] });

interface Answer {
  status: number;
  body: string;
}

/** One HTTP/1.1 exchange on an open socket: the whole request written, only then read. */
async function exchange(socket: Socket, head: string, body = ""): Promise<Answer> {
  socket.pause();
  await new Promise<void>((resolve, reject) =>
    socket.write(`${head}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`, (error) =>
      error ? reject(error) : resolve(),
    ),
  );
  return await answerOn(socket);
}

/**
 * One exchange as Python's http.client makes it on a slow link: the head, then the body of `size`
 * bytes written at `bytesPerSecond` (64 KiB at a time), all of it before anything is read.
 */
async function pacedExchange(socket: Socket, head: string, size: number, bytesPerSecond: number): Promise<Answer> {
  socket.pause();
  const write = (text: string) =>
    new Promise<void>((resolve, reject) => socket.write(text, (error) => (error ? reject(error) : resolve())));
  await write(`${head}\r\ncontent-length: ${size}\r\n\r\n`);
  const started = Date.now();
  for (let sent = 0; sent < size; ) {
    const piece = Math.min(64 * 1024, size - sent);
    await write("x".repeat(piece));
    sent += piece;
    // Held to the rate from the start: a test process starved for a while catches up after.
    const due = started + (sent / bytesPerSecond) * 1000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
  }
  return await answerOn(socket);
}

/** The next whole answer on the socket. */
function answerOn(socket: Socket): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const answer = parsed(received);
      if (!answer) return;
      socket.off("data", onData).off("error", reject).off("close", onClose);
      socket.pause();
      resolve(answer);
    };
    const onClose = () => reject(new Error(`closed before a whole answer: ${received.toString().slice(0, 200)}`));
    socket.on("data", onData).once("error", reject).once("close", onClose);
    socket.resume();
  });
}

/** A whole answer (Content-Length or chunked), or undefined while it is still arriving. */
function parsed(bytes: Buffer): Answer | undefined {
  const text = bytes.toString("latin1");
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const head = text.slice(0, end);
  const rest = text.slice(end + 4);
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
  const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1];
  if (length !== undefined) return rest.length >= Number(length) ? { status, body: rest } : undefined;
  if (!/\r\ntransfer-encoding: *chunked/i.test(head)) return { status, body: rest };
  if (!rest.endsWith("0\r\n\r\n")) return undefined;
  return { status, body: rest.replace(/(?:^|\r\n)[0-9a-f]+\r\n/gi, "") };
}

/** A socket open to a variant's Worker, and its Host header. */
async function connected(variant: string): Promise<{ socket: Socket; host: string }> {
  const { hostname, port } = new URL(proxy.url(variant));
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  // A reset surfaces as the exchange's failure (its write, or its read), never as a stray event.
  socket.on("error", () => undefined);
  return { socket, host: `host: ${hostname}:${port}` };
}

const cases = [
  { name: "401 invalid_api_key", variant: "main", path: "/v1/chat/completions", key: "sk-wrong", status: 401 },
  {
    name: "401 proxy_keys_not_configured",
    variant: "nokeys",
    path: "/v1/chat/completions",
    key: TEST_KEYS[0],
    status: 401,
  },
  { name: "404 unknown_url", variant: "main", path: "/v1/nope", key: TEST_KEYS[0], status: 404 },
  { name: "405 (POST to a GET endpoint)", variant: "main", path: "/v1/models", key: TEST_KEYS[0], status: 405 },
  {
    name: "500 proxy_misconfigured",
    variant: "misconfigured",
    path: "/v1/chat/completions",
    key: TEST_KEYS[0],
    status: 500,
  },
] as const;

describe("a 6 MB body refused before it is read, sent whole before the client reads", () => {
  for (const { name, variant, path, key, status } of cases) {
    it(`${name}: the client gets the refusal, and the connection carries the next request`, async () => {
      const { socket, host } = await connected(variant);
      try {
        const request = `POST ${path} HTTP/1.1\r\n${host}\r\nauthorization: Bearer ${key}\r\ncontent-type: application/json`;
        const refused = await exchange(socket, request, BODY);
        expect(refused.status).toBe(status);
        expect(JSON.parse(refused.body)).toHaveProperty("error.code");
        const next = await exchange(socket, `GET /nope HTTP/1.1\r\n${host}`);
        expect(next.status).toBe(404);
      } finally {
        socket.destroy();
      }
    });
  }
});

describe("a body uploaded at 10 Mbit/s, longer than a drain window, refused before it is read (codereview29 #1)", () => {
  it("the client gets its 401 or 413 once it has sent it all, not a reset, and the connection carries the next request", async () => {
    // 3 MB take 2.4 s; 5 MiB (over the default MAX_BODY_BYTES, 4 MiB, by its Content-Length) 4.2 s.
    for (const [key, size, status] of [
      ["sk-wrong", 3_000_000, 401],
      [TEST_KEYS[0], 5 * 1024 * 1024, 413],
    ] as const) {
      const { socket, host } = await connected("main");
      try {
        const request = `POST /v1/chat/completions HTTP/1.1\r\n${host}\r\nauthorization: Bearer ${key}\r\ncontent-type: application/json`;
        const refused = await pacedExchange(socket, request, size, 1_250_000);
        expect(refused.status).toBe(status);
        const next = await exchange(socket, `GET /nope HTTP/1.1\r\n${host}`);
        expect(next.status).toBe(404);
      } finally {
        socket.destroy();
      }
    }
  }, 40_000);
});

describe("an answer that is no refusal, to a whole body it does not read (codereview29 #2)", () => {
  for (const size of [100_000, 6_000_000]) {
    it(`GET /v1/models and /health with ${size} bytes of body: the 200, and the connection carries the next request`, async () => {
      for (const path of ["/v1/models", "/health"]) {
        const { socket, host } = await connected("main");
        try {
          const request = `GET ${path} HTTP/1.1\r\n${host}\r\nauthorization: Bearer ${TEST_KEYS[0]}`;
          const served = await exchange(socket, request, "x".repeat(size));
          expect(served.status).toBe(200);
          const next = await exchange(socket, `GET /nope HTTP/1.1\r\n${host}`);
          expect(next.status).toBe(404);
        } finally {
          socket.destroy();
        }
      }
    });
  }
});

describe("Expect: 100-continue, a body refused by its declared length or before it is read (httpsem20 #7)", () => {
  it("is refused at once, before the client sends any of it: it is not waited for", async () => {
    // Over the default MAX_BODY_BYTES (4 MiB): a 413; with a wrong key, the 401 that comes first.
    for (const [key, status] of [
      [TEST_KEYS[0], 413],
      ["sk-wrong", 401],
    ] as const) {
      const { socket, host } = await connected("main");
      try {
        socket.write(
          `POST /v1/chat/completions HTTP/1.1\r\n${host}\r\nauthorization: Bearer ${key}\r\n` +
            `content-type: application/json\r\ncontent-length: ${5 * 1024 * 1024}\r\nexpect: 100-continue\r\n\r\n`,
        );
        // The body is never sent: a proxy that waits for it never answers, and the timeout fails the test.
        const refused = await answerOn(socket);
        expect(refused.status).toBe(status);
      } finally {
        socket.destroy();
      }
    }
  }, 3000);
});

describe("a body the client stops sending without ending it (codereview28 #1)", () => {
  /** The head and the first piece of the body, never the rest: the answer's status, and how long it took. */
  async function stalled(head: string, framing: string, first: string): Promise<{ status: number; ms: number }> {
    const { socket, host } = await connected("main");
    try {
      const started = Date.now();
      socket.write(`${head}\r\n${host}\r\ncontent-type: application/json\r\n${framing}\r\n\r\n${first}`);
      const { status } = await answerOn(socket);
      return { status, ms: Date.now() - started };
    } finally {
      socket.destroy();
    }
  }

  // From the head's write to the answer: the first window, and what a loaded machine adds, up to
  // the second window's end. A drain that gave up only at its second window would answer no
  // sooner than 2 × DRAIN_WINDOW_MS after the head, so under that is proof it went at the first.
  const WITHIN_MS = 2 * DRAIN_WINDOW_MS;

  it("an answer that does not read it and is no refusal (a GET's 200) goes once the first drain window is up (codereview29 #2)", async () => {
    const answer = await stalled(
      `GET /v1/models HTTP/1.1\r\nauthorization: Bearer ${TEST_KEYS[0]}`,
      "content-length: 1000",
      "0123456789",
    );
    expect(answer.status).toBe(200);
    expect(answer.ms).toBeGreaterThanOrEqual(DRAIN_WINDOW_MS - 100);
    expect(answer.ms).toBeLessThan(WITHIN_MS);
  });

  it(
    "a refusal made before it is read goes once the first drain window is up: declared and stalled, or chunked and never ended",
    async () => {
      for (const [framing, first] of [
        ["content-length: 1000", "0123456789"],
        ["transfer-encoding: chunked", "a\r\n0123456789\r\n"],
      ] as const) {
        const answer = await stalled(
          "POST /v1/chat/completions HTTP/1.1\r\nauthorization: Bearer sk-wrong",
          framing,
          first,
        );
        expect(answer.status).toBe(401);
        expect(answer.ms).toBeGreaterThanOrEqual(DRAIN_WINDOW_MS - 100);
        expect(answer.ms).toBeLessThan(WITHIN_MS);
      }
    },
    3 * DRAIN_WINDOW_MS + 4000,
  );
});
